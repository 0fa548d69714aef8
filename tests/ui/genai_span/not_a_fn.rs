use genai_span::genai_span;

#[genai_span(execute_tool)]
struct Weather;

fn main() {}
