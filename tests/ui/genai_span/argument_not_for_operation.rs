use genai_span::genai_span;

#[genai_span(execute_tool, model = "gpt-4o")]
async fn get_weather() {}

fn main() {}
