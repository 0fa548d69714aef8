//! A small tool-using agent, instrumented with one attribute per function, run offline.
//!
//! An OpenAI-shaped chat client that answers from a script (no network, no key), three tools
//! and an agent loop:
//!
//! 1. the agent asks the model what to do (`chat`); the first request is rate limited (an
//!    error span) and retried;
//! 2. the model asks for two `get_weather` calls, which run side by side on tasks of their
//!    own; one fails;
//! 3. the agent streams the next turn (`chat, stream`): the model asks for a unit conversion,
//!    its tool call arriving in pieces;
//! 4. `celsius_to_fahrenheit` runs, and the last turn streams the answer.
//!
//! `genai_span::setup::init()` installs the telemetry pipeline. With no OTLP endpoint
//! configured, the spans are kept in memory and drawn in the terminal when the guard drops;
//! with `OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`, the same spans go to that backend.
//! Prompts, answers and tool arguments are recorded only when
//! `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.
//!
//! Run: `cargo run --example agent`
//!
//! With `GENAI_SPAN_DEMO_REPORT=path`, the demo also writes its own account of the run (the
//! calls it made, the tokens its provider returned) as JSON, which `e2e/run.sh` compares with
//! what real backends stored.

use std::borrow::Cow;
use std::future::poll_fn;
use std::pin::{Pin, pin};
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use genai_span::{GenAiChunk, GenAiError, GenAiResponse, genai_span};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;
use tracing::Instrument as _;

const MODEL: &str = "gpt-4o";
const INSTRUCTIONS: &str = "You answer weather questions. Use the tools; say when one fails.";
pub(crate) const QUESTION: &str = "What's the weather in Paris and in Atlantis, in Fahrenheit?";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), genai_span::setup::SetupError> {
    let telemetry = genai_span::setup::init()?;
    match ask(QUESTION).await {
        Ok(answer) => println!("{answer}\n"),
        Err(error) => println!("the agent failed: {error}\n"),
    }
    // Shuts the pipeline down: exports what is left (or, with no endpoint, prints the spans).
    drop(telemetry);
    if let Some(path) = std::env::var_os("GENAI_SPAN_DEMO_REPORT").map(std::path::PathBuf::from) {
        if let Err(error) = std::fs::write(&path, ledger::report().to_string()) {
            eprintln!(
                "could not write the demo's report to {}: {error}",
                path.display()
            );
        }
    }
    Ok(())
}

/// What the demo did, counted as it happened (not read back from telemetry): the spans each
/// call makes and the tokens the provider returned.
mod ledger {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Ledger {
        spans: BTreeMap<String, u64>,
        input: u64,
        output: u64,
        cache_read: u64,
    }

    static LEDGER: Mutex<Option<Ledger>> = Mutex::new(None);

    fn with(f: impl FnOnce(&mut Ledger)) {
        let mut ledger = LEDGER
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(ledger.get_or_insert_with(Ledger::default));
    }

    /// One call that makes a span named `name`.
    pub(super) fn span(name: &str) {
        with(|l| *l.spans.entry(name.to_owned()).or_default() += 1);
    }

    /// The usage the provider returned for one answered call.
    pub(super) fn tokens(input: u32, output: u32, cache_read: u32) {
        with(|l| {
            l.input += u64::from(input);
            l.output += u64::from(output);
            l.cache_read += u64::from(cache_read);
        });
    }

    /// The report `e2e/run.sh` reads: one trace, the spans by name, the tokens by type.
    pub(super) fn report() -> serde_json::Value {
        let mut report = serde_json::Value::Null;
        with(|l| {
            report = serde_json::json!({
                "traces": 1,
                "spans_by_name": l.spans,
                "tokens": {"input": l.input, "output": l.output, "cache_read_input": l.cache_read},
            });
        });
        report
    }
}

/// Runs the agent on `question` with a fresh client: what `main` does, and what the test of
/// this example runs under its own pipeline.
pub(crate) async fn ask(question: &str) -> Result<String, AgentError> {
    ledger::span("invoke_agent weather-assistant");
    let client = OpenAiClient::new("api.openai.com", 1);
    run_agent(&client, "conv-0001", question).await
}

// ---- The agent ---------------------------------------------------------------------------

/// The agent loop: ask the model, run the tools it asks for, until it answers.
#[genai_span(invoke_agent, provider = "openai", agent_name = "weather-assistant",
    agent_id = "asst_demo", model = MODEL, conversation_id = conversation,
    system = INSTRUCTIONS, input = question)]
async fn run_agent(
    client: &OpenAiClient,
    conversation: &str,
    question: &str,
) -> Result<String, AgentError> {
    let mut messages = vec![Message::user(question)];
    for turn in 0..4 {
        let request = ChatRequest {
            model: MODEL,
            conversation: conversation.to_owned(),
            instructions: INSTRUCTIONS,
            messages: messages.clone(),
            tools: tool_definitions(),
            temperature: 0.2,
            max_tokens: 400,
        };
        // The first turn plans with a plain call; later turns stream, so the answer shows as
        // it is written.
        let reply = if turn == 0 {
            let completion = with_retry(async || client.chat(&request).await).await?;
            completion.choices[0].message.clone()
        } else {
            let stream = with_retry(async || client.chat_stream(&request).await).await?;
            collect(stream).await?
        };
        messages.push(reply.clone());
        if reply.tool_calls.is_empty() {
            return Ok(reply.content.unwrap_or_default());
        }
        // Each tool call on a task of its own; `in_current_span` keeps its span under the
        // agent's.
        let tasks: Vec<_> = reply
            .tool_calls
            .into_iter()
            .map(|call| tokio::spawn(call_tool(call).in_current_span()))
            .collect();
        for task in tasks {
            let (id, output) = task.await.map_err(|_| AgentError::ToolPanicked)?;
            messages.push(Message::tool(id, output));
        }
    }
    Err(AgentError::TooManyTurns)
}

/// Retries a call the provider rate limited, after the delay it asked for: each attempt is a
/// span of its own.
async fn with_retry<T>(mut call: impl AsyncFnMut() -> Result<T, ApiError>) -> Result<T, ApiError> {
    let mut attempts = 0;
    loop {
        match call().await {
            Err(ApiError::RateLimited { retry_after }) if attempts < 3 => {
                attempts += 1;
                tokio::time::sleep(retry_after).await;
            }
            other => return other,
        }
    }
}

/// Reads a streamed reply to its end, putting the deltas back together into one message.
async fn collect(
    stream: impl Stream<Item = Result<ChatChunk, ApiError>>,
) -> Result<Message, ApiError> {
    let mut stream = pin!(stream);
    let mut message = Message::assistant(None, Vec::new());
    let mut text = String::new();
    while let Some(chunk) = poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        for choice in chunk?.choices {
            text.push_str(choice.delta.content.as_deref().unwrap_or_default());
            for delta in choice.delta.tool_calls {
                if message.tool_calls.len() <= delta.index {
                    message.tool_calls.push(ToolCall::function("", "", ""));
                }
                let call = &mut message.tool_calls[delta.index];
                if let Some(id) = delta.id {
                    call.id = id;
                }
                if let Some(name) = delta.function.name {
                    call.function.name = name;
                }
                call.function.arguments.push_str(&delta.function.arguments);
            }
        }
    }
    message.content = (!text.is_empty()).then_some(text);
    Ok(message)
}

#[derive(Debug)]
pub(crate) enum AgentError {
    Api(ApiError),
    ToolPanicked,
    TooManyTurns,
}

impl From<ApiError> for AgentError {
    fn from(error: ApiError) -> Self {
        AgentError::Api(error)
    }
}

impl std::fmt::Display for AgentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgentError::Api(error) => error.fmt(f),
            AgentError::ToolPanicked => f.write_str("a tool panicked"),
            AgentError::TooManyTurns => f.write_str("no answer after 4 turns"),
        }
    }
}

impl GenAiError for AgentError {
    fn error_type(&self) -> Cow<'_, str> {
        match self {
            AgentError::Api(error) => error.error_type(),
            AgentError::ToolPanicked => "tool_panicked".into(),
            AgentError::TooManyTurns => "too_many_turns".into(),
        }
    }
}

// ---- Tools -------------------------------------------------------------------------------

/// The tools offered to the model, as OpenAI's `tools` request field.
fn tool_definitions() -> serde_json::Value {
    let function = |name: &str, description: &str, parameters: serde_json::Value| json!({"type": "function", "function": {"name": name, "description": description, "parameters": parameters}});
    json!([
        function(
            "get_weather",
            "Current weather in a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
        ),
        function(
            "celsius_to_fahrenheit",
            "Converts a temperature",
            json!({"type": "object", "properties": {"celsius": {"type": "number"}}, "required": ["celsius"]})
        ),
    ])
}

/// Runs the tool a call names; returns the call's id and what to tell the model.
async fn call_tool(call: ToolCall) -> (String, String) {
    ledger::span(&format!("execute_tool {}", call.function.name));
    let output = match call.function.name.as_str() {
        "get_weather" => get_weather(&call).await.map(|weather| json!(weather)),
        "celsius_to_fahrenheit" => celsius_to_fahrenheit(&call).map(|fahrenheit| json!(fahrenheit)),
        _ => Err(ToolError::UnknownTool),
    };
    let output = output.unwrap_or_else(|error| json!({"error": error.to_string()}));
    (call.id, output.to_string())
}

#[derive(Debug, Serialize)]
struct Weather {
    city: String,
    celsius: f64,
    sky: &'static str,
}

#[derive(Deserialize)]
struct City {
    city: String,
}

#[genai_span(execute_tool, tool_call_id = call.id, tool_type = "function",
    tool_description = "Current weather in a city", arguments = call.function.arguments)]
async fn get_weather(call: &ToolCall) -> Result<Weather, ToolError> {
    let City { city } =
        serde_json::from_str(&call.function.arguments).map_err(|_| ToolError::BadArguments)?;
    tokio::time::sleep(Duration::from_millis(15)).await; // The weather service.
    match city.as_str() {
        "Paris" => Ok(Weather {
            city,
            celsius: 21.0,
            sky: "sunny",
        }),
        _ => Err(ToolError::CityNotFound(city)),
    }
}

#[derive(Deserialize)]
struct Celsius {
    celsius: f64,
}

#[genai_span(execute_tool, tool_call_id = call.id, tool_type = "function",
    tool_description = "Converts a temperature", arguments = call.function.arguments)]
fn celsius_to_fahrenheit(call: &ToolCall) -> Result<f64, ToolError> {
    let Celsius { celsius } =
        serde_json::from_str(&call.function.arguments).map_err(|_| ToolError::BadArguments)?;
    Ok(celsius * 9.0 / 5.0 + 32.0)
}

#[derive(Debug)]
enum ToolError {
    CityNotFound(String),
    BadArguments,
    UnknownTool,
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToolError::CityNotFound(city) => write!(f, "no weather station in {city}"),
            ToolError::BadArguments => f.write_str("the arguments are not what the tool takes"),
            ToolError::UnknownTool => f.write_str("no such tool"),
        }
    }
}

impl GenAiError for ToolError {
    fn error_type(&self) -> Cow<'_, str> {
        match self {
            ToolError::CityNotFound(_) => "city_not_found".into(),
            ToolError::BadArguments => "bad_arguments".into(),
            ToolError::UnknownTool => "unknown_tool".into(),
        }
    }
}

// ---- The provider: an OpenAI-shaped chat client ------------------------------------------

/// A chat request; the fields are what goes into OpenAI's request body.
struct ChatRequest {
    model: &'static str,
    conversation: String,
    instructions: &'static str,
    messages: Vec<Message>,
    tools: serde_json::Value,
    temperature: f64,
    max_tokens: u32,
}

/// A chat message as OpenAI's API writes it.
#[derive(Debug, Clone, Serialize, GenAiResponse)]
struct Message {
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[genai(flatten)]
    tool_calls: Vec<ToolCall>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<String>,
}

impl Message {
    fn user(text: &str) -> Message {
        Message {
            role: "user",
            content: Some(text.to_owned()),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    fn assistant(content: Option<&str>, tool_calls: Vec<ToolCall>) -> Message {
        Message {
            role: "assistant",
            content: content.map(str::to_owned),
            tool_calls,
            tool_call_id: None,
        }
    }

    fn tool(id: String, output: String) -> Message {
        Message {
            role: "tool",
            content: Some(output),
            tool_calls: Vec::new(),
            tool_call_id: Some(id),
        }
    }
}

#[derive(Debug, Clone, Serialize, GenAiResponse)]
struct ToolCall {
    #[genai(tool_call_id)]
    id: String,
    r#type: &'static str,
    function: FunctionCall,
}

#[derive(Debug, Clone, Serialize)]
struct FunctionCall {
    name: String,
    /// JSON text, as OpenAI sends it.
    arguments: String,
}

impl ToolCall {
    fn function(id: &str, name: &str, arguments: &str) -> ToolCall {
        ToolCall {
            id: id.to_owned(),
            r#type: "function",
            function: FunctionCall {
                name: name.to_owned(),
                arguments: arguments.to_owned(),
            },
        }
    }
}

/// `/v1/chat/completions`' response.
#[derive(Debug, Serialize, GenAiResponse)]
struct ChatCompletion {
    #[genai(response_id)]
    id: String,
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    choices: Vec<Choice>,
    #[genai(flatten)]
    usage: Usage,
}

#[derive(Debug, Serialize, GenAiResponse)]
struct Choice {
    index: u32,
    #[genai(flatten)]
    message: Message,
    #[genai(finish_reason)]
    finish_reason: &'static str,
}

#[derive(Debug, Clone, Serialize, GenAiResponse, GenAiChunk)]
#[allow(clippy::struct_field_names, reason = "OpenAI's field names")]
struct Usage {
    #[genai(input_tokens)]
    prompt_tokens: u32,
    #[genai(output_tokens)]
    completion_tokens: u32,
    #[genai(flatten)]
    prompt_tokens_details: PromptTokensDetails,
}

#[derive(Debug, Clone, Serialize, GenAiResponse, GenAiChunk)]
struct PromptTokensDetails {
    #[genai(cache_read_input_tokens)]
    cached_tokens: u32,
}

/// One chunk of a streamed `/v1/chat/completions` response.
#[derive(Debug, Clone, GenAiChunk)]
struct ChatChunk {
    #[genai(response_id)]
    id: String,
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    choices: Vec<ChunkChoice>,
    /// Only in the last chunk.
    #[genai(flatten)]
    usage: Option<Usage>,
}

#[derive(Debug, Clone, GenAiChunk)]
struct ChunkChoice {
    #[genai(flatten)]
    delta: Delta,
    #[genai(finish_reason)]
    finish_reason: Option<&'static str>,
}

#[derive(Debug, Clone, Default, GenAiChunk)]
struct Delta {
    content: Option<String>,
    #[genai(flatten)]
    tool_calls: Vec<ToolCallDelta>,
}

/// A piece of a tool call: the first carries its id and name, the rest more arguments.
#[derive(Debug, Clone, GenAiChunk)]
struct ToolCallDelta {
    index: usize,
    #[genai(tool_call_id)]
    id: Option<String>,
    function: FunctionDelta,
}

#[derive(Debug, Clone)]
struct FunctionDelta {
    name: Option<String>,
    arguments: String,
}

#[derive(Debug)]
pub(crate) enum ApiError {
    /// HTTP 429.
    RateLimited { retry_after: Duration },
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::RateLimited { retry_after } => write!(
                f,
                "429 Too Many Requests: retry after {} ms",
                retry_after.as_millis()
            ),
        }
    }
}

impl GenAiError for ApiError {
    fn error_type(&self) -> Cow<'_, str> {
        match self {
            ApiError::RateLimited { .. } => "rate_limit_exceeded".into(),
        }
    }
}

struct OpenAiClient {
    host: &'static str,
    /// Requests to answer 429 before serving any, to show the error path.
    rate_limited: Mutex<u32>,
    /// The prompt length of the last request: the prefix the provider has cached.
    cached: Mutex<u32>,
}

impl OpenAiClient {
    fn new(host: &'static str, rate_limited: u32) -> Self {
        OpenAiClient {
            host,
            rate_limited: Mutex::new(rate_limited),
            cached: Mutex::new(0),
        }
    }

    #[genai_span(chat, provider = "openai", model = req.model, conversation_id = req.conversation,
        temperature = req.temperature, max_tokens = req.max_tokens,
        server_address = self.host, server_port = 443,
        system = req.instructions, input = req.messages, tools = req.tools)]
    async fn chat(&self, req: &ChatRequest) -> Result<ChatCompletion, ApiError> {
        let (reply, usage) = self.round_trip(req).await?;
        let finish_reason = if reply.tool_calls.is_empty() {
            "stop"
        } else {
            "tool_calls"
        };
        Ok(ChatCompletion {
            id: format!("chatcmpl-{}", usage.prompt_tokens),
            model: format!("{}-2024-08-06", req.model),
            choices: vec![Choice {
                index: 0,
                message: reply,
                finish_reason,
            }],
            usage,
        })
    }

    #[genai_span(chat, stream, provider = "openai", model = req.model,
        conversation_id = req.conversation, temperature = req.temperature,
        max_tokens = req.max_tokens, server_address = self.host, server_port = 443,
        system = req.instructions, input = req.messages, tools = req.tools)]
    async fn chat_stream(
        &self,
        req: &ChatRequest,
    ) -> Result<impl Stream<Item = Result<ChatChunk, ApiError>> + Send, ApiError> {
        let (reply, usage) = self.round_trip(req).await?;
        Ok(produce(chunks(
            &format!("chatcmpl-{}", usage.prompt_tokens),
            &format!("{}-2024-08-06", req.model),
            &reply,
            usage,
        )))
    }

    /// The request's way to the provider and back: latency, rate limiting, the reply.
    async fn round_trip(&self, req: &ChatRequest) -> Result<(Message, Usage), ApiError> {
        ledger::span(&format!("chat {}", req.model));
        tokio::time::sleep(Duration::from_millis(30)).await;
        {
            let mut left = self.rate_limited.lock().expect("not poisoned");
            if *left > 0 {
                *left -= 1;
                return Err(ApiError::RateLimited {
                    retry_after: Duration::from_millis(20),
                });
            }
        }
        let reply = script(&req.messages);
        let prompt_tokens = tokens(&req.messages) + 64; // The tool definitions.
        let completion_tokens = tokens(std::slice::from_ref(&reply));
        let cached_tokens = std::mem::replace(
            &mut *self.cached.lock().expect("not poisoned"),
            prompt_tokens,
        );
        let usage = Usage {
            prompt_tokens,
            completion_tokens,
            prompt_tokens_details: PromptTokensDetails { cached_tokens },
        };
        ledger::tokens(prompt_tokens, completion_tokens, cached_tokens);
        Ok((reply, usage))
    }
}

/// The model: a script that plays the conversation by its tool results so far.
fn script(messages: &[Message]) -> Message {
    let results = messages.iter().filter(|m| m.role == "tool").count();
    match results {
        0 => Message::assistant(
            None,
            vec![
                ToolCall::function("call_paris", "get_weather", r#"{"city":"Paris"}"#),
                ToolCall::function("call_atlantis", "get_weather", r#"{"city":"Atlantis"}"#),
            ],
        ),
        1 | 2 => Message::assistant(
            None,
            vec![ToolCall::function(
                "call_convert",
                "celsius_to_fahrenheit",
                r#"{"celsius":21}"#,
            )],
        ),
        _ => Message::assistant(
            Some(
                "Paris is sunny at 21 °C (69.8 °F). I could not find a weather station in Atlantis.",
            ),
            Vec::new(),
        ),
    }
}

/// A rough token count: words, and a few for each message and tool call.
fn tokens(messages: &[Message]) -> u32 {
    let count: usize = messages
        .iter()
        .map(|m| {
            4 + m
                .content
                .as_deref()
                .map_or(0, |c| c.split_whitespace().count())
                + 12 * m.tool_calls.len()
        })
        .sum();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The reply as a provider streams it: text a few words at a time, each tool call in two
/// pieces, the finish reason, then usage alone in the last chunk.
fn chunks(id: &str, model: &str, reply: &Message, usage: Usage) -> Vec<ChatChunk> {
    let chunk = |delta: Delta, finish_reason: Option<&'static str>| ChatChunk {
        id: id.to_owned(),
        model: model.to_owned(),
        choices: vec![ChunkChoice {
            delta,
            finish_reason,
        }],
        usage: None,
    };
    let mut chunks = Vec::new();
    let words: Vec<&str> = reply
        .content
        .as_deref()
        .unwrap_or("")
        .split_inclusive(' ')
        .collect();
    for piece in words.chunks(3) {
        chunks.push(chunk(
            Delta {
                content: Some(piece.concat()),
                tool_calls: Vec::new(),
            },
            None,
        ));
    }
    for (index, call) in reply.tool_calls.iter().enumerate() {
        let (head, tail) = call
            .function
            .arguments
            .split_at(call.function.arguments.len() / 2);
        for (first, arguments) in [(true, head), (false, tail)] {
            chunks.push(chunk(
                Delta {
                    content: None,
                    tool_calls: vec![ToolCallDelta {
                        index,
                        id: first.then(|| call.id.clone()),
                        function: FunctionDelta {
                            name: first.then(|| call.function.name.clone()),
                            arguments: arguments.to_owned(),
                        },
                    }],
                },
                None,
            ));
        }
    }
    let finish_reason = if reply.tool_calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    };
    chunks.push(chunk(Delta::default(), Some(finish_reason)));
    chunks.push(ChatChunk {
        choices: Vec::new(),
        usage: Some(usage),
        ..chunk(Delta::default(), None)
    });
    chunks
}

/// The provider's side of a stream: a task that sends the chunks as they are "generated".
fn produce(chunks: Vec<ChatChunk>) -> ChunkStream {
    let (sender, receiver) = mpsc::channel(4);
    tokio::spawn(async move {
        for chunk in chunks {
            tokio::time::sleep(Duration::from_millis(8)).await;
            if sender.send(Ok(chunk)).await.is_err() {
                return; // The reader went away.
            }
        }
    });
    ChunkStream(receiver)
}

/// The receiving end of the chunks, as a stream.
struct ChunkStream(mpsc::Receiver<Result<ChatChunk, ApiError>>);

impl Stream for ChunkStream {
    type Item = Result<ChatChunk, ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}
