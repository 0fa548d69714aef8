use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
struct ChatResponse {
    #[genai(response_model = "gpt-4o")]
    model: String,
    #[genai(flatten(usage))]
    usage: Usage,
}

#[derive(GenAiResponse)]
struct Usage {
    #[genai(input_tokens)]
    prompt_tokens: u32,
}

fn main() {}
