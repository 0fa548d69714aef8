//! `#[derive(GenAiResponse)]`: a `GenAiResponse::record` that reports the fields marked
//! `#[genai(...)]`.
//!
//! Three stages over `proc_macro2` types, so each is unit-testable: [`parse`] turns the
//! derive input into a [`Model`] (collecting every attribute error), [`validate`] checks the
//! model as a whole (one field per single-valued key, at least one marked field), and [`expand`]
//! writes the impl. On any error the errors are emitted together with a stub impl that records
//! nothing, so the user sees their mistakes and no cascade of "does not implement
//! `GenAiResponse`" errors.
//!
//! The expansion never reads a field's type to decide what to do: each key calls one function of
//! `genai_span::__private::derive`, whose trait bound decides which types the key accepts and
//! whose `#[diagnostic::on_unimplemented]` message, spanned on the field's type, says what to
//! write instead.

use std::collections::HashSet;
use std::fmt::Write as _;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Fields, Generics, Ident, Index, Item, LitStr, Member, Meta, Path, Token, Type,
    Variant,
};

/// The trait a derive implements: both read the same `#[genai(...)]` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `GenAiResponse`: a whole response.
    Response,
    /// `GenAiChunk`: one chunk of a streamed response.
    Chunk,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Response => "GenAiResponse",
            Target::Chunk => "GenAiChunk",
        }
    }
}

/// `#[derive(GenAiResponse)]` or `#[derive(GenAiChunk)]` on `input`: the impl, or the errors
/// and a stub impl.
pub(crate) fn derive(input: TokenStream, target: Target) -> TokenStream {
    // A derive input is a struct, enum or union item (parsed as an `Item`: the macro crate
    // builds syn with `full`, which has no need of its `derive` feature).
    let input: Item = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.into_compile_error(),
    };
    let mut errors = Errors::default();
    let model = parse(&input, target, &mut errors);
    validate(&model, &mut errors);
    match errors.finish() {
        Ok(()) => expand(&model),
        Err(error) => {
            let mut out = error.into_compile_error();
            out.extend(fallback(&model));
            out
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A field key of `#[genai(...)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    ResponseModel,
    ResponseId,
    FinishReason,
    InputTokens,
    OutputTokens,
    CacheReadInputTokens,
    CacheCreationInputTokens,
    ReasoningOutputTokens,
    ToolCalls,
    ToolCallId,
    Embedding,
    DimensionCount,
    Flatten,
}

/// Which trait a field of a generic type gets bounded by in the impl's `where` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// No bound: the key's trait has a shape parameter the compiler infers, which a `where`
    /// clause cannot name (the user bounds the parameter, e.g. `S: AsRef<str>`).
    None,
    /// `genai_span::TokenCount`.
    TokenCount,
    /// The derived trait itself (`GenAiResponse` or `GenAiChunk`).
    Target,
    /// A trait of `genai_span::__private::derive`.
    Support(&'static str),
}

impl Key {
    const ALL: [Key; 13] = [
        Key::ResponseModel,
        Key::ResponseId,
        Key::FinishReason,
        Key::InputTokens,
        Key::OutputTokens,
        Key::CacheReadInputTokens,
        Key::CacheCreationInputTokens,
        Key::ReasoningOutputTokens,
        Key::ToolCalls,
        Key::ToolCallId,
        Key::Embedding,
        Key::DimensionCount,
        Key::Flatten,
    ];

    /// The key as written, and the name of the `__private::derive` function it calls.
    fn name(self) -> &'static str {
        match self {
            Key::ResponseModel => "response_model",
            Key::ResponseId => "response_id",
            Key::FinishReason => "finish_reason",
            Key::InputTokens => "input_tokens",
            Key::OutputTokens => "output_tokens",
            Key::CacheReadInputTokens => "cache_read_input_tokens",
            Key::CacheCreationInputTokens => "cache_creation_input_tokens",
            Key::ReasoningOutputTokens => "reasoning_output_tokens",
            Key::ToolCalls => "tool_calls",
            Key::ToolCallId => "tool_call_id",
            Key::Embedding => "embedding",
            Key::DimensionCount => "dimension_count",
            Key::Flatten => "flatten",
        }
    }

    fn from_name(name: &str) -> Option<Key> {
        match name {
            // `finish_reasons` reads better on a list; it is the same key.
            "finish_reasons" => Some(Key::FinishReason),
            _ => Key::ALL.into_iter().find(|key| key.name() == name),
        }
    }

    /// Whether a response has one value for this key, so two fields marked with it are an error.
    fn is_single_valued(self) -> bool {
        matches!(
            self,
            Key::ResponseModel
                | Key::ResponseId
                | Key::InputTokens
                | Key::OutputTokens
                | Key::CacheReadInputTokens
                | Key::CacheCreationInputTokens
                | Key::ReasoningOutputTokens
                | Key::DimensionCount
        )
    }

    fn bound(self) -> Bound {
        match self {
            Key::ResponseModel | Key::ResponseId | Key::FinishReason | Key::ToolCallId => {
                Bound::None
            }
            Key::InputTokens
            | Key::OutputTokens
            | Key::CacheReadInputTokens
            | Key::CacheCreationInputTokens
            | Key::ReasoningOutputTokens => Bound::TokenCount,
            Key::ToolCalls => Bound::Support("ToolCallCount"),
            Key::Embedding => Bound::Support("EmbeddingVector"),
            Key::DimensionCount => Bound::Support("CountValue"),
            Key::Flatten => Bound::Target,
        }
    }
}

/// "`response_model`, `response_id`, ..., `flatten`".
fn key_list() -> String {
    let mut list = String::new();
    for (i, key) in Key::ALL.iter().enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        let _ = write!(list, "`{}`", key.name());
    }
    list
}

/// What to say about an unknown key that looks like something users write.
fn unknown_key_hint(name: &str) -> Option<String> {
    let key = match name {
        "model" | "model_name" => Key::ResponseModel,
        "id" => Key::ResponseId,
        "stop_reason" | "finish" => Key::FinishReason,
        "prompt_tokens" | "input" => Key::InputTokens,
        "completion_tokens" | "output" => Key::OutputTokens,
        "cached_tokens" | "cache_read_tokens" | "cache_read" => Key::CacheReadInputTokens,
        "cache_creation_tokens" | "cache_creation" | "cache_write_tokens" => {
            Key::CacheCreationInputTokens
        }
        "reasoning_tokens" | "reasoning" => Key::ReasoningOutputTokens,
        "tool_call" | "tool_call_count" | "tool_call_counts" => Key::ToolCalls,
        "embeddings" | "vector" => Key::Embedding,
        "dimensions" | "dimension" | "embedding_dimensions" => Key::DimensionCount,
        "usage" | "nested" | "inner" => Key::Flatten,
        "total_tokens" => {
            return Some(
                "the GenAI conventions record no total: mark `input_tokens` and `output_tokens` instead".to_owned(),
            );
        }
        "skip" | "ignore" => {
            return Some(
                "a field without `#[genai(...)]` is not recorded: remove the attribute".to_owned(),
            );
        }
        _ => return None,
    };
    Some(format!(
        "did you mean `{}`? expected one of {}",
        key.name(),
        key_list()
    ))
}

// ---------------------------------------------------------------------------------------------
// Model

/// The derive input, as the expansion needs it.
struct Model<'a> {
    target: Target,
    ident: &'a Ident,
    generics: &'a Generics,
    /// `crate = ...`: the path of the `genai_span` crate, when it is not `::genai_span`.
    krate: Option<Path>,
    body: Body<'a>,
    /// Whether any `#[genai]` attribute was seen on a field or a variant, well-formed or not: an
    /// input whose attributes all had errors is not also reported as "no field is marked".
    any_genai_attr: bool,
}

enum Body<'a> {
    Struct(Vec<FieldModel<'a>>),
    Enum(Vec<VariantModel<'a>>),
}

struct VariantModel<'a> {
    ident: &'a Ident,
    style: Style,
    fields: Vec<FieldModel<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Named,
    Tuple,
    Unit,
}

struct FieldModel<'a> {
    member: Member,
    ty: &'a Type,
    marks: Vec<Mark>,
}

/// A key on a field, with the span of the key as written.
#[derive(Debug, Clone, Copy)]
struct Mark {
    key: Key,
    span: Span,
}

impl FieldModel<'_> {
    /// "field `model`" or "field 0".
    fn describe(&self) -> String {
        match &self.member {
            Member::Named(ident) => format!("field `{ident}`"),
            Member::Unnamed(index) => format!("field {}", index.index),
        }
    }
}

/// Every error, reported together.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

// ---------------------------------------------------------------------------------------------
// Parse

fn parse<'a>(input: &'a Item, target: Target, errors: &mut Errors) -> Model<'a> {
    enum Data<'a> {
        Struct(&'a Fields),
        Enum(&'a Punctuated<Variant, Token![,]>),
        Union(Token![union]),
    }
    let (attrs, ident, generics, data) = match input {
        Item::Struct(item) => (
            &item.attrs,
            &item.ident,
            &item.generics,
            Data::Struct(&item.fields),
        ),
        Item::Enum(item) => (
            &item.attrs,
            &item.ident,
            &item.generics,
            Data::Enum(&item.variants),
        ),
        Item::Union(item) => (
            &item.attrs,
            &item.ident,
            &item.generics,
            Data::Union(item.union_token),
        ),
        // rustc hands a derive only structs, enums and unions.
        _ => unreachable!("`#[derive]` on an item that is not a struct, an enum or a union"),
    };
    let krate = parse_container_attrs(attrs, errors);
    let mut any_genai_attr = false;
    let body = match data {
        Data::Struct(fields) => Body::Struct(parse_fields(fields, target, errors, &mut any_genai_attr)),
        Data::Enum(variants) => Body::Enum(
            variants
                .iter()
                .map(|variant| {
                    for attr in variant.attrs.iter().filter(|attr| attr.path().is_ident("genai")) {
                        any_genai_attr = true;
                        errors.push(syn::Error::new_spanned(
                            attr,
                            "`#[genai(...)]` goes on the fields of a variant, not on the variant: mark its fields as in a struct, e.g. `Chat(#[genai(flatten)] ChatResponse)`",
                        ));
                    }
                    VariantModel {
                        ident: &variant.ident,
                        style: match variant.fields {
                            Fields::Named(_) => Style::Named,
                            Fields::Unnamed(_) => Style::Tuple,
                            Fields::Unit => Style::Unit,
                        },
                        fields: parse_fields(&variant.fields, target, errors, &mut any_genai_attr),
                    }
                })
                .collect(),
        ),
        Data::Union(union_token) => {
            errors.push(syn::Error::new_spanned(
                union_token,
                format!(
                    "`{}` cannot be derived for a union; derive it for a struct or an enum, or implement it by hand",
                    target.name()
                ),
            ));
            Body::Struct(Vec::new())
        }
    };
    Model {
        target,
        ident,
        generics,
        krate,
        body,
        any_genai_attr,
    }
}

/// `#[genai(crate = path)]` on the type.
fn parse_container_attrs(attrs: &[Attribute], errors: &mut Errors) -> Option<Path> {
    let mut krate: Option<Path> = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("genai")) {
        if let Err(error) = require_list(
            attr,
            "on a type, the only key is `crate = path::to::genai_span`",
        ) {
            errors.push(error);
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            let name = path_name(&meta.path);
            if name == "crate" {
                match parse_crate_path(meta.input) {
                    Ok(_) if krate.is_some() => errors.push(syn::Error::new_spanned(
                        &meta.path,
                        "duplicate `crate`; give the path of `genai_span` once",
                    )),
                    Ok(path) => krate = Some(path),
                    Err(error) => errors.push(error),
                }
            } else {
                let value = skip_value(meta.input)?;
                let message = if let Some(key) = Key::from_name(&name) {
                    format!(
                        "`{name}` marks a field, not the type; put `#[genai({})]` on the field that holds it",
                        key.name()
                    )
                } else {
                    format!(
                        "unknown key `{name}` on a type; the only key here is `crate = path::to::genai_span`, field keys go on fields"
                    )
                };
                errors.push(error_over(&meta.path, &value, message));
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    krate
}

/// The value of `crate = ...`: a path, or a string holding one (as serde writes it).
fn parse_crate_path(input: ParseStream<'_>) -> syn::Result<Path> {
    const EXPECTED: &str = "`crate` takes the path of the `genai_span` crate: `#[genai(crate = path::to::genai_span)]`";
    if !input.peek(Token![=]) {
        let value = skip_value(input)?;
        return Err(error_over(&value, &TokenStream::new(), EXPECTED));
    }
    let eq: Token![=] = input.parse()?;
    let value = skip_value(input)?;
    if value.is_empty() {
        return Err(syn::Error::new_spanned(eq, EXPECTED));
    }
    let path = match syn::parse2::<LitStr>(value.clone()) {
        Ok(lit) => lit.parse::<Path>(),
        Err(_) => syn::parse2::<Path>(value.clone()),
    };
    path.map_err(|_| syn::Error::new_spanned(&value, EXPECTED))
}

fn parse_fields<'a>(
    fields: &'a Fields,
    target: Target,
    errors: &mut Errors,
    any_genai_attr: &mut bool,
) -> Vec<FieldModel<'a>> {
    fields
        .iter()
        .zip(fields.members())
        .map(|(field, member)| {
            let member = match member {
                // The index takes the field type's span, so `self.0` points at the field.
                Member::Unnamed(index) => Member::Unnamed(Index {
                    index: index.index,
                    span: field.ty.span(),
                }),
                named @ Member::Named(_) => named,
            };
            let mut marks = Vec::<Mark>::new();
            for attr in field
                .attrs
                .iter()
                .filter(|attr| attr.path().is_ident("genai"))
            {
                *any_genai_attr = true;
                parse_field_attr(attr, target, &mut marks, errors);
            }
            FieldModel {
                member,
                ty: &field.ty,
                marks,
            }
        })
        .collect()
}

/// One `#[genai(key, key, ...)]` on a field, appending its keys to `marks`.
fn parse_field_attr(attr: &Attribute, target: Target, marks: &mut Vec<Mark>, errors: &mut Errors) {
    if let Err(error) = require_list(attr, &format!("expected one of {}", key_list())) {
        errors.push(error);
        return;
    }
    let result = attr.parse_nested_meta(|meta| {
        let name = path_name(&meta.path);
        let value = skip_value(meta.input)?;
        let Some(key) = Key::from_name(&name) else {
            let message = if name == "crate" {
                "`crate` goes on the type, not on a field: `#[genai(crate = path::to::genai_span)]` above the `struct` or `enum`".to_owned()
            } else if let Some(hint) = unknown_key_hint(&name) {
                format!("unknown key `{name}`; {hint}")
            } else {
                format!("unknown key `{name}`; expected one of {}", key_list())
            };
            errors.push(error_over(&meta.path, &value, message));
            return Ok(());
        };
        if !value.is_empty() {
            errors.push(syn::Error::new_spanned(
                &value,
                format!("`{name}` takes no value; write `#[genai({name})]`"),
            ));
        }
        if key == Key::ToolCalls && target == Target::Chunk {
            // A stream sends each tool call as several deltas: counting them per chunk would
            // count one call many times.
            errors.push(syn::Error::new_spanned(
                &meta.path,
                "in a stream, a tool call arrives as several deltas: mark the id of each tool-call delta with `#[genai(tool_call_id)]` so that each call counts once",
            ));
            return Ok(());
        }
        if let Some(first) = marks.iter().find(|mark| mark.key == key) {
            let message = if key.name() == name {
                format!("duplicate key `{name}` on this field; remove one")
            } else {
                format!("`{name}` repeats `{}` on this field; remove one", first.key.name())
            };
            errors.push(syn::Error::new_spanned(&meta.path, message));
            return Ok(());
        }
        marks.push(Mark { key, span: meta.path.span() });
        Ok(())
    });
    if let Err(error) = result {
        errors.push(error);
    }
}

/// `#[genai(...)]` with at least one key; `#[genai]`, `#[genai()]` and `#[genai = ...]` are errors.
fn require_list(attr: &Attribute, expected: &str) -> syn::Result<()> {
    let empty = match &attr.meta {
        Meta::List(list) => list.tokens.is_empty(),
        Meta::Path(_) | Meta::NameValue(_) => true,
    };
    if empty {
        return Err(syn::Error::new_spanned(
            attr,
            format!(
                "`#[genai]` needs a key in parentheses, e.g. `#[genai(response_model)]`; {expected}"
            ),
        ));
    }
    Ok(())
}

/// The key as written: `response_model`, or `a::b` for a path.
fn path_name(path: &Path) -> String {
    let mut name = String::new();
    if path.leading_colon.is_some() {
        name.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            name.push_str("::");
        }
        name.push_str(&segment.ident.to_string());
    }
    name
}

/// Consumes what follows a key up to the next `,`: `= value` or `(...)`, usually nothing.
fn skip_value(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let mut value = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        value.extend([input.parse::<TokenTree>()?]);
    }
    Ok(value)
}

/// An error over `first` through `rest` (`rest` may be empty).
fn error_over(
    first: &dyn ToTokens,
    rest: &TokenStream,
    message: impl std::fmt::Display,
) -> syn::Error {
    let mut tokens = first.to_token_stream();
    tokens.extend(rest.clone());
    syn::Error::new_spanned(tokens, message)
}

// ---------------------------------------------------------------------------------------------
// Validate

fn validate(model: &Model<'_>, errors: &mut Errors) {
    match &model.body {
        Body::Struct(fields) => check_single_valued(fields, "", errors),
        Body::Enum(variants) => {
            for variant in variants {
                check_single_valued(&variant.fields, " of this variant", errors);
            }
        }
    }

    let (has_fields, any_marked) = match &model.body {
        Body::Struct(fields) => (
            !fields.is_empty(),
            fields.iter().any(|field| !field.marks.is_empty()),
        ),
        Body::Enum(variants) => (
            variants.iter().any(|variant| !variant.fields.is_empty()),
            variants
                .iter()
                .flat_map(|variant| &variant.fields)
                .any(|field| !field.marks.is_empty()),
        ),
    };
    if has_fields && !any_marked && !model.any_genai_attr {
        errors.push(syn::Error::new_spanned(
            model.ident,
            format!(
                "no field of `{}` is marked; mark the fields to record with `#[genai(...)]`, e.g. `#[genai(response_model)]`, `#[genai(input_tokens)]` or `#[genai(flatten)]`; to record nothing, implement `{}` by hand with an empty `record`",
                model.ident,
                model.target.name(),
            ),
        ));
    }
}

/// A single-valued key (`response_model`, token counts, ...) on two fields of one struct or
/// variant.
fn check_single_valued(fields: &[FieldModel<'_>], scope: &str, errors: &mut Errors) {
    let mut seen: Vec<(Key, &FieldModel<'_>)> = Vec::new();
    for field in fields {
        for mark in field
            .marks
            .iter()
            .filter(|mark| mark.key.is_single_valued())
        {
            if let Some((_, first)) = seen.iter().find(|(key, _)| *key == mark.key) {
                errors.push(syn::Error::new(
                    mark.span,
                    format!(
                        "`{}` is already marked on {}{scope}; a response has one value for it: mark only one field",
                        mark.key.name(),
                        first.describe(),
                    ),
                ));
            } else {
                seen.push((mark.key, field));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expand

/// The path of the `genai_span` crate, its tokens spanned at `span` when it is the default one.
fn krate(model: &Model<'_>, span: Span) -> TokenStream {
    model.krate.as_ref().map_or_else(
        || quote_spanned!(span=> ::genai_span),
        ToTokens::to_token_stream,
    )
}

fn expand(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let genai = krate(model, Span::call_site());
    // Locals of the expansion: `mixed_site` so they can't clash with the user's names.
    let response = Ident::new("response", Span::mixed_site());
    let lifetime = syn::Lifetime::new("'__genai_span", Span::call_site());

    let mut records = false;
    let body = match &model.body {
        Body::Struct(fields) => {
            let calls = fields.iter().flat_map(|field| {
                let span = field.ty.span();
                let member = &field.member;
                let access = quote_spanned!(span=> &self.#member);
                field
                    .marks
                    .iter()
                    .map(move |mark| (mark.key, span, access.clone()))
            });
            let calls: Vec<TokenStream> = calls
                .map(|(key, span, access)| call(model, key, span, &access, &response))
                .collect();
            records = !calls.is_empty();
            quote!(#(#calls)*)
        }
        Body::Enum(variants) if variants.is_empty() => quote!(match *self {}),
        Body::Enum(variants) => {
            let arms: Vec<TokenStream> = variants
                .iter()
                .map(|variant| {
                    let name = variant.ident;
                    let marked: Vec<&FieldModel<'_>> = variant
                        .fields
                        .iter()
                        .filter(|field| !field.marks.is_empty())
                        .collect();
                    if marked.is_empty() {
                        return match variant.style {
                            Style::Named => quote!(Self::#name { .. } => {}),
                            Style::Tuple => quote!(Self::#name(..) => {}),
                            Style::Unit => quote!(Self::#name => {}),
                        };
                    }
                    records = true;
                    let mut bindings = Vec::new();
                    let mut calls = Vec::new();
                    for (i, field) in marked.iter().enumerate() {
                        let span = field.ty.span();
                        // Spanned on the field's type, so that a type error lands there (with a
                        // `mixed_site().located_at(..)` span rustc shows it on the derive). It is
                        // bound and used only in this arm: it can't clash with the user's names.
                        let binding = Ident::new(&format!("__genai_field_{i}"), span);
                        let member = &field.member;
                        bindings.push(quote!(#member: #binding));
                        for mark in &field.marks {
                            calls.push(call(
                                model,
                                mark.key,
                                span,
                                &binding.to_token_stream(),
                                &response,
                            ));
                        }
                    }
                    quote!(Self::#name { #(#bindings,)* .. } => { #(#calls)* })
                })
                .collect();
            quote!(match self { #(#arms)* })
        }
    };
    let param = if records {
        response.to_token_stream()
    } else {
        quote!(_)
    };

    let generics = bounded_generics(model);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let target = Ident::new(model.target.name(), Span::call_site());
    quote! {
        #[automatically_derived]
        impl #impl_generics #genai::#target for #ident #ty_generics #where_clause {
            fn record<#lifetime>(&#lifetime self, #param: &mut #genai::ResponseAttributes<#lifetime>) {
                #body
            }
        }
    }
}

/// `genai_span::__private::derive::<key>(<value>, response);`, spanned on the field's type.
fn call(
    model: &Model<'_>,
    key: Key,
    span: Span,
    value: &TokenStream,
    response: &Ident,
) -> TokenStream {
    let genai = krate(model, span);
    let name = match (key, model.target) {
        (Key::Flatten, Target::Chunk) => "flatten_chunk",
        _ => key.name(),
    };
    let function = Ident::new(name, span);
    quote_spanned!(span=> #genai::__private::derive::#function(#value, #response);)
}

/// The input's generics, plus `FieldType: Trait` for each marked field whose type names a type
/// parameter (a concrete field type needs no bound: the call itself checks it).
fn bounded_generics(model: &Model<'_>) -> Generics {
    let mut generics = model.generics.clone();
    let params: HashSet<String> = generics
        .type_params()
        .map(|param| param.ident.to_string())
        .collect();
    if params.is_empty() {
        return generics;
    }
    let fields: Vec<&FieldModel<'_>> = match &model.body {
        Body::Struct(fields) => fields.iter().collect(),
        Body::Enum(variants) => variants
            .iter()
            .flat_map(|variant| &variant.fields)
            .collect(),
    };
    let mut seen = HashSet::new();
    for field in fields {
        if !mentions(field.ty.to_token_stream(), &params) {
            continue;
        }
        for mark in &field.marks {
            let span = field.ty.span();
            let genai = krate(model, span);
            let bound = match mark.key.bound() {
                Bound::None => continue,
                Bound::TokenCount => quote_spanned!(span=> #genai::TokenCount),
                Bound::Target => {
                    let target = Ident::new(model.target.name(), span);
                    quote_spanned!(span=> #genai::#target)
                }
                Bound::Support(name) => {
                    let name = Ident::new(name, span);
                    quote_spanned!(span=> #genai::__private::derive::#name)
                }
            };
            let ty = field.ty;
            let predicate = quote_spanned!(span=> #ty: #bound);
            if seen.insert(predicate.to_string()) {
                generics
                    .make_where_clause()
                    .predicates
                    .push(syn::parse_quote!(#predicate));
            }
        }
    }
    generics
}

/// Whether `tokens` name one of `params`.
fn mentions(tokens: TokenStream, params: &HashSet<String>) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => params.contains(&ident.to_string()),
        TokenTree::Group(group) => mentions(group.stream(), params),
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    })
}

/// On error: an impl that records nothing, so uses of the type don't add "does not implement
/// `GenAiResponse`" errors to the real ones.
fn fallback(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let genai = krate(model, Span::call_site());
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let target = Ident::new(model.target.name(), Span::call_site());
    quote! {
        #[automatically_derived]
        impl #impl_generics #genai::#target for #ident #ty_generics #where_clause {
            fn record<'__genai_span>(&'__genai_span self, _: &mut #genai::ResponseAttributes<'__genai_span>) {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages of every error `input` produces, in order.
    fn errors(input: TokenStream) -> Vec<String> {
        let input: Item = syn::parse2(input).unwrap();
        let mut errors = Errors::default();
        let model = parse(&input, Target::Response, &mut errors);
        validate(&model, &mut errors);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    fn marks(input: TokenStream) -> Vec<Vec<Key>> {
        let input: Item = syn::parse2(input).unwrap();
        let mut errors = Errors::default();
        let model = parse(&input, Target::Response, &mut errors);
        assert!(errors.finish().is_ok());
        let Body::Struct(fields) = model.body else {
            panic!("not a struct")
        };
        fields
            .iter()
            .map(|field| field.marks.iter().map(|mark| mark.key).collect())
            .collect()
    }

    fn expansion(input: TokenStream) -> String {
        derive(input, Target::Response).to_string()
    }

    #[test]
    fn keys_and_the_alias_parse() {
        let parsed = marks(quote! {
            struct R {
                #[genai(response_model)] model: String,
                #[genai(input_tokens, output_tokens,)] both: u32,
                #[genai(finish_reasons)] #[genai(tool_calls)] reasons: Vec<String>,
                unmarked: u8,
            }
        });
        assert_eq!(
            parsed,
            [
                vec![Key::ResponseModel],
                vec![Key::InputTokens, Key::OutputTokens],
                vec![Key::FinishReason, Key::ToolCalls],
                vec![],
            ]
        );
    }

    #[test]
    fn every_key_is_recognized_by_its_name() {
        for key in Key::ALL {
            assert_eq!(Key::from_name(key.name()), Some(key));
        }
        assert_eq!(Key::from_name("model"), None);
    }

    #[test]
    fn unknown_key_lists_the_valid_ones_and_hints() {
        let errors = errors(quote!(
            struct R {
                #[genai(model)]
                m: String,
                #[genai(bogus = 1)]
                b: u8,
            }
        ));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "unknown key `model`; did you mean `response_model`? expected one of `response_model`, `response_id`,"
            ),
            "{}",
            errors[0]
        );
        assert!(
            errors[0].ends_with("`dimension_count`, `flatten`"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].starts_with("unknown key `bogus`; expected one of"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn hints_that_are_not_keys() {
        assert_eq!(
            errors(quote!(
                struct R {
                    #[genai(total_tokens)]
                    t: u32,
                    #[genai(skip)]
                    s: u8,
                    #[genai(input_tokens)]
                    i: u32,
                }
            )),
            [
                "unknown key `total_tokens`; the GenAI conventions record no total: mark `input_tokens` and `output_tokens` instead",
                "unknown key `skip`; a field without `#[genai(...)]` is not recorded: remove the attribute",
            ]
        );
    }

    #[test]
    fn duplicate_keys_on_a_field() {
        let errors = errors(quote! {
            struct R {
                #[genai(input_tokens, input_tokens)] a: u32,
                #[genai(finish_reason)] #[genai(finish_reasons)] r: String,
            }
        });
        assert_eq!(
            errors,
            [
                "duplicate key `input_tokens` on this field; remove one",
                "`finish_reasons` repeats `finish_reason` on this field; remove one",
            ]
        );
    }

    #[test]
    fn single_valued_key_on_two_fields() {
        let errors = errors(quote! {
            struct R {
                #[genai(response_model)] model: String,
                #[genai(response_model)] other: String,
                #[genai(finish_reason)] a: String,
                #[genai(finish_reason)] b: String,
            }
        });
        assert_eq!(
            errors,
            [
                "`response_model` is already marked on field `model`; a response has one value for it: mark only one field"
            ]
        );
    }

    #[test]
    fn single_valued_keys_are_per_variant() {
        assert_eq!(
            errors(quote! {
                enum R {
                    A { #[genai(response_model)] m: String },
                    B(#[genai(response_model)] String, #[genai(response_model)] String),
                }
            }),
            [
                "`response_model` is already marked on field 0 of this variant; a response has one value for it: mark only one field"
            ]
        );
    }

    #[test]
    fn values_on_flags_and_empty_attributes() {
        let errors = errors(quote! {
            struct R {
                #[genai(response_model = "gpt")] a: String,
                #[genai(flatten(x))] b: String,
                #[genai] c: String,
                #[genai()] d: String,
                #[genai = "x"] e: String,
            }
        });
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert_eq!(
            errors[0],
            "`response_model` takes no value; write `#[genai(response_model)]`"
        );
        assert_eq!(
            errors[1],
            "`flatten` takes no value; write `#[genai(flatten)]`"
        );
        for error in &errors[2..] {
            assert!(
                error.starts_with(
                    "`#[genai]` needs a key in parentheses, e.g. `#[genai(response_model)]`; expected one of"
                ),
                "{error}"
            );
        }
    }

    #[test]
    fn crate_path() {
        let input: Item = syn::parse_quote!(
            #[genai(crate = my::genai)]
            struct R {
                #[genai(response_id)]
                id: String,
            }
        );
        let mut errors = Errors::default();
        let model = parse(&input, Target::Response, &mut errors);
        assert!(errors.finish().is_ok());
        assert_eq!(model.krate.to_token_stream().to_string(), "my :: genai");

        let input: Item = syn::parse_quote!(
            #[genai(crate = "crate::genai")]
            struct R;
        );
        let mut errors = Errors::default();
        let model = parse(&input, Target::Response, &mut errors);
        assert!(errors.finish().is_ok());
        assert_eq!(model.krate.to_token_stream().to_string(), "crate :: genai");

        assert!(
            expansion(quote!(
                #[genai(crate = my::genai)]
                struct R {
                    #[genai(response_id)]
                    id: String,
                }
            ))
            .contains("impl my :: genai :: GenAiResponse for R")
        );
    }

    #[test]
    fn crate_errors() {
        let errors = errors(quote! {
            #[genai(crate = a)]
            #[genai(crate = b, response_model, bogus)]
            #[genai(crate)]
            struct R { #[genai(crate = c)] #[genai(input_tokens)] x: u32 }
        });
        assert_eq!(
            errors,
            [
                "duplicate `crate`; give the path of `genai_span` once",
                "`response_model` marks a field, not the type; put `#[genai(response_model)]` on the field that holds it",
                "unknown key `bogus` on a type; the only key here is `crate = path::to::genai_span`, field keys go on fields",
                "`crate` takes the path of the `genai_span` crate: `#[genai(crate = path::to::genai_span)]`",
                "`crate` goes on the type, not on a field: `#[genai(crate = path::to::genai_span)]` above the `struct` or `enum`",
            ]
        );
    }

    #[test]
    fn union_is_an_error() {
        assert_eq!(
            errors(quote!(union U { a: u32 })),
            [
                "`GenAiResponse` cannot be derived for a union; derive it for a struct or an enum, or implement it by hand"
            ]
        );
    }

    #[test]
    fn attribute_on_a_variant_is_an_error() {
        let errors = errors(quote!(
            enum R {
                #[genai(flatten)]
                A(Inner),
            }
        ));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .starts_with("`#[genai(...)]` goes on the fields of a variant, not on the variant")
        );
    }

    #[test]
    fn no_marked_field() {
        let message = "no field of `R` is marked; mark the fields to record with `#[genai(...)]`, e.g. `#[genai(response_model)]`, `#[genai(input_tokens)]` or `#[genai(flatten)]`; to record nothing, implement `GenAiResponse` by hand with an empty `record`";
        assert_eq!(
            errors(quote!(
                struct R {
                    a: String,
                }
            )),
            [message]
        );
        assert_eq!(
            errors(quote!(
                struct R(String);
            )),
            [message]
        );
        assert_eq!(
            errors(quote!(
                enum R {
                    A(String),
                    B,
                }
            )),
            [message]
        );
        // Nothing to mark: accepted, records nothing.
        assert!(
            errors(quote!(
                struct R;
            ))
            .is_empty()
        );
        assert!(
            errors(quote!(
                struct R {}
            ))
            .is_empty()
        );
        assert!(
            errors(quote!(
                enum R {
                    A,
                    B,
                }
            ))
            .is_empty()
        );
        assert!(
            errors(quote!(
                enum R {}
            ))
            .is_empty()
        );
        // One marked field anywhere is enough.
        assert!(
            errors(quote!(
                enum R {
                    A(#[genai(flatten)] Inner),
                    B(String),
                }
            ))
            .is_empty()
        );
        // A field with a broken attribute is reported for that, not also as unmarked.
        assert_eq!(
            errors(quote!(
                struct R {
                    #[genai(nope)]
                    a: String,
                }
            ))
            .len(),
            1
        );
    }

    #[test]
    fn all_errors_are_reported_together() {
        let errors = errors(quote! {
            #[genai(crate = a, crate = b)]
            struct R {
                #[genai(bogus)] a: String,
                #[genai(input_tokens = 1)] b: u32,
                #[genai(input_tokens)] c: u32,
            }
        });
        assert_eq!(errors.len(), 4, "{errors:?}");
    }

    #[test]
    fn errors_come_with_a_stub_impl() {
        let out = expansion(quote!(
            struct R {
                #[genai(bogus)]
                a: String,
            }
        ));
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            out.contains("impl :: genai_span :: GenAiResponse for R"),
            "{out}"
        );
        assert!(!out.contains("__private"), "{out}");
    }

    #[test]
    fn expansion_of_a_struct() {
        let out = expansion(quote! {
            struct R {
                #[genai(response_model)] model: String,
                #[genai(input_tokens, output_tokens)] n: u32,
                plain: u8,
            }
        });
        assert!(out.contains("# [automatically_derived]"), "{out}");
        assert!(
            out.contains(":: genai_span :: __private :: derive :: response_model (& self . model , response) ;"),
            "{out}"
        );
        assert!(
            out.contains(
                ":: genai_span :: __private :: derive :: input_tokens (& self . n , response) ;"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                ":: genai_span :: __private :: derive :: output_tokens (& self . n , response) ;"
            ),
            "{out}"
        );
        assert!(!out.contains("plain"), "{out}");
    }

    #[test]
    fn expansion_of_a_unit_struct_ignores_the_response() {
        let out = expansion(quote!(
            struct R;
        ));
        assert!(
            out.contains("(& '__genai_span self , _ : & mut :: genai_span :: ResponseAttributes < '__genai_span >)"),
            "{out}"
        );
    }

    #[test]
    fn expansion_of_an_enum() {
        let out = expansion(quote! {
            enum R {
                Chat(#[genai(flatten)] Chat),
                Embed { #[genai(embedding)] vector: Vec<f32>, other: u8 },
                Unit,
                Tuple(u8),
            }
        });
        assert!(out.contains("Self :: Chat { 0 : __genai_field_0 , .. } => { :: genai_span :: __private :: derive :: flatten (__genai_field_0 , response) ; }"), "{out}");
        assert!(
            out.contains("Self :: Embed { vector : __genai_field_0 , .. } => {"),
            "{out}"
        );
        assert!(out.contains("Self :: Unit => { }"), "{out}");
        assert!(out.contains("Self :: Tuple (..) => { }"), "{out}");
        assert!(
            expansion(quote!(
                enum E {}
            ))
            .contains("match * self { }")
        );
    }

    #[test]
    fn generic_fields_get_where_clauses() {
        let out = expansion(quote! {
            struct R<'a, T, N: Copy, S> {
                #[genai(flatten)] inner: Vec<T>,
                #[genai(flatten)] again: Vec<T>,
                #[genai(input_tokens)] n: N,
                #[genai(response_model)] model: S,
                #[genai(response_id)] id: &'a str,
                #[genai(tool_calls)] calls: Vec<String>,
            }
        });
        let start = out.find("where").unwrap();
        let where_clause = &out[start..out.find("{ fn record").unwrap()];
        assert_eq!(
            where_clause,
            "where Vec < T > : :: genai_span :: GenAiResponse , N : :: genai_span :: TokenCount "
        );
    }
}
