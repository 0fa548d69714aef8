#!/usr/bin/env python3
"""Generates the crates `bench/compile_time.sh` builds: the same 1,000 functions (a provider
and tool module: chat sync/async/streamed, embeddings, tools sync/async, agents, retrieval),
instrumented four ways (three, and none).

- `gen_genai`: `#[genai_span(...)]`;
- `gen_tracing`: `#[tracing::instrument(skip_all, fields(...))]` declaring the same attributes
  (response ones `Empty`), the response recorded in the body with `Span::current().record(...)`:
  the hand-written equivalent;
- `gen_bare`: `#[tracing::instrument(skip_all)]` alone: a span with no attributes, nothing
  recorded (what the attribute costs at its cheapest, not an equivalent);
- `gen_plain`: no instrumentation (the floor).

usage: generate.py <out-dir> <genai-span path> [functions]
"""

import pathlib
import sys

out = pathlib.Path(sys.argv[1])
runtime = pathlib.Path(sys.argv[2]).resolve()
FUNCTIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
PER_MODULE = 10

COMMON = '''
#![allow(dead_code, unused_variables, clippy::all)]

use std::pin::Pin;
use std::task::{Context, Poll};

pub struct ChatRequest {
    pub model: String,
    pub temperature: f64,
    pub max_tokens: Option<u32>,
    pub messages: Vec<String>,
}

pub struct ToolCall {
    pub id: String,
    pub arguments: String,
}

#[derive(Debug)]
pub struct ApiError(pub u16);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.0)
    }
}

impl std::error::Error for ApiError {}

DERIVE_RESPONSE
pub struct ChatResponse {
    RESPONSE_ID pub id: String,
    RESPONSE_MODEL pub model: String,
    FINISH_REASON pub finish_reason: String,
    INPUT_TOKENS pub input_tokens: u32,
    OUTPUT_TOKENS pub output_tokens: u32,
}

DERIVE_RESPONSE
pub struct Embedding {
    RESPONSE_MODEL pub model: String,
    INPUT_TOKENS pub input_tokens: u32,
    pub vector: Vec<f32>,
}

DERIVE_CHUNK
pub struct Chunk {
    RESPONSE_MODEL pub model: String,
    FINISH_REASON_OPT pub finish_reason: Option<String>,
    OUTPUT_TOKENS_OPT pub output_tokens: Option<u32>,
}

pub struct Chunks(pub usize);

impl futures_core::Stream for Chunks {
    type Item = Result<Chunk, ApiError>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.0 == 0 {
            return Poll::Ready(None);
        }
        self.0 -= 1;
        Poll::Ready(Some(Ok(Chunk { model: "m".into(), finish_reason: None, output_tokens: None })))
    }
}

fn response(req: &ChatRequest, n: u32) -> ChatResponse {
    ChatResponse {
        id: format!("chatcmpl-{n}"),
        model: req.model.clone(),
        finish_reason: "stop".into(),
        input_tokens: n,
        output_tokens: n + 1,
    }
}

pub mod provider;
'''

MARKERS = {
    "genai": {
        "DERIVE_RESPONSE": "#[derive(genai_span::GenAiResponse)]",
        "DERIVE_CHUNK": "#[derive(genai_span::GenAiChunk)]",
        "RESPONSE_ID": "#[genai(response_id)]",
        "RESPONSE_MODEL": "#[genai(response_model)]",
        "FINISH_REASON_OPT": "#[genai(finish_reason)]",
        "FINISH_REASON": "#[genai(finish_reason)]",
        "INPUT_TOKENS": "#[genai(input_tokens)]",
        "OUTPUT_TOKENS_OPT": "#[genai(output_tokens)]",
        "OUTPUT_TOKENS": "#[genai(output_tokens)]",
    },
}


def common(variant):
    text = COMMON
    for marker, value in MARKERS.get(variant, {}).items():
        text = text.replace(marker, value)
    for marker in MARKERS["genai"]:
        text = text.replace(marker, "")
    return text


# Each kind: (genai attribute, tracing attribute, signature, body, tracing body)
CHAT_FIELDS = '''otel.name = format!("chat {}", req.model), otel.kind = "client",
    gen_ai.operation.name = "chat", gen_ai.provider.name = "openai",
    gen_ai.request.model = req.model.as_str(), gen_ai.request.temperature = req.temperature,
    gen_ai.request.max_tokens = req.max_tokens.map(i64::from),
    gen_ai.response.model = Empty, gen_ai.response.id = Empty,
    gen_ai.usage.input_tokens = Empty, gen_ai.usage.output_tokens = Empty,
    error.type = Empty, otel.status_description = Empty'''

RECORD_CHAT = '''    let span = Span::current();
    match &result {
        Ok(r) => {
            span.record("gen_ai.response.model", r.model.as_str());
            span.record("gen_ai.response.id", r.id.as_str());
            span.record("gen_ai.usage.input_tokens", i64::from(r.input_tokens));
            span.record("gen_ai.usage.output_tokens", i64::from(r.output_tokens));
            span.set_attribute("gen_ai.response.finish_reasons",
                Value::Array(Array::String(vec![StringValue::from(r.finish_reason.clone())])));
        }
        Err(e) => {
            span.record("error.type", "ApiError");
            span.record("otel.status_description", e.to_string());
        }
    }
    result'''

RECORD_ERROR = '''    if let Err(e) = &result {
        let span = Span::current();
        span.record("error.type", "ApiError");
        span.record("otel.status_description", e.to_string());
    }
    result'''

KINDS = [
    dict(
        genai='#[genai_span(chat, provider = "openai", model = req.model, temperature = req.temperature, max_tokens = req.max_tokens)]',
        tracing=f'#[tracing::instrument(skip_all, fields({CHAT_FIELDS}))]',
        sig="pub async fn {name}(req: &ChatRequest) -> Result<ChatResponse, ApiError>",
        body="    let result: Result<_, ApiError> = Ok(response(req, {n}));",
        record=RECORD_CHAT,
    ),
    dict(
        genai='#[genai_span(chat, provider = "anthropic", model = req.model, server_address = "api.anthropic.com", server_port = 443, max_tokens = req.max_tokens)]',
        tracing=f'#[tracing::instrument(skip_all, fields({CHAT_FIELDS.replace("openai", "anthropic")}, server.address = "api.anthropic.com", server.port = 443_i64))]',
        sig="pub fn {name}(req: &ChatRequest) -> Result<ChatResponse, ApiError>",
        body="    let result = if req.messages.is_empty() { Err(ApiError(400)) } else { Ok(response(req, {n})) };",
        record=RECORD_CHAT,
    ),
    dict(
        genai='#[genai_span(chat, stream, provider = "openai", model = req.model)]',
        tracing='#[tracing::instrument(skip_all, fields(otel.name = format!("chat {}", req.model), otel.kind = "client", gen_ai.operation.name = "chat", gen_ai.provider.name = "openai", gen_ai.request.model = req.model.as_str()))]',
        sig="pub async fn {name}(req: &ChatRequest) -> Result<impl futures_core::Stream<Item = Result<Chunk, ApiError>>, ApiError>",
        body="    let result: Result<_, ApiError> = Ok(Chunks({n}));",
        record="    result",
    ),
    dict(
        genai='#[genai_span(embeddings, provider = "openai", model = req.model)]',
        tracing='#[tracing::instrument(skip_all, fields(otel.name = format!("embeddings {}", req.model), otel.kind = "client", gen_ai.operation.name = "embeddings", gen_ai.provider.name = "openai", gen_ai.request.model = req.model.as_str(), gen_ai.response.model = Empty, gen_ai.usage.input_tokens = Empty, error.type = Empty, otel.status_description = Empty))]',
        sig="pub async fn {name}(req: &ChatRequest) -> Result<Embedding, ApiError>",
        body="    let result: Result<Embedding, ApiError> = Ok(Embedding { model: req.model.clone(), input_tokens: {n}, vector: vec![0.0; 4] });",
        record='''    let span = Span::current();
    match &result {
        Ok(r) => {
            span.record("gen_ai.response.model", r.model.as_str());
            span.record("gen_ai.usage.input_tokens", i64::from(r.input_tokens));
        }
        Err(e) => {
            span.record("error.type", "ApiError");
            span.record("otel.status_description", e.to_string());
        }
    }
    result''',
    ),
    dict(
        genai="#[genai_span(execute_tool, tool_call_id = call.id)]",
        tracing='#[tracing::instrument(skip_all, fields(otel.name = "execute_tool {name}", otel.kind = "internal", gen_ai.operation.name = "execute_tool", gen_ai.tool.name = "{name}", gen_ai.tool.call.id = call.id.as_str(), error.type = Empty, otel.status_description = Empty))]',
        sig="pub async fn {name}(call: &ToolCall, city: &str) -> Result<String, ApiError>",
        body="    let result = if city.is_empty() { Err(ApiError(404)) } else { Ok(format!(\"{}: {n} C\", city)) };",
        record=RECORD_ERROR,
    ),
    dict(
        genai="#[genai_span(execute_tool, tool_type = \"function\")]",
        tracing='#[tracing::instrument(skip_all, fields(otel.name = "execute_tool {name}", otel.kind = "internal", gen_ai.operation.name = "execute_tool", gen_ai.tool.name = "{name}", gen_ai.tool.type = "function"))]',
        sig="pub fn {name}(celsius: f64) -> f64",
        body="    let result = celsius * 9.0 / 5.0 + {n}.0;",
        record="    result",
    ),
    dict(
        genai='#[genai_span(invoke_agent, provider = "openai", agent_name = "planner", conversation_id = session)]',
        tracing='#[tracing::instrument(skip_all, fields(otel.name = "invoke_agent planner", otel.kind = "internal", gen_ai.operation.name = "invoke_agent", gen_ai.provider.name = "openai", gen_ai.agent.name = "planner", gen_ai.conversation.id = session, error.type = Empty, otel.status_description = Empty))]',
        sig="pub async fn {name}(session: &str, task: &str) -> Result<String, ApiError>",
        body="    let result = if task.is_empty() { Err(ApiError(500)) } else { Ok(format!(\"plan {n}: {}\", task)) };",
        record=RECORD_ERROR,
    ),
    dict(
        genai='#[genai_span(retrieval, data_source_id = "docs")]',
        tracing='#[tracing::instrument(skip_all, fields(otel.name = "retrieval docs", otel.kind = "client", gen_ai.operation.name = "retrieval", gen_ai.data_source.id = "docs", error.type = Empty, otel.status_description = Empty))]',
        sig="pub async fn {name}(query: &str) -> Result<Vec<String>, ApiError>",
        body="    let result: Result<_, ApiError> = Ok(vec![format!(\"{} {n}\", query)]);",
        record=RECORD_ERROR,
    ),
    dict(
        genai='#[genai_span(chat, provider = "openai", model = req.model, temperature = req.temperature)]',
        tracing=f'#[tracing::instrument(skip_all, fields({CHAT_FIELDS}))]',
        sig="pub async fn {name}(&self, req: &ChatRequest) -> Result<ChatResponse, ApiError>",
        body="    let result: Result<_, ApiError> = Ok(response(req, self.0 + {n}));",
        record=RECORD_CHAT,
        method=True,
    ),
    dict(
        genai="#[genai_span(execute_tool, tool_call_id = call.id)]",
        tracing='#[tracing::instrument(skip_all, fields(otel.name = "execute_tool {name}", otel.kind = "internal", gen_ai.operation.name = "execute_tool", gen_ai.tool.name = "{name}", gen_ai.tool.call.id = call.id.as_str(), error.type = Empty, otel.status_description = Empty))]',
        sig="pub fn {name}(call: &ToolCall) -> Result<usize, ApiError>",
        body="    let result = if call.arguments.is_empty() { Err(ApiError(422)) } else { Ok(call.arguments.len() + {n}) };",
        record=RECORD_ERROR,
    ),
]


def function(variant, kind, n):
    name = f"f{n}"
    sig = kind["sig"].format(name=name)
    body = kind["body"].replace("{n}", str(n))
    if variant == "genai":
        attr = kind["genai"] + "\n"
        tail = "    result"
    elif variant == "tracing":
        attr = kind["tracing"].replace("{name}", name) + "\n"
        tail = kind["record"]
    elif variant == "bare":
        attr = "#[tracing::instrument(skip_all)]\n"
        tail = "    result"
    else:
        attr = ""
        tail = "    result"
    text = f"{attr}{sig} {{\n{body}\n{tail}\n}}\n"
    if kind.get("method"):
        text = "impl Client {\n" + "\n".join("    " + line for line in text.splitlines()) + "\n}\n"
    return text


def module(variant, index):
    header = "use crate::*;\n"
    if variant == "tracing":
        header += (
            "#[allow(unused_imports)]\n"
            "use opentelemetry::{Array, StringValue, Value};\n"
            "#[allow(unused_imports)]\n"
            "use tracing::{Span, field::Empty};\n"
            "#[allow(unused_imports)]\n"
            "use tracing_opentelemetry::OpenTelemetrySpanExt as _;\n"
        )
    if variant == "genai":
        header += "use genai_span::genai_span;\n"
    parts = [header]
    for i in range(PER_MODULE):
        n = index * PER_MODULE + i
        parts.append(function(variant, KINDS[i % len(KINDS)], n))
    return "\n".join(parts)


def crate(variant):
    root = out / f"gen_{variant}"
    (root / "src" / "provider").mkdir(parents=True, exist_ok=True)
    deps = {
        "genai": f'genai-span = {{ path = "{runtime}" }}\n',
        "tracing": (
            'tracing = { version = "0.1.44", features = ["attributes"] }\n'
            'tracing-opentelemetry = { version = "0.34.0", default-features = false }\n'
            'opentelemetry = { version = "0.33.1", default-features = false, features = ["trace"] }\n'
        ),
        "bare": 'tracing = { version = "0.1.44", features = ["attributes"] }\n',
        "plain": "",
    }[variant]
    (root / "Cargo.toml").write_text(
        f'[package]\nname = "gen_{variant}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\nfutures-core = "0.3.31"\n{deps}'
    )
    modules = FUNCTIONS // PER_MODULE
    (root / "src" / "lib.rs").write_text(
        common(variant) + "\npub struct Client(pub u32);\n"
    )
    (root / "src" / "provider.rs").write_text(
        "\n".join(f"pub mod m{i};" for i in range(modules)) + "\n"
    )
    for i in range(modules):
        (root / "src" / "provider" / f"m{i}.rs").write_text(module(variant, i))


out.mkdir(parents=True, exist_ok=True)
(out / "Cargo.toml").write_text(
    '[workspace]\nresolver = "2"\nmembers = ["gen_genai", "gen_tracing", "gen_bare", "gen_plain"]\n'
)
for variant in ("genai", "tracing", "bare", "plain"):
    crate(variant)
