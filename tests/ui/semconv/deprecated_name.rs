// A renamed or obsoleted attribute compiles, with rustc's deprecation warning naming the
// replacement; denied here so the note shows in the expected output.
#![deny(deprecated)]

fn main() {
    let system = genai_span::semconv!(GEN_AI_SYSTEM);
    let prompt_tokens = genai_span::semconv!("gen_ai.usage.prompt_tokens");
    let prompt = genai_span::semconv!(GEN_AI_PROMPT);
    let _ = (system, prompt_tokens, prompt);
}
