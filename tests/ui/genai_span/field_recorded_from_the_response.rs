use genai_span::{GenAiResponse, genai_span};

#[derive(GenAiResponse)]
struct Response {
    #[genai(input_tokens)]
    tokens: u32,
}

#[genai_span(chat, provider = "openai", model = "gpt-4o", fields(GEN_AI_USAGE_INPUT_TOKENS = 12))]
async fn complete() -> Response {
    Response { tokens: 0 }
}

fn main() {}
