//! Reading the markdown the crate's generator writes into doc comments.
//!
//! Attribute docs are a brief, `## Notes` and `# Examples` (a list of Rust-literal-like values in
//! backticks, arrays spread over several lines). Metric docs have `## Description`, `## Notes`,
//! a `## Metadata` table (instrument, unit, status) and an `## Attributes` table (attribute const
//! and requirement level). Deprecation notes are `{note: ..., reason: ...(, renamed_to: ...)?}`.
//! Everything is read line by line; there are no regular expressions.

use crate::{Error, Result};

/// What an attribute's doc comment says.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttributeDocs {
    /// The first paragraph, on one line.
    pub(crate) brief: String,
    /// The examples, as the text between the backticks (e.g. `"gpt-4"`, `100`, `[\n "a",\n]`).
    pub(crate) examples: Vec<String>,
}

/// Reads an attribute's doc comment.
pub(crate) fn attribute_docs(lines: &[String]) -> AttributeDocs {
    let brief = first_paragraph(lines);
    let mut examples = Vec::new();
    if let Some(start) = lines
        .iter()
        .position(|line| line.trim_end() == "# Examples")
    {
        let mut current: Option<String> = None;
        for line in &lines[start + 1..] {
            if let Some(item) = current.as_mut() {
                item.push('\n');
                item.push_str(line);
            } else if let Some(rest) = line.strip_prefix("- ") {
                current = Some(rest.to_owned());
            } else {
                continue;
            }
            let item = current.as_deref().unwrap_or_default();
            if item.len() >= 2 && item.starts_with('`') && item.ends_with('`') {
                examples.push(item[1..item.len() - 1].to_owned());
                current = None;
            }
        }
    }
    AttributeDocs { brief, examples }
}

/// The first paragraph of some doc lines (up to a blank line or a heading), joined on one line.
fn first_paragraph(lines: &[String]) -> String {
    let mut words = Vec::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            break;
        }
        words.push(line);
    }
    words.join(" ")
}

/// A row of a metric's `## Attributes` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawMetricAttribute {
    /// The attribute const the row links to (`crate::attribute::NAME`).
    pub(crate) const_name: String,
    /// The requirement level: `required`, `conditionally_required`, `recommended` or `opt_in`.
    pub(crate) level: String,
    /// The condition attached to the level, if any.
    pub(crate) condition: Option<String>,
}

/// What a metric's doc comment says.
#[derive(Debug, Clone, Default)]
pub(crate) struct MetricDocs {
    /// The first paragraph of `## Description`, on one line.
    pub(crate) brief: String,
    /// The `Instrument:` row, e.g. `histogram`.
    pub(crate) instrument: String,
    /// The `Unit:` row, e.g. `{token}`.
    pub(crate) unit: String,
    /// The `Status:` row, e.g. `Development`.
    pub(crate) status: String,
    /// The `## Attributes` table.
    pub(crate) attributes: Vec<RawMetricAttribute>,
}

/// Reads a metric's doc comment.
pub(crate) fn metric_docs(lines: &[String]) -> Result<MetricDocs> {
    let mut docs = MetricDocs::default();
    let section = |heading: &str| -> &[String] {
        let Some(start) = lines.iter().position(|line| line.trim_end() == heading) else {
            return &[];
        };
        let rest = &lines[start + 1..];
        let end = rest
            .iter()
            .position(|line| line.starts_with("## "))
            .unwrap_or(rest.len());
        &rest[..end]
    };
    let description = section("## Description");
    let first = description
        .iter()
        .position(|line| !line.trim().is_empty())
        .unwrap_or(description.len());
    docs.brief = first_paragraph(&description[first..]);
    for line in section("## Metadata") {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| Instrument: | `histogram` |` splits into ["", "Instrument:", "`histogram`", ""].
        let [_, label, value, ..] = cells.as_slice() else {
            continue;
        };
        let value = value.trim_matches('`').to_owned();
        match *label {
            "Instrument:" => docs.instrument = value,
            "Unit:" => docs.unit = value,
            "Status:" => docs.status = value,
            _ => {}
        }
    }
    for line in section("## Attributes") {
        let Some(rest) = line.strip_prefix("| [`crate::attribute::") else {
            continue;
        };
        let (const_name, rest) = rest
            .split_once("`] | ")
            .ok_or_else(|| Error::new(format!("unexpected metric attribute row `{line}`")))?;
        let (level, condition) = requirement_cell(rest.trim())
            .ok_or_else(|| Error::new(format!("unexpected requirement level in `{line}`")))?;
        docs.attributes.push(RawMetricAttribute {
            const_name: const_name.to_owned(),
            level,
            condition,
        });
    }
    if docs.instrument.is_empty() || docs.unit.is_empty() || docs.status.is_empty() {
        return Err(Error::new(
            "metric docs lack an Instrument, Unit or Status row",
        ));
    }
    Ok(docs)
}

/// Reads a requirement cell: `` `Required` ``, `` `Conditionally_required`: text `` or a JSON
/// object in backticks such as `` `{"recommended": "when applicable"}` ``.
fn requirement_cell(cell: &str) -> Option<(String, Option<String>)> {
    if let Some(json) = cell
        .strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .filter(|c| c.starts_with('{'))
    {
        let object: std::collections::BTreeMap<String, String> = serde_json::from_str(json).ok()?;
        let mut entries = object.into_iter();
        let (level, condition) = entries.next()?;
        if entries.next().is_some() {
            return None;
        }
        return Some((
            level.to_ascii_lowercase(),
            Some(condition.trim().to_owned()),
        ));
    }
    let rest = cell.strip_prefix('`')?;
    let (level, rest) = rest.split_once('`')?;
    let condition = rest
        .strip_prefix(':')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if !rest.is_empty() && condition.is_none() {
        return None;
    }
    Some((level.to_ascii_lowercase(), condition))
}

/// A `#[deprecated]` note of the crate, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeprecationNote {
    /// The human-readable note, trimmed.
    pub(crate) note: String,
    /// `renamed`, `obsoleted` or `uncategorized`.
    pub(crate) reason: String,
    /// The replacement key of a rename.
    pub(crate) renamed_to: Option<String>,
}

/// Splits `{note: ..., reason: renamed, renamed_to: x.y}`. The note itself may contain commas,
/// so the fields are found from the end.
pub(crate) fn deprecation_note(text: &str) -> Result<DeprecationNote> {
    let malformed = || Error::new(format!("unexpected deprecation note `{text}`"));
    let inner = text
        .trim()
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or_else(malformed)?;
    let (note, tail) = inner.rsplit_once(", reason: ").ok_or_else(malformed)?;
    let note = note.strip_prefix("note: ").ok_or_else(malformed)?;
    let (reason, renamed_to) = match tail.split_once(", renamed_to: ") {
        Some((reason, to)) => (reason, Some(to.trim().to_owned())),
        None => (tail, None),
    };
    Ok(DeprecationNote {
        note: note.trim().to_owned(),
        reason: reason.trim().to_owned(),
        renamed_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn attribute_examples_span_lines() {
        let docs = attribute_docs(&lines(
            "List of sequences.\n\n## Notes\n\n# Examples\n\n- `[\n \"forest\",\n \"lived\",\n]`\n- `\"a\"`\n- `42`",
        ));
        assert_eq!(docs.brief, "List of sequences.");
        assert_eq!(
            docs.examples,
            ["[\n \"forest\",\n \"lived\",\n]", "\"a\"", "42"]
        );
    }

    #[test]
    fn metric_tables() {
        let docs = metric_docs(&lines(
            "## Description\n\nNumber of tokens\n## Metadata\n| | |\n|:-|:-\n| Instrument: | `histogram` |\n\
             | Unit: | `{token}` |\n| Status: | `Development`  |\n\n## Attributes\n| Name | Requirement |\n|:-|:- |\n\
             | [`crate::attribute::A`] | `Required`\n| [`crate::attribute::B`] | `Conditionally_required`: If `x` is set.\n\
             | [`crate::attribute::C`] | `{\"recommended\": \"if the transport is `tcp`\"}`",
        ))
        .unwrap();
        assert_eq!(
            (docs.brief.as_str(), docs.instrument.as_str()),
            ("Number of tokens", "histogram")
        );
        assert_eq!(
            (docs.unit.as_str(), docs.status.as_str()),
            ("{token}", "Development")
        );
        let rows: Vec<_> = docs
            .attributes
            .iter()
            .map(|a| {
                (
                    a.const_name.as_str(),
                    a.level.as_str(),
                    a.condition.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("A", "required", None),
                ("B", "conditionally_required", Some("If `x` is set.")),
                ("C", "recommended", Some("if the transport is `tcp`")),
            ]
        );
    }

    #[test]
    fn deprecation_notes() {
        let note = deprecation_note("{note: Replaced by `a.b`., reason: renamed, renamed_to: a.b}")
            .unwrap();
        assert_eq!(note.note, "Replaced by `a.b`.");
        assert_eq!(
            (note.reason.as_str(), note.renamed_to.as_deref()),
            ("renamed", Some("a.b"))
        );
        let note = deprecation_note("{note: Split, into two, reason: uncategorized}").unwrap();
        assert_eq!(
            (note.note.as_str(), note.reason.as_str(), note.renamed_to),
            ("Split, into two", "uncategorized", None)
        );
        assert!(deprecation_note("renamed").is_err());
    }
}
