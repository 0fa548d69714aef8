//! The GenAI conventions' JSON schemas (v1.41.1, vendored in `tests/schemas/`), to check
//! captured content as a backend that validates it would.

use std::sync::OnceLock;

use genai_span::content::ContentKind;
use serde_json::{Value, json};

fn schema_text(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::InputMessages => include_str!("../schemas/gen-ai-input-messages.json"),
        ContentKind::OutputMessages => include_str!("../schemas/gen-ai-output-messages.json"),
        ContentKind::SystemInstructions => {
            include_str!("../schemas/gen-ai-system-instructions.json")
        }
        ContentKind::ToolDefinitions => include_str!("../schemas/gen-ai-tool-definitions.json"),
        ContentKind::RetrievalDocuments => {
            include_str!("../schemas/gen-ai-retrieval-documents.json")
        }
        _ => "true",
    }
}

/// The draft-07 meta-schema (vendored), which the tool definitions schema refers to for
/// `parameters`: nothing is fetched over the network.
fn registry() -> &'static jsonschema::Registry<'static> {
    static REGISTRY: OnceLock<jsonschema::Registry<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let draft7: Value =
            serde_json::from_str(include_str!("../schemas/json-schema-draft-07.json")).unwrap();
        jsonschema::Registry::new()
            .add("http://json-schema.org/draft-07/schema", draft7)
            .expect("valid URI")
            .prepare()
            .expect("registry")
    })
}

fn compile(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_registry(registry())
        .build(schema)
        .expect("schema compiles")
}

fn validator(kind: ContentKind) -> &'static jsonschema::Validator {
    static VALIDATORS: OnceLock<Vec<(ContentKind, jsonschema::Validator)>> = OnceLock::new();
    let all = VALIDATORS.get_or_init(|| {
        ContentKind::ALL
            .iter()
            .map(|&kind| {
                let schema: Value = serde_json::from_str(schema_text(kind)).expect("schema JSON");
                (kind, compile(&schema))
            })
            .collect()
    });
    &all.iter().find(|(k, _)| *k == kind).expect("every kind").1
}

/// A validator for one `$defs` entry of `kind`'s schema, e.g. `TextPart`.
fn definition(kind: ContentKind, name: &str) -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(schema_text(kind)).expect("schema JSON");
    let defs = schema["$defs"].take();
    let wrapper = json!({"$ref": format!("#/$defs/{name}"), "$defs": defs});
    compile(&wrapper)
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect()
}

/// Checks `value` against the schema of `kind`, and more strictly than the schema does (its
/// generic part accepts any object with a `type`): every part of a type the conventions
/// define must match that type's definition, every function tool its definition.
/// # Panics
/// When `value` is not valid.
pub fn assert_schema_valid(kind: ContentKind, value: &Value) {
    let found = errors(validator(kind), value);
    assert!(
        found.is_empty(),
        "{} invalid: {found:?}\n{value:#}",
        kind.key()
    );
    let parts: Vec<&Value> = match kind {
        ContentKind::InputMessages | ContentKind::OutputMessages => value
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|m| m["parts"].as_array().into_iter().flatten())
            .collect(),
        ContentKind::SystemInstructions => value.as_array().into_iter().flatten().collect(),
        ContentKind::ToolDefinitions => {
            let function = definition(kind, "FunctionToolDefinition");
            for tool in value.as_array().into_iter().flatten() {
                if tool["type"] == "function" {
                    let found = errors(&function, tool);
                    assert!(found.is_empty(), "tool {tool}: {found:?}");
                }
            }
            Vec::new()
        }
        _ => Vec::new(),
    };
    for part in parts {
        let name = match part["type"].as_str() {
            Some("text") => "TextPart",
            Some("tool_call") => "ToolCallRequestPart",
            Some("tool_call_response") => "ToolCallResponsePart",
            Some("reasoning") => "ReasoningPart",
            // The conventions' own example records files without a modality.
            Some("blob") if part.get("modality").is_some() => "BlobPart",
            Some("uri") if part.get("modality").is_some() => "UriPart",
            Some("file") if part.get("modality").is_some() => "FilePart",
            _ => continue,
        };
        let found = errors(&definition(kind, name), part);
        assert!(found.is_empty(), "{name} {part}: {found:?}");
    }
}
