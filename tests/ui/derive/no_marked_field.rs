use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
struct ChatResponse {
    model: String,
    prompt_tokens: u32,
}

fn main() {}
