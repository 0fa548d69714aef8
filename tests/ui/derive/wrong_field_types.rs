use genai_span::GenAiResponse;

struct Model;

#[derive(GenAiResponse)]
struct Embedding<S> {
    #[genai(response_model)]
    model: Model,
    // A generic string needs a bound on the type: `S: AsRef<str>`.
    #[genai(response_id)]
    id: S,
    #[genai(embedding)]
    vector: Vec<u8>,
    #[genai(dimension_count)]
    dimensions: String,
    #[genai(tool_calls)]
    tool_calls: bool,
}

fn main() {}
