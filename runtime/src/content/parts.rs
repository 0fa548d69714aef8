//! Message parts: every provider's blocks to the conventions' parts, and the JSON builders the
//! normalizer shares.

use serde_json::{Map, Value};

use super::bounded::{SENTINEL, prune_depth, sentinel};
use super::markers::{self, ENTRIES_KEY, Place, dropped_entries, dropped_text, text_part};

pub(crate) fn obj<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

pub(crate) fn string(value: Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

pub(crate) fn opt(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::String)
}

/// Removes the first of `keys` present (`camelCase` and `snake_case` spellings).
pub(crate) fn take(map: &mut Map<String, Value>, keys: &[&str]) -> Option<Value> {
    keys.iter().find_map(|k| map.remove(*k))
}

pub(crate) fn message(role: String, parts: Vec<Value>) -> Map<String, Value> {
    let mut message = Map::new();
    message.insert("role".to_owned(), Value::String(role));
    message.insert("parts".to_owned(), Value::Array(parts));
    message
}

pub(crate) fn scalar_text(value: &Value) -> String {
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
                    let n = usize::try_from(item.as_u64().unwrap_or(0)).unwrap_or(usize::MAX);
                    out.insert(ENTRIES_KEY.to_owned(), Value::String(dropped_entries(n)));
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
pub(crate) fn parse_json_text(value: Value, only_containers: bool) -> Value {
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

pub(crate) fn modality_of(mime: Option<&str>) -> Value {
    match mime.and_then(|m| m.split('/').next()) {
        Some(kind @ ("image" | "video" | "audio")) => Value::from(kind),
        _ => Value::Null,
    }
}

pub(crate) fn blob(modality: Value, mime: Option<String>, content: String) -> Value {
    let modality = if modality.is_null() {
        modality_of(mime.as_deref())
    } else {
        modality
    };
    obj([
        ("type", Value::from("blob")),
        ("modality", modality),
        ("mime_type", opt(mime)),
        ("content", Value::String(content)),
    ])
}

pub(crate) fn uri(modality: Value, mime: Option<String>, uri: String) -> Value {
    let modality = if modality.is_null() {
        modality_of(mime.as_deref())
    } else {
        modality
    };
    obj([
        ("type", Value::from("uri")),
        ("modality", modality),
        ("mime_type", opt(mime)),
        ("uri", Value::String(uri)),
    ])
}

pub(crate) fn file(modality: Value, mime: Option<String>, file_id: String) -> Value {
    obj([
        ("type", Value::from("file")),
        ("modality", modality),
        ("mime_type", opt(mime)),
        ("file_id", Value::String(file_id)),
    ])
}

/// A URL that may be a `data:` URL: base64 data becomes a blob, anything else a URI.
pub(crate) fn url_part(modality: &str, url: String) -> Value {
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

pub(crate) fn tool_call(id: Option<Value>, name: Option<Value>, arguments: Option<Value>) -> Value {
    obj([
        ("type", Value::from("tool_call")),
        ("id", opt(string(id))),
        ("name", Value::String(string(name).unwrap_or_default())),
        (
            "arguments",
            arguments.map_or(Value::Null, |a| parse_json_text(a, false)),
        ),
    ])
}

pub(crate) fn tool_call_response(id: Option<Value>, response: Option<Value>) -> Value {
    let mut part = Map::new();
    part.insert("type".to_owned(), Value::from("tool_call_response"));
    if let Some(id) = string(id) {
        part.insert("id".to_owned(), Value::String(id));
    }
    part.insert("response".to_owned(), response.map_or(Value::Null, generic));
    Value::Object(part)
}

pub(crate) fn reasoning(content: String) -> Value {
    obj([
        ("type", Value::from("reasoning")),
        ("content", Value::String(content)),
    ])
}

/// One part of a message, from any of the recognised shapes; `None` for `null`.
pub(crate) fn part(value: Value) -> Option<Value> {
    Some(match value {
        Value::Null => return None,
        Value::String(s) => text_part(s),
        Value::Object(map) => object_part(map),
        Value::Array(_) => obj([
            ("type", Value::from("unknown")),
            ("content", generic(value)),
        ]),
        other => text_part(scalar_text(&other)),
    })
}

/// Appends the parts of a list (or single block), turning sentinels into markers.
pub(crate) fn push_parts(value: Value, parts: &mut Vec<Value>) {
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

pub(crate) fn object_part(mut map: Map<String, Value>) -> Value {
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
            let modality = if kind == "image" {
                Value::from("image")
            } else {
                Value::Null
            };
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
pub(crate) fn data_part(data: String) -> Value {
    if data.starts_with("data:") {
        match url_part("", data) {
            Value::Object(mut part) => {
                let mime = part
                    .get("mime_type")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
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
pub(crate) fn anthropic_source(mut map: Map<String, Value>, modality: Value) -> Value {
    let Some(Value::Object(mut source)) = map.remove("source") else {
        return generic(Value::Object(map));
    };
    let source_type = source
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
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
pub(crate) fn untyped_part(mut map: Map<String, Value>) -> Value {
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
