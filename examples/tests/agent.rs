//! The `agent` example, run against the SDK's in-memory exporter: the span tree it promises
//! (names, parents, errors, streams, token totals, captured content) cannot break unnoticed.

#[path = "../examples/agent.rs"]
#[expect(
    dead_code,
    reason = "the example's `main`: the tests call `ask` under their own pipeline"
)]
mod demo;

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use genai_span::content::{CaptureMode, ContentKind, set_capture_mode};
use genai_span::setup::terminal::render_spans;
use genai_span_tests::{Telemetry, attributes, error_description, i, is_child_of, is_root, s};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;

/// The pipeline, installed as the global subscriber: the agent runs its tools on tasks of
/// their own, where only the global subscriber sees their spans.
fn telemetry() -> &'static Telemetry {
    static TELEMETRY: OnceLock<Telemetry> = OnceLock::new();
    TELEMETRY.get_or_init(|| {
        let telemetry = Telemetry::new();
        tracing::dispatcher::set_global_default(telemetry.dispatch())
            .expect("the only global subscriber of this test binary");
        telemetry
    })
}

/// Runs the example's agent once, with `mode`, and returns its answer and the spans it made.
/// One run at a time: the capture mode is process-wide, and each run takes the spans exported
/// since it began.
fn run(mode: CaptureMode) -> (String, Vec<SpanData>) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let telemetry = telemetry();
    let before = telemetry.spans().len();
    set_capture_mode(mode);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer = runtime.block_on(demo::ask(demo::QUESTION));
    set_capture_mode(CaptureMode::NoContent);
    let answer = answer.expect("the agent answers");
    (answer, telemetry.spans().split_off(before))
}

fn int(span: &SpanData, key: &str) -> i64 {
    match attributes(span).get(key) {
        Some(Value::I64(n)) => *n,
        other => panic!("{key} on {}: {other:?}", span.name),
    }
}

#[test]
fn the_agent_makes_the_span_tree_the_readme_describes() {
    let (answer, spans) = run(CaptureMode::NoContent);
    assert_eq!(
        answer,
        "Paris is sunny at 21 °C (69.8 °F). I could not find a weather station in Atlantis."
    );
    assert_eq!(spans.len(), 8, "{:?}", names(&spans));

    let roots: Vec<&SpanData> = spans.iter().filter(|span| is_root(span)).collect();
    assert_eq!(roots.len(), 1);
    let agent = roots[0];
    assert_eq!(agent.name, "invoke_agent weather-assistant");
    assert_eq!(agent.span_kind, SpanKind::Internal);
    assert_eq!(agent.status, Status::Unset);
    let agent_attributes = attributes(agent);
    assert_eq!(agent_attributes["gen_ai.agent.id"], s("asst_demo"));
    assert_eq!(agent_attributes["gen_ai.conversation.id"], s("conv-0001"));

    // Every other span is a call of the agent, on the agent's trace: the tools too, though
    // they ran on tasks of their own.
    let mut calls: Vec<&SpanData> = spans.iter().filter(|span| !is_root(span)).collect();
    assert!(calls.iter().all(|call| is_child_of(call, agent)));
    calls.sort_by_key(|call| call.start_time);
    let weather = "execute_tool get_weather";
    let chat = "chat gpt-4o";
    assert_eq!(
        names_of(&calls),
        [
            chat,
            chat,
            weather,
            weather,
            chat,
            "execute_tool celsius_to_fahrenheit",
            chat
        ]
    );

    // The rate-limited request, then its retry.
    let limited = calls[0];
    assert_eq!(limited.span_kind, SpanKind::Client);
    assert_eq!(attributes(limited)["error.type"], s("rate_limit_exceeded"));
    assert_eq!(
        error_description(limited).as_deref(),
        Some("429 Too Many Requests: retry after 20 ms")
    );
    assert!(calls[1].end_time <= calls[2].start_time);

    // The two weather calls: one succeeds, one fails.
    let by_call: BTreeMap<String, &SpanData> = calls[2..4]
        .iter()
        .map(|call| (attributes(call)["gen_ai.tool.call.id"].to_string(), *call))
        .collect();
    assert_eq!(
        by_call.keys().collect::<Vec<_>>(),
        ["call_atlantis", "call_paris"]
    );
    assert_eq!(by_call["call_paris"].status, Status::Unset);
    assert_eq!(
        attributes(by_call["call_atlantis"])["error.type"],
        s("city_not_found")
    );
    assert_eq!(
        error_description(by_call["call_atlantis"]).as_deref(),
        Some("no weather station in Atlantis")
    );
    let failed: Vec<&str> = spans
        .iter()
        .filter(|span| matches!(span.status, Status::Error { .. }))
        .map(|span| span.name.as_ref())
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");

    // The plain call and the two streamed ones.
    let chats: Vec<&SpanData> = calls.iter().copied().filter(|c| c.name == chat).collect();
    let plain = attributes(chats[1]);
    assert_eq!(plain["gen_ai.response.model"], s("gpt-4o-2024-08-06"));
    assert_eq!(plain[genai_span::TOOL_CALL_COUNT], i(2));
    assert!(!plain.contains_key("gen_ai.request.stream"));
    for (streamed, tool_calls) in [(chats[2], Some(1)), (chats[3], None)] {
        let streamed = attributes(streamed);
        assert_eq!(streamed["gen_ai.request.stream"], Value::Bool(true));
        assert!(streamed.contains_key("gen_ai.response.time_to_first_chunk"));
        assert_eq!(
            streamed.get(genai_span::TOOL_CALL_COUNT),
            tool_calls.map(i).as_ref(),
            "the tool call arrives in two deltas and counts once"
        );
    }

    // Token usage: on the calls that reached the model, usage in the last chunk for streams.
    let total = |key: &str| chats[1..].iter().map(|chat| int(chat, key)).sum::<i64>();
    assert_eq!(total("gen_ai.usage.input_tokens"), 78 + 120 + 141);
    assert_eq!(total("gen_ai.usage.output_tokens"), 28 + 16 + 21);
    assert_eq!(total("gen_ai.usage.cache_read.input_tokens"), 78 + 120);
    assert!(!attributes(limited).contains_key("gen_ai.usage.input_tokens"));

    for span in &spans {
        for kind in ContentKind::ALL {
            assert!(
                !attributes(span).contains_key(kind.key()),
                "{} recorded on {} with capture off",
                kind.key(),
                span.name
            );
        }
    }

    // And the picture `main` prints from these spans.
    let picture = render_spans(&spans, 100);
    assert!(
        picture.starts_with("genai-span · 1 trace · 8 spans · 2 errors · "),
        "{picture}"
    );
    for line in [
        "\ntokens   input 339 (cache read 198) · output 65\n",
        "\ncalls    4 chat (1 failed, 2 streamed) · 3 execute_tool (1 failed) · 1 invoke_agent\n",
        "\nerrors   1 city_not_found · 1 rate_limit_exceeded\n",
    ] {
        assert!(picture.contains(line), "{line:?} in\n{picture}");
    }
}

#[test]
fn with_capture_on_the_agent_records_its_prompts_and_tool_arguments() {
    let (_, spans) = run(CaptureMode::SpanOnly);
    let content = |name: &str, nth: usize, kind: ContentKind| -> String {
        let span = spans
            .iter()
            .filter(|span| span.name == name)
            .nth(nth)
            .unwrap_or_else(|| panic!("no span {name} #{nth}"));
        match attributes(span).get(kind.key()) {
            Some(Value::String(json)) => json.to_string(),
            other => panic!("{} on {name}: {other:?}", kind.key()),
        }
    };
    let agent = "invoke_agent weather-assistant";
    assert!(content(agent, 0, ContentKind::SystemInstructions).contains("weather questions"));
    assert!(
        content(agent, 0, ContentKind::InputMessages)
            .contains("Paris and in Atlantis, in Fahrenheit?")
    );
    assert!(content(agent, 0, ContentKind::OutputMessages).contains("69.8 °F"));
    let chat = "chat gpt-4o";
    assert!(content(chat, 0, ContentKind::ToolDefinitions).contains("celsius_to_fahrenheit"));
    assert!(
        content(chat, 0, ContentKind::InputMessages)
            .contains("Paris and in Atlantis, in Fahrenheit?")
    );
    let weather = "execute_tool get_weather";
    let arguments: Vec<String> = (0..2)
        .map(|nth| content(weather, nth, ContentKind::ToolCallArguments))
        .collect();
    assert!(
        arguments.contains(&r#"{"city":"Paris"}"#.to_owned()),
        "{arguments:?}"
    );
    let convert = "execute_tool celsius_to_fahrenheit";
    assert_eq!(
        content(convert, 0, ContentKind::ToolCallArguments),
        r#"{"celsius":21}"#
    );
    assert_eq!(content(convert, 0, ContentKind::ToolCallResult), "69.8");
}

fn names(spans: &[SpanData]) -> Vec<&str> {
    spans.iter().map(|span| span.name.as_ref()).collect()
}

fn names_of<'a>(spans: &[&'a SpanData]) -> Vec<&'a str> {
    spans.iter().map(|span| span.name.as_ref()).collect()
}
