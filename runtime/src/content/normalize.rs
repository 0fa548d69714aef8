//! Provider shapes to the conventions' JSON shapes.
//!
//! Users pass what they already send over HTTP; this turns it into the shapes of the GenAI
//! conventions' schemas (`gen-ai-input-messages.json` and friends):
//!
//! | content | recognised shapes |
//! |---|---|
//! | input messages | a string (one user message); a list of OpenAI chat messages (`content` as a string or parts: `text`, `image_url`, `input_audio`, `file`; `tool_calls`; role `tool` with `tool_call_id`), Anthropic messages (blocks `text`, `image`, `document`, `tool_use`, `tool_result`, `thinking`), Gemini contents (`parts` with `text`, `functionCall`, `functionResponse`, `inlineData`, `fileData`), OpenAI Responses items (`function_call`, `function_call_output`); a whole request body (`messages`, `contents` or `input`) |
//! | output messages | OpenAI `choices` (or the whole response), legacy completion choices (`text`), an Anthropic response (`content`, `stop_reason`), Gemini `candidates`, a string |
//! | system instructions | a string, a list of strings or text blocks (Anthropic `system`), a system message, Gemini `systemInstruction` |
//! | tool definitions | OpenAI `{type: "function", function: {...}}`, Anthropic `{name, description, input_schema}`, Gemini `functionDeclarations`, a request body's `tools` |
//! | tool arguments, results | any JSON; a string holding a JSON object or array is parsed |
//!
//! Values already in the conventions' shape are kept as they are. Whatever is not recognised
//! is kept, as a generic part (`{"type": "<its type>", ...}`, `"unknown"` when it has none),
//! never dropped. Finish reasons are mapped to the conventions' values (`stop`, `length`,
//! `content_filter`, `tool_call`, `error`); an output message without one gets `"unknown"`.

use serde_json::{Map, Value};

use super::ContentKind;
use super::bounded::{SENTINEL, prune_depth, sentinel};
use super::markers::{self, Place, dropped_text, text_part};

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

// ---- building blocks ----

fn obj<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn string(value: Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn opt(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::String)
}

/// Removes the first of `keys` present (camelCase and snake_case spellings).
fn take(map: &mut Map<String, Value>, keys: &[&str]) -> Option<Value> {
    keys.iter().find_map(|k| map.remove(*k))
}

fn message(role: String, parts: Vec<Value>) -> Map<String, Value> {
    let mut message = Map::new();
    message.insert("role".to_owned(), Value::String(role));
    message.insert("parts".to_owned(), Value::Array(parts));
    message
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `value` kept as it is, its truncation sentinels turned into markers.
pub(crate) fn generic(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| match sentinel(&item) {
                    Some(n) => Value::String(dropped_text(n, "elements")),
                    None => generic(item),
                })
                .collect(),
        ),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                if key == SENTINEL {
                    let n = item.as_u64().unwrap_or(0);
                    out.insert("…".to_owned(), Value::String(format!("[truncated {n} entries]")));
                } else {
                    out.insert(key, generic(item));
                }
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// A JSON text parsed, when `value` is a string holding JSON (tool-call arguments are sent as
/// JSON text); otherwise `value` as it is.
fn parse_json_text(value: Value, only_containers: bool) -> Value {
    let Value::String(text) = value else {
        return generic(value);
    };
    let trimmed = text.trim_start();
    if only_containers && !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return Value::String(text);
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(mut parsed) => {
            prune_depth(&mut parsed);
            parsed
        }
        Err(_) => Value::String(text),
    }
}

fn modality_of(mime: Option<&str>) -> Value {
    match mime.and_then(|m| m.split('/').next()) {
        Some(kind @ ("image" | "video" | "audio")) => Value::from(kind),
        _ => Value::Null,
    }
}

fn blob(modality: Value, mime: Option<String>, content: String) -> Value {
    let modality = if modality.is_null() { modality_of(mime.as_deref()) } else { modality };
    obj([
        ("type", Value::from("blob")),
        ("modality", modality),
        ("mime_type", opt(mime)),
        ("content", Value::String(content)),
    ])
}

fn uri(modality: Value, mime: Option<String>, uri: String) -> Value {
    let modality = if modality.is_null() { modality_of(mime.as_deref()) } else { modality };
    obj([
        ("type", Value::from("uri")),
        ("modality", modality),
        ("mime_type", opt(mime)),
        ("uri", Value::String(uri)),
    ])
}

fn file(modality: Value, mime: Option<String>, file_id: String) -> Value {
    obj([
        ("type", Value::from("file")),
        ("modality", modality),
        ("mime_type", opt(mime)),
        ("file_id", Value::String(file_id)),
    ])
}

/// A URL that may be a `data:` URL: base64 data becomes a blob, anything else a URI.
fn url_part(modality: &str, url: String) -> Value {
    if let Some(rest) = url.strip_prefix("data:") {
        if let Some((meta, data)) = rest.split_once(',') {
            if let Some(mime) = meta.strip_suffix(";base64") {
                let mime = (!mime.is_empty()).then(|| mime.to_owned());
                return blob(Value::from(modality), mime, data.to_owned());
            }
        }
    }
    uri(Value::from(modality), None, url)
}

fn tool_call(id: Option<Value>, name: Option<Value>, arguments: Option<Value>) -> Value {
    obj([
        ("type", Value::from("tool_call")),
        ("id", opt(string(id))),
        ("name", Value::String(string(name).unwrap_or_default())),
        ("arguments", arguments.map_or(Value::Null, |a| parse_json_text(a, false))),
    ])
}

fn tool_call_response(id: Option<Value>, response: Option<Value>) -> Value {
    let mut part = Map::new();
    part.insert("type".to_owned(), Value::from("tool_call_response"));
    if let Some(id) = string(id) {
        part.insert("id".to_owned(), Value::String(id));
    }
    part.insert("response".to_owned(), response.map_or(Value::Null, generic));
    Value::Object(part)
}

fn reasoning(content: String) -> Value {
    obj([("type", Value::from("reasoning")), ("content", Value::String(content))])
}

// ---- parts ----

/// One part of a message, from any of the recognised shapes; `None` for `null`.
fn part(value: Value) -> Option<Value> {
    Some(match value {
        Value::Null => return None,
        Value::String(s) => text_part(s),
        Value::Object(map) => object_part(map),
        Value::Array(_) => obj([("type", Value::from("unknown")), ("content", generic(value))]),
        other => text_part(scalar_text(&other)),
    })
}

/// Appends the parts of a list (or single block), turning sentinels into markers.
fn push_parts(value: Value, parts: &mut Vec<Value>) {
    match value {
        Value::Array(items) => {
            for item in items {
                match sentinel(&item) {
                    Some(n) => parts.push(markers::dropped(Place::Parts, n)),
                    None => parts.extend(part(item)),
                }
            }
        }
        other => parts.extend(part(other)),
    }
}

fn object_part(mut map: Map<String, Value>) -> Value {
    let kind = map.get("type").and_then(Value::as_str).map(str::to_owned);
    let Some(kind) = kind else {
        return untyped_part(map);
    };
    match kind.as_str() {
        "text" | "input_text" | "output_text" => match map.remove("text") {
            Some(Value::String(text)) => text_part(text),
            other => {
                if let Some(text) = other {
                    map.insert("text".to_owned(), text);
                }
                if kind == "text" {
                    generic(Value::Object(map))
                } else {
                    map.insert("type".to_owned(), Value::from("text"));
                    generic(Value::Object(map))
                }
            }
        },
        "image_url" => match map.remove("image_url") {
            Some(Value::String(url)) => url_part("image", url),
            Some(Value::Object(mut image)) => match string(image.remove("url")) {
                Some(url) => url_part("image", url),
                None => generic(Value::Object(image)),
            },
            _ => generic(Value::Object(map)),
        },
        "input_image" => {
            if let Some(url) = string(map.remove("image_url")) {
                url_part("image", url)
            } else if let Some(id) = string(map.remove("file_id")) {
                file(Value::from("image"), None, id)
            } else {
                generic(Value::Object(map))
            }
        }
        "input_audio" => match map.remove("input_audio") {
            Some(Value::Object(mut audio)) => {
                let format = string(audio.remove("format"));
                match string(audio.remove("data")) {
                    Some(data) => {
                        let mime = format.map(|f| match f.as_str() {
                            "mp3" => "audio/mpeg".to_owned(),
                            other => format!("audio/{other}"),
                        });
                        blob(Value::from("audio"), mime, data)
                    }
                    None => generic(Value::Object(map)),
                }
            }
            other => {
                if let Some(other) = other {
                    map.insert("input_audio".to_owned(), other);
                }
                generic(Value::Object(map))
            }
        },
        "file" if map.get("file").is_some_and(Value::is_object) => {
            let Some(Value::Object(mut inner)) = map.remove("file") else {
                return generic(Value::Object(map));
            };
            if let Some(id) = string(inner.remove("file_id")) {
                file(Value::Null, None, id)
            } else if let Some(data) = string(inner.remove("file_data")) {
                data_part(data)
            } else {
                map.insert("file".to_owned(), Value::Object(inner));
                generic(Value::Object(map))
            }
        }
        "input_file" => {
            if let Some(id) = string(map.remove("file_id")) {
                file(Value::Null, None, id)
            } else if let Some(data) = string(map.remove("file_data")) {
                data_part(data)
            } else if let Some(url) = string(map.remove("file_url")) {
                uri(Value::Null, None, url)
            } else {
                generic(Value::Object(map))
            }
        }
        "image" | "document" if map.get("source").is_some_and(Value::is_object) => {
            let modality = if kind == "image" { Value::from("image") } else { Value::Null };
            anthropic_source(map, modality)
        }
        "tool_use" => tool_call(map.remove("id"), map.remove("name"), map.remove("input")),
        "tool_result" => {
            let is_error = map.remove("is_error");
            let mut part = tool_call_response(map.remove("tool_use_id"), map.remove("content"));
            if let (Some(Value::Bool(true)), Value::Object(part)) = (is_error, &mut part) {
                part.insert("is_error".to_owned(), Value::Bool(true));
            }
            part
        }
        "thinking" => match string(map.remove("thinking")) {
            Some(thinking) => reasoning(thinking),
            None => generic(Value::Object(map)),
        },
        "function_call" => tool_call(
            map.remove("call_id").or_else(|| map.remove("id")),
            map.remove("name"),
            map.remove("arguments"),
        ),
        "function_call_output" => tool_call_response(map.remove("call_id"), map.remove("output")),
        "reasoning" if !map.get("content").is_some_and(Value::is_string) => {
            match map.remove("summary") {
                Some(Value::Array(summary)) => {
                    let text: Vec<String> = summary
                        .into_iter()
                        .filter_map(|s| match s {
                            Value::Object(mut s) => string(s.remove("text")),
                            Value::String(s) => Some(s),
                            _ => None,
                        })
                        .collect();
                    reasoning(text.join("\n"))
                }
                other => {
                    if let Some(other) = other {
                        map.insert("summary".to_owned(), other);
                    }
                    generic(Value::Object(map))
                }
            }
        }
        // The conventions' own parts and every other type: kept as they are.
        _ => generic(Value::Object(map)),
    }
}

/// A `data:` URL or bare base64 data of a file.
fn data_part(data: String) -> Value {
    if data.starts_with("data:") {
        match url_part("", data) {
            Value::Object(mut part) => {
                let mime = part.get("mime_type").and_then(Value::as_str).map(str::to_owned);
                part.remove("modality");
                if let Value::String(m) = modality_of(mime.as_deref()) {
                    part.insert("modality".to_owned(), Value::String(m));
                }
                Value::Object(part)
            }
            other => other,
        }
    } else {
        blob(Value::Null, None, data)
    }
}

/// Anthropic `image`/`document` blocks: a `source` of type `base64`, `url`, `file` or `text`.
fn anthropic_source(mut map: Map<String, Value>, modality: Value) -> Value {
    let Some(Value::Object(mut source)) = map.remove("source") else {
        return generic(Value::Object(map));
    };
    let source_type = source.get("type").and_then(Value::as_str).unwrap_or_default();
    match source_type {
        "base64" => {
            let mime = string(source.remove("media_type"));
            match string(source.remove("data")) {
                Some(data) => return blob(modality, mime, data),
                None => {
                    if let Some(mime) = mime {
                        source.insert("media_type".to_owned(), Value::String(mime));
                    }
                }
            }
        }
        "url" => {
            if let Some(url) = string(source.remove("url")) {
                return uri(modality, None, url);
            }
        }
        "file" => {
            if let Some(id) = string(source.remove("file_id")) {
                return file(modality, None, id);
            }
        }
        "text" => {
            if let Some(text) = string(source.remove("data")) {
                return text_part(text);
            }
        }
        _ => {}
    }
    map.insert("source".to_owned(), Value::Object(source));
    generic(Value::Object(map))
}

/// A part without `type`: Gemini's (`text`, `functionCall`, ...), or unknown.
fn untyped_part(mut map: Map<String, Value>) -> Value {
    if let Some(Value::String(text)) = map.get("text") {
        let text = text.clone();
        return if map.get("thought") == Some(&Value::Bool(true)) {
            reasoning(text)
        } else {
            text_part(text)
        };
    }
    if let Some(Value::Object(mut call)) = take(&mut map, &["functionCall", "function_call"]) {
        return tool_call(call.remove("id"), call.remove("name"), call.remove("args"));
    }
    if let Some(Value::Object(mut response)) =
        take(&mut map, &["functionResponse", "function_response"])
    {
        return tool_call_response(response.remove("id"), response.remove("response"));
    }
    if let Some(Value::Object(mut data)) = take(&mut map, &["inlineData", "inline_data"]) {
        let mime = string(take(&mut data, &["mimeType", "mime_type"]));
        if let Some(content) = string(data.remove("data")) {
            return blob(Value::Null, mime, content);
        }
    }
    if let Some(Value::Object(mut data)) = take(&mut map, &["fileData", "file_data"]) {
        let mime = string(take(&mut data, &["mimeType", "mime_type"]));
        if let Some(file_uri) = string(take(&mut data, &["fileUri", "file_uri"])) {
            return uri(Value::Null, mime, file_uri);
        }
    }
    map.insert("type".to_owned(), Value::from("unknown"));
    generic(Value::Object(map))
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
fn chat_message(mut map: Map<String, Value>, default_role: &str, output: bool) -> Map<String, Value> {
    let role = role_of(map.remove("role"), default_role);
    let finish = output.then(|| {
        finish_reason(take(&mut map, &["finish_reason", "stop_reason", "finishReason"]))
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
        parts.push(obj([("type", Value::from("refusal")), ("content", Value::String(refusal))]));
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
        parts.push(tool_call(None, call.remove("name"), call.remove("arguments")));
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
    match call.remove("function").or_else(|| call.remove("custom")) {
        Some(Value::Object(mut function)) => tool_call(
            id,
            function.remove("name"),
            function.remove("arguments").or_else(|| function.remove("input")),
        ),
        _ => {
            if let Some(id) = id {
                call.insert("id".to_owned(), id);
            }
            part(Value::Object(call)).unwrap_or(Value::Null)
        }
    }
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
        other => Value::Object(message("user".to_owned(), part(other).into_iter().collect())),
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
    // An OpenAI choice `{message, finish_reason}` or a Gemini candidate `{content, finishReason}`.
    let inner = match map.get("message").or_else(|| map.get("content")) {
        Some(Value::Object(inner))
            if inner.contains_key("role")
                || inner.contains_key("content")
                || inner.contains_key("parts") =>
        {
            take(&mut map, &["message", "content"])
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
                    &["system", "systemInstruction", "system_instruction", "instructions"],
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
        ("name", Value::String(string(map.remove("name")).unwrap_or_default())),
        ("description", opt(string(map.remove("description")))),
        (
            "parameters",
            take(&mut map, &["parameters", "input_schema", "parametersJsonSchema"])
                .map_or(Value::Null, generic),
        ),
    ])
}

fn tool_definition(value: Value, out: &mut Vec<Value>) {
    let mut map = match value {
        Value::Object(map) => map,
        Value::String(name) => {
            out.push(obj([("type", Value::from("function")), ("name", Value::String(name))]));
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
    let function_typed = map.get("type").and_then(Value::as_str).is_none_or(|t| t == "function");
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
        assert_eq!(norm(ContentKind::ToolCallArguments, json!("{\"a\": 1}")), json!({"a": 1}));
        assert_eq!(norm(ContentKind::ToolCallResult, json!("sunny")), json!("sunny"));
        assert_eq!(norm(ContentKind::ToolCallResult, json!("42")), json!("42"));
        assert_eq!(norm(ContentKind::ToolCallResult, json!("[1, 2")), json!("[1, 2"));
        assert_eq!(normalize(ContentKind::ToolCallResult, Value::Null), None);
    }
}
