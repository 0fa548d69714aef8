//! A small tool-using agent, instrumented with one attribute per function, run offline.
//!
//! An OpenAI-shaped chat client (answering from a script, no network), two tools and an
//! agent loop. The spans go through the real pipeline (tracing-subscriber,
//! tracing-opentelemetry, the OTel SDK) into an exporter that prints them as a tree.
//!
//! Run: `cargo run --example agent`

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genai_span::{GenAiError, GenAiResponse, genai_span};
use opentelemetry::trace::{SpanId, Status, TracerProvider as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use tracing_subscriber::layer::SubscriberExt as _;

// ---- The provider: an OpenAI-shaped chat client ---------------------------------------

/// A chat completion, shaped like OpenAI's `/v1/chat/completions` response.
#[derive(Debug, Clone, GenAiResponse)]
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

#[derive(Debug, Clone, GenAiResponse)]
struct Choice {
    #[genai(finish_reason)]
    finish_reason: String,
    #[genai(tool_calls)]
    tool_calls: Vec<ToolCall>,
    content: Option<String>,
}

#[derive(Debug, Clone, GenAiResponse)]
#[allow(clippy::struct_field_names, reason = "OpenAI's field names")]
struct Usage {
    #[genai(input_tokens)]
    prompt_tokens: u32,
    #[genai(output_tokens)]
    completion_tokens: u32,
    #[genai(cache_read_input_tokens)]
    cached_tokens: u32,
}

#[derive(Debug, Clone)]
struct ToolCall {
    id: String,
    name: String,
    argument: String,
}

#[derive(Debug, Clone)]
struct Message {
    role: &'static str,
    content: String,
}

struct ChatRequest {
    model: String,
    messages: Vec<Message>,
    temperature: f64,
    max_tokens: u32,
}

#[derive(Debug)]
enum ApiError {
    /// HTTP 429.
    RateLimited,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::RateLimited => f.write_str("429 Too Many Requests"),
        }
    }
}

impl std::error::Error for ApiError {}

impl GenAiError for ApiError {
    fn error_type(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ApiError::RateLimited => "rate_limit_exceeded".into(),
        }
    }
}

struct OpenAiClient {
    base_url: &'static str,
    /// Calls that answer 429 before one succeeds, to show the error path.
    rate_limited_calls: Mutex<u32>,
}

impl OpenAiClient {
    #[genai_span(chat, provider = "openai", model = req.model, conversation_id = conversation,
        temperature = req.temperature, max_tokens = req.max_tokens,
        server_address = self.base_url, server_port = 443)]
    async fn chat(
        &self,
        conversation: &str,
        req: &ChatRequest,
    ) -> Result<ChatCompletion, ApiError> {
        tokio::time::sleep(Duration::from_millis(40)).await;
        {
            let mut left = self.rate_limited_calls.lock().expect("not poisoned");
            if *left > 0 {
                *left -= 1;
                return Err(ApiError::RateLimited);
            }
        }
        let words: usize = req
            .messages
            .iter()
            .map(|m| m.content.split_whitespace().count() + 4)
            .sum();
        let prompt_tokens = u32::try_from(words).unwrap_or(u32::MAX);
        let last = req.messages.last().map_or("user", |m| m.role);
        // The script: the first turn asks for two tools, the turn after tool results answers.
        let choice = if last == "user" {
            Choice {
                finish_reason: "tool_calls".into(),
                tool_calls: vec![
                    ToolCall {
                        id: "call_1".into(),
                        name: "get_weather".into(),
                        argument: "Paris".into(),
                    },
                    ToolCall {
                        id: "call_2".into(),
                        name: "get_weather".into(),
                        argument: "Atlantis".into(),
                    },
                ],
                content: None,
            }
        } else {
            Choice {
                finish_reason: "stop".into(),
                tool_calls: vec![],
                content: Some("Paris is sunny at 21°C; I could not find Atlantis.".into()),
            }
        };
        Ok(ChatCompletion {
            id: format!("chatcmpl-{prompt_tokens}"),
            model: format!("{}-2024-08-06", req.model),
            usage: Usage {
                prompt_tokens,
                completion_tokens: 18,
                cached_tokens: prompt_tokens / 2,
            },
            choices: vec![choice],
        })
    }

    /// Retries rate-limited calls: each attempt is its own span.
    async fn chat_with_retry(
        &self,
        conversation: &str,
        req: &ChatRequest,
    ) -> Result<ChatCompletion, ApiError> {
        loop {
            match self.chat(conversation, req).await {
                Err(ApiError::RateLimited) => tokio::time::sleep(Duration::from_millis(20)).await,
                other => return other,
            }
        }
    }
}

// ---- Tools ---------------------------------------------------------------------------

#[derive(Debug)]
struct ToolError(String);

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl GenAiError for ToolError {
    fn error_type(&self) -> std::borrow::Cow<'_, str> {
        "not_found".into()
    }
}

#[genai_span(execute_tool, tool_call_id = call.id, tool_type = "function",
    tool_description = "Current weather for a city")]
async fn get_weather(call: &ToolCall) -> Result<f64, ToolError> {
    tokio::time::sleep(Duration::from_millis(25)).await;
    match call.argument.as_str() {
        "Paris" => Ok(21.0),
        other => Err(ToolError(format!("no weather station in {other}"))),
    }
}

#[genai_span(execute_tool, tool_name = "format_celsius", tool_type = "function")]
fn format_celsius(degrees: f64) -> String {
    format!("{degrees:.0}°C")
}

// ---- The agent -----------------------------------------------------------------------

#[genai_span(invoke_agent, provider = "openai", agent_name = "weather-assistant", agent_id = "asst_42",
    conversation_id = conversation, model = "gpt-4o")]
async fn run_agent(
    client: &OpenAiClient,
    conversation: &str,
    question: &str,
) -> Result<String, ApiError> {
    let mut messages = vec![
        Message {
            role: "system",
            content: "You answer weather questions with tools.".into(),
        },
        Message {
            role: "user",
            content: question.into(),
        },
    ];
    loop {
        let request = ChatRequest {
            model: "gpt-4o".into(),
            messages: messages.clone(),
            temperature: 0.2,
            max_tokens: 512,
        };
        let completion = client.chat_with_retry(conversation, &request).await?;
        let choice = &completion.choices[0];
        if choice.tool_calls.is_empty() {
            return Ok(choice.content.clone().unwrap_or_default());
        }
        for call in &choice.tool_calls {
            let result = match get_weather(call).await {
                Ok(degrees) => format_celsius(degrees),
                Err(error) => format!("error: {error}"),
            };
            messages.push(Message {
                role: "tool",
                content: format!("{} -> {result}", call.name),
            });
        }
    }
}

// ---- Printing what was exported ------------------------------------------------------

/// An exporter that keeps spans so `main` can print them once the run is over.
#[derive(Debug, Clone, Default)]
struct Collect(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Collect {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().expect("not poisoned").extend(batch);
        Ok(())
    }
}

fn print_tree(spans: &[SpanData]) -> String {
    let mut out = String::new();
    let mut roots: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.parent_span_id == SpanId::INVALID)
        .collect();
    roots.sort_by_key(|s| s.start_time);
    for root in roots {
        print_span(&mut out, spans, root, 0);
    }
    out
}

fn print_span(out: &mut String, spans: &[SpanData], span: &SpanData, depth: usize) {
    let millis = span
        .end_time
        .duration_since(span.start_time)
        .unwrap_or_default()
        .as_millis();
    let status = match &span.status {
        Status::Error { description } => format!("  ERROR: {description}"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{:indent$}{} [{:?}, {millis} ms]{status}",
        "",
        span.name,
        span.span_kind,
        indent = depth * 2
    );
    for kv in &span.attributes {
        let _ = writeln!(
            out,
            "{:indent$}  {} = {}",
            "",
            kv.key,
            kv.value,
            indent = depth * 2
        );
    }
    let mut children: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.parent_span_id == span.span_context.span_id())
        .collect();
    children.sort_by_key(|s| s.start_time);
    for child in children {
        print_span(out, spans, child, depth + 1);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let collected = Collect::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(collected.clone())
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("agent-example"))
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false);
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
        .expect("first subscriber");

    let client = OpenAiClient {
        base_url: "api.openai.com",
        rate_limited_calls: Mutex::new(1),
    };
    let answer = run_agent(
        &client,
        "conv-2026-11-21",
        "What's the weather in Paris and Atlantis?",
    )
    .await;
    println!("answer: {}\n", answer.as_deref().unwrap_or("(failed)"));

    provider.force_flush().expect("flush");
    let spans = collected.0.lock().expect("not poisoned").clone();
    println!("recorded {} spans:\n", spans.len());
    print!("{}", print_tree(&spans));
}
