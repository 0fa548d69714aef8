use genai_span::GenAiChunk;

#[derive(GenAiChunk)]
struct Delta {
    #[genai(tool_calls)]
    tool_calls: Vec<String>,
}

fn main() {}
