use genai_span::{GenAiResponse, genai_span};

#[derive(GenAiResponse)]
struct Response {
    #[genai(response_model)]
    model: String,
}

#[genai_span(chat, stream, provider = "openai", model = "gpt-4o")]
async fn complete() -> Result<Response, std::io::Error> {
    Ok(Response { model: String::new() })
}

fn main() {}
