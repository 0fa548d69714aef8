use genai_span::genai_span;

#[genai_span(execute_tool, kind = client)]
async fn get_weather() {}

fn main() {}
