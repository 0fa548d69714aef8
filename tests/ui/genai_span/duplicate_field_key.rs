use genai_span::genai_span;

#[genai_span(execute_tool, fields("app.user" = "a", "app.user" = "b"))]
async fn get_weather() {}

fn main() {}
