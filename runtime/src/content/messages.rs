//! The conventions' content types, for users who build what is recorded themselves.

use serde::Serialize;
use serde_json::{Map, Value};

/// Who wrote a message. The conventions name four roles; others are recorded as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Role {
    /// Instructions in the chat history.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool's result.
    Tool,
    /// Any other role, as the provider names it (e.g. `developer`).
    #[serde(untagged)]
    Other(String),
}

impl From<&str> for Role {
    fn from(role: &str) -> Self {
        match role {
            "system" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            other => Role::Other(other.to_owned()),
        }
    }
}

/// The general kind of media in a [`MessagePart`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Modality {
    /// An image.
    Image,
    /// A video.
    Video,
    /// Audio.
    Audio,
    /// Another modality, as a string.
    #[serde(untagged)]
    Other(String),
}

/// One part of a message, or one system instruction: a part of the conventions' schemas,
/// tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessagePart {
    /// `text`: text sent to or received from the model.
    Text {
        /// The text.
        content: String,
    },
    /// `tool_call`: a tool call the model asked for.
    ToolCall {
        /// The call's id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The tool's name.
        name: String,
        /// The arguments, as JSON (not a string holding JSON).
        #[serde(skip_serializing_if = "Value::is_null")]
        arguments: Value,
    },
    /// `tool_call_response`: a tool's result sent to the model.
    ToolCallResponse {
        /// The id of the call it answers.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The result.
        response: Value,
    },
    /// `blob`: binary data sent inline, base64-encoded.
    Blob {
        /// The kind of media.
        #[serde(skip_serializing_if = "Option::is_none")]
        modality: Option<Modality>,
        /// The IANA media type, e.g. `image/png`.
        #[serde(skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// The data, base64.
        content: String,
    },
    /// `file`: a file uploaded to the provider before, by id.
    File {
        /// The kind of media.
        #[serde(skip_serializing_if = "Option::is_none")]
        modality: Option<Modality>,
        /// The IANA media type.
        #[serde(skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// The provider's file id.
        file_id: String,
    },
    /// `uri`: data referenced by URI (not a `data:` URL: that is a [`Blob`](Self::Blob)).
    Uri {
        /// The kind of media.
        #[serde(skip_serializing_if = "Option::is_none")]
        modality: Option<Modality>,
        /// The IANA media type.
        #[serde(skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// The URI.
        uri: String,
    },
    /// `reasoning`: the model's reasoning (thinking) content.
    Reasoning {
        /// The reasoning text.
        content: String,
    },
    /// Any other part: its `type` and properties.
    #[serde(untagged)]
    Generic(GenericPart),
}

impl MessagePart {
    /// A `text` part.
    #[must_use]
    pub fn text(content: impl Into<String>) -> Self {
        MessagePart::Text {
            content: content.into(),
        }
    }

    /// A `tool_call` part.
    #[must_use]
    pub fn tool_call(id: Option<&str>, name: impl Into<String>, arguments: Value) -> Self {
        MessagePart::ToolCall {
            id: id.map(str::to_owned),
            name: name.into(),
            arguments,
        }
    }

    /// A `tool_call_response` part.
    #[must_use]
    pub fn tool_call_response(id: Option<&str>, response: Value) -> Self {
        MessagePart::ToolCallResponse {
            id: id.map(str::to_owned),
            response,
        }
    }

    /// A `reasoning` part.
    #[must_use]
    pub fn reasoning(content: impl Into<String>) -> Self {
        MessagePart::Reasoning {
            content: content.into(),
        }
    }
}

/// A part of a type the conventions do not define: `{"type": ..., <fields>}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GenericPart {
    /// The part's type.
    #[serde(rename = "type")]
    pub part_type: String,
    /// Its other properties.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl GenericPart {
    /// A part of type `part_type` with `fields`.
    #[must_use]
    pub fn new(part_type: impl Into<String>, fields: Map<String, Value>) -> Self {
        GenericPart {
            part_type: part_type.into(),
            fields,
        }
    }
}

/// A message sent to the model: `gen_ai.input.messages` is a list of them.
///
/// Serializes to exactly the JSON of the conventions' schema, so it is recorded as it is
/// (redacted and bounded like any content):
///
/// ```
/// use genai_span::content::{self, ContentKind, InputMessage, MessagePart};
///
/// let messages = [
///     InputMessage::system("Answer in French."),
///     InputMessage::user("Weather in Paris?"),
///     InputMessage::new("assistant", vec![MessagePart::tool_call(
///         Some("call_1"), "get_weather", serde_json::json!({"city": "Paris"}),
///     )]),
/// ];
/// let json = content::to_json(ContentKind::InputMessages, &messages).unwrap();
/// assert!(json.starts_with(r#"[{"parts":[{"content":"Answer in French.","type":"text"}],"role":"system"}"#));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct InputMessage {
    /// Who wrote it.
    pub role: Role,
    /// Its parts, in order.
    pub parts: Vec<MessagePart>,
    /// The participant's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl InputMessage {
    /// A message of `role` with `parts`.
    #[must_use]
    pub fn new(role: impl Into<Role>, parts: Vec<MessagePart>) -> Self {
        InputMessage {
            role: role.into(),
            parts,
            name: None,
        }
    }

    /// A user message of one text part.
    #[must_use]
    pub fn user(text: impl Into<String>) -> Self {
        InputMessage::new(Role::User, vec![MessagePart::text(text)])
    }

    /// A system message of one text part (instructions in the chat history; instructions
    /// given apart from it are `gen_ai.system_instructions`).
    #[must_use]
    pub fn system(text: impl Into<String>) -> Self {
        InputMessage::new(Role::System, vec![MessagePart::text(text)])
    }

    /// The same message with the participant's name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// Why the model stopped: the conventions' values, or a provider's own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FinishReason {
    /// A natural stop or a stop sequence.
    Stop,
    /// The token limit.
    Length,
    /// A content filter.
    ContentFilter,
    /// The model asked for tool calls.
    ToolCall,
    /// An error.
    Error,
    /// Another reason, as a string.
    #[serde(untagged)]
    Other(String),
}

/// A message the model returned (one choice or candidate): `gen_ai.output.messages` is a list
/// of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OutputMessage {
    /// Who wrote it, usually [`Role::Assistant`].
    pub role: Role,
    /// Its parts, in order.
    pub parts: Vec<MessagePart>,
    /// Why the generation of this message ended.
    pub finish_reason: FinishReason,
    /// The participant's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl OutputMessage {
    /// An assistant message with `parts`, ended for `finish_reason`.
    #[must_use]
    pub fn assistant(parts: Vec<MessagePart>, finish_reason: FinishReason) -> Self {
        OutputMessage {
            role: Role::Assistant,
            parts,
            finish_reason,
            name: None,
        }
    }
}

/// A tool available to the model: `gen_ai.tool.definitions` is a list of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ToolDefinition {
    /// The kind of tool: `function`, or a provider's tool type.
    #[serde(rename = "type")]
    pub tool_type: String,
    /// The tool's name.
    pub name: String,
    /// What the tool does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON schema (draft-07) of its parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
}

impl ToolDefinition {
    /// A `function` tool named `name`.
    #[must_use]
    pub fn function(name: impl Into<String>) -> Self {
        ToolDefinition {
            tool_type: "function".to_owned(),
            name: name.into(),
            description: None,
            parameters: None,
        }
    }

    /// The same tool with a description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The same tool with the JSON schema of its parameters.
    #[must_use]
    pub fn with_parameters(mut self, parameters: Value) -> Self {
        self.parameters = Some(parameters);
        self
    }
}
