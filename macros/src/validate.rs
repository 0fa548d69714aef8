//! Judging the parsed arguments against the operation table and the semconv table, and
//! turning them into a [`Plan`] for `expand.rs`. Every problem found is collected, so one
//! compile shows them all.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{Expr, ExprLit, Ident, Lit, UnOp};

use crate::ops::{self, Operation, SpanKind};
use crate::parse::{Args, FieldArg, FieldKey};
use crate::suggest;
use crate::table::{self, ValueType};

/// How a value is converted and recorded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Conversion {
    Str,
    Int,
    Double,
    Bool,
    /// `string[]`: set through the OTel API after the span is created.
    StrArray,
    /// A key outside the conventions: recorded with the value's own type.
    Custom,
}

/// One attribute set when the span is created.
pub(crate) struct Value {
    pub(crate) key: String,
    pub(crate) conversion: Conversion,
    pub(crate) expr: Expr,
}

/// How the span name is made.
pub(crate) enum SpanName {
    /// Known at compile time.
    Const(String),
    /// `"{operation} {value}"`, from the creation value at this index.
    Detail(usize),
}

/// Everything `expand.rs` needs.
pub(crate) struct Plan {
    pub(crate) op: &'static Operation,
    pub(crate) kind: SpanKind,
    pub(crate) krate: TokenStream,
    pub(crate) name: SpanName,
    pub(crate) values: Vec<Value>,
    /// Deprecated semconv consts the user named: read them so rustc warns at their tokens.
    pub(crate) deprecated: Vec<Ident>,
    /// `stream`: the function returns a stream of chunks, recorded as they come.
    pub(crate) stream: bool,
    /// Content arguments: the `ContentKind` variant and the expression.
    pub(crate) content: Vec<(&'static str, Expr)>,
}

/// Collects errors.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let error = syn::Error::new(span, message);
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

/// Checks `args` for the function `fn_name` and plans the span.
pub(crate) fn plan(args: &Args, fn_name: &Ident) -> syn::Result<Plan> {
    let mut errors = Errors::default();

    let Some(op_ident) = &args.operation else {
        return Err(syn::Error::new(
            args.span,
            format!(
                "expected the operation first, e.g. `#[genai_span(chat, provider = \"openai\", model = req.model)]`; operations: {}",
                suggest::list(&ops::OPERATIONS.iter().map(|op| op.name).collect::<Vec<_>>())
            ),
        ));
    };
    let op_name = op_ident.to_string();
    let Some(op) = ops::operation(&op_name) else {
        let names: Vec<&str> = ops::OPERATIONS.iter().map(|op| op.name).collect();
        return Err(syn::Error::new(
            op_ident.span(),
            suggest::unknown("operation", &op_name, names.iter().copied(), Some(&names)),
        ));
    };

    let krate = match args.krate.as_slice() {
        [] => quote!(::genai_span),
        [(_, path)] => path.to_token_stream(),
        [_, (token, _), ..] => {
            errors.push(token.span, "duplicate argument `crate`");
            quote!(::genai_span)
        }
    };
    for extra in args.fields_tokens.iter().skip(1) {
        errors.push(
            extra.span(),
            "duplicate argument `fields`; put every entry in one `fields(...)`",
        );
    }
    let mut stream = None;
    for flag in &args.flags {
        let name = flag.to_string();
        if name == "stream" {
            if stream.replace(flag).is_some() {
                errors.push(flag.span(), "duplicate argument `stream`");
            } else if !op.streams {
                errors.push(
                    flag.span(),
                    format!(
                        "`stream` does not apply to `{}` spans; it applies to `chat`, `text_completion`, `generate_content`",
                        op.name
                    ),
                );
            }
            continue;
        }
        let hint = if ops::shorthand(&name).is_some() || name == "kind" {
            format!("`{name}` needs a value: `{name} = ...`")
        } else {
            let names = argument_names(op);
            suggest::unknown("argument", &name, names.iter().copied(), Some(&names))
        };
        errors.push(flag.span(), hint);
    }

    // Shorthands and `kind`, each at most once.
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    let mut given: BTreeMap<&'static str, &Expr> = BTreeMap::new();
    let mut kind = op.kind;
    let mut content = Vec::new();
    for named in &args.named {
        let name = named.name.to_string();
        if seen.insert(name.clone(), named.name.span()).is_some() {
            errors.push(named.name.span(), format!("duplicate argument `{name}`"));
            continue;
        }
        if name == "kind" {
            match kind_value(&named.value) {
                Some(_) if !op.kind_choice => errors.push(
                    named.name.span(),
                    format!(
                        "`{}` spans are always `{}`; remove `kind = ...`",
                        op.name,
                        op.kind.as_str()
                    ),
                ),
                Some(k) => kind = k,
                None => errors.push(
                    named.value_span(),
                    "expected `kind = client` or `kind = internal`",
                ),
            }
            continue;
        }
        if let Some(arg) = ops::content_arg(&name) {
            if op.content.contains(&arg.name) {
                content.push((arg.kind, named.value.clone()));
            } else {
                let accepting: Vec<&str> = ops::OPERATIONS
                    .iter()
                    .filter(|o| o.content.contains(&arg.name))
                    .map(|o| o.name)
                    .collect();
                errors.push(
                    named.name.span(),
                    format!(
                        "`{name}` does not apply to `{}` spans; it applies to {}",
                        op.name,
                        suggest::list(&accepting)
                    ),
                );
            }
            continue;
        }
        let Some(shorthand) = ops::shorthand(&name) else {
            let names = argument_names(op);
            errors.push(
                named.name.span(),
                suggest::unknown("argument", &name, names.iter().copied(), Some(&names)),
            );
            continue;
        };
        if !op.allowed.contains(&shorthand.name) {
            errors.push(named.name.span(), not_for_operation(shorthand.name, op));
            continue;
        }
        given.insert(shorthand.name, &named.value);
    }

    for required in op.required {
        if !given.contains_key(required) {
            errors.push(op_ident.span(), missing(op, required));
        }
    }

    // `stream` records `gen_ai.request.stream = true` itself.
    let stream_true: Expr = syn::parse_quote!(true);
    if stream.is_some() {
        if let Some(given_stream) = given.insert("stream", &stream_true) {
            errors.push(
                syn::spanned::Spanned::span(given_stream),
                "`stream` already records `gen_ai.request.stream = true`; remove `stream = ...`",
            );
        }
    }

    // `execute_tool` names its tool after the function unless told otherwise.
    let default_tool: Expr;
    if op.name == "execute_tool" && !given.contains_key("tool_name") {
        let tool = fn_name.to_string().trim_start_matches("r#").to_owned();
        default_tool = syn::parse_quote!(#tool);
        given.insert("tool_name", &default_tool);
    }

    // Creation values, in the order of the table, then the user's `fields`.
    let mut values = Vec::new();
    let mut name_detail = None;
    for shorthand in ops::SHORTHANDS {
        let Some(expr) = given.get(shorthand.name) else {
            continue;
        };
        let ty = table::by_key(shorthand.key).map_or(ValueType::String, |attr| attr.ty);
        let Some(conversion) = conversion(ty) else {
            continue;
        };
        if let Some(error) = check_literal(expr, conversion, shorthand.name, shorthand.key) {
            errors.push(error.span(), error);
            continue;
        }
        if op.name_detail == Some(shorthand.name) {
            name_detail = Some(values.len());
        }
        values.push(Value {
            key: shorthand.key.to_owned(),
            conversion,
            expr: (*expr).clone(),
        });
    }

    let mut deprecated = Vec::new();
    let mut field_keys: BTreeMap<String, Span> = BTreeMap::new();
    for field in &args.fields {
        match field_value(field, op, &mut deprecated) {
            Ok(value) => {
                if field_keys
                    .insert(value.key.clone(), field.key.span())
                    .is_some()
                {
                    errors.push(
                        field.key.span(),
                        format!("duplicate key `{}` in `fields`", value.key),
                    );
                } else {
                    values.push(value);
                }
            }
            Err(error) => errors.push(error.span(), error),
        }
    }

    let name = match name_detail.map(|i| (i, &values[i].expr)) {
        Some((
            _,
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }),
        )) => SpanName::Const(format!("{} {}", op.name, lit.value())),
        Some((index, _)) => SpanName::Detail(index),
        None => SpanName::Const(op.name.to_owned()),
    };

    errors.finish(Plan {
        op,
        kind,
        krate,
        name,
        values,
        deprecated,
        stream: stream.is_some(),
        content,
    })
}

impl crate::parse::Named {
    fn value_span(&self) -> Span {
        syn::spanned::Spanned::span(&self.value)
    }
}

fn kind_value(expr: &Expr) -> Option<SpanKind> {
    let Expr::Path(path) = expr else { return None };
    let ident = path.path.get_ident()?;
    if ident == "client" {
        Some(SpanKind::Client)
    } else if ident == "internal" {
        Some(SpanKind::Internal)
    } else {
        None
    }
}

/// Keys `#[genai_span]` sets itself.
fn reserved(key: &str, op: &Operation) -> Option<String> {
    if key == "gen_ai.operation.name" || key == ops::ERROR_TYPE || key.starts_with("otel.") {
        return Some(format!(
            "`{key}` is set by #[genai_span]; remove it from `fields`"
        ));
    }
    if let Some(arg) = ops::CONTENT_ARGS.iter().find(|c| c.key == key) {
        let hint = if op.content.contains(&arg.name) {
            format!("write `{} = ...`", arg.name)
        } else {
            format!("`{}` spans do not take it", op.name)
        };
        return Some(format!(
            "`{key}` holds content, which #[genai_span] captures only when content capture is on; {hint}"
        ));
    }
    if ops::OUTPUT_CONTENT_KEYS.iter().any(|(_, k)| *k == key) {
        return Some(format!(
            "`{key}` holds content, which #[genai_span] captures from the return value when content capture is on; remove it from `fields`"
        ));
    }
    if op.recorded.contains(&key) {
        return Some(format!(
            "`{key}` is recorded from the return value of `{}` spans; remove it from `fields`",
            op.name
        ));
    }
    // `fields` may add keys the conventions do not list for this operation (that is what it
    // is for), but a key with its own argument goes through that argument.
    let shorthand = ops::SHORTHANDS
        .iter()
        .find(|s| s.key == key && op.allowed.contains(&s.name))?;
    Some(format!(
        "`{key}` has its own argument: write `{} = ...` instead of putting it in `fields`",
        shorthand.name
    ))
}

fn field_value(
    field: &FieldArg,
    op: &Operation,
    deprecated: &mut Vec<Ident>,
) -> syn::Result<Value> {
    let (key, ty) = match &field.key {
        FieldKey::Const(ident) => {
            let name = ident.to_string();
            let Some(attr) = table::by_const_name(&name) else {
                let message =
                    suggest::unknown("semantic-convention attribute", &name, table::names(), None);
                return Err(syn::Error::new(
                    ident.span(),
                    suggest::then(
                        message,
                        "for a key outside the conventions write it quoted: `\"my.key\" = ...`",
                    ),
                ));
            };
            if attr.deprecated.is_some() {
                deprecated.push(ident.clone());
            }
            (attr.key.to_owned(), Some(attr.ty))
        }
        FieldKey::Literal(lit) => {
            let key = lit.value();
            if let Some(attr) = table::by_key(&key) {
                if attr.deprecated.is_some() {
                    deprecated.push(Ident::new(attr.name, lit.span()));
                }
                (key, Some(attr.ty))
            } else if key.starts_with("gen_ai.") {
                let message =
                    suggest::unknown("GenAI semantic-convention key", &key, table::keys(), None);
                return Err(syn::Error::new(
                    lit.span(),
                    suggest::then(
                        message,
                        "`gen_ai.*` belongs to the conventions, so name your own keys outside it",
                    ),
                ));
            } else if key.is_empty() {
                return Err(syn::Error::new(
                    lit.span(),
                    "an attribute key cannot be empty",
                ));
            } else {
                (key, None)
            }
        }
    };
    if let Some(message) = reserved(&key, op) {
        return Err(syn::Error::new(field.key.span(), message));
    }
    let conversion = match ty {
        None => Conversion::Custom,
        Some(ty) => conversion(ty).ok_or_else(|| {
            syn::Error::new(field.key.span(), format!("`{key}` is an array of numbers or booleans, which `fields` does not record; set it with `OpenTelemetrySpanExt::set_attribute` in the function"))
        })?,
    };
    if let Some(error) = check_literal(&field.value, conversion, &key, &key) {
        return Err(error);
    }
    Ok(Value {
        key,
        conversion,
        expr: field.value.clone(),
    })
}

fn conversion(ty: ValueType) -> Option<Conversion> {
    match ty {
        // `any` keys carry structured content, given here as a JSON string.
        ValueType::String | ValueType::Any => Some(Conversion::Str),
        ValueType::Int => Some(Conversion::Int),
        ValueType::Double => Some(Conversion::Double),
        ValueType::Boolean => Some(Conversion::Bool),
        ValueType::StringArray => Some(Conversion::StrArray),
        ValueType::IntArray | ValueType::DoubleArray | ValueType::BooleanArray => None,
    }
}

/// A literal of the wrong type for a typed key, caught before rustc sees it.
fn check_literal(expr: &Expr, conversion: Conversion, arg: &str, key: &str) -> Option<syn::Error> {
    let (expected, example) = match conversion {
        Conversion::Str => ("a string", "\"...\""),
        Conversion::Int => ("an integer", "1024"),
        Conversion::Double => ("a number", "0.7"),
        Conversion::Bool => ("a boolean", "true"),
        Conversion::StrArray => ("a list of strings", "[\"\\n\"]"),
        Conversion::Custom => return None,
    };
    let found = match literal_kind(expr)? {
        LiteralKind::Str if conversion == Conversion::Str => return None,
        LiteralKind::Int if matches!(conversion, Conversion::Int | Conversion::Double) => {
            return None;
        }
        LiteralKind::Float if conversion == Conversion::Double => return None,
        LiteralKind::Bool if conversion == Conversion::Bool => return None,
        LiteralKind::StrArray if conversion == Conversion::StrArray => return None,
        kind => kind.describe(),
    };
    let key_note = if arg == key {
        format!("`{key}`")
    } else {
        format!("`{arg}` (`{key}`)")
    };
    Some(syn::Error::new(
        syn::spanned::Spanned::span(expr),
        format!("{key_note} takes {expected}, e.g. `{example}`, found {found}"),
    ))
}

enum LiteralKind {
    Str,
    Int,
    Float,
    Bool,
    StrArray,
    OtherArray,
    Other,
}

impl LiteralKind {
    fn describe(&self) -> &'static str {
        match self {
            LiteralKind::Str => "a string literal",
            LiteralKind::Int => "an integer literal",
            LiteralKind::Float => "a float literal",
            LiteralKind::Bool => "a boolean literal",
            LiteralKind::StrArray => "a list of strings",
            LiteralKind::OtherArray => "a list that is not all strings",
            LiteralKind::Other => "a literal",
        }
    }
}

/// The kind of a literal expression; `None` for any other expression (typed by rustc).
fn literal_kind(expr: &Expr) -> Option<LiteralKind> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some(match lit {
            Lit::Str(_) => LiteralKind::Str,
            Lit::Int(_) => LiteralKind::Int,
            Lit::Float(_) => LiteralKind::Float,
            Lit::Bool(_) => LiteralKind::Bool,
            _ => LiteralKind::Other,
        }),
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => {
            match literal_kind(&unary.expr)? {
                kind @ (LiteralKind::Int | LiteralKind::Float) => Some(kind),
                _ => Some(LiteralKind::Other),
            }
        }
        Expr::Array(array) => {
            let all_str = array
                .elems
                .iter()
                .all(|e| matches!(literal_kind(e), Some(LiteralKind::Str)));
            let all_lit = array.elems.iter().all(|e| literal_kind(e).is_some());
            if all_str {
                Some(LiteralKind::StrArray)
            } else if all_lit {
                Some(LiteralKind::OtherArray)
            } else {
                None
            }
        }
        Expr::Group(group) => literal_kind(&group.expr),
        Expr::Paren(paren) => literal_kind(&paren.expr),
        _ => None,
    }
}

fn not_for_operation(arg: &str, op: &Operation) -> String {
    let ops = Operation::accepting(arg);
    format!(
        "`{arg}` does not apply to `{}` spans; it applies to {}",
        op.name,
        suggest::list(&ops)
    )
}

fn missing(op: &Operation, arg: &str) -> String {
    let example = match arg {
        "provider" => "provider = \"openai\"",
        "model" => "model = req.model",
        _ => "...",
    };
    let why = if op.name_detail == Some(arg) {
        format!(" (the span is named `{} {{{arg}}}`)", op.name)
    } else {
        String::new()
    };
    format!(
        "`{}` spans need `{arg} = ...`{why}; add e.g. `{example}`",
        op.name
    )
}

/// Every argument `op` accepts, for "expected one of".
fn argument_names(op: &Operation) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = op.allowed.to_vec();
    names.extend(op.content);
    if op.streams {
        names.push("stream");
    }
    if op.kind_choice {
        names.push("kind");
    }
    names.extend(["fields", "crate"]);
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn plan_of(tokens: TokenStream) -> syn::Result<Plan> {
        plan(
            &crate::parse::args(tokens).unwrap(),
            &Ident::new("get_weather", Span::call_site()),
        )
    }

    fn error_of(tokens: TokenStream) -> String {
        match plan_of(tokens) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn a_chat_span_is_named_after_its_model() {
        let plan = plan_of(quote!(chat, provider = "openai", model = req.model)).unwrap();
        assert!(matches!(plan.name, SpanName::Detail(1)));
        assert_eq!(plan.values[0].key, "gen_ai.provider.name");
        assert_eq!(plan.kind, SpanKind::Client);
    }

    #[test]
    fn a_literal_model_gives_a_constant_name() {
        let plan = plan_of(quote!(chat, provider = "openai", model = "gpt-4o")).unwrap();
        assert!(matches!(plan.name, SpanName::Const(ref n) if n == "chat gpt-4o"));
    }

    #[test]
    fn a_tool_is_named_after_its_function() {
        let plan = plan_of(quote!(execute_tool, tool_call_id = call.id)).unwrap();
        assert!(matches!(plan.name, SpanName::Const(ref n) if n == "execute_tool get_weather"));
        assert_eq!(plan.kind, SpanKind::Internal);
    }

    #[test]
    fn an_agent_without_a_name_is_named_after_the_operation() {
        let plan = plan_of(quote!(invoke_agent, provider = "openai")).unwrap();
        assert!(matches!(plan.name, SpanName::Const(ref n) if n == "invoke_agent"));
    }

    #[test]
    fn reports_every_mistake_at_once() {
        let message = error_of(quote!(
            chat,
            modle = x,
            tool_call_id = y,
            temperature = "hot"
        ));
        assert!(
            message.contains("unknown argument `modle`; did you mean `model`? expected one of"),
            "{message}"
        );
        assert!(
            message.contains(
                "`tool_call_id` does not apply to `chat` spans; it applies to `execute_tool`"
            ),
            "{message}"
        );
        assert!(
            message.contains("`temperature` (`gen_ai.request.temperature`) takes a number"),
            "{message}"
        );
        assert!(
            message.contains("`chat` spans need `provider = ...`"),
            "{message}"
        );
        assert!(
            message.contains("`chat` spans need `model = ...`"),
            "{message}"
        );
    }

    #[test]
    fn fields_keys_are_checked() {
        let message = error_of(quote!(execute_tool, fields(GEN_AI_REQUEST_MODLE = x)));
        assert!(
            message.contains("did you mean `GEN_AI_REQUEST_MODEL`?"),
            "{message}"
        );
        let message = error_of(quote!(execute_tool, fields("gen_ai.made.up" = x)));
        assert!(
            message.contains("unknown GenAI semantic-convention key `gen_ai.made.up`"),
            "{message}"
        );
        let message = error_of(quote!(
            chat,
            provider = "p",
            model = "m",
            fields(GEN_AI_USAGE_INPUT_TOKENS = 3)
        ));
        assert!(
            message.contains("recorded from the return value"),
            "{message}"
        );
        let message = error_of(quote!(
            chat,
            provider = "p",
            model = "m",
            fields(GEN_AI_REQUEST_MODEL = 3)
        ));
        assert!(message.contains("write `model = ...`"), "{message}");
    }

    #[test]
    fn custom_and_typed_fields_are_planned() {
        let plan = plan_of(quote!(
            execute_tool,
            fields(GEN_AI_CONVERSATION_ID = c, "app.user" = u)
        ))
        .unwrap();
        let keys: Vec<(&str, Conversion)> = plan
            .values
            .iter()
            .map(|v| (v.key.as_str(), v.conversion))
            .collect();
        assert_eq!(
            keys,
            [
                ("gen_ai.tool.name", Conversion::Str),
                ("gen_ai.conversation.id", Conversion::Str),
                ("app.user", Conversion::Custom)
            ]
        );
    }

    #[test]
    fn duplicates_and_kind_are_checked() {
        let message = error_of(quote!(
            execute_tool,
            tool_call_id = a,
            tool_call_id = b,
            kind = client
        ));
        assert!(
            message.contains("duplicate argument `tool_call_id`"),
            "{message}"
        );
        assert!(
            message.contains("`execute_tool` spans are always `internal`"),
            "{message}"
        );
    }
}
