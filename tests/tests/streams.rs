//! `#[genai_span(chat, stream, ...)]`: streamed responses driven by real async producers,
//! read back through the OTel SDK's exporter.

use std::future::poll_fn;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use genai_span::{GenAiChunk, GenAiError, genai_span};
use genai_span_tests::{Telemetry, attributes, error_description, i, s, strings};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use tokio::sync::mpsc;
use tracing::instrument::WithSubscriber as _;

// ---- OpenAI-shaped chunks ------------------------------------------------------------

#[derive(Debug, Clone, GenAiChunk)]
struct ChatChunk {
    #[genai(response_id)]
    id: String,
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    choices: Vec<ChunkChoice>,
    #[genai(flatten)]
    usage: Option<Usage>,
}

#[derive(Debug, Clone, GenAiChunk)]
struct ChunkChoice {
    #[genai(flatten)]
    delta: Delta,
    #[genai(finish_reason)]
    finish_reason: Option<String>,
}

#[derive(Debug, Clone, GenAiChunk)]
struct Delta {
    content: Option<String>,
    #[genai(flatten)]
    tool_calls: Vec<ToolCallDelta>,
}

#[derive(Debug, Clone, GenAiChunk)]
#[allow(
    dead_code,
    reason = "the shape of OpenAI's deltas; only the id is recorded"
)]
struct ToolCallDelta {
    index: u32,
    /// Only the first delta of a call carries its id.
    #[genai(tool_call_id)]
    id: Option<String>,
    arguments: String,
}

#[derive(Debug, Clone, GenAiChunk)]
#[allow(clippy::struct_field_names, reason = "OpenAI's field names")]
struct Usage {
    #[genai(input_tokens)]
    prompt_tokens: u32,
    #[genai(output_tokens)]
    completion_tokens: u32,
}

#[derive(Debug)]
struct StreamError(&'static str);

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl GenAiError for StreamError {
    fn error_type(&self) -> std::borrow::Cow<'_, str> {
        "stream_error".into()
    }
}

fn text(content: &str) -> ChatChunk {
    ChatChunk {
        id: "chatcmpl-9".into(),
        model: "gpt-4o-2024-08-06".into(),
        choices: vec![ChunkChoice {
            delta: Delta {
                content: Some(content.into()),
                tool_calls: vec![],
            },
            finish_reason: None,
        }],
        usage: None,
    }
}

fn finish(reason: &str) -> ChatChunk {
    let mut chunk = text("");
    chunk.choices[0].finish_reason = Some(reason.into());
    chunk
}

fn usage(input: u32, output: u32) -> ChatChunk {
    let mut chunk = text("");
    chunk.choices.clear();
    chunk.usage = Some(Usage {
        prompt_tokens: input,
        completion_tokens: output,
    });
    chunk
}

fn tool_delta(index: u32, id: Option<&str>, arguments: &str) -> ChatChunk {
    let mut chunk = text("");
    chunk.choices[0].delta = Delta {
        content: None,
        tool_calls: vec![ToolCallDelta {
            index,
            id: id.map(str::to_owned),
            arguments: arguments.into(),
        }],
    };
    chunk
}

// ---- A real async producer: a tokio task sending over a channel --------------------------

type Item = Result<ChatChunk, StreamError>;

/// The receiving end of a channel, as a stream.
struct Receiver(mpsc::Receiver<Item>);

impl Stream for Receiver {
    type Item = Item;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        self.0.poll_recv(cx)
    }
}

/// Spawns a producer that sends `items`, each after `gap`.
fn produce(items: Vec<Item>, gap: Duration) -> Receiver {
    let (sender, receiver) = mpsc::channel(4);
    tokio::spawn(async move {
        for item in items {
            tokio::time::sleep(gap).await;
            if sender.send(item).await.is_err() {
                return; // The consumer went away.
            }
        }
    });
    Receiver(receiver)
}

struct Request {
    model: String,
    script: Vec<Item>,
}

#[derive(Debug)]
struct ApiError;

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("401 Unauthorized")
    }
}

#[genai_span(chat, stream, provider = "openai", model = req.model)]
async fn stream_chat(req: Request) -> Result<impl Stream<Item = Item> + Send, ApiError> {
    if req.script.is_empty() {
        return Err(ApiError);
    }
    tokio::time::sleep(Duration::from_millis(5)).await; // The request, before the first byte.
    Ok(produce(req.script, Duration::from_millis(2)))
}

async fn next<S: Stream>(mut stream: Pin<&mut S>) -> Option<S::Item> {
    poll_fn(|cx| stream.as_mut().poll_next(cx)).await
}

fn run<T>(telemetry: &Telemetry, future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(future.with_subscriber(telemetry.dispatch()))
}

/// Drains a stream, returning the chunks' text.
async fn drain<S: Stream<Item = Item>>(stream: S) -> Vec<Result<String, String>> {
    let mut stream = pin!(stream);
    let mut seen = Vec::new();
    while let Some(item) = next(stream.as_mut()).await {
        seen.push(match item {
            Ok(chunk) => Ok(chunk
                .choices
                .first()
                .and_then(|c| c.delta.content.clone())
                .unwrap_or_default()),
            Err(error) => Err(error.to_string()),
        });
    }
    seen
}

fn seconds(value: &Value) -> f64 {
    match value {
        Value::F64(seconds) => *seconds,
        other => panic!("expected a double, found {other:?}"),
    }
}

#[test]
fn a_fully_consumed_stream_records_its_chunks_once_it_ends() {
    let telemetry = Telemetry::new();
    let script = vec![
        Ok(text("Hel")),
        Ok(text("lo")),
        Ok(finish("stop")),
        Ok(usage(12, 3)),
    ];
    let seen = run(&telemetry, async {
        let stream = stream_chat(Request {
            model: "gpt-4o".into(),
            script,
        })
        .await
        .unwrap();
        drain(stream).await
    });
    assert_eq!(
        seen,
        [
            Ok("Hel".into()),
            Ok("lo".into()),
            Ok(String::new()),
            Ok(String::new())
        ],
        "chunks pass through unchanged"
    );

    let span = telemetry.span("chat gpt-4o");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    let attrs = attributes(&span);
    let ttfc = seconds(&attrs["gen_ai.response.time_to_first_chunk"]);
    let duration = span
        .end_time
        .duration_since(span.start_time)
        .unwrap()
        .as_secs_f64();
    assert!(
        ttfc >= 0.005 && ttfc < duration,
        "time to first chunk {ttfc} within the span's {duration}"
    );
    let mut expected = attrs.clone();
    expected.remove("gen_ai.response.time_to_first_chunk");
    assert_eq!(
        expected,
        [
            ("gen_ai.operation.name", s("chat")),
            ("gen_ai.provider.name", s("openai")),
            ("gen_ai.request.model", s("gpt-4o")),
            ("gen_ai.request.stream", Value::Bool(true)),
            ("gen_ai.response.id", s("chatcmpl-9")),
            ("gen_ai.response.model", s("gpt-4o-2024-08-06")),
            ("gen_ai.response.finish_reasons", strings(&["stop"])),
            ("gen_ai.usage.input_tokens", i(12)),
            ("gen_ai.usage.output_tokens", i(3)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    );
}

#[test]
fn the_span_stays_open_until_the_stream_ends() {
    let telemetry = Telemetry::new();
    let script = vec![Ok(text("a")), Ok(text("b")), Ok(finish("stop"))];
    run(&telemetry, async {
        let stream = stream_chat(Request {
            model: "gpt-4o".into(),
            script,
        })
        .await
        .unwrap();
        assert!(
            telemetry.spans().is_empty(),
            "the call returned, but its stream has not ended"
        );
        let mut stream = pin!(stream);
        next(stream.as_mut()).await.unwrap().unwrap();
        assert!(
            telemetry.spans().is_empty(),
            "one chunk read, the span is still open"
        );
        while next(stream.as_mut()).await.is_some() {}
        assert_eq!(
            telemetry.spans().len(),
            1,
            "the stream ended, and so did its span"
        );
    });
}

#[test]
fn a_stream_dropped_early_ends_its_span_as_cancelled_and_keeps_what_it_saw() {
    let telemetry = Telemetry::new();
    let script = vec![
        Ok(text("a")),
        Ok(tool_delta(0, Some("call_1"), "{")),
        Ok(text("c")),
        Ok(usage(9, 9)),
    ];
    run(&telemetry, async {
        let stream = stream_chat(Request {
            model: "gpt-4o".into(),
            script,
        })
        .await
        .unwrap();
        let mut stream = Box::pin(stream);
        next(stream.as_mut()).await.unwrap().unwrap();
        next(stream.as_mut()).await.unwrap().unwrap();
        drop(stream); // The consumer stops reading.
    });
    let span = telemetry.span("chat gpt-4o");
    let attrs = attributes(&span);
    assert_eq!(attrs["error.type"], s(genai_span::CANCELLED));
    assert_eq!(
        error_description(&span).as_deref(),
        Some("cancelled: the stream was dropped before it ended")
    );
    assert_eq!(
        attrs["gen_ai.response.model"],
        s("gpt-4o-2024-08-06"),
        "what the chunks said is kept"
    );
    assert_eq!(attrs[genai_span::TOOL_CALL_COUNT], i(1));
    assert!(
        !attrs.contains_key("gen_ai.usage.input_tokens"),
        "usage never arrived: none is invented"
    );
}

#[test]
fn an_error_mid_stream_ends_the_span_with_it() {
    let telemetry = Telemetry::new();
    let script = vec![
        Ok(text("a")),
        Err(StreamError("connection reset")),
        Ok(text("late")),
    ];
    let seen = run(&telemetry, async {
        let stream = stream_chat(Request {
            model: "gpt-4o".into(),
            script,
        })
        .await
        .unwrap();
        drain(stream).await
    });
    assert_eq!(
        seen,
        [
            Ok("a".into()),
            Err("connection reset".into()),
            Ok("late".into())
        ],
        "items after the error still pass"
    );
    let span = telemetry.span("chat gpt-4o");
    assert_eq!(
        error_description(&span).as_deref(),
        Some("connection reset")
    );
    assert_eq!(attributes(&span)["error.type"], s("stream_error"));
}

#[test]
fn a_failed_request_ends_the_span_before_any_stream() {
    let telemetry = Telemetry::new();
    let result = run(&telemetry, async {
        stream_chat(Request {
            model: "gpt-4o".into(),
            script: vec![],
        })
        .await
        .map(|_| ())
    });
    assert!(result.is_err());
    let span = telemetry.span("chat gpt-4o");
    assert_eq!(
        error_description(&span).as_deref(),
        Some("401 Unauthorized")
    );
    let attrs = attributes(&span);
    assert_eq!(attrs["error.type"], s(std::any::type_name::<ApiError>()));
    assert!(!attrs.contains_key("gen_ai.response.time_to_first_chunk"));
}

#[test]
fn a_stream_without_usage_records_no_tokens() {
    let telemetry = Telemetry::new();
    let script = vec![Ok(text("a")), Ok(finish("length"))];
    run(&telemetry, async {
        drain(
            stream_chat(Request {
                model: "m".into(),
                script,
            })
            .await
            .unwrap(),
        )
        .await
    });
    let attrs = attributes(&telemetry.span("chat m"));
    assert!(
        !attrs.keys().any(|k| k.starts_with("gen_ai.usage.")),
        "{attrs:?}"
    );
    assert_eq!(
        attrs["gen_ai.response.finish_reasons"],
        strings(&["length"])
    );
}

#[test]
fn tool_call_deltas_count_each_call_once() {
    let telemetry = Telemetry::new();
    let script = vec![
        Ok(tool_delta(0, Some("call_a"), "{\"ci")),
        Ok(tool_delta(0, None, "ty\":")),
        Ok(tool_delta(0, None, "\"Paris\"}")),
        Ok(tool_delta(1, Some("call_b"), "{")),
        Ok(tool_delta(1, None, "}")),
        Ok(finish("tool_calls")),
        Ok(usage(30, 20)),
    ];
    run(&telemetry, async {
        drain(
            stream_chat(Request {
                model: "m".into(),
                script,
            })
            .await
            .unwrap(),
        )
        .await
    });
    let attrs = attributes(&telemetry.span("chat m"));
    assert_eq!(attrs[genai_span::TOOL_CALL_COUNT], i(2));
    assert_eq!(
        attrs["gen_ai.response.finish_reasons"],
        strings(&["tool_calls"])
    );
    assert_eq!(attrs["gen_ai.usage.output_tokens"], i(20));
}

// ---- Other shapes of stream-returning functions ------------------------------------------

type BoxedChunks = Pin<Box<dyn Stream<Item = Result<ChatChunk, StreamError>> + Send>>;

#[genai_span(chat, stream, provider = "openai", model = "gpt-4o-mini")]
fn boxed_stream(script: Vec<Item>) -> BoxedChunks {
    Box::pin(produce(script, Duration::ZERO))
}

#[genai_span(text_completion, stream, provider = "local", model = "llama", kind = internal)]
fn plain_chunks(n: usize) -> impl Stream<Item = ChatChunk> + Unpin {
    Chunks(n)
}

/// A synchronous stream of `n` text chunks then a final one.
struct Chunks(usize);

impl Stream for Chunks {
    type Item = ChatChunk;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<ChatChunk>> {
        Poll::Ready(match self.0 {
            0 => None,
            1 => {
                self.0 = 0;
                Some(finish("stop"))
            }
            _ => {
                self.0 -= 1;
                Some(text("x"))
            }
        })
    }
}

#[test]
fn boxed_streams_and_plain_chunk_items_from_sync_functions() {
    let telemetry = Telemetry::new();
    run(&telemetry, async {
        drain(boxed_stream(vec![Ok(text("a")), Ok(finish("stop"))])).await;
        let mut chunks = plain_chunks(3);
        let mut count = 0;
        while next(Pin::new(&mut chunks)).await.is_some() {
            count += 1;
        }
        assert_eq!(count, 3);
    });
    let boxed = attributes(&telemetry.span("chat gpt-4o-mini"));
    assert_eq!(boxed["gen_ai.request.stream"], Value::Bool(true));
    assert_eq!(boxed["gen_ai.response.finish_reasons"], strings(&["stop"]));
    let plain = telemetry.span("text_completion llama");
    assert_eq!(plain.span_kind, SpanKind::Internal);
    assert_eq!(
        attributes(&plain)["gen_ai.response.finish_reasons"],
        strings(&["stop"])
    );
}

#[test]
fn without_a_subscriber_chunks_pass_through_untouched() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let seen = runtime.block_on(async {
        let stream = stream_chat(Request {
            model: "m".into(),
            script: vec![Ok(text("a")), Err(StreamError("x"))],
        })
        .await
        .unwrap();
        drain(stream).await
    });
    assert_eq!(seen, [Ok("a".into()), Err("x".into())]);
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn stream_futures_and_streams_stay_send() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let future = stream_chat(Request {
        model: "m".into(),
        script: vec![Ok(text("a"))],
    });
    assert_send(&future);
    let stream = runtime.block_on(future).unwrap();
    assert_send(&stream);
}
