// A misspelt quoted key.
const KEY: &str = genai_span::semconv!("gen_ai.request.modle");

// A const name in quotes.
const QUOTED_NAME: &str = genai_span::semconv!("GEN_AI_REQUEST_MODEL");

fn main() {
    let _ = (KEY, QUOTED_NAME);
}
