//! Per-chunk cost of an instrumented stream, against the same stream read directly.
//!
//! The pipeline is the one users run (tracing-subscriber registry, tracing-opentelemetry,
//! the OTel SDK tracer with a span processor and an exporter that drops everything; see
//! `common`), so the figure includes what the subscriber does with each chunk's records.
//! The instrumented stream is measured twice: with the global meter provider (none is
//! installed: the metrics are no-ops), then with the metrics bound to an SDK meter provider
//! (`genai_span::metrics::init`), which records `time_per_output_chunk` for every chunk.
//!
//! `cargo bench -p genai-span --bench stream`

mod common;

use std::hint::black_box;

use common::{bind_metrics, drain, pipeline, sdk_meter_provider, stream_genai, stream_plain};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const SIZES: [usize; 3] = [1, 100, 1000];

fn per_chunk(c: &mut Criterion) {
    let pipeline = pipeline();
    tracing::dispatcher::set_global_default(pipeline.dispatch.clone())
        .expect("no other subscriber in this bench");
    let mut group = c.benchmark_group("stream");
    for chunks in SIZES {
        group.throughput(Throughput::Elements(chunks as u64));
        group.bench_with_input(BenchmarkId::new("plain", chunks), &chunks, |b, &n| {
            b.iter(|| drain(stream_plain(black_box(n))));
        });
        group.bench_with_input(
            BenchmarkId::new("instrumented", chunks),
            &chunks,
            |b, &n| b.iter(|| drain(stream_genai(black_box(n)))),
        );
    }
    let meters = sdk_meter_provider();
    bind_metrics(&meters);
    for chunks in SIZES {
        group.throughput(Throughput::Elements(chunks as u64));
        group.bench_with_input(
            BenchmarkId::new("instrumented_sdk_meter", chunks),
            &chunks,
            |b, &n| b.iter(|| drain(stream_genai(black_box(n)))),
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = per_chunk
}
criterion_main!(benches);
