#![deny(deprecated)]

use genai_span::genai_span;

#[genai_span(execute_tool, fields(GEN_AI_SYSTEM = "openai"))]
fn get_weather() {}

fn main() {
    get_weather();
}
