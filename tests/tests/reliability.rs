//! Reliability under load and under failure: many concurrent sessions, panics, cancellations,
//! streams dropped half-read — every span exported exactly once, with the right parent, in the
//! right trace, and with the documented status. (Exporter faults — receivers down, hanging,
//! answering 500, slow — are in `setup.rs`, where the export pipeline is built.)
//!
//! Bounded in time by construction (no timed assertions): sessions sleep a few milliseconds at
//! most.

use std::collections::{HashMap, HashSet};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use genai_span::{GenAiChunk, GenAiResponse, genai_span};
use genai_span_tests::{Telemetry, attributes, error_description};
use opentelemetry::Value;
use opentelemetry::trace::{SpanId, Status};
use opentelemetry_sdk::trace::SpanData;
use tracing::Instrument as _;
use tracing::instrument::WithSubscriber as _;

#[derive(Debug, GenAiResponse)]
struct Reply {
    #[genai(response_model)]
    model: &'static str,
    #[genai(input_tokens)]
    input: u32,
    #[genai(output_tokens)]
    output: u32,
}

#[derive(Debug)]
struct Failure;

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failure")
    }
}

/// How a session's second chat call ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Completes,
    Fails,
    Panics,
    TimesOut,
}

impl Fate {
    fn of(session: usize) -> Fate {
        match session % 10 {
            3 => Fate::Fails,
            5 => Fate::Panics,
            7 => Fate::TimesOut,
            _ => Fate::Completes,
        }
    }
}

#[genai_span(chat, provider = "openai", model = "gpt-4o", conversation_id = conversation)]
async fn chat(conversation: &str, tokens: u32, fate: Fate) -> Result<Reply, Failure> {
    tokio::task::yield_now().await;
    match fate {
        Fate::Completes => Ok(Reply {
            model: "gpt-4o-2024-08-06",
            input: tokens,
            output: 1,
        }),
        Fate::Fails => Err(Failure),
        Fate::Panics => panic!("provider client bug"),
        Fate::TimesOut => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            unreachable!("the caller gives up first")
        }
    }
}

#[genai_span(execute_tool, tool_call_id = call_id)]
async fn tool(call_id: String) -> Result<String, Failure> {
    tokio::task::yield_now().await;
    Ok(call_id)
}

/// An agent session: 3 chat calls and 2 tool calls, one tool on a task of its own; the second
/// chat call ends as `fate` says.
#[genai_span(invoke_agent, provider = "openai", agent_name = "worker", conversation_id = conversation)]
async fn session(conversation: String, n: usize, fate: Fate) -> Result<(), Failure> {
    chat(&conversation, 1, Fate::Completes).await?;
    // Spawned work carries the span, and (the tests install their subscriber per task, not
    // globally) the subscriber.
    let spawned = tokio::spawn(
        tool(format!("call-{n}-a"))
            .in_current_span()
            .with_current_subscriber(),
    );
    tool(format!("call-{n}-b")).await?;
    spawned.await.expect("the tool task").map(drop)?;
    match fate {
        Fate::Panics => {
            // The panic goes through the chat span and is caught here, like a task boundary.
            let owned = conversation.clone();
            let caught = tokio::spawn(
                async move { chat(&owned, 2, Fate::Panics).await }
                    .in_current_span()
                    .with_current_subscriber(),
            )
            .await;
            assert!(caught.is_err(), "the panic propagates");
        }
        Fate::TimesOut => {
            let timed_out =
                tokio::time::timeout(Duration::from_millis(5), chat(&conversation, 2, fate)).await;
            assert!(timed_out.is_err());
        }
        _ => {
            let _ = chat(&conversation, 2, fate).await;
        }
    }
    chat(&conversation, 3, Fate::Completes).await?;
    Ok(())
}

fn attr(span: &SpanData, key: &str) -> Option<Value> {
    attributes(span).remove(key)
}

fn string(value: Option<Value>) -> String {
    match value {
        Some(Value::String(s)) => s.to_string(),
        other => panic!("expected a string, found {other:?}"),
    }
}

/// The sessions' panics are expected: keep them out of the test output.
fn quiet_expected_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"provider client bug") {
            default(info);
        }
    }));
}

#[test]
fn ten_thousand_concurrent_sessions_export_every_span_once_in_the_right_tree() {
    const SESSIONS: usize = 10_000;
    quiet_expected_panics();
    let telemetry = Telemetry::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(
        async {
            let handles: Vec<_> = (0..SESSIONS)
                .map(|n| {
                    tokio::spawn(
                        session(format!("conv-{n}"), n, Fate::of(n)).with_current_subscriber(),
                    )
                })
                .collect();
            for handle in handles {
                let _ = handle.await.expect("a session task");
            }
        }
        .with_subscriber(telemetry.dispatch()),
    );

    let spans = telemetry.spans();
    assert_eq!(
        spans.len(),
        SESSIONS * 6,
        "1 agent + 3 chat + 2 tool spans per session, each once"
    );
    let by_id: HashMap<SpanId, &SpanData> = spans
        .iter()
        .map(|s| (s.span_context.span_id(), s))
        .collect();
    assert_eq!(by_id.len(), spans.len(), "no span exported twice");

    let agents: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.name == "invoke_agent worker")
        .collect();
    assert_eq!(agents.len(), SESSIONS);
    let traces: HashSet<_> = agents.iter().map(|a| a.span_context.trace_id()).collect();
    assert_eq!(traces.len(), SESSIONS, "one trace per session");

    let mut children: HashMap<SpanId, usize> = HashMap::new();
    for span in spans.iter().filter(|s| s.name != "invoke_agent worker") {
        let parent = by_id
            .get(&span.parent_span_id)
            .unwrap_or_else(|| panic!("{} has no exported parent", span.name));
        assert_eq!(
            parent.name, "invoke_agent worker",
            "{} is a child of its agent",
            span.name
        );
        assert_eq!(parent.span_context.trace_id(), span.span_context.trace_id());
        *children.entry(span.parent_span_id).or_default() += 1;
        let conversation = string(attr(parent, "gen_ai.conversation.id"));
        let n: usize = conversation.trim_start_matches("conv-").parse().unwrap();
        if span.name.starts_with("chat") {
            assert_eq!(
                string(attr(span, "gen_ai.conversation.id")),
                conversation,
                "no cross-talk"
            );
        } else {
            let call = string(attr(span, "gen_ai.tool.call.id"));
            assert!(
                call.starts_with(&format!("call-{n}-")),
                "tool {call} under session {n}"
            );
        }
    }
    assert!(
        children.values().all(|&count| count == 5),
        "every agent has its 5 calls"
    );

    // Each second chat call ended as its session's fate says.
    for agent in &agents {
        let n: usize = string(attr(agent, "gen_ai.conversation.id"))
            .trim_start_matches("conv-")
            .parse()
            .unwrap();
        let id = agent.span_context.span_id();
        let failed: Vec<&SpanData> = spans
            .iter()
            .filter(|s| {
                s.parent_span_id == id && s.name.starts_with("chat") && s.status != Status::Unset
            })
            .collect();
        let expected = match Fate::of(n) {
            Fate::Completes => None,
            Fate::Fails => Some(std::any::type_name::<Failure>().to_owned()),
            Fate::Panics => Some(genai_span::PANIC.to_owned()),
            Fate::TimesOut => Some(genai_span::CANCELLED.to_owned()),
        };
        match expected {
            None => assert!(failed.is_empty(), "session {n}: {failed:?}"),
            Some(error_type) => {
                assert_eq!(failed.len(), 1, "session {n}");
                assert_eq!(
                    string(attr(failed[0], "error.type")),
                    error_type,
                    "session {n}"
                );
                assert!(error_description(failed[0]).is_some());
            }
        }
    }
}

// ---- Streams dropped at every point, under concurrency -------------------------------------

#[derive(Debug, Clone, GenAiChunk)]
struct Chunk {
    #[genai(response_model)]
    model: &'static str,
    #[genai(output_tokens)]
    output: Option<u32>,
}

/// `len` chunks, the last with usage, each after a yield.
struct Chunks {
    left: usize,
    yielded: bool,
}

impl Stream for Chunks {
    type Item = Chunk;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        if !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.yielded = false;
        Poll::Ready(match self.left {
            0 => None,
            left => {
                self.left -= 1;
                Some(Chunk {
                    model: "m",
                    output: (left == 1).then_some(9),
                })
            }
        })
    }
}

#[genai_span(chat, stream, provider = "local", model = "m")]
fn stream(len: usize) -> impl Stream<Item = Chunk> + Send + Unpin {
    Chunks {
        left: len,
        yielded: false,
    }
}

async fn read(mut stream: impl Stream<Item = Chunk> + Unpin, take: usize) -> usize {
    let mut read = 0;
    while read < take {
        match std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
            Some(_) => read += 1,
            None => break,
        }
    }
    read
}

#[test]
fn streams_dropped_at_every_point_all_end_their_spans() {
    const STREAMS: usize = 2_000;
    const LEN: usize = 8;
    let telemetry = Telemetry::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(
        async {
            let handles: Vec<_> = (0..STREAMS)
                // Read 0..=LEN+1 chunks: dropped before the first, midway, right before the
                // end, and read to the end.
                .map(|n| tokio::spawn(read(stream(LEN), n % (LEN + 2)).with_current_subscriber()))
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        }
        .with_subscriber(telemetry.dispatch()),
    );
    let spans = telemetry.spans();
    assert_eq!(spans.len(), STREAMS, "every stream's span ended, once");
    let cancelled = spans
        .iter()
        .filter(|s| attr(s, "error.type") == Some(Value::from(genai_span::CANCELLED)))
        .count();
    let complete = spans.iter().filter(|s| s.status == Status::Unset).count();
    // Only a reader that asks for more than LEN chunks sees the end; one that stops after
    // exactly LEN has all the chunks but drops the stream before its end: cancelled.
    assert_eq!(complete, STREAMS / (LEN + 2));
    assert_eq!(cancelled, STREAMS - complete);
    for span in spans.iter().filter(|s| s.status == Status::Unset) {
        assert_eq!(
            attr(span, "gen_ai.usage.output_tokens"),
            Some(Value::I64(9)),
            "usage from the last chunk"
        );
    }
}
