use genai_span::genai_span;

#[genai_span]
async fn complete() {}

fn main() {}
