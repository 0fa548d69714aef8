//! The macros never panic: arbitrary token streams as `#[genai_span(...)]` arguments, as
//! the function under it, and as `#[derive]` and `semconv!` input give an expansion or a
//! compile error.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use proptest::prelude::*;
use quote::quote;

/// Words the macros react to, and a few they don't: random sequences of them reach deep into
/// the parser and the validation far more often than random identifiers would.
const WORDS: &[&str] = &[
    "chat",
    "stream",
    "execute_tool",
    "invoke_agent",
    "embeddings",
    "retrieval",
    "provider",
    "model",
    "tool_name",
    "tool_call_id",
    "temperature",
    "max_tokens",
    "stop_sequences",
    "fields",
    "crate",
    "kind",
    "client",
    "internal",
    "input",
    "system",
    "tools",
    "arguments",
    "GEN_AI_REQUEST_MODEL",
    "GEN_AI_SYSTEM",
    "GEN_AI_USAGE_INPUT_TOKENS",
    "req",
    "self",
    "async",
    "fn",
    "pub",
    "struct",
    "const",
    "impl",
    "flatten",
    "response_model",
    "genai",
    "Option",
];

fn token() -> impl Strategy<Value = TokenTree> {
    let leaf = prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(|w| TokenTree::Ident(Ident::new(w, Span::call_site()))),
        2 => prop::sample::select(&[',', '=', ':', '.', '-', '&', '#', '!', '<', '>', ';'][..])
            .prop_map(|c| TokenTree::Punct(Punct::new(c, Spacing::Alone))),
        1 => any::<i64>().prop_map(|n| TokenTree::Literal(Literal::i64_suffixed(n))),
        1 => "[a-z._ \"\\\\]{0,12}".prop_map(|s| TokenTree::Literal(Literal::string(&s))),
        1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| TokenTree::Literal(Literal::f64_unsuffixed(f))),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        (
            prop::sample::select(
                &[
                    Delimiter::Parenthesis,
                    Delimiter::Bracket,
                    Delimiter::Brace,
                    Delimiter::None,
                ][..],
            ),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(delimiter, tokens)| {
                TokenTree::Group(Group::new(delimiter, tokens.into_iter().collect()))
            })
    })
}

fn tokens() -> impl Strategy<Value = TokenStream> {
    prop::collection::vec(token(), 0..16).prop_map(|tokens| tokens.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_attribute_never_panics_on_its_arguments(args in tokens()) {
        let item = quote!(async fn complete(req: &Request) -> Result<Response, Error> { todo_body() });
        let _ = crate::genai_span_impl(args, &item);
    }

    #[test]
    fn the_attribute_never_panics_on_the_item(item in tokens()) {
        let _ = crate::genai_span_impl(quote!(execute_tool, tool_call_id = call.id), &item);
    }

    #[test]
    fn the_derives_never_panic(body in tokens()) {
        let input = quote!(struct Response { #body });
        let _ = crate::derive_response::derive(input.clone(), crate::derive_response::Target::Response);
        let _ = crate::derive_response::derive(input, crate::derive_response::Target::Chunk);
    }

    #[test]
    fn semconv_never_panics(args in tokens()) {
        let _ = crate::semconv_macro::semconv(quote!(::genai_span; #args));
    }
}
