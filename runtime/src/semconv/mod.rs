//! OpenTelemetry semantic-convention attribute keys and metric descriptors.
//!
//! Every attribute is a plain `&str` const, usable wherever a key is expected, including as a
//! field name in `tracing`'s brace syntax:
//!
//! ```
//! use genai_span::semconv;
//!
//! let model = "gpt-4o";
//! let span = tracing::info_span!("chat", { semconv::GEN_AI_REQUEST_MODEL } = model);
//! # drop(span);
//! assert_eq!(semconv::GEN_AI_REQUEST_MODEL, "gen_ai.request.model");
//! ```
//!
//! Metrics are [`MetricDescriptor`]s in [`metric`]: name, instrument, unit, stability, attributes
//! with their requirement levels, and for the `gen_ai.*` metrics the advised histogram bucket
//! boundaries:
//!
//! ```
//! use genai_span::semconv::{metric, Instrument};
//!
//! let usage = metric::GEN_AI_CLIENT_TOKEN_USAGE;
//! assert_eq!((usage.name, usage.unit), ("gen_ai.client.token.usage", "{token}"));
//! assert_eq!(usage.instrument, Instrument::Histogram);
//! assert_eq!(usage.bucket_boundaries.map(|b| b[0]), Some(1.0));
//! ```
//!
//! # How the tables are made
//!
//! `attributes.rs` and `metric.rs` are generated, and committed, by `cargo codegen` (the
//! `genai-span-codegen` crate of this repository) from two inputs:
//!
//! - the source of `opentelemetry-semantic-conventions` 0.33.1: const names, keys, briefs,
//!   examples, stability, deprecations, and the metric tables of its doc comments;
//! - the OpenTelemetry semantic conventions for generative AI, v1.41.1
//!   (`semantic-conventions-genai`, vendored in `codegen/spec/`), which are authoritative for the
//!   `gen_ai.*` keys and metrics: value types, renames, requirement levels and bucket advice.
//!
//! The const names are the same as in `opentelemetry-semantic-conventions`, but nothing here is
//! behind a feature, and only keys that were really renamed or obsoleted are `#[deprecated]`
//! (with a note naming the replacement). The `gen_ai.*` keys, which that crate deprecates
//! because they moved to the `semantic-conventions-genai` repository, are current here. Each
//! attribute's docs give its value type, which the crate lacks: from the generative-AI
//! conventions, from its examples, or from the generator's override table.
//!
//! To refresh the tables, run `cargo codegen`; `cargo codegen --check` (and a test) fails when
//! they are stale. Do not edit the generated files by hand.

mod attributes;
pub mod metric;

pub use attributes::*;

/// A semantic-convention metric: what to create the instrument with, and which attributes to
/// record on its measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct MetricDescriptor {
    /// The metric name, e.g. `gen_ai.client.token.usage`.
    pub name: &'static str,
    /// A one-line description, suitable for the instrument's description.
    pub brief: &'static str,
    /// The kind of instrument.
    pub instrument: Instrument,
    /// The UCUM unit, e.g. `s` or `{token}`.
    pub unit: &'static str,
    /// The stability of the convention.
    pub stability: Stability,
    /// The attributes of a measurement, sorted by key.
    pub attributes: &'static [MetricAttribute],
    /// The advised explicit bucket boundaries of a histogram, when the conventions give them
    /// (the `gen_ai.*` metrics do).
    pub bucket_boundaries: Option<&'static [f64]>,
}

impl MetricDescriptor {
    /// The requirement level of an attribute on this metric, or `None` if the metric does not
    /// list the key.
    #[must_use]
    pub fn requirement(&self, key: &str) -> Option<Requirement> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.requirement)
    }
}

/// The kind of metric instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Instrument {
    /// A monotonic sum.
    Counter,
    /// A sum that can go up and down.
    UpDownCounter,
    /// A sampled value.
    Gauge,
    /// A distribution of values.
    Histogram,
}

/// An attribute of a metric's measurements and its requirement level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MetricAttribute {
    /// The attribute key, e.g. `gen_ai.operation.name`.
    pub key: &'static str,
    /// How strongly the conventions ask for it.
    pub requirement: Requirement,
}

/// How strongly the semantic conventions ask for an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Requirement {
    /// Always set it.
    Required,
    /// Set it when the condition (in the conventions' words) holds.
    ConditionallyRequired(&'static str),
    /// Set it by default, possibly only under a condition (in the conventions' words).
    Recommended(Option<&'static str>),
    /// Set it only when the user asks for it.
    OptIn,
}

/// The stability of a semantic convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stability {
    /// Stable.
    Stable,
    /// A release candidate for stable.
    ReleaseCandidate,
    /// In development (experimental): may change.
    Development,
}
