#!/usr/bin/env bash
# Instructions per call of each case, counted by callgrind (repeatable whatever the machine is
# doing, unlike time on 2 noisy cores).
#
#   bench/callgrind.sh [case ...]        # default: the enabled cases (a), (b), (c) and more
#   N=2000 bench/callgrind.sh a_genai_span
#   ANNOTATE=1 bench/callgrind.sh a_genai_span   # also print callgrind_annotate --inclusive
#
# Each case runs N times, then 2N times, in `runtime/benches/profile.rs`; instructions per
# call are (I(2N) - I(N)) / N, so the process start-up and the pipeline's set-up cancel out.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(pwd)/target}"
N="${N:-1000}"
CASES=("$@")
if [ ${#CASES[@]} -eq 0 ]; then
    CASES=(disabled_plain disabled_a_genai_span disabled_plain_async disabled_a_genai_span_async
           disabled_stream_plain_1 disabled_stream_1 disabled_stream_plain_101 disabled_stream_101
           plain a_genai_span a_genai_span_sdk_meter b_tracing_instrument b_tracing_instrument_metrics
           b_tracing_instrument_metrics_sdk_meter c_otel_api
           plain_async a_genai_span_async a_genai_span_async_sdk_meter b_tracing_instrument_async
           stream_plain_1 stream_1 stream_plain_101 stream_101 stream_1_sdk_meter stream_101_sdk_meter)
fi
bin=$(cargo bench -p genai-span --bench profile --no-run --message-format=json 2>/dev/null \
    | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "profile" and m.get("executable"):
        print(m["executable"])')
[ -x "$bin" ] || { echo "could not build the profile driver" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total() { # case n -> total instructions (Ir)
    valgrind --tool=callgrind --callgrind-out-file="$out/$1.$2.out" "$bin" "$1" "$2" \
        >/dev/null 2>"$out/$1.$2.log"
    grep -m1 '^summary:' "$out/$1.$2.out" | awk '{print $2}'
}
printf '| case | instructions per call |\n|---|---|\n'
for case in "${CASES[@]}"; do
    one=$(total "$case" "$N")
    two=$(total "$case" $((2 * N)))
    printf '| %s | %s |\n' "$case" $(( (two - one) / N ))
    if [ "${ANNOTATE:-0}" = 1 ]; then
        callgrind_annotate --inclusive=yes --threshold=99 "$out/$case.$((2 * N)).out" | head -80
    fi
done
