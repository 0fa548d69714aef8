//! A driver for `valgrind --tool=callgrind`: runs one case N times, so that instructions per
//! call are `(I(2N) - I(N)) / N`, the set-up cancelling out (`bench/callgrind.sh` does this).
//!
//! ```text
//! profile <case> <n>
//! ```
//!
//! Cases: the cases of `common::Case` (`plain`, `a_genai_span`, `b_tracing_instrument`,
//! `c_otel_api`, their `_async` forms), `stream_<chunks>` (an instrumented stream of that many
//! chunks), `stream_plain_<chunks>` (the same stream, not instrumented), `content_<size>`
//! (capture on, one message of 1KB, 100KB or 10MB). A `disabled_` prefix runs the case with no
//! subscriber; a `_sdk_meter` suffix binds the metrics to an SDK meter provider.
//!
//! Run by `cargo bench` (with `--bench`) it runs every case a few times, as a smoke test.

mod common;

use std::hint::black_box;

use common::{
    Case, bind_metrics, chat_with_content, content_request, drain, pipeline, request,
    sdk_meter_provider, stream_genai, stream_plain,
};
use genai_span::content::{CaptureMode, set_capture_mode};

fn run(case: &str, n: usize, global: bool) -> Result<(), String> {
    let pipeline = pipeline();
    // Without the prefix, the pipeline is installed: the global default, as in the timed
    // benches; scoped for the smoke test, which runs several cases in one process.
    let (case, _default) = match case.strip_prefix("disabled_") {
        Some(case) => (case, None),
        None if global => {
            tracing::dispatcher::set_global_default(pipeline.dispatch.clone())
                .map_err(|error| error.to_string())?;
            (case, None)
        }
        None => (
            case,
            Some(tracing::dispatcher::set_default(&pipeline.dispatch)),
        ),
    };
    let (case, meters) = match case.strip_suffix("_sdk_meter") {
        Some(case) => {
            let meters = sdk_meter_provider();
            bind_metrics(&meters);
            (case, Some(meters))
        }
        None => (case, None),
    };
    let req = request();
    if let Some(chunks) = case.strip_prefix("stream_plain_") {
        let chunks: usize = chunks.parse().map_err(|_| format!("bad case `{case}`"))?;
        (0..n).for_each(|_| {
            black_box(drain(stream_plain(black_box(chunks))));
        });
    } else if let Some(chunks) = case.strip_prefix("stream_") {
        let chunks: usize = chunks.parse().map_err(|_| format!("bad case `{case}`"))?;
        (0..n).for_each(|_| {
            black_box(drain(stream_genai(black_box(chunks))));
        });
    } else if let Some(size) = case.strip_prefix("content_") {
        let len = match size {
            "1KB" => 1_000,
            "100KB" => 100_000,
            "10MB" => 10_000_000,
            _ => return Err(format!("bad case `{case}`")),
        };
        let req = content_request(len, false);
        set_capture_mode(CaptureMode::SpanOnly);
        (0..n).for_each(|_| drop(black_box(chat_with_content(black_box(&req)))));
        set_capture_mode(CaptureMode::NoContent);
    } else {
        let case = Case::from_name(case).ok_or_else(|| format!("unknown case `{case}`"))?;
        (0..n).for_each(|_| case.run(&pipeline.tracer, black_box(&req)));
    }
    drop(meters);
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--bench") {
        // `cargo bench`: check every case runs.
        for case in Case::ALL {
            run(case.name(), 10, false).expect("a known case");
        }
        for case in [
            "disabled_a_genai_span",
            "disabled_stream_10",
            "stream_plain_10",
            "stream_10",
            "content_1KB",
        ] {
            run(case, 10, false).expect("a known case");
        }
        return;
    }
    let (Some(case), Some(n)) = (args.first(), args.get(1).and_then(|n| n.parse().ok())) else {
        eprintln!("usage: profile <case> <n>");
        std::process::exit(2);
    };
    if let Err(error) = run(case, n, true) {
        eprintln!("{error}");
        std::process::exit(2);
    }
}
