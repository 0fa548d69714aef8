use genai_span::GenAiResponse;

struct Usage {
    prompt_tokens: u32,
}

#[derive(GenAiResponse)]
struct ChatResponse {
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    usage: Option<Usage>,
}

fn main() {}
