//! The disabled path: an annotated function against the same function without the
//! attribute, when no subscriber wants the span.
//!
//! First with no subscriber at all (sync, async polled once with a no-op waker, and a
//! stream), then with a subscriber installed that filters the spans out three ways: by level
//! (the global max level is `WARN`), by target (the callsite's interest is cached as
//! "never"), and by a dynamic filter (interest "sometimes": the subscriber is asked at every
//! call).
//!
//! Before timing, the allocations of 1,000 calls of each annotated case are counted with
//! `allocation-counter` and printed; the bench fails if there is any: the disabled path must
//! not allocate.
//!
//! `cargo bench -p genai-span --bench disabled`

mod common;

use std::hint::black_box;

use common::{
    chat_genai, chat_genai_async, chat_plain, chat_plain_async, chat_tracing, chat_tracing_async,
    drain, poll_once, request, stream_genai, stream_plain,
};
use criterion::{Criterion, criterion_group, criterion_main};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::{Targets, dynamic_filter_fn};
use tracing_subscriber::layer::SubscriberExt as _;

const CALLS: usize = 1000;

/// Counts the allocations of `CALLS` calls of `f` (after one call that registers the
/// callsites, a one-time cost), prints them, and fails if there is any.
fn assert_no_allocations(what: &str, mut f: impl FnMut()) {
    f();
    let info = allocation_counter::measure(|| {
        for _ in 0..CALLS {
            f();
        }
    });
    println!(
        "disabled path: {what}: {} allocations in {CALLS} calls",
        info.count_total
    );
    assert_eq!(
        info.count_total, 0,
        "the disabled path allocated ({what}): {info:?}"
    );
}

/// The annotated calls of the "no subscriber" group.
/// A named call to measure.
type Case = (&'static str, Box<dyn Fn()>);

fn annotated_calls() -> [Case; 3] {
    let req = request();
    let req2 = request();
    [
        (
            "sync",
            Box::new(move || {
                let _ = black_box(chat_genai(black_box(&req)));
            }),
        ),
        (
            "async",
            Box::new(move || {
                let _ = black_box(poll_once(chat_genai_async(black_box(&req2))));
            }),
        ),
        (
            "stream",
            Box::new(|| {
                black_box(drain(stream_genai(black_box(1))));
            }),
        ),
    ]
}

fn no_subscriber(c: &mut Criterion) {
    for (what, call) in annotated_calls() {
        assert_no_allocations(&format!("no subscriber, {what}"), call);
    }
    let req = request();
    let mut group = c.benchmark_group("disabled");
    group.bench_function("sync_plain", |b| b.iter(|| chat_plain(black_box(&req))));
    group.bench_function("sync_genai_span", |b| {
        b.iter(|| chat_genai(black_box(&req)));
    });
    group.bench_function("async_plain", |b| {
        b.iter(|| poll_once(chat_plain_async(black_box(&req))));
    });
    group.bench_function("async_genai_span", |b| {
        b.iter(|| poll_once(chat_genai_async(black_box(&req))));
    });
    // For reference: the hand-written attribute of the enabled bench, in the same case.
    group.bench_function("sync_tracing_instrument", |b| {
        b.iter(|| chat_tracing(black_box(&req)));
    });
    group.bench_function("async_tracing_instrument", |b| {
        b.iter(|| poll_once(chat_tracing_async(black_box(&req))));
    });
    for chunks in [1, 100] {
        group.bench_function(format!("stream_{chunks}_plain"), |b| {
            b.iter(|| drain(stream_plain(black_box(chunks))));
        });
        group.bench_function(format!("stream_{chunks}_genai_span"), |b| {
            b.iter(|| drain(stream_genai(black_box(chunks))));
        });
    }
    group.finish();
}

fn filtered(c: &mut Criterion) {
    let req = request();
    let mut group = c.benchmark_group("filtered");
    group.bench_function("sync_plain", |b| b.iter(|| chat_plain(black_box(&req))));

    let by_level = tracing_subscriber::registry().with(LevelFilter::WARN);
    tracing::subscriber::with_default(by_level, || {
        assert_no_allocations("filtered by level", || {
            let _ = black_box(chat_genai(black_box(&req)));
        });
        group.bench_function("sync_genai_span_level_filter", |b| {
            b.iter(|| chat_genai(black_box(&req)));
        });
    });

    let by_target = tracing_subscriber::registry()
        .with(Targets::new().with_target("my_app", LevelFilter::INFO));
    tracing::subscriber::with_default(by_target, || {
        assert_no_allocations("filtered by target", || {
            let _ = black_box(chat_genai(black_box(&req)));
        });
        group.bench_function("sync_genai_span_target_filter", |b| {
            b.iter(|| chat_genai(black_box(&req)));
        });
    });

    let dynamic = tracing_subscriber::registry().with(dynamic_filter_fn(|meta, _| {
        meta.target().starts_with("my_app")
    }));
    tracing::subscriber::with_default(dynamic, || {
        assert_no_allocations("filtered dynamically", || {
            let _ = black_box(chat_genai(black_box(&req)));
        });
        group.bench_function("sync_genai_span_dynamic_filter", |b| {
            b.iter(|| chat_genai(black_box(&req)));
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = no_subscriber, filtered
}
criterion_main!(benches);
