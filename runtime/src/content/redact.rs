//! Built-in redaction: values under secret-looking keys, and secret shapes inside strings.
//!
//! Runs on the normalized content before the user's hook and before truncation. The key rule
//! is documented on [`add_redacted_keys`](super::add_redacted_keys); the string shapes in
//! [`secrets`](super::secrets).

use serde_json::Value;

use super::ContentKind;
use super::secrets::{REDACTED, scrub};

/// Last words that make a key describe a secret rather than hold it: `token_count`.
const DESCRIBING: &[&str] = &[
    "count", "counts", "limit", "limits", "length", "size", "type", "usage",
];

/// One redacted key, as its words joined (`api_key` and `apiKey` are both `apikey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyRule {
    joined: String,
}

impl KeyRule {
    /// `None` when `key` has no letter or digit.
    pub(crate) fn new(key: &str) -> Option<KeyRule> {
        let joined: String = words(key).concat();
        (!joined.is_empty()).then_some(KeyRule { joined })
    }
}

/// The lowercase words of a key: split at every character that is not a letter or digit and
/// at camelCase humps (`XApiKey` → `x`, `api`, `key`; `APIKey` → `api`, `key`).
pub(crate) fn words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether the value under `key` is redacted by `rules`.
pub(crate) fn is_secret_key(key: &str, rules: &[KeyRule]) -> bool {
    let words = words(key);
    let Some(last) = words.last() else {
        return false;
    };
    if DESCRIBING.contains(&last.as_str()) {
        return false;
    }
    rules.iter().any(|rule| {
        (0..words.len()).any(|start| {
            let mut joined = String::new();
            for word in &words[start..] {
                joined.push_str(word);
                if joined.len() >= rule.joined.len() {
                    return joined == rule.joined;
                }
            }
            false
        })
    })
}

/// Redacts `value` in place.
pub(crate) fn redact(kind: ContentKind, value: &mut Value, rules: &[KeyRule]) {
    // Tool definitions are JSON schemas written by developers: a parameter named `password`
    // is not a secret, and redacting its schema would make the definition invalid.
    let by_key = kind != ContentKind::ToolDefinitions;
    walk(value, rules, by_key);
}

fn walk(value: &mut Value, rules: &[KeyRule], by_key: bool) {
    match value {
        Value::String(text) => {
            if let Some(clean) = scrub(text) {
                *text = clean;
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, rules, by_key);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if by_key && !item.is_null() && is_secret_key(key, rules) {
                    *item = Value::String(REDACTED.to_owned());
                } else {
                    walk(item, rules, by_key);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::content::config::DEFAULT_REDACTED_KEYS;

    fn defaults() -> Vec<KeyRule> {
        DEFAULT_REDACTED_KEYS
            .iter()
            .filter_map(|k| KeyRule::new(k))
            .collect()
    }

    #[test]
    fn keys_split_into_words() {
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("XApiKey"), ["x", "api", "key"]);
        assert_eq!(words("OPENAI_API_KEY"), ["openai", "api", "key"]);
        assert_eq!(words("oauth2Token"), ["oauth2", "token"]);
        assert_eq!(words("max_tokens"), ["max", "tokens"]);
        assert_eq!(words("--"), Vec::<String>::new());
    }

    #[test]
    fn secret_keys_match_per_word() {
        let rules = defaults();
        for key in [
            "api_key",
            "apiKey",
            "X-Api-Key",
            "x-apikey",
            "OPENAI_API_KEY",
            "Authorization",
            "proxy-authorization",
            "token",
            "access_token",
            "refreshToken",
            "id_token",
            "client_secret",
            "AWS_SECRET_ACCESS_KEY",
            "aws_access_key_id",
            "password",
            "db.password",
            "passwd",
            "Cookie",
            "Set-Cookie",
            "credentials",
            "private_key",
            "secrets",
        ] {
            assert!(is_secret_key(key, &rules), "{key} should be redacted");
        }
    }

    #[test]
    fn counts_and_look_alikes_are_kept() {
        let rules = defaults();
        for key in [
            "max_tokens",
            "input_tokens",
            "output_tokens",
            "max_completion_tokens",
            "token_count",
            "tokenCount",
            "token_type",
            "password_length",
            "tokenizer",
            "secretary",
            "keyboard",
            "key",
            "primary_key",
            "author",
            "role",
            "content",
        ] {
            assert!(!is_secret_key(key, &rules), "{key} should be kept");
        }
    }

    #[test]
    fn added_keys_use_the_same_rule() {
        let mut rules = defaults();
        rules.push(KeyRule::new("SSN").unwrap());
        rules.push(KeyRule::new("session-id").unwrap());
        assert!(is_secret_key("customer_ssn", &rules));
        assert!(is_secret_key("sessionId", &rules));
        assert!(!is_secret_key("session", &rules));
        assert_eq!(KeyRule::new("--"), None);
    }

    #[test]
    fn redaction_replaces_values_and_scrubs_strings() {
        let mut value = json!({
            "headers": {"Authorization": "Bearer abc", "X-Api-Key": 12345, "accept": "json"},
            "token": null,
            "usage": {"input_tokens": 10, "token_count": 3},
            "note": "my key is sk-abcdefghijklmnopqrstuvwxyz",
            "nested": [{"password": {"plain": "hunter2"}}],
        });
        redact(ContentKind::ToolCallArguments, &mut value, &defaults());
        assert_eq!(
            value,
            json!({
                "headers": {"Authorization": "[REDACTED]", "X-Api-Key": "[REDACTED]", "accept": "json"},
                "token": null,
                "usage": {"input_tokens": 10, "token_count": 3},
                "note": "my key is [REDACTED]",
                "nested": [{"password": "[REDACTED]"}],
            })
        );
    }

    #[test]
    fn tool_definitions_keep_parameter_schemas() {
        let mut value = json!([{"type": "function", "name": "login", "parameters": {
            "type": "object", "properties": {"password": {"type": "string"}}}}]);
        let before = value.clone();
        redact(ContentKind::ToolDefinitions, &mut value, &defaults());
        assert_eq!(value, before);
    }
}
