"""What users would pick instead of `#[genai_span]`, timed on the same no-op chat call.

- `plain`: the function alone (the interpreter's call overhead);
- `otel_sdk`: a span made by hand with the OpenTelemetry SDK, carrying the same attributes as
  the Rust benches (operation, provider, request model, server address and port, temperature,
  max tokens, then response model and id, token counts, finish reasons);
- `openllmetry_task`: OpenLLMetry's `@task` (traceloop-sdk), as initialized by
  `Traceloop.init`; its default records the call's input and output as JSON
  (`TRACELOOP_TRACE_CONTENT`), and the same with that turned off;
- `langfuse_observe`: Langfuse's `@observe()` (SDK v3, on OpenTelemetry), which records input
  and output by default.

Every span goes to a no-op exporter through a simple (synchronous) span processor where the
SDK lets us choose, as in the Rust benches. Langfuse builds its own pipeline (a batch span
processor, exporting on a thread of its own): it is given the same no-op exporter, and its API
is pointed at a closed port on 127.0.0.1.

Offline: an audit hook records every socket connection and name lookup the process attempts;
the run fails if any goes elsewhere than the loopback interface. Writes one JSON object (to the
file named by the first argument, else stdout): nanoseconds per call by name, and the
connections seen.
"""

import ipaddress
import json
import os
import socket
import statistics
import sys
import time

# ---- offline, verified ---------------------------------------------------------------------

ATTEMPTS = []


def audit(event, args):
    if event == "socket.connect":
        address = args[1]
        ATTEMPTS.append(("connect", repr(address)))
    elif event == "socket.getaddrinfo":
        ATTEMPTS.append(("getaddrinfo", repr(args[0])))


sys.addaudithook(audit)

# The hook sees connections: one to a closed local port, recorded, then forgotten.
try:
    with socket.create_connection(("127.0.0.1", 9), timeout=1):
        pass
except OSError:
    pass
assert ("connect", repr(("127.0.0.1", 9))) in ATTEMPTS, "the audit hook records no connection"
ATTEMPTS.clear()


def is_loopback(kind, detail):
    text = detail.strip("'\"()")
    host = text.split(",")[0].strip("'\" ")
    if host in ("localhost", "127.0.0.1", "::1", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return kind == "connect" and text.startswith("/")  # a Unix socket


# Before any of them is imported: no telemetry of their own, nothing exported anywhere real.
os.environ.update(
    {
        "TRACELOOP_TELEMETRY": "false",
        "TRACELOOP_BASE_URL": "http://127.0.0.1:9",
        "TRACELOOP_METRICS_ENABLED": "false",
        "TRACELOOP_LOGGING_ENABLED": "false",
        "LANGFUSE_HOST": "http://127.0.0.1:9",
        "LANGFUSE_BASE_URL": "http://127.0.0.1:9",
        "LANGFUSE_PUBLIC_KEY": "pk-lf-bench",
        "LANGFUSE_SECRET_KEY": "sk-lf-bench",
        "LANGFUSE_TRACING_ENVIRONMENT": "bench",
        "LANGFUSE_SAMPLE_RATE": "1.0",
        "OTEL_SDK_DISABLED": "false",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "POSTHOG_DISABLED": "1",
        "DO_NOT_TRACK": "1",
    }
)

from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import (  # noqa: E402
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)


class Discard(SpanExporter):
    """Drops every span, as the Rust benches' exporter does."""

    def export(self, spans):
        return SpanExportResult.SUCCESS

    def shutdown(self):
        pass

    def force_flush(self, timeout_millis=30000):
        return True


# ---- the call ------------------------------------------------------------------------------


class ChatRequest:
    def __init__(self):
        self.model = "gpt-4o"
        self.temperature = 0.7
        self.max_tokens = 256
        self.messages = [{"role": "user", "content": "Weather in Paris?"}]


RESPONSE = {
    "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
    "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Rainy."}}],
    "usage": {"prompt_tokens": 42, "completion_tokens": 7},
}


def provider_body(req):
    return RESPONSE


def plain(req):
    return provider_body(req)


def make_otel_sdk():
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Discard()))
    tracer = provider.get_tracer("bench")

    def otel_sdk(req):
        with tracer.start_as_current_span(
            f"chat {req.model}",
            kind=trace.SpanKind.CLIENT,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": req.model,
                "server.address": "api.openai.com",
                "server.port": 443,
                "gen_ai.request.temperature": req.temperature,
                "gen_ai.request.max_tokens": req.max_tokens,
            },
        ) as span:
            response = provider_body(req)
            span.set_attributes(
                {
                    "gen_ai.response.model": response["model"],
                    "gen_ai.response.id": response["id"],
                    "gen_ai.usage.input_tokens": response["usage"]["prompt_tokens"],
                    "gen_ai.usage.output_tokens": response["usage"]["completion_tokens"],
                    "gen_ai.response.finish_reasons": [c["finish_reason"] for c in response["choices"]],
                }
            )
            return response

    return otel_sdk


def make_openllmetry():
    from traceloop.sdk import Traceloop
    from traceloop.sdk.decorators import task

    # Its own tracer provider, with our exporter, synchronous (`disable_batch`); no
    # auto-instrumentation of other libraries (none is called here anyway).
    Traceloop.init(
        app_name="genai-span-bench",
        exporter=Discard(),
        disable_batch=True,
        telemetry_enabled=False,
        api_endpoint="http://127.0.0.1:9",
        instruments=set(),
    )

    @task(name="chat")
    def openllmetry_task(req):
        return provider_body(req)

    return openllmetry_task


def make_langfuse():
    from langfuse import Langfuse, observe

    # Its own pipeline (a batch span processor), with our exporter in place of its OTLP one.
    client = Langfuse(
        public_key="pk-lf-bench",
        secret_key="sk-lf-bench",
        base_url="http://127.0.0.1:9",
        span_exporter=Discard(),
    )

    @observe()
    def langfuse_observe(req):
        return provider_body(req)

    return langfuse_observe, client


def measure(f, seconds):
    """Nanoseconds per call: the median of 5 rounds of about `seconds / 5` each."""
    req = ChatRequest()
    for _ in range(200):
        f(req)
    start = time.perf_counter_ns()
    calibration = 0
    while time.perf_counter_ns() - start < 50_000_000:
        f(req)
        calibration += 1
    per_call = max((time.perf_counter_ns() - start) / calibration, 1)
    n = max(100, int(seconds / 5 * 1e9 / per_call))
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            f(req)
        rounds.append((time.perf_counter_ns() - t0) / n)
    return statistics.median(rounds), n * 5


def main():
    seconds = float(os.environ.get("ANCHOR_SECONDS", "4"))
    results = {}
    counts = {}

    def run(name, f):
        results[name], counts[name] = measure(f, seconds)
        print(f"{name}: {results[name] / 1000:.2f} us per call", file=sys.stderr)

    run("plain", plain)
    run("otel_sdk", make_otel_sdk())
    openllmetry = make_openllmetry()
    os.environ["TRACELOOP_TRACE_CONTENT"] = "true"
    run("openllmetry_task", openllmetry)
    os.environ["TRACELOOP_TRACE_CONTENT"] = "false"
    run("openllmetry_task_no_content", openllmetry)
    langfuse, client = make_langfuse()
    run("langfuse_observe", langfuse)

    import importlib.metadata as md

    versions = {
        package: md.version(package)
        for package in ("opentelemetry-sdk", "traceloop-sdk", "langfuse")
    }
    elsewhere = [a for a in ATTEMPTS if not is_loopback(*a)]
    out = open(sys.argv[1], "w") if len(sys.argv) > 1 else sys.stdout
    print(
        json.dumps(
            {
                "ns_per_call": results,
                "calls": counts,
                "python": sys.version.split()[0],
                "versions": versions,
                "connections": sorted(set(ATTEMPTS)),
                "not_loopback": elsewhere,
            }
        ),
        file=out,
    )
    out.flush()
    # Langfuse would export at exit (to the closed local port): nothing to send anywhere.
    try:
        client.shutdown()
    except Exception:  # noqa: BLE001 - the closed port refuses, as intended
        pass
    if elsewhere:
        print(f"network access outside loopback: {elsewhere}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
