//! Content capture: what `genai_span::content` records for the shapes users pass, checked
//! against the GenAI conventions' JSON schemas (v1.41.1, vendored in `tests/schemas/`).

use genai_span::content::{
    self, ContentKind, DEFAULT_MAX_ATTRIBUTE_LEN, FinishReason, InputMessage, MessagePart,
    OutputMessage, ToolDefinition,
};
use genai_span_tests::schemas::assert_schema_valid;
use serde::Serialize;
use serde_json::{Value, json};

/// What is recorded for `value` as `kind`, parsed, after checking it is within the default
/// limit and valid against the conventions' schema.
fn recorded<T: Serialize + ?Sized>(kind: ContentKind, value: &T) -> Value {
    let json = content::to_json(kind, value).expect("content is recorded");
    assert!(
        json.len() <= DEFAULT_MAX_ATTRIBUTE_LEN,
        "{} bytes",
        json.len()
    );
    let parsed: Value = serde_json::from_str(&json).expect("valid JSON");
    assert_schema_valid(kind, &parsed);
    parsed
}

fn text(content: &str) -> Value {
    json!({"type": "text", "content": content})
}

// ---- OpenAI ----

#[test]
fn openai_request_messages_become_typed_parts() {
    let messages = json!([
        {"role": "system", "content": "You are a weather bot."},
        {"role": "user", "name": "ada", "content": [
            {"type": "text", "text": "What is in this picture, and what's the weather?"},
            {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQSkZJRg==", "detail": "high"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/sky.png"}},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
            {"type": "file", "file": {"file_id": "file-abc123", "filename": "report.pdf"}}
        ]},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\",\"days\":[1,2]}"}},
            {"id": "call_2", "type": "function", "function": {"name": "echo", "arguments": "not json"}}
        ]},
        {"role": "tool", "tool_call_id": "call_1", "content": "rainy, 57°F"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "not json"}]}
    ]);
    assert_eq!(
        recorded(ContentKind::InputMessages, &messages),
        json!([
            {"role": "system", "parts": [text("You are a weather bot.")]},
            {"role": "user", "name": "ada", "parts": [
                text("What is in this picture, and what's the weather?"),
                {"type": "blob", "modality": "image", "mime_type": "image/jpeg", "content": "/9j/4AAQSkZJRg=="},
                {"type": "uri", "modality": "image", "uri": "https://example.com/sky.png"},
                {"type": "blob", "modality": "audio", "mime_type": "audio/wav", "content": "UklGRg=="},
                {"type": "file", "file_id": "file-abc123"}
            ]},
            {"role": "assistant", "parts": [
                {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris", "days": [1, 2]}},
                {"type": "tool_call", "id": "call_2", "name": "echo", "arguments": "not json"}
            ]},
            {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"}]},
            {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_2", "response": [{"type": "text", "text": "not json"}]}]}
        ])
    );
}

#[test]
fn an_openai_request_body_gives_messages_and_tools() {
    let body = json!({
        "model": "gpt-4o",
        "temperature": 0.2,
        "messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "tools": [{"type": "function", "function": {
            "name": "get_weather",
            "description": "Current weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            "strict": true
        }}]
    });
    assert_eq!(
        recorded(ContentKind::InputMessages, &body),
        json!([
            {"role": "developer", "parts": [text("Be brief.")]},
            {"role": "user", "parts": [text("Hi")]}
        ])
    );
    assert_eq!(
        recorded(ContentKind::ToolDefinitions, &body),
        json!([{
            "type": "function",
            "name": "get_weather",
            "description": "Current weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        }])
    );
}

#[test]
fn openai_choices_become_output_messages_with_finish_reasons() {
    let response = json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {"index": 0, "finish_reason": "tool_calls", "logprobs": null, "message": {
                "role": "assistant", "content": null, "refusal": null, "annotations": [],
                "tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]
            }},
            {"index": 1, "finish_reason": "length", "message": {"role": "assistant", "content": "It is rain"}},
            {"index": 2, "finish_reason": "content_filter", "message": {"role": "assistant", "refusal": "I can't help with that."}}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5}
    });
    let expected = json!([
        {"role": "assistant", "finish_reason": "tool_call", "parts": [
            {"type": "tool_call", "id": "call_9", "name": "get_weather", "arguments": {"city": "Paris"}}
        ]},
        {"role": "assistant", "finish_reason": "length", "parts": [text("It is rain")]},
        {"role": "assistant", "finish_reason": "content_filter", "parts": [
            {"type": "refusal", "content": "I can't help with that."}
        ]}
    ]);
    assert_eq!(recorded(ContentKind::OutputMessages, &response), expected);
    // The `choices` list alone gives the same.
    assert_eq!(
        recorded(ContentKind::OutputMessages, &response["choices"]),
        expected
    );
}

#[test]
fn legacy_completion_choices_and_plain_strings_are_output_text() {
    assert_eq!(
        recorded(
            ContentKind::OutputMessages,
            &json!([{"text": "Hello", "index": 0, "finish_reason": "stop"}])
        ),
        json!([{"role": "assistant", "finish_reason": "stop", "parts": [text("Hello")]}])
    );
    // No finish reason is known for a bare string: the schema requires one, none is invented.
    assert_eq!(
        recorded(ContentKind::OutputMessages, "Hello"),
        json!([{"role": "assistant", "finish_reason": "unknown", "parts": [text("Hello")]}])
    );
}

#[test]
fn openai_responses_api_input_and_output() {
    let request = json!({"model": "gpt-4.1", "instructions": "Be brief.", "input": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
        {"type": "function_call", "call_id": "fc_1", "name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"},
        {"type": "function_call_output", "call_id": "fc_1", "output": "snow"}
    ]});
    assert_eq!(
        recorded(ContentKind::InputMessages, &request),
        json!([
            {"role": "user", "parts": [text("Weather?")]},
            {"role": "assistant", "parts": [
                {"type": "tool_call", "id": "fc_1", "name": "get_weather", "arguments": {"city": "Oslo"}}
            ]},
            {"role": "tool", "parts": [{"type": "tool_call_response", "id": "fc_1", "response": "snow"}]}
        ])
    );
    assert_eq!(
        recorded(ContentKind::SystemInstructions, &request),
        json!([text("Be brief.")])
    );
    let response = json!({"id": "resp_1", "object": "response", "status": "completed", "output": [
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Easy."}]},
        {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "It snows.", "annotations": []}]}
    ]});
    assert_eq!(
        recorded(ContentKind::OutputMessages, &response),
        json!([{"role": "assistant", "finish_reason": "stop", "parts": [
            {"type": "reasoning", "content": "Easy."},
            text("It snows.")
        ]}])
    );
}

// ---- Anthropic ----

#[test]
fn anthropic_messages_with_tool_use_results_and_thinking() {
    let messages = json!([
        {"role": "user", "content": [
            {"type": "text", "text": "Weather in these places?", "cache_control": {"type": "ephemeral"}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/map.jpg"}},
            {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}}
        ]},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Two cities: call the tool twice.", "signature": "EqQB"},
            {"type": "redacted_thinking", "data": "opaque"},
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Oslo"}}
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "rainy"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "is_error": true,
             "content": [{"type": "text", "text": "service unavailable"}]}
        ]}
    ]);
    assert_eq!(
        recorded(ContentKind::InputMessages, &messages),
        json!([
            {"role": "user", "parts": [
                text("Weather in these places?"),
                {"type": "blob", "modality": "image", "mime_type": "image/png", "content": "iVBORw0KGgo="},
                {"type": "uri", "modality": "image", "uri": "https://example.com/map.jpg"},
                {"type": "blob", "mime_type": "application/pdf", "content": "JVBERi0="}
            ]},
            {"role": "assistant", "parts": [
                {"type": "reasoning", "content": "Two cities: call the tool twice."},
                {"type": "redacted_thinking", "data": "opaque"},
                text("Let me check."),
                {"type": "tool_call", "id": "toolu_1", "name": "get_weather", "arguments": {"city": "Paris"}},
                {"type": "tool_call", "id": "toolu_2", "name": "get_weather", "arguments": {"city": "Oslo"}}
            ]},
            {"role": "user", "parts": [
                {"type": "tool_call_response", "id": "toolu_1", "response": "rainy"},
                {"type": "tool_call_response", "id": "toolu_2", "is_error": true,
                 "response": [{"type": "text", "text": "service unavailable"}]}
            ]}
        ])
    );
}

#[test]
fn anthropic_responses_map_stop_reasons() {
    let response = |stop_reason: &str| {
        json!({
            "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "Hi!"}],
            "stop_reason": stop_reason, "stop_sequence": null,
            "usage": {"input_tokens": 3, "output_tokens": 2}
        })
    };
    for (stop_reason, expected) in [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_call"),
        ("refusal", "content_filter"),
        ("pause_turn", "pause_turn"),
    ] {
        assert_eq!(
            recorded(ContentKind::OutputMessages, &response(stop_reason)),
            json!([{"role": "assistant", "finish_reason": expected, "parts": [text("Hi!")]}]),
            "{stop_reason}"
        );
    }
}

// ---- Gemini ----

#[test]
fn gemini_contents_and_candidates() {
    let contents = json!({"contents": [
        {"role": "user", "parts": [
            {"text": "Describe"},
            {"inlineData": {"mimeType": "video/mp4", "data": "AAAA"}},
            {"fileData": {"mimeType": "image/png", "fileUri": "gs://bucket/a.png"}}
        ]},
        {"role": "model", "parts": [
            {"text": "Thinking...", "thought": true},
            {"functionCall": {"name": "lookup", "args": {"q": "x"}}}
        ]},
        {"role": "user", "parts": [{"functionResponse": {"name": "lookup", "response": {"found": true}}}]}
    ]});
    assert_eq!(
        recorded(ContentKind::InputMessages, &contents),
        json!([
            {"role": "user", "parts": [
                text("Describe"),
                {"type": "blob", "modality": "video", "mime_type": "video/mp4", "content": "AAAA"},
                {"type": "uri", "modality": "image", "mime_type": "image/png", "uri": "gs://bucket/a.png"}
            ]},
            {"role": "assistant", "parts": [
                {"type": "reasoning", "content": "Thinking..."},
                {"type": "tool_call", "name": "lookup", "arguments": {"q": "x"}}
            ]},
            {"role": "user", "parts": [{"type": "tool_call_response", "response": {"found": true}}]}
        ])
    );
    let response = json!({"candidates": [
        {"content": {"role": "model", "parts": [{"text": "Done."}]}, "finishReason": "STOP", "index": 0}
    ]});
    assert_eq!(
        recorded(ContentKind::OutputMessages, &response),
        json!([{"role": "assistant", "finish_reason": "stop", "parts": [text("Done.")]}])
    );
}

// ---- system instructions ----

#[test]
fn system_instructions_from_strings_blocks_and_messages() {
    let expected = json!([text("You are terse.")]);
    assert_eq!(
        recorded(ContentKind::SystemInstructions, "You are terse."),
        expected
    );
    assert_eq!(
        recorded(
            ContentKind::SystemInstructions,
            &json!({"role": "system", "content": "You are terse."})
        ),
        expected
    );
    assert_eq!(
        recorded(
            ContentKind::SystemInstructions,
            &json!({"systemInstruction": {"parts": [{"text": "You are terse."}]}})
        ),
        expected
    );
    // Anthropic's `system` blocks, or the whole request body.
    let body = json!({"model": "claude", "system": [
        {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Answer in French."}
    ], "messages": []});
    let both = json!([text("You are terse."), text("Answer in French.")]);
    assert_eq!(recorded(ContentKind::SystemInstructions, &body), both);
    assert_eq!(
        recorded(ContentKind::SystemInstructions, &body["system"]),
        both
    );
    assert_eq!(
        recorded(
            ContentKind::SystemInstructions,
            &["You are terse.", "Answer in French."]
        ),
        both
    );
    assert_eq!(
        recorded(
            ContentKind::SystemInstructions,
            &[
                MessagePart::text("You are terse."),
                MessagePart::text("Answer in French.")
            ]
        ),
        both
    );
}

// ---- tool definitions ----

#[test]
fn tool_definitions_from_openai_anthropic_and_provider_tools() {
    let schema = json!({"type": "object", "properties": {"city": {"type": "string", "description": "City name"}}, "required": ["city"]});
    let expected = json!({"type": "function", "name": "get_weather", "description": "Current weather", "parameters": schema});
    let openai = json!([{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": schema}}]);
    let anthropic = json!([{"name": "get_weather", "description": "Current weather", "input_schema": schema,
                            "cache_control": {"type": "ephemeral"}}]);
    let typed = [ToolDefinition::function("get_weather")
        .with_description("Current weather")
        .with_parameters(schema.clone())];
    assert_eq!(
        recorded(ContentKind::ToolDefinitions, &openai),
        json!([expected])
    );
    assert_eq!(
        recorded(ContentKind::ToolDefinitions, &anthropic),
        json!([expected])
    );
    assert_eq!(
        recorded(ContentKind::ToolDefinitions, &typed),
        json!([expected])
    );
    assert_eq!(
        recorded(ContentKind::ToolDefinitions, &json!({"tools": anthropic})),
        json!([expected])
    );
    // Provider tools keep their type; a name is filled in when they have none.
    assert_eq!(
        recorded(
            ContentKind::ToolDefinitions,
            &json!([
                {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
                {"type": "code_interpreter"}
            ])
        ),
        json!([
            {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
            {"type": "code_interpreter", "name": "code_interpreter"}
        ])
    );
    // A parameter named `password` is a schema, not a secret: it is kept.
    let login = json!([{"name": "login", "input_schema": {"type": "object", "properties": {"password": {"type": "string"}}}}]);
    assert_eq!(
        recorded(ContentKind::ToolDefinitions, &login)[0]["parameters"]["properties"]["password"],
        json!({"type": "string"})
    );
}

// ---- values already in the conventions' shape ----

#[test]
fn values_in_the_conventions_shape_are_kept_as_they_are() {
    let input = [
        InputMessage::system("Be brief."),
        InputMessage::user("Weather in Paris?").with_name("ada"),
        InputMessage::new(
            "assistant",
            vec![
                MessagePart::reasoning("Use the tool."),
                MessagePart::tool_call(Some("call_1"), "get_weather", json!({"city": "Paris"})),
            ],
        ),
        InputMessage::new(
            "tool",
            vec![MessagePart::tool_call_response(
                Some("call_1"),
                json!("rainy"),
            )],
        ),
    ];
    let expected_input = serde_json::to_value(&input).unwrap();
    assert_eq!(recorded(ContentKind::InputMessages, &input), expected_input);
    // The same JSON, as a user would log it, comes back unchanged too (with extra properties).
    let mut raw = expected_input.clone();
    raw[0]["custom"] = json!({"keep": true});
    assert_eq!(recorded(ContentKind::InputMessages, &raw), raw);

    let output = [OutputMessage::assistant(
        vec![MessagePart::text("Rainy.")],
        FinishReason::Stop,
    )];
    assert_eq!(
        recorded(ContentKind::OutputMessages, &output),
        json!([{"role": "assistant", "finish_reason": "stop", "parts": [text("Rainy.")]}])
    );
}

#[test]
fn a_plain_string_is_one_user_message() {
    assert_eq!(
        recorded(ContentKind::InputMessages, "Weather in Paris?"),
        json!([{"role": "user", "parts": [text("Weather in Paris?")]}])
    );
    assert_eq!(
        content::to_json(ContentKind::InputMessages, &None::<String>),
        None
    );
}

// ---- tool calls and retrieval ----

#[derive(Serialize)]
struct Weather {
    city: &'static str,
    celsius: f64,
    conditions: Vec<&'static str>,
}

#[test]
fn tool_arguments_and_results_are_json() {
    assert_eq!(
        content::to_json(ContentKind::ToolCallArguments, r#"{"city": "Paris"}"#).unwrap(),
        r#"{"city":"Paris"}"#
    );
    assert_eq!(
        content::to_json(ContentKind::ToolCallResult, "rainy, 57°F").unwrap(),
        r#""rainy, 57°F""#
    );
    assert_eq!(
        content::to_json(ContentKind::ToolCallResult, &42).unwrap(),
        "42"
    );
    let weather = Weather {
        city: "Paris",
        celsius: 14.5,
        conditions: vec!["rain", "wind"],
    };
    assert_eq!(
        content::to_json(ContentKind::ToolCallResult, &weather).unwrap(),
        r#"{"celsius":14.5,"city":"Paris","conditions":["rain","wind"]}"#
    );
}

#[test]
fn retrieval_documents_validate() {
    let docs = json!([{"id": "doc_1", "score": 0.95, "content": "Paris is in France."}, {"id": "doc_2", "score": 0.5}]);
    assert_eq!(recorded(ContentKind::RetrievalDocuments, &docs), docs);
}

// ---- redaction ----

#[test]
fn secrets_are_redacted_before_recording() {
    let args = json!({
        "url": "https://api.example.com",
        "headers": {"Authorization": "Bearer abc.def.ghi-123", "X-Api-Key": "k-123", "Accept": "json"},
        "body": {"max_tokens": 100, "token_count": 3, "access_token": "t"},
        "note": "fallback key sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX and AKIAIOSFODNN7EXAMPLE"
    });
    assert_eq!(
        recorded(ContentKind::ToolCallArguments, &args),
        json!({
            "url": "https://api.example.com",
            "headers": {"Authorization": "[REDACTED]", "X-Api-Key": "[REDACTED]", "Accept": "json"},
            "body": {"max_tokens": 100, "token_count": 3, "access_token": "[REDACTED]"},
            "note": "fallback key [REDACTED] and [REDACTED]"
        })
    );
    let messages = json!([{"role": "user", "content": "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' x"}]);
    assert_eq!(
        recorded(ContentKind::InputMessages, &messages)[0]["parts"][0]["content"],
        "curl -H 'Authorization: Bearer [REDACTED]' x"
    );
    // Tool-call arguments inside messages are parsed, then redacted by key.
    let call = json!([{"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
        "function": {"name": "login", "arguments": "{\"user\":\"ada\",\"password\":\"hunter2\"}"}}]}]);
    assert_eq!(
        recorded(ContentKind::InputMessages, &call)[0]["parts"][0]["arguments"],
        json!({"user": "ada", "password": "[REDACTED]"})
    );
}

// ---- truncation ----

fn truncated_somewhere(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("…[truncated "),
        Value::Array(items) => items.iter().any(truncated_somewhere),
        Value::Object(map) => map.values().any(truncated_somewhere),
        _ => false,
    }
}

#[test]
fn long_conversations_are_shortened_evenly_and_stay_valid() {
    let messages: Vec<Value> = (0..40)
        .map(|i| {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            json!({"role": role, "content": format!("turn {i}: {}", "lorem ipsum ".repeat(200))})
        })
        .collect();
    let value = recorded(ContentKind::InputMessages, &messages);
    let kept = value.as_array().unwrap();
    assert_eq!(kept.len(), 40, "every message is still there");
    for (i, message) in kept.iter().enumerate() {
        let content = message["parts"][0]["content"].as_str().unwrap();
        assert!(
            content.starts_with(&format!("turn {i}: lorem")),
            "{content}"
        );
        assert!(content.ends_with(" bytes]"), "{content}");
    }
}

#[test]
fn too_many_messages_end_with_a_marker() {
    let messages: Vec<Value> = (0..5000)
        .map(|i| json!({"role": "user", "content": format!("message number {i}")}))
        .collect();
    let value = recorded(ContentKind::InputMessages, &messages);
    let kept = value.as_array().unwrap();
    assert!(kept.len() > 10 && kept.len() < 5000, "{}", kept.len());
    let marker = kept.last().unwrap()["parts"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(marker["type"], "text");
    let said = marker["content"].as_str().unwrap();
    assert!(
        said.starts_with("…[truncated ") && said.ends_with(" messages]"),
        "{said}"
    );
}

#[test]
fn truncated_outputs_of_every_kind_stay_valid() {
    let big = "x".repeat(100_000);
    let choices = json!({"choices": [
        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": big}},
        {"index": 1, "finish_reason": "stop", "message": {"role": "assistant", "content": big}}
    ]});
    let output = recorded(ContentKind::OutputMessages, &choices);
    assert_eq!(output.as_array().unwrap().len(), 2);
    assert!(truncated_somewhere(&output));

    let tools: Vec<Value> = (0..500)
        .map(|i| {
            json!({"type": "function", "function": {"name": format!("tool_{i}"),
            "description": "d".repeat(200), "parameters": {"type": "object"}}})
        })
        .collect();
    let defs = recorded(ContentKind::ToolDefinitions, &tools);
    assert!(truncated_somewhere(&defs));

    let parts: Vec<Value> = (0..3000)
        .map(|i| json!({"type": "text", "text": format!("block {i}")}))
        .collect();
    let system = recorded(ContentKind::SystemInstructions, &json!({"system": parts}));
    let last = system.as_array().unwrap().last().unwrap();
    assert!(
        last["content"].as_str().unwrap().ends_with(" parts]"),
        "{last}"
    );

    let docs: Vec<Value> = (0..5000)
        .map(|i| json!({"id": format!("doc_{i}"), "score": 0.5}))
        .collect();
    let kept = recorded(ContentKind::RetrievalDocuments, &docs);
    assert!(
        kept.as_array().unwrap().last().unwrap()["id"]
            .as_str()
            .unwrap()
            .ends_with(" documents]")
    );

    let args = json!({"query": big, "list": vec![1_000_000; 10_000]});
    let json = content::to_json(ContentKind::ToolCallArguments, &args).unwrap();
    assert!(json.len() <= DEFAULT_MAX_ATTRIBUTE_LEN);
    assert!(truncated_somewhere(&serde_json::from_str(&json).unwrap()));
}
