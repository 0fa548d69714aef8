use genai_span::GenAiResponse;

enum FinishReason {
    Stop,
}

#[derive(GenAiResponse)]
struct Choice {
    #[genai(finish_reason)]
    finish_reason: u32,
}

#[derive(GenAiResponse)]
struct Choices {
    // The enum does not implement `AsRef<str>`.
    #[genai(finish_reasons)]
    finish_reasons: Vec<FinishReason>,
}

fn main() {}
