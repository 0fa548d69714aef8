use genai_span::genai_span;

#[genai_span(execute_tool, tool_type = "function", tool_type = "extension")]
async fn get_weather() {}

fn main() {}
