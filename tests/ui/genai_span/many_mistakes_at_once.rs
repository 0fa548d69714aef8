use genai_span::genai_span;

#[genai_span(chat, modle = "gpt-4o", tool_call_id = "x", temperature = true)]
async fn complete() {}

fn main() {}
