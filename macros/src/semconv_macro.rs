//! `semconv!`: a semantic-convention key as a string literal, checked at compile time.
//!
//! `genai_span::semconv!(ARGS)` calls `semconv_impl!($crate; ARGS)`, so the expansion can name
//! the runtime crate whatever path it is reached by. `ARGS` is a const name of
//! `genai_span::semconv` (`GEN_AI_REQUEST_MODEL`) or a quoted key (`"gen_ai.request.model"`);
//! either expands to the key's string literal. A deprecated attribute expands to a block that
//! reads the runtime's `#[deprecated]` const, so rustc warns with the note naming the
//! replacement, and then evaluates to the literal.

use proc_macro2::{Delimiter, Ident, Literal, Span, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::{Error, LitStr, Token};

use crate::suggest;
use crate::table::{self, Attr};

/// What `semconv!` was given.
enum Arg {
    /// A const name.
    Name(Ident),
    /// A quoted key.
    Key(LitStr),
}

/// Expands `semconv_impl!(<crate path>; <argument>)`; errors become `compile_error!`.
pub(crate) fn semconv(input: TokenStream) -> TokenStream {
    expand(input).unwrap_or_else(|error| error.to_compile_error())
}

/// Expands, or reports the first mistake.
fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let mut tokens = input.into_iter();
    let mut krate = TokenStream::new();
    loop {
        match tokens.next() {
            Some(TokenTree::Punct(punct)) if punct.as_char() == ';' => break,
            Some(token) => krate.extend([token]),
            None => {
                return Err(Error::new(
                    Span::call_site(),
                    "`semconv_impl!` expects `<crate path>; <argument>`; call `genai_span::semconv!` instead",
                ));
            }
        }
    }
    let arg = parse_arg.parse2(unwrap_invisible_group(tokens.collect()))?;
    let (attr, span) = match &arg {
        Arg::Name(ident) => (lookup_name(ident)?, ident.span()),
        Arg::Key(lit) => (lookup_key(lit)?, lit.span()),
    };
    let mut literal = Literal::string(attr.key);
    literal.set_span(span);
    if attr.deprecated.is_none() {
        return Ok(quote!(#literal));
    }
    // Reading the `#[deprecated]` const makes rustc print its note (which names the
    // replacement) at the user's token; stable proc macros cannot emit warnings themselves.
    let name = Ident::new(attr.name, span);
    Ok(quote!({
        let _ = #krate::semconv::#name;
        #literal
    }))
}

/// Parses the single argument.
fn parse_arg(input: ParseStream<'_>) -> syn::Result<Arg> {
    let expected = "expected a semantic-convention const name like `GEN_AI_REQUEST_MODEL` \
                    or a quoted key like `\"gen_ai.request.model\"`";
    if input.is_empty() {
        return Err(Error::new(Span::call_site(), expected));
    }
    let arg = if input.peek(LitStr) {
        Arg::Key(input.parse()?)
    } else if input.peek(syn::Ident) && !input.peek(Token![crate]) && !input.peek(Token![self]) {
        let ident: Ident = input.parse()?;
        if input.peek(Token![::]) {
            let path: TokenStream = input.parse()?;
            return Err(Error::new_spanned(
                quote!(#ident #path),
                "`semconv!` takes the const's name alone, not a path: write e.g. `semconv!(GEN_AI_REQUEST_MODEL)`",
            ));
        }
        Arg::Name(ident)
    } else {
        return Err(input.error(expected));
    };
    if !input.is_empty() {
        return Err(
            input.error("unexpected tokens: `semconv!` takes one const name or one quoted key")
        );
    }
    Ok(arg)
}

/// Looks a const name up.
fn lookup_name(ident: &Ident) -> syn::Result<&'static Attr> {
    let name = ident.to_string();
    table::by_const_name(&name).ok_or_else(|| {
        let message =
            suggest::unknown("semantic-convention attribute", &name, table::names(), None);
        Error::new(ident.span(), message)
    })
}

/// Looks a quoted key up.
fn lookup_key(lit: &LitStr) -> syn::Result<&'static Attr> {
    let key = lit.value();
    table::by_key(&key).ok_or_else(|| {
        let message = match table::by_const_name(&key) {
            // `semconv!("GEN_AI_REQUEST_MODEL")`: the const's name, quoted.
            Some(attr) => format!(
                "unknown semantic-convention attribute key `{key}`; did you mean `{}` (or `{}` unquoted)?",
                attr.key, attr.name
            ),
            None => suggest::unknown("semantic-convention attribute key", &key, table::keys(), None),
        };
        Error::new(lit.span(), message)
    })
}

/// A `macro_rules!` caller may hand the argument over inside an invisible group.
fn unwrap_invisible_group(tokens: TokenStream) -> TokenStream {
    let mut iter = tokens.clone().into_iter();
    match (iter.next(), iter.next()) {
        (Some(TokenTree::Group(group)), None) if group.delimiter() == Delimiter::None => {
            group.stream()
        }
        _ => tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(input: TokenStream) -> Result<String, String> {
        expand(input)
            .map(|tokens| tokens.to_string())
            .map_err(|error| error.to_string())
    }

    #[test]
    fn names_and_keys_expand_to_the_literal() {
        assert_eq!(
            expand_str(quote!(krate; GEN_AI_REQUEST_MODEL)),
            Ok("\"gen_ai.request.model\"".into())
        );
        assert_eq!(
            expand_str(quote!(krate; "gen_ai.request.model")),
            Ok("\"gen_ai.request.model\"".into())
        );
        assert_eq!(
            expand_str(quote!(::a::b; SERVER_PORT)),
            Ok("\"server.port\"".into())
        );
    }

    #[test]
    fn deprecated_names_read_the_runtime_const() {
        let expanded = expand_str(quote!(krate; GEN_AI_SYSTEM)).unwrap();
        assert_eq!(
            expanded,
            quote!({
                let _ = krate::semconv::GEN_AI_SYSTEM;
                "gen_ai.system"
            })
            .to_string()
        );
        let expanded = expand_str(quote!(krate; "gen_ai.usage.prompt_tokens")).unwrap();
        assert!(
            expanded.contains("GEN_AI_USAGE_PROMPT_TOKENS"),
            "{expanded}"
        );
    }

    #[test]
    fn unknown_names_suggest_the_nearest() {
        assert_eq!(
            expand_str(quote!(krate; GEN_AI_REQUEST_MODLE)),
            Err("unknown semantic-convention attribute `GEN_AI_REQUEST_MODLE`; did you mean `GEN_AI_REQUEST_MODEL`?".into())
        );
        assert_eq!(
            expand_str(quote!(krate; "gen_ai.request.modle")),
            Err("unknown semantic-convention attribute key `gen_ai.request.modle`; did you mean `gen_ai.request.model`?".into())
        );
        assert_eq!(
            expand_str(quote!(krate; "GEN_AI_REQUEST_MODEL")),
            Err("unknown semantic-convention attribute key `GEN_AI_REQUEST_MODEL`; did you mean `gen_ai.request.model` (or `GEN_AI_REQUEST_MODEL` unquoted)?".into())
        );
        assert_eq!(
            expand_str(quote!(krate; NOTHING_LIKE_IT_AT_ALL_ANYWHERE)),
            Err("unknown semantic-convention attribute `NOTHING_LIKE_IT_AT_ALL_ANYWHERE`".into())
        );
    }

    #[test]
    fn wrong_forms_are_rejected() {
        let expected = "expected a semantic-convention const name like `GEN_AI_REQUEST_MODEL` or a quoted key like `\"gen_ai.request.model\"`";
        assert_eq!(expand_str(quote!(krate;)), Err(expected.into()));
        assert_eq!(expand_str(quote!(krate; 42)), Err(expected.into()));
        assert!(
            expand_str(quote!(krate; semconv::GEN_AI_REQUEST_MODEL))
                .unwrap_err()
                .contains("not a path")
        );
        assert!(
            expand_str(quote!(krate; GEN_AI_REQUEST_MODEL, SERVER_PORT))
                .unwrap_err()
                .starts_with("unexpected tokens")
        );
        assert!(
            expand_str(quote!(GEN_AI_REQUEST_MODEL))
                .unwrap_err()
                .contains("genai_span::semconv!")
        );
    }
}
