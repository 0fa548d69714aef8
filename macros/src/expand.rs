//! Code generation for `#[genai_span]`: the callsite, the span created with the
//! attributes known before the call, and the future or closure that records the outcome.
//!
//! Generated locals use `Span::mixed_site()` so they can never clash with the user's names;
//! every path is absolute and goes through `<crate>::__private`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Block, Expr, ItemFn, ReturnType, Stmt, Type};

use crate::ops::Response;
use crate::validate::{Conversion, Plan, SpanName};

fn ident(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site())
}

/// A generated local, hygienic as [`ident`], that rustc reports at `span`.
fn ident_at(name: &str, span: Span) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site().located_at(span))
}

/// `<crate>::__private` with every token at `span`, so that a trait-bound error in a call
/// through it is reported on the user's expression or type, not on the whole attribute.
fn private_at(krate: &TokenStream, span: Span) -> TokenStream {
    fn respan(tokens: TokenStream, span: Span) -> TokenStream {
        tokens
            .into_iter()
            .map(|mut token| {
                if let proc_macro2::TokenTree::Group(group) = &token {
                    let mut inner =
                        proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                    inner.set_span(span);
                    token = inner.into();
                }
                token.set_span(span);
                token
            })
            .collect()
    }
    respan(quote!(#krate::__private), span)
}

/// The instrumented function.
pub(crate) fn function(plan: &Plan, mut item: ItemFn) -> TokenStream {
    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let call = ident("genai_call");
    let prelude = prelude(plan, &item);
    let finish = if plan.stream {
        finish_stream(plan, &item.sig)
    } else {
        finish(plan, &item.sig)
    };

    // Without a call (no subscriber wants the span) the body runs as it is; a stream still goes
    // through `finish`, so the function returns one stream type either way.
    let body = if item.sig.asyncness.is_some() {
        let block = &item.block;
        let future = ident("genai_future");
        let run = if plan.stream {
            quote!(#private::Instrumented::new(#call, #future, #finish).await)
        } else {
            quote! {
                match #call {
                    ::core::option::Option::None => #future.await,
                    ::core::option::Option::Some(#call) => {
                        #private::Instrumented::new(::core::option::Option::Some(#call), #future, #finish).await
                    }
                }
            }
        };
        quote! {
            let #future = async move #block;
            #run
        }
    } else if let Some(tail) = async_trait_future(&mut item.block) {
        // `#[async_trait]` output: `Box::pin(async move { ... })`. The span is created at the
        // call, outside the boxed future, where the arguments still have their own names.
        let future = ident("genai_future");
        let Expr::Call(boxed) = &*tail else {
            unreachable!("checked by `async_trait_future`")
        };
        let inner = boxed.args[0].clone();
        *tail = if plan.stream {
            syn::parse_quote!(::std::boxed::Box::pin(#private::Instrumented::new(#call, #inner, #finish)))
        } else {
            syn::parse_quote!({
                let #future = #inner;
                match #call {
                    ::core::option::Option::None => ::std::boxed::Box::pin(#future),
                    ::core::option::Option::Some(#call) => ::std::boxed::Box::pin(
                        #private::Instrumented::new(::core::option::Option::Some(#call), #future, #finish),
                    ),
                }
            })
        };
        let block = &item.block;
        quote!(#block)
    } else {
        let block = &item.block;
        let closure = ident("genai_body");
        let annotation = closure_return_annotation(&item.sig.output);
        let run = if plan.stream {
            quote!(#private::run_sync(#call, #closure, #finish))
        } else {
            quote! {
                match #call {
                    ::core::option::Option::None => #closure(),
                    ::core::option::Option::Some(#call) => {
                        #private::run_sync(::core::option::Option::Some(#call), #closure, #finish)
                    }
                }
            }
        };
        quote! {
            let #closure = move || #annotation #block;
            #run
        }
    };

    let attrs = &item.attrs;
    let vis = &item.vis;
    let sig = &item.sig;
    quote! {
        #(#attrs)*
        #vis #sig {
            #prelude
            #body
        }
    }
}

/// The callsite statics and the span, created only when a subscriber wants it.
fn prelude(plan: &Plan, item: &ItemFn) -> TokenStream {
    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let span_var = ident("genai_span");
    let callsite = format_ident!("GENAI_SPAN_CALLSITE", span = Span::mixed_site());
    let meta = format_ident!("GENAI_SPAN_META", span = Span::mixed_site());
    let field_names = format_ident!("GENAI_SPAN_FIELD_NAMES", span = Span::mixed_site());
    let field_index = format_ident!("GENAI_SPAN_FIELD_INDEX", span = Span::mixed_site());
    let op = plan.op.name;
    let kind = plan.kind.as_str();

    // Fields set at creation come first: `__private::fields::<N>` takes them by position.
    let scalar: Vec<(usize, &crate::validate::Value)> = plan
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.conversion != Conversion::StrArray)
        .collect();
    let mut names: Vec<String> = vec![
        "otel.name".into(),
        "otel.kind".into(),
        "gen_ai.operation.name".into(),
    ];
    names.extend(scalar.iter().map(|(_, v)| v.key.clone()));
    let created = names.len();
    names.extend(plan.op.recorded.iter().map(|k| (*k).to_owned()));
    if plan.stream {
        names.push(crate::ops::TIME_TO_FIRST_CHUNK.to_owned());
    }
    names.extend([
        crate::ops::ERROR_TYPE.to_owned(),
        crate::ops::STATUS_DESCRIPTION.to_owned(),
    ]);

    // Where the outcome's keys are among the fields, worked out here rather than by a `const
    // fn` in the expansion: evaluating that for each function took a third of its check time.
    let positions = crate::ops::OUTCOME_KEYS.iter().map(|key| {
        let position = names
            .iter()
            .position(|name| name == key)
            .and_then(|position| u16::try_from(position).ok())
            .unwrap_or(u16::MAX);
        quote!(#position)
    });

    // Each argument is borrowed once. Typed ones are bound as `&dyn` of their value trait,
    // so a value of the wrong type is reported on the user's expression.
    let bindings: Vec<TokenStream> = plan
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let var = ident(&format!("genai_value_{i}"));
            let expr = &v.expr;
            let span = expr.span();
            let at = private_at(krate, span);
            let bound = match v.conversion {
                Conversion::Str => quote_spanned!(span=> : &dyn #at::StrValue),
                Conversion::Int => quote_spanned!(span=> : &dyn #at::IntValue),
                Conversion::Double => quote_spanned!(span=> : &dyn #at::DoubleValue),
                Conversion::Bool => quote_spanned!(span=> : &dyn #at::BoolValue),
                Conversion::StrArray => quote_spanned!(span=> : &dyn #at::StrArrayValue),
                Conversion::Custom => quote!(),
            };
            quote_spanned!(span=> let #var #bound = &(#expr);)
        })
        .collect();

    let name_var = ident("genai_name");
    let (name_binding, name_value) = match &plan.name {
        SpanName::Const(name) => (quote!(), quote!(#name)),
        SpanName::Detail(index) => {
            let var = ident(&format!("genai_value_{index}"));
            (
                quote!(let #name_var = #private::span_name(#op, #private::str_value(#var));),
                quote!(#name_var.as_str()),
            )
        }
    };

    let fields_var = ident("genai_fields");
    let field_at = |position: usize| quote!(&#fields_var[#position]);
    let mut pairs = vec![
        (field_at(0), name_value),
        (field_at(1), quote!(#kind)),
        (field_at(2), quote!(#op)),
    ];
    for (position, (index, value)) in scalar.iter().enumerate() {
        let span = value.expr.span();
        let var = ident_at(&format!("genai_value_{index}"), span);
        let at = private_at(krate, span);
        let converted = match value.conversion {
            Conversion::Str => quote_spanned!(span=> #at::str_value(#var)),
            Conversion::Int => quote_spanned!(span=> #at::int_value(#var)),
            Conversion::Double => quote_spanned!(span=> #at::double_value(#var)),
            Conversion::Bool => quote_spanned!(span=> #at::bool_value(#var)),
            Conversion::Custom => quote_spanned!(span=> #at::field_value(#var)),
            Conversion::StrArray => unreachable!("filtered out above"),
        };
        pairs.push((field_at(3 + position), converted));
    }
    let pairs = pairs.iter().map(|(field, value)| {
        quote!((#field, ::core::option::Option::Some(&#value as &dyn #private::tracing::Value)))
    });
    let arrays = plan
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.conversion == Conversion::StrArray)
        .map(|(i, v)| {
            let var = ident(&format!("genai_value_{i}"));
            let key = &v.key;
            let at = private_at(krate, v.expr.span());
            quote_spanned!(v.expr.span()=> #at::str_array(&#span_var, #key, #var);)
        });
    let deprecated = plan
        .deprecated
        .iter()
        .map(|name| quote_spanned!(name.span()=> let _ = #krate::semconv::#name;));
    let line = quote_spanned!(item.sig.ident.span()=> ::core::line!());
    let call_var = ident("genai_call");
    let start_call = start_call(plan, &span_var, &field_index);
    // Content arguments are evaluated only when content capture is on.
    let captures = if plan.content.is_empty() {
        quote!()
    } else {
        let each = plan.content.iter().map(|(kind, expr)| {
            let kind = syn::Ident::new(kind, Span::call_site());
            let at = private_at(krate, expr.span());
            quote_spanned!(expr.span()=> #at::capture(&mut #call_var, #private::ContentKind::#kind, &(#expr));)
        });
        quote! {
            if #private::capturing(&#call_var) {
                #(#each)*
            }
        }
    };

    quote! {
        const #field_names: &[&str] = &[#(#names),*];
        static #meta: #private::tracing_core::Metadata<'static> = #private::tracing_core::Metadata::new(
            #op,
            ::core::module_path!(),
            #private::tracing_core::Level::INFO,
            ::core::option::Option::Some(::core::file!()),
            ::core::option::Option::Some(#line),
            ::core::option::Option::Some(::core::module_path!()),
            #private::tracing_core::field::FieldSet::new(
                #field_names,
                #private::tracing_core::identify_callsite!(&#callsite),
            ),
            #private::tracing_core::metadata::Kind::SPAN,
        );
        // Where the outcome's fields are, found at compile time.
        static #field_index: #private::FieldIndex = #private::FieldIndex::at([#(#positions),*]);
        static #callsite: #private::tracing_core::callsite::DefaultCallsite =
            #private::tracing_core::callsite::DefaultCallsite::new(&#meta);
        #(#deprecated)*
        let #call_var = if #private::enabled(&#callsite) {
            #(#bindings)*
            #name_binding
            let #fields_var = #private::fields::<#created>(&#meta);
            let #span_var = #private::tracing::Span::new(&#meta, &#meta.fields().value_set(&[#(#pairs),*]));
            #(#arrays)*
            #[allow(unused_mut)]
            let mut #call_var = #start_call;
            #captures
            ::core::option::Option::Some(#call_var)
        } else {
            ::core::option::Option::None
        };
    }
}

/// `start_call(span, fields, ...)`: the call, where its outcome's fields are, and the
/// attributes of its metrics. Operations with a
/// provider have the GenAI client metrics (their `gen_ai.provider.name` is required there).
fn start_call(plan: &Plan, span_var: &syn::Ident, field_index: &syn::Ident) -> TokenStream {
    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let op = plan.op.name;
    let value_of = |key: &str, convert: &str| {
        let convert = syn::Ident::new(convert, Span::call_site());
        plan.values.iter().position(|v| v.key == key).map_or_else(
            || quote!(::core::option::Option::None),
            |index| {
                let var = ident(&format!("genai_value_{index}"));
                quote!(#private::#convert(#var))
            },
        )
    };
    // A string literal is passed as `&'static str`: the metrics keep it without a copy.
    let metric_str = |key: &str| {
        plan.values.iter().position(|v| v.key == key).map_or_else(
            || quote!(::core::option::Option::None),
            |index| {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) = &plan.values[index].expr
                {
                    quote!(::core::option::Option::Some(#private::MetricStr::Literal(#text)))
                } else {
                    let var = ident(&format!("genai_value_{index}"));
                    quote!(#private::str_value(#var).map(#private::MetricStr::Borrowed))
                }
            },
        )
    };
    let metrics = plan.values.iter().any(|v| v.key == "gen_ai.provider.name");
    let provider = metric_str("gen_ai.provider.name");
    let model = metric_str("gen_ai.request.model");
    let address = metric_str("server.address");
    let port = value_of("server.port", "int_value");
    quote!(#private::start_call(#span_var, &#field_index, #op, #metrics, #provider, #model, #address, #port))
}

/// Where an unrecordable return type is reported: the type, or the name of a function that
/// returns `()`.
fn return_span(sig: &syn::Signature) -> Span {
    match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => sig.ident.span(),
    }
}

/// `error.type` and the status description of `err`, recorded with `record(type, description)`.
fn classify_error(
    private: &TokenStream,
    err: &syn::Ident,
    record: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    let probe = ident("genai_probe");
    let recorded = record(
        quote!(&(&&#probe).error_type()),
        quote!(&(&&&#probe).describe()),
    );
    quote! {
        let #probe = #private::ErrorProbe(#err);
        #recorded;
    }
}

/// The probe traits, imported for method resolution.
fn probe_imports(private: &TokenStream) -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use #private::{
            DescribeDebug as _, DescribeDisplay as _, DescribeName as _, RecordResponse as _,
            SkipResponse as _, SplitResult as _, SplitValue as _, TypeFromName as _,
            CaptureOutput as _, SkipOutput as _,
            TypeFromTrait as _, WrapBoxed as _, WrapBoxedResult as _, WrapNotStream as _,
            WrapResult as _, WrapStream as _,
        };
    }
}

/// The closure that records a returned value on the call, ends it, and gives the value back.
fn finish(plan: &Plan, sig: &syn::Signature) -> TokenStream {
    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let call = ident("genai_call");
    let ret = ident("genai_ret");
    let ok = ident("genai_ok");
    let err = ident("genai_err");
    let ret_span = return_span(sig);
    let at = private_at(krate, ret_span);
    let record_ok = match plan.op.response {
        Response::Required => {
            let ok_at = ident_at("genai_ok", ret_span);
            quote_spanned!(ret_span=> #at::record_response(&mut #call, #ok_at))
        }
        Response::Optional => quote!((&&#private::MaybeResponse(#ok)).record_response(&mut #call)),
        Response::None => quote!(let _ = #ok;),
    };
    let capture_ok = plan.op.output.map(|kind| {
        let kind = syn::Ident::new(kind, Span::call_site());
        quote!((&&#private::MaybeContent(#ok)).capture_output(&mut #call, #private::ContentKind::#kind);)
    });
    let record_err = classify_error(
        &private,
        &err,
        |ty, desc| quote!(#private::record_error(&mut #call, #ty, #desc)),
    );
    let imports = probe_imports(&private);
    quote! {
        |#call: ::core::option::Option<#private::Call>, #ret| {
            if let ::core::option::Option::Some(mut #call) = #call {
                #imports
                match (&&#private::Outcome(&#ret)).split() {
                    ::core::result::Result::Ok(#ok) => {
                        #record_ok;
                        #capture_ok
                    }
                    ::core::result::Result::Err(#err) => {
                        #record_err
                    }
                }
                #private::end(#call);
            }
            #ret
        }
    }
}

/// The closure that records a failed request, then wraps the returned stream so that its
/// chunks are recorded and the call ends with it.
fn finish_stream(plan: &Plan, sig: &syn::Signature) -> TokenStream {
    let krate = &plan.krate;
    let private = quote!(#krate::__private);
    let call = ident("genai_call");
    let ret = ident("genai_ret");
    let err = ident("genai_err");
    let state = ident("genai_state");
    let item = ident("genai_item");
    let chunk = ident("genai_chunk");
    let ret_span = return_span(sig);
    let at = private_at(krate, ret_span);
    let chunk_at = ident_at("genai_chunk", ret_span);
    // A function that does not return a stream is reported on its return type.
    let wrap = syn::Ident::new("wrap", ret_span);
    let record_request_err = classify_error(
        &private,
        &err,
        |ty, desc| quote!(#private::record_error(#call, #ty, #desc)),
    );
    let record_item_err =
        classify_error(&private, &err, |ty, desc| quote!(#state.error(#ty, #desc)));
    let imports = probe_imports(&private);
    quote! {
        |mut #call: ::core::option::Option<#private::Call>, #ret| {
            #imports
            if let ::core::option::Option::Some(#call) = #call.as_mut() {
                if let ::core::result::Result::Err(#err) = (&&#private::Outcome(&#ret)).split() {
                    #record_request_err
                }
            }
            (&&&&&#at::StreamProbe::new(#ret)).#wrap(#call, |#state: &mut #private::StreamState, #item| {
                match (&&#private::Outcome(#item)).split() {
                    ::core::result::Result::Ok(#chunk) => {
                        #at::record_chunk(#state, #chunk_at);
                    }
                    ::core::result::Result::Err(#err) => {
                        #record_item_err
                    }
                }
            })
        }
    }
}

/// The tail `Box::pin(async move { ... })` of an `#[async_trait]` method, to be replaced.
fn async_trait_future(block: &mut Block) -> Option<&mut Expr> {
    let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() else {
        return None;
    };
    let Expr::Call(call) = &*tail else {
        return None;
    };
    let Expr::Path(func) = call.func.as_ref() else {
        return None;
    };
    let segments: Vec<String> = func
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let is_box_pin = segments.ends_with(&["Box".to_owned(), "pin".to_owned()]);
    if !is_box_pin || call.args.len() != 1 || !matches!(call.args.first(), Some(Expr::Async(_))) {
        return None;
    }
    Some(tail)
}

/// `-> Ret` for the body closure of a sync fn, when `Ret` can be named there: not with
/// `impl Trait` (not allowed in closure signatures) nor with elided lifetimes (closures do
/// not elide like functions). Without it `?` may need the type spelled out, which is rare
/// in practice because the return type then comes from the function's own signature.
fn closure_return_annotation(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Type(arrow, ty) if nameable(ty) => quote!(#arrow #ty),
        _ => quote!(),
    }
}

fn nameable(ty: &Type) -> bool {
    /// Finds what a closure's return type cannot spell.
    struct Unnameable(bool);
    impl syn::visit_mut::VisitMut for Unnameable {
        fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
            self.0 |= reference.lifetime.is_none();
            syn::visit_mut::visit_type_reference_mut(self, reference);
        }
        fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {
            self.0 = true;
        }
        fn visit_type_infer_mut(&mut self, _: &mut syn::TypeInfer) {
            self.0 = true;
        }
        fn visit_lifetime_mut(&mut self, lifetime: &mut syn::Lifetime) {
            self.0 |= lifetime.ident == "_";
        }
    }
    let mut finder = Unnameable(false);
    syn::visit_mut::VisitMut::visit_type_mut(&mut finder, &mut ty.clone());
    !finder.0
}
