//! Per-chunk cost of an instrumented stream, against the same stream read directly.
//!
//! The pipeline is the one users run (tracing-subscriber registry, tracing-opentelemetry,
//! the OTel SDK tracer with a span processor and an exporter that drops everything), so the
//! figure includes what the subscriber does with each chunk's records.
//!
//! `cargo bench -p genai-span --bench stream`

use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_core::Stream;
use genai_span::{GenAiChunk, genai_span};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Clone, GenAiChunk)]
struct Chunk {
    #[genai(response_model)]
    model: &'static str,
    #[genai(finish_reason)]
    finish_reason: Option<&'static str>,
    #[genai(output_tokens)]
    output_tokens: Option<u32>,
    /// Carried, not recorded: what a provider's chunk holds besides.
    #[allow(
        dead_code,
        reason = "read by nobody, as in a real chunk the caller ignores"
    )]
    text: &'static str,
}

/// `n` chunks, the last one with a finish reason and usage, as providers send them.
struct Chunks(usize);

impl Stream for Chunks {
    type Item = Chunk;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Chunk>> {
        let chunk = match self.0 {
            0 => return Poll::Ready(None),
            1 => Chunk {
                model: "gpt-4o-2024-08-06",
                finish_reason: Some("stop"),
                output_tokens: Some(128),
                text: "",
            },
            _ => Chunk {
                model: "gpt-4o-2024-08-06",
                finish_reason: None,
                output_tokens: None,
                text: "token",
            },
        };
        self.0 -= 1;
        Poll::Ready(Some(chunk))
    }
}

fn plain(n: usize) -> Chunks {
    Chunks(n)
}

#[genai_span(chat, stream, provider = "openai", model = "gpt-4o")]
fn instrumented(n: usize) -> impl Stream<Item = Chunk> + Unpin {
    Chunks(n)
}

fn drain<S: Stream + Unpin>(mut stream: S) -> usize {
    let mut cx = Context::from_waker(Waker::noop());
    let mut count = 0;
    while let Poll::Ready(Some(item)) = Pin::new(&mut stream).poll_next(&mut cx) {
        black_box(item);
        count += 1;
    }
    count
}

/// Drops every span: the cost measured is the instrumentation's, not an exporter's.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

fn pipeline() -> (SdkTracerProvider, tracing::Dispatch) {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(Discard)
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("bench"))
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false);
    (
        provider,
        tracing::Dispatch::new(tracing_subscriber::registry().with(layer)),
    )
}

fn per_chunk(c: &mut Criterion) {
    let (_provider, dispatch) = pipeline();
    let mut group = c.benchmark_group("stream");
    for chunks in [1_usize, 100, 1000] {
        group.throughput(Throughput::Elements(chunks as u64));
        group.bench_with_input(BenchmarkId::new("plain", chunks), &chunks, |b, &n| {
            b.iter(|| drain(plain(black_box(n))));
        });
        group.bench_with_input(
            BenchmarkId::new("instrumented", chunks),
            &chunks,
            |b, &n| {
                tracing::dispatcher::with_default(&dispatch, || {
                    b.iter(|| drain(instrumented(black_box(n))));
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, per_chunk);
criterion_main!(benches);
