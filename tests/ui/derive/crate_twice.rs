use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
#[genai(crate = genai_span)]
#[genai(crate = ::genai_span, response_model)]
struct ChatResponse {
    #[genai(response_model)]
    model: String,
}

fn main() {}
