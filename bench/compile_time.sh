#!/usr/bin/env bash
# Compile time of 1,000 annotated functions: `#[genai_span]` against the hand-written
# `#[tracing::instrument]` equivalent (same attributes declared, the response recorded in the
# body), `#[tracing::instrument(skip_all)]` alone (a bare span: the cheapest use of the
# attribute, not an equivalent), and the same functions without instrumentation (the floor).
#
#   bench/compile_time.sh            # FUNCTIONS=1000 REPEAT=3 PROFILE=dev (debug build)
#   PROFILE=release bench/compile_time.sh
#
# What is timed: the generated crate alone (`cargo build -p gen_<variant>` after
# `cargo clean -p gen_<variant>`), its dependencies already built in the same target directory
# (they are built once, first, untimed). Each variant is built REPEAT times, interleaved, and
# the median is reported. Also `cargo check` (the edit loop), timed the same way.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
FUNCTIONS="${FUNCTIONS:-1000}"
REPEAT="${REPEAT:-3}"
PROFILE="${PROFILE:-dev}"
work="${WORK:-$(mktemp -d /tmp/genai-compile-time.XXXXXX)}"
export CARGO_TARGET_DIR="$work/target"
python3 "$here/compile_time/generate.py" "$work/crates" "$root/runtime" "$FUNCTIONS"
# The same dependency versions as the project.
cp "$root/Cargo.lock" "$work/crates/Cargo.lock"
cd "$work/crates"
echo "generated $FUNCTIONS functions per variant in $work/crates; building dependencies..." >&2
for variant in genai tracing bare plain; do
    cargo build --profile "$PROFILE" -p "gen_$variant" >/dev/null 2>"$work/deps-$variant.log" \
        || { cat "$work/deps-$variant.log" >&2; exit 1; }
    cargo check --profile "$PROFILE" -p "gen_$variant" >/dev/null 2>&1
done

seconds() { # command... -> wall seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}

declare -A times
for run in $(seq "$REPEAT"); do
    for command in build check; do
        for variant in genai tracing bare plain; do
            cargo clean --profile "$PROFILE" -p "gen_$variant" >/dev/null 2>&1
            t=$(seconds cargo "$command" --profile "$PROFILE" -p "gen_$variant")
            times[$command.$variant]="${times[$command.$variant]:-} $t"
            echo "run $run: cargo $command gen_$variant: ${t}s" >&2
        done
    done
done

python3 - "$FUNCTIONS" "$PROFILE" \
    "${times[build.genai]}" "${times[build.tracing]}" "${times[build.bare]}" "${times[build.plain]}" \
    "${times[check.genai]}" "${times[check.tracing]}" "${times[check.bare]}" "${times[check.plain]}" <<'PY'
import statistics, sys
functions, profile = sys.argv[1], sys.argv[2]
vals = [list(map(float, s.split())) for s in sys.argv[3:]]
med = [statistics.median(v) for v in vals]
print(f"{functions} functions, profile {profile}, the generated crate alone (dependencies built), median of the runs in seconds")
print()
print("| command | `#[genai_span]` | `#[tracing::instrument]`, same attributes | `#[tracing::instrument(skip_all)]` | none | ratio genai / tracing same attributes | ratio genai / bare |")
print("|---|---|---|---|---|---|---|")
for i, command in enumerate(["cargo build", "cargo check"]):
    g, t, b, p = med[4 * i: 4 * i + 4]
    print(f"| `{command}` | {g:.1f} | {t:.1f} | {b:.1f} | {p:.1f} | {g / t:.2f}x | {g / b:.2f}x |")
print()
for i, command in enumerate(["build", "check"]):
    for j, variant in enumerate(["genai", "tracing", "bare", "plain"]):
        print(f"runs, cargo {command} {variant}: " + " ".join(f"{x:.1f}" for x in vals[4 * i + j]))
PY
