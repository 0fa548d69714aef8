//! What stands in for content that was cut: markers that say so and that the conventions'
//! schemas accept where they are put.

use serde_json::{Map, Value};

use super::ContentKind;

/// Where a value sits in a piece of content: it decides what marks dropped elements of an
/// array there.
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
    /// The list of `gen_ai.retrieval.documents`.
    Documents,
    /// Anything else: tool arguments, results, schemas, the fields of a generic part.
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
            _ => Place::Generic,
        }
    }

    /// The place of the value under `key` of an object at this place.
    pub(crate) fn member(self, key: &str) -> Place {
        match (self, key) {
            (Place::Message, "parts") => Place::Parts,
            _ => Place::Generic,
        }
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
        Place::Message | Place::Generic => Value::String(text),
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
        Place::Message | Place::Generic => Value::String(dropped_text(count, "elements")),
    }
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
