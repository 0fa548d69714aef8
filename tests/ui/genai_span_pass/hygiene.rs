//! Expansions name nothing the user's crate could shadow.
#![deny(warnings, unused_qualifications, unused_results)]
#![allow(dead_code)]

// A module named like the crates the expansion uses.
mod tracing {}
mod core {}
mod std_like {
    pub struct Span;
}

// Glob imports that shadow prelude names.
#[allow(unused_imports)]
use std_like::*;

type Result<T> = ::std::result::Result<T, ::std::io::Error>;
struct Option;
struct Some;
struct Ok;
struct Err;
struct Box;

use genai_span::{GenAiResponse, genai_span};

#[derive(GenAiResponse)]
struct Reply {
    #[genai(response_model)]
    model: String,
    #[genai(output_tokens)]
    tokens: u32,
}

// Generated locals cannot clash with arguments of the same names.
#[genai_span(chat, provider = "openai", model = genai_span, conversation_id = genai_value_0)]
async fn complete(genai_span: &str, genai_value_0: &str, genai_future: u8, genai_ret: u8) -> Result<Reply> {
    let _ = (genai_future, genai_ret);
    ::std::result::Result::Ok(Reply { model: genai_value_0.to_owned(), tokens: 1 })
}

#[genai_span(execute_tool)]
fn tool(genai_body: u8, genai_name: u8) -> u8 {
    genai_body + genai_name
}

fn main() {
    let _ = complete("m", "c", 0, 0);
    let _ = tool(1, 2);
}
