//! The merged model: the crate's consts with the spec's types, deprecations and metric advice.

use std::collections::{BTreeMap, BTreeSet};

use crate::crate_docs::{self, DeprecationNote};
use crate::rust_source::{RawConst, RawCrate};
use crate::spec::{Spec, SpecDeprecation};
use crate::types::{self, Inferred};
use crate::{Error, Result, SPEC_VERSION};

pub use crate::types::ValueType;

/// The prefix of the GenAI keys and metrics, for which the spec is authoritative.
const GEN_AI_PREFIX: &str = "gen_ai.";

/// The start of the crate's note on conventions that moved to the GenAI repository. Those keys
/// are current (the GenAI spec defines them), not deprecated.
const MOVED_NOTE: &str = "Moved to the [OpenTelemetry GenAI semantic conventions repository]";

/// Everything the outputs are rendered from.
#[derive(Debug, Clone)]
pub struct Model {
    /// The version of `opentelemetry-semantic-conventions` read.
    pub semconv_version: String,
    /// The version of the GenAI spec read.
    pub spec_version: &'static str,
    /// The crate's `SCHEMA_URL`.
    pub schema_url: String,
    /// Every attribute, sorted by const name.
    pub attributes: Vec<Attribute>,
    /// Every metric, sorted by const name.
    pub metrics: Vec<Metric>,
    /// How many attribute consts `trace.rs` re-exports (span attributes).
    pub span_reexports: usize,
    /// How many attribute consts `resource.rs` re-exports (resource attributes).
    pub resource_reexports: usize,
    /// Observations about the inputs (disagreements, fallbacks), sorted. They do not change the
    /// output; `cargo codegen --verbose` prints them.
    pub notes: Vec<String>,
}

/// An attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The const name, the same as the crate's, e.g. `GEN_AI_REQUEST_MODEL`.
    pub const_name: String,
    /// The key, e.g. `gen_ai.request.model`.
    pub key: String,
    /// The one-line brief.
    pub brief: String,
    /// The stability level.
    pub stability: Stability,
    /// The value type.
    pub ty: ValueType,
    /// Where [`Attribute::ty`] comes from.
    pub type_source: TypeSource,
    /// Example values.
    pub examples: Vec<Example>,
    /// Set when the key was renamed or obsoleted.
    pub deprecation: Option<Deprecation>,
    /// Whether the key comes from the crate or only from the spec.
    pub origin: Origin,
    /// Whether `trace.rs` re-exports it (a span attribute).
    pub on_spans: bool,
    /// Whether `resource.rs` re-exports it (a resource attribute).
    pub on_resources: bool,
}

/// Where an attribute comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `opentelemetry-semantic-conventions`.
    Crate,
    /// Only the GenAI spec: the crate lacks the key.
    Spec,
}

/// How an attribute's type was decided (in this order of precedence; see `codegen/src/types.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeSource {
    /// The spec's registry.
    Spec,
    /// The override table.
    Override,
    /// The examples.
    Examples,
    /// No information: `string`.
    Default,
}

/// A deprecation: a rename, an obsoleted key, or another reason with a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    /// Why.
    pub reason: DeprecationReason,
    /// The replacement key (or metric name), when there is exactly one.
    pub replacement: Option<String>,
    /// The const of the replacement, when it has one.
    pub replacement_const: Option<String>,
    /// What happened, e.g. "renamed to `gen_ai.provider.name`".
    pub description: String,
    /// The message for `#[deprecated(note = ...)]`: the description and the const to use, e.g.
    /// "renamed to `gen_ai.provider.name`: use `GEN_AI_PROVIDER_NAME`".
    pub message: String,
}

/// Why a key is deprecated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeprecationReason {
    /// Renamed to another key.
    Renamed,
    /// Removed.
    Obsoleted,
    /// Something else, described by the note (split, replaced under conditions, ...).
    Uncategorized,
}

/// A stability level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stability {
    /// Stable.
    Stable,
    /// Release candidate.
    ReleaseCandidate,
    /// In development (experimental).
    Development,
}

impl Stability {
    /// Parses `stable`, `release_candidate` or `development` (any case; `experimental` too).
    pub(crate) fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "stable" => Ok(Self::Stable),
            "release_candidate" => Ok(Self::ReleaseCandidate),
            "development" | "experimental" => Ok(Self::Development),
            _ => Err(Error::new(format!("unknown stability `{name}`"))),
        }
    }

    /// The Rust variant name.
    #[must_use]
    pub fn variant_name(self) -> &'static str {
        match self {
            Self::Stable => "Stable",
            Self::ReleaseCandidate => "ReleaseCandidate",
            Self::Development => "Development",
        }
    }

    /// The name in docs: `stable`, `release candidate`, `development`.
    #[must_use]
    pub fn doc_name(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::ReleaseCandidate => "release candidate",
            Self::Development => "development",
        }
    }
}

/// An example value.
#[derive(Debug, Clone, PartialEq)]
pub enum Example {
    /// A string.
    String(String),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// An array.
    Array(Vec<Example>),
}

/// A metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The const name, the same as the crate's, e.g. `GEN_AI_CLIENT_TOKEN_USAGE`.
    pub const_name: String,
    /// The metric name, e.g. `gen_ai.client.token.usage`.
    pub name: String,
    /// The one-line brief.
    pub brief: String,
    /// The instrument.
    pub instrument: Instrument,
    /// The UCUM unit, e.g. `s` or `{token}`.
    pub unit: String,
    /// The stability level.
    pub stability: Stability,
    /// The attributes and their requirement levels, sorted by key.
    pub attributes: Vec<MetricAttribute>,
    /// The advised histogram bucket boundaries, for the GenAI metrics that have advice.
    pub bucket_boundaries: Option<Vec<f64>>,
    /// Set when the metric was renamed or obsoleted.
    pub deprecation: Option<Deprecation>,
    /// Whether the metric comes from the crate or only from the spec.
    pub origin: Origin,
}

/// An attribute of a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricAttribute {
    /// The attribute key.
    pub key: String,
    /// The attribute's const, if the table has the key.
    pub const_name: Option<String>,
    /// The requirement level.
    pub requirement: Requirement,
}

/// A metric instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrument {
    /// A monotonic sum.
    Counter,
    /// A non-monotonic sum.
    UpDownCounter,
    /// A gauge.
    Gauge,
    /// A histogram.
    Histogram,
}

impl Instrument {
    /// Parses the semantic conventions' name (`counter`, `updowncounter`, `gauge`, `histogram`).
    fn from_name(name: &str) -> Result<Self> {
        match name {
            "counter" => Ok(Self::Counter),
            "updowncounter" => Ok(Self::UpDownCounter),
            "gauge" => Ok(Self::Gauge),
            "histogram" => Ok(Self::Histogram),
            _ => Err(Error::new(format!("unknown instrument `{name}`"))),
        }
    }

    /// The Rust variant name.
    #[must_use]
    pub fn variant_name(self) -> &'static str {
        match self {
            Self::Counter => "Counter",
            Self::UpDownCounter => "UpDownCounter",
            Self::Gauge => "Gauge",
            Self::Histogram => "Histogram",
        }
    }

    /// The semantic conventions' name.
    #[must_use]
    pub fn spec_name(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::UpDownCounter => "updowncounter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

/// A requirement level of an attribute on a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// Required.
    Required,
    /// Required when the condition holds.
    ConditionallyRequired(String),
    /// Recommended, possibly only under a condition.
    Recommended(Option<String>),
    /// Opt-in.
    OptIn,
}

impl Requirement {
    /// Builds a level from its name and optional condition.
    pub(crate) fn from_parts(level: &str, condition: Option<String>) -> Result<Self> {
        match (level, condition) {
            ("required", None) => Ok(Self::Required),
            ("conditionally_required", Some(condition)) => {
                Ok(Self::ConditionallyRequired(condition))
            }
            ("recommended", condition) => Ok(Self::Recommended(condition)),
            ("opt_in", None) => Ok(Self::OptIn),
            (level, condition) => Err(Error::new(format!(
                "unexpected requirement level `{level}` (condition: {condition:?})"
            ))),
        }
    }
}

/// Counts for the CLI summary and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// All attributes.
    pub attributes: usize,
    /// `gen_ai.*` attributes.
    pub gen_ai_attributes: usize,
    /// Attributes added from the spec (absent from the crate).
    pub added_from_spec: usize,
    /// Deprecated attributes.
    pub deprecated_attributes: usize,
    /// Attributes typed by the spec, the override table, examples, and by default.
    pub typed_by: [usize; 4],
    /// All metrics.
    pub metrics: usize,
    /// `gen_ai.*` metrics.
    pub gen_ai_metrics: usize,
    /// Deprecated metrics.
    pub deprecated_metrics: usize,
    /// Metrics with advised bucket boundaries.
    pub metrics_with_buckets: usize,
}

impl Model {
    /// The attribute with this const name.
    #[must_use]
    pub fn attribute(&self, const_name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.const_name == const_name)
    }

    /// The metric with this const name.
    #[must_use]
    pub fn metric(&self, const_name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.const_name == const_name)
    }

    /// The base URL for links relative to the semantic-conventions repository (`/docs/...`)
    /// in briefs: the repository at the version of [`Model::schema_url`].
    #[must_use]
    pub fn docs_base(&self) -> String {
        let version = self.schema_url.rsplit('/').next().unwrap_or_default();
        format!("https://github.com/open-telemetry/semantic-conventions/blob/v{version}")
    }

    /// Counts.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let count_attrs =
            |f: &dyn Fn(&Attribute) -> bool| self.attributes.iter().filter(|a| f(a)).count();
        let count_metrics =
            |f: &dyn Fn(&Metric) -> bool| self.metrics.iter().filter(|m| f(m)).count();
        Stats {
            attributes: self.attributes.len(),
            gen_ai_attributes: count_attrs(&|a| a.key.starts_with(GEN_AI_PREFIX)),
            added_from_spec: count_attrs(&|a| a.origin == Origin::Spec),
            deprecated_attributes: count_attrs(&|a| a.deprecation.is_some()),
            typed_by: [
                TypeSource::Spec,
                TypeSource::Override,
                TypeSource::Examples,
                TypeSource::Default,
            ]
            .map(|source| count_attrs(&|a| a.type_source == source)),
            metrics: self.metrics.len(),
            gen_ai_metrics: count_metrics(&|m| m.name.starts_with(GEN_AI_PREFIX)),
            deprecated_metrics: count_metrics(&|m| m.deprecation.is_some()),
            metrics_with_buckets: count_metrics(&|m| m.bucket_boundaries.is_some()),
        }
    }
}

/// The const name the crate would give a key or metric name.
fn const_name_for(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Merges the crate and the spec.
pub(crate) fn build(semconv_version: &str, raw: RawCrate, spec: &Spec) -> Result<Model> {
    let mut notes = BTreeSet::new();
    let attributes = attributes(&raw, spec, &mut notes)?;
    let metrics = metrics(&raw.metrics, &attributes, spec, &mut notes)?;
    Ok(Model {
        semconv_version: semconv_version.to_owned(),
        spec_version: SPEC_VERSION,
        schema_url: raw.schema_url,
        attributes,
        metrics,
        span_reexports: raw.span_reexports.len(),
        resource_reexports: raw.resource_reexports.len(),
        notes: notes.into_iter().collect(),
    })
}

/// Builds the attributes.
fn attributes(raw: &RawCrate, spec: &Spec, notes: &mut BTreeSet<String>) -> Result<Vec<Attribute>> {
    let spans: BTreeSet<&str> = raw.span_reexports.iter().map(String::as_str).collect();
    let resources: BTreeSet<&str> = raw.resource_reexports.iter().map(String::as_str).collect();
    let known_consts: BTreeSet<&str> = raw.attributes.iter().map(|c| c.name.as_str()).collect();
    for name in spans.iter().chain(&resources) {
        if !known_consts.contains(name) {
            notes.insert(format!(
                "`{name}` is re-exported by trace.rs or resource.rs but not defined in attribute.rs"
            ));
        }
    }

    // Keys in the crate and the spec, and the const of each key (for replacements).
    let mut const_of_key: BTreeMap<String, String> = raw
        .attributes
        .iter()
        .map(|c| (c.value.clone(), c.name.clone()))
        .collect();
    for key in spec.attributes.keys() {
        const_of_key
            .entry(key.clone())
            .or_insert_with(|| const_name_for(key));
    }

    let mut out = Vec::new();
    for raw_const in &raw.attributes {
        let docs = crate_docs::attribute_docs(&raw_const.docs);
        let mut examples = Vec::new();
        for text in &docs.examples {
            match parse_example(text) {
                Some(example) => examples.push(example),
                None => {
                    notes.insert(format!(
                        "`{}`: unreadable example `{text}` skipped",
                        raw_const.value
                    ));
                }
            }
        }
        let deprecation = crate_deprecation(raw_const, &docs.brief, &const_of_key, notes)?;
        let mut attribute = Attribute {
            const_name: raw_const.name.clone(),
            key: raw_const.value.clone(),
            brief: docs.brief,
            stability: if raw_const.experimental {
                Stability::Development
            } else {
                Stability::Stable
            },
            ty: ValueType::String,
            type_source: TypeSource::Default,
            examples,
            deprecation,
            origin: Origin::Crate,
            on_spans: spans.contains(raw_const.name.as_str()),
            on_resources: resources.contains(raw_const.name.as_str()),
        };
        if let Some(spec_attr) = spec.attributes.get(&attribute.key)
            && attribute.key.starts_with(GEN_AI_PREFIX)
        {
            let from_spec = spec_deprecation(spec_attr.deprecated.as_ref(), &const_of_key);
            if attribute.deprecation.as_ref().map(|d| &d.replacement)
                != from_spec.as_ref().map(|d| &d.replacement)
            {
                notes.insert(format!(
                    "`{}`: the crate's deprecation ({:?}) differs from the spec's ({:?}); using the spec's",
                    attribute.key,
                    attribute.deprecation.as_ref().map(|d| &d.message),
                    from_spec.as_ref().map(|d| &d.message),
                ));
            }
            attribute.deprecation = from_spec;
            attribute.brief.clone_from(&spec_attr.brief);
            attribute.stability = spec_attr.stability;
            attribute.examples.clone_from(&spec_attr.examples);
        }
        out.push(attribute);
    }

    // Keys only the spec has.
    let crate_keys: BTreeSet<String> = out.iter().map(|a| a.key.clone()).collect();
    for spec_attr in spec
        .attributes
        .values()
        .filter(|a| !crate_keys.contains(&a.key))
    {
        notes.insert(format!(
            "`{}` is not in the crate; added from the spec",
            spec_attr.key
        ));
        out.push(Attribute {
            const_name: const_name_for(&spec_attr.key),
            key: spec_attr.key.clone(),
            brief: spec_attr.brief.clone(),
            stability: spec_attr.stability,
            ty: spec_attr.ty,
            type_source: TypeSource::Spec,
            examples: spec_attr.examples.clone(),
            deprecation: spec_deprecation(spec_attr.deprecated.as_ref(), &const_of_key),
            origin: Origin::Spec,
            on_spans: false,
            on_resources: false,
        });
    }

    for attribute in &mut out {
        decide_type(attribute, spec, notes);
    }
    for &(key, _) in types::OVERRIDES {
        if !const_of_key.contains_key(key) {
            notes.insert(format!("the type override of `{key}` names no attribute"));
        }
    }

    out.sort_by(|a, b| a.const_name.cmp(&b.const_name));
    check_unique(out.iter().map(|a| a.const_name.as_str()), "attribute const")?;
    check_unique(out.iter().map(|a| a.key.as_str()), "attribute key")?;
    let deprecated: BTreeMap<&str, &Deprecation> = out
        .iter()
        .filter_map(|a| Some((a.key.as_str(), a.deprecation.as_ref()?)))
        .collect();
    for attribute in &out {
        if let Some(to) = attribute
            .deprecation
            .as_ref()
            .and_then(|d| d.replacement.as_deref())
            && deprecated.contains_key(to)
        {
            notes.insert(format!(
                "`{}` is replaced by `{to}`, which is deprecated too",
                attribute.key
            ));
        }
    }
    Ok(out)
}

/// Decides an attribute's type; see [`crate::types`] for the precedence.
fn decide_type(attribute: &mut Attribute, spec: &Spec, notes: &mut BTreeSet<String>) {
    let key = attribute.key.as_str();
    let inferred = types::infer(&attribute.examples);
    let table = types::override_for(key);
    if let Some(spec_attr) = spec.attributes.get(key) {
        attribute.ty = spec_attr.ty;
        attribute.type_source = TypeSource::Spec;
        if let Inferred::Type(ty) = inferred
            && ty != spec_attr.ty
        {
            notes.insert(format!(
                "`{key}`: the examples look like `{}`, the spec says `{}`",
                ty.spec_name(),
                spec_attr.ty.spec_name()
            ));
        }
        if table.is_some() {
            notes.insert(format!(
                "the type override of `{key}` is ignored: the spec types it"
            ));
        }
        return;
    }
    match (table, inferred) {
        (Some(ty), inferred) => {
            if inferred == Inferred::Type(ty) {
                notes.insert(format!(
                    "the type override of `{key}` repeats what the examples say"
                ));
            }
            attribute.ty = ty;
            attribute.type_source = TypeSource::Override;
        }
        (None, Inferred::Type(ty)) => {
            attribute.ty = ty;
            attribute.type_source = TypeSource::Examples;
        }
        (None, Inferred::NoExamples) => {
            notes.insert(format!(
                "`{key}` has no examples and no type override: typed `string`"
            ));
        }
        (None, Inferred::Conflict) => {
            notes.insert(format!(
                "`{key}` has conflicting examples and no type override: typed `string`"
            ));
        }
    }
}

/// Fails on a duplicate name.
fn check_unique<'a>(names: impl Iterator<Item = &'a str>, what: &str) -> Result<()> {
    let mut seen = BTreeSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(Error::new(format!("duplicate {what} `{name}`")));
        }
    }
    Ok(())
}

/// Parses an example written as a Rust literal (`"x"`, `42`, `-1.5`, `true`, `["a", "b"]`).
fn parse_example(text: &str) -> Option<Example> {
    let expr: syn::Expr = syn::parse_str(text).ok()?;
    example_from_expr(&expr)
}

/// Converts a literal expression.
fn example_from_expr(expr: &syn::Expr) -> Option<Example> {
    use syn::{Expr, Lit, UnOp};
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(s) => Some(Example::String(s.value())),
            Lit::Int(i) => i.base10_parse().ok().map(Example::Int),
            Lit::Float(f) => f.base10_parse().ok().map(Example::Double),
            Lit::Bool(b) => Some(Example::Bool(b.value)),
            _ => None,
        },
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => {
            match example_from_expr(&unary.expr)? {
                Example::Int(i) => Some(Example::Int(-i)),
                Example::Double(d) => Some(Example::Double(-d)),
                _ => None,
            }
        }
        Expr::Array(array) => array
            .elems
            .iter()
            .map(example_from_expr)
            .collect::<Option<_>>()
            .map(Example::Array),
        _ => None,
    }
}

/// Classifies a crate deprecation (attributes and metrics alike): see [`classify`].
fn crate_deprecation(
    raw: &RawConst,
    brief: &str,
    const_of: &BTreeMap<String, String>,
    notes: &mut BTreeSet<String>,
) -> Result<Option<Deprecation>> {
    let Some(text) = &raw.deprecated else {
        return Ok(None);
    };
    let note = crate_docs::deprecation_note(text)
        .map_err(|e| Error::new(format!("`{}`: {e}", raw.name)))?;
    let deprecation = classify(&note, brief, const_of);
    if let Some(Deprecation {
        replacement: Some(to),
        replacement_const: None,
        ..
    }) = &deprecation
    {
        notes.insert(format!(
            "`{}` is replaced by `{to}`, which has no const",
            raw.value
        ));
    }
    Ok(deprecation)
}

/// Decides whether a crate deprecation is real, and what replaces the key:
///
/// - `renamed`: replaced by `renamed_to`;
/// - `obsoleted`: no replacement;
/// - `uncategorized` with the "moved to the GenAI repository" note: *not* deprecated (the key is
///   current, the GenAI spec defines it);
/// - other `uncategorized` notes: deprecated; replaced by the one key the note names in backticks
///   when it starts with "Replaced by" or "Use" and names exactly one known key.
fn classify(
    note: &DeprecationNote,
    brief: &str,
    const_of: &BTreeMap<String, String>,
) -> Option<Deprecation> {
    let (reason, replacement, text) = match note.reason.as_str() {
        "renamed" => (
            DeprecationReason::Renamed,
            note.renamed_to.clone(),
            note.note.as_str(),
        ),
        "obsoleted" => (DeprecationReason::Obsoleted, None, note.note.as_str()),
        _ if note.note.starts_with(MOVED_NOTE) => return None,
        _ => {
            // A bare "Uncategorized." note says nothing: the brief ("Deprecated, use `x`
            // instead.") does.
            let uninformative = matches!(fragment(&note.note).as_str(), "" | "uncategorized");
            let text = if uninformative {
                brief
            } else {
                note.note.as_str()
            };
            let named: BTreeSet<&str> = code_spans(text)
                .into_iter()
                .filter(|span| const_of.contains_key(*span))
                .collect();
            let names_one = named.len() == 1
                && [
                    "Replaced by",
                    "Use ",
                    "Deprecated, use ",
                    "Deprecated. Use ",
                ]
                .iter()
                .any(|prefix| text.starts_with(prefix));
            let replacement = names_one
                .then(|| named.iter().next().map(|s| (*s).to_owned()))
                .flatten();
            (DeprecationReason::Uncategorized, replacement, text)
        }
    };
    Some(deprecation(reason, replacement, text, const_of))
}

/// Converts a spec deprecation.
fn spec_deprecation(
    deprecated: Option<&SpecDeprecation>,
    const_of: &BTreeMap<String, String>,
) -> Option<Deprecation> {
    let deprecated = deprecated?;
    let reason = match deprecated.reason.as_str() {
        "renamed" => DeprecationReason::Renamed,
        "obsoleted" => DeprecationReason::Obsoleted,
        _ => DeprecationReason::Uncategorized,
    };
    let replacement = if reason == DeprecationReason::Renamed {
        deprecated.renamed_to.clone()
    } else {
        None
    };
    Some(deprecation(
        reason,
        replacement,
        deprecated.note.as_deref().unwrap_or_default(),
        const_of,
    ))
}

/// Builds a deprecation and its message.
fn deprecation(
    reason: DeprecationReason,
    replacement: Option<String>,
    note: &str,
    const_of: &BTreeMap<String, String>,
) -> Deprecation {
    let replacement_const = replacement
        .as_ref()
        .and_then(|key| const_of.get(key))
        .cloned();
    let note = fragment(note);
    let description = match (reason, &replacement) {
        (DeprecationReason::Renamed, Some(to)) => format!("renamed to `{to}`"),
        (DeprecationReason::Obsoleted, _) if note.is_empty() || note == "obsoleted" => {
            "obsoleted".to_owned()
        }
        (DeprecationReason::Obsoleted, _) => format!("obsoleted: {note}"),
        _ if note.is_empty() || note == "uncategorized" => {
            "deprecated, with no replacement given".to_owned()
        }
        // The brief said it ("Deprecated, use `x` instead"), or the note is just that.
        (_, Some(to))
            if note.starts_with("deprecated") || note == format!("use `{to}` instead") =>
        {
            format!("replaced by `{to}`")
        }
        _ => note,
    };
    let plain = |to: &str| {
        description == format!("renamed to `{to}`") || description == format!("replaced by `{to}`")
    };
    let message = match (&replacement, &replacement_const) {
        (Some(to), Some(name)) if plain(to) => format!("{description}: use `{name}`"),
        // A longer story ("replaced by `x` with unit `s`"): the const in parentheses.
        (_, Some(name)) => format!("{description} (use `{name}`)"),
        _ => description.clone(),
    };
    Deprecation {
        reason,
        replacement,
        replacement_const,
        description,
        message,
    }
}

/// A note as a message fragment: one line, markdown links reduced to their text, no trailing
/// period, first letter lowercased unless it starts an acronym ("HTTP").
fn fragment(note: &str) -> String {
    let mut text = String::new();
    let mut rest = note;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after
            .split_once("](")
            .and_then(|(label, tail)| Some((label, tail.split_once(')')?.1)))
        {
            Some((label, tail)) if !label.contains('[') => {
                text.push_str(&rest[..open]);
                text.push_str(label);
                rest = tail;
            }
            _ => {
                text.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    text.push_str(rest);
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    while text.ends_with('.') {
        text.pop();
    }
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), second)
            if first.is_uppercase() && !second.is_some_and(char::is_uppercase) =>
        {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text,
    }
}

/// The contents of the `` `code` `` spans of a markdown text.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Builds the metrics.
fn metrics(
    raw: &[RawConst],
    attributes: &[Attribute],
    spec: &Spec,
    notes: &mut BTreeSet<String>,
) -> Result<Vec<Metric>> {
    let key_of_const: BTreeMap<&str, &str> = attributes
        .iter()
        .map(|a| (a.const_name.as_str(), a.key.as_str()))
        .collect();
    let const_of_key: BTreeMap<&str, &str> = attributes
        .iter()
        .map(|a| (a.key.as_str(), a.const_name.as_str()))
        .collect();
    let mut const_of_name: BTreeMap<String, String> = raw
        .iter()
        .map(|c| (c.value.clone(), c.name.clone()))
        .collect();
    for name in spec.metrics.keys() {
        const_of_name
            .entry(name.clone())
            .or_insert_with(|| const_name_for(name));
    }
    let metric_attribute = |key: &str, requirement| MetricAttribute {
        key: key.to_owned(),
        const_name: const_of_key.get(key).map(|c| (*c).to_owned()),
        requirement,
    };

    let mut out = Vec::new();
    for raw_const in raw {
        let docs = crate_docs::metric_docs(&raw_const.docs)
            .map_err(|e| Error::new(format!("`{}`: {e}", raw_const.name)))?;
        let mut metric_attributes = Vec::new();
        for row in &docs.attributes {
            let Some(key) = key_of_const.get(row.const_name.as_str()) else {
                notes.insert(format!(
                    "metric `{}` lists unknown attribute `{}`",
                    raw_const.value, row.const_name
                ));
                continue;
            };
            let requirement = Requirement::from_parts(&row.level, row.condition.clone())
                .map_err(|e| Error::new(format!("`{}`: {e}", raw_const.name)))?;
            metric_attributes.push(metric_attribute(key, requirement));
        }
        metric_attributes.sort_by(|a, b| a.key.cmp(&b.key));
        let deprecation = crate_deprecation(raw_const, &docs.brief, &const_of_name, notes)?;
        let mut metric = Metric {
            const_name: raw_const.name.clone(),
            name: raw_const.value.clone(),
            brief: docs.brief,
            instrument: Instrument::from_name(&docs.instrument)?,
            unit: docs.unit,
            stability: Stability::from_name(&docs.status)?,
            attributes: metric_attributes,
            bucket_boundaries: None,
            deprecation,
            origin: Origin::Crate,
        };
        if let Some(spec_metric) = spec.metrics.get(&metric.name) {
            let from_spec = Metric {
                brief: spec_metric.brief.clone(),
                instrument: Instrument::from_name(&spec_metric.instrument)?,
                unit: spec_metric.unit.clone(),
                stability: spec_metric.stability,
                attributes: spec_metric
                    .attributes
                    .iter()
                    .map(|(k, r)| metric_attribute(k, r.clone()))
                    .collect(),
                ..metric.clone()
            };
            for (what, differs) in [
                ("instrument", metric.instrument != from_spec.instrument),
                ("unit", metric.unit != from_spec.unit),
                ("stability", metric.stability != from_spec.stability),
                ("attributes", metric.attributes != from_spec.attributes),
            ] {
                if differs {
                    notes.insert(format!(
                        "metric `{}`: the crate's {what} differs from the spec's; using the spec's",
                        metric.name
                    ));
                }
            }
            metric = from_spec;
        }
        out.push(metric);
    }

    let crate_names: BTreeSet<String> = out.iter().map(|m| m.name.clone()).collect();
    for spec_metric in spec
        .metrics
        .values()
        .filter(|m| !crate_names.contains(&m.name))
    {
        notes.insert(format!(
            "metric `{}` is not in the crate; added from the spec",
            spec_metric.name
        ));
        out.push(Metric {
            const_name: const_name_for(&spec_metric.name),
            name: spec_metric.name.clone(),
            brief: spec_metric.brief.clone(),
            instrument: Instrument::from_name(&spec_metric.instrument)?,
            unit: spec_metric.unit.clone(),
            stability: spec_metric.stability,
            attributes: spec_metric
                .attributes
                .iter()
                .map(|(k, r)| metric_attribute(k, r.clone()))
                .collect(),
            bucket_boundaries: None,
            deprecation: None,
            origin: Origin::Spec,
        });
    }
    for metric in &mut out {
        metric.bucket_boundaries = spec.buckets.get(&metric.name).cloned();
        if metric.bucket_boundaries.is_some() && metric.instrument != Instrument::Histogram {
            notes.insert(format!(
                "metric `{}` has bucket advice but is not a histogram",
                metric.name
            ));
        }
        for attribute in metric.attributes.iter().filter(|a| a.const_name.is_none()) {
            notes.insert(format!(
                "metric `{}` uses `{}`, which has no const",
                metric.name, attribute.key
            ));
        }
    }
    for name in spec
        .buckets
        .keys()
        .filter(|name| !out.iter().any(|m| &m.name == *name))
    {
        notes.insert(format!(
            "gen-ai-metrics.md advises buckets for unknown metric `{name}`"
        ));
    }
    out.sort_by(|a, b| a.const_name.cmp(&b.const_name));
    check_unique(out.iter().map(|m| m.const_name.as_str()), "metric const")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consts() -> BTreeMap<String, String> {
        [
            ("gen_ai.provider.name", "GEN_AI_PROVIDER_NAME"),
            ("server.address", "SERVER_ADDRESS"),
            ("server.port", "SERVER_PORT"),
        ]
        .into_iter()
        .map(|(k, c)| (k.to_owned(), c.to_owned()))
        .collect()
    }

    fn classify_text(text: &str) -> Option<Deprecation> {
        classify(&crate_docs::deprecation_note(text).unwrap(), "", &consts())
    }

    #[test]
    fn moved_keys_are_current() {
        let text = "{note: Moved to the [OpenTelemetry GenAI semantic conventions repository](https://x).\n, reason: uncategorized}";
        assert_eq!(classify_text(text), None);
    }

    #[test]
    fn replaced_by_one_key_names_its_const() {
        let d = classify_text(
            "{note: Replaced by `gen_ai.provider.name`, which has moved to the [GenAI repository](https://x).\n, reason: uncategorized}",
        )
        .unwrap();
        assert_eq!(d.replacement.as_deref(), Some("gen_ai.provider.name"));
        assert_eq!(
            d.message,
            "replaced by `gen_ai.provider.name`, which has moved to the GenAI repository (use `GEN_AI_PROVIDER_NAME`)"
        );
    }

    #[test]
    fn split_keys_have_no_single_replacement() {
        let d = classify_text(
            "{note: Replaced by `server.address` and `server.port`.\n, reason: uncategorized}",
        )
        .unwrap();
        assert_eq!(
            (d.replacement, d.message.as_str()),
            (None, "replaced by `server.address` and `server.port`")
        );
    }

    #[test]
    fn renamed_and_obsoleted_messages() {
        let d = classify_text("{note: Replaced by `gen_ai.provider.name`., reason: renamed, renamed_to: gen_ai.provider.name}").unwrap();
        assert_eq!(
            d.message,
            "renamed to `gen_ai.provider.name`: use `GEN_AI_PROVIDER_NAME`"
        );
        let d = classify_text("{note: Removed, no replacement at this time., reason: obsoleted}")
            .unwrap();
        assert_eq!(d.message, "obsoleted: removed, no replacement at this time");
        assert_eq!(fragment("HTTP things."), "HTTP things");
    }

    #[test]
    fn examples_parse_as_literals() {
        assert_eq!(parse_example("\"a\""), Some(Example::String("a".into())));
        assert_eq!(parse_example("-3"), Some(Example::Int(-3)));
        assert_eq!(
            parse_example("[\n \"a\",\n \"b\",\n]"),
            Some(Example::Array(vec![
                Example::String("a".into()),
                Example::String("b".into())
            ]))
        );
        assert_eq!(parse_example("1.0"), Some(Example::Double(1.0)));
        assert_eq!(parse_example("foo bar"), None);
    }
}
