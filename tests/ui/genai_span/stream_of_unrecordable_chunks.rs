use std::pin::Pin;
use std::task::{Context, Poll};

use genai_span::genai_span;

struct Chunk {
    text: String,
}

struct Chunks;

impl futures_core::Stream for Chunks {
    type Item = Result<Chunk, std::io::Error>;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(None)
    }
}

#[genai_span(chat, stream, provider = "openai", model = "gpt-4o")]
fn complete() -> Chunks {
    Chunks
}

fn main() {}
