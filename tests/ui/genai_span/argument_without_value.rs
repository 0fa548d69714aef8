use genai_span::genai_span;

#[genai_span(execute_tool, tool_call_id)]
async fn get_weather() {}

fn main() {}
