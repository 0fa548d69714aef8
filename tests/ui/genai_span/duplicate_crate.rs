use genai_span::genai_span;

#[genai_span(execute_tool, crate = genai_span, crate = genai_span)]
async fn get_weather() {}

fn main() {}
