//! Content capture settings: mode, size limit, redaction keys, redaction hook. They are
//! process-wide, so the tests of this file take turns, and each restores what it changed.

use std::sync::{Mutex, MutexGuard, PoisonError};

use genai_span::content::{
    self, CaptureMode, ContentKind, DEFAULT_MAX_ATTRIBUTE_LEN, MIN_ATTRIBUTE_LEN,
};
use serde_json::{Value, json};

fn exclusive() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(PoisonError::into_inner)
}

fn long_conversation() -> Value {
    Value::Array(
        (0..20)
            .map(|i| json!({"role": "user", "content": format!("{i}: {}", "words ".repeat(100))}))
            .collect(),
    )
}

#[test]
fn the_capture_mode_can_be_set_and_to_json_ignores_it() {
    let _turn = exclusive();
    for mode in [
        CaptureMode::SpanAndEvent,
        CaptureMode::EventOnly,
        CaptureMode::SpanOnly,
    ] {
        content::set_capture_mode(mode);
        assert_eq!(content::capture_mode(), mode);
    }
    content::set_capture_mode(CaptureMode::NoContent);
    assert_eq!(content::capture_mode(), CaptureMode::NoContent);
    assert!(content::to_json(ContentKind::InputMessages, "hi").is_some());
}

#[test]
fn the_size_limit_applies_and_has_a_floor() {
    let _turn = exclusive();
    let conversation = long_conversation();
    let full = content::to_json(ContentKind::InputMessages, &conversation).unwrap();
    assert!(full.len() > 1024 && full.len() <= DEFAULT_MAX_ATTRIBUTE_LEN);

    content::set_max_attribute_len(1024);
    let json = content::to_json(ContentKind::InputMessages, &conversation).unwrap();
    assert!(json.len() <= 1024, "{}", json.len());
    assert!(json.contains("…[truncated "));

    content::set_max_attribute_len(10);
    let json = content::to_json(ContentKind::InputMessages, &conversation).unwrap();
    assert!(json.len() <= MIN_ATTRIBUTE_LEN, "{}", json.len());
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value[0]["role"], "user");

    content::set_max_attribute_len(DEFAULT_MAX_ATTRIBUTE_LEN);
    assert_eq!(
        content::to_json(ContentKind::InputMessages, &conversation).unwrap(),
        full
    );
}

#[test]
fn added_keys_are_redacted_word_by_word() {
    let _turn = exclusive();
    content::add_redacted_keys(["ssn", "customer-email"]);
    assert_eq!(
        content::to_json(
            ContentKind::ToolCallArguments,
            &json!({"customer_ssn": "123-45-6789", "customerEmail": "a@b.c", "email": "kept", "ssn_count": 1})
        )
        .unwrap(),
        r#"{"customerEmail":"[REDACTED]","customer_ssn":"[REDACTED]","email":"kept","ssn_count":1}"#
    );
}

#[test]
fn the_hook_runs_after_redaction_and_before_the_limit() {
    let _turn = exclusive();
    content::set_redactor(|kind, value| {
        if kind == ContentKind::ToolCallResult {
            // Sees the built-in redaction already done.
            assert_eq!(value["api_key"], "[REDACTED]");
            value["email"] = json!("[EMAIL]");
            // What it adds is bounded like the rest.
            value["padding"] = json!("p".repeat(1_000_000));
        }
    });
    let json = content::to_json(
        ContentKind::ToolCallResult,
        &json!({"api_key": "k", "email": "ada@example.com"}),
    )
    .unwrap();
    assert!(json.len() <= DEFAULT_MAX_ATTRIBUTE_LEN);
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["email"], "[EMAIL]");
    assert!(value["padding"].as_str().unwrap().ends_with(" bytes]"));
    // Other kinds pass through the same hook untouched.
    assert_eq!(
        content::to_json(ContentKind::ToolCallArguments, &json!({"q": 1})).unwrap(),
        r#"{"q":1}"#
    );
    content::clear_redactor();
}

#[test]
fn a_hook_can_drop_content_and_a_panicking_hook_drops_it() {
    let _turn = exclusive();
    content::set_redactor(|kind, value| {
        if kind == ContentKind::InputMessages {
            *value = Value::Null;
        }
    });
    assert_eq!(
        content::to_json(ContentKind::InputMessages, "secret plans"),
        None
    );
    assert!(content::to_json(ContentKind::OutputMessages, "fine").is_some());

    content::set_redactor(|_, _| panic!("a buggy hook"));
    assert_eq!(content::to_json(ContentKind::InputMessages, "hi"), None);
    content::clear_redactor();
    assert!(content::to_json(ContentKind::InputMessages, "hi").is_some());
}
