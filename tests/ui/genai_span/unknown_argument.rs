use genai_span::genai_span;

#[genai_span(execute_tool, tool_cal_id = "call_1")]
async fn get_weather() {}

fn main() {}
