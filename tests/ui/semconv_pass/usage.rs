// Correct uses compile without a warning.
#![deny(warnings)]

use genai_span::semconv;

// In a const, by const name and by quoted key.
const MODEL: &str = semconv!(GEN_AI_REQUEST_MODEL);
const MODEL_BY_KEY: &str = genai_span::semconv!("gen_ai.request.model");
// Inside `concat!`.
const SUFFIXED: &str = concat!(genai_span::semconv!(GEN_AI_REQUEST_MODEL), ".suffix");
// A deprecated const that is current in the GenAI conventions is not deprecated here.
const PROVIDER: &str = semconv::GEN_AI_PROVIDER_NAME;

fn classify(key: &str) -> u8 {
    // As a pattern.
    match key {
        semconv!(GEN_AI_REQUEST_MODEL) => 1,
        semconv!(SERVER_PORT) => 2,
        _ => 0,
    }
}

fn main() {
    let model = "gpt-4o";
    // The consts as field names in tracing's brace syntax.
    let span = tracing::info_span!(
        "chat",
        { genai_span::semconv::GEN_AI_REQUEST_MODEL } = model,
        { semconv::GEN_AI_USAGE_INPUT_TOKENS } = 12_i64,
        { semconv::GEN_AI_OPERATION_NAME } = "chat",
    );
    drop(span);

    assert_eq!(MODEL, "gen_ai.request.model");
    assert_eq!(MODEL_BY_KEY, MODEL);
    assert_eq!(SUFFIXED, "gen_ai.request.model.suffix");
    assert_eq!(PROVIDER, "gen_ai.provider.name");
    assert_eq!((classify("gen_ai.request.model"), classify("server.port"), classify("x")), (1, 2, 0));
    assert_eq!(semconv::SCHEMA_URL, "https://opentelemetry.io/schemas/1.42.0");

    let usage = semconv::metric::GEN_AI_CLIENT_TOKEN_USAGE;
    assert_eq!(usage.name, "gen_ai.client.token.usage");
    assert_eq!(usage.unit, "{token}");
    assert_eq!(usage.instrument, semconv::Instrument::Histogram);
    assert_eq!(usage.requirement(semconv::GEN_AI_TOKEN_TYPE), Some(semconv::Requirement::Required));
    assert_eq!(usage.bucket_boundaries.map(<[f64]>::len), Some(14));
}
