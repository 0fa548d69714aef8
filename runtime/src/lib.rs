//! Declarative OpenTelemetry GenAI instrumentation.
//!
//! `#[genai_span(...)]` on a provider, tool or agent function makes every call a span shaped
//! as the [OpenTelemetry GenAI semantic conventions](https://github.com/open-telemetry/semantic-conventions/tree/v1.41.1/docs/gen-ai)
//! say: the span name and kind, the attributes the operation requires, the token usage,
//! finish reasons and errors of the result. Spans are `tracing` spans: they nest with the
//! rest of your `tracing` instrumentation and reach OpenTelemetry through
//! `tracing-opentelemetry`.
//!
//! ```
//! use genai_span::{genai_span, GenAiResponse};
//!
//! #[derive(GenAiResponse)]
//! struct ChatResponse {
//!     #[genai(response_model)]
//!     model: String,
//!     #[genai(finish_reason)]
//!     finish_reason: String,
//!     #[genai(input_tokens)]
//!     input_tokens: u32,
//!     #[genai(output_tokens)]
//!     output_tokens: u32,
//! }
//!
//! struct ChatRequest { model: String, prompt: String }
//!
//! #[genai_span(chat, provider = "openai", model = req.model)]
//! async fn complete(req: &ChatRequest) -> Result<ChatResponse, std::io::Error> {
//!     Ok(ChatResponse {
//!         model: req.model.clone(),
//!         finish_reason: "stop".into(),
//!         input_tokens: 12,
//!         output_tokens: 3,
//!     })
//! }
//! ```
//!
//! Nothing from the function's arguments is recorded unless an argument of the attribute
//! names it: in GenAI the arguments are prompts.

mod call;
pub mod content;
mod derive_support;
mod error;
mod instrument;
pub mod metrics;
mod record;
mod response;
pub mod semconv;
#[cfg(feature = "setup")]
pub mod setup;
mod stream;
mod value;

#[doc(hidden)]
pub mod __private;

/// Instruments a provider, tool or agent function with a GenAI span.
///
/// ```text
/// #[genai_span(<operation>, <argument> = <expr>, ..., fields(<KEY> = <expr>, ...), crate = <path>)]
/// ```
///
/// # Operations
///
/// | operation | span name | kind | required | from the return value |
/// |---|---|---|---|---|
/// | `chat`, `text_completion`, `generate_content` | `{operation} {model}` | client (`kind = internal` for in-process models) | `provider`, `model` | [`GenAiResponse`], required |
/// | `embeddings` | `embeddings {model}` | client | `provider`, `model` | [`GenAiResponse`], required |
/// | `retrieval` | `retrieval {data_source_id}` | client | | errors |
/// | `execute_tool` | `execute_tool {tool_name}` | internal | (`tool_name` defaults to the function's name) | errors |
/// | `invoke_agent` | `invoke_agent {agent_name}` | internal (`kind = client` for remote agents) | `provider` | [`GenAiResponse`] if implemented |
/// | `create_agent` | `create_agent {agent_name}` | client | `provider` | errors |
/// | `invoke_workflow` | `invoke_workflow {workflow_name}` | internal | | errors |
///
/// Without the value after the operation (no `agent_name`, say), the span is named after the
/// operation alone. `gen_ai.operation.name`, the provider, model, server address and port
/// (the attributes samplers may read), `otel.name` and `otel.kind` are all set when the span
/// is created.
///
/// # Arguments
///
/// Each sets one attribute; each value is an expression over the function's arguments,
/// borrowed, evaluated once and only when a subscriber wants the span. `None` values record
/// nothing. Which argument applies to which operation follows the conventions: a compile
/// error says so otherwise.
///
/// | argument | attribute | type |
/// |---|---|---|
/// | `provider` | `gen_ai.provider.name` | string |
/// | `model` | `gen_ai.request.model` | string |
/// | `server_address`, `server_port` | `server.address`, `server.port` | string, int |
/// | `conversation_id` | `gen_ai.conversation.id` | string |
/// | `agent_name`, `agent_id`, `agent_description`, `agent_version` | `gen_ai.agent.*` | string |
/// | `tool_name`, `tool_call_id`, `tool_type`, `tool_description` | `gen_ai.tool.*` | string |
/// | `data_source_id` | `gen_ai.data_source.id` | string |
/// | `workflow_name` | `gen_ai.workflow.name` | string |
/// | `temperature`, `top_p`, `top_k`, `frequency_penalty`, `presence_penalty` | `gen_ai.request.*` | double |
/// | `max_tokens`, `seed`, `choice_count` | `gen_ai.request.*` | int |
/// | `stop_sequences`, `encoding_formats` | `gen_ai.request.*` | string[] |
/// | `output_type` | `gen_ai.output.type` | string |
/// | `stream` | `gen_ai.request.stream` | boolean |
///
/// - `fields(GEN_AI_X = expr, "my.key" = expr)` sets any other key: a constant of
///   [`semconv`](mod@semconv) (checked at compile time, typed by the conventions) or a quoted key outside
///   `gen_ai.*` (recorded with the value's own type; see [`FieldValue`]).
/// - `stream` (on `chat`, `text_completion`, `generate_content`): the function returns a stream
///   of chunks ([`GenAiChunk`]); the span lasts until the stream ends, fails or is dropped, and
///   records `gen_ai.request.stream = true` and `gen_ai.response.time_to_first_chunk`.
/// - Content, recorded only when [content capture](content) is on, and then evaluated:
///   `system = ...`, `input = ...`, `tools = ...` (inference and agent spans), `arguments = ...`
///   (tool spans); any `serde::Serialize` value, normalized into the conventions' JSON shapes.
///   Output messages, tool results and retrieval documents come from the return value.
/// - `kind = client | internal` where the conventions allow both.
/// - `crate = path` when `genai_span` is re-exported under another path.
///
/// Nothing else from the arguments is recorded: in GenAI the arguments are prompts.
///
/// # Outcome
///
/// - A `Result` (under any alias: `io::Result`, `anyhow::Result`) that is `Err` sets
///   `error.type` ([`GenAiError`], else the error's type name) and an error status described
///   by the error's `Display`.
/// - The value (the `Ok` value of a `Result`) is recorded through [`GenAiResponse`]: response
///   model and id, finish reasons (a `string[]`), token usage (as `int`), the number of tool
///   calls ([`TOOL_CALL_COUNT`]), the embedding dimension count — each where the operation's
///   conventions list it.
/// - A future dropped before it completes ends its span with `error.type` [`CANCELLED`]; a
///   panic ends it with `error.type` [`PANIC`] and goes on unwinding.
/// - Calls with a provider also record the GenAI client [metrics] (token usage, duration, and
///   for streams time to first chunk and per chunk).
///
/// # Functions
///
/// `async fn` and `fn`, methods, generic functions, `impl Trait` returns, `async fn` in
/// traits (on the `impl`'s method) and `#[async_trait]` methods. The span is entered only
/// while the function's future is polled: no guard is held across `.await`, and the future is
/// `Send` when the body is. A span joins the current span as its parent; for work moved to
/// another task, carry the span along (`tokio::spawn(fut.in_current_span())`).
///
/// With no subscriber interested, the call costs a level check and nothing is evaluated,
/// formatted or allocated.
pub use genai_span_macros::genai_span;

pub use error::{CANCELLED, GenAiError, PANIC};
pub use genai_span_macros::{GenAiChunk, GenAiResponse};
pub use response::{GenAiChunk, GenAiResponse, ResponseAttributes, TokenCount, TokenUsage};
pub use value::{BoolValue, DoubleValue, FieldValue, IntValue, StrArrayValue, StrValue};

/// The number of tool calls the model asked for in a response.
///
/// The GenAI conventions have no key for it, and `gen_ai.*` is theirs: this one lives in the
/// crate's own namespace. Recorded as an `int` on inference spans when the model asked for at
/// least one tool call.
pub const TOOL_CALL_COUNT: &str = "genai_span.response.tool_call.count";

/// A semantic-convention key as a string literal, checked at compile time.
///
/// Takes the name of a [`semconv`](mod@semconv) const or a quoted key, and expands to the
/// key's literal, so it works wherever a literal is required: in `concat!`, in `const` items, as
/// a `match` pattern.
///
/// ```
/// use genai_span::semconv;
///
/// const MODEL: &str = semconv!(GEN_AI_REQUEST_MODEL);
/// assert_eq!(MODEL, "gen_ai.request.model");
/// assert_eq!(semconv!("gen_ai.request.model"), MODEL);
/// assert_eq!(concat!(semconv!(GEN_AI_REQUEST_MODEL), ".suffix"), "gen_ai.request.model.suffix");
/// ```
///
/// An unknown name or key is a compile error that suggests the nearest ones:
///
/// ```compile_fail
/// // error: unknown semantic-convention attribute `GEN_AI_REQUEST_MODLE`; did you mean `GEN_AI_REQUEST_MODEL`?
/// let key = genai_span::semconv!(GEN_AI_REQUEST_MODLE);
/// ```
///
/// A deprecated (renamed or obsoleted) attribute compiles with a deprecation warning whose note
/// names the replacement, e.g. for `semconv!(GEN_AI_SYSTEM)`: "use of deprecated constant
/// `genai_span::semconv::GEN_AI_SYSTEM`: renamed to `gen_ai.provider.name`: use
/// `GEN_AI_PROVIDER_NAME`". To get that warning it expands to a block that reads the deprecated
/// const and then evaluates to the literal: such a block is still a constant expression, but not
/// a literal, so `concat!` does not accept it.
#[macro_export]
macro_rules! semconv {
    ($($tokens:tt)*) => {
        $crate::__private::semconv_impl!($crate; $($tokens)*)
    };
}
