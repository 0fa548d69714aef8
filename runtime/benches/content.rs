//! Content capture on against off, for prompts of 1 KB, 100 KB and 10 MB, through the
//! pipeline users run (see `common`).
//!
//! The call is the chat call of the enabled bench with `input = req.messages`. Two shapes of
//! prompt: one user message holding the whole text (a document pasted into the prompt), and a
//! conversation of 1 KB messages (a long chat history). With capture off the content argument
//! is not evaluated, so its size cannot matter; with capture on (`SPAN_ONLY`) the messages are
//! serialized, normalized, redacted and bounded at the default 16 KiB per attribute.
//!
//! `cargo bench -p genai-span --bench content`

mod common;

use std::hint::black_box;

use common::{CONTENT_SIZES, chat_with_content, content_request, pipeline, size_name};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use genai_span::content::{CaptureMode, set_capture_mode};

fn content(c: &mut Criterion) {
    let pipeline = pipeline();
    tracing::dispatcher::set_global_default(pipeline.dispatch.clone())
        .expect("no other subscriber in this bench");
    let mut group = c.benchmark_group("content");
    for len in CONTENT_SIZES {
        let single = content_request(len, false);
        let conversation = content_request(len, true);
        group.throughput(Throughput::Bytes(len as u64));
        set_capture_mode(CaptureMode::NoContent);
        group.bench_with_input(
            BenchmarkId::new("off", size_name(len)),
            &single,
            |b, req| {
                b.iter(|| chat_with_content(black_box(req)));
            },
        );
        set_capture_mode(CaptureMode::SpanOnly);
        group.bench_with_input(
            BenchmarkId::new("on_one_message", size_name(len)),
            &single,
            |b, req| b.iter(|| chat_with_content(black_box(req))),
        );
        group.bench_with_input(
            BenchmarkId::new("on_1KB_messages", size_name(len)),
            &conversation,
            |b, req| b.iter(|| chat_with_content(black_box(req))),
        );
        set_capture_mode(CaptureMode::NoContent);
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = content
}
criterion_main!(benches);
