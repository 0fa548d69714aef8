//! The enabled path: one chat call, instrumented (a) with `#[genai_span]`, (b) by hand with
//! `#[tracing::instrument]` and `Span::current().record(...)`, (c) directly with the
//! OpenTelemetry API, through the pipeline users run (see `common`): tracing-subscriber
//! registry, tracing-opentelemetry with clean spans, the OTel SDK tracer with a simple span
//! processor and an exporter that drops everything. Installed as the global default, as an
//! application does.
//!
//! (a) also records the GenAI client metrics: first with the global meter provider (none is
//! installed: a no-op), then bound to an SDK meter provider with `genai_span::metrics::init`.
//! Content capture is off.
//!
//! Allocations per call are counted by the `allocations` bench (a counting allocator would
//! slow every allocation measured here).
//!
//! `cargo bench -p genai-span --bench enabled`

mod common;

use std::hint::black_box;

use common::{Case, bind_metrics, pipeline, request, sdk_meter_provider};
use criterion::{Criterion, criterion_group, criterion_main};

fn enabled(c: &mut Criterion) {
    let pipeline = pipeline();
    tracing::dispatcher::set_global_default(pipeline.dispatch.clone())
        .expect("no other subscriber in this bench");
    let req = request();
    let tracer = &pipeline.tracer;

    let mut group = c.benchmark_group("enabled");
    for case in Case::ALL {
        group.bench_function(case.name(), |b| {
            b.iter(|| case.run(tracer, black_box(&req)));
        });
    }

    // The same calls of (a), with the metrics recorded by an SDK meter provider.
    let meters = sdk_meter_provider();
    bind_metrics(&meters);
    for case in [Case::GenAi, Case::GenAiAsync, Case::TracingMetrics] {
        group.bench_function(format!("{}_sdk_meter", case.name()), |b| {
            b.iter(|| case.run(tracer, black_box(&req)));
        });
    }
    group.finish();
    drop(meters);
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = enabled
}
criterion_main!(benches);
