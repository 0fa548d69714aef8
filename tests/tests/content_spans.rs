//! Content capture through `#[genai_span]`: prompts, outputs, tool arguments and results land
//! on the exported span in the conventions' JSON shapes, redacted, only when capture is on.
//!
//! The capture mode is process-wide, so each test sets it and they run one at a time.

use std::cell::Cell;
use std::sync::Mutex;

use genai_span::content::{CaptureMode, ContentKind, set_capture_mode};
use genai_span::{GenAiResponse, genai_span};
use genai_span_tests::schemas::assert_schema_valid;
use genai_span_tests::{Telemetry, attributes};
use opentelemetry::Value;
use serde::Serialize;
use serde_json::json;

/// Tests that set the capture mode take turns.
static MODE: Mutex<()> = Mutex::new(());

fn with_mode<T>(mode: CaptureMode, f: impl FnOnce() -> T) -> T {
    let _turn = MODE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    set_capture_mode(mode);
    let out = f();
    set_capture_mode(CaptureMode::NoContent);
    out
}

#[derive(Serialize)]
struct Message {
    role: &'static str,
    content: String,
}

#[derive(Serialize)]
struct ChatRequest {
    model: &'static str,
    system: &'static str,
    messages: Vec<Message>,
    tools: serde_json::Value,
}

/// An OpenAI chat completion, as it comes over HTTP.
#[derive(Serialize, GenAiResponse)]
struct ChatCompletion {
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    choices: Vec<Choice>,
}

#[derive(Serialize, GenAiResponse)]
struct Choice {
    index: u32,
    message: Reply,
    #[genai(finish_reason)]
    finish_reason: &'static str,
}

#[derive(Serialize)]
struct Reply {
    role: &'static str,
    content: String,
}

thread_local! {
    static EVALUATED: Cell<usize> = const { Cell::new(0) };
}

fn messages_of(req: &ChatRequest) -> &Vec<Message> {
    EVALUATED.set(EVALUATED.get() + 1);
    &req.messages
}

#[genai_span(chat, provider = "openai", model = req.model, system = req.system, input = messages_of(req), tools = req.tools)]
fn chat(req: &ChatRequest) -> Result<ChatCompletion, std::io::Error> {
    Ok(ChatCompletion {
        model: "gpt-4o-2024-08-06".into(),
        choices: vec![Choice {
            index: 0,
            message: Reply {
                role: "assistant",
                content: "It is 21°C in Paris.".into(),
            },
            finish_reason: "stop",
        }],
    })
}

#[derive(Serialize)]
struct WeatherArgs {
    city: String,
    api_key: String,
}

#[genai_span(execute_tool, arguments = args)]
fn get_weather(args: &WeatherArgs) -> Result<serde_json::Value, std::io::Error> {
    Ok(json!({"city": args.city, "celsius": 21}))
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-4o",
        system: "You are a weather assistant.",
        messages: vec![Message {
            role: "user",
            content: "Weather in Paris? My key is sk-proj-abcdefghijklmnopqrstuvwxyz0123".into(),
        }],
        tools: json!([{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]),
    }
}

fn json_attribute(
    attrs: &std::collections::BTreeMap<String, Value>,
    key: &str,
) -> serde_json::Value {
    match &attrs[key] {
        Value::String(text) => serde_json::from_str(text.as_str()).expect("content is JSON"),
        other => panic!("{key} should be a JSON string, found {other:?}"),
    }
}

#[test]
fn with_capture_on_a_chat_span_carries_its_prompts_and_outputs_in_the_spec_shapes() {
    let telemetry = Telemetry::new();
    with_mode(CaptureMode::SpanOnly, || {
        telemetry.in_scope(|| chat(&request()).unwrap())
    });
    let attrs = attributes(&telemetry.span("chat gpt-4o"));

    let system = json_attribute(&attrs, "gen_ai.system_instructions");
    assert_schema_valid(ContentKind::SystemInstructions, &system);
    assert_eq!(
        system,
        json!([{"type": "text", "content": "You are a weather assistant."}])
    );

    let input = json_attribute(&attrs, "gen_ai.input.messages");
    assert_schema_valid(ContentKind::InputMessages, &input);
    assert_eq!(input[0]["role"], "user");
    let text = input[0]["parts"][0]["content"].as_str().unwrap();
    assert!(text.starts_with("Weather in Paris?"), "{text}");
    assert!(
        !text.contains("sk-proj-abcdefghijklmnop"),
        "the key is redacted: {text}"
    );

    let tools = json_attribute(&attrs, "gen_ai.tool.definitions");
    assert_schema_valid(ContentKind::ToolDefinitions, &tools);
    assert_eq!(tools[0]["name"], "get_weather");

    let output = json_attribute(&attrs, "gen_ai.output.messages");
    assert_schema_valid(ContentKind::OutputMessages, &output);
    assert_eq!(
        output,
        json!([{"role": "assistant", "parts": [{"type": "text", "content": "It is 21°C in Paris."}], "finish_reason": "stop"}])
    );
}

#[test]
fn a_tool_span_carries_its_arguments_redacted_and_its_result() {
    let telemetry = Telemetry::new();
    let args = WeatherArgs {
        city: "Paris".into(),
        api_key: "secret-123".into(),
    };
    with_mode(CaptureMode::SpanOnly, || {
        telemetry.in_scope(|| get_weather(&args).unwrap())
    });
    let attrs = attributes(&telemetry.span("execute_tool get_weather"));
    assert_eq!(
        json_attribute(&attrs, "gen_ai.tool.call.arguments"),
        json!({"city": "Paris", "api_key": "[REDACTED]"})
    );
    assert_eq!(
        json_attribute(&attrs, "gen_ai.tool.call.result"),
        json!({"city": "Paris", "celsius": 21})
    );
}

#[test]
fn with_capture_off_nothing_is_captured_and_content_arguments_are_not_evaluated() {
    let telemetry = Telemetry::new();
    EVALUATED.set(0);
    with_mode(CaptureMode::NoContent, || {
        telemetry.in_scope(|| chat(&request()).unwrap())
    });
    assert_eq!(
        EVALUATED.get(),
        0,
        "`input = messages_of(req)` ran with capture off"
    );
    let attrs = attributes(&telemetry.span("chat gpt-4o"));
    for kind in ContentKind::ALL {
        assert!(
            !attrs.contains_key(kind.key()),
            "{} recorded with capture off",
            kind.key()
        );
    }
    assert_eq!(
        attrs["gen_ai.response.model"],
        Value::from("gpt-4o-2024-08-06"),
        "the rest is recorded as usual"
    );
}

#[test]
fn event_only_puts_content_on_one_span_event_and_not_on_the_span() {
    let telemetry = Telemetry::new();
    with_mode(CaptureMode::EventOnly, || {
        telemetry.in_scope(|| chat(&request()).unwrap())
    });
    let span = telemetry.span("chat gpt-4o");
    let attrs = attributes(&span);
    assert!(!attrs.contains_key("gen_ai.input.messages"));
    let events: Vec<_> = span
        .events
        .iter()
        .filter(|e| e.name == genai_span::content::EVENT_NAME)
        .collect();
    assert_eq!(events.len(), 1, "one details event");
    let keys: Vec<String> = events[0]
        .attributes
        .iter()
        .map(|kv| kv.key.to_string())
        .collect();
    for key in [
        "gen_ai.operation.name",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
    ] {
        assert!(
            keys.iter().any(|k| k == key),
            "{key} missing from the event: {keys:?}"
        );
    }
}
