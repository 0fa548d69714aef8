use genai_span::genai_span;

#[genai_span(execute_tool, fields(GEN_AI_OPERATION_NAME = "chat", "otel.name" = "x"))]
async fn get_weather() {}

fn main() {}
