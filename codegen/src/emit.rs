//! Rendering the outputs, formatting them with rustfmt, and writing or checking them.
//!
//! Outputs, relative to the workspace root:
//!
//! - [`ATTRIBUTES_RS`]: a `pub const NAME: &str = "key";` per attribute, and `SCHEMA_URL`;
//! - [`METRIC_RS`]: a `pub const NAME: MetricDescriptor = ...;` per metric;
//! - [`TABLE_GEN_RS`]: the table the proc macros look attributes up in.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::model::{
    Attribute, Deprecation, DeprecationReason, Example, Metric, Model, Origin, Requirement,
};
use crate::source::io_error;
use crate::{Error, Result};

/// The runtime's attribute consts.
pub const ATTRIBUTES_RS: &str = "runtime/src/semconv/attributes.rs";
/// The runtime's metric descriptors.
pub const METRIC_RS: &str = "runtime/src/semconv/metric.rs";
/// The proc macros' attribute table.
pub const TABLE_GEN_RS: &str = "macros/src/table_gen.rs";

/// Examples longer than this (in characters, as rendered) are shortened in docs.
const MAX_EXAMPLE_CHARS: usize = 80;

/// A rendered output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The path relative to the workspace root.
    pub path: PathBuf,
    /// The formatted contents.
    pub contents: String,
}

/// Renders and formats every output.
pub fn render_all(model: &Model, workspace_root: &Path) -> Result<Vec<GeneratedFile>> {
    let sources = [
        (ATTRIBUTES_RS, attributes_rs(model)),
        (METRIC_RS, metric_rs(model)),
        (TABLE_GEN_RS, table_gen_rs(model)),
    ];
    // One rustfmt per file, in parallel; the results keep the order above.
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .iter()
            .map(|(path, source)| {
                scope.spawn(move || {
                    let contents = rustfmt(source, workspace_root)
                        .map_err(|e| Error::new(format!("{path}: {e}")))?;
                    Ok(GeneratedFile {
                        path: PathBuf::from(path),
                        contents,
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(Error::new("rustfmt thread panicked")))
            })
            .collect()
    })
}

/// Writes the files whose contents changed; returns their paths.
pub fn write(files: &[GeneratedFile], workspace_root: &Path) -> Result<Vec<PathBuf>> {
    let mut changed = Vec::new();
    for file in files {
        let path = workspace_root.join(&file.path);
        if std::fs::read_to_string(&path).is_ok_and(|current| current == file.contents) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
        }
        std::fs::write(&path, &file.contents).map_err(|e| io_error(&path, &e))?;
        changed.push(file.path.clone());
    }
    Ok(changed)
}

/// The files whose committed contents differ from the rendered ones (or are missing).
#[must_use]
pub fn stale(files: &[GeneratedFile], workspace_root: &Path) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|file| {
            std::fs::read_to_string(workspace_root.join(&file.path))
                .ok()
                .as_deref()
                != Some(&file.contents)
        })
        .map(|file| file.path.clone())
        .collect()
}

/// Formats Rust source with `rustfmt --edition 2024`, run in the workspace root so that a
/// `rustfmt.toml` there applies, as it does for `cargo fmt`.
fn rustfmt(source: &str, workspace_root: &Path) -> Result<String> {
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(rustfmt)
        .args(["--edition", "2024"])
        .current_dir(workspace_root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(format!("running rustfmt: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::new("rustfmt has no stdin"))?;
    let output = std::thread::scope(|scope| {
        // Write from another thread: rustfmt may fill its stdout pipe before reading all input.
        let writer = scope.spawn(move || stdin.write_all(source.as_bytes()));
        let output = child.wait_with_output();
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("writer panicked")));
        written.and(output)
    })
    .map_err(|e| Error::new(format!("running rustfmt: {e}")))?;
    if !output.status.success() {
        return Err(Error::new(format!(
            "rustfmt failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        )));
    }
    String::from_utf8(output.stdout).map_err(|e| Error::new(format!("rustfmt output: {e}")))
}

/// The `@generated` header of every output.
fn header(model: &Model) -> String {
    format!(
        "// @generated by `cargo codegen` from opentelemetry-semantic-conventions {}\n\
         // and the GenAI semantic conventions v{}. Do not edit.\n\n",
        model.semconv_version, model.spec_version
    )
}

/// `runtime/src/semconv/attributes.rs`.
fn attributes_rs(model: &Model) -> String {
    let mut out = header(model);
    out.push_str(
        "//! Attribute keys: one `&str` const per semantic-convention attribute.\n\
         #![allow(clippy::doc_markdown, reason = \"the briefs are the semantic conventions' prose\")]\n\n",
    );
    let _ = writeln!(
        out,
        "/// The schema URL of the semantic conventions the keys come from.\npub const SCHEMA_URL: &str = {};\n",
        string_literal(&model.schema_url)
    );
    for attribute in &model.attributes {
        attribute_item(&mut out, model, attribute);
    }
    out
}

/// One attribute const with its docs.
fn attribute_item(out: &mut String, model: &Model, attribute: &Attribute) {
    let base = model.docs_base();
    let brief = if attribute.brief.is_empty() {
        format!("The `{}` attribute.", attribute.key)
    } else {
        doc_prose(&attribute.brief, &base)
    };
    let _ = writeln!(out, "/// {brief}\n///");
    let _ = writeln!(out, "/// - Key: `{}`", attribute.key);
    let _ = writeln!(out, "/// - Type: `{}`", attribute.ty.spec_name());
    let _ = writeln!(out, "/// - Stability: {}", attribute.stability.doc_name());
    if !attribute.examples.is_empty() {
        let examples: Vec<String> = attribute
            .examples
            .iter()
            .map(|e| code_span(&shorten(&render_example(e))))
            .collect();
        let _ = writeln!(out, "/// - Examples: {}", examples.join(", "));
    }
    match (attribute.on_spans, attribute.on_resources) {
        (true, true) => out.push_str("/// - Used on spans and resources\n"),
        (true, false) => out.push_str("/// - Used on spans\n"),
        (false, true) => out.push_str("/// - Used on resources\n"),
        (false, false) => {}
    }
    if attribute.origin == Origin::Spec {
        let _ = writeln!(
            out,
            "/// - Source: the GenAI semantic conventions v{} (opentelemetry-semantic-conventions {} lacks it)",
            model.spec_version, model.semconv_version
        );
    }
    if let Some(deprecation) = &attribute.deprecation {
        deprecation_docs(out, deprecation, &base);
    }
    let _ = writeln!(
        out,
        "pub const {}: &str = {};\n",
        attribute.const_name,
        string_literal(&attribute.key)
    );
}

/// The deprecation paragraph and attribute.
fn deprecation_docs(out: &mut String, deprecation: &Deprecation, base: &str) {
    let _ = write!(
        out,
        "///\n/// **Deprecated**: {}",
        doc_prose(&deprecation.description, base)
    );
    if let Some(name) = &deprecation.replacement_const {
        let _ = write!(out, "; use [`{name}`] instead");
    }
    out.push_str(".\n");
    let _ = writeln!(
        out,
        "#[deprecated(note = {})]",
        string_literal(&deprecation.message)
    );
}

/// `runtime/src/semconv/metric.rs`.
fn metric_rs(model: &Model) -> String {
    let mut out = header(model);
    out.push_str(
        "//! Metric descriptors: name, instrument, unit, stability, attributes with their requirement\n\
         //! levels, and for the GenAI metrics the advised histogram bucket boundaries.\n\
         #![allow(clippy::doc_markdown, reason = \"the briefs are the semantic conventions' prose\")]\n\n\
         use super::{Instrument, MetricAttribute, MetricDescriptor, Requirement, Stability};\n\n\
         /// Shortens the attribute lists below.\n\
         const fn attr(key: &'static str, requirement: Requirement) -> MetricAttribute {\n\
         MetricAttribute { key, requirement }\n}\n\n",
    );
    for metric in &model.metrics {
        metric_item(&mut out, model, metric);
    }
    out
}

/// One metric descriptor const with its docs.
fn metric_item(out: &mut String, model: &Model, metric: &Metric) {
    let base = model.docs_base();
    let brief = if metric.brief.is_empty() {
        format!("The `{}` metric.", metric.name)
    } else {
        doc_prose(&metric.brief, &base)
    };
    let _ = writeln!(out, "/// {brief}\n///");
    let _ = writeln!(out, "/// - Name: `{}`", metric.name);
    let _ = writeln!(out, "/// - Instrument: {}", metric.instrument.spec_name());
    let _ = writeln!(out, "/// - Unit: `{}`", metric.unit);
    let _ = writeln!(out, "/// - Stability: {}", metric.stability.doc_name());
    if let Some(bounds) = &metric.bucket_boundaries {
        let bounds: Vec<String> = bounds.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "/// - Advised bucket boundaries: `[{}]`",
            bounds.join(", ")
        );
    }
    if metric.origin == Origin::Spec {
        out.push_str("/// - Source: the GenAI semantic conventions (the crate lacks it)\n");
    }
    if !metric.attributes.is_empty() {
        out.push_str("/// - Attributes:\n");
        for attribute in &metric.attributes {
            let link = attribute
                .const_name
                .as_ref()
                .map(|name| format!(" ([`{name}`](super::{name}))"))
                .unwrap_or_default();
            let level = match &attribute.requirement {
                Requirement::Required => "required".to_owned(),
                Requirement::ConditionallyRequired(c) => {
                    format!("conditionally required: {}", doc_prose(c, &base))
                }
                Requirement::Recommended(None) => "recommended".to_owned(),
                Requirement::Recommended(Some(c)) => {
                    format!("recommended: {}", doc_prose(c, &base))
                }
                Requirement::OptIn => "opt-in".to_owned(),
            };
            let _ = writeln!(out, "///   - `{}`{link}: {level}", attribute.key);
        }
    }
    if let Some(deprecation) = &metric.deprecation {
        deprecation_docs(out, deprecation, &base);
    }
    let _ = writeln!(
        out,
        "pub const {}: MetricDescriptor = MetricDescriptor {{",
        metric.const_name
    );
    let _ = writeln!(out, "name: {},", string_literal(&metric.name));
    let _ = writeln!(out, "brief: {},", string_literal(&metric.brief));
    let _ = writeln!(
        out,
        "instrument: Instrument::{},",
        metric.instrument.variant_name()
    );
    let _ = writeln!(out, "unit: {},", string_literal(&metric.unit));
    let _ = writeln!(
        out,
        "stability: Stability::{},",
        metric.stability.variant_name()
    );
    out.push_str("attributes: &[");
    for attribute in &metric.attributes {
        let requirement = match &attribute.requirement {
            Requirement::Required => "Requirement::Required".to_owned(),
            Requirement::ConditionallyRequired(c) => {
                format!("Requirement::ConditionallyRequired({})", string_literal(c))
            }
            Requirement::Recommended(None) => "Requirement::Recommended(None)".to_owned(),
            Requirement::Recommended(Some(c)) => {
                format!("Requirement::Recommended(Some({}))", string_literal(c))
            }
            Requirement::OptIn => "Requirement::OptIn".to_owned(),
        };
        let _ = write!(
            out,
            "attr({}, {requirement}),",
            string_literal(&attribute.key)
        );
    }
    out.push_str("],\n");
    match &metric.bucket_boundaries {
        Some(bounds) => {
            let bounds: Vec<String> = bounds.iter().copied().map(float_literal).collect();
            let _ = writeln!(out, "bucket_boundaries: Some(&[{}]),", bounds.join(", "));
        }
        None => out.push_str("bucket_boundaries: None,\n"),
    }
    out.push_str("};\n\n");
}

/// `macros/src/table_gen.rs`.
fn table_gen_rs(model: &Model) -> String {
    let mut out = header(model);
    out.push_str(
        "//! The attribute table of the proc macros, generated from the same model as\n\
         //! `genai_span::semconv`.\n\n\
         use crate::table::{Attr, Deprecation, DeprecationReason, ValueType};\n\n\
         /// A current attribute.\n\
         const fn attr(name: &'static str, key: &'static str, ty: ValueType) -> Attr {\n\
         Attr { name, key, ty, deprecated: None }\n}\n\n\
         /// A deprecated attribute.\n\
         const fn deprecated(name: &'static str, key: &'static str, ty: ValueType, deprecation: Deprecation) -> Attr {\n\
         Attr { name, key, ty, deprecated: Some(deprecation) }\n}\n\n\
         /// Every attribute, sorted by const name (byte order), for binary search.\n\
         pub(crate) static ATTRIBUTES: &[Attr] = &[\n",
    );
    for attribute in &model.attributes {
        let (name, key, ty) = (
            string_literal(&attribute.const_name),
            string_literal(&attribute.key),
            attribute.ty.variant_name(),
        );
        let Some(d) = &attribute.deprecation else {
            let _ = writeln!(out, "attr({name}, {key}, ValueType::{ty}),");
            continue;
        };
        let reason = match d.reason {
            DeprecationReason::Renamed => "Renamed",
            DeprecationReason::Obsoleted => "Obsoleted",
            DeprecationReason::Uncategorized => "Uncategorized",
        };
        let _ = writeln!(
            out,
            "deprecated({name}, {key}, ValueType::{ty}, Deprecation {{ reason: DeprecationReason::{reason}, \
             replacement_key: {}, replacement_const: {}, note: {} }}),",
            option_literal(d.replacement.as_deref()),
            option_literal(d.replacement_const.as_deref()),
            string_literal(&d.message)
        );
    }
    out.push_str("];\n\n");
    let mut by_key: Vec<usize> = (0..model.attributes.len()).collect();
    by_key.sort_by(|&a, &b| model.attributes[a].key.cmp(&model.attributes[b].key));
    let by_key: Vec<String> = by_key.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "/// Indices into [`ATTRIBUTES`], sorted by key (byte order), for binary search by key.\n\
         pub(crate) static BY_KEY: &[u16] = &[{}];",
        by_key.join(", ")
    );
    out
}

/// A Rust string literal.
fn string_literal(value: &str) -> String {
    format!("{value:?}")
}

/// `Some("...")` or `None`.
fn option_literal(value: Option<&str>) -> String {
    value.map_or_else(
        || "None".to_owned(),
        |v| format!("Some({})", string_literal(v)),
    )
}

/// An `f64` literal that clippy's `unreadable_literal` accepts: `67_108_864.0`, `0.01`.
fn float_literal(value: f64) -> String {
    let text = format!("{value:?}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, "0"));
    if int.len() <= 4 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{int}.{frac}");
    }
    let mut grouped = String::new();
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('_');
        }
        grouped.push(digit);
    }
    format!("{grouped}.{frac}")
}

/// An example as a Rust-like literal: `"x"`, `42`, `1.5`, `true`, `["a", "b"]`.
fn render_example(example: &Example) -> String {
    match example {
        Example::String(s) => string_literal(s),
        Example::Int(i) => i.to_string(),
        Example::Double(d) => format!("{d:?}"),
        Example::Bool(b) => b.to_string(),
        Example::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(render_example)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Shortens a long rendered example with an ellipsis.
fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_EXAMPLE_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(MAX_EXAMPLE_CHARS - 1).collect();
    short.push('…');
    short
}

/// A markdown code span for any text (longer fences when the text holds backticks).
fn code_span(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Makes one line of the conventions' markdown safe for rustdoc: outside code spans, HTML-like
/// `<key>` is escaped, bare URLs are wrapped in `<...>`, brackets that do not form a
/// `[text](url)` link are escaped so they cannot be read as intra-doc links, and links relative
/// to the conventions' repository (`/docs/...`) are made absolute with `docs_base`.
fn doc_prose(text: &str, docs_base: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.matches('`').count() % 2 == 1 {
        // An unbalanced backtick would swallow the rest of the docs.
        return escape_markdown(&text.replace('`', "'"), docs_base);
    }
    escape_markdown(&text, docs_base)
}

/// The scanner behind [`doc_prose`].
fn escape_markdown(text: &str, docs_base: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            // A code span goes through verbatim.
            let end = rest[1..].find('`').map_or(rest.len(), |i| i + 2);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if let Some((label, url, tail)) = markdown_link(rest) {
            let url = if url.starts_with('/') {
                format!("{docs_base}{url}")
            } else {
                url.to_owned()
            };
            let _ = write!(out, "[{}]({url})", escape_markdown(label, docs_base));
            rest = tail;
            continue;
        }
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ')']);
            let _ = write!(out, "<{url}>");
            rest = &rest[url.len()..];
            continue;
        }
        match c {
            '\\' => {
                // Keep an existing escape and the character it escapes.
                let escaped: String = rest.chars().take(2).collect();
                out.push_str(&escaped);
                rest = &rest[escaped.len()..];
                continue;
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Splits `[label](url)rest` when `text` starts with a markdown link (the label may hold code
/// spans, not brackets).
fn markdown_link(text: &str) -> Option<(&str, &str, &str)> {
    let inner = text.strip_prefix('[')?;
    let (label, after) = inner.split_once("](")?;
    if label.contains(['[', ']']) || label.matches('`').count() % 2 == 1 {
        return None;
    }
    let (url, tail) = after.split_once(')')?;
    (!url.is_empty() && !url.contains(char::is_whitespace)).then_some((label, url, tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_escaped_outside_code() {
        let prose = |text| doc_prose(text, "https://base");
        assert_eq!(
            prose("The `http.request.header.<key>` of <key>"),
            "The `http.request.header.<key>` of &lt;key&gt;"
        );
        assert_eq!(
            prose("See [docs](https://x.y/z) or https://a.b."),
            "See [docs](https://x.y/z) or <https://a.b>."
        );
        assert_eq!(
            prose("the [`A`](https://x.y/[z]) type"),
            "the [`A`](https://x.y/[z]) type"
        );
        assert_eq!(
            prose("the [`service.name`](/docs/r.md#s) key"),
            "the [`service.name`](https://base/docs/r.md#s) key"
        );
        assert_eq!(
            prose("range [0, 1] and `[a]`"),
            "range \\[0, 1\\] and `[a]`"
        );
        assert_eq!(prose("kept \\[x\\]"), "kept \\[x\\]");
        assert_eq!(prose("odd ` tick"), "odd ' tick");
    }

    #[test]
    fn float_literals_are_readable() {
        assert_eq!(float_literal(1.0), "1.0");
        assert_eq!(float_literal(0.01), "0.01");
        assert_eq!(float_literal(4096.0), "4096.0");
        assert_eq!(float_literal(67_108_864.0), "67_108_864.0");
        assert_eq!(float_literal(262_144.0), "262_144.0");
    }

    #[test]
    fn examples_render_as_literals() {
        let array = Example::Array(vec![
            Example::String("a".into()),
            Example::String("b".into()),
        ]);
        assert_eq!(render_example(&array), r#"["a", "b"]"#);
        assert_eq!(render_example(&Example::Double(0.0)), "0.0");
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), MAX_EXAMPLE_CHARS);
    }
}
