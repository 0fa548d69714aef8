//! Content capture through the OpenAI-compatible client: the messages and tool definitions
//! it sends, and the answer it gets, recorded in the conventions' JSON shapes.
//!
//! A test binary of its own: the capture mode is process-wide, and the spans of
//! `tests/openai.rs` are asserted without content.

#[path = "openai/mock.rs"]
#[allow(
    dead_code,
    reason = "the mock server's other replies serve `tests/openai.rs`"
)]
mod mock;

use futures_core::Stream;
use genai_span::content::{CaptureMode, set_capture_mode};
use genai_span_examples::openai::{ChatRequest, Client, Config, Message, Tool};
use genai_span_tests::{Telemetry, attributes};
use mock::{End, MockServer, Reply, sse};
use opentelemetry::Value;
use serde_json::json;
use tracing::instrument::WithSubscriber as _;

fn run<T>(telemetry: &Telemetry, future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(future.with_subscriber(telemetry.dispatch()))
}

fn client(server: &MockServer) -> Client {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    Client::with_http_client(Config::new(server.base_url()).with_api_key("sk-test"), http).unwrap()
}

/// The JSON an attribute holds.
fn json_attribute(value: Option<&Value>) -> Option<serde_json::Value> {
    value.map(|v| serde_json::from_str(v.as_str().as_ref()).expect("a JSON attribute"))
}

fn request(model: &str) -> ChatRequest {
    ChatRequest {
        tools: vec![Tool::function(
            "get_weather",
            "Current weather for a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        )],
        ..ChatRequest::new(
            model,
            vec![
                Message::system("Be brief."),
                Message::user("Weather in Paris?"),
            ],
        )
    }
}

#[test]
fn messages_tools_and_the_answer_are_captured_when_capture_is_on() {
    set_capture_mode(CaptureMode::SpanOnly);
    let telemetry = Telemetry::new();
    let completion = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": null,
            "tool_calls": [{"id": "call_a", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}],
        }}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28},
    });
    let stream = [
        sse(&[
            json!({"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": "Sunny"}, "finish_reason": "stop"}]})
            .to_string(),
        ]),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    run(&telemetry, async {
        let server = MockServer::start(vec![
            Reply::json(200, &completion),
            Reply::events(&stream, 16, End::Complete),
        ])
        .await;
        let client = client(&server);
        client.chat(&request("plain")).await.unwrap();
        let mut chunks = std::pin::pin!(client.chat_stream(&request("streamed")).await.unwrap());
        while std::future::poll_fn(|cx| chunks.as_mut().poll_next(cx))
            .await
            .is_some()
        {}
    });

    let input = json!([
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
    ]);
    let tools = json!([{"type": "function", "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]);
    for name in ["chat plain", "chat streamed"] {
        let attrs = attributes(&telemetry.span(name));
        assert_eq!(
            json_attribute(attrs.get("gen_ai.input.messages")),
            Some(input.clone()),
            "{name}"
        );
        assert_eq!(
            json_attribute(attrs.get("gen_ai.tool.definitions")),
            Some(tools.clone()),
            "{name}"
        );
    }
    let plain = attributes(&telemetry.span("chat plain"));
    assert_eq!(
        json_attribute(plain.get("gen_ai.output.messages")),
        Some(
            json!([{"role": "assistant", "finish_reason": "tool_call", "parts": [
                {"type": "tool_call", "id": "call_a", "name": "get_weather", "arguments": {"city": "Paris"}},
            ]}])
        )
    );
}
