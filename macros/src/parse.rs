//! Parsing `#[genai_span(...)]` arguments into [`Args`], without judging them yet
//! (`validate.rs` does, against the operation table).

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Path, Token, parenthesized};

/// The arguments as written.
pub(crate) struct Args {
    /// The operation, the first argument (`None` when the first argument is not a bare name).
    pub(crate) operation: Option<Ident>,
    /// Every `name = value` argument, in order (shorthands, `kind`).
    pub(crate) named: Vec<Named>,
    /// Bare names after the operation (flags).
    pub(crate) flags: Vec<Ident>,
    /// `fields(...)` entries, in order.
    pub(crate) fields: Vec<FieldArg>,
    /// Each `fields` keyword, to report duplicates.
    pub(crate) fields_tokens: Vec<Ident>,
    /// `crate = path`, each occurrence.
    pub(crate) krate: Vec<(Token![crate], Path)>,
    /// Where the whole attribute is, for errors about a missing argument.
    pub(crate) span: Span,
}

/// `name = value`.
pub(crate) struct Named {
    pub(crate) name: Ident,
    pub(crate) value: Expr,
}

/// One entry of `fields(...)`.
pub(crate) struct FieldArg {
    pub(crate) key: FieldKey,
    pub(crate) value: Expr,
}

/// A key in `fields(...)`: a semconv const name or a literal key.
pub(crate) enum FieldKey {
    Const(Ident),
    Literal(LitStr),
}

impl FieldKey {
    pub(crate) fn span(&self) -> Span {
        match self {
            FieldKey::Const(ident) => ident.span(),
            FieldKey::Literal(lit) => lit.span(),
        }
    }
}

enum Arg {
    Named(Named),
    Flag(Ident),
    Fields(Ident, Vec<FieldArg>),
    Crate(Token![crate], Path),
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![crate]) {
            let token: Token![crate] = input.parse()?;
            input.parse::<Token![=]>()?;
            let path = input.call(Path::parse_mod_style)?;
            return Ok(Arg::Crate(token, path));
        }
        let lookahead = input.lookahead1();
        if !lookahead.peek(Ident) {
            return Err(lookahead.error());
        }
        let name: Ident = input.parse()?;
        if name == "fields" && input.peek(syn::token::Paren) {
            let content;
            parenthesized!(content in input);
            let entries = Punctuated::<FieldArg, Token![,]>::parse_terminated(&content)?;
            return Ok(Arg::Fields(name, entries.into_iter().collect()));
        }
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if input.is_empty() || input.peek(Token![,]) {
                return Err(syn::Error::new(
                    name.span(),
                    format!("`{name} =` needs a value"),
                ));
            }
            let value: Expr = input.parse()?;
            return Ok(Arg::Named(Named { name, value }));
        }
        Ok(Arg::Flag(name))
    }
}

impl Parse for FieldArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        let key = if lookahead.peek(LitStr) {
            FieldKey::Literal(input.parse()?)
        } else if lookahead.peek(Ident) {
            FieldKey::Const(input.parse()?)
        } else {
            return Err(syn::Error::new(
                input.span(),
                "expected a semantic-convention constant (`GEN_AI_REQUEST_MODEL = ...`) or a quoted key (`\"my.key\" = ...`)",
            ));
        };
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        Ok(FieldArg { key, value })
    }
}

/// Parses the attribute's arguments.
pub(crate) fn args(tokens: TokenStream) -> syn::Result<Args> {
    let span = if tokens.is_empty() {
        Span::call_site()
    } else {
        first_span(&tokens)
    };
    let parsed = Punctuated::<Arg, Token![,]>::parse_terminated.parse2(tokens)?;
    let mut args = Args {
        operation: None,
        named: Vec::new(),
        flags: Vec::new(),
        fields: Vec::new(),
        fields_tokens: Vec::new(),
        krate: Vec::new(),
        span,
    };
    for (index, arg) in parsed.into_iter().enumerate() {
        match arg {
            Arg::Flag(ident) if index == 0 => args.operation = Some(ident),
            Arg::Flag(ident) => args.flags.push(ident),
            Arg::Named(named) => args.named.push(named),
            Arg::Fields(token, entries) => {
                args.fields_tokens.push(token);
                args.fields.extend(entries);
            }
            Arg::Crate(token, path) => args.krate.push((token, path)),
        }
    }
    Ok(args)
}

fn first_span(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_every_form() {
        let args = args(quote! {
            chat, provider = "openai", model = req.model, stream,
            fields(GEN_AI_REQUEST_SEED = 7, "app.user" = user.id), crate = ::my::genai,
        })
        .unwrap();
        assert_eq!(args.operation.unwrap(), "chat");
        let names: Vec<String> = args.named.iter().map(|n| n.name.to_string()).collect();
        assert_eq!(names, ["provider", "model"]);
        assert_eq!(args.flags[0], "stream");
        assert_eq!(args.fields.len(), 2);
        assert!(matches!(&args.fields[0].key, FieldKey::Const(i) if i == "GEN_AI_REQUEST_SEED"));
        assert!(matches!(&args.fields[1].key, FieldKey::Literal(l) if l.value() == "app.user"));
        assert_eq!(args.krate.len(), 1);
    }

    #[test]
    fn a_first_named_argument_leaves_the_operation_empty() {
        let args = args(quote! { provider = "openai" }).unwrap();
        assert!(args.operation.is_none());
        assert_eq!(args.named.len(), 1);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for tokens in [
            quote! { 1 },
            quote! { chat, = x },
            quote! { chat, model = },
            quote! { chat, fields(1 = 2) },
        ] {
            assert!(args(tokens).is_err());
        }
    }
}
