//! What the benchmarks share: the export pipeline users run, with an exporter that drops
//! everything, and one chat call instrumented three ways.
//!
//! - (a) `#[genai_span]`;
//! - (b) the best hand-written `tracing` equivalent: `#[tracing::instrument(skip_all,
//!   fields(... = Empty))]`, then `Span::current().record(...)` for the response and
//!   `set_attribute` for the `string[]` finish reasons;
//! - (c) the same span made directly with the OpenTelemetry API, no `tracing`.
//!
//! All three record the same attributes: operation, provider, request model, server address
//! and port, temperature, max tokens, response model and id, input and output tokens, finish
//! reasons (`string[]`), span name `chat gpt-4o`, kind client. The provider body is the same
//! trivial function, so the differences are the instrumentation's.
#![allow(
    clippy::unnecessary_wraps,
    clippy::unused_async,
    reason = "the benched functions have the shape of a real provider call: async, returning a Result"
)]
#![allow(
    dead_code,
    reason = "each bench binary uses the part of this module it measures"
)]

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use futures_core::Stream;
use genai_span::{GenAiChunk, GenAiResponse, genai_span};
use opentelemetry::metrics::{Histogram, Meter, MeterProvider as _};
use opentelemetry::trace::{Span as _, SpanKind, Tracer as _, TracerProvider as _};
use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider, SpanData, SpanExporter};
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// Drops every span: the cost measured is the instrumentation's, not an exporter's.
#[derive(Debug)]
pub(crate) struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

/// The pipeline users run, minus the network: the SDK tracer provider with a simple span
/// processor (spans are handed to the exporter on the thread that ends them, so the cost is
/// measured on the calling thread) and the exporter above; the `tracing-opentelemetry` layer
/// with clean spans (no location, thread, target or inactivity fields) on a
/// `tracing-subscriber` registry.
pub(crate) struct Pipeline {
    pub(crate) provider: SdkTracerProvider,
    pub(crate) tracer: SdkTracer,
    pub(crate) dispatch: tracing::Dispatch,
}

pub(crate) fn pipeline() -> Pipeline {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(Discard)
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("bench"))
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false);
    Pipeline {
        tracer: provider.tracer("bench-direct"),
        dispatch: tracing::Dispatch::new(tracing_subscriber::registry().with(layer)),
        provider,
    }
}

/// An SDK meter provider as applications install it: a periodic reader (the default 60 s
/// interval, on its own thread) exporting to memory. Between exports, measurements are
/// aggregated in memory: that is the cost measured.
pub(crate) fn sdk_meter_provider() -> SdkMeterProvider {
    SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(InMemoryMetricExporter::default()).build())
        .build()
}

/// What a chat client sends.
#[derive(Debug)]
pub(crate) struct ChatRequest {
    pub(crate) model: String,
    pub(crate) temperature: f64,
    pub(crate) max_tokens: Option<u32>,
}

pub(crate) fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-4o".to_owned(),
        temperature: 0.7,
        max_tokens: Some(256),
    }
}

/// What the provider answers. Borrowed strings: the body allocates nothing, so the
/// allocations counted are the instrumentation's.
#[derive(Debug, GenAiResponse)]
pub(crate) struct ChatResponse {
    #[genai(response_id)]
    pub(crate) id: &'static str,
    #[genai(response_model)]
    pub(crate) model: &'static str,
    #[genai(finish_reason)]
    pub(crate) finish_reason: &'static str,
    #[genai(input_tokens)]
    pub(crate) input_tokens: u32,
    #[genai(output_tokens)]
    pub(crate) output_tokens: u32,
}

#[derive(Debug)]
pub(crate) struct ApiError;

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("rate limited")
    }
}

/// The provider's work: trivial, and opaque to the optimizer.
#[inline(never)]
pub(crate) fn provider_body(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    black_box(req);
    Ok(black_box(ChatResponse {
        id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        model: "gpt-4o-2024-08-06",
        finish_reason: "stop",
        input_tokens: 42,
        output_tokens: 7,
    }))
}

// ---- the baseline ------------------------------------------------------------------------

/// The function with no instrumentation at all.
#[inline(never)]
pub(crate) fn chat_plain(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    provider_body(req)
}

#[inline(never)]
pub(crate) async fn chat_plain_async(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    provider_body(req)
}

// ---- (a) #[genai_span] ---------------------------------------------------------------------

#[inline(never)]
#[genai_span(chat, provider = "openai", model = req.model, server_address = "api.openai.com",
    server_port = 443, temperature = req.temperature, max_tokens = req.max_tokens)]
pub(crate) fn chat_genai(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    provider_body(req)
}

#[inline(never)]
#[genai_span(chat, provider = "openai", model = req.model, server_address = "api.openai.com",
    server_port = 443, temperature = req.temperature, max_tokens = req.max_tokens)]
pub(crate) async fn chat_genai_async(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    provider_body(req)
}

// ---- (b) hand-written tracing ----------------------------------------------------------------

/// Records the response on the current span, as a hand-written instrumentation does: one
/// `record` per field, `set_attribute` for the `string[]`.
fn record_by_hand(response: &ChatResponse) {
    let span = tracing::Span::current();
    span.record("gen_ai.response.model", response.model);
    span.record("gen_ai.response.id", response.id);
    span.record(
        "gen_ai.usage.input_tokens",
        i64::from(response.input_tokens),
    );
    span.record(
        "gen_ai.usage.output_tokens",
        i64::from(response.output_tokens),
    );
    span.set_attribute(
        "gen_ai.response.finish_reasons",
        Value::Array(Array::String(vec![StringValue::from(
            response.finish_reason.to_owned(),
        )])),
    );
}

#[inline(never)]
#[tracing::instrument(skip_all, fields(
    otel.name = format!("chat {}", req.model),
    otel.kind = "client",
    gen_ai.operation.name = "chat",
    gen_ai.provider.name = "openai",
    gen_ai.request.model = req.model.as_str(),
    server.address = "api.openai.com",
    server.port = 443_i64,
    gen_ai.request.temperature = req.temperature,
    gen_ai.request.max_tokens = req.max_tokens.map(i64::from),
    gen_ai.response.model = Empty,
    gen_ai.response.id = Empty,
    gen_ai.usage.input_tokens = Empty,
    gen_ai.usage.output_tokens = Empty,
))]
pub(crate) fn chat_tracing(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    let result = provider_body(req);
    if let Ok(response) = &result {
        record_by_hand(response);
    }
    result
}

#[inline(never)]
#[tracing::instrument(skip_all, fields(
    otel.name = format!("chat {}", req.model),
    otel.kind = "client",
    gen_ai.operation.name = "chat",
    gen_ai.provider.name = "openai",
    gen_ai.request.model = req.model.as_str(),
    server.address = "api.openai.com",
    server.port = 443_i64,
    gen_ai.request.temperature = req.temperature,
    gen_ai.request.max_tokens = req.max_tokens.map(i64::from),
    gen_ai.response.model = Empty,
    gen_ai.response.id = Empty,
    gen_ai.usage.input_tokens = Empty,
    gen_ai.usage.output_tokens = Empty,
))]
pub(crate) async fn chat_tracing_async(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    let result = provider_body(req);
    if let Ok(response) = &result {
        record_by_hand(response);
    }
    result
}

/// (b) declaring the same fields as (a): every key a chat response may record, and the error.
#[inline(never)]
#[tracing::instrument(skip_all, fields(
    otel.name = format!("chat {}", req.model),
    otel.kind = "client",
    gen_ai.operation.name = "chat",
    gen_ai.provider.name = "openai",
    gen_ai.request.model = req.model.as_str(),
    server.address = "api.openai.com",
    server.port = 443_i64,
    gen_ai.request.temperature = req.temperature,
    gen_ai.request.max_tokens = req.max_tokens.map(i64::from),
    gen_ai.response.model = Empty,
    gen_ai.response.id = Empty,
    gen_ai.response.finish_reasons = Empty,
    gen_ai.usage.input_tokens = Empty,
    gen_ai.usage.output_tokens = Empty,
    gen_ai.usage.cache_read.input_tokens = Empty,
    gen_ai.usage.cache_creation.input_tokens = Empty,
    gen_ai.usage.reasoning.output_tokens = Empty,
    genai_span.response.tool_call.count = Empty,
    error.type = Empty,
    otel.status_description = Empty,
))]
pub(crate) fn chat_tracing_all_fields(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    let result = provider_body(req);
    if let Ok(response) = &result {
        record_by_hand(response);
    }
    result
}

/// The GenAI client metrics as a hand-written instrumentation records them: the two
/// histograms (a) records for a call that is not streamed, bound once.
#[derive(Debug)]
pub(crate) struct HandMetrics {
    token_usage: Histogram<u64>,
    duration: Histogram<f64>,
}

impl HandMetrics {
    fn new(meter: &Meter) -> Self {
        HandMetrics {
            token_usage: meter.u64_histogram("gen_ai.client.token.usage").build(),
            duration: meter
                .f64_histogram("gen_ai.client.operation.duration")
                .build(),
        }
    }
}

/// The hand-written instruments: from the global meter provider until [`bind_metrics`].
static HAND_METRICS: RwLock<Option<Arc<HandMetrics>>> = RwLock::new(None);

fn hand_metrics() -> Arc<HandMetrics> {
    if let Some(bound) = HAND_METRICS.read().expect("not poisoned").as_ref() {
        return Arc::clone(bound);
    }
    let bound = Arc::new(HandMetrics::new(&opentelemetry::global::meter("bench")));
    Arc::clone(
        HAND_METRICS
            .write()
            .expect("not poisoned")
            .get_or_insert(bound),
    )
}

/// Binds the metrics of (a) and of (b) with metrics to `provider`.
pub(crate) fn bind_metrics(provider: &SdkMeterProvider) {
    genai_span::metrics::init(provider);
    *HAND_METRICS.write().expect("not poisoned") =
        Some(Arc::new(HandMetrics::new(&provider.meter("bench"))));
}

/// (b) with the metrics (a) records: the span of (b), then token usage (input, output) and
/// the duration, with the attributes the conventions list (literals borrowed, the rest
/// copied).
#[inline(never)]
pub(crate) fn chat_tracing_metrics(req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    let started = Instant::now();
    let result = chat_tracing(req);
    let metrics = hand_metrics();
    let mut attributes = vec![
        KeyValue::new("gen_ai.operation.name", "chat"),
        KeyValue::new("gen_ai.provider.name", "openai"),
        KeyValue::new("gen_ai.request.model", req.model.clone()),
        KeyValue::new("server.address", "api.openai.com"),
        KeyValue::new("server.port", 443_i64),
    ];
    match &result {
        Ok(response) => {
            attributes.push(KeyValue::new(
                "gen_ai.response.model",
                response.model.to_owned(),
            ));
            attributes.push(KeyValue::new("gen_ai.token.type", "input"));
            metrics
                .token_usage
                .record(u64::from(response.input_tokens), &attributes);
            attributes.pop();
            attributes.push(KeyValue::new("gen_ai.token.type", "output"));
            metrics
                .token_usage
                .record(u64::from(response.output_tokens), &attributes);
            attributes.pop();
        }
        Err(_) => attributes.push(KeyValue::new("error.type", "ApiError")),
    }
    metrics
        .duration
        .record(started.elapsed().as_secs_f64(), &attributes);
    result
}

// ---- (c) the OpenTelemetry API directly ----------------------------------------------------

#[inline(never)]
pub(crate) fn chat_otel(tracer: &SdkTracer, req: &ChatRequest) -> Result<ChatResponse, ApiError> {
    let mut span = tracer
        .span_builder(format!("chat {}", req.model))
        .with_kind(SpanKind::Client)
        .with_attributes([
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.provider.name", "openai"),
            KeyValue::new("gen_ai.request.model", req.model.clone()),
            KeyValue::new("server.address", "api.openai.com"),
            KeyValue::new("server.port", 443_i64),
            KeyValue::new("gen_ai.request.temperature", req.temperature),
        ])
        .start_with_context(tracer, &opentelemetry::Context::current());
    if let Some(max_tokens) = req.max_tokens {
        span.set_attribute(KeyValue::new(
            "gen_ai.request.max_tokens",
            i64::from(max_tokens),
        ));
    }
    let result = provider_body(req);
    if let Ok(response) = &result {
        span.set_attributes([
            KeyValue::new("gen_ai.response.model", response.model),
            KeyValue::new("gen_ai.response.id", response.id),
            KeyValue::new(
                "gen_ai.usage.input_tokens",
                i64::from(response.input_tokens),
            ),
            KeyValue::new(
                "gen_ai.usage.output_tokens",
                i64::from(response.output_tokens),
            ),
            KeyValue::new(
                "gen_ai.response.finish_reasons",
                Value::Array(Array::String(vec![StringValue::from(
                    response.finish_reason,
                )])),
            ),
        ]);
    }
    span.end();
    result
}

// ---- helpers ---------------------------------------------------------------------------------

/// Polls a future once with a no-op waker; the benchmarked futures finish at once.
pub(crate) fn poll_once<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmarked futures finish at once"),
    }
}

/// One of the measured calls, by name (the names the tables use).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Case {
    Plain,
    PlainAsync,
    GenAi,
    GenAiAsync,
    Tracing,
    TracingAsync,
    TracingAllFields,
    TracingMetrics,
    Otel,
}

impl Case {
    pub(crate) const ALL: [Case; 9] = [
        Case::Plain,
        Case::PlainAsync,
        Case::GenAi,
        Case::GenAiAsync,
        Case::Tracing,
        Case::TracingAsync,
        Case::TracingAllFields,
        Case::TracingMetrics,
        Case::Otel,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Case::Plain => "plain",
            Case::PlainAsync => "plain_async",
            Case::GenAi => "a_genai_span",
            Case::GenAiAsync => "a_genai_span_async",
            Case::Tracing => "b_tracing_instrument",
            Case::TracingAsync => "b_tracing_instrument_async",
            Case::TracingAllFields => "b_tracing_instrument_all_fields",
            Case::TracingMetrics => "b_tracing_instrument_metrics",
            Case::Otel => "c_otel_api",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|case| case.name() == name)
    }

    /// One call.
    #[inline]
    pub(crate) fn run(self, tracer: &SdkTracer, req: &ChatRequest) {
        let result = match self {
            Case::Plain => chat_plain(req),
            Case::PlainAsync => poll_once(chat_plain_async(req)),
            Case::GenAi => chat_genai(req),
            Case::GenAiAsync => poll_once(chat_genai_async(req)),
            Case::Tracing => chat_tracing(req),
            Case::TracingAsync => poll_once(chat_tracing_async(req)),
            Case::TracingAllFields => chat_tracing_all_fields(req),
            Case::TracingMetrics => chat_tracing_metrics(req),
            Case::Otel => chat_otel(tracer, req),
        };
        let _ = black_box(result);
    }
}

/// Criterion's settings for every bench here: 1 s of warm-up and 3 s of measurement per
/// function keep `cargo bench` of everything within a few minutes.
pub(crate) fn criterion() -> criterion::Criterion {
    criterion::Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
}

// ---- streams -------------------------------------------------------------------------------

/// A streamed chunk, as providers send them.
#[derive(Clone, Debug, GenAiChunk)]
pub(crate) struct Chunk {
    #[genai(response_model)]
    pub(crate) model: &'static str,
    #[genai(finish_reason)]
    pub(crate) finish_reason: Option<&'static str>,
    #[genai(output_tokens)]
    pub(crate) output_tokens: Option<u32>,
    /// Carried, not recorded: what a provider's chunk holds besides.
    pub(crate) text: &'static str,
}

/// `n` chunks, the last one with a finish reason and usage, as providers send them.
#[derive(Debug)]
pub(crate) struct Chunks(pub(crate) usize);

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

/// The stream with no instrumentation.
#[inline(never)]
pub(crate) fn stream_plain(n: usize) -> Chunks {
    Chunks(n)
}

/// The same stream, instrumented.
#[inline(never)]
#[genai_span(chat, stream, provider = "openai", model = "gpt-4o")]
pub(crate) fn stream_genai(n: usize) -> impl Stream<Item = Chunk> + Unpin {
    Chunks(n)
}

/// Reads a stream to its end with a no-op waker; returns how many items it yielded.
pub(crate) fn drain<S: Stream + Unpin>(mut stream: S) -> usize {
    let mut cx = Context::from_waker(Waker::noop());
    let mut count = 0;
    while let Poll::Ready(Some(item)) = Pin::new(&mut stream).poll_next(&mut cx) {
        black_box(item);
        count += 1;
    }
    count
}

// ---- content capture ---------------------------------------------------------------------

/// An OpenAI-shaped message.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Message {
    pub(crate) role: &'static str,
    pub(crate) content: String,
}

#[derive(Debug)]
pub(crate) struct ContentRequest {
    pub(crate) inner: ChatRequest,
    pub(crate) messages: Vec<Message>,
}

#[inline(never)]
#[genai_span(chat, provider = "openai", model = req.inner.model, server_address = "api.openai.com",
    server_port = 443, temperature = req.inner.temperature, max_tokens = req.inner.max_tokens,
    input = req.messages)]
pub(crate) fn chat_with_content(req: &ContentRequest) -> Result<ChatResponse, ApiError> {
    provider_body(&req.inner)
}

/// `len` bytes of English-like text (no secrets for the redactor to find).
pub(crate) fn text(len: usize) -> String {
    const WORDS: &str = "the weather in paris is mild in spring and the museums are open late on \
        thursdays so plan a walk along the river before dinner and bring an umbrella just in case ";
    WORDS.chars().cycle().take(len).collect()
}

const KB: usize = 1000;

/// One system message, then either one user message of `len` bytes or `len / 1 KB` user and
/// assistant messages of 1 KB each.
pub(crate) fn content_request(len: usize, conversation: bool) -> ContentRequest {
    let mut messages = vec![Message {
        role: "system",
        content: "You are a helpful assistant.".to_owned(),
    }];
    if conversation {
        let turn = text(KB);
        for i in 0..len / KB {
            messages.push(Message {
                role: if i % 2 == 0 { "user" } else { "assistant" },
                content: turn.clone(),
            });
        }
    } else {
        messages.push(Message {
            role: "user",
            content: text(len),
        });
    }
    ContentRequest {
        inner: request(),
        messages,
    }
}

pub(crate) fn size_name(len: usize) -> &'static str {
    match len {
        1_000 => "1KB",
        100_000 => "100KB",
        _ => "10MB",
    }
}

pub(crate) const CONTENT_SIZES: [usize; 3] = [KB, 100 * KB, 10_000 * KB];
