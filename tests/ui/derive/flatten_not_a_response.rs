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

#[derive(GenAiResponse)]
enum Response {
    Chat(#[genai(flatten)] ChatResponse),
    Usage {
        #[genai(flatten)]
        usage: Usage,
    },
}

fn main() {}
