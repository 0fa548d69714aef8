use genai_span::genai_span;

struct Response;

#[genai_span(chat, provider = "openai")]
async fn complete() -> Response {
    Response
}

fn main() {}
