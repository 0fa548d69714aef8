use genai_span::genai_span;

#[genai_span(invoke_agent, provider = "openai", kind = server)]
async fn run() {}

fn main() {}
