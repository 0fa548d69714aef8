use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
struct ChatResponse {
    #[genai(model)]
    model: String,
    #[genai(input_tokens, total_tokens)]
    prompt_tokens: u32,
    #[genai(bogus = 3)]
    other: u32,
}

fn main() {}
