// `semconv!` takes one const name or one quoted key, nothing else.
fn main() {
    let _ = genai_span::semconv!();
    let _ = genai_span::semconv!(42);
    let _ = genai_span::semconv!(genai_span::semconv::GEN_AI_REQUEST_MODEL);
    let _ = genai_span::semconv!(GEN_AI_REQUEST_MODEL, SERVER_PORT);
    let _ = genai_span::semconv!(GEN_AI_REQUEST_MODEL.x);
}
