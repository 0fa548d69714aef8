//! A client of OpenAI-compatible chat completions APIs (OpenAI, Ollama, vLLM, llama.cpp's
//! server, and the many providers that speak the same API), instrumented with `genai-span`.
//!
//! ```no_run
//! use genai_span_examples::openai::{ChatAccumulator, ChatRequest, Client, Message};
//! # use std::future::poll_fn;
//! # use std::pin::pin;
//! # use futures_core::Stream;
//!
//! # async fn run() -> Result<(), genai_span_examples::openai::Error> {
//! let client = Client::from_env()?; // OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL, OPENAI_PROVIDER
//! let request = ChatRequest::new(client.model(), vec![Message::user("Hello!")]);
//!
//! // One call, one `chat {model}` span.
//! let completion = client.chat(&request).await?;
//! println!("{:?}", completion.message().and_then(|m| m.content.as_deref()));
//!
//! // Streamed: the span ends with the stream.
//! let mut stream = pin!(client.chat_stream(&request).await?);
//! let mut answer = ChatAccumulator::default();
//! while let Some(chunk) = poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
//!     answer.push(&chunk?);
//! }
//! println!("{}", answer.text());
//! # Ok(())
//! # }
//! ```
//!
//! # What is sent and read
//!
//! `POST {base_url}/chat/completions` with a JSON [`ChatRequest`], the key (if any) as
//! `Authorization: Bearer`. Answers are a [`ChatCompletion`]; streamed ones (`"stream":
//! true`, `"stream_options": {"include_usage": true}`) are server-sent events, one
//! [`ChatChunk`] per `data:` line, ended by `data: [DONE]`, decoded by [`sse`] and
//! [`ChatStream`]. Error statuses become [`Error::Api`] with the code the body gives.
//!
//! # What the spans record
//!
//! [`Client::chat`] and [`Client::chat_stream`] each make a `chat {model}` client span:
//! `gen_ai.provider.name` (see [`Config`] for which name), the request model and
//! parameters, `server.address` and `server.port` from the base URL, `gen_ai.request.stream`,
//! and from the response its id, model, finish reasons, token usage (cached and reasoning
//! tokens too) and the number of tool calls; a stream adds its time to first chunk. Failures
//! set `error.type` (see [`Error`]). With content capture on
//! (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`), the messages and tool definitions
//! sent, and the non-streamed answers, are recorded too.

mod client;
mod config;
mod error;
pub mod sse;
mod stream;
mod types;

pub use client::Client;
pub use config::{
    API_KEY_ENV, BASE_URL_ENV, Config, DEFAULT_BASE_URL, DEFAULT_MODEL, DEFAULT_PROVIDER,
    MODEL_ENV, PROVIDER_ENV, provider_for_host,
};
pub use error::{ApiError, Error};
pub use stream::{ChatAccumulator, ChatStream};
pub use types::{
    ChatChunk, ChatCompletion, ChatRequest, Choice, ChunkChoice, CompletionTokensDetails, Delta,
    FunctionCall, FunctionCallDelta, FunctionDefinition, Message, PromptTokensDetails, Role, Tool,
    ToolCall, ToolCallDelta, Usage,
};
