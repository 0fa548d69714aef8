//! Procedural macros of [`genai-span`](https://docs.rs/genai-span).
//!
//! Depend on `genai-span`, not on this crate: it re-exports every macro here and
//! holds the runtime the expansions call.

mod derive_response;
mod expand;
#[cfg(test)]
mod fuzz;
mod item;
mod ops;
mod parse;
mod semconv_macro;
mod suggest;
mod table;
mod table_gen;
mod validate;

use proc_macro::TokenStream;

/// Expands `genai_span::semconv!`, which passes the runtime's path first; call that macro.
#[proc_macro]
#[doc(hidden)]
pub fn semconv_impl(input: TokenStream) -> TokenStream {
    semconv_macro::semconv(input.into()).into()
}

/// Instruments a provider, tool or agent function with a GenAI span.
///
/// Documented on its re-export, `genai_span::genai_span`.
#[proc_macro_attribute]
pub fn genai_span(args: TokenStream, item: TokenStream) -> TokenStream {
    genai_span_impl(args.into(), &item.into()).into()
}

/// `#[genai_span]` over `proc_macro2` types, so it can be unit-tested.
fn genai_span_impl(
    args: proc_macro2::TokenStream,
    item: &proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let function = match item::function(item) {
        Ok(function) => function,
        // The item goes back unchanged next to the error, so the rest of the crate still
        // compiles and only the real mistake is reported.
        Err(error) => return fallback(&error, item),
    };
    let plan = parse::args(args).and_then(|args| validate::plan(&args, &function.sig.ident));
    match plan {
        Ok(plan) => expand::function(&plan, function),
        Err(error) => fallback(&error, item),
    }
}

fn fallback(error: &syn::Error, item: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let error = error.to_compile_error();
    quote::quote!(#error #item)
}

/// Derives `GenAiResponse`: what a response reports to the span, read from the fields marked
/// `#[genai(...)]`.
///
/// ```ignore
/// use genai_span::GenAiResponse;
///
/// #[derive(GenAiResponse)]
/// struct ChatCompletion {
///     #[genai(response_id)]
///     id: String,
///     #[genai(response_model)]
///     model: String,
///     #[genai(flatten)]
///     choices: Vec<Choice>,
///     #[genai(flatten)]
///     usage: Option<Usage>,
/// }
///
/// #[derive(GenAiResponse)]
/// struct Choice {
///     #[genai(finish_reason)]
///     finish_reason: Option<FinishReason>,
///     #[genai(flatten)]
///     message: Message,
/// }
///
/// #[derive(GenAiResponse)]
/// struct Message {
///     content: Option<String>, // not marked: not recorded
///     #[genai(tool_calls)]
///     tool_calls: Option<Vec<ToolCall>>,
/// }
///
/// #[derive(GenAiResponse)]
/// struct Usage {
///     #[genai(input_tokens)]
///     prompt_tokens: u32,
///     #[genai(output_tokens)]
///     completion_tokens: u32,
/// }
///
/// enum FinishReason { Stop, Length, ToolCalls }
///
/// impl AsRef<str> for FinishReason {
///     fn as_ref(&self) -> &str {
///         match self {
///             FinishReason::Stop => "stop",
///             FinishReason::Length => "length",
///             FinishReason::ToolCalls => "tool_calls",
///         }
///     }
/// }
/// # struct ToolCall;
/// ```
///
/// # Field keys
///
/// Each `#[genai(...)]` takes one or more keys, comma separated; fields without one are not
/// recorded. A key checks its field's type (the error, on the field, lists what it accepts):
///
/// | key | field type | records |
/// |-----|------------|---------|
/// | `response_model`, `response_id` | a string: `String`, `&str`, `Cow<str>`, `Box<str>`, `Arc<str>`, any `AsRef<str>`, or an `Option` of one | `gen_ai.response.model`, `gen_ai.response.id` |
/// | `finish_reason` (or `finish_reasons`) | a string or an enum that implements `AsRef<str>`, an `Option` of one, or a `Vec`, slice or array of them | one entry of `gen_ai.response.finish_reasons` each |
/// | `input_tokens`, `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens`, `reasoning_output_tokens` | an integer or an `Option` of one (any `TokenCount`) | `gen_ai.usage.*` |
/// | `tool_calls` | a `Vec`, slice or array of the calls, or an integer count, or an `Option` of one | adds to the tool call count (not on chunks: see `tool_call_id`) |
/// | `tool_call_id` | a string, or an `Option` of one | counts one tool call per distinct id; in a stream, mark the id of each tool-call delta so a call spread over many chunks counts once |
/// | `embedding` | a `Vec`, slice or array of `f32` or `f64`, or an `Option` of one | its length as `gen_ai.embeddings.dimension.count` |
/// | `dimension_count` | an integer or an `Option` of one | `gen_ai.embeddings.dimension.count` |
/// | `flatten` | a type that implements `GenAiResponse`, or an `Option`, `Vec`, `Box`, slice or array of one | what it reports |
///
/// An `Option` that is `None` records nothing. Counts are recorded as OpenTelemetry `int`:
/// negative ones are dropped, larger ones saturate.
///
/// `response_model`, `response_id`, the token keys and `dimension_count` mark one field each
/// (per variant in an enum); nested values reported through `flatten` follow the setters of
/// `ResponseAttributes`: the last value set wins, finish reasons append, tool calls add up.
///
/// # Types
///
/// Structs with named or tuple fields, and enums (the fields of each variant are marked the same
/// way; a variant without marked fields records nothing). Unit structs and enums without fields
/// record nothing. A type with fields, none of them marked, is an error: it is almost always a
/// missing attribute; to record nothing, implement `GenAiResponse` by hand with an empty
/// `record`. Unions are not supported.
///
/// # Generics
///
/// A marked field whose type names a type parameter bounds the impl: `T: GenAiResponse` for a
/// flattened `T`, `Vec<T>: GenAiResponse` for a flattened `Vec<T>`, `N: TokenCount` for a token
/// count. String keys (`response_model`, `response_id`, `finish_reason`) add no bound: bound the
/// parameter on the type itself, e.g. `struct Response<S: AsRef<str>>`.
///
/// # Re-exporting crates
///
/// The expansion names `::genai_span`. A crate that re-exports `genai_span` under another path
/// gives it on the type: `#[genai(crate = my_sdk::genai_span)]`.
#[proc_macro_derive(GenAiResponse, attributes(genai))]
pub fn derive_genai_response(input: TokenStream) -> TokenStream {
    derive_response::derive(input.into(), derive_response::Target::Response).into()
}

/// Derives `GenAiChunk` for one chunk of a streamed response.
///
/// The same `#[genai(...)]` keys as `#[derive(GenAiResponse)]`, read chunk by chunk and added up
/// over the stream: the last model, id and token counts reported win, finish reasons append,
/// and tool calls are counted by distinct `tool_call_id` (a chunk's `tool_calls` count is
/// refused: a call arrives as several deltas). `flatten` takes types that implement
/// `GenAiChunk`.
#[proc_macro_derive(GenAiChunk, attributes(genai))]
pub fn derive_genai_chunk(input: TokenStream) -> TokenStream {
    derive_response::derive(input.into(), derive_response::Target::Chunk).into()
}
