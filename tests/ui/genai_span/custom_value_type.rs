use genai_span::genai_span;

#[genai_span(execute_tool, fields("app.scores" = vec![1, 2]))]
async fn get_weather() {}

fn main() {}
