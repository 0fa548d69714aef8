//! `crate = path` for a crate that re-exports genai_span under another name.
#![deny(warnings)]

mod my_sdk {
    pub use genai_span as telemetry;
}

#[my_sdk::telemetry::genai_span(execute_tool, crate = my_sdk::telemetry, fields(GEN_AI_CONVERSATION_ID = "c"))]
fn get_weather(city: &str) -> ::std::result::Result<String, ::std::fmt::Error> {
    Ok(city.to_owned())
}

fn main() {
    let _ = get_weather("Oslo");
}
