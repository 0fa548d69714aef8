//! A real OpenAI-compatible chat client: one question, one tool, the answer streamed to
//! standard output, every model call and tool call a span.
//!
//! Against OpenAI:
//!
//! ```sh
//! OPENAI_API_KEY=sk-... cargo run --example openai_client
//! OPENAI_API_KEY=sk-... OPENAI_MODEL=gpt-4.1-mini cargo run --example openai_client -- "Weather in Oslo?"
//! ```
//!
//! Against a local Ollama (`ollama serve`, and a model that can call tools, pulled first with
//! `ollama pull llama3.2`); no key is needed:
//!
//! ```sh
//! OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 cargo run --example openai_client
//! ```
//!
//! vLLM (`http://localhost:8000/v1`) and llama.cpp's `llama-server` (`http://localhost:8080/v1`)
//! work the same way. The spans name the provider `openai` (the API they speak; `server.address`
//! and the model tell the servers apart); set `OPENAI_PROVIDER=ollama` (or `vllm`,
//! `llama_cpp`) to name the server instead. See `genai_span_examples::openai::Config`.
//!
//! Telemetry is installed by `genai_span::setup::init()`, configured by the standard `OTEL_*`
//! variables: with `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318` the spans go to a
//! collector (Jaeger, Phoenix, Langfuse, ...); without it, a waterfall of the run is printed
//! once the answer is done. Add `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` to
//! record the prompts and answers on the spans too.

use std::future::poll_fn;
use std::io::Write as _;
use std::pin::pin;
use std::process::ExitCode;

use futures_core::Stream;
use genai_span::{GenAiError, genai_span};
use genai_span_examples::openai::{
    ChatAccumulator, ChatRequest, Client, Error, Message, Tool, ToolCall,
};
use serde_json::json;

/// How many rounds of tool calls the model gets before it must answer.
const MAX_ROUNDS: usize = 4;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // Dropped at the end of `main`: exports what is left (or prints the waterfall).
    let _telemetry = match genai_span::setup::init() {
        Ok(guard) => Some(guard),
        Err(error) => {
            eprintln!("telemetry is off: {error}");
            None
        }
    };
    let question = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "What's the weather like in Paris right now?".to_owned());
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "asking {} at {} (provider {})\n",
        client.model(),
        client.endpoint(),
        client.provider()
    );
    match answer(&client, &question).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nerror: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Asks `question`, runs the tool calls the model asks for, and streams the final answer: an
/// agent span, holding the chat and tool spans in one trace.
#[genai_span(invoke_agent, provider = client.provider(), model = client.model(),
    agent_name = "weather-example")]
async fn answer(client: &Client, question: &str) -> Result<(), Error> {
    let mut messages = vec![
        Message::system(
            "You answer weather questions. Use the get_weather tool for current conditions.",
        ),
        Message::user(question),
    ];
    for _ in 0..MAX_ROUNDS {
        let request = ChatRequest {
            tools: vec![weather_tool()],
            temperature: Some(0.2),
            max_tokens: Some(512),
            ..ChatRequest::new(client.model(), messages.clone())
        };
        let mut chunks = pin!(client.chat_stream(&request).await?);
        let mut reply = ChatAccumulator::default();
        let mut stdout = std::io::stdout().lock();
        while let Some(chunk) = poll_fn(|cx| chunks.as_mut().poll_next(cx)).await {
            let chunk = chunk?;
            for text in chunk
                .choices
                .iter()
                .filter_map(|c| c.delta.content.as_deref())
            {
                let _ = write!(stdout, "{text}").and_then(|()| stdout.flush());
            }
            reply.push(&chunk);
        }
        drop(stdout);
        let Some(message) = reply.finish().choices.into_iter().next().map(|c| c.message) else {
            break;
        };
        if message.tool_calls.is_empty() {
            println!();
            return Ok(());
        }
        let calls = message.tool_calls.clone();
        messages.push(message);
        for call in &calls {
            let result = match get_weather(call).await {
                Ok(weather) => weather.to_string(),
                Err(error) => json!({"error": error.to_string()}).to_string(),
            };
            messages.push(Message::tool(&call.id, result));
        }
    }
    println!();
    eprintln!("(no answer after {MAX_ROUNDS} rounds of tool calls)");
    Ok(())
}

fn weather_tool() -> Tool {
    Tool::function(
        "get_weather",
        "The current weather in a city.",
        json!({
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}},
            "required": ["city"],
        }),
    )
}

/// The tool: canned weather, so the example needs no weather service.
#[genai_span(execute_tool, tool_call_id = call.id, tool_type = "function",
    tool_description = "The current weather in a city.", arguments = call.function.arguments)]
async fn get_weather(call: &ToolCall) -> Result<serde_json::Value, ToolError> {
    if call.function.name != "get_weather" {
        return Err(ToolError::UnknownTool);
    }
    let arguments: serde_json::Value =
        serde_json::from_str(&call.function.arguments).map_err(|_| ToolError::BadArguments)?;
    let city = arguments["city"].as_str().ok_or(ToolError::BadArguments)?;
    Ok(json!({"city": city, "conditions": "sunny", "temperature_celsius": 21}))
}

#[derive(Debug)]
enum ToolError {
    UnknownTool,
    BadArguments,
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ToolError::UnknownTool => "no such tool",
            ToolError::BadArguments => "expected arguments {\"city\": string}",
        })
    }
}

impl GenAiError for ToolError {
    fn error_type(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ToolError::UnknownTool => "unknown_tool".into(),
            ToolError::BadArguments => "invalid_arguments".into(),
        }
    }
}
