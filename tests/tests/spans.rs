//! `#[genai_span]` through the real pipeline: spans as the OTel SDK exports them.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use genai_span::{GenAiError, GenAiResponse, genai_span};
use genai_span_tests::{
    Telemetry, attributes, error_description, i, is_child_of, is_root, s, strings,
};
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use tracing::Instrument as _;
use tracing::instrument::WithSubscriber as _;

// ---- An OpenAI-shaped provider, tools and an agent -------------------------------------

#[derive(Debug, Clone, GenAiResponse)]
struct ChatResponse {
    #[genai(response_id)]
    id: String,
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    choices: Vec<Choice>,
    #[genai(flatten)]
    usage: Option<Usage>,
}

#[derive(Debug, Clone, GenAiResponse)]
struct Choice {
    #[genai(finish_reason)]
    finish_reason: String,
    #[genai(tool_calls)]
    tool_calls: Vec<String>,
}

#[derive(Debug, Clone, GenAiResponse)]
#[allow(clippy::struct_field_names, reason = "OpenAI's field names")]
struct Usage {
    #[genai(input_tokens)]
    prompt_tokens: u64,
    #[genai(output_tokens)]
    completion_tokens: u64,
    #[genai(cache_read_input_tokens)]
    cached_tokens: Option<u32>,
}

#[derive(Debug)]
enum ApiError {
    RateLimited,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("rate limited: retry in 3s")
    }
}

impl GenAiError for ApiError {
    fn error_type(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ApiError::RateLimited => "rate_limited".into(),
        }
    }
}

struct Session {
    id: String,
}

struct ChatRequest {
    model: String,
    temperature: f32,
    max_tokens: Option<u32>,
    stop: Vec<String>,
    tool_calls: usize,
}

struct Client {
    fail: bool,
}

impl Client {
    #[genai_span(chat, provider = "openai", model = req.model, conversation_id = session.id,
        temperature = req.temperature, max_tokens = req.max_tokens, stop_sequences = req.stop,
        server_address = "api.openai.com", server_port = 443)]
    async fn complete(
        &self,
        session: &Session,
        req: &ChatRequest,
    ) -> Result<ChatResponse, ApiError> {
        tokio::task::yield_now().await;
        if self.fail {
            return Err(ApiError::RateLimited);
        }
        Ok(ChatResponse {
            id: "chatcmpl-1".into(),
            model: format!("{}-2024-08-06", req.model),
            choices: vec![Choice {
                finish_reason: if req.tool_calls > 0 {
                    "tool_calls"
                } else {
                    "stop"
                }
                .into(),
                tool_calls: (0..req.tool_calls).map(|n| format!("call_{n}")).collect(),
            }],
            usage: Some(Usage {
                prompt_tokens: 42,
                completion_tokens: 7,
                cached_tokens: Some(10),
            }),
        })
    }
}

struct ToolCall {
    id: String,
}

#[derive(Debug)]
struct ToolError(String);

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tool failed: {}", self.0)
    }
}

#[genai_span(execute_tool, tool_call_id = call.id, tool_type = "function")]
async fn get_weather(call: &ToolCall, city: &str) -> Result<String, ToolError> {
    tokio::task::yield_now().await;
    if city.is_empty() {
        return Err(ToolError("no city".into()));
    }
    Ok(format!("sunny in {city}"))
}

#[genai_span(execute_tool, tool_name = "calculator")]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[genai_span(invoke_agent, provider = "openai", agent_name = "planner", conversation_id = session.id)]
async fn run_agent(client: &Client, session: &Session, task: &str) -> Result<String, ApiError> {
    let first = ChatRequest {
        model: "gpt-4o".into(),
        temperature: 0.2,
        max_tokens: None,
        stop: vec![],
        tool_calls: 1,
    };
    client.complete(session, &first).await?;
    let call = ToolCall {
        id: "call_0".into(),
    };
    let weather = get_weather(&call, task).await.unwrap_or_default();
    let second = ChatRequest {
        model: "gpt-4o".into(),
        temperature: 0.2,
        max_tokens: Some(256),
        stop: vec![],
        tool_calls: 0,
    };
    client.complete(session, &second).await?;
    Ok(weather)
}

fn block_on<F: Future>(telemetry: &Telemetry, future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(future.with_subscriber(telemetry.dispatch()))
}

fn expected(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

// ---- Inference -----------------------------------------------------------------------

#[test]
fn a_chat_call_is_a_client_span_with_every_spec_attribute() {
    let telemetry = Telemetry::new();
    let client = Client { fail: false };
    let session = Session {
        id: "conv-7".into(),
    };
    let req = ChatRequest {
        model: "gpt-4o".into(),
        temperature: 0.5,
        max_tokens: Some(100),
        stop: vec!["\n\n".into(), "END".into()],
        tool_calls: 2,
    };
    let response = block_on(&telemetry, client.complete(&session, &req)).unwrap();
    assert_eq!(
        response.id, "chatcmpl-1",
        "the function's result is unchanged"
    );

    let span = telemetry.span("chat gpt-4o");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        attributes(&span),
        expected(&[
            ("gen_ai.operation.name", s("chat")),
            ("gen_ai.provider.name", s("openai")),
            ("gen_ai.request.model", s("gpt-4o")),
            ("server.address", s("api.openai.com")),
            ("server.port", i(443)),
            ("gen_ai.conversation.id", s("conv-7")),
            ("gen_ai.request.temperature", Value::F64(0.5)),
            ("gen_ai.request.max_tokens", i(100)),
            ("gen_ai.request.stop_sequences", strings(&["\n\n", "END"])),
            ("gen_ai.response.id", s("chatcmpl-1")),
            ("gen_ai.response.model", s("gpt-4o-2024-08-06")),
            ("gen_ai.response.finish_reasons", strings(&["tool_calls"])),
            ("gen_ai.usage.input_tokens", i(42)),
            ("gen_ai.usage.output_tokens", i(7)),
            ("gen_ai.usage.cache_read.input_tokens", i(10)),
            (genai_span::TOOL_CALL_COUNT, i(2)),
        ])
    );
}

#[test]
fn an_absent_optional_argument_records_nothing() {
    let telemetry = Telemetry::new();
    let client = Client { fail: false };
    let session = Session { id: "c".into() };
    let req = ChatRequest {
        model: "m".into(),
        temperature: 1.0,
        max_tokens: None,
        stop: vec![],
        tool_calls: 0,
    };
    block_on(&telemetry, client.complete(&session, &req)).unwrap();
    let attrs = attributes(&telemetry.span("chat m"));
    assert!(!attrs.contains_key("gen_ai.request.max_tokens"));
    assert_eq!(attrs["gen_ai.request.stop_sequences"], strings(&[]));
}

#[test]
fn an_error_sets_error_type_and_status_from_the_error() {
    let telemetry = Telemetry::new();
    let client = Client { fail: true };
    let session = Session { id: "c".into() };
    let req = ChatRequest {
        model: "gpt-4o".into(),
        temperature: 1.0,
        max_tokens: None,
        stop: vec![],
        tool_calls: 0,
    };
    assert!(block_on(&telemetry, client.complete(&session, &req)).is_err());
    let span = telemetry.span("chat gpt-4o");
    assert_eq!(
        error_description(&span).as_deref(),
        Some("rate limited: retry in 3s")
    );
    let attrs = attributes(&span);
    assert_eq!(attrs["error.type"], s("rate_limited"));
    assert!(
        !attrs.contains_key("gen_ai.response.model"),
        "no response attributes on a failure"
    );
}

// ---- Tools ---------------------------------------------------------------------------

#[test]
fn a_tool_is_an_internal_span_named_after_its_function() {
    let telemetry = Telemetry::new();
    let call = ToolCall {
        id: "call_9".into(),
    };
    assert_eq!(
        block_on(&telemetry, get_weather(&call, "Paris")).unwrap(),
        "sunny in Paris"
    );
    let span = telemetry.span("execute_tool get_weather");
    assert_eq!(span.span_kind, SpanKind::Internal);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        attributes(&span),
        expected(&[
            ("gen_ai.operation.name", s("execute_tool")),
            ("gen_ai.tool.name", s("get_weather")),
            ("gen_ai.tool.call.id", s("call_9")),
            ("gen_ai.tool.type", s("function")),
        ])
    );
}

#[test]
fn a_failing_tool_without_gen_ai_error_is_typed_by_its_rust_type() {
    let telemetry = Telemetry::new();
    let call = ToolCall {
        id: "call_1".into(),
    };
    assert!(block_on(&telemetry, get_weather(&call, "")).is_err());
    let span = telemetry.span("execute_tool get_weather");
    assert_eq!(
        error_description(&span).as_deref(),
        Some("tool failed: no city")
    );
    assert_eq!(
        attributes(&span)["error.type"],
        s(std::any::type_name::<ToolError>())
    );
}

#[test]
fn a_sync_tool_with_a_named_tool() {
    let telemetry = Telemetry::new();
    assert_eq!(telemetry.in_scope(|| add(2, 3)), 5);
    let span = telemetry.span("execute_tool calculator");
    assert_eq!(attributes(&span)["gen_ai.tool.name"], s("calculator"));
    assert_eq!(span.status, Status::Unset);
}

// ---- Agents and nesting --------------------------------------------------------------

#[test]
fn an_agent_span_contains_its_chat_and_tool_spans() {
    let telemetry = Telemetry::new();
    let client = Client { fail: false };
    let session = Session {
        id: "conv-1".into(),
    };
    block_on(&telemetry, run_agent(&client, &session, "Paris")).unwrap();

    let spans = telemetry.spans();
    let agent = telemetry.span("invoke_agent planner");
    assert_eq!(agent.span_kind, SpanKind::Internal);
    assert!(is_root(&agent));
    let chats: Vec<_> = spans.iter().filter(|s| s.name == "chat gpt-4o").collect();
    assert_eq!(chats.len(), 2);
    assert!(chats.iter().all(|c| is_child_of(c, &agent)));
    let tool = telemetry.span("execute_tool get_weather");
    assert!(is_child_of(&tool, &agent));
    assert_eq!(
        attributes(&agent),
        expected(&[
            ("gen_ai.operation.name", s("invoke_agent")),
            ("gen_ai.provider.name", s("openai")),
            ("gen_ai.agent.name", s("planner")),
            ("gen_ai.conversation.id", s("conv-1")),
        ])
    );
}

#[derive(GenAiResponse)]
struct AgentOutput {
    #[genai(flatten)]
    usage: Usage,
    #[genai(finish_reason)]
    finish_reason: &'static str,
    #[genai(response_model)]
    model: &'static str,
}

#[genai_span(invoke_agent, provider = "anthropic", kind = client, server_address = "agents.example.com")]
async fn remote_agent() -> anyhow::Result<AgentOutput> {
    Ok(AgentOutput {
        usage: Usage {
            prompt_tokens: 5,
            completion_tokens: 6,
            cached_tokens: None,
        },
        finish_reason: "end_turn",
        model: "claude",
    })
}

#[test]
fn an_agent_response_records_only_what_the_agent_span_carries() {
    let telemetry = Telemetry::new();
    block_on(&telemetry, remote_agent()).unwrap();
    let span = telemetry.span("invoke_agent");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(
        attributes(&span),
        expected(&[
            ("gen_ai.operation.name", s("invoke_agent")),
            ("gen_ai.provider.name", s("anthropic")),
            ("server.address", s("agents.example.com")),
            ("gen_ai.usage.input_tokens", i(5)),
            ("gen_ai.usage.output_tokens", i(6)),
            ("gen_ai.response.finish_reasons", strings(&["end_turn"])),
        ]),
        "gen_ai.response.model is not an invoke_agent attribute"
    );
}

#[test]
fn spawned_work_that_carries_the_span_stays_in_the_trace() {
    let telemetry = Telemetry::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    #[genai_span(invoke_agent, provider = "openai", agent_name = "fanout")]
    async fn fan_out() -> usize {
        let mut handles = Vec::new();
        for n in 0..4 {
            let call = ToolCall {
                id: format!("call_{n}"),
            };
            handles.push(tokio::spawn(
                async move { get_weather(&call, "Oslo").await.unwrap() }
                    .in_current_span()
                    .with_current_subscriber(),
            ));
        }
        let mut done = 0;
        for handle in handles {
            handle.await.unwrap();
            done += 1;
        }
        done
    }
    assert_eq!(
        runtime.block_on(fan_out().with_subscriber(telemetry.dispatch())),
        4
    );
    let agent = telemetry.span("invoke_agent fanout");
    let tools: Vec<_> = telemetry
        .spans()
        .into_iter()
        .filter(|s| s.name == "execute_tool get_weather")
        .collect();
    assert_eq!(tools.len(), 4);
    assert!(tools.iter().all(|t| is_child_of(t, &agent)));
}

#[test]
fn a_thousand_concurrent_sessions_do_not_cross_talk() {
    const SESSIONS: usize = 1000;
    let telemetry = Telemetry::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(
        async {
            let mut handles = Vec::new();
            for n in 0..SESSIONS {
                handles.push(tokio::spawn(
                    async move {
                        let client = Client { fail: false };
                        let session = Session {
                            id: format!("session-{n}"),
                        };
                        run_agent(&client, &session, "Rome").await.unwrap();
                    }
                    .with_current_subscriber(),
                ));
            }
            for handle in handles {
                handle.await.unwrap();
            }
        }
        .with_subscriber(telemetry.dispatch()),
    );

    let spans = telemetry.spans();
    assert_eq!(
        spans.len(),
        SESSIONS * 4,
        "every span exported exactly once"
    );
    let by_id: std::collections::HashMap<_, _> = spans
        .iter()
        .map(|s| (s.span_context.span_id(), s))
        .collect();
    assert_eq!(by_id.len(), spans.len(), "span ids are unique");
    let agents: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "invoke_agent planner")
        .collect();
    assert_eq!(agents.len(), SESSIONS);
    let traces: std::collections::HashSet<_> =
        agents.iter().map(|a| a.span_context.trace_id()).collect();
    assert_eq!(traces.len(), SESSIONS, "one trace per session");
    for span in spans.iter().filter(|s| s.name != "invoke_agent planner") {
        let parent = by_id[&span.parent_span_id];
        assert_eq!(parent.name, "invoke_agent planner");
        assert_eq!(parent.span_context.trace_id(), span.span_context.trace_id());
        if span.name.starts_with("chat") {
            assert_eq!(
                attributes(span)["gen_ai.conversation.id"],
                attributes(parent)["gen_ai.conversation.id"],
                "a chat span carries its own session's conversation id"
            );
        }
    }
}

// ---- Cancellation and panics ---------------------------------------------------------

#[genai_span(execute_tool)]
async fn slow_tool() -> Result<(), ToolError> {
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(())
}

#[test]
fn a_dropped_future_ends_its_span_as_cancelled() {
    let telemetry = Telemetry::new();
    let timed_out = block_on(&telemetry, async {
        tokio::time::timeout(Duration::from_millis(10), slow_tool())
            .await
            .is_err()
    });
    assert!(timed_out);
    let span = telemetry.span("execute_tool slow_tool");
    assert_eq!(attributes(&span)["error.type"], s(genai_span::CANCELLED));
    assert_eq!(
        error_description(&span).as_deref(),
        Some("cancelled: dropped before completion")
    );
}

#[genai_span(execute_tool)]
async fn panicking_tool(explode: bool) -> Result<u8, ToolError> {
    tokio::task::yield_now().await;
    assert!(!explode, "the tool exploded");
    Ok(1)
}

#[genai_span(execute_tool)]
fn panicking_sync_tool() -> u8 {
    panic!("sync tool exploded")
}

#[test]
fn a_panic_ends_the_span_as_an_error_and_propagates() {
    let telemetry = Telemetry::new();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        block_on(&telemetry, panicking_tool(true))
    }));
    assert!(outcome.is_err(), "the panic reaches the caller");
    let span = telemetry.span("execute_tool panicking_tool");
    assert_eq!(attributes(&span)["error.type"], s(genai_span::PANIC));
    assert_eq!(
        error_description(&span).as_deref(),
        Some("the tool exploded")
    );

    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        telemetry.in_scope(panicking_sync_tool)
    }));
    assert!(outcome.is_err());
    let span = telemetry.span("execute_tool panicking_sync_tool");
    assert_eq!(
        error_description(&span).as_deref(),
        Some("sync tool exploded")
    );
}

// ---- Shapes of functions -------------------------------------------------------------

#[derive(GenAiResponse)]
struct Embedding {
    #[genai(response_model)]
    model: String,
    #[genai(embedding)]
    vector: Vec<f32>,
    #[genai(input_tokens)]
    tokens: u32,
}

trait Embedder {
    fn embed(&self, text: &str) -> impl Future<Output = std::io::Result<Embedding>> + Send;
}

struct LocalEmbedder;

impl Embedder for LocalEmbedder {
    #[genai_span(embeddings, provider = "local", model = "mini-lm", kind = internal, encoding_formats = ["float"])]
    async fn embed(&self, text: &str) -> std::io::Result<Embedding> {
        Ok(Embedding {
            model: "mini-lm-v2".into(),
            vector: vec![0.0; 384],
            tokens: u32::try_from(text.len()).unwrap(),
        })
    }
}

#[test]
fn async_fn_in_trait_with_an_io_result_alias() {
    let telemetry = Telemetry::new();
    block_on(&telemetry, LocalEmbedder.embed("hello")).unwrap();
    let span = telemetry.span("embeddings mini-lm");
    assert_eq!(span.span_kind, SpanKind::Internal);
    assert_eq!(
        attributes(&span),
        expected(&[
            ("gen_ai.operation.name", s("embeddings")),
            ("gen_ai.provider.name", s("local")),
            ("gen_ai.request.model", s("mini-lm")),
            ("gen_ai.request.encoding_formats", strings(&["float"])),
            ("gen_ai.response.model", s("mini-lm-v2")),
            ("gen_ai.embeddings.dimension.count", i(384)),
            ("gen_ai.usage.input_tokens", i(5)),
        ])
    );
}

#[async_trait::async_trait]
trait Tool: Send + Sync {
    async fn call(&self, input: &str) -> Result<String, std::io::Error>;
}

struct Search {
    name: &'static str,
}

#[async_trait::async_trait]
impl Tool for Search {
    #[genai_span(execute_tool, tool_name = self.name, tool_description = "web search")]
    async fn call(&self, input: &str) -> Result<String, std::io::Error> {
        if input.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "empty query",
            ));
        }
        Ok(input.to_uppercase())
    }
}

#[test]
fn async_trait_methods_are_instrumented_inside_the_boxed_future() {
    let telemetry = Telemetry::new();
    let tool: Box<dyn Tool> = Box::new(Search { name: "search" });
    // The boxed future, and so its span, is made at the call: make it under the subscriber.
    assert_eq!(
        block_on(&telemetry, async { tool.call("rust").await }).unwrap(),
        "RUST"
    );
    assert!(block_on(&telemetry, async { tool.call("").await }).is_err());
    let spans: Vec<_> = telemetry
        .spans()
        .into_iter()
        .filter(|s| s.name == "execute_tool search")
        .collect();
    assert_eq!(spans.len(), 2);
    assert_eq!(
        attributes(&spans[0])["gen_ai.tool.description"],
        s("web search")
    );
    assert_eq!(
        attributes(&spans[1])["error.type"],
        s("InvalidInput"),
        "io::Error is typed by its kind"
    );
}

#[genai_span(execute_tool, tool_name = "render")]
fn render<T: std::fmt::Display>(value: T) -> impl std::fmt::Display {
    format!("<{value}>")
}

#[genai_span(execute_tool)]
fn first_word(text: &str) -> &str {
    text.split(' ').next().unwrap_or_default()
}

#[genai_span(execute_tool)]
fn parse_number(text: &str) -> Result<i64, std::num::ParseIntError> {
    let n: i64 = text.trim().parse()?;
    Ok(n * 2)
}

#[test]
fn generics_impl_trait_borrowed_returns_and_question_marks() {
    let telemetry = Telemetry::new();
    telemetry.in_scope(|| {
        assert_eq!(render(5).to_string(), "<5>");
        assert_eq!(first_word("hello world"), "hello");
        assert_eq!(parse_number(" 21 ").unwrap(), 42);
        assert!(parse_number("x").is_err());
    });
    assert_eq!(telemetry.spans().len(), 4);
    let failed = telemetry
        .spans()
        .into_iter()
        .find(|s| s.name == "execute_tool parse_number" && s.status != Status::Unset)
        .unwrap();
    assert_eq!(
        error_description(&failed).as_deref(),
        Some("invalid digit found in string")
    );
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn instrumented_futures_stay_send() {
    let client = Client { fail: false };
    let session = Session { id: "x".into() };
    let req = ChatRequest {
        model: "m".into(),
        temperature: 0.0,
        max_tokens: None,
        stop: vec![],
        tool_calls: 0,
    };
    assert_send(&client.complete(&session, &req));
    assert_send(&run_agent(&client, &session, "x"));
    assert_send(&LocalEmbedder.embed("x"));
}

#[test]
fn without_a_subscriber_nothing_is_recorded_and_results_are_unchanged() {
    // No dispatcher: the global default is the no-op one.
    assert_eq!(add(1, 1), 2);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let call = ToolCall { id: "x".into() };
    assert_eq!(
        runtime.block_on(get_weather(&call, "Lima")).unwrap(),
        "sunny in Lima"
    );
}

#[genai_span(execute_tool, fields("app.user.tier" = tier, "app.retries" = 3_u8, "app.cached" = true, GEN_AI_CONVERSATION_ID = Some("c-1")))]
fn lookup(tier: &str) -> u8 {
    u8::try_from(tier.len()).unwrap_or(u8::MAX)
}

#[test]
fn fields_set_typed_semconv_keys_and_custom_keys() {
    let telemetry = Telemetry::new();
    telemetry.in_scope(|| lookup("gold"));
    let attrs = attributes(&telemetry.span("execute_tool lookup"));
    assert_eq!(attrs["app.user.tier"], s("gold"));
    assert_eq!(attrs["app.retries"], i(3));
    assert_eq!(attrs["app.cached"], Value::Bool(true));
    assert_eq!(attrs["gen_ai.conversation.id"], s("c-1"));
}

thread_local! {
    static EVALUATED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn counted_model() -> String {
    EVALUATED.set(EVALUATED.get() + 1);
    "counted".to_owned()
}

#[genai_span(embeddings, provider = "local", model = counted_model())]
fn embed_counted() -> Embedding {
    Embedding {
        model: String::new(),
        vector: vec![],
        tokens: 0,
    }
}

#[test]
fn each_argument_is_evaluated_once_per_call() {
    let telemetry = Telemetry::new();
    telemetry.in_scope(|| {
        for _ in 0..3 {
            embed_counted();
        }
    });
    // `model` is both an attribute and part of the span name.
    assert_eq!(EVALUATED.get(), 3);
    let spans = telemetry.spans();
    assert_eq!(spans.len(), 3);
    assert!(spans.iter().all(|s| s.name == "embeddings counted"));
}
