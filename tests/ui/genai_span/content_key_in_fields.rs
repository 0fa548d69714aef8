use genai_span::genai_span;

#[genai_span(execute_tool, fields(GEN_AI_TOOL_CALL_ARGUMENTS = "{}"))]
fn get_weather() {}

fn main() {}
