use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
struct Usage {
    #[genai(input_tokens)]
    prompt_tokens: String,
    #[genai(output_tokens)]
    completion_tokens: Option<f64>,
}

fn main() {}
