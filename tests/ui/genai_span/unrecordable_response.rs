use genai_span::genai_span;

struct ChatResponse {
    text: String,
}

#[genai_span(chat, provider = "openai", model = "gpt-4o")]
async fn complete() -> Result<ChatResponse, std::io::Error> {
    Ok(ChatResponse { text: String::new() })
}

fn main() {}
