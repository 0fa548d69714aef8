"""Turns the criterion results of `cargo bench -p genai-span` into the ratio tables of
BENCHMARKS.md: every figure next to its baseline from the same run.

    python3 bench/report.py [criterion-dir]     # default: $CARGO_TARGET_DIR/criterion

Reads the median of each benchmark (`<group>/<name>/new/estimates.json`); a benchmark that did
not run is shown as `-`.
"""

import json
import os
import pathlib
import sys

root = pathlib.Path(
    sys.argv[1]
    if len(sys.argv) > 1
    else pathlib.Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "criterion"
)


def ns(*path):
    """The median of one benchmark, in nanoseconds, or None."""
    file = root.joinpath(*path, "new", "estimates.json")
    if not file.exists():
        return None
    return json.loads(file.read_text())["median"]["point_estimate"]


def fmt(value):
    if value is None:
        return "-"
    if value >= 1e6:
        return f"{value / 1e6:.2f} ms"
    if value >= 1000:
        return f"{value / 1000:.2f} µs"
    return f"{value:.1f} ns"


def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def diff(a, b):
    return "-" if a is None or b is None else f"{a - b:+.1f} ns"


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


print("### 1. Disabled path\n")
rows = []
for plain, annotated, what in [
    ("sync_plain", "sync_genai_span", "sync fn, no subscriber"),
    ("async_plain", "async_genai_span", "async fn polled once, no subscriber"),
    ("stream_1_plain", "stream_1_genai_span", "stream of 1 chunk, no subscriber"),
    ("stream_100_plain", "stream_100_genai_span", "stream of 100 chunks, no subscriber"),
]:
    p, a = ns("disabled", plain), ns("disabled", annotated)
    rows.append([what, fmt(p), fmt(a), diff(a, p), ratio(a, p)])
for plain, annotated, what in [
    ("sync_plain", "sync_tracing_instrument", "for reference: sync fn, `#[tracing::instrument]` (b)"),
    ("async_plain", "async_tracing_instrument", "for reference: async fn, `#[tracing::instrument]` (b)"),
]:
    p, a = ns("disabled", plain), ns("disabled", annotated)
    rows.append([what, fmt(p), fmt(a), diff(a, p), ratio(a, p)])
p = ns("filtered", "sync_plain")
for name, what in [
    ("sync_genai_span_level_filter", "filtered out by level (max level WARN)"),
    ("sync_genai_span_target_filter", "filtered out by target (interest never)"),
    ("sync_genai_span_dynamic_filter", "filtered out by a dynamic filter (asked every call)"),
]:
    a = ns("filtered", name)
    rows.append([what, fmt(p), fmt(a), diff(a, p), ratio(a, p)])
table(["case", "without the attribute", "with `#[genai_span]`", "overhead", "ratio"], rows)

print("### 2. Enabled path\n")
b = ns("enabled", "b_tracing_instrument")
bm = ns("enabled", "b_tracing_instrument_metrics")
c = ns("enabled", "c_otel_api")
rows = []
for name, what in [
    ("plain", "plain fn (no instrumentation)"),
    ("a_genai_span", "(a) `#[genai_span]`, global meter (none installed)"),
    ("a_genai_span_async", "(a) `#[genai_span]` async, global meter"),
    ("b_tracing_instrument", "(b) `#[tracing::instrument]` + `record`, spans only"),
    ("b_tracing_instrument_async", "(b) async, spans only"),
    ("b_tracing_instrument_all_fields", "(b) declaring every field (a) declares"),
    ("b_tracing_instrument_metrics", "(b) + the same metrics by hand, global meter"),
    ("c_otel_api", "(c) the OpenTelemetry API directly, spans only"),
    ("a_genai_span_sdk_meter", "(a) with an SDK meter provider"),
    ("a_genai_span_async_sdk_meter", "(a) async, SDK meter provider"),
    ("b_tracing_instrument_metrics_sdk_meter", "(b) + metrics by hand, SDK meter provider"),
]:
    t = ns("enabled", name)
    rows.append([what, fmt(t), ratio(t, b), ratio(t, bm), ratio(t, c)])
table(["case", "time per call", "/ (b) spans only", "/ (b) + metrics", "/ (c)"], rows)
a, asdk = ns("enabled", "a_genai_span"), ns("enabled", "a_genai_span_sdk_meter")
bsdk = ns("enabled", "b_tracing_instrument_metrics_sdk_meter")
print(
    f"Like for like: (a) / (b) + metrics, global meter: {ratio(a, bm)}; "
    f"SDK meter: {ratio(asdk, bsdk)}. (a) / (c): {ratio(a, c)}.\n"
)

print("### 3. Streaming: per-chunk overhead\n")
rows = []
for suffix, what in [("instrumented", "global meter"), ("instrumented_sdk_meter", "SDK meter")]:
    p1, p1000 = ns("stream", "plain", "1"), ns("stream", "plain", "1000")
    i1, i1000 = ns("stream", suffix, "1"), ns("stream", suffix, "1000")
    if None in (p1, p1000, i1, i1000):
        rows.append([what, "-", "-", "-", "-"])
        continue
    per_chunk_plain = (p1000 - p1) / 999
    per_chunk = (i1000 - i1) / 999
    rows.append(
        [
            what,
            fmt(i1),
            fmt(per_chunk_plain),
            fmt(per_chunk),
            f"{per_chunk - per_chunk_plain:+.1f} ns",
        ]
    )
table(
    ["metrics", "one call, 1 chunk", "per chunk, plain stream", "per chunk, instrumented", "overhead per chunk"],
    rows,
)

print("### 4. Content capture, on against off\n")
rows = []
for size in ["1KB", "100KB", "10MB"]:
    off = ns("content", "off", size)
    one = ns("content", "on_one_message", size)
    many = ns("content", "on_1KB_messages", size)
    rows.append([size, fmt(off), fmt(one), ratio(one, off), fmt(many), ratio(many, off)])
table(
    ["prompt", "capture off", "on, one message", "ratio", "on, 1 KB messages", "ratio"],
    rows,
)
