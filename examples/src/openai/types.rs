//! The wire types of `POST /chat/completions`: requests, responses and streamed chunks.
//!
//! Responses are read leniently, since OpenAI-compatible servers differ in what they leave
//! out: fields other than `id`, `model` and `choices` of a completion may be missing or
//! `null`, unknown fields are ignored.

use genai_span::{GenAiChunk, GenAiResponse};
use serde::{Deserialize, Deserializer, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions from the application.
    System,
    /// Instructions from the application, as newer OpenAI models name them.
    Developer,
    /// The end user.
    User,
    /// The model.
    Assistant,
    /// The result of a tool call.
    Tool,
}

/// One message of the conversation, sent in a request or returned in a [`Choice`].
///
/// As a response, it reports the tool calls the model asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, GenAiResponse)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its text; `None` for an assistant message that only calls tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The tools an assistant message calls.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[genai(tool_calls)]
    pub tool_calls: Vec<ToolCall>,
    /// The call a `tool` message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Why the model refused to answer, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
}

impl Message {
    fn new(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_call_id: None,
            refusal: None,
        }
    }

    /// A system message.
    pub fn system(content: impl Into<String>) -> Message {
        Message::new(Role::System, content)
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Message {
        Message::new(Role::User, content)
    }

    /// An assistant message, e.g. an earlier answer of the model.
    pub fn assistant(content: impl Into<String>) -> Message {
        Message::new(Role::Assistant, content)
    }

    /// The result of the tool call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Message {
        Message {
            tool_call_id: Some(tool_call_id.into()),
            ..Message::new(Role::Tool, content)
        }
    }
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// Always `function` for chat completions.
    #[serde(rename = "type")]
    pub kind: String,
    /// The function.
    pub function: FunctionDefinition,
}

impl Tool {
    /// A function tool taking arguments described by the JSON schema `parameters`.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: serde_json::Value,
    ) -> Tool {
        Tool {
            kind: "function".into(),
            function: FunctionDefinition {
                name: name.into(),
                description: Some(description.into()),
                parameters: Some(parameters),
            },
        }
    }
}

/// A function the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDefinition {
    /// Its name.
    pub name: String,
    /// What it does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON schema of its arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<serde_json::Value>,
}

/// A tool call the model asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The call's id, which the `tool` message with its result names.
    #[serde(default)]
    pub id: String,
    /// Always `function` for chat completions.
    #[serde(rename = "type", default = "function_kind")]
    pub kind: String,
    /// The function and its arguments.
    pub function: FunctionCall,
}

fn function_kind() -> String {
    "function".into()
}

/// A function call: its name and arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// The function's name.
    pub name: String,
    /// Its arguments: JSON text, as the model wrote it (it may not be valid JSON).
    #[serde(default)]
    pub arguments: String,
}

/// A request to `POST /chat/completions`.
///
/// `stream` and `stream_options` are set by [`Client::chat_stream`](super::Client::chat_stream).
/// The maximum is sent as `max_tokens`, which every OpenAI-compatible server reads (OpenAI's
/// reasoning models want `max_completion_tokens` instead: leave it `None` for them).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ChatRequest {
    /// The model to ask.
    pub model: String,
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// The tools the model may call.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// The most tokens to generate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Nucleus sampling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// A seed, for reproducible sampling where the server supports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// Sequences that end generation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<Vec<String>>,
    /// Penalty on tokens by how often they appeared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    /// Penalty on tokens that appeared at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
}

impl ChatRequest {
    /// A request to `model` with `messages` and nothing else set.
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> ChatRequest {
        ChatRequest {
            model: model.into(),
            messages,
            ..ChatRequest::default()
        }
    }
}

/// The response of a non-streamed chat completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, GenAiResponse)]
pub struct ChatCompletion {
    /// The completion's id.
    #[genai(response_id)]
    pub id: String,
    /// The model that answered (often more precise than the one asked for).
    #[genai(response_model)]
    pub model: String,
    /// When it was created, in seconds since the Unix epoch.
    #[serde(default)]
    pub created: u64,
    /// The answers, one per requested choice.
    #[genai(flatten)]
    pub choices: Vec<Choice>,
    /// The tokens used, if the server reported them.
    #[genai(flatten)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The backend configuration that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
}

impl ChatCompletion {
    /// The message of the first choice.
    #[must_use]
    pub fn message(&self) -> Option<&Message> {
        self.choices.first().map(|c| &c.message)
    }
}

/// One answer of a [`ChatCompletion`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, GenAiResponse)]
pub struct Choice {
    /// Its position among the choices.
    #[serde(default)]
    pub index: u32,
    /// The model's message.
    #[genai(flatten)]
    pub message: Message,
    /// Why generation stopped: `stop`, `length`, `tool_calls`, `content_filter`.
    #[genai(finish_reason)]
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// Token usage, in a completion or in the last chunk of a stream.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, GenAiResponse, GenAiChunk,
)]
pub struct Usage {
    /// Input tokens, cached ones included.
    #[genai(input_tokens)]
    #[serde(default)]
    pub prompt_tokens: u64,
    /// Output tokens, reasoning ones included.
    #[genai(output_tokens)]
    #[serde(default)]
    pub completion_tokens: u64,
    /// Their sum (not recorded: the conventions have no total).
    #[serde(default)]
    pub total_tokens: u64,
    /// Details of the input tokens.
    #[genai(flatten)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_details: Option<PromptTokensDetails>,
    /// Details of the output tokens.
    #[genai(flatten)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
}

/// Details of a request's input tokens.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, GenAiResponse, GenAiChunk,
)]
pub struct PromptTokensDetails {
    /// Input tokens read from the provider's prompt cache.
    #[genai(cache_read_input_tokens)]
    #[serde(default)]
    pub cached_tokens: Option<u64>,
}

/// Details of a response's output tokens.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, GenAiResponse, GenAiChunk,
)]
pub struct CompletionTokensDetails {
    /// Output tokens spent reasoning.
    #[genai(reasoning_output_tokens)]
    #[serde(default)]
    pub reasoning_tokens: Option<u64>,
}

/// One chunk of a streamed chat completion (`chat.completion.chunk`).
///
/// Servers repeat the id and model in every chunk; some send them empty in a chunk of their
/// own (Azure's content-filter results), which reads as `None` here.
#[derive(Debug, Clone, PartialEq, Deserialize, GenAiChunk)]
pub struct ChatChunk {
    /// The completion's id.
    #[genai(response_id)]
    #[serde(default, deserialize_with = "non_empty")]
    pub id: Option<String>,
    /// The model that answers.
    #[genai(response_model)]
    #[serde(default, deserialize_with = "non_empty")]
    pub model: Option<String>,
    /// What each choice adds; empty in the usage chunk.
    #[genai(flatten)]
    #[serde(default, deserialize_with = "null_as_default")]
    pub choices: Vec<ChunkChoice>,
    /// The usage: in the last chunk, when the request asked for it.
    #[genai(flatten)]
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// What one chunk adds to one choice.
#[derive(Debug, Clone, PartialEq, Deserialize, GenAiChunk)]
pub struct ChunkChoice {
    /// The choice it adds to.
    #[serde(default)]
    pub index: u32,
    /// The text and tool-call fragments.
    #[genai(flatten)]
    #[serde(default)]
    pub delta: Delta,
    /// Why generation stopped, in the choice's last chunk.
    #[genai(finish_reason)]
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// The fragments a chunk adds to a message.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, GenAiChunk)]
pub struct Delta {
    /// The role, in the first chunk.
    #[serde(default)]
    pub role: Option<Role>,
    /// A piece of text.
    #[serde(default)]
    pub content: Option<String>,
    /// Pieces of tool calls.
    #[genai(flatten)]
    #[serde(default, deserialize_with = "null_as_default")]
    pub tool_calls: Vec<ToolCallDelta>,
    /// A piece of a refusal.
    #[serde(default)]
    pub refusal: Option<String>,
}

/// A piece of a tool call: the first carries the call's id and name, the next ones pieces of
/// its arguments. Pieces of one call share an `index`.
#[derive(Debug, Clone, PartialEq, Deserialize, GenAiChunk)]
pub struct ToolCallDelta {
    /// Which call of the message this piece belongs to.
    #[serde(default)]
    pub index: u32,
    /// The call's id, in its first piece.
    #[genai(tool_call_id)]
    #[serde(default, deserialize_with = "non_empty")]
    pub id: Option<String>,
    /// The function's name and a piece of its arguments.
    #[serde(default)]
    pub function: Option<FunctionCallDelta>,
}

/// A piece of a function call.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct FunctionCallDelta {
    /// The function's name, in the first piece.
    #[serde(default)]
    pub name: Option<String>,
    /// A piece of the arguments' JSON text.
    #[serde(default)]
    pub arguments: Option<String>,
}

/// `null` as the type's default (an empty `Vec`): servers send `"tool_calls": null`.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An empty string as `None`: an empty id or model is no id or model.
fn non_empty<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<String>::deserialize(deserializer)?.filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use genai_span::{GenAiResponse, ResponseAttributes};
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_leave_out_what_is_not_set() {
        let request = ChatRequest::new("m", vec![Message::user("hi")]);
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
        );
    }

    #[test]
    fn completions_read_nulls_and_missing_fields() {
        let completion: ChatCompletion = serde_json::from_value(json!({
            "id": "c", "model": "m",
            "choices": [{"message": {"role": "assistant", "content": null, "tool_calls": null}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1,
                      "prompt_tokens_details": null, "completion_tokens_details": {"reasoning_tokens": 0}}
        }))
        .unwrap();
        let mut attrs = ResponseAttributes::default();
        completion.record(&mut attrs);
        assert_eq!(attrs.usage().input, Some(3));
        assert_eq!(attrs.usage().reasoning, Some(0));
        assert_eq!(attrs.usage().cache_read, None);
        assert_eq!(attrs.tool_call_count(), Some(0));
        assert_eq!(attrs.finish_reasons().count(), 0);
    }

    #[test]
    fn chunks_read_empty_ids_as_none() {
        let chunk: ChatChunk = serde_json::from_value(json!({
            "id": "", "model": "", "choices": [], "prompt_filter_results": []
        }))
        .unwrap();
        assert_eq!(chunk.id, None);
        assert_eq!(chunk.model, None);
        let delta: ToolCallDelta =
            serde_json::from_value(json!({"index": 1, "id": "", "function": {"arguments": "{"}}))
                .unwrap();
        assert_eq!(delta.id, None);
    }
}
