use genai_span::genai_span;

#[genai_span(execute_tool, fields(GEN_AI_CONVERSATON_ID = "c-1"))]
async fn get_weather() {}

fn main() {}
