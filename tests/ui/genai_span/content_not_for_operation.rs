use genai_span::genai_span;

#[genai_span(execute_tool, input = "hello")]
fn get_weather() {}

fn main() {}
