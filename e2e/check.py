"""Reads back what a receiver stored and compares it with what the demo says it produced.

Standard library only. Each subcommand prints one line per check ("ok   ..." / "FAIL ...")
and exits 1 if a check failed, 2 when it could not read the report or the receiver.

  check.py phoenix --url URL --project NAME --report REPORT.json
  check.py mlflow  --url URL --service NAME --report REPORT.json [--experiment 0]
  check.py vm      --url URL --service NAME --report REPORT.json
  check.py export-failure --name RUN --stderr FILE
  check.py report  --report REPORT.json          (validates a report, prints its totals)

The report is what the demo writes when GENAI_SPAN_DEMO_REPORT=path is set. Two shapes are
understood. The full one lists every span the demo's SDK ended:

  {"spans": [{"name": "chat gpt-4o", "trace_id": "<32 hex>", "span_id": "<16 hex>",
              "parent_span_id": "<16 hex>" | null, "operation": "chat",
              "status": "ok" | "error" | "unset",
              "input_tokens": 12 | null, "output_tokens": 18 | null,
              "cache_read_input_tokens": 6 | null}, ...],
   "tokens": {"input": 51, "output": 47}}

and every span is then matched by id: trace, parent, name, kind, tokens. The short one has
only totals:

  {"spans_by_name": {"chat gpt-4o": 4, "invoke_agent weather-assistant": 1, ...},
   "traces": 1,                                 (optional)
   "tokens": {"input": 339, "output": 65, "cache_read_input": 198}}

and the checks then compare counts by name, check that the stored spans form intact trees
(every parent present, in the same trace, one root per trace) and compare token totals.
`tokens` are what the provider reported over the whole run, by `gen_ai.token.type`
(`cache_read_input` optional: it is no token type of the metric, but MLflow and Phoenix show it).
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

# Operations whose spans are model calls: their usage is what the provider returned.
MODEL_OPERATIONS = {"chat", "text_completion", "generate_content"}

# Phoenix's span kind for each `gen_ai.operation.name` (derived on ingestion).
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
    print("ERROR " + message, flush=True)
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


def operation_of(name):
    """The GenAI operation from a span name: `{operation} {target}` (README: span names)."""
    return name.split(" ", 1)[0]


# ---- The demo's report --------------------------------------------------------------------


class Report:
    def __init__(self, path):
        try:
            with open(path) as f:
                raw = json.load(f)
        except (OSError, ValueError) as error:
            die(f"cannot read the demo's report {path}: {error}")
        tokens = raw.get("tokens")
        if not isinstance(tokens, dict) or not all(isinstance(v, int) for v in tokens.values()):
            die(f"{path}: no token totals ('tokens': {{type: int}}) in the report")
        self.tokens = {k: v for k, v in tokens.items() if k in ("input", "output")}
        self.cache_read = tokens.get("cache_read_input")
        self.spans = raw.get("spans")
        if self.spans is not None:
            self._load_full(path)
        else:
            by_name = raw.get("spans_by_name")
            if not isinstance(by_name, dict) or not by_name:
                die(f"{path}: neither 'spans' nor 'spans_by_name' in the report")
            self.by_name = dict(sorted((k, int(v)) for k, v in by_name.items()))
            self.traces = raw.get("traces")
        self.full = self.spans is not None

    def _load_full(self, path):
        if not isinstance(self.spans, list) or not self.spans:
            die(f"{path}: 'spans' is empty")
        for span in self.spans:
            for key in ("name", "trace_id", "span_id"):
                if not isinstance(span.get(key), str):
                    die(f"{path}: a span without a string {key!r}: {span}")
            span.setdefault("operation", operation_of(span["name"]))
            span["trace_id"] = span["trace_id"].lower()
            span["span_id"] = span["span_id"].lower()
            span["parent_span_id"] = (span.get("parent_span_id") or "").lower() or None
        ids = [s["span_id"] for s in self.spans]
        if len(ids) != len(set(ids)):
            die(f"{path}: the report lists a span id twice")
        self.by_name = dict(sorted(collections.Counter(s["name"] for s in self.spans).items()))
        self.traces = len({s["trace_id"] for s in self.spans})
        if self.cache_read is None and any(s.get("cache_read_input_tokens") is not None for s in self.spans):
            self.cache_read = sum(s.get("cache_read_input_tokens") or 0 for s in self.spans
                                  if s["operation"] in MODEL_OPERATIONS)

    def count(self):
        return sum(self.by_name.values())

    def model_calls(self):
        return sum(n for name, n in self.by_name.items() if operation_of(name) in MODEL_OPERATIONS)

    def describe(self):
        traces = f" in {self.traces} traces" if self.traces else ""
        cache = f", cache_read_input {self.cache_read}" if self.cache_read is not None else ""
        return f"{self.count()} spans{traces} {self.by_name}; tokens {self.tokens}{cache}"


# A span as a receiver stored it.
Stored = collections.namedtuple("Stored", "span_id trace_id parent name attrs")


def compare_structure(receiver, report, stored):
    counts = collections.Counter(s.span_id for s in stored)
    dupes = {k: v for k, v in counts.items() if v > 1}
    check(not dupes, f"{receiver}: no span stored twice" + (f" (duplicates: {dupes})" if dupes else ""))
    got_names = dict(sorted(collections.Counter(s.name for s in stored).items()))
    check(got_names == report.by_name,
          f"{receiver}: spans by name {got_names}" + ("" if got_names == report.by_name
                                                      else f", the demo produced {report.by_name}"))
    if report.full:
        want = {s["span_id"]: s for s in report.spans}
        missing = sorted(set(want) - set(counts))
        extra = sorted(set(counts) - set(want))
        check(not missing, f"{receiver}: every span of the demo arrived ({len(want)} expected, "
                           f"{len(set(counts) & set(want))} found)"
              + (f"; missing {[want[m]['name'] + ' ' + m for m in missing]}" if missing else ""))
        check(not extra, f"{receiver}: no span the demo did not produce" + (f" (extra: {extra})" if extra else ""))
        bad = []
        for s in stored:
            w = want.get(s.span_id)
            if w and (s.trace_id != w["trace_id"] or (s.parent or None) != w["parent_span_id"] or s.name != w["name"]):
                bad.append(f"{s.span_id}: stored ({s.name!r}, trace {s.trace_id}, parent {s.parent}), "
                           f"the demo's ({w['name']!r}, trace {w['trace_id']}, parent {w['parent_span_id']})")
        check(not bad, f"{receiver}: trace ids and parent/child links as the demo made them" + (f": {bad}" if bad else ""))
    else:
        check(len(stored) == report.count(),
              f"{receiver}: {len(stored)} spans stored, the demo produced {report.count()}")
    # Whatever the report: the stored spans form whole trees.
    by_id = {s.span_id: s for s in stored}
    orphans = [f"{s.name} {s.span_id} (parent {s.parent})" for s in stored
               if s.parent and (s.parent not in by_id or by_id[s.parent].trace_id != s.trace_id)]
    roots = collections.Counter(s.trace_id for s in stored if not s.parent)
    traces = {s.trace_id for s in stored}
    multi = {t: n for t, n in roots.items() if n != 1}
    rootless = sorted(traces - set(roots))
    tree_ok = not orphans and not multi and not rootless
    want_traces = report.traces
    check(tree_ok and (want_traces is None or len(traces) == want_traces),
          f"{receiver}: {len(traces)} traces, each one tree with one root "
          f"({', '.join(sorted(s.name for s in stored if not s.parent))})"
          + (f"; orphans {orphans}" if orphans else "") + (f"; roots per trace {multi}" if multi else "")
          + (f"; traces without a root {rootless}" if rootless else "")
          + (f"; the demo made {want_traces} traces" if want_traces is not None and len(traces) != want_traces else ""))


def sum_attr(stored, key, operations=MODEL_OPERATIONS):
    total, bad = 0, []
    for s in stored:
        if operation_of(s.name) not in operations or key not in s.attrs:
            continue
        value = s.attrs[key]
        if type(value) is not int:
            bad.append(f"{s.name} {s.span_id}: {key} = {value!r} ({type(value).__name__}, not int)")
            continue
        total += value
    return total, bad


# ---- Phoenix ------------------------------------------------------------------------------


def phoenix_spans(url, project):
    spans, cursor = [], None
    for _ in range(100):
        query = {"limit": "1000"}
        if cursor:
            query["cursor"] = cursor
        page = http("GET", f"{url}/v1/projects/{urllib.parse.quote(project)}/spans?" + urllib.parse.urlencode(query))
        spans.extend(page.get("data", []))
        cursor = page.get("next_cursor")
        if not cursor:
            return spans
    die("Phoenix: more than 100 pages of spans")


def cmd_phoenix(args):
    report = Report(args.report)
    deadline = time.monotonic() + args.wait
    while True:
        projects = [p["name"] for p in http("GET", f"{args.url}/v1/projects").get("data", [])]
        raw = phoenix_spans(args.url, args.project) if args.project in projects else []
        # Ingestion is asynchronous: wait (bounded) for as many spans as the demo made.
        if len(raw) >= report.count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if not check(args.project in projects, f"phoenix: project {args.project!r} exists"):
        return
    stored = [Stored(s["context"]["span_id"], s["context"]["trace_id"], s.get("parent_id"), s["name"],
                     s.get("attributes", {}) | {"__kind": s.get("span_kind"), "__status": s.get("status_code")})
              for s in raw]
    compare_structure("phoenix", report, stored)

    kinds_bad, kinds_seen = [], collections.Counter()
    for s in stored:
        kind = s.attrs["__kind"]
        kinds_seen[kind] += 1
        want = PHOENIX_KIND.get(s.attrs.get("gen_ai.operation.name") or operation_of(s.name))
        if want and kind != want:
            kinds_bad.append(f"{s.name}: {kind} (expected {want})")
    check(not kinds_bad, f"phoenix: span kinds from gen_ai.operation.name {dict(sorted(kinds_seen.items(), key=str))}"
          + (f"; wrong: {kinds_bad}" if kinds_bad else ""))
    for kind in ("LLM", "TOOL", "AGENT"):
        check(kinds_seen[kind] > 0, f"phoenix: classifies {kinds_seen[kind]} span(s) as {kind}")

    # Tokens: the semconv attributes as we sent them (ints), and Phoenix's own llm.token_count.*.
    pairs = [("input", "gen_ai.usage.input_tokens", "llm.token_count.prompt"),
             ("output", "gen_ai.usage.output_tokens", "llm.token_count.completion")]
    if report.cache_read is not None:
        pairs.append(("cache_read_input", "gen_ai.usage.cache_read.input_tokens",
                      "llm.token_count.prompt_details.cache_read"))
    for kind, semconv, phoenix_key in pairs:
        want = report.cache_read if kind == "cache_read_input" else report.tokens.get(kind, 0)
        got, bad = sum_attr(stored, semconv)
        got_phoenix, bad_phoenix = sum_attr(stored, phoenix_key)
        check(not bad and not bad_phoenix and got == want and got_phoenix == want,
              f"phoenix: {kind} tokens over the model calls: {semconv} {got}, Phoenix's {phoenix_key} "
              f"{got_phoenix}; the provider returned {want}" + (f"; {bad + bad_phoenix}" if bad or bad_phoenix else ""))
    if report.full:
        per_span = []
        for w in report.spans:
            s = next((x for x in stored if x.span_id == w["span_id"]), None)
            for key in ("input_tokens", "output_tokens"):
                if s and w.get(key) is not None and s.attrs.get("gen_ai.usage." + key) != w[key]:
                    per_span.append(f"{w['name']} {w['span_id']}: {key} {s.attrs.get('gen_ai.usage.' + key)!r}, sent {w[key]}")
        check(not per_span, "phoenix: each span's token counts as sent" + (f": {per_span}" if per_span else ""))
        errors = [w for w in report.spans if w.get("status") == "error"]
        stored_by_id = {s.span_id: s for s in stored}
        bad = [w["name"] for w in errors if stored_by_id.get(w["span_id"]) and stored_by_id[w["span_id"]].attrs["__status"] != "ERROR"]
        check(not bad, f"phoenix: the demo's {len(errors)} error spans are ERROR" + (f"; not: {bad}" if bad else ""))
    else:
        n_err = sum(1 for s in stored if s.attrs["__status"] == "ERROR")
        check(n_err > 0, f"phoenix: {n_err} spans have an ERROR status (the rate-limited call, the failing tool)")


# ---- MLflow -------------------------------------------------------------------------------


def b64_to_hex(value):
    return base64.b64decode(value).hex() if value else None


def any_value(value):
    for key in ("string_value", "int_value", "double_value", "bool_value"):
        if key in value:
            v = value[key]
            return int(v) if key == "int_value" else v
    return value


def mlflow_traces(url, experiment):
    traces, token = [], None
    for _ in range(100):
        body = {"locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment}}],
                "max_results": 100}
        if token:
            body["page_token"] = token
        page = http("POST", f"{url}/api/3.0/mlflow/traces/search", body)
        traces.extend(page.get("traces", []))
        token = page.get("next_page_token")
        if not token:
            return traces
    die("MLflow: more than 100 pages of traces")


def cmd_mlflow(args):
    report = Report(args.report)
    want_traces = report.traces
    deadline = time.monotonic() + args.wait
    while True:
        traces = [t for t in mlflow_traces(args.url, args.experiment)
                  if t.get("tags", {}).get("service.name") == args.service]
        if (want_traces and len(traces) >= want_traces) or (not want_traces and traces) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    ids = collections.Counter(t["trace_id"] for t in traces)
    line = f"mlflow: {len(traces)} traces for service.name={args.service!r}"
    if report.full:
        want_ids = sorted("tr-" + t for t in {s["trace_id"] for s in report.spans})
        check(sorted(ids) == want_ids and max(ids.values(), default=0) == 1, line + f", the demo's {len(want_ids)} each once")
    else:
        check(bool(traces) and max(ids.values()) == 1 and (want_traces is None or len(traces) == want_traces),
              line + (f", the demo made {want_traces}" if want_traces is not None else ""))

    stored, types_bad, types_seen, usage_lines, usage_bad = [], [], collections.Counter(), [], []
    totals = collections.Counter()
    for info in traces:
        full = http("GET", f"{args.url}/api/3.0/mlflow/traces/get?" + urllib.parse.urlencode({"trace_id": info["trace_id"]}))["trace"]
        trace_spans = []
        for span in full.get("spans", []):
            attrs = {a["key"]: any_value(a["value"]) for a in span.get("attributes", [])}
            s = Stored(b64_to_hex(span["span_id"]), b64_to_hex(span["trace_id"]),
                       b64_to_hex(span.get("parent_span_id")), span["name"], attrs)
            trace_spans.append(s)
            span_type = attrs.get("mlflow.spanType")
            types_seen[span_type] += 1
            want = MLFLOW_TYPE.get(attrs.get("gen_ai.operation.name") or operation_of(s.name))
            if want and span_type != want:
                types_bad.append(f"{s.name}: {span_type} (expected {want})")
        stored.extend(trace_spans)
        meta = info.get("trace_metadata", {}).get("mlflow.trace.tokenUsage")
        usage = json.loads(meta) if meta else {}
        got = {"input": usage.get("input_tokens", 0), "output": usage.get("output_tokens", 0)}
        if report.cache_read is not None:
            got["cache_read_input"] = usage.get("cache_read_input_tokens", 0)
        totals.update(got)
        # What the provider returned in this trace: the usage on its model-call spans, as
        # the demo reported it (full report) or as the spans carry it (short report).
        if report.full:
            calls = [w for w in report.spans if "tr-" + w["trace_id"] == info["trace_id"] and w["operation"] in MODEL_OPERATIONS]
            want = {"input": sum(w.get("input_tokens") or 0 for w in calls),
                    "output": sum(w.get("output_tokens") or 0 for w in calls)}
            if "cache_read_input" in got:
                want["cache_read_input"] = sum(w.get("cache_read_input_tokens") or 0 for w in calls)
        else:
            want = {"input": sum_attr(trace_spans, "gen_ai.usage.input_tokens")[0],
                    "output": sum_attr(trace_spans, "gen_ai.usage.output_tokens")[0]}
            if "cache_read_input" in got:
                want["cache_read_input"] = sum_attr(trace_spans, "gen_ai.usage.cache_read.input_tokens")[0]
        usage_lines.append(f"{info['trace_id'][:11]}..: {got}")
        if got != want:
            usage_bad.append(f"{info['trace_id']}: MLflow {got}, the model calls' usage {want}")
    compare_structure("mlflow", report, stored)
    check(not types_bad, f"mlflow: span types from gen_ai.operation.name {dict(sorted(types_seen.items(), key=str))}"
          + (f"; wrong: {types_bad}" if types_bad else ""))
    check(bool(traces) and not usage_bad, f"mlflow: per-trace token usage equals the model calls' usage "
          f"({'; '.join(usage_lines)})" + (f": {usage_bad}" if usage_bad else ""))
    want_totals = dict(report.tokens)
    if report.cache_read is not None:
        want_totals["cache_read_input"] = report.cache_read
    got_totals = {k: totals.get(k, 0) for k in want_totals}
    check(got_totals == want_totals, f"mlflow: token usage over the run's traces {got_totals}, "
                                     f"the provider returned {want_totals}")


# ---- VictoriaMetrics ----------------------------------------------------------------------


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
    report = Report(args.report)
    want = {k: v for k, v in report.tokens.items() if v}
    deadline = time.monotonic() + args.wait
    while True:
        vm_force_flush(args.url)
        time.sleep(args.settle)
        got = vm_by_type(args.url, "gen_ai.client.token.usage_sum", args.service)
        if got == want or time.monotonic() > deadline:
            break
    check(got == want, f"victoriametrics: sum by (gen_ai.token.type) of gen_ai.client.token.usage "
                       f"for service.name={args.service!r}: {got}; the demo's totals {want}")
    counts = vm_by_type(args.url, "gen_ai.client.token.usage_count", args.service)
    if report.full:
        calls = [s for s in report.spans if s["operation"] in MODEL_OPERATIONS]
        want_counts = {k: n for k in ("input", "output")
                       if (n := sum(1 for s in calls if s.get(k + "_tokens") is not None))}
        check(counts == want_counts, f"victoriametrics: one token.usage measurement per model call and type "
                                     f"{counts}; model calls with usage {want_counts}")
    else:
        ok = counts and counts.get("input") == counts.get("output") and counts["input"] <= report.model_calls()
        check(bool(ok), f"victoriametrics: token.usage measurements per type {counts}, at most one per model "
                        f"call ({report.model_calls()} calls, some failed)")
    rows = vm_query(args.url, f'sum(gen_ai.client.operation.duration_count{{service.name="{args.service}"}})')
    n = int(float(rows[0]["value"][1])) if rows else 0
    check(n >= report.model_calls(), f"victoriametrics: gen_ai.client.operation.duration has {n} measurements "
                                     f"(at least one per model call: {report.model_calls()})")


# ---- The demo's own words about a failed export -------------------------------------------

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
              + (f": {got[0]!r}" if len(got) == 1 else f" (found {len(got)} such lines; all it said: {said})"))


def cmd_report(args):
    print(Report(args.report).describe())


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
