//! The process-wide settings of content capture: size limit, redaction keys, redaction hook.
//!
//! Kept in one place, read only when capture is on: a call that captures takes a snapshot
//! (an `Arc`) once per piece of content, so a setter never waits for a capture in progress
//! and a hook that calls a setter cannot deadlock.

use std::fmt;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use serde_json::Value;

use super::ContentKind;
use super::redact::KeyRule;

/// The default [`set_max_attribute_len`]: 16 KiB per content attribute.
///
/// Why this size: a span carries up to four content attributes (instructions, input, output,
/// tool definitions), so the default keeps one span's content at 64 KiB, and a few dozen such
/// spans still fit into one 4 MiB OTLP export request (the usual default receive limit of
/// collectors and gRPC servers) when the SDK batches up to 512 spans. Backends also cap single
/// attribute values, commonly in the tens of kilobytes, and would cut the JSON wherever they
/// like. 16 KiB holds a long system prompt and several turns of a conversation; raise it when
/// your pipeline allows.
pub const DEFAULT_MAX_ATTRIBUTE_LEN: usize = 16 * 1024;

/// The smallest limit [`set_max_attribute_len`] accepts: room for a schema-valid value that
/// says it was truncated.
pub const MIN_ATTRIBUTE_LEN: usize = 256;

/// The keys redacted by default; see [`add_redacted_keys`] for how keys match.
pub const DEFAULT_REDACTED_KEYS: &[&str] = &[
    "api_key",
    "apikey",
    "authorization",
    "token",
    "secret",
    "secrets",
    "password",
    "passwords",
    "passwd",
    "cookie",
    "cookies",
    "credential",
    "credentials",
    "private_key",
    "access_key",
];

/// A user redaction hook: see [`set_redactor`].
pub type Redactor = dyn Fn(ContentKind, &mut Value) + Send + Sync + 'static;

/// A snapshot of the settings.
pub(crate) struct Config {
    pub(crate) max_len: usize,
    pub(crate) keys: Vec<KeyRule>,
    pub(crate) redactor: Option<Arc<Redactor>>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("max_len", &self.max_len)
            .field("keys", &self.keys)
            .field("redactor", &self.redactor.is_some())
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_len: DEFAULT_MAX_ATTRIBUTE_LEN,
            keys: DEFAULT_REDACTED_KEYS
                .iter()
                .filter_map(|key| KeyRule::new(key))
                .collect(),
            redactor: None,
        }
    }
}

fn cell() -> &'static RwLock<Arc<Config>> {
    static CONFIG: OnceLock<RwLock<Arc<Config>>> = OnceLock::new();
    CONFIG.get_or_init(|| RwLock::new(Arc::new(Config::default())))
}

/// The settings in force.
pub(crate) fn current() -> Arc<Config> {
    // A setter that panicked left a complete `Arc` behind: poisoning carries no meaning here.
    Arc::clone(&cell().read().unwrap_or_else(PoisonError::into_inner))
}

fn update(change: impl FnOnce(&mut Config)) {
    let mut guard = cell().write().unwrap_or_else(PoisonError::into_inner);
    let mut next = Config {
        max_len: guard.max_len,
        keys: guard.keys.clone(),
        redactor: guard.redactor.clone(),
    };
    change(&mut next);
    *guard = Arc::new(next);
}

/// Sets the most bytes one content attribute may take, as JSON text (default
/// [`DEFAULT_MAX_ATTRIBUTE_LEN`], at least [`MIN_ATTRIBUTE_LEN`]).
///
/// Content over the limit is cut so that it still is valid JSON of the conventions' schema and
/// says so: strings are shortened evenly and end in `…[truncated N bytes]`; when that is not
/// enough, trailing messages, parts or elements are replaced by one marker. Memory use stays
/// proportional to the limit whatever the size of the content.
pub fn set_max_attribute_len(bytes: usize) {
    update(|config| config.max_len = bytes.max(MIN_ATTRIBUTE_LEN));
}

/// Adds object keys whose values are replaced by `"[REDACTED]"` wherever they appear in
/// captured content (tool definitions excepted, being JSON schemas written by developers).
///
/// Keys match word by word: a key is split into words at `_`, `-`, `.`, spaces and camelCase
/// humps, lowercased, and matches an entry when some run of adjacent words, joined, equals the
/// entry's words joined. So `token` matches `access_token`, `idToken` and `X-Token`, and
/// `api_key` matches `apiKey`, `X-Api-Key` and `OPENAI_API_KEY`; but `token` matches neither
/// `max_tokens`, `input_tokens` (another word) nor `tokenizer`. A key whose last word says it
/// describes a secret rather than holds it (`count`, `limit`, `length`, `size`, `type`,
/// `usage`) is not redacted: `token_count`, `token_type`, `password_length` stay.
///
/// The defaults are [`DEFAULT_REDACTED_KEYS`]. Entries without any letter or digit are
/// ignored.
pub fn add_redacted_keys<I>(keys: I)
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let rules: Vec<KeyRule> = keys
        .into_iter()
        .filter_map(|key| KeyRule::new(key.as_ref()))
        .collect();
    update(|config| {
        for rule in rules {
            if !config.keys.contains(&rule) {
                config.keys.push(rule);
            }
        }
    });
}

/// Sets a hook that sees every piece of content before it is recorded, and may change it.
///
/// It gets the kind of content and its JSON in the conventions' shape, after the built-in
/// redaction and before the size limit is applied (so whatever it adds is bounded too). A hook
/// that panics makes that piece be omitted. Replaces any earlier hook.
///
/// ```
/// use genai_span::content::{self, ContentKind};
///
/// content::set_redactor(|kind, value| {
///     if kind == ContentKind::ToolCallResult {
///         if let Some(ssn) = value.get_mut("ssn") {
///             *ssn = "[REDACTED]".into();
///         }
///     }
/// });
/// # content::clear_redactor();
/// ```
pub fn set_redactor<F>(hook: F)
where
    F: Fn(ContentKind, &mut Value) + Send + Sync + 'static,
{
    let hook: Arc<Redactor> = Arc::new(hook);
    update(|config| config.redactor = Some(hook));
}

/// Removes the hook set by [`set_redactor`].
pub fn clear_redactor() {
    update(|config| config.redactor = None);
}
