use genai_span::genai_span;

#[genai_span(chat, stream, provider = "openai", model = "gpt-4o", stream = true)]
fn complete() -> std::iter::Empty<u8> {
    std::iter::empty()
}

fn main() {}
