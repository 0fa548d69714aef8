use genai_span::genai_span;

#[genai_span(execute_tool, stream)]
async fn get_weather() {}

fn main() {}
