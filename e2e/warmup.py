"""Sends one small OTLP/HTTP trace to a receiver and waits for its answer, so that the
receiver's first-request start-up cost (lazy imports: up to a few seconds on 2 cores) is not
charged to the demo's timed runs. Prints how long the first and a second request took.

Runs with a receiver venv's Python (it needs `opentelemetry-proto`, which both have).
Usage: python warmup.py URL [HEADER=VALUE ...]   e.g. http://127.0.0.1:5000/v1/traces x-mlflow-experiment-id=0
The span's service.name is `e2e-warmup`: the checks look only at their own service names.
"""

import os
import sys
import time
import urllib.error
import urllib.request

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue


def request_body():
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.add(key="service.name", value=AnyValue(string_value="e2e-warmup"))
    resource_spans.resource.attributes.add(key="openinference.project.name",
                                           value=AnyValue(string_value="e2e-warmup"))
    span = resource_spans.scope_spans.add().spans.add()
    span.trace_id = os.urandom(16)
    span.span_id = os.urandom(8)
    span.name = "chat warm-up"
    now = time.time_ns()
    span.start_time_unix_nano = now
    span.end_time_unix_nano = now + 1_000_000
    span.attributes.add(key="gen_ai.operation.name", value=AnyValue(string_value="chat"))
    return request.SerializeToString()


def main():
    url = sys.argv[1]
    headers = {"content-type": "application/x-protobuf"}
    for pair in sys.argv[2:]:
        key, _, value = pair.partition("=")
        headers[key] = value
    took = []
    for _ in range(2):
        start = time.monotonic()
        request = urllib.request.Request(url, data=request_body(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
        except urllib.error.HTTPError as error:
            sys.exit(f"warm-up: {url} answered HTTP {error.code}: {error.read()[:300]!r}")
        except (urllib.error.URLError, OSError) as error:
            sys.exit(f"warm-up: {url}: {error}")
        took.append(time.monotonic() - start)
    print(f"first request {took[0]:.1f} s, second {took[1]:.2f} s")


if __name__ == "__main__":
    main()
