//! Allocations per call of every case the timed benches measure, counted with
//! `allocation-counter` (a counting global allocator, kept out of the timed benches so that it
//! does not slow the allocations they time). Prints one table; fails if the disabled path
//! allocates.
//!
//! Each figure is the count over 1,000 calls divided by 1,000, after calls that register the
//! callsites and bind the instruments (one-time costs). Per-chunk figures of a stream are
//! `(allocations(101 chunks) - allocations(1 chunk)) / 100`.
//!
//! `cargo bench -p genai-span --bench allocations`

mod common;

use std::hint::black_box;

use allocation_counter::AllocationInfo;
use common::{
    CONTENT_SIZES, Case, bind_metrics, chat_genai, chat_with_content, content_request, drain,
    pipeline, request, sdk_meter_provider, size_name, stream_genai,
};
use genai_span::content::{CaptureMode, set_capture_mode};

const CALLS: u64 = 1000;

/// Allocations and bytes of one call of `f`, averaged over `CALLS` calls.
fn per_call(mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..10 {
        f();
    }
    let info: AllocationInfo = allocation_counter::measure(|| {
        for _ in 0..CALLS {
            f();
        }
    });
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts far below 2^52; printed rounded"
    )]
    let figures = (
        info.count_total as f64 / CALLS as f64,
        info.bytes_total as f64 / CALLS as f64,
    );
    figures
}

fn row(name: &str, (count, bytes): (f64, f64)) {
    println!("| {name} | {count:.1} | {bytes:.0} |");
}

fn main() {
    let req = request();

    // No subscriber: must be zero.
    let disabled = per_call(|| drop(black_box(chat_genai(black_box(&req)))));

    let pipeline = pipeline();
    tracing::dispatcher::set_global_default(pipeline.dispatch.clone())
        .expect("no other subscriber in this bench");
    let tracer = &pipeline.tracer;

    println!("| case | allocations per call | bytes per call |");
    println!("|---|---|---|");
    row("disabled: a_genai_span, no subscriber", disabled);
    assert!(disabled.0 == 0.0, "the disabled path allocated");

    for case in Case::ALL {
        row(case.name(), per_call(|| case.run(tracer, black_box(&req))));
    }

    let stream = |chunks: usize| {
        per_call(|| {
            black_box(drain(stream_genai(chunks)));
        })
    };
    let per_chunk =
        |one: (f64, f64), many: (f64, f64)| ((many.0 - one.0) / 100.0, (many.1 - one.1) / 100.0);
    let (one, many) = (stream(1), stream(101));
    row("stream: per call (1 chunk)", one);
    row("stream: per further chunk", per_chunk(one, many));

    for len in CONTENT_SIZES {
        let single = content_request(len, false);
        let conversation = content_request(len, true);
        set_capture_mode(CaptureMode::NoContent);
        row(
            &format!("content off, {}", size_name(len)),
            per_call(|| drop(black_box(chat_with_content(black_box(&single))))),
        );
        set_capture_mode(CaptureMode::SpanOnly);
        row(
            &format!("content on, one message of {}", size_name(len)),
            per_call(|| drop(black_box(chat_with_content(black_box(&single))))),
        );
        row(
            &format!("content on, {} in 1KB messages", size_name(len)),
            per_call(|| drop(black_box(chat_with_content(black_box(&conversation))))),
        );
        set_capture_mode(CaptureMode::NoContent);
    }

    let meters = sdk_meter_provider();
    bind_metrics(&meters);
    for case in [Case::GenAi, Case::GenAiAsync, Case::TracingMetrics] {
        row(
            &format!("{}_sdk_meter", case.name()),
            per_call(|| case.run(tracer, black_box(&req))),
        );
    }
    let (one, many) = (stream(1), stream(101));
    row("stream, SDK meter: per call (1 chunk)", one);
    row("stream, SDK meter: per further chunk", per_chunk(one, many));
}
