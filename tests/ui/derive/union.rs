use genai_span::GenAiResponse;

#[derive(GenAiResponse)]
union Tokens {
    input: u32,
    output: u64,
}

fn main() {}
