//! Reading the item under `#[genai_span]`: it must be a function with a body.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Item, ItemFn, TraitItemFn};

/// The function to instrument, or an error spanned on the part that is wrong.
pub(crate) fn function(tokens: &TokenStream) -> syn::Result<ItemFn> {
    if let Ok(item) = syn::parse2::<ItemFn>(tokens.clone()) {
        if let Some(constness) = &item.sig.constness {
            return Err(syn::Error::new(
                constness.span(),
                "#[genai_span] cannot instrument a `const fn`: a span exists only at run time; remove `const` or the attribute",
            ));
        }
        return Ok(item);
    }
    if let Ok(method) = syn::parse2::<TraitItemFn>(tokens.clone()) {
        if method.default.is_none() {
            return Err(syn::Error::new(
                method.sig.span(),
                "#[genai_span] needs a function body; put it on the method in each `impl` block, not on the trait's declaration",
            ));
        }
    }
    match syn::parse2::<Item>(tokens.clone()) {
        Ok(item) => Err(syn::Error::new(
            item_keyword_span(&item),
            "#[genai_span] applies to functions and methods: `fn`, `async fn`, or a method in an `impl` block",
        )),
        // Not valid Rust yet (a half-typed body): let rustc report it on the user's code.
        Err(error) => Err(error),
    }
}

fn item_keyword_span(item: &Item) -> proc_macro2::Span {
    let tokens = item.to_token_stream();
    // Past outer attributes and visibility: the span of the item's keyword.
    let mut spans = tokens.into_iter().filter_map(|t| match t {
        proc_macro2::TokenTree::Ident(ident)
            if !matches!(
                ident.to_string().as_str(),
                "pub" | "crate" | "in" | "self" | "super"
            ) =>
        {
            Some(ident.span())
        }
        _ => None,
    });
    spans.next().unwrap_or_else(|| item.span())
}
