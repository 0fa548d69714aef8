use genai_span::genai_span;

#[genai_span(execute_tool, fields("gen_ai.conversation.idd" = "c-1"))]
async fn get_weather() {}

fn main() {}
