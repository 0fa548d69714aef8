use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
struct ChatResponse {
    #[genai]
    model: String,
    #[genai()]
    id: String,
}

fn main() {}
