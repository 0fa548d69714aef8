//! Provider shapes to the conventions' JSON shapes (the table of recognised shapes is in the
//! docs of [`content`](super)).
//!
//! Works on the bounded `Value` (owned: strings are moved, never copied) and turns the
//! serializer's sentinels into markers of the right shape for where they sit.

use serde_json::{Map, Value};

use super::ContentKind;
use super::bounded::sentinel;
use super::markers::{self, Place, text_part};
use super::parts::{
    generic, message, obj, opt, parse_json_text, part, push_parts, reasoning, scalar_text, string,
    take, tool_call, tool_call_response,
};

/// The conventions' shape of `value`, a piece of content of `kind`; `None` for `null`.
pub(crate) fn normalize(kind: ContentKind, value: Value) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    Some(match kind {
        ContentKind::InputMessages => Value::Array(input_messages(value)),
        ContentKind::OutputMessages => Value::Array(output_messages(value)),
        ContentKind::SystemInstructions => Value::Array(instructions(value)),
        ContentKind::ToolDefinitions => Value::Array(tool_definitions(value)),
        ContentKind::ToolCallArguments | ContentKind::ToolCallResult => payload(value),
        ContentKind::RetrievalDocuments => documents(value),
    })
}

// ---- messages ----

fn role_of(value: Option<Value>, default: &str) -> String {
    match string(value) {
        // Gemini's `model` and OpenAI's legacy `function` results are the conventions'
        // `assistant` and `tool`.
        Some(role) if role == "model" => "assistant".to_owned(),
        Some(role) if role == "function" => "tool".to_owned(),
        Some(role) => role,
        None => default.to_owned(),
    }
}

/// A message object with `role` (or Gemini `parts`), from any recognised shape.
fn chat_message(
    mut map: Map<String, Value>,
    default_role: &str,
    output: bool,
) -> Map<String, Value> {
    let role = role_of(map.remove("role"), default_role);
    let finish = output.then(|| {
        finish_reason(take(
            &mut map,
            &["finish_reason", "stop_reason", "finishReason"],
        ))
    });

    // Already the conventions' shape (or Gemini's): everything kept, parts normalized.
    if map.get("parts").is_some_and(Value::is_array) && !map.contains_key("content") {
        let mut parts = Vec::new();
        if let Some(list) = map.remove("parts") {
            push_parts(list, &mut parts);
        }
        let mut out = message(role, parts);
        for (key, value) in map {
            out.insert(key, generic(value));
        }
        if let Some(finish) = finish {
            out.insert("finish_reason".to_owned(), finish);
        }
        return out;
    }

    let mut parts = Vec::new();
    if let Some(reasoning_text) = string(take(&mut map, &["reasoning_content", "reasoning"])) {
        parts.push(reasoning(reasoning_text));
    }
    let tool_call_id = map.remove("tool_call_id");
    if let Some(content) = map.remove("content") {
        if role == "tool" || tool_call_id.is_some() {
            parts.push(tool_call_response(tool_call_id, Some(content)));
        } else {
            push_parts(content, &mut parts);
        }
    }
    if let Some(refusal) = string(map.remove("refusal")) {
        parts.push(obj([
            ("type", Value::from("refusal")),
            ("content", Value::String(refusal)),
        ]));
    }
    if let Some(Value::Array(calls)) = map.remove("tool_calls") {
        for call in calls {
            match (sentinel(&call), call) {
                (Some(n), _) => parts.push(markers::dropped(Place::Parts, n)),
                (None, Value::Object(call)) => parts.push(openai_tool_call(call)),
                (None, other) => parts.extend(part(other)),
            }
        }
    }
    if let Some(Value::Object(mut call)) = map.remove("function_call") {
        parts.push(tool_call(
            None,
            call.remove("name"),
            call.remove("arguments"),
        ));
    }
    let mut out = message(role, parts);
    if let Some(name) = string(map.remove("name")) {
        out.insert("name".to_owned(), Value::String(name));
    }
    if let Some(finish) = finish {
        out.insert("finish_reason".to_owned(), finish);
    }
    out
}

fn openai_tool_call(mut call: Map<String, Value>) -> Value {
    let id = call.remove("id");
    if let Some(Value::Object(mut function)) =
        call.remove("function").or_else(|| call.remove("custom"))
    {
        return tool_call(
            id,
            function.remove("name"),
            function
                .remove("arguments")
                .or_else(|| function.remove("input")),
        );
    }
    if let Some(id) = id {
        call.insert("id".to_owned(), id);
    }
    part(Value::Object(call)).unwrap_or(Value::Null)
}

/// The conventions' finish reason for a provider's.
fn finish_reason(value: Option<Value>) -> Value {
    let Some(reason) = string(value) else {
        return Value::from("unknown");
    };
    let mapped = match reason.to_ascii_lowercase().as_str() {
        "stop" | "end_turn" | "stop_sequence" | "completed" => "stop",
        "length" | "max_tokens" | "max_output_tokens" => "length",
        "tool_calls" | "tool_call" | "function_call" | "tool_use" => "tool_call",
        "content_filter" | "refusal" | "safety" | "recitation" | "blocklist"
        | "prohibited_content" | "spii" | "image_safety" => "content_filter",
        "error" | "malformed_function_call" => "error",
        _ => return Value::String(reason),
    };
    Value::from(mapped)
}

fn input_messages(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match sentinel(&item) {
                    Some(n) => markers::append_dropped(Place::InputMessages, &mut out, n),
                    None => out.push(input_message(item)),
                }
            }
            out
        }
        Value::Object(mut map) => {
            if !map.contains_key("role") {
                if let Some(list) = take(&mut map, &["messages", "contents", "input"]) {
                    return input_messages(list);
                }
            }
            vec![input_message(Value::Object(map))]
        }
        other => vec![input_message(other)],
    }
}

fn input_message(value: Value) -> Value {
    match value {
        Value::Object(map)
            if map.contains_key("role") || map.get("parts").is_some_and(Value::is_array) =>
        {
            Value::Object(chat_message(map, "user", false))
        }
        // OpenAI Responses items without a role.
        Value::Object(map) => {
            let role = match map.get("type").and_then(Value::as_str) {
                Some("function_call" | "reasoning") => "assistant",
                Some("function_call_output") => "tool",
                _ => "user",
            };
            let parts = part(Value::Object(map)).into_iter().collect();
            Value::Object(message(role.to_owned(), parts))
        }
        other => Value::Object(message(
            "user".to_owned(),
            part(other).into_iter().collect(),
        )),
    }
}

fn output_messages(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match sentinel(&item) {
                    Some(n) => markers::append_dropped(Place::OutputMessages, &mut out, n),
                    None => out.push(output_message(item)),
                }
            }
            out
        }
        Value::Object(mut map) => {
            if let Some(list) = take(&mut map, &["choices", "candidates"]) {
                return output_messages(list);
            }
            if let Some(Value::Array(items)) = map.remove("output") {
                return vec![responses_output(items, &mut map)];
            }
            vec![output_message(Value::Object(map))]
        }
        other => vec![output_message(other)],
    }
}

fn output_message(value: Value) -> Value {
    let Value::Object(mut map) = value else {
        let mut message = message("assistant".to_owned(), part(value).into_iter().collect());
        message.insert("finish_reason".to_owned(), Value::from("unknown"));
        return Value::Object(message);
    };
    // An OpenAI choice `{message, finish_reason}` (a streamed one has `delta`), or a Gemini
    // candidate `{content, finishReason}`.
    let inner = match map
        .get("message")
        .or_else(|| map.get("delta"))
        .or_else(|| map.get("content"))
    {
        Some(Value::Object(inner))
            if inner.contains_key("role")
                || inner.contains_key("content")
                || inner.contains_key("parts") =>
        {
            take(&mut map, &["message", "delta", "content"])
        }
        _ => None,
    };
    if let Some(Value::Object(mut inner)) = inner {
        if let Some(reason) = take(&mut map, &["finish_reason", "finishReason", "stop_reason"]) {
            inner.insert("finish_reason".to_owned(), reason);
        }
        return Value::Object(chat_message(inner, "assistant", true));
    }
    // A legacy completion choice `{text, index, finish_reason}`.
    if !map.contains_key("role") && !map.contains_key("type") {
        if let Some(Value::String(text)) = map.remove("text") {
            let mut message = message("assistant".to_owned(), vec![text_part(text)]);
            message.insert(
                "finish_reason".to_owned(),
                finish_reason(map.remove("finish_reason")),
            );
            return Value::Object(message);
        }
    }
    if map.contains_key("role") || map.contains_key("content") || map.contains_key("parts") {
        return Value::Object(chat_message(map, "assistant", true));
    }
    let mut message = message(
        "assistant".to_owned(),
        part(Value::Object(map)).into_iter().collect(),
    );
    message.insert("finish_reason".to_owned(), Value::from("unknown"));
    Value::Object(message)
}

/// An OpenAI Responses API response: its `output` items (messages, function calls,
/// reasoning) are one generation, so one message.
fn responses_output(items: Vec<Value>, response: &mut Map<String, Value>) -> Value {
    let mut parts = Vec::new();
    for item in items {
        match item {
            Value::Object(map) if map.contains_key("role") || map.contains_key("content") => {
                if let Some(Value::Array(inner)) =
                    chat_message(map, "assistant", false).remove("parts")
                {
                    parts.extend(inner);
                }
            }
            other => parts.extend(part(other)),
        }
    }
    let incomplete = match response.remove("incomplete_details") {
        Some(Value::Object(mut details)) => details.remove("reason"),
        _ => None,
    };
    let finish = if parts
        .iter()
        .any(|p| p.get("type").is_some_and(|t| t == "tool_call"))
    {
        Value::from("tool_call")
    } else {
        finish_reason(incomplete.or_else(|| response.remove("status")))
    };
    let mut message = message("assistant".to_owned(), parts);
    message.insert("finish_reason".to_owned(), finish);
    Value::Object(message)
}

// ---- system instructions ----

fn instructions(value: Value) -> Vec<Value> {
    let mut parts = Vec::new();
    push_instructions(value, &mut parts);
    parts
}

fn push_instructions(value: Value, parts: &mut Vec<Value>) {
    match value {
        Value::Array(items) => {
            for item in items {
                match sentinel(&item) {
                    Some(n) => parts.push(markers::dropped(Place::Parts, n)),
                    None => push_instruction(item, parts),
                }
            }
        }
        Value::Object(mut map) => {
            if !map.contains_key("role") && !map.contains_key("type") {
                if let Some(inner) = take(
                    &mut map,
                    &[
                        "system",
                        "systemInstruction",
                        "system_instruction",
                        "instructions",
                    ],
                ) {
                    push_instructions(inner, parts);
                    return;
                }
            }
            push_instruction(Value::Object(map), parts);
        }
        other => push_instruction(other, parts),
    }
}

fn push_instruction(value: Value, parts: &mut Vec<Value>) {
    match value {
        // A system message, or Gemini's `systemInstruction` content: its parts.
        Value::Object(map)
            if map.contains_key("role")
                || (!map.contains_key("type") && map.get("parts").is_some_and(Value::is_array)) =>
        {
            if let Some(Value::Array(inner)) = chat_message(map, "system", false).remove("parts") {
                parts.extend(inner);
            }
        }
        other => parts.extend(part(other)),
    }
}

// ---- tool definitions ----

fn tool_definitions(value: Value) -> Vec<Value> {
    let mut out = Vec::new();
    match value {
        Value::Array(items) => {
            for item in items {
                match sentinel(&item) {
                    Some(n) => out.push(markers::dropped(Place::ToolDefinitions, n)),
                    None => tool_definition(item, &mut out),
                }
            }
        }
        Value::Object(mut map) if !map.contains_key("name") && map.contains_key("tools") => {
            if let Some(tools) = map.remove("tools") {
                return tool_definitions(tools);
            }
        }
        other => tool_definition(other, &mut out),
    }
    out
}

fn function_definition(mut map: Map<String, Value>) -> Value {
    obj([
        ("type", Value::from("function")),
        (
            "name",
            Value::String(string(map.remove("name")).unwrap_or_default()),
        ),
        ("description", opt(string(map.remove("description")))),
        (
            "parameters",
            take(
                &mut map,
                &["parameters", "input_schema", "parametersJsonSchema"],
            )
            .map_or(Value::Null, generic),
        ),
    ])
}

fn tool_definition(value: Value, out: &mut Vec<Value>) {
    let mut map = match value {
        Value::Object(map) => map,
        Value::String(name) => {
            out.push(obj([
                ("type", Value::from("function")),
                ("name", Value::String(name)),
            ]));
            return;
        }
        other => {
            out.push(obj([
                ("type", Value::from("unknown")),
                ("name", Value::String(scalar_text(&other))),
            ]));
            return;
        }
    };
    // OpenAI chat: `{type: "function", function: {name, description, parameters}}`.
    let function_typed = map
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(|t| t == "function");
    if function_typed && map.get("function").is_some_and(Value::is_object) {
        if let Some(Value::Object(function)) = map.remove("function") {
            out.push(function_definition(function));
            return;
        }
    }
    // Gemini: `{functionDeclarations: [...]}`.
    if let Some(Value::Array(decls)) =
        take(&mut map, &["functionDeclarations", "function_declarations"])
    {
        for decl in decls {
            match decl {
                Value::Object(decl) => out.push(function_definition(decl)),
                other => tool_definition(other, out),
            }
        }
        return;
    }
    // Anthropic: `{name, description, input_schema}` (custom tools may say `type: "custom"`).
    if map.contains_key("input_schema")
        || (!map.contains_key("type") && map.get("name").is_some_and(Value::is_string))
    {
        out.push(function_definition(map));
        return;
    }
    // The conventions' shape, and provider tools (`web_search`, ...): kept, with `type` and
    // `name` filled in when missing (the schema requires both).
    let kind = map
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("function")
        .to_owned();
    if !map.get("type").is_some_and(Value::is_string) {
        map.insert("type".to_owned(), Value::String(kind.clone()));
    }
    if !map.get("name").is_some_and(Value::is_string) {
        map.insert("name".to_owned(), Value::String(kind));
    }
    out.push(generic(Value::Object(map)));
}

// ---- tool payloads and documents ----

fn payload(value: Value) -> Value {
    parse_json_text(value, true)
}

fn documents(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match sentinel(&item) {
                    Some(n) => markers::dropped(Place::Documents, n),
                    None => generic(item),
                })
                .collect(),
        ),
        Value::Object(_) => Value::Array(vec![generic(value)]),
        other => generic(other),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::content::bounded::SENTINEL;

    fn norm(kind: ContentKind, value: Value) -> Value {
        normalize(kind, value).unwrap()
    }

    #[test]
    fn openai_messages() {
        let input = json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
            ]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
                {"id": "call_2", "type": "function", "function": {"name": "broken", "arguments": "{not json"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "rainy, 57°F"}
        ]);
        assert_eq!(
            norm(ContentKind::InputMessages, input),
            json!([
                {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
                {"role": "user", "parts": [
                    {"type": "text", "content": "What is this?"},
                    {"type": "blob", "modality": "image", "mime_type": "image/png", "content": "iVBORw0KGgo="},
                    {"type": "uri", "modality": "image", "uri": "https://example.com/cat.jpg"}
                ]},
                {"role": "assistant", "parts": [
                    {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}},
                    {"type": "tool_call", "id": "call_2", "name": "broken", "arguments": "{not json"}
                ]},
                {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"}]}
            ])
        );
    }

    #[test]
    fn anthropic_response_and_finish_reasons() {
        let response = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
            "content": [
                {"type": "thinking", "thinking": "Let me think.", "signature": "abc"},
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
            ],
            "stop_reason": "tool_use"
        });
        assert_eq!(
            norm(ContentKind::OutputMessages, response),
            json!([{"role": "assistant", "finish_reason": "tool_call", "parts": [
                {"type": "reasoning", "content": "Let me think."},
                {"type": "text", "content": "Checking."},
                {"type": "tool_call", "id": "toolu_1", "name": "get_weather", "arguments": {"city": "Paris"}}
            ]}])
        );
    }

    #[test]
    fn sentinels_become_markers_of_the_right_shape() {
        let input = json!([
            {"role": "user", "content": "hi"},
            {SENTINEL: 3}
        ]);
        assert_eq!(
            norm(ContentKind::InputMessages, input),
            json!([{"role": "user", "parts": [
                {"type": "text", "content": "hi"},
                {"type": "text", "content": "…[truncated 3 messages]"}
            ]}])
        );
        let args = json!({"list": [1, {SENTINEL: 2}], SENTINEL: 4});
        assert_eq!(
            norm(ContentKind::ToolCallArguments, args),
            json!({"list": [1, "…[truncated 2 elements]"], "…": "[truncated 4 entries]"})
        );
    }

    #[test]
    fn unknown_things_are_kept_as_generic_parts() {
        let input = json!([{"role": "user", "content": [
            {"type": "video_frame", "ts": 3},
            {"weird": true},
            7
        ]}]);
        assert_eq!(
            norm(ContentKind::InputMessages, input),
            json!([{"role": "user", "parts": [
                {"type": "video_frame", "ts": 3},
                {"type": "unknown", "weird": true},
                {"type": "text", "content": "7"}
            ]}])
        );
    }

    #[test]
    fn tool_payloads_parse_json_text_only_for_containers() {
        assert_eq!(
            norm(ContentKind::ToolCallArguments, json!("{\"a\": 1}")),
            json!({"a": 1})
        );
        assert_eq!(
            norm(ContentKind::ToolCallResult, json!("sunny")),
            json!("sunny")
        );
        assert_eq!(norm(ContentKind::ToolCallResult, json!("42")), json!("42"));
        assert_eq!(
            norm(ContentKind::ToolCallResult, json!("[1, 2")),
            json!("[1, 2")
        );
        assert_eq!(normalize(ContentKind::ToolCallResult, Value::Null), None);
    }
}
