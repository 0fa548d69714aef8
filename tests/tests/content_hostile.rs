//! Content capture against huge and hostile content: what is recorded stays within the size
//! limit, is valid JSON of the conventions' schema and says it was truncated; what cannot be
//! serialized is left out. Never a panic, never a stack overflow.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use genai_span::content::{self, ContentKind, DEFAULT_MAX_ATTRIBUTE_LEN};
use serde::ser::{self, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

const LIMIT: usize = DEFAULT_MAX_ATTRIBUTE_LEN;

fn validator(kind: ContentKind) -> &'static jsonschema::Validator {
    static INPUT: OnceLock<jsonschema::Validator> = OnceLock::new();
    static SYSTEM: OnceLock<jsonschema::Validator> = OnceLock::new();
    let (cell, text) = match kind {
        ContentKind::InputMessages => (
            &INPUT,
            include_str!("../schemas/gen-ai-input-messages.json"),
        ),
        ContentKind::SystemInstructions => (
            &SYSTEM,
            include_str!("../schemas/gen-ai-system-instructions.json"),
        ),
        other => panic!("no schema loaded for {other:?}"),
    };
    cell.get_or_init(|| {
        jsonschema::validator_for(&serde_json::from_str(text).unwrap()).expect("schema")
    })
}

/// The recorded JSON, checked to be within the limit and valid JSON (and valid against the
/// schema where `kind` has one).
fn recorded<T: Serialize + ?Sized>(kind: ContentKind, value: &T) -> Value {
    let json = content::to_json(kind, value).expect("content is recorded");
    assert!(
        json.len() <= LIMIT,
        "{} bytes over the {LIMIT} limit",
        json.len()
    );
    let parsed: Value = serde_json::from_str(&json).expect("valid JSON");
    if matches!(
        kind,
        ContentKind::InputMessages | ContentKind::SystemInstructions
    ) {
        let errors: Vec<String> = validator(kind)
            .iter_errors(&parsed)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    parsed
}

/// The text `cut` keeps of `original`, checked to be a prefix of it followed by the suffix that
/// counts the bytes left out (or `original` whole).
fn kept_of<'a>(cut: &'a str, original: &str) -> &'a str {
    if cut == original {
        return cut;
    }
    let (kept, said) = cut
        .rsplit_once("…[truncated ")
        .expect("says it was truncated");
    assert!(original.starts_with(kept), "not a prefix of the original");
    assert_eq!(said, format!("{} bytes]", original.len() - kept.len()));
    kept
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'a str,
    content: &'a str,
}

#[test]
fn a_hundred_megabyte_prompt_is_cut_to_the_limit() {
    let prompt = "All work and no play. ".repeat(100 * 1024 * 1024 / 22);
    let messages = [
        Message {
            role: "system",
            content: "Summarize.",
        },
        Message {
            role: "user",
            content: &prompt,
        },
    ];
    let value = recorded(ContentKind::InputMessages, &messages);
    assert_eq!(value[0]["parts"][0]["content"], "Summarize.");
    let cut = value[1]["parts"][0]["content"].as_str().unwrap();
    let kept = kept_of(cut, &prompt);
    assert!(
        kept.len() > LIMIT / 2,
        "most of the room goes to the prompt: {}",
        kept.len()
    );

    let as_result = recorded(ContentKind::ToolCallResult, prompt.as_str());
    kept_of(as_result.as_str().unwrap(), &prompt);
    let as_instructions = recorded(ContentKind::SystemInstructions, prompt.as_str());
    kept_of(as_instructions[0]["content"].as_str().unwrap(), &prompt);
}

#[test]
fn a_hundred_megabytes_of_multibyte_text_is_cut_between_characters() {
    let prompt = "é€😀\u{301}".repeat(100 * 1024 * 1024 / 12);
    let value = recorded(ContentKind::InputMessages, prompt.as_str());
    kept_of(value[0]["parts"][0]["content"].as_str().unwrap(), &prompt);
}

#[test]
fn a_million_messages_end_with_a_marker() {
    let messages: Vec<Message<'_>> = (0..1_000_000)
        .map(|_| Message {
            role: "user",
            content: "hello",
        })
        .collect();
    let value = recorded(ContentKind::InputMessages, &messages);
    let kept = value.as_array().unwrap();
    let marker = kept.last().unwrap()["parts"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let said = marker["content"].as_str().unwrap();
    let dropped: usize = said
        .strip_prefix("…[truncated ")
        .and_then(|s| s.strip_suffix(" messages]"))
        .expect("a marker")
        .parse()
        .unwrap();
    assert_eq!(kept.len() + dropped, 1_000_000);
}

/// `[[[...]]]` nested `depth` deep, serialized lazily: no value of that depth exists.
struct Nested(usize);

impl Serialize for Nested {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(1))?;
        if self.0 > 0 {
            seq.serialize_element(&Nested(self.0 - 1))?;
        }
        seq.end()
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn innermost(mut value: &Value) -> &Value {
    while let Some(first) = value.as_array().and_then(|items| items.first()) {
        value = first;
    }
    value
}

#[test]
fn json_nested_a_hundred_thousand_deep_is_cut_off() {
    let value = recorded(ContentKind::ToolCallArguments, &Nested(100_000));
    assert!(depth(&value) <= 64);
    assert!(
        innermost(&value)
            .as_str()
            .unwrap()
            .contains("nested deeper than")
    );

    // The same as a `serde_json::Value`, built without recursion. serde_json drops values
    // recursively, so this one is leaked rather than dropped.
    let mut deep = Value::Null;
    for _ in 0..100_000 {
        deep = Value::Array(vec![deep]);
    }
    let value = recorded(ContentKind::ToolCallResult, &deep);
    std::mem::forget(deep);
    assert!(
        innermost(&value)
            .as_str()
            .unwrap()
            .contains("nested deeper than")
    );

    // As message content, and as the JSON text of tool-call arguments.
    let messages =
        serde_json::json!([{"role": "user", "content": [{"type": "text", "text": "hi"}]}]);
    let mut with_deep = messages.clone();
    with_deep[0]["content"][0]["extra"] = serde_json::to_value(Nested(10)).unwrap();
    recorded(ContentKind::InputMessages, &with_deep);
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let call = serde_json::json!([{"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
        "function": {"name": "f", "arguments": text}}]}]);
    let value = recorded(ContentKind::InputMessages, &call);
    let arguments = value[0]["parts"][0]["arguments"]
        .as_str()
        .expect("kept as text");
    kept_of(arguments, &text);
}

/// A tree `width` wide at every one of `depth` levels, generated lazily: 1000^10 leaves.
struct Wide {
    width: usize,
    depth: usize,
}

impl Serialize for Wide {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.depth == 0 {
            return serializer.serialize_str("leaf");
        }
        let mut seq = serializer.serialize_seq(Some(self.width))?;
        for _ in 0..self.width {
            seq.serialize_element(&Wide {
                width: self.width,
                depth: self.depth - 1,
            })?;
        }
        seq.end()
    }
}

#[test]
fn a_lazily_generated_huge_tree_is_read_only_as_far_as_needed() {
    let value = recorded(
        ContentKind::ToolCallResult,
        &Wide {
            width: 1000,
            depth: 10,
        },
    );
    assert_eq!(innermost(&value), "leaf");
    assert!(value.to_string().contains("…[truncated "));
}

#[test]
fn every_kind_of_unicode_is_cut_at_the_limit_into_valid_json() {
    let atoms = [
        "e\u{301}\u{302}",                    // combining marks
        "👩\u{200d}👩\u{200d}👧\u{200d}👦",   // an emoji ZWJ sequence
        "🇫🇷",                                 // a flag: two regional indicators
        "مرحبا بالعالم ",                     // right-to-left text
        "\u{202e}evil\u{202c}",               // a bidi override
        "\u{0}",                              // NUL: six bytes once escaped
        "\u{1f}\u{7f}\r\n\t",                 // controls
        "\\ud800\\u0000",                     // text that looks like escapes
        "\"quoted\" \\back\\",                // quotes and backslashes
        "\u{feff}\u{fffd}\u{ffff}\u{10ffff}", // BOM, replacement, noncharacters
        "a",
    ];
    for atom in atoms {
        // Lengths that put the cut at every offset within a few atoms of the limit.
        let around = LIMIT / atom.len();
        for count in (around.saturating_sub(40)..around + 40).chain([around * 10]) {
            let text = atom.repeat(count);
            let value = recorded(ContentKind::InputMessages, text.as_str());
            let content = value[0]["parts"][0]["content"].as_str().unwrap();
            kept_of(content, &text);
        }
    }
}

#[test]
fn a_serialize_that_fails_is_left_out() {
    struct Fails;
    impl Serialize for Fails {
        fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(ser::Error::custom("cannot serialize this"))
        }
    }
    for kind in ContentKind::ALL {
        assert_eq!(content::to_json(kind, &Fails), None);
        assert_eq!(content::to_json(kind, &[Some(Fails)]), None);
    }
}

#[test]
fn a_serialize_that_panics_is_left_out() {
    struct Panics;
    impl Serialize for Panics {
        fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("a buggy Serialize impl")
        }
    }
    assert_eq!(content::to_json(ContentKind::ToolCallResult, &Panics), None);
}

#[test]
fn maps_with_non_string_keys_are_left_out() {
    let tuple_keys: HashMap<(u8, u8), &str> = [((1, 2), "x")].into();
    assert_eq!(
        content::to_json(ContentKind::ToolCallArguments, &tuple_keys),
        None
    );
    let list_keys: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
    assert_eq!(
        content::to_json(ContentKind::ToolCallResult, &list_keys),
        None
    );
    // Numbers and booleans are written as strings, as serde_json does.
    let numbers: BTreeMap<u32, &str> = [(1, "one"), (2, "two")].into();
    assert_eq!(
        content::to_json(ContentKind::ToolCallResult, &numbers).unwrap(),
        r#"{"1":"one","2":"two"}"#
    );
}

#[test]
fn nan_and_infinities_are_null() {
    #[derive(Serialize)]
    struct Scores {
        nan: f64,
        inf: f32,
        fine: f64,
    }
    let scores = Scores {
        nan: f64::NAN,
        inf: f32::NEG_INFINITY,
        fine: 0.5,
    };
    assert_eq!(
        content::to_json(ContentKind::ToolCallResult, &scores).unwrap(),
        r#"{"fine":0.5,"inf":null,"nan":null}"#
    );
}

#[test]
fn a_million_keys_are_bounded() {
    let map: BTreeMap<String, u32> = (0..1_000_000).map(|i| (format!("key{i:07}"), i)).collect();
    let value = recorded(ContentKind::ToolCallArguments, &map);
    let object = value.as_object().unwrap();
    assert!(object.len() < 10_000);
    let said = object
        .get("…")
        .and_then(Value::as_str)
        .expect("says entries were dropped");
    assert!(
        said.starts_with("[truncated ") && said.ends_with(" entries]"),
        "{said}"
    );
}

#[test]
fn an_endless_display_is_bounded() {
    struct Endless;
    impl std::fmt::Display for Endless {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            for _ in 0..10_000_000 {
                f.write_str("ab")?;
            }
            Ok(())
        }
    }
    struct Shown;
    impl Serialize for Shown {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(&Endless)
        }
    }
    let value = recorded(ContentKind::ToolCallResult, &Shown);
    assert!(value.as_str().unwrap().ends_with(" bytes]"));
}
