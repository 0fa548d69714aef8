//! Parsing the crate's source files with syn.
//!
//! Only the structure is read here: consts, their `#[doc]`, `#[cfg]` and `#[deprecated]`
//! attributes, and `pub use` re-exports. The doc text is interpreted in [`crate::crate_docs`].

use std::path::Path;

use syn::{Attribute, Expr, ExprLit, Item, Lit, Meta, UseTree};

use crate::source::io_error;
use crate::{Error, Result};

/// A `pub const NAME: &str = "value";` of `attribute.rs` or `metric.rs`.
#[derive(Debug, Clone)]
pub(crate) struct RawConst {
    /// The const's name, e.g. `GEN_AI_REQUEST_MODEL`.
    pub(crate) name: String,
    /// Its string value: an attribute key or a metric name.
    pub(crate) value: String,
    /// The doc comment, one entry per `///` line, without the leading space.
    pub(crate) docs: Vec<String>,
    /// Whether it is gated behind `semconv_experimental` (otherwise the convention is stable).
    pub(crate) experimental: bool,
    /// The `note` of its `#[deprecated]` attribute, if any.
    pub(crate) deprecated: Option<String>,
}

/// What the crate's five source files hold.
#[derive(Debug, Clone)]
pub(crate) struct RawCrate {
    /// `lib.rs`'s `SCHEMA_URL`.
    pub(crate) schema_url: String,
    /// `attribute.rs`.
    pub(crate) attributes: Vec<RawConst>,
    /// `metric.rs`.
    pub(crate) metrics: Vec<RawConst>,
    /// The attribute consts `trace.rs` re-exports (span attributes).
    pub(crate) span_reexports: Vec<String>,
    /// The attribute consts `resource.rs` re-exports (resource attributes).
    pub(crate) resource_reexports: Vec<String>,
}

/// Parses `src/{lib,attribute,metric,trace,resource}.rs` under the crate's directory.
pub(crate) fn parse_crate(dir: &Path) -> Result<RawCrate> {
    let src = dir.join("src");
    let lib = parse_file(&src.join("lib.rs"))?;
    let schema_url = lib
        .iter()
        .find_map(|item| match item {
            Item::Const(item) if item.ident == "SCHEMA_URL" => string_literal(&item.expr),
            _ => None,
        })
        .ok_or_else(|| {
            Error::new(format!(
                "{}: no `SCHEMA_URL` string const",
                src.join("lib.rs").display()
            ))
        })?;
    Ok(RawCrate {
        schema_url,
        attributes: consts(&src.join("attribute.rs"))?,
        metrics: consts(&src.join("metric.rs"))?,
        span_reexports: reexports(&src.join("trace.rs"))?,
        resource_reexports: reexports(&src.join("resource.rs"))?,
    })
}

/// Reads and parses one file into its items.
fn parse_file(path: &Path) -> Result<Vec<Item>> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
    let file =
        syn::parse_file(&text).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    Ok(file.items)
}

/// Every string const of a file, in source order.
fn consts(path: &Path) -> Result<Vec<RawConst>> {
    let mut out = Vec::new();
    for item in parse_file(path)? {
        let Item::Const(item) = item else { continue };
        let name = item.ident.to_string();
        let value = string_literal(&item.expr).ok_or_else(|| {
            Error::new(format!(
                "{}: const `{name}` is not a string literal",
                path.display()
            ))
        })?;
        let mut docs = Vec::new();
        let mut experimental = false;
        let mut deprecated = None;
        for attr in &item.attrs {
            if attr.path().is_ident("doc") {
                docs.push(doc_line(attr).ok_or_else(|| {
                    Error::new(format!(
                        "{}: `{name}` has a non-literal #[doc]",
                        path.display()
                    ))
                })?);
            } else if attr.path().is_ident("cfg") {
                experimental |= is_experimental_cfg(attr);
            } else if attr.path().is_ident("deprecated") {
                deprecated = Some(deprecated_note(attr).map_err(|e| {
                    Error::new(format!(
                        "{}: `{name}`: malformed #[deprecated]: {e}",
                        path.display()
                    ))
                })?);
            }
        }
        out.push(RawConst {
            name,
            value,
            docs,
            experimental,
            deprecated,
        });
    }
    Ok(out)
}

/// The names re-exported by `pub use crate::attribute::NAME;` items.
fn reexports(path: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for item in parse_file(path)? {
        let Item::Use(item) = item else { continue };
        let mut names = Vec::new();
        collect_use_names(&item.tree, &mut Vec::new(), &mut names);
        for (prefix, name) in names {
            if prefix != ["crate", "attribute"] {
                return Err(Error::new(format!(
                    "{}: unexpected re-export `{}::{name}`",
                    path.display(),
                    prefix.join("::")
                )));
            }
            out.push(name);
        }
    }
    Ok(out)
}

/// Flattens a use tree into `(path prefix, imported name)` pairs.
fn collect_use_names(
    tree: &UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    match tree {
        UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            collect_use_names(&path.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(name) => out.push((prefix.clone(), name.ident.to_string())),
        UseTree::Rename(rename) => out.push((prefix.clone(), rename.ident.to_string())),
        UseTree::Group(group) => {
            for tree in &group.items {
                collect_use_names(tree, prefix, out);
            }
        }
        UseTree::Glob(_) => out.push((prefix.clone(), "*".to_owned())),
    }
}

/// The value of a string-literal expression.
fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.value()),
        _ => None,
    }
}

/// The text of a `#[doc = "..."]` attribute, without the single space `///` leaves.
fn doc_line(attr: &Attribute) -> Option<String> {
    let Meta::NameValue(meta) = &attr.meta else {
        return None;
    };
    let text = string_literal(&meta.value)?;
    Some(
        text.strip_prefix(' ')
            .map_or_else(|| text.clone(), str::to_owned),
    )
}

/// Whether a `#[cfg(...)]` gates on `feature = "semconv_experimental"`.
fn is_experimental_cfg(attr: &Attribute) -> bool {
    let mut experimental = false;
    // Anything else inside the cfg (there is nothing else today) is ignored.
    let _ = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("feature") {
            let value: syn::LitStr = meta.value()?.parse()?;
            experimental |= value.value() == "semconv_experimental";
        }
        Ok(())
    });
    experimental
}

/// The `note` of `#[deprecated(note = "...")]` (or of `#[deprecated = "..."]`).
fn deprecated_note(attr: &Attribute) -> syn::Result<String> {
    match &attr.meta {
        Meta::NameValue(meta) => string_literal(&meta.value)
            .ok_or_else(|| syn::Error::new_spanned(&meta.value, "expected a string")),
        Meta::Path(_) => Ok(String::new()),
        Meta::List(_) => {
            let mut note = String::new();
            attr.parse_nested_meta(|meta| {
                let value: syn::LitStr = meta.value()?.parse()?;
                if meta.path.is_ident("note") {
                    note = value.value();
                }
                Ok(())
            })?;
            Ok(note)
        }
    }
}
