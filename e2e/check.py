"""Reads back what a receiver stored and compares it with what the demo says it produced.

Standard library only. Each subcommand prints one line per check ("ok ..." / "FAIL ...") and
exits 1 if any check failed, 2 on a usage or read-back error.

  check.py phoenix --url URL --project NAME --report REPORT.json
  check.py mlflow  --url URL --service NAME --report REPORT.json [--experiment 0]
  check.py vm      --url URL --service NAME --report REPORT.json
  check.py export-failure --stderr FILE
  check.py report  --report REPORT.json          (validates the report, prints its totals)

The report is what the demo writes when GENAI_SPAN_DEMO_REPORT=path is set:

  {"spans": [{"name": "chat gpt-4o", "trace_id": "<32 hex>", "span_id": "<16 hex>",
              "parent_span_id": "<16 hex>" | null, "operation": "chat",
              "status": "ok" | "error" | "unset",
              "input_tokens": 12 | null, "output_tokens": 18 | null}, ...],
   "tokens": {"input": 51, "output": 47}}

`spans` are the spans the demo's SDK ended (ids in lowercase hex); `input_tokens` and
`output_tokens` are the `gen_ai.usage.*` values the span carries (null when it carries none);
`tokens` are the totals the provider reported over the whole run, by `gen_ai.token.type`.
"""

import argparse
import base64
import collections
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# The operations whose spans are model calls: their usage is what the provider returned.
MODEL_OPERATIONS = {"chat", "text_completion", "generate_content"}

# Phoenix's span kind for each `gen_ai.operation.name` (what it derives on ingestion).
PHOENIX_KIND = {
    "chat": "LLM",
    "text_completion": "LLM",
    "generate_content": "LLM",
    "execute_tool": "TOOL",
    "invoke_agent": "AGENT",
    "embeddings": "EMBEDDING",
    "retrieval": "RETRIEVER",
}

# MLflow's span type for each `gen_ai.operation.name`.
MLFLOW_TYPE = {
    "chat": "CHAT_MODEL",
    "execute_tool": "TOOL",
    "invoke_agent": "AGENT",
    "embeddings": "EMBEDDING",
    "retrieval": "RETRIEVER",
}

FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILURES.append(what)
    return ok


def die(message):
    print("ERROR " + message, file=sys.stderr, flush=True)
    sys.exit(2)


def http(method, url, body=None, timeout=30):
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        die(f"{method} {url}: HTTP {error.code}: {error.read().decode(errors='replace')[:500]}")
    except (urllib.error.URLError, OSError) as error:
        die(f"{method} {url}: {error}")
    try:
        return json.loads(text)
    except ValueError:
        die(f"{method} {url}: not JSON: {text[:300]}")


def load_report(path):
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError) as error:
        die(f"cannot read the demo's report {path}: {error}")
    spans = report.get("spans")
    if not isinstance(spans, list) or not spans:
        die(f"{path}: no spans in the report")
    for span in spans:
        for key in ("name", "trace_id", "span_id", "operation"):
            if not isinstance(span.get(key), str):
                die(f"{path}: span without a string {key!r}: {span}")
        span["trace_id"] = span["trace_id"].lower()
        span["span_id"] = span["span_id"].lower()
        if span.get("parent_span_id"):
            span["parent_span_id"] = span["parent_span_id"].lower()
        else:
            span["parent_span_id"] = None
    tokens = report.get("tokens")
    if not isinstance(tokens, dict):
        die(f"{path}: no token totals ('tokens') in the report")
    ids = [s["span_id"] for s in spans]
    if len(ids) != len(set(ids)):
        die(f"{path}: the report lists a span id twice")
    return report


def by_name(spans):
    return dict(sorted(collections.Counter(s["name"] for s in spans).items()))


def describe(report):
    spans = report["spans"]
    return (
        f"{len(spans)} spans in {len({s['trace_id'] for s in spans})} traces "
        f"{by_name(spans)}; tokens {report['tokens']}"
    )


def compare_structure(receiver, expected, stored):
    """`stored`: a list of (span_id, trace_id, parent_span_id, name) from the receiver."""
    counts = collections.Counter(s[0] for s in stored)
    want = {s["span_id"]: s for s in expected}
    dupes = {k: v for k, v in counts.items() if v > 1}
    missing = sorted(set(want) - set(counts))
    extra = sorted(set(counts) - set(want))
    check(not missing, f"{receiver}: every span arrived ({len(want)} expected, "
                       f"{len(set(counts) & set(want))} found"
                       + (f"; missing {[want[m]['name'] + ' ' + m for m in missing]}" if missing else "") + ")")
    check(not dupes, f"{receiver}: no span stored twice" + (f" (duplicates: {dupes})" if dupes else ""))
    check(not extra, f"{receiver}: no span the demo did not produce" + (f" (extra: {extra})" if extra else ""))
    bad = []
    for span_id, trace_id, parent, name in stored:
        s = want.get(span_id)
        if s is None:
            continue
        if trace_id != s["trace_id"] or (parent or None) != s["parent_span_id"] or name != s["name"]:
            bad.append(f"{span_id}: stored ({name!r}, trace {trace_id}, parent {parent}) "
                       f"expected ({s['name']!r}, trace {s['trace_id']}, parent {s['parent_span_id']})")
    check(not bad, f"{receiver}: names, traces and parent/child links intact" + (f": {bad}" if bad else ""))
    got_names = by_name([{"name": s[3]} for s in stored])
    check(got_names == by_name(expected), f"{receiver}: spans by name {got_names}")


# ---- Phoenix ----------------------------------------------------------------------------


def phoenix_spans(url, project):
    spans = []
    cursor = None
    for _ in range(100):
        query = {"limit": "1000"}
        if cursor:
            query["cursor"] = cursor
        page = http("GET", f"{url}/v1/projects/{urllib.parse.quote(project)}/spans?"
                    + urllib.parse.urlencode(query))
        spans.extend(page.get("data", []))
        cursor = page.get("next_cursor")
        if not cursor:
            return spans
    die("Phoenix: more than 100 pages of spans")


def cmd_phoenix(args):
    report = load_report(args.report)
    expected = report["spans"]
    projects = [p["name"] for p in http("GET", f"{args.url}/v1/projects").get("data", [])]
    if not check(args.project in projects, f"phoenix: project {args.project!r} exists"):
        return
    # Ingestion is asynchronous: wait until the count stops growing (bounded).
    deadline = time.monotonic() + args.wait
    stored = phoenix_spans(args.url, args.project)
    while len(stored) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.5)
        stored = phoenix_spans(args.url, args.project)
    compare_structure("phoenix", expected, [
        (s["context"]["span_id"], s["context"]["trace_id"], s.get("parent_id"), s["name"])
        for s in stored
    ])
    stored_by_id = {s["context"]["span_id"]: s for s in stored}
    kinds_bad, kinds_seen, tokens_bad, status_bad = [], collections.Counter(), [], []
    for s in expected:
        got = stored_by_id.get(s["span_id"])
        if got is None:
            continue
        want_kind = PHOENIX_KIND.get(s["operation"])
        kinds_seen[got.get("span_kind")] += 1
        if want_kind and got.get("span_kind") != want_kind:
            kinds_bad.append(f"{s['name']}: {got.get('span_kind')} (expected {want_kind})")
        attrs = got.get("attributes", {})
        for key, phoenix_key in (("input_tokens", "llm.token_count.prompt"),
                                 ("output_tokens", "llm.token_count.completion")):
            want = s.get(key)
            if want is None:
                continue
            semconv = attrs.get("gen_ai.usage." + key)
            if semconv != want or type(semconv) is not int:
                tokens_bad.append(f"{s['name']} {s['span_id']}: gen_ai.usage.{key} = {semconv!r}, "
                                  f"expected int {want}")
            if attrs.get(phoenix_key) != want:
                tokens_bad.append(f"{s['name']} {s['span_id']}: {phoenix_key} = "
                                  f"{attrs.get(phoenix_key)!r}, expected {want}")
        if s.get("status") == "error" and got.get("status_code") != "ERROR":
            status_bad.append(f"{s['name']}: status {got.get('status_code')}")
    ops = sorted({s["operation"] for s in expected if s["operation"] in PHOENIX_KIND})
    check(not kinds_bad, f"phoenix: span kinds derived from gen_ai.operation.name for {ops}: "
                         f"{dict(sorted(kinds_seen.items()))}" + (f"; wrong: {kinds_bad}" if kinds_bad else ""))
    for kind in ("LLM", "TOOL", "AGENT"):
        check(kinds_seen[kind] > 0, f"phoenix: at least one {kind} span")
    n_tok = sum(1 for s in expected if s.get("input_tokens") is not None or s.get("output_tokens") is not None)
    check(n_tok > 0 and not tokens_bad,
          f"phoenix: token counts of {n_tok} spans as sent (gen_ai.usage.* ints and Phoenix's llm.token_count.*)"
          + (f": {tokens_bad}" if tokens_bad else ""))
    n_err = sum(1 for s in expected if s.get("status") == "error")
    check(not status_bad, f"phoenix: {n_err} error spans stored as ERROR" + (f": {status_bad}" if status_bad else ""))


# ---- MLflow -----------------------------------------------------------------------------


def b64_to_hex(value):
    return base64.b64decode(value).hex() if value else None


def mlflow_traces(url, experiment):
    traces = []
    token = None
    for _ in range(100):
        body = {
            "locations": [{"type": "MLFLOW_EXPERIMENT",
                           "mlflow_experiment": {"experiment_id": experiment}}],
            "max_results": 100,
        }
        if token:
            body["page_token"] = token
        page = http("POST", f"{url}/api/3.0/mlflow/traces/search", body)
        traces.extend(page.get("traces", []))
        token = page.get("next_page_token")
        if not token:
            return traces
    die("MLflow: more than 100 pages of traces")


def cmd_mlflow(args):
    report = load_report(args.report)
    expected = report["spans"]
    want_traces = sorted({s["trace_id"] for s in expected})
    deadline = time.monotonic() + args.wait
    while True:
        traces = [t for t in mlflow_traces(args.url, args.experiment)
                  if t.get("tags", {}).get("service.name") == args.service]
        if len(traces) >= len(want_traces) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    got_ids = collections.Counter(t["trace_id"] for t in traces)
    check(sorted(got_ids) == ["tr-" + t for t in want_traces] and max(got_ids.values(), default=0) == 1,
          f"mlflow: the demo's {len(want_traces)} traces arrived once each "
          f"(found {len(traces)} for service.name={args.service!r})")
    stored = []
    types_bad, types_seen, usage_bad, usage_seen = [], collections.Counter(), [], []
    by_id = {s["span_id"]: s for s in expected}
    for info in traces:
        full = http("GET", f"{args.url}/api/3.0/mlflow/traces/get?"
                    + urllib.parse.urlencode({"trace_id": info["trace_id"]}))["trace"]
        for span in full.get("spans", []):
            span_id = b64_to_hex(span["span_id"])
            stored.append((span_id, b64_to_hex(span["trace_id"]),
                           b64_to_hex(span.get("parent_span_id")), span["name"]))
            attrs = {a["key"]: a["value"] for a in span.get("attributes", [])}
            span_type = attrs.get("mlflow.spanType", {}).get("string_value")
            types_seen[span_type] += 1
            want = by_id.get(span_id)
            if want and want["operation"] in MLFLOW_TYPE and span_type != MLFLOW_TYPE[want["operation"]]:
                types_bad.append(f"{want['name']}: {span_type} (expected {MLFLOW_TYPE[want['operation']]})")
        # Per-trace usage: what the provider returned on the model calls of that trace.
        trace_hex = info["trace_id"].removeprefix("tr-")
        calls = [s for s in expected if s["trace_id"] == trace_hex and s["operation"] in MODEL_OPERATIONS]
        want_in = sum(s.get("input_tokens") or 0 for s in calls)
        want_out = sum(s.get("output_tokens") or 0 for s in calls)
        meta = info.get("trace_metadata", {}).get("mlflow.trace.tokenUsage")
        usage = json.loads(meta) if meta else {}
        got = (usage.get("input_tokens", 0), usage.get("output_tokens", 0))
        usage_seen.append(f"{info['trace_id'][:11]}..: in {got[0]} out {got[1]}")
        if got != (want_in, want_out):
            usage_bad.append(f"{info['trace_id']}: MLflow in {got[0]} out {got[1]}, "
                             f"the provider returned in {want_in} out {want_out}")
    compare_structure("mlflow", expected, stored)
    check(not types_bad, f"mlflow: span types from gen_ai.operation.name {dict(sorted(types_seen.items(), key=str))}"
          + (f"; wrong: {types_bad}" if types_bad else ""))
    check(traces and not usage_bad, f"mlflow: per-trace token usage equals what the provider returned "
          f"({'; '.join(usage_seen)})" + (f": {usage_bad}" if usage_bad else ""))


# ---- VictoriaMetrics --------------------------------------------------------------------


def vm_query(url, query):
    result = http("GET", f"{url}/api/v1/query?" + urllib.parse.urlencode({"query": query}))
    if result.get("status") != "success":
        die(f"VictoriaMetrics: query {query!r}: {result}")
    return result["data"]["result"]


def vm_force_flush(url):
    try:
        with urllib.request.urlopen(f"{url}/internal/force_flush", timeout=10) as response:
            response.read()
    except (urllib.error.URLError, OSError) as error:
        die(f"VictoriaMetrics: force_flush: {error}")


def vm_by_type(url, metric, service):
    rows = vm_query(url, f'sum by (gen_ai.token.type) ({metric}{{service.name="{service}"}})')
    return {row["metric"].get("gen_ai.token.type", ""): int(float(row["value"][1])) for row in rows}


def cmd_vm(args):
    report = load_report(args.report)
    want = {k: int(v) for k, v in report["tokens"].items() if v}
    deadline = time.monotonic() + args.wait
    while True:
        vm_force_flush(args.url)
        time.sleep(args.settle)
        got = vm_by_type(args.url, "gen_ai.client.token.usage_sum", args.service)
        if got == want or time.monotonic() > deadline:
            break
    check(got == want, f"victoriametrics: sum by gen_ai.token.type of gen_ai.client.token.usage "
                       f"for service.name={args.service!r} = {got} (the demo's totals: {want})")
    counts = vm_by_type(args.url, "gen_ai.client.token.usage_count", args.service)
    calls = [s for s in report["spans"] if s["operation"] in MODEL_OPERATIONS]
    want_counts = {}
    for kind in ("input", "output"):
        n = sum(1 for s in calls if s.get(kind + "_tokens") is not None)
        if n:
            want_counts[kind] = n
    check(counts == want_counts, f"victoriametrics: one token.usage measurement per model call and type "
                                 f"{counts} (model-call spans with usage: {want_counts})")
    durations = vm_query(args.url, f'sum(gen_ai.client.operation.duration_count{{service.name="{args.service}"}})')
    n_dur = int(float(durations[0]["value"][1])) if durations else 0
    check(n_dur >= len(calls), f"victoriametrics: gen_ai.client.operation.duration has {n_dur} measurements "
                               f"(at least the {len(calls)} model calls)")


# ---- The demo's own words about a failed export -----------------------------------------

EXPORT_FAILED = re.compile(r"^genai-span: exporting (spans|metrics) to (\S+) failed: (.*)$")


def cmd_export_failure(args):
    with open(args.stderr, errors="replace") as f:
        lines = f.read().splitlines()
    found = collections.defaultdict(list)
    for line in lines:
        m = EXPORT_FAILED.match(line)
        if m:
            found[m.group(1)].append(line)
    said = [line for line in lines if line.startswith("genai-span: ")]
    for signal in args.signals.split(","):
        got = found.get(signal, [])
        check(len(got) == 1, f"{args.name}: stderr says once that exporting {signal} failed"
              + (f": {got[0]!r}" if len(got) == 1
                 else f" (found {len(got)} such lines; all it said: {said})"))


def cmd_report(args):
    report = load_report(args.report)
    print(describe(report))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("phoenix")
    p.add_argument("--url", default="http://127.0.0.1:6006")
    p.add_argument("--project", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--wait", type=float, default=20)
    p.set_defaults(run=cmd_phoenix)
    p = sub.add_parser("mlflow")
    p.add_argument("--url", default="http://127.0.0.1:5000")
    p.add_argument("--service", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--experiment", default="0")
    p.add_argument("--wait", type=float, default=20)
    p.set_defaults(run=cmd_mlflow)
    p = sub.add_parser("vm")
    p.add_argument("--url", default="http://127.0.0.1:8428")
    p.add_argument("--service", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--wait", type=float, default=20)
    p.add_argument("--settle", type=float, default=2)
    p.set_defaults(run=cmd_vm)
    p = sub.add_parser("export-failure")
    p.add_argument("--stderr", required=True)
    p.add_argument("--signals", default="spans,metrics")
    p.add_argument("--name", default="demo")
    p.set_defaults(run=cmd_export_failure)
    p = sub.add_parser("report")
    p.add_argument("--report", required=True)
    p.set_defaults(run=cmd_report)
    args = parser.parse_args()
    args.run(args)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
