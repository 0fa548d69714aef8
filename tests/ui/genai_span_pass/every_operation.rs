//! Every operation, with every argument it accepts, compiles without warnings.
#![deny(warnings)]

use genai_span::{GenAiResponse, genai_span};

#[derive(GenAiResponse)]
struct Reply {
    #[genai(response_model)]
    model: String,
}

struct Req {
    model: String,
    stops: Vec<String>,
    seed: Option<u64>,
}

#[genai_span(chat, provider = "openai", model = req.model, server_address = "api.openai.com", server_port = 443_u16,
    conversation_id = "c", temperature = 0.7, max_tokens = 256, top_p = 1, top_k = 40.0, seed = req.seed,
    stop_sequences = req.stops, frequency_penalty = -0.5, presence_penalty = 0.5, choice_count = 2,
    output_type = "json", stream = false, kind = internal)]
async fn chat(req: &Req) -> Reply {
    Reply { model: req.model.clone() }
}

#[genai_span(text_completion, provider = "openai", model = "gpt-3.5-turbo-instruct")]
fn complete() -> Reply {
    Reply { model: String::new() }
}

#[genai_span(generate_content, provider = "gcp.gemini", model = "gemini-2.0-flash")]
async fn generate() -> Reply {
    Reply { model: String::new() }
}

#[genai_span(embeddings, provider = "openai", model = "text-embedding-3-small", encoding_formats = ["float", "base64"])]
async fn embed() -> Reply {
    Reply { model: String::new() }
}

#[genai_span(retrieval, provider = "openai", data_source_id = "vs_1", top_k = 5, server_address = "h", server_port = 1)]
async fn retrieve() -> Vec<String> {
    Vec::new()
}

#[genai_span(execute_tool, tool_name = "t", tool_call_id = "c", tool_type = "function", tool_description = "d")]
async fn tool() {}

#[genai_span(invoke_agent, provider = "openai", model = "m", agent_name = "a", agent_id = "i", agent_description = "d",
    agent_version = "1", conversation_id = "c", data_source_id = "ds", temperature = 0.1, max_tokens = 1, top_p = 0.9,
    seed = 1, stop_sequences = ["x"], frequency_penalty = 0.0, presence_penalty = 0.0, choice_count = 1,
    output_type = "text", kind = client, server_address = "h", server_port = 1)]
async fn agent() -> Result<String, std::io::Error> {
    Ok(String::new())
}

#[genai_span(create_agent, provider = "openai", model = "m", agent_name = "a", agent_id = "i",
    agent_description = "d", agent_version = "1", server_address = "h", server_port = 1)]
async fn create() -> Result<(), std::io::Error> {
    Ok(())
}

#[genai_span(invoke_workflow, workflow_name = "w")]
async fn workflow() {}

fn main() {
    let req = Req { model: String::new(), stops: Vec::new(), seed: None };
    drop((chat(&req), complete(), generate(), embed(), retrieve(), tool(), agent(), create(), workflow()));
}
