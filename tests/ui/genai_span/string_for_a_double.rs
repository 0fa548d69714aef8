use genai_span::{GenAiResponse, genai_span};

#[derive(GenAiResponse)]
struct Response {
    #[genai(response_model)]
    model: String,
}

#[genai_span(chat, provider = "openai", model = "gpt-4o", temperature = "hot")]
async fn complete() -> Response {
    Response { model: String::new() }
}

fn main() {}
