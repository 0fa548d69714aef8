use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
struct ChatResponse {
    #[genai(response_model)]
    model: String,
    #[genai(response_model)]
    requested_model: String,
}

#[derive(GenAiResponse)]
enum Response {
    Chat {
        #[genai(output_tokens)]
        completion_tokens: u32,
        #[genai(output_tokens)]
        output_tokens: u32,
    },
    // Another variant may mark its own field: variants are alternatives.
    Legacy(#[genai(output_tokens)] u32),
}

fn main() {}
