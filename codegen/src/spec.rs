//! Reading the vendored GenAI semantic conventions: YAML model files and `gen-ai-metrics.md`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::model::{Example, Requirement, Stability};
use crate::source::io_error;
use crate::types::ValueType;
use crate::{Error, Result};

/// The attribute registries read, relative to the spec directory.
const REGISTRIES: &[&str] = &[
    "model/gen-ai/registry.yaml",
    "model/gen-ai/deprecated/registry-deprecated.yaml",
    "model/error/registry.yaml",
    "model/error/deprecated/registry-deprecated.yaml",
    "model/server/registry.yaml",
];

/// The metric model, relative to the spec directory.
const METRICS: &str = "model/gen-ai/metrics.yaml";

/// The metrics document with the advised bucket boundaries, relative to the spec directory.
const METRICS_DOC: &str = "docs/gen-ai/gen-ai-metrics.md";

/// An attribute defined by the spec.
#[derive(Debug, Clone)]
pub(crate) struct SpecAttribute {
    /// The key, e.g. `gen_ai.request.model`.
    pub(crate) key: String,
    /// The value type; enums map to the type of their members' values.
    pub(crate) ty: ValueType,
    /// The brief, on one line.
    pub(crate) brief: String,
    /// The stability level.
    pub(crate) stability: Stability,
    /// The examples.
    pub(crate) examples: Vec<Example>,
    /// The deprecation, if any.
    pub(crate) deprecated: Option<SpecDeprecation>,
}

/// A deprecation in the spec's YAML.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SpecDeprecation {
    /// `renamed`, `obsoleted` or `uncategorized`.
    pub(crate) reason: String,
    /// The replacement key of a rename.
    #[serde(default)]
    pub(crate) renamed_to: Option<String>,
    /// A human-readable note.
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// A metric defined by the spec.
#[derive(Debug, Clone)]
pub(crate) struct SpecMetric {
    /// The metric name, e.g. `gen_ai.client.token.usage`.
    pub(crate) name: String,
    /// The brief, on one line.
    pub(crate) brief: String,
    /// `counter`, `updowncounter`, `gauge` or `histogram`.
    pub(crate) instrument: String,
    /// The UCUM unit.
    pub(crate) unit: String,
    /// The stability level.
    pub(crate) stability: Stability,
    /// Attribute keys with their requirement levels, sorted by key, `extends` resolved.
    pub(crate) attributes: Vec<(String, Requirement)>,
}

/// Everything read from the vendored spec.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spec {
    /// Attributes by key.
    pub(crate) attributes: BTreeMap<String, SpecAttribute>,
    /// Metrics by name.
    pub(crate) metrics: BTreeMap<String, SpecMetric>,
    /// Advised histogram bucket boundaries by metric name.
    pub(crate) buckets: BTreeMap<String, Vec<f64>>,
}

/// A YAML model file.
#[derive(Debug, Deserialize)]
struct YamlFile {
    /// Its groups.
    groups: Vec<YamlGroup>,
}

/// A group: an attribute group, a registry, a metric, a span, ...
#[derive(Debug, Deserialize)]
struct YamlGroup {
    /// The group id, e.g. `registry.gen_ai` or `metric.gen_ai.client.token.usage`.
    id: String,
    /// `attribute_group`, `metric`, `span`, ...
    #[serde(rename = "type")]
    kind: String,
    /// The group this one extends.
    #[serde(default)]
    extends: Option<String>,
    /// A metric's name.
    #[serde(default)]
    metric_name: Option<String>,
    /// A metric's brief.
    #[serde(default)]
    brief: Option<String>,
    /// A metric's instrument.
    #[serde(default)]
    instrument: Option<String>,
    /// A metric's unit.
    #[serde(default)]
    unit: Option<String>,
    /// A metric's stability.
    #[serde(default)]
    stability: Option<String>,
    /// Attribute definitions (`id`) or references (`ref`).
    #[serde(default)]
    attributes: Vec<YamlAttribute>,
}

/// An attribute definition or reference inside a group.
#[derive(Debug, Deserialize)]
struct YamlAttribute {
    /// The key of a definition.
    #[serde(default)]
    id: Option<String>,
    /// The key of a reference.
    #[serde(default, rename = "ref")]
    reference: Option<String>,
    /// The type: a name such as `string[]`, or an enum with `members`.
    #[serde(default, rename = "type")]
    ty: Option<YamlType>,
    /// The brief.
    #[serde(default)]
    brief: Option<String>,
    /// The stability.
    #[serde(default)]
    stability: Option<String>,
    /// One example, or a list of examples.
    #[serde(default)]
    examples: Option<serde_yaml_ng::Value>,
    /// The deprecation.
    #[serde(default)]
    deprecated: Option<SpecDeprecation>,
    /// The requirement level of a reference.
    #[serde(default)]
    requirement_level: Option<YamlRequirement>,
}

/// An attribute type.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum YamlType {
    /// `string`, `int`, `double`, `boolean`, `any`, `string[]`, ...
    Named(String),
    /// An enum.
    Enum {
        /// Its members.
        members: Vec<YamlMember>,
    },
}

/// An enum member.
#[derive(Debug, Deserialize)]
struct YamlMember {
    /// The member's value.
    value: serde_yaml_ng::Value,
}

/// A requirement level: `required`, or `conditionally_required: <condition>`, ...
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum YamlRequirement {
    /// `required`, `recommended` or `opt_in`.
    Level(String),
    /// A level with a condition.
    Conditional(BTreeMap<String, String>),
}

/// Reads the vendored spec directory.
pub(crate) fn load(dir: &Path) -> Result<Spec> {
    let mut spec = Spec::default();
    for file in REGISTRIES {
        let path = dir.join(file);
        for group in read_yaml(&path)?.groups {
            for attr in group.attributes {
                let Some(key) = attr.id.clone() else { continue };
                let parsed = spec_attribute(key.clone(), attr)
                    .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
                spec.attributes.insert(key, parsed);
            }
        }
    }
    let metrics_path = dir.join(METRICS);
    spec.metrics = metrics(&read_yaml(&metrics_path)?.groups)
        .map_err(|e| Error::new(format!("{}: {e}", metrics_path.display())))?;
    let doc_path = dir.join(METRICS_DOC);
    let doc = std::fs::read_to_string(&doc_path).map_err(|e| io_error(&doc_path, &e))?;
    spec.buckets =
        bucket_boundaries(&doc).map_err(|e| Error::new(format!("{}: {e}", doc_path.display())))?;
    Ok(spec)
}

/// Reads and deserializes one YAML model file.
fn read_yaml(path: &Path) -> Result<YamlFile> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
    serde_yaml_ng::from_str(&text).map_err(|e| Error::new(format!("{}: {e}", path.display())))
}

/// Converts an attribute definition.
fn spec_attribute(key: String, attr: YamlAttribute) -> Result<SpecAttribute> {
    let ty = match &attr.ty {
        Some(YamlType::Named(name)) => ValueType::from_spec_name(name)
            .ok_or_else(|| Error::new(format!("`{key}`: unknown type `{name}`")))?,
        Some(YamlType::Enum { members }) => {
            let all_ints = !members.is_empty() && members.iter().all(|m| m.value.is_i64());
            if all_ints {
                ValueType::Int
            } else {
                ValueType::String
            }
        }
        None => return Err(Error::new(format!("`{key}` has no type"))),
    };
    let stability = attr
        .stability
        .as_deref()
        .map(Stability::from_name)
        .transpose()?
        .ok_or_else(|| Error::new(format!("`{key}` has no stability")))?;
    let examples = match attr.examples {
        None => Vec::new(),
        Some(serde_yaml_ng::Value::Sequence(items))
            if !ty.is_array() || items.iter().all(serde_yaml_ng::Value::is_sequence) =>
        {
            items.iter().map(yaml_example).collect::<Result<_>>()?
        }
        Some(value) => vec![yaml_example(&value)?],
    };
    Ok(SpecAttribute {
        key,
        ty,
        brief: one_line(attr.brief.as_deref().unwrap_or_default()),
        stability,
        examples,
        deprecated: attr.deprecated,
    })
}

/// Converts a YAML example value.
fn yaml_example(value: &serde_yaml_ng::Value) -> Result<Example> {
    use serde_yaml_ng::Value;
    Ok(match value {
        Value::String(s) => Example::String(s.clone()),
        Value::Bool(b) => Example::Bool(*b),
        Value::Number(n) if n.is_i64() => Example::Int(n.as_i64().unwrap_or_default()),
        Value::Number(n) => Example::Double(n.as_f64().unwrap_or_default()),
        Value::Sequence(items) => {
            Example::Array(items.iter().map(yaml_example).collect::<Result<_>>()?)
        }
        other => return Err(Error::new(format!("unsupported example `{other:?}`"))),
    })
}

/// Resolves the metric groups and the attribute groups they extend.
fn metrics(groups: &[YamlGroup]) -> Result<BTreeMap<String, SpecMetric>> {
    let by_id: BTreeMap<&str, &YamlGroup> = groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let mut out = BTreeMap::new();
    for group in groups.iter().filter(|g| g.kind == "metric") {
        let name = group
            .metric_name
            .clone()
            .ok_or_else(|| Error::new(format!("`{}` has no metric_name", group.id)))?;
        let mut attributes = BTreeMap::new();
        collect_refs(group, &by_id, &mut attributes, 0)?;
        let field = |value: &Option<String>, what: &str| {
            value
                .clone()
                .ok_or_else(|| Error::new(format!("metric `{name}` has no {what}")))
        };
        let metric = SpecMetric {
            brief: one_line(&field(&group.brief, "brief")?),
            instrument: field(&group.instrument, "instrument")?,
            unit: field(&group.unit, "unit")?,
            stability: Stability::from_name(&field(&group.stability, "stability")?)?,
            attributes: attributes.into_iter().collect(),
            name: name.clone(),
        };
        out.insert(name, metric);
    }
    Ok(out)
}

/// Collects a group's attribute references, those of the groups it extends first, so that a
/// group's own reference overrides an inherited one.
fn collect_refs(
    group: &YamlGroup,
    by_id: &BTreeMap<&str, &YamlGroup>,
    out: &mut BTreeMap<String, Requirement>,
    depth: usize,
) -> Result<()> {
    if depth > 16 {
        return Err(Error::new(format!(
            "`{}`: `extends` nests too deep",
            group.id
        )));
    }
    if let Some(parent) = &group.extends {
        let parent = by_id.get(parent.as_str()).ok_or_else(|| {
            Error::new(format!("`{}` extends unknown group `{parent}`", group.id))
        })?;
        collect_refs(parent, by_id, out, depth + 1)?;
    }
    for attr in &group.attributes {
        let Some(key) = attr.reference.as_ref().or(attr.id.as_ref()) else {
            continue;
        };
        let requirement = match &attr.requirement_level {
            None => Requirement::Recommended(None),
            Some(YamlRequirement::Level(level)) => Requirement::from_parts(level, None)?,
            Some(YamlRequirement::Conditional(map)) => {
                let mut entries = map.iter();
                let (level, condition) =
                    entries.next().filter(|_| map.len() == 1).ok_or_else(|| {
                        Error::new(format!("`{key}`: unexpected requirement_level {map:?}"))
                    })?;
                Requirement::from_parts(level, Some(one_line(condition)))?
            }
        };
        out.insert(key.clone(), requirement);
    }
    Ok(())
}

/// Finds, for each `<!-- semconv metric.NAME -->` marker, the sentence
/// "This metric SHOULD be specified with `[ExplicitBucketBoundaries]` of `[...]`" between the
/// preceding `### ` heading and the marker. The sentence and the list may wrap lines.
pub(crate) fn bucket_boundaries(doc: &str) -> Result<BTreeMap<String, Vec<f64>>> {
    const MARKER: &str = "<!-- semconv metric.";
    const SENTENCE: &str = "This metric SHOULD be specified with [ExplicitBucketBoundaries] of";
    let mut out = BTreeMap::new();
    let mut rest = doc;
    let mut offset = 0;
    while let Some(found) = rest.find(MARKER) {
        let marker_at = offset + found;
        let after = &doc[marker_at + MARKER.len()..];
        let name_end = after
            .find(|c: char| c.is_whitespace() || c == '-')
            .unwrap_or(after.len());
        let name = &after[..name_end];
        let section_start = doc[..marker_at].rfind("\n### ").map_or(0, |i| i + 1);
        let section = doc[section_start..marker_at]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(at) = section.find(SENTENCE) {
            let list = section[at + SENTENCE.len()..].trim_start();
            let list = list
                .strip_prefix('[')
                .and_then(|l| l.split_once(']'))
                .map(|(inside, _)| inside)
                .ok_or_else(|| {
                    Error::new(format!("`{name}`: no `[...]` after the bucket sentence"))
                })?;
            let bounds = list
                .split(',')
                .map(|b| {
                    b.trim()
                        .parse::<f64>()
                        .map_err(|e| Error::new(format!("`{name}`: bucket `{b}`: {e}")))
                })
                .collect::<Result<Vec<_>>>()?;
            if !bounds.is_sorted_by(|a, b| a < b) {
                return Err(Error::new(format!(
                    "`{name}`: bucket boundaries are not increasing"
                )));
            }
            if out.insert(name.to_owned(), bounds).is_some() {
                return Err(Error::new(format!("`{name}`: two bucket sentences")));
            }
        }
        offset = marker_at + MARKER.len();
        rest = &doc[offset..];
    }
    Ok(out)
}

/// Collapses all whitespace runs (YAML folded and literal blocks) into single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_may_wrap_lines() {
        let doc = "### Metric: `a`\n\nThis metric SHOULD be specified with [ExplicitBucketBoundaries] of\n\
                   [1, 4,\n 16].\n\n<!-- semconv metric.a -->\n<!-- endsemconv -->\n\
                   ### Metric: `b`\n\nNo advice.\n<!-- semconv metric.b -->\n";
        let buckets = bucket_boundaries(doc).unwrap();
        assert_eq!(
            buckets.get("a").map(Vec::as_slice),
            Some(&[1.0, 4.0, 16.0][..])
        );
        assert!(!buckets.contains_key("b"));
    }

    #[test]
    fn one_line_collapses_whitespace() {
        assert_eq!(
            one_line("  Time to first\n  chunk.\n"),
            "Time to first chunk."
        );
    }
}
