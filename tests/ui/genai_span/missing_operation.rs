use genai_span::genai_span;

#[genai_span(provider = "openai", model = "gpt-4o")]
async fn complete() {}

fn main() {}
