//! The GenAI client metrics as the OTel SDK exports them: names, units, descriptions, bucket
//! boundaries, attribute sets and values.
//!
//! One SDK meter provider serves the whole binary (`genai-span`'s instruments are
//! process-wide); each test uses a request model of its own and reads only its points.
//!
//! Most tests drive real `#[genai_span]` functions (a call, a stream) under the real tracing
//! pipeline: a call's metrics are recorded when a subscriber wants its span. Exact values
//! and edge cases (bucket placement, invalid values, empty strings, a response model learned
//! mid-stream) drive `genai_span::metrics::__test`, the crate-internal `MetricContext` the
//! expansions record with, directly.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use futures_core::Stream;
use genai_span::metrics::__test::Context;
use genai_span::semconv::metric::{
    GEN_AI_CLIENT_OPERATION_DURATION, GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
    GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, GEN_AI_CLIENT_TOKEN_USAGE,
};
use genai_span::{GenAiChunk, GenAiError, GenAiResponse, TokenUsage, genai_span};
use genai_span_tests::metrics::{HistogramData, Point, pipeline};
use genai_span_tests::{Telemetry, attributes, i, s};
use opentelemetry::Value;

const TOKEN_USAGE: &str = "gen_ai.client.token.usage";
const DURATION: &str = "gen_ai.client.operation.duration";
const TIME_TO_FIRST_CHUNK: &str = "gen_ai.client.operation.time_to_first_chunk";
const TIME_PER_OUTPUT_CHUNK: &str = "gen_ai.client.operation.time_per_output_chunk";
const REQUEST_MODEL: &str = "gen_ai.request.model";

/// The spec's advised boundaries (gen-ai-metrics.md), typed here to check the generated ones.
const TOKEN_BOUNDS: [f64; 14] = [
    1.0,
    4.0,
    16.0,
    64.0,
    256.0,
    1024.0,
    4096.0,
    16_384.0,
    65_536.0,
    262_144.0,
    1_048_576.0,
    4_194_304.0,
    16_777_216.0,
    67_108_864.0,
];
const SECONDS_BOUNDS: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/// An attribute set.
fn attrs(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// The attributes every metric of a call to `request_model` shares.
fn call_attrs(request_model: &str, extra: &[(&str, Value)]) -> BTreeMap<String, Value> {
    let mut all = attrs(&[
        ("gen_ai.operation.name", s("chat")),
        ("gen_ai.provider.name", s("openai")),
        (REQUEST_MODEL, s(request_model)),
        ("server.address", s("api.openai.com")),
        ("server.port", i(443)),
    ]);
    all.extend(attrs(extra));
    all
}

/// A `chat` call to `openai` at `api.openai.com:443`, driven through the hook.
fn chat(request_model: &str) -> Context {
    // A call records on the instruments bound when it starts: bind them first.
    pipeline();
    Context::new(
        "chat",
        Some("openai"),
        Some(request_model),
        Some("api.openai.com"),
        Some(443),
    )
}

/// Bucket counts of `values` under `bounds`: bucket `i` holds `bounds[i-1] < v <= bounds[i]`.
fn buckets(bounds: &[f64], values: &[f64]) -> Vec<u64> {
    let mut counts = vec![0; bounds.len() + 1];
    for value in values {
        counts[bounds.partition_point(|b| b < value)] += 1;
    }
    counts
}

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

fn points_of<'a, T>(data: &'a HistogramData<T>, request_model: &str) -> Vec<&'a Point<T>> {
    data.points_with(REQUEST_MODEL, request_model)
}

fn f64_points(name: &str, request_model: &str) -> Vec<Point<f64>> {
    pipeline()
        .f64_histogram(name)
        .map(|data| {
            points_of(&data, request_model)
                .into_iter()
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn u64_points(name: &str, request_model: &str) -> Vec<Point<u64>> {
    pipeline()
        .u64_histogram(name)
        .map(|data| {
            points_of(&data, request_model)
                .into_iter()
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn usage(input: Option<i64>, output: Option<i64>) -> TokenUsage {
    let mut usage = TokenUsage::default();
    usage.input = input;
    usage.output = output;
    usage
}

// ---- An OpenAI-shaped provider ---------------------------------------------------------

#[derive(Debug, Clone, GenAiResponse)]
struct ChatResponse {
    #[genai(response_model)]
    model: String,
    #[genai(finish_reason)]
    finish_reason: String,
    #[genai(flatten)]
    usage: Option<Usage>,
}

#[derive(Debug, Clone, GenAiResponse, GenAiChunk)]
struct Usage {
    #[genai(input_tokens)]
    input: u32,
    #[genai(output_tokens)]
    output: u32,
}

#[derive(Debug, Clone, GenAiChunk)]
struct ChatChunk {
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    usage: Option<Usage>,
}

#[derive(Debug)]
struct ApiError;

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("rate limited: retry in 3s")
    }
}

impl GenAiError for ApiError {
    fn error_type(&self) -> std::borrow::Cow<'_, str> {
        "rate_limited".into()
    }
}

#[genai_span(chat, provider = "openai", model = model, server_address = "api.openai.com", server_port = 443)]
async fn complete(
    model: &str,
    outcome: Result<ChatResponse, ApiError>,
) -> Result<ChatResponse, ApiError> {
    outcome
}

/// Chunks handed out one per poll, each `gap` after the previous one.
struct Chunks {
    chunks: VecDeque<ChatChunk>,
    gap: Duration,
}

impl Stream for Chunks {
    type Item = Result<ChatChunk, ApiError>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let chunk = self.chunks.pop_front();
        if chunk.is_some() {
            std::thread::sleep(self.gap);
        }
        Poll::Ready(chunk.map(Ok))
    }
}

#[genai_span(chat, stream, provider = "openai", model = model, server_address = "api.openai.com", server_port = 443)]
async fn stream_chat(
    model: &'static str,
    chunks: Vec<ChatChunk>,
    gap: Duration,
) -> Result<impl Stream<Item = Result<ChatChunk, ApiError>> + Send, ApiError> {
    Ok(Chunks {
        chunks: chunks.into(),
        gap,
    })
}

fn poll_once<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut TaskContext::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the test futures finish at once"),
    }
}

fn drain<S: Stream>(stream: S) -> usize {
    let mut stream = pin!(stream);
    let mut items = 0;
    while let Poll::Ready(Some(_)) = stream
        .as_mut()
        .poll_next(&mut TaskContext::from_waker(Waker::noop()))
    {
        items += 1;
    }
    items
}

fn reply(model: &str, usage: Option<Usage>) -> ChatResponse {
    ChatResponse {
        model: model.to_owned(),
        finish_reason: "stop".to_owned(),
        usage,
    }
}

/// Runs `f` under the tracing pipeline, with the metrics pipeline bound first (a call records
/// on the instruments bound when it starts).
fn traced<T>(f: impl FnOnce() -> T) -> T {
    pipeline();
    Telemetry::new().in_scope(f)
}

/// Checks a point whose values are measured, not known in advance: its count, that its
/// buckets add up to it, and a plausible sum.
fn assert_measured(point: &Point<f64>, count: u64, at_least: f64) {
    assert_eq!(point.count, count, "{point:?}");
    assert_eq!(point.bucket_counts.iter().sum::<u64>(), count, "{point:?}");
    assert!(
        point.sum >= at_least && point.sum < 60.0,
        "sum {} should be at least {at_least}",
        point.sum
    );
}

// ---- Through instrumented functions ------------------------------------------------------

#[test]
fn instruments_follow_the_conventions() {
    let model = "model-instruments";
    traced(|| {
        let usage = Usage {
            input: 1,
            output: 1,
        };
        poll_once(complete(model, Ok(reply(model, Some(usage))))).unwrap();
        drain(
            poll_once(stream_chat(
                model,
                vec![chunk(model, None), chunk(model, None)],
                Duration::ZERO,
            ))
            .unwrap(),
        );
    });

    let usage = pipeline().u64_histogram(TOKEN_USAGE).expect("token usage");
    assert_eq!(usage.name, TOKEN_USAGE);
    assert_eq!(usage.unit, "{token}");
    assert_eq!(usage.description, "Number of input and output tokens used.");
    assert_eq!(usage.description, GEN_AI_CLIENT_TOKEN_USAGE.brief);
    let point = points_of(&usage, model)[0].clone();
    assert_eq!(point.bounds, TOKEN_BOUNDS);
    assert_eq!(
        Some(point.bounds.as_slice()),
        GEN_AI_CLIENT_TOKEN_USAGE.bucket_boundaries
    );
    let mut scopes = vec![usage.scope];

    let expected = [
        (DURATION, "GenAI operation duration."),
        (
            TIME_TO_FIRST_CHUNK,
            "Time to receive the first chunk, measured from when the client issues the generation request to when the first chunk is received in the response stream.",
        ),
        (
            TIME_PER_OUTPUT_CHUNK,
            "Time per output chunk, recorded for each chunk received after the first one, measured as the time elapsed from the end of the previous chunk to the end of the current chunk.",
        ),
    ];
    let descriptors = [
        GEN_AI_CLIENT_OPERATION_DURATION,
        GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
        GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
    ];
    for ((name, description), descriptor) in expected.into_iter().zip(descriptors) {
        let data = pipeline().f64_histogram(name).expect(name);
        assert_eq!(data.name, name);
        assert_eq!(data.unit, "s", "{name}");
        assert_eq!(data.description, description);
        assert_eq!(data.description, descriptor.brief);
        let point = points_of(&data, model)[0].clone();
        assert_eq!(point.bounds, SECONDS_BOUNDS, "{name}");
        assert_eq!(Some(point.bounds.as_slice()), descriptor.bucket_boundaries);
        scopes.push(data.scope);
    }

    for scope in scopes {
        assert_eq!(scope.name(), "genai-span");
        assert_eq!(scope.version(), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(scope.schema_url(), Some(genai_span::semconv::SCHEMA_URL));
    }
}

#[test]
fn a_successful_call_records_its_duration_and_each_reported_token_type() {
    let model = "model-success";
    traced(|| {
        let usage = Usage {
            input: 120,
            output: 30,
        };
        let response = reply("model-success-2024-08-06", Some(usage));
        poll_once(complete(model, Ok(response))).unwrap();
    });

    let response = ("gen_ai.response.model", s("model-success-2024-08-06"));
    let mut usage = u64_points(TOKEN_USAGE, model);
    usage.sort_by_key(|p| p.sum);
    assert_eq!(usage.len(), 2, "{usage:?}");
    let (output, input) = (&usage[0], &usage[1]);
    assert_eq!(
        input.attributes,
        call_attrs(
            model,
            &[response.clone(), ("gen_ai.token.type", s("input"))]
        )
    );
    assert_eq!((input.count, input.sum), (1, 120));
    // 64 < 120 <= 256: the fifth bucket.
    assert_eq!(input.bucket_counts[4], 1);
    assert_eq!(input.bucket_counts, buckets(&TOKEN_BOUNDS, &[120.0]));
    assert_eq!(
        output.attributes,
        call_attrs(
            model,
            &[response.clone(), ("gen_ai.token.type", s("output"))]
        )
    );
    assert_eq!((output.count, output.sum), (1, 30));
    assert_eq!(output.bucket_counts, buckets(&TOKEN_BOUNDS, &[30.0]));

    let duration = f64_points(DURATION, model);
    assert_eq!(duration.len(), 1, "{duration:?}");
    assert_eq!(duration[0].attributes, call_attrs(model, &[response]));
    assert_measured(&duration[0], 1, 0.0);

    assert!(f64_points(TIME_TO_FIRST_CHUNK, model).is_empty());
    assert!(f64_points(TIME_PER_OUTPUT_CHUNK, model).is_empty());
}

#[test]
fn usage_the_provider_did_not_report_is_not_recorded() {
    let model = "model-no-usage";
    traced(|| poll_once(complete(model, Ok(reply(model, None)))).unwrap());
    assert!(u64_points(TOKEN_USAGE, model).is_empty());
    let duration = f64_points(DURATION, model);
    assert_eq!(duration.len(), 1, "{duration:?}");
    assert_eq!(
        duration[0].attributes,
        call_attrs(model, &[("gen_ai.response.model", s(model))])
    );
    assert_measured(&duration[0], 1, 0.0);
}

#[test]
fn a_failed_call_records_its_duration_with_error_type_and_no_usage() {
    let model = "model-failure";
    traced(|| poll_once(complete(model, Err(ApiError))).unwrap_err());
    let duration = f64_points(DURATION, model);
    assert_eq!(duration.len(), 1, "{duration:?}");
    assert_eq!(
        duration[0].attributes,
        call_attrs(model, &[("error.type", s("rate_limited"))])
    );
    assert_measured(&duration[0], 1, 0.0);
    assert!(u64_points(TOKEN_USAGE, model).is_empty());
}

fn chunk(model: &str, usage: Option<Usage>) -> ChatChunk {
    ChatChunk {
        model: model.to_owned(),
        usage,
    }
}

#[test]
fn a_stream_records_time_to_first_chunk_and_each_later_chunk() {
    let model = "model-stream";
    let response = "model-stream-2024";
    let gap = Duration::from_millis(15);
    let chunks = vec![
        chunk(response, None),
        chunk(response, None),
        chunk(response, None),
        chunk(
            response,
            Some(Usage {
                input: 10,
                output: 5,
            }),
        ),
    ];
    pipeline();
    let telemetry = Telemetry::new();
    let items = telemetry.in_scope(|| drain(poll_once(stream_chat(model, chunks, gap)).unwrap()));
    assert_eq!(items, 4);

    let expected = call_attrs(model, &[("gen_ai.response.model", s(response))]);
    let first = f64_points(TIME_TO_FIRST_CHUNK, model);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].attributes, expected);
    assert_measured(&first[0], 1, gap.as_secs_f64());

    // One per chunk after the first.
    let per_chunk = f64_points(TIME_PER_OUTPUT_CHUNK, model);
    assert_eq!(per_chunk.len(), 1, "{per_chunk:?}");
    assert_eq!(per_chunk[0].attributes, expected);
    assert_measured(&per_chunk[0], 3, 3.0 * gap.as_secs_f64());
    assert_eq!(
        per_chunk[0].bucket_counts[0], 0,
        "each chunk took at least {gap:?}: none is in the first bucket (<= 10 ms)"
    );

    let mut usage = u64_points(TOKEN_USAGE, model);
    usage.sort_by_key(|p| p.sum);
    assert_eq!(
        usage
            .iter()
            .map(|p| (
                p.attributes["gen_ai.token.type"].as_str().into_owned(),
                p.sum
            ))
            .collect::<Vec<_>>(),
        [("output".to_owned(), 5), ("input".to_owned(), 10)]
    );
    let duration = f64_points(DURATION, model);
    assert_eq!(duration.len(), 1, "{duration:?}");
    assert_eq!(duration[0].attributes, expected);
    assert_measured(&duration[0], 1, 4.0 * gap.as_secs_f64());

    // The duration covers the whole stream, as the span does: both clocks start when the span
    // is created and stop when the stream ends, microseconds apart.
    let span = &telemetry.spans()[0];
    let span_seconds = span
        .end_time
        .duration_since(span.start_time)
        .unwrap()
        .as_secs_f64();
    assert!(
        (duration[0].sum - span_seconds).abs() < 0.002,
        "duration metric {} vs span {span_seconds}",
        duration[0].sum
    );
    let ttfc = match &attributes(span)["gen_ai.response.time_to_first_chunk"] {
        Value::F64(seconds) => *seconds,
        other => panic!("{other:?}"),
    };
    assert_close(first[0].sum, ttfc);
}

// ---- Through the hook: exact values and edge cases ---------------------------------------

#[test]
fn values_land_in_the_advised_buckets() {
    let model = "model-buckets";
    let call = chat(model);
    call.record_duration(0.25, Some("model-buckets-2024"), None);
    call.record_duration(1.5, Some("model-buckets-2024"), None);
    call.record_time_to_first_chunk(0.3, Some("model-buckets-2024"));
    let chunks = [0.005, 0.015, 0.03, 0.03, 0.1];
    for seconds in chunks {
        call.record_time_per_output_chunk(seconds, Some("model-buckets-2024"));
    }

    let duration = &f64_points(DURATION, model)[0];
    assert_eq!(duration.count, 2);
    assert_close(duration.sum, 1.75);
    // 0.16 < 0.25 <= 0.32: the sixth bucket; 1.28 < 1.5 <= 2.56: the ninth.
    assert_eq!(
        (duration.bucket_counts[5], duration.bucket_counts[8]),
        (1, 1)
    );
    assert_eq!(
        duration.bucket_counts,
        buckets(&SECONDS_BOUNDS, &[0.25, 1.5])
    );

    let first = &f64_points(TIME_TO_FIRST_CHUNK, model)[0];
    assert_eq!(first.count, 1);
    assert_close(first.sum, 0.3);
    assert_eq!(first.bucket_counts, buckets(&SECONDS_BOUNDS, &[0.3]));

    let per_chunk = &f64_points(TIME_PER_OUTPUT_CHUNK, model)[0];
    assert_eq!(per_chunk.count, 5);
    assert_close(per_chunk.sum, chunks.iter().sum());
    assert_eq!(
        per_chunk.bucket_counts[..4],
        [1, 1, 2, 0],
        "0.005 <= 0.01 < 0.015 <= 0.02 < 0.03 <= 0.04"
    );
    assert_eq!(per_chunk.bucket_counts, buckets(&SECONDS_BOUNDS, &chunks));
}

#[test]
fn only_the_reported_token_types_are_recorded() {
    let model = "model-input-only";
    let call = chat(model);
    call.record_usage(&TokenUsage::default(), None);
    assert!(u64_points(TOKEN_USAGE, model).is_empty());
    call.record_usage(&usage(Some(7), None), None);
    let points = u64_points(TOKEN_USAGE, model);
    assert_eq!(points.len(), 1, "{points:?}");
    assert_eq!(
        points[0].attributes,
        call_attrs(model, &[("gen_ai.token.type", s("input"))])
    );
    assert_eq!((points[0].count, points[0].sum), (1, 7));
}

#[test]
fn an_empty_error_type_is_recorded_as_other() {
    let model = "model-failure-untyped";
    chat(model).record_duration(0.1, Some(""), Some(""));
    let duration = f64_points(DURATION, model);
    assert_eq!(
        duration[0].attributes,
        call_attrs(model, &[("error.type", s("_OTHER"))])
    );
}

#[test]
fn a_response_model_learned_mid_stream_starts_a_new_attribute_set() {
    let model = "model-stream-late";
    let call = chat(model);
    call.record_time_per_output_chunk(0.01, None);
    call.record_time_per_output_chunk(0.01, Some("late-2024"));
    call.record_time_per_output_chunk(0.01, Some("late-2024"));
    let mut points = f64_points(TIME_PER_OUTPUT_CHUNK, model);
    points.sort_by_key(|p| p.count);
    assert_eq!(points.len(), 2, "{points:?}");
    assert_eq!(points[0].attributes, call_attrs(model, &[]));
    assert_eq!(points[0].count, 1);
    assert_eq!(
        points[1].attributes,
        call_attrs(model, &[("gen_ai.response.model", s("late-2024"))])
    );
    assert_eq!(points[1].count, 2);
}

#[test]
fn absent_and_empty_values_are_left_out() {
    let model = "model-sparse";
    pipeline();
    let call = Context::new("embeddings", None, Some(model), Some(""), None);
    call.record_duration(0.02, None, None);
    let duration = f64_points(DURATION, model);
    assert_eq!(duration.len(), 1, "{duration:?}");
    assert_eq!(
        duration[0].attributes,
        attrs(&[
            ("gen_ai.operation.name", s("embeddings")),
            (REQUEST_MODEL, s(model)),
        ])
    );
}

#[test]
fn invalid_values_record_nothing_and_huge_ones_are_kept() {
    let model = "model-invalid-values";
    let call = chat(model);
    for seconds in [f64::NAN, -1.0, f64::INFINITY, f64::NEG_INFINITY, f64::MIN] {
        call.record_duration(seconds, None, None);
        call.record_time_to_first_chunk(seconds, None);
        call.record_time_per_output_chunk(seconds, None);
    }
    call.record_usage(&usage(Some(-1), Some(i64::MIN)), None);
    assert!(f64_points(DURATION, model).is_empty());
    assert!(f64_points(TIME_TO_FIRST_CHUNK, model).is_empty());
    assert!(f64_points(TIME_PER_OUTPUT_CHUNK, model).is_empty());
    assert!(u64_points(TOKEN_USAGE, model).is_empty());

    call.record_duration(1e9, None, None);
    call.record_usage(&usage(Some(i64::MAX), None), None);
    let duration = f64_points(DURATION, model);
    assert_eq!(duration[0].count, 1);
    assert_eq!(*duration[0].bucket_counts.last().unwrap(), 1);
    let tokens = u64_points(TOKEN_USAGE, model);
    assert_eq!(
        (tokens[0].count, tokens[0].sum),
        (1, i64::MAX.unsigned_abs())
    );
}

#[test]
fn recording_a_chunk_allocates_nothing_in_the_steady_state() {
    let model = "model-allocations";
    let call = chat(model);
    // Binds the instruments, creates the attribute set in the SDK and caches the response
    // model: one-time costs.
    call.record_time_per_output_chunk(0.01, Some("allocations-2024"));
    let info = allocation_counter::measure(|| {
        for _ in 0..1000 {
            call.record_time_per_output_chunk(0.01, Some("allocations-2024"));
        }
    });
    assert_eq!(info.count_total, 0, "per-chunk recording allocated");
    assert_eq!(f64_points(TIME_PER_OUTPUT_CHUNK, model)[0].count, 1001);
}

#[test]
fn a_real_stream_allocates_nothing_per_chunk_in_the_steady_state() {
    let model = "model-allocations-stream";
    let chunks: Vec<ChatChunk> = (0..1002).map(|_| chunk("stream-2024", None)).collect();
    let info = traced(|| {
        let stream = poll_once(stream_chat(model, chunks, Duration::ZERO)).unwrap();
        let mut stream = pin!(stream);
        let mut cx = TaskContext::from_waker(Waker::noop());
        // The first chunk (time to first chunk) and the second (the first per-chunk
        // measurement: the SDK's attribute set, the cached response model) cost once.
        for _ in 0..2 {
            assert!(stream.as_mut().poll_next(&mut cx).is_ready());
        }
        let info = allocation_counter::measure(|| {
            for _ in 0..1000 {
                assert!(matches!(
                    stream.as_mut().poll_next(&mut cx),
                    Poll::Ready(Some(Ok(_)))
                ));
            }
        });
        assert!(matches!(
            stream.as_mut().poll_next(&mut cx),
            Poll::Ready(None)
        ));
        info
    });
    assert_eq!(info.count_total, 0, "a streamed chunk allocated");
    let per_chunk = f64_points(TIME_PER_OUTPUT_CHUNK, model);
    assert_eq!(per_chunk[0].count, 1001);
}
