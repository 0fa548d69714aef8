use genai_span::genai_span;

#[genai_span(execute_tool, fields(GEN_AI_TOOL_CALL_ID = "call_1"))]
async fn get_weather() {}

fn main() {}
