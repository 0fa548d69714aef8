use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
struct ChatResponse {
    #[genai(input_tokens, input_tokens)]
    prompt_tokens: u32,
    #[genai(finish_reason)]
    #[genai(finish_reasons)]
    finish_reason: String,
}

fn main() {}
