// A misspelt const name: the error is on the name and suggests the nearest one.
const KEY: &str = genai_span::semconv!(GEN_AI_REQUEST_MODLE);

// A key written as a const name, lowercase.
const LOWER: &str = genai_span::semconv!(gen_ai_usage_input_tokens);

// Nothing near.
const FAR: &str = genai_span::semconv!(NOT_A_CONVENTION_AT_ALL_ANYWHERE);

fn main() {
    let _ = (KEY, LOWER, FAR);
}
