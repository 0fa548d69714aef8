//! A user crate on an older edition: every shape of function, warnings denied.
#![deny(warnings, rust_2018_idioms)]

use genai_span::{genai_span, GenAiResponse};

#[derive(GenAiResponse)]
pub struct Reply {
    #[genai(response_model)]
    pub model: String,
    #[genai(finish_reason)]
    pub finish_reasons: Vec<String>,
    #[genai(input_tokens)]
    pub input_tokens: u32,
}

pub struct Client {
    pub model: String,
}

impl Client {
    #[genai_span(chat, provider = "openai", model = self.model, temperature = 0.2)]
    pub async fn chat(&self, prompt: &str) -> Result<Reply, std::io::Error> {
        Ok(Reply { model: self.model.clone(), finish_reasons: vec![prompt.to_owned()], input_tokens: 1 })
    }

    #[genai_span(embeddings, provider = "openai", model = "text-embedding-3-small")]
    pub fn embed(&self, _text: &str) -> std::io::Result<Reply> {
        Ok(Reply { model: String::new(), finish_reasons: Vec::new(), input_tokens: 2 })
    }
}

#[genai_span(execute_tool, tool_call_id = id, fields(GEN_AI_CONVERSATION_ID = "c", "app.tier" = 2))]
pub async fn tool(id: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    Ok(id.to_owned())
}

#[genai_span(invoke_agent, provider = "openai", agent_name = "planner")]
pub async fn agent(client: &Client) -> Result<String, std::io::Error> {
    let reply = client.chat("hi").await?;
    let _ = tool("call_1").await;
    Ok(reply.model)
}

pub fn _key() -> &'static str {
    genai_span::semconv::GEN_AI_REQUEST_MODEL
}
