//! The OpenAI-compatible client against a mock server on 127.0.0.1 that speaks the same wire
//! format, each call's span read back through the OTel SDK's in-memory exporter.

#[path = "openai/mock.rs"]
mod mock;

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::pin::pin;

use futures_core::Stream;
use genai_span::TOOL_CALL_COUNT;
use genai_span_examples::openai::{
    ChatAccumulator, ChatChunk, ChatCompletion, ChatRequest, Client, Config, Error, Message, Tool,
};
use genai_span_tests::{Telemetry, attributes, error_description, i, s, strings};
use mock::{End, MockServer, Reply, sse};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;
use serde_json::json;
use tracing::instrument::WithSubscriber as _;

// ---- Harness -------------------------------------------------------------------------------

fn run<T>(telemetry: &Telemetry, future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(future.with_subscriber(telemetry.dispatch()))
}

fn client_for(config: Config) -> Client {
    // No proxy from the environment between the client and 127.0.0.1.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    Client::with_http_client(config, http).unwrap()
}

fn client(server: &MockServer) -> Client {
    client_for(Config::new(server.base_url()).with_api_key("sk-test"))
}

type Attrs = BTreeMap<String, Value>;

/// The attributes every `chat` span of `model` against `server` has.
fn request_attrs(server: &MockServer, model: &str, stream: bool) -> Attrs {
    attrs(&[
        ("gen_ai.operation.name", s("chat")),
        ("gen_ai.provider.name", s("openai")),
        ("gen_ai.request.model", s(model)),
        ("gen_ai.request.stream", Value::Bool(stream)),
        ("server.address", s("127.0.0.1")),
        ("server.port", i(i64::from(server.port()))),
    ])
}

fn attrs(pairs: &[(&str, Value)]) -> Attrs {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn with(mut base: Attrs, more: &[(&str, Value)]) -> Attrs {
    base.extend(attrs(more));
    base
}

/// Removes `gen_ai.response.time_to_first_chunk` from `attrs`, checking that it lies within
/// the span.
fn take_time_to_first_chunk(span: &SpanData, attrs: &mut Attrs) {
    let Some(Value::F64(seconds)) = attrs.remove("gen_ai.response.time_to_first_chunk") else {
        panic!("no time to first chunk on {}: {attrs:?}", span.name);
    };
    let duration = span
        .end_time
        .duration_since(span.start_time)
        .unwrap()
        .as_secs_f64();
    // The span's timestamps are the SDK's wall clock, the time to first chunk a monotonic
    // `Instant`: for a stream dropped right after its first chunk they differ by microseconds.
    assert!(
        seconds > 0.0 && seconds <= duration + 0.001,
        "time to first chunk {seconds} within the span's {duration}"
    );
}

/// What a consumer of a stream saw.
#[derive(Debug)]
struct Drained {
    completion: ChatCompletion,
    chunks: usize,
    error: Option<Error>,
}

async fn drain(stream: impl Stream<Item = Result<ChatChunk, Error>>) -> Drained {
    let mut stream = pin!(stream);
    let mut answer = ChatAccumulator::default();
    let mut chunks = 0;
    let mut error = None;
    while let Some(item) = poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        match item {
            Ok(chunk) => {
                assert!(error.is_none(), "no chunk after an error");
                chunks += 1;
                answer.push(&chunk);
            }
            Err(e) => error = Some(e),
        }
    }
    Drained {
        completion: answer.finish(),
        chunks,
        error,
    }
}

const MODEL: &str = "gpt-4o";
const RESPONSE_MODEL: &str = "gpt-4o-2024-08-06";

fn question() -> ChatRequest {
    ChatRequest {
        temperature: Some(0.2),
        max_tokens: Some(256),
        ..ChatRequest::new(
            MODEL,
            vec![
                Message::system("Be brief."),
                Message::user("Weather in Paris and Tokyo?"),
            ],
        )
    }
}

fn weather_tool() -> Tool {
    Tool::function(
        "get_weather",
        "Current weather for a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

fn question_with_tool() -> ChatRequest {
    ChatRequest {
        tools: vec![weather_tool()],
        ..question()
    }
}

/// The JSON body `question()` is sent as.
fn question_body() -> serde_json::Value {
    json!({
        "model": MODEL,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Paris and Tokyo?"},
        ],
        "temperature": 0.2,
        "max_tokens": 256,
    })
}

fn usage(prompt: u64, completion: u64) -> serde_json::Value {
    json!({
        "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 8, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    })
}

/// A completion as OpenAI sends it.
fn completion(message: &serde_json::Value, finish_reason: &str) -> serde_json::Value {
    json!({
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "object": "chat.completion",
        "created": 1_741_569_952,
        "model": RESPONSE_MODEL,
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
        "usage": usage(19, 10),
        "service_tier": "default",
        "system_fingerprint": "fp_fc9f1d7035",
    })
}

/// What a span records of `completion(_, finish_reason)` with `tool_calls` calls (the count
/// only when there is at least one).
fn completion_attrs(finish_reason: &str, tool_calls: i64) -> Vec<(&'static str, Value)> {
    let mut attrs = vec![
        (
            "gen_ai.response.id",
            s("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"),
        ),
        ("gen_ai.response.model", s(RESPONSE_MODEL)),
        ("gen_ai.response.finish_reasons", strings(&[finish_reason])),
        ("gen_ai.usage.input_tokens", i(19)),
        ("gen_ai.usage.output_tokens", i(10)),
        ("gen_ai.usage.cache_read.input_tokens", i(8)),
        ("gen_ai.usage.reasoning.output_tokens", i(0)),
    ];
    if tool_calls > 0 {
        attrs.push((TOOL_CALL_COUNT, i(tool_calls)));
    }
    attrs
}

/// A chunk as OpenAI streams it.
fn chunk(delta: &serde_json::Value, finish_reason: Option<&str>) -> String {
    json!({
        "id": "chatcmpl-C1", "object": "chat.completion.chunk", "created": 1_741_569_952,
        "model": RESPONSE_MODEL, "system_fingerprint": "fp_fc9f1d7035",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}],
        "usage": null,
    })
    .to_string()
}

/// The last chunk of a stream whose request asked for usage: no choices.
fn usage_chunk(prompt: u64, completion: u64) -> String {
    json!({
        "id": "chatcmpl-C1", "object": "chat.completion.chunk", "created": 1_741_569_952,
        "model": RESPONSE_MODEL, "system_fingerprint": "fp_fc9f1d7035",
        "choices": [], "usage": usage(prompt, completion),
    })
    .to_string()
}

fn text(content: &str) -> String {
    chunk(&json!({"content": content}), None)
}

fn tool_delta(index: u32, id: Option<&str>, name: Option<&str>, arguments: &str) -> String {
    let mut call = json!({"index": index, "function": {"arguments": arguments}});
    if let Some(id) = id {
        call["id"] = json!(id);
        call["type"] = json!("function");
    }
    if let Some(name) = name {
        call["function"]["name"] = json!(name);
    }
    chunk(&json!({"tool_calls": [call]}), None)
}

// ---- Non-streamed completions ------------------------------------------------------------

#[test]
fn a_completion_records_its_response_and_usage() {
    let telemetry = Telemetry::new();
    let message = json!({"role": "assistant", "content": "Sunny, 21°C in both.", "refusal": null, "annotations": []});
    let (server, answer) = run(&telemetry, async {
        let server = MockServer::start(vec![Reply::json(200, &completion(&message, "stop"))]).await;
        let answer = client(&server).chat(&question()).await.unwrap();
        (server, answer)
    });

    assert_eq!(
        answer.message().unwrap().content.as_deref(),
        Some("Sunny, 21°C in both.")
    );
    assert_eq!(answer.usage.as_ref().unwrap().total_tokens, 29);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(request.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.body, question_body(), "no stream fields");

    let span = telemetry.span("chat gpt-4o");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        attributes(&span),
        with(
            request_attrs(&server, MODEL, false),
            &[
                ("gen_ai.request.temperature", Value::F64(0.2)),
                ("gen_ai.request.max_tokens", i(256)),
                (
                    "gen_ai.response.id",
                    s("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT")
                ),
                ("gen_ai.response.model", s(RESPONSE_MODEL)),
                ("gen_ai.response.finish_reasons", strings(&["stop"])),
                ("gen_ai.usage.input_tokens", i(19)),
                ("gen_ai.usage.output_tokens", i(10)),
                ("gen_ai.usage.cache_read.input_tokens", i(8)),
                ("gen_ai.usage.reasoning.output_tokens", i(0)),
            ]
        )
    );
}

#[test]
fn a_tool_call_completion_counts_its_calls() {
    let telemetry = Telemetry::new();
    let message = json!({
        "role": "assistant", "content": null, "refusal": null,
        "tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
            {"id": "call_b", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Tokyo\"}"}},
        ],
    });
    let (server, answer) = run(&telemetry, async {
        let server =
            MockServer::start(vec![Reply::json(200, &completion(&message, "tool_calls"))]).await;
        let answer = client(&server).chat(&question_with_tool()).await.unwrap();
        (server, answer)
    });

    let calls: Vec<(&str, &str, &str)> = answer
        .message()
        .unwrap()
        .tool_calls
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.function.name.as_str(),
                c.function.arguments.as_str(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("call_a", "get_weather", r#"{"city":"Paris"}"#),
            ("call_b", "get_weather", r#"{"city":"Tokyo"}"#)
        ]
    );
    let mut body = question_body();
    body["tools"] = json!([{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }}]);
    assert_eq!(server.requests()[0].body, body);

    let span = telemetry.span("chat gpt-4o");
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        attributes(&span),
        with(
            request_attrs(&server, MODEL, false),
            &[
                ("gen_ai.request.temperature", Value::F64(0.2)),
                ("gen_ai.request.max_tokens", i(256)),
                (
                    "gen_ai.response.id",
                    s("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT")
                ),
                ("gen_ai.response.model", s(RESPONSE_MODEL)),
                ("gen_ai.response.finish_reasons", strings(&["tool_calls"])),
                ("gen_ai.usage.input_tokens", i(19)),
                ("gen_ai.usage.output_tokens", i(10)),
                ("gen_ai.usage.cache_read.input_tokens", i(8)),
                ("gen_ai.usage.reasoning.output_tokens", i(0)),
                (TOOL_CALL_COUNT, i(2)),
            ]
        )
    );
}

#[test]
fn the_provider_model_and_key_come_from_the_configuration_and_every_parameter_is_recorded() {
    let telemetry = Telemetry::new();
    let message = json!({"role": "assistant", "content": "Hi."});
    let (server, request) = run(&telemetry, async {
        let server = MockServer::start(vec![Reply::json(200, &completion(&message, "stop"))]).await;
        // What `OPENAI_BASE_URL=... OPENAI_PROVIDER=ollama OPENAI_MODEL=llama3.2` gives.
        let base_url = server.base_url();
        let config = Config::from_vars(|name| match name {
            "OPENAI_BASE_URL" => Some(base_url.clone()),
            "OPENAI_PROVIDER" => Some("ollama".into()),
            "OPENAI_MODEL" => Some("llama3.2".into()),
            _ => None,
        });
        let client = client_for(config);
        let request = ChatRequest {
            temperature: Some(0.5),
            max_tokens: Some(100),
            top_p: Some(0.9),
            seed: Some(42),
            stop: Some(vec!["\n\n".into(), "END".into()]),
            frequency_penalty: Some(0.25),
            presence_penalty: Some(-0.5),
            ..ChatRequest::new(client.model(), vec![Message::user("Hi")])
        };
        client.chat(&request).await.unwrap();
        (server, request)
    });
    let sent = &server.requests()[0];
    assert_eq!(sent.header("authorization"), None, "no key, no header");
    assert_eq!(sent.body, serde_json::to_value(&request).unwrap());
    assert_eq!(sent.body["stop"], json!(["\n\n", "END"]));

    let expected = with(
        with(
            request_attrs(&server, "llama3.2", false),
            &completion_attrs("stop", 0),
        ),
        &[
            ("gen_ai.provider.name", s("ollama")),
            ("gen_ai.request.temperature", Value::F64(0.5)),
            ("gen_ai.request.max_tokens", i(100)),
            ("gen_ai.request.top_p", Value::F64(0.9)),
            ("gen_ai.request.seed", i(42)),
            ("gen_ai.request.stop_sequences", strings(&["\n\n", "END"])),
            ("gen_ai.request.frequency_penalty", Value::F64(0.25)),
            ("gen_ai.request.presence_penalty", Value::F64(-0.5)),
        ],
    );
    assert_eq!(attributes(&telemetry.span("chat llama3.2")), expected);
}

// ---- Streamed completions ----------------------------------------------------------------

#[test]
fn a_streamed_answer_is_reassembled_and_its_usage_read_from_the_last_chunk() {
    let telemetry = Telemetry::new();
    // A comment as keep-alive, `\r\n` line endings, one event over several `data:` lines, a
    // non-ASCII character; cut every 7 bytes, so lines, `\r\n` and `°` are split across writes.
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&text(", 21°C")).unwrap(),
    )
    .unwrap();
    let mut multi_line = String::new();
    for line in pretty.lines() {
        multi_line.push_str("data: ");
        multi_line.push_str(line);
        multi_line.push_str("\r\n");
    }
    let stream = [
        ": keep-alive\n\n".to_owned(),
        format!(
            "data: {}\r\n\r\n",
            chunk(
                &json!({"role": "assistant", "content": "", "refusal": null}),
                None
            )
        ),
        sse(&[text("Sunny")]),
        format!("{multi_line}\r\n"),
        sse(&[
            text(" in Paris."),
            chunk(&json!({}), Some("stop")),
            usage_chunk(19, 9),
        ]),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let (server, drained) = run(&telemetry, async {
        let server = MockServer::start(vec![Reply::events(&stream, 7, End::Complete)]).await;
        let chunks = client(&server).chat_stream(&question()).await.unwrap();
        assert!(
            telemetry.spans().is_empty(),
            "the span lasts as long as the stream"
        );
        (server, drain(chunks).await)
    });

    assert!(drained.error.is_none(), "{:?}", drained.error);
    assert_eq!(drained.chunks, 6);
    let answer = drained.completion;
    assert_eq!(
        answer.message().unwrap().content.as_deref(),
        Some("Sunny, 21°C in Paris.")
    );
    assert_eq!(answer.choices[0].finish_reason.as_deref(), Some("stop"));
    assert_eq!(answer.usage.as_ref().unwrap().completion_tokens, 9);

    let request = &server.requests()[0];
    let mut body = question_body();
    body["stream"] = json!(true);
    body["stream_options"] = json!({"include_usage": true});
    assert_eq!(request.body, body);
    assert_eq!(request.header("accept"), Some("text/event-stream"));

    let span = telemetry.span("chat gpt-4o");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    let mut attrs = attributes(&span);
    take_time_to_first_chunk(&span, &mut attrs);
    assert_eq!(
        attrs,
        with(
            request_attrs(&server, MODEL, true),
            &[
                ("gen_ai.request.temperature", Value::F64(0.2)),
                ("gen_ai.request.max_tokens", i(256)),
                ("gen_ai.response.id", s("chatcmpl-C1")),
                ("gen_ai.response.model", s(RESPONSE_MODEL)),
                ("gen_ai.response.finish_reasons", strings(&["stop"])),
                ("gen_ai.usage.input_tokens", i(19)),
                ("gen_ai.usage.output_tokens", i(9)),
                ("gen_ai.usage.cache_read.input_tokens", i(8)),
                ("gen_ai.usage.reasoning.output_tokens", i(0)),
            ]
        )
    );
}

#[test]
fn streamed_tool_call_deltas_are_reassembled_and_each_call_counted_once() {
    let telemetry = Telemetry::new();
    let stream = [
        sse(&[
            chunk(
                &json!({"role": "assistant", "content": null, "refusal": null}),
                None,
            ),
            tool_delta(0, Some("call_a"), Some("get_weather"), ""),
            tool_delta(0, None, None, "{\"ci"),
            tool_delta(0, None, None, "ty\": \"Pa"),
            tool_delta(0, None, None, "ris\"}"),
            tool_delta(1, Some("call_b"), Some("get_weather"), ""),
            tool_delta(1, None, None, "{\"city\""),
            tool_delta(1, None, None, ": \"Tokyo\"}"),
            chunk(&json!({}), Some("tool_calls")),
            usage_chunk(60, 41),
        ]),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let (server, drained) = run(&telemetry, async {
        let server = MockServer::start(vec![Reply::events(&stream, 11, End::Complete)]).await;
        let chunks = client(&server)
            .chat_stream(&question_with_tool())
            .await
            .unwrap();
        (server, drain(chunks).await)
    });

    assert!(drained.error.is_none(), "{:?}", drained.error);
    let message = drained.completion.message().unwrap().clone();
    let calls: Vec<(String, String, serde_json::Value)> = message
        .tool_calls
        .into_iter()
        .map(|c| {
            (
                c.id,
                c.function.name,
                serde_json::from_str(&c.function.arguments).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (
                "call_a".to_owned(),
                "get_weather".to_owned(),
                json!({"city": "Paris"})
            ),
            (
                "call_b".to_owned(),
                "get_weather".to_owned(),
                json!({"city": "Tokyo"})
            ),
        ]
    );
    assert_eq!(message.content, None);
    assert_eq!(
        server.requests()[0].body["tools"][0]["function"]["name"],
        "get_weather"
    );

    let span = telemetry.span("chat gpt-4o");
    let mut attrs = attributes(&span);
    take_time_to_first_chunk(&span, &mut attrs);
    assert_eq!(
        attrs,
        with(
            request_attrs(&server, MODEL, true),
            &[
                ("gen_ai.request.temperature", Value::F64(0.2)),
                ("gen_ai.request.max_tokens", i(256)),
                ("gen_ai.response.id", s("chatcmpl-C1")),
                ("gen_ai.response.model", s(RESPONSE_MODEL)),
                ("gen_ai.response.finish_reasons", strings(&["tool_calls"])),
                ("gen_ai.usage.input_tokens", i(60)),
                ("gen_ai.usage.output_tokens", i(41)),
                ("gen_ai.usage.cache_read.input_tokens", i(8)),
                ("gen_ai.usage.reasoning.output_tokens", i(0)),
                (TOOL_CALL_COUNT, i(2)),
            ]
        )
    );
}

#[test]
fn a_stream_dropped_by_its_reader_ends_its_span_as_cancelled() {
    let telemetry = Telemetry::new();
    let stream = sse(&[text("a"), text("b"), text("c")]);
    let server = run(&telemetry, async {
        let server = MockServer::start(vec![Reply::events(&stream, 64, End::Complete)]).await;
        let chunks = client(&server).chat_stream(&question()).await.unwrap();
        let mut chunks = Box::pin(chunks);
        poll_fn(|cx| chunks.as_mut().poll_next(cx))
            .await
            .unwrap()
            .unwrap();
        drop(chunks);
        server
    });
    let span = telemetry.span("chat gpt-4o");
    let mut attrs = attributes(&span);
    take_time_to_first_chunk(&span, &mut attrs);
    assert_eq!(
        attrs,
        with(
            request_attrs(&server, MODEL, true),
            &[
                ("gen_ai.request.temperature", Value::F64(0.2)),
                ("gen_ai.request.max_tokens", i(256)),
                ("gen_ai.response.id", s("chatcmpl-C1")),
                ("gen_ai.response.model", s(RESPONSE_MODEL)),
                ("error.type", s(genai_span::CANCELLED)),
            ]
        )
    );
}

// ---- Failures ----------------------------------------------------------------------------

const RATE_LIMITED: &str = "Rate limit reached for gpt-4o in organization org-123 on requests per min (RPM): Limit 3, Used 3, Requested 1.";

fn rate_limit_body() -> serde_json::Value {
    json!({"error": {"message": RATE_LIMITED, "type": "requests", "param": null, "code": "rate_limit_exceeded"}})
}

#[test]
fn a_rate_limited_request_ends_its_span_with_the_error_code() {
    let telemetry = Telemetry::new();
    let (server, plain, streamed) = run(&telemetry, async {
        let server = MockServer::start(vec![
            Reply::json(429, &rate_limit_body()),
            Reply::json(429, &rate_limit_body()),
        ])
        .await;
        let client = client(&server);
        let plain = client
            .chat(&ChatRequest::new("gpt-4o", vec![Message::user("Hi")]))
            .await
            .unwrap_err();
        let streamed = client
            .chat_stream(&ChatRequest::new("gpt-4o-mini", vec![Message::user("Hi")]))
            .await
            .map(|_| ())
            .unwrap_err();
        (server, plain, streamed)
    });

    for error in [&plain, &streamed] {
        let Error::Api(api) = error else {
            panic!("not an API error: {error:?}")
        };
        assert_eq!(api.status, 429);
        assert_eq!(api.code.as_deref(), Some("rate_limit_exceeded"));
        assert_eq!(api.message, RATE_LIMITED);
    }
    let description = format!("429 Too Many Requests: {RATE_LIMITED}");
    for (name, model, stream) in [
        ("chat gpt-4o", "gpt-4o", false),
        ("chat gpt-4o-mini", "gpt-4o-mini", true),
    ] {
        let span = telemetry.span(name);
        assert_eq!(
            error_description(&span).as_deref(),
            Some(description.as_str())
        );
        assert_eq!(
            attributes(&span),
            with(
                request_attrs(&server, model, stream),
                &[("error.type", s("rate_limit_exceeded"))]
            ),
            "no response attributes, no time to first chunk"
        );
    }
}

#[test]
fn error_types_come_from_the_body_else_the_status() {
    let telemetry = Telemetry::new();
    let cases = [
        (
            401,
            json!({"error": {"message": "Incorrect API key provided: sk-test.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}).to_string(),
            "invalid_api_key",
            "401 Unauthorized: Incorrect API key provided: sk-test.",
        ),
        // Ollama, for a model it does not have.
        (
            404,
            json!({"error": "model \"llama9\" not found, try pulling it first"}).to_string(),
            "404",
            "404 Not Found: model \"llama9\" not found, try pulling it first",
        ),
        // llama.cpp's server while it loads its model: the numeric code is the status.
        (
            503,
            json!({"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}).to_string(),
            "unavailable_error",
            "503 Service Unavailable: Loading model",
        ),
        // A proxy in between.
        (
            502,
            "<html><body>Bad Gateway</body></html>".to_owned(),
            "502",
            "502 Bad Gateway: <html><body>Bad Gateway</body></html>",
        ),
    ];
    let server = run(&telemetry, async {
        let replies = cases
            .iter()
            .map(|(status, body, ..)| Reply::raw(*status, body))
            .collect();
        let server = MockServer::start(replies).await;
        let client = client(&server);
        for (status, ..) in &cases {
            let request = ChatRequest::new(format!("m{status}"), vec![Message::user("Hi")]);
            client.chat(&request).await.unwrap_err();
        }
        server
    });
    for (status, _, error_type, description) in cases {
        let span = telemetry.span(&format!("chat m{status}"));
        assert_eq!(error_description(&span).as_deref(), Some(description));
        assert_eq!(
            attributes(&span),
            with(
                request_attrs(&server, &format!("m{status}"), false),
                &[("error.type", s(error_type))]
            )
        );
    }
}

#[test]
fn a_stream_that_breaks_mid_way_ends_its_span_with_a_transport_error() {
    let telemetry = Telemetry::new();
    let stream = sse(&[
        chunk(&json!({"role": "assistant", "content": ""}), None),
        text("Sun"),
        text("ny"),
    ]);
    let (server, drained) = run(&telemetry, async {
        let server = MockServer::start(vec![Reply::events(&stream, 50, End::Drop)]).await;
        let chunks = client(&server).chat_stream(&question()).await.unwrap();
        (server, drain(chunks).await)
    });

    assert_eq!(drained.chunks, 3);
    assert_eq!(
        drained.completion.message().unwrap().content.as_deref(),
        Some("Sunny")
    );
    let error = drained.error.expect("the stream failed");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");

    let span = telemetry.span("chat gpt-4o");
    assert_eq!(
        error_description(&span),
        Some(error.to_string()),
        "described by the error"
    );
    let mut attrs = attributes(&span);
    take_time_to_first_chunk(&span, &mut attrs);
    assert_eq!(
        attrs,
        with(
            request_attrs(&server, MODEL, true),
            &[
                ("gen_ai.request.temperature", Value::F64(0.2)),
                ("gen_ai.request.max_tokens", i(256)),
                ("gen_ai.response.id", s("chatcmpl-C1")),
                ("gen_ai.response.model", s(RESPONSE_MODEL)),
                ("error.type", s("transport_error")),
            ]
        ),
        "what the chunks said before the break is kept; no usage is invented"
    );
}

#[test]
fn streams_cut_short_malformed_or_reporting_an_error_end_their_spans_with_it() {
    let telemetry = Telemetry::new();
    let overloaded = json!({"error": {"message": "The server had an error while processing your request.",
        "type": "server_error", "param": null, "code": null}});
    let cases = [
        // The body ends cleanly, but before `[DONE]` and before any choice finished.
        (
            "cut",
            sse(&[text("a"), text("b")]),
            "stream_truncated",
            "the event stream ended before it was done",
        ),
        // An event that is not JSON.
        (
            "garbled",
            format!("{}data: {{\"id\": \"x\", oops}}\n\n", sse(&[text("a")])),
            "invalid_response",
            "invalid response: key must be a string at line 1 column 13",
        ),
        // An error reported inside the stream.
        (
            "overloaded",
            sse(&[text("a"), overloaded.to_string()]),
            "server_error",
            "200 OK: The server had an error while processing your request.",
        ),
    ];
    let drained = run(&telemetry, async {
        let replies = cases
            .iter()
            .map(|(_, stream, ..)| Reply::events(stream, 9, End::Complete))
            .collect();
        let server = MockServer::start(replies).await;
        let client = client(&server);
        let mut drained = Vec::new();
        for (model, ..) in &cases {
            let request = ChatRequest::new(*model, vec![Message::user("Hi")]);
            drained.push(drain(client.chat_stream(&request).await.unwrap()).await);
        }
        drained
    });
    for ((model, _, error_type, description), drained) in cases.iter().zip(drained) {
        let error = drained.error.expect("the stream failed");
        assert_eq!(error.to_string(), *description);
        let span = telemetry.span(&format!("chat {model}"));
        assert_eq!(error_description(&span).as_deref(), Some(*description));
        assert_eq!(attributes(&span)["error.type"], s(error_type), "{model}");
        assert_eq!(
            attributes(&span)["gen_ai.response.model"],
            s(RESPONSE_MODEL)
        );
    }
}

#[test]
fn a_server_that_cannot_be_reached_is_a_connection_error() {
    let telemetry = Telemetry::new();
    let port = run(&telemetry, async {
        // A port nothing listens on any more.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client = client_for(Config::new(format!("http://127.0.0.1:{port}/v1")));
        let error = client.chat(&question()).await.unwrap_err();
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
        port
    });
    let span = telemetry.span("chat gpt-4o");
    let attrs = attributes(&span);
    assert_eq!(attrs["error.type"], s("connection_error"));
    assert_eq!(attrs["server.port"], i(i64::from(port)));
    assert!(error_description(&span).is_some());
}
