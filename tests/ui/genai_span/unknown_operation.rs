use genai_span::genai_span;

#[genai_span(chta, provider = "openai", model = "gpt-4o")]
async fn complete() {}

fn main() {}
