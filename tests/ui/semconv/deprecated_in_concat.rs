// A deprecated attribute expands to a block (so that rustc warns), which `concat!` rejects:
// use the replacement's name, here `GEN_AI_PROVIDER_NAME`.
#![allow(deprecated)]

const KEY: &str = concat!(genai_span::semconv!(GEN_AI_SYSTEM), ".x");

fn main() {
    let _ = KEY;
}
