//! What stands in for content that was cut: markers that say so and that the conventions'
//! schemas accept where they are put.

use serde_json::{Map, Value};

use super::ContentKind;

/// Where a value sits in a piece of content: it decides what marks dropped elements of an
/// array there, and whether an object there may lose entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// The list of `gen_ai.input.messages`.
    InputMessages,
    /// The list of `gen_ai.output.messages`.
    OutputMessages,
    /// One message object.
    Message,
    /// A list of message parts (a message's `parts`, or system instructions).
    Parts,
    /// The list of `gen_ai.tool.definitions`.
    ToolDefinitions,
    /// One tool definition.
    ToolDefinition,
    /// The list of `gen_ai.retrieval.documents`.
    Documents,
    /// An object of the conventions whose keys are kept (a part, a document).
    Entry,
    /// A JSON schema (tool parameters): its objects keep their keys, so that it stays a
    /// schema.
    Schema,
    /// Anything else: tool arguments, results, the payload of a part. Objects here may lose
    /// entries.
    Generic,
}

impl Place {
    /// The place of a whole piece of content of `kind`.
    pub(crate) fn of(kind: ContentKind) -> Place {
        match kind {
            ContentKind::InputMessages => Place::InputMessages,
            ContentKind::OutputMessages => Place::OutputMessages,
            ContentKind::SystemInstructions => Place::Parts,
            ContentKind::ToolDefinitions => Place::ToolDefinitions,
            ContentKind::RetrievalDocuments => Place::Documents,
            ContentKind::ToolCallArguments | ContentKind::ToolCallResult => Place::Generic,
        }
    }

    /// The place of the elements of an array at this place.
    pub(crate) fn element(self) -> Place {
        match self {
            Place::InputMessages | Place::OutputMessages => Place::Message,
            Place::Parts | Place::Documents => Place::Entry,
            Place::ToolDefinitions => Place::ToolDefinition,
            Place::Schema => Place::Schema,
            _ => Place::Generic,
        }
    }

    /// The place of the value under `key` of an object at this place.
    pub(crate) fn member(self, key: &str) -> Place {
        match (self, key) {
            (Place::Message, "parts") => Place::Parts,
            (Place::ToolDefinition, "parameters") | (Place::Schema, _) => Place::Schema,
            _ => Place::Generic,
        }
    }

    /// Whether an object here may lose entries.
    pub(crate) fn drops_entries(self) -> bool {
        self == Place::Generic
    }
}

/// `…[truncated N bytes]`: ends a string that was cut, counting the bytes left out.
pub(crate) fn suffix(bytes: usize) -> String {
    format!("…[truncated {bytes} bytes]")
}

/// `…[truncated N <what>]`, singular for one.
pub(crate) fn dropped_text(count: usize, what: &str) -> String {
    let what = if count == 1 {
        what.strip_suffix('s').unwrap_or(what)
    } else {
        what
    };
    format!("…[truncated {count} {what}]")
}

/// A text part.
pub(crate) fn text_part(content: String) -> Value {
    let mut part = Map::new();
    part.insert("type".to_owned(), Value::from("text"));
    part.insert("content".to_owned(), Value::String(content));
    Value::Object(part)
}

/// A message holding one text part saying what was truncated.
fn marker_message(content: String, output: bool) -> Value {
    let mut message = Map::new();
    let role = if output { "assistant" } else { "user" };
    message.insert("role".to_owned(), Value::from(role));
    message.insert("parts".to_owned(), Value::Array(vec![text_part(content)]));
    if output {
        message.insert("finish_reason".to_owned(), Value::from("unknown"));
    }
    Value::Object(message)
}

/// A whole piece of content of `kind` replaced by one marker, when nothing of it fits.
pub(crate) fn whole(kind: ContentKind, bytes: usize) -> Value {
    let text = suffix(bytes);
    match Place::of(kind) {
        Place::InputMessages => Value::Array(vec![marker_message(text, false)]),
        Place::OutputMessages => Value::Array(vec![marker_message(text, true)]),
        Place::Parts => Value::Array(vec![text_part(text)]),
        Place::ToolDefinitions => Value::Array(vec![tool_definition(text)]),
        Place::Documents => Value::Array(vec![document(text)]),
        _ => Value::String(text),
    }
}

fn tool_definition(text: String) -> Value {
    let mut def = Map::new();
    def.insert("type".to_owned(), Value::from("truncated"));
    def.insert("name".to_owned(), Value::String(text));
    Value::Object(def)
}

fn document(text: String) -> Value {
    let mut doc = Map::new();
    doc.insert("id".to_owned(), Value::String(text));
    doc.insert("score".to_owned(), Value::from(0));
    Value::Object(doc)
}

/// The element that marks `count` dropped elements of an array at `place`.
///
/// For messages it is a whole message; [`append_dropped`] prefers to add a text part to the
/// last message kept, but needs the message when none was.
pub(crate) fn dropped(place: Place, count: usize) -> Value {
    match place {
        Place::InputMessages => marker_message(dropped_text(count, "messages"), false),
        Place::OutputMessages => marker_message(dropped_text(count, "messages"), true),
        Place::Parts => text_part(dropped_text(count, "parts")),
        Place::ToolDefinitions => tool_definition(dropped_text(count, "tool definitions")),
        Place::Documents => document(dropped_text(count, "documents")),
        _ => Value::String(dropped_text(count, "elements")),
    }
}

/// The key of the entry that marks dropped entries of an object.
pub(crate) const ENTRIES_KEY: &str = "…";

/// `[truncated N entries]`: the value under [`ENTRIES_KEY`].
pub(crate) fn dropped_entries(count: usize) -> String {
    format!("[truncated {count} entries]")
}

/// The count in `…[truncated N <what>]` (or its singular), if `text` is that.
fn parse_count(text: &str, prefix: &str, what: &str) -> Option<usize> {
    let rest = text.strip_prefix(prefix)?;
    let singular = what.strip_suffix('s').unwrap_or(what);
    let digits = rest
        .strip_suffix(&format!(" {what}]"))
        .or_else(|| rest.strip_suffix(&format!(" {singular}]")))?;
    digits.parse().ok()
}

/// The count of an earlier marker of dropped entries in `map`, removed.
pub(crate) fn take_dropped_entries(map: &mut Map<String, Value>) -> usize {
    let count = match map.get(ENTRIES_KEY) {
        Some(Value::String(text)) => parse_count(text, "[truncated ", "entries"),
        _ => None,
    };
    if count.is_some() {
        map.remove(ENTRIES_KEY);
    }
    count.unwrap_or(0)
}

fn text_part_count(part: &Value, what: &str) -> Option<usize> {
    if part.get("type")? != "text" {
        return None;
    }
    parse_count(part.get("content")?.as_str()?, "…[truncated ", what)
}

/// The count of an earlier marker at the end of `items`, an array at `place`, removed: when
/// more is dropped, one marker then counts everything.
pub(crate) fn take_dropped(place: Place, items: &mut Vec<Value>) -> usize {
    let Some(last) = items.last_mut() else {
        return 0;
    };
    let count = match place {
        Place::InputMessages | Place::OutputMessages => {
            let Some(Value::Array(parts)) = last.get_mut("parts") else {
                return 0;
            };
            let Some(count) = parts.last().and_then(|p| text_part_count(p, "messages")) else {
                return 0;
            };
            parts.pop();
            if parts.is_empty() {
                items.pop();
            }
            return count;
        }
        Place::Parts => text_part_count(last, "parts"),
        Place::ToolDefinitions => last
            .get("name")
            .and_then(Value::as_str)
            .filter(|_| last.get("type").is_some_and(|t| t == "truncated"))
            .and_then(|name| parse_count(name, "…[truncated ", "tool definitions")),
        Place::Documents => last
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| parse_count(id, "…[truncated ", "documents")),
        _ => last
            .as_str()
            .and_then(|text| parse_count(text, "…[truncated ", "elements")),
    };
    if count.is_some() {
        items.pop();
    }
    count.unwrap_or(0)
}

/// Marks `count` elements dropped from the end of `items`, an array at `place`.
///
/// Dropped messages are announced by a text part at the end of the last message kept, rather
/// than by an invented message that readers (and evaluators) would take for a real turn.
/// Adding it never takes more bytes than [`dropped`] would.
pub(crate) fn append_dropped(place: Place, items: &mut Vec<Value>, count: usize) {
    if matches!(place, Place::InputMessages | Place::OutputMessages) {
        if let Some(Value::Object(last)) = items.last_mut() {
            if let Some(Value::Array(parts)) = last.get_mut("parts") {
                parts.push(text_part(dropped_text(count, "messages")));
                return;
            }
        }
    }
    items.push(dropped(place, count));
}
