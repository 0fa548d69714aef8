#!/usr/bin/env bash
# `#[genai_span]` against what users would pick instead, in one run: the enabled-path bench
# (criterion: (a) `#[genai_span]`, (b) `#[tracing::instrument]` by hand, (c) the OTel API), then
# the Python anchors on the same no-op chat call (bench/anchors/bench.py): a span made with the
# OpenTelemetry SDK, OpenLLMetry's `@task`, Langfuse's `@observe`. Prints the ratios.
#
#   bench/anchors.sh                  # ANCHOR_SECONDS=4 per Python case
#   ANCHORS_VENV=/path bench/anchors.sh
#
# The Python packages go to a venv outside the repository, installed once from
# bench/anchors/requirements.txt (pinned). Offline: the anchors export to a no-op exporter, their
# endpoints point at a closed port on 127.0.0.1, their own telemetry is off, and the script fails
# if the process tries to connect anywhere but the loopback interface (an audit hook records
# every connection and name lookup).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="${ANCHORS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/genai-span-bench/anchors-venv}"

# (Re)installed when bench/anchors/requirements.txt changes.
stamp="$venv/.genai-span-requirements"
if ! cmp -s "$here/anchors/requirements.txt" "$stamp" 2>/dev/null; then
    echo "installing the anchors into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -r "$here/anchors/requirements.txt"
    cp "$here/anchors/requirements.txt" "$stamp"
fi

cd "$root"
echo "== Rust: the enabled path (criterion) ==" >&2
cargo bench -p genai-span --bench enabled -- \
    '^enabled/(plain|a_genai_span|a_genai_span_sdk_meter|b_tracing_instrument|b_tracing_instrument_metrics|b_tracing_instrument_metrics_sdk_meter|c_otel_api)$' >&2

echo "== Python: the anchors ==" >&2
json_out="$(mktemp)"
trap 'rm -f "$json_out"' EXIT
# The anchors print banners of their own on stdout: the figures go to a file.
"$venv/bin/python" "$here/anchors/bench.py" "$json_out" >&2
python_json="$(cat "$json_out")"

CRITERION_DIR="$CARGO_TARGET_DIR/criterion" PYTHON_JSON="$python_json" python3 - <<'PY'
import json, os, pathlib

crit = pathlib.Path(os.environ["CRITERION_DIR"]) / "enabled"
def rust(name):
    estimates = json.loads((crit / name / "new" / "estimates.json").read_text())
    return estimates["median"]["point_estimate"]

py = json.loads(os.environ["PYTHON_JSON"])
ours = {name: rust(name) for name in
        ["plain", "a_genai_span", "a_genai_span_sdk_meter", "b_tracing_instrument",
         "b_tracing_instrument_metrics", "b_tracing_instrument_metrics_sdk_meter", "c_otel_api"]}
a = ours["a_genai_span"]
a_sdk = ours["a_genai_span_sdk_meter"]
print(f"Python {py['python']}, " + ", ".join(f"{k} {v}" for k, v in py["versions"].items()))
print(f"connections attempted: {py['connections'] or 'none'}")
print()
print("| call | time per call | ratio to (a) `#[genai_span]`, no-op meter | ratio to (a) with an SDK meter |")
print("|---|---|---|---|")
def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.1f} ns"
rows = [
    ("Rust: plain fn", ours["plain"]),
    ("Rust (a) `#[genai_span]`, no-op meter", a),
    ("Rust (a) `#[genai_span]`, SDK meter", a_sdk),
    ("Rust (b) `#[tracing::instrument]` by hand, spans only", ours["b_tracing_instrument"]),
    ("Rust (b) + the same metrics by hand, no-op meter", ours["b_tracing_instrument_metrics"]),
    ("Rust (b) + the same metrics by hand, SDK meter", ours["b_tracing_instrument_metrics_sdk_meter"]),
    ("Rust (c) OpenTelemetry API directly", ours["c_otel_api"]),
    ("Python: plain function", py["ns_per_call"]["plain"]),
    ("Python: OpenTelemetry SDK span by hand", py["ns_per_call"]["otel_sdk"]),
    ("Python: OpenLLMetry `@task`", py["ns_per_call"]["openllmetry_task"]),
    ("Python: OpenLLMetry `@task`, TRACELOOP_TRACE_CONTENT=false", py["ns_per_call"]["openllmetry_task_no_content"]),
    ("Python: Langfuse `@observe()`", py["ns_per_call"]["langfuse_observe"]),
]
for name, ns in rows:
    print(f"| {name} | {fmt(ns)} | {ns / a:.2f}x | {ns / a_sdk:.2f}x |")
PY
