use genai_span::genai_span;

#[genai_span(execute_tool)]
const fn answer() -> u32 {
    42
}

fn main() {}
