//! Opt-in capture of prompts, responses, instructions, tool definitions and tool calls, as
//! the GenAI conventions record them.
//!
//! Content is sensitive and large, so it is **off by default**. Turn it on with
//! `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` (or a mode name, see
//! [`capture_mode`]) or with [`set_capture_mode`]. When it is on, every piece of content goes
//! through the same steps before it is recorded:
//!
//! 1. **bounded serialization** of whatever `Serialize` value was given, so memory stays
//!    proportional to the size limit (a 100 MB prompt is never copied whole, JSON nested
//!    100 000 deep never overflows the stack: containers deeper than 64 levels become
//!    `"…[truncated: nested deeper than 64 levels]"`);
//! 2. **normalization** to the conventions' JSON shapes (below);
//! 3. **redaction** (below);
//! 4. your **hook** ([`set_redactor`]), if any;
//! 5. **truncation** to [`set_max_attribute_len`] bytes of JSON (below).
//!
//! A piece that cannot be serialized (its `Serialize` fails or panics, a map key is not a
//! string, number, boolean or unit variant) is left out, with one warning per kind of content
//! (target `genai_span`); nothing here panics. Floats that JSON cannot hold (NaN, infinities)
//! are written `null`, as `serde_json` does. Bytes (`serialize_bytes`) become base64.
//!
//! # Where it goes
//!
//! With [`CaptureMode::SpanOnly`], span attributes (`gen_ai.input.messages`, ...) holding JSON
//! strings, as the conventions allow where attributes cannot be structured. With
//! [`CaptureMode::EventOnly`], one **span event** named [`EVENT_NAME`]
//! (`gen_ai.client.inference.operation.details`) carrying the same keys and
//! `gen_ai.operation.name`: a span event, not a log record, so it travels with its span
//! through the trace pipeline; its values are JSON strings too, since span event attributes
//! cannot hold maps. [`CaptureMode::SpanAndEvent`] does both.
//!
//! [`to_json`] shows what would be recorded for a value, whatever the capture mode.
//!
//! # Normalization
//!
//! Pass what you already send over HTTP; it is recorded in the shapes of the conventions'
//! schemas (`gen-ai-input-messages.json` and friends):
//!
//! | content | recognised shapes |
//! |---|---|
//! | input messages | a string (one user message); OpenAI chat messages (`content` as a string or parts `text`, `image_url`, `input_audio`, `file`; `tool_calls` with their JSON-text `arguments` parsed; role `tool` with `tool_call_id`); Anthropic messages (blocks `text`, `image`, `document`, `tool_use`, `tool_result`, `thinking`); Gemini contents (`parts` with `text`, `functionCall`, `functionResponse`, `inlineData`, `fileData`); OpenAI Responses items (`function_call`, `function_call_output`); a whole request body (its `messages`, `contents` or `input`) |
//! | output messages | OpenAI `choices` (or the whole response), legacy completion choices (`text`), an OpenAI Responses API response (its `output` items as one message), an Anthropic response (`content`, `stop_reason`), Gemini `candidates`, a string |
//! | system instructions | a string, strings or text blocks (Anthropic `system`), a system message, Gemini `systemInstruction`, a request body's `system` |
//! | tool definitions | OpenAI `{type: "function", function: {...}}`, Anthropic `{name, description, input_schema}`, Gemini `functionDeclarations`, a request body's `tools`; provider tools (`{type: "web_search_...", ...}`) keep their type |
//! | tool arguments, results | any JSON; a string holding a JSON object or array is parsed, any other string stays a JSON string |
//! | retrieval documents | a list of `{id, score, ...}` objects |
//!
//! Values already in the conventions' shape ([`InputMessage`], [`OutputMessage`],
//! [`MessagePart`], [`ToolDefinition`], or the same JSON) are kept as they are. Whatever is not
//! recognised is kept as a generic part (`{"type": "<its type>", ...}`, or `"unknown"` when it
//! has none), never dropped. `data:` URLs become `blob` parts, other URLs `uri` parts. Roles
//! are kept, except Gemini's `model` (`assistant`) and OpenAI's legacy `function` (`tool`).
//! Finish reasons become the conventions' values (`end_turn` → `stop`, `max_tokens` →
//! `length`, `tool_calls`/`tool_use` → `tool_call`, `refusal`/`SAFETY` → `content_filter`;
//! others are kept); an output message without one gets `"unknown"`, the schema requiring one.
//!
//! # Redaction
//!
//! Values under secret-looking keys become `"[REDACTED]"`: see [`add_redacted_keys`] for the
//! word rule and [`DEFAULT_REDACTED_KEYS`] for the defaults. Credentials inside strings are
//! found by a small hand-written scanner and replaced by `[REDACTED]`:
//!
//! | shape | example |
//! |---|---|
//! | `Bearer` (any case), spaces, then a token of 8+ characters that is not only letters | `Bearer eyJhbGciOi…` → `Bearer [REDACTED]` |
//! | `sk-` and 20+ of `[A-Za-z0-9_-]` (OpenAI, Anthropic `sk-ant-`, `OpenRouter` `sk-or-`) | `sk-proj-…` |
//! | `AKIA`/`ASIA` and exactly 16 of `[A-Z0-9]` | AWS access key ids |
//! | `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 30+ letters or digits; `github_pat_` and 22+ | GitHub tokens |
//! | `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-` and 10+ | Slack tokens |
//! | `AIza` and 30+ of `[A-Za-z0-9_-]` | Google API keys |
//! | `glpat-` and 20+ of `[A-Za-z0-9_-]` | GitLab tokens |
//! | `eyJ…`: three dot-separated base64url segments, 30+ characters | JSON Web Tokens |
//!
//! Shapes are matched at the start of a word (after a character that is not a letter, digit,
//! `_` or `-`), so `sk-learn` or `task-…` are left alone; a token cut off by truncation still
//! matches while its visible part is long enough.
//!
//! # Truncation
//!
//! Content over the limit is cut so that it stays valid JSON of its schema and says where:
//!
//! 1. every string longer than a common cap is cut to it (the largest cap that fits, never
//!    below 32 bytes): all messages stay, each shortened. Strings are cut at a character
//!    boundary (never inside a UTF-8 sequence; a grapheme cluster such as an emoji ZWJ
//!    sequence may be split between its characters) and end in `…[truncated N bytes]`;
//! 2. if that is not enough, values are kept in order while they fit, the first that does not
//!    is shortened into the room left, and the rest are replaced by one marker that counts
//!    them: a text part `…[truncated N messages]` at the end of the last message kept, a text
//!    part `…[truncated N parts]`, a tool definition `{"type": "truncated", "name": "…[truncated
//!    N tool definitions]"}`, a document `{"id": "…[truncated N documents]", "score": 0}`, a
//!    string `"…[truncated N elements]"` in other arrays, an entry `"…": "[truncated N
//!    entries]"` in objects of tool arguments and results. The objects of the conventions
//!    (messages, parts, tool definitions and their parameter schemas) keep all their keys.

mod bounded;
mod capture;
mod config;
mod lengths;
mod map_keys;
mod markers;
mod messages;
mod mode;
mod normalize;
mod parts;
mod redact;
mod secrets;
mod text;
mod truncate;

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

pub(crate) use capture::Captured;
pub use config::{
    DEFAULT_MAX_ATTRIBUTE_LEN, DEFAULT_REDACTED_KEYS, MIN_ATTRIBUTE_LEN, Redactor,
    add_redacted_keys, clear_redactor, set_max_attribute_len, set_redactor,
};
pub use messages::{
    FinishReason, GenericPart, InputMessage, MessagePart, Modality, OutputMessage, Role,
    ToolDefinition,
};
pub use mode::{
    CAPTURE_MESSAGE_CONTENT_ENV, CaptureMode, STABILITY_OPT_IN, capture_mode, set_capture_mode,
};

use crate::semconv;

/// The name of the span event that carries content in the `EVENT_*` modes.
pub const EVENT_NAME: &str = "gen_ai.client.inference.operation.details";

/// What a piece of content is, and so the attribute that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentKind {
    /// `gen_ai.input.messages`: the chat history sent to the model.
    InputMessages,
    /// `gen_ai.output.messages`: the messages (choices) the model returned.
    OutputMessages,
    /// `gen_ai.system_instructions`: instructions given apart from the chat history.
    SystemInstructions,
    /// `gen_ai.tool.definitions`: the tools offered to the model.
    ToolDefinitions,
    /// `gen_ai.tool.call.arguments`: the arguments a tool was called with.
    ToolCallArguments,
    /// `gen_ai.tool.call.result`: what a tool returned.
    ToolCallResult,
    /// `gen_ai.retrieval.documents`: the documents a retrieval returned.
    RetrievalDocuments,
}

impl ContentKind {
    /// Every kind, in the order they are recorded.
    pub const ALL: [ContentKind; 7] = [
        ContentKind::SystemInstructions,
        ContentKind::InputMessages,
        ContentKind::ToolDefinitions,
        ContentKind::OutputMessages,
        ContentKind::ToolCallArguments,
        ContentKind::ToolCallResult,
        ContentKind::RetrievalDocuments,
    ];

    /// The attribute key, e.g. `gen_ai.input.messages`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            ContentKind::InputMessages => semconv::GEN_AI_INPUT_MESSAGES,
            ContentKind::OutputMessages => semconv::GEN_AI_OUTPUT_MESSAGES,
            ContentKind::SystemInstructions => semconv::GEN_AI_SYSTEM_INSTRUCTIONS,
            ContentKind::ToolDefinitions => semconv::GEN_AI_TOOL_DEFINITIONS,
            ContentKind::ToolCallArguments => semconv::GEN_AI_TOOL_CALL_ARGUMENTS,
            ContentKind::ToolCallResult => semconv::GEN_AI_TOOL_CALL_RESULT,
            ContentKind::RetrievalDocuments => semconv::GEN_AI_RETRIEVAL_DOCUMENTS,
        }
    }

    /// Its position in [`ALL`](Self::ALL).
    pub(crate) const fn index(self) -> usize {
        match self {
            ContentKind::SystemInstructions => 0,
            ContentKind::InputMessages => 1,
            ContentKind::ToolDefinitions => 2,
            ContentKind::OutputMessages => 3,
            ContentKind::ToolCallArguments => 4,
            ContentKind::ToolCallResult => 5,
            ContentKind::RetrievalDocuments => 6,
        }
    }
}

/// The JSON that would be recorded for `value` as `kind`, with the current size limit,
/// redaction and hook, whatever the capture mode.
///
/// `None` when nothing would be recorded: `value` is `null` (`None`), its serialization
/// failed, or the hook set it to `null` or panicked.
///
/// ```
/// use genai_span::content::{self, ContentKind};
///
/// let request = serde_json::json!([
///     {"role": "system", "content": "Be brief."},
///     {"role": "user", "content": "Weather in Paris?"},
/// ]);
/// assert_eq!(
///     content::to_json(ContentKind::InputMessages, &request).unwrap(),
///     r#"[{"parts":[{"content":"Be brief.","type":"text"}],"role":"system"},{"parts":[{"content":"Weather in Paris?","type":"text"}],"role":"user"}]"#
/// );
/// assert_eq!(
///     content::to_json(ContentKind::ToolCallArguments, r#"{"city":"Paris","api_key":"k"}"#).unwrap(),
///     r#"{"api_key":"[REDACTED]","city":"Paris"}"#
/// );
/// ```
#[must_use]
pub fn to_json<T: Serialize + ?Sized>(kind: ContentKind, value: &T) -> Option<String> {
    render(kind, value, &config::current())
}

/// Runs every step (see the module docs) on one piece of content.
fn render<T: Serialize + ?Sized>(
    kind: ContentKind,
    value: &T,
    config: &config::Config,
) -> Option<String> {
    let limit = config.max_len;
    // A panicking `Serialize` impl or hook must not take the instrumented call down with it.
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let raw = bounded::to_value(value, bounded::Limits::for_attribute(limit))
            .map_err(|error| error.to_string())?;
        let Some(mut shaped) = normalize::normalize(kind, raw) else {
            return Ok(None);
        };
        redact::redact(kind, &mut shaped, &config.keys);
        if let Some(hook) = &config.redactor {
            hook(kind, &mut shaped);
            if shaped.is_null() {
                return Ok(None);
            }
            bounded::prune_depth(&mut shaped);
        }
        truncate::fit(kind, &mut shaped, limit);
        serde_json::to_string(&shaped)
            .map(Some)
            .map_err(|error| error.to_string())
    }));
    match outcome {
        Ok(Ok(json)) => json,
        Ok(Err(error)) => {
            warn_once(kind, &error);
            None
        }
        Err(_) => {
            warn_once(kind, "it panicked");
            None
        }
    }
}

/// Warns that a piece of content of `kind` was left out, once per kind per process: a type
/// that fails to serialize fails on every call.
fn warn_once(kind: ContentKind, reason: &str) {
    static WARNED: [AtomicBool; ContentKind::ALL.len()] =
        [const { AtomicBool::new(false) }; ContentKind::ALL.len()];
    if !WARNED[kind.index()].swap(true, Ordering::Relaxed) {
        tracing::warn!(
            target: "genai_span",
            "`{}` was not recorded: {reason} (reported once per kind of content)",
            kind.key()
        );
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Counts the warnings of target `genai_span`.
    struct Warnings(Arc<AtomicUsize>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Warnings {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let meta = event.metadata();
            if meta.target() == "genai_span" && *meta.level() == tracing::Level::WARN {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    #[test]
    fn a_failing_kind_is_left_out_with_one_warning() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("broken"))
            }
        }

        let count = Arc::new(AtomicUsize::new(0));
        let subscriber = tracing_subscriber::registry().with(Warnings(Arc::clone(&count)));
        tracing::subscriber::with_default(subscriber, || {
            let config = config::Config::default();
            // Only this test makes retrieval documents fail.
            for _ in 0..3 {
                assert_eq!(
                    render(ContentKind::RetrievalDocuments, &Fails, &config),
                    None
                );
            }
        });
        assert_eq!(count.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn kinds_map_to_their_attributes() {
        let keys: Vec<&str> = ContentKind::ALL.iter().map(|k| k.key()).collect();
        assert_eq!(
            keys,
            [
                "gen_ai.system_instructions",
                "gen_ai.input.messages",
                "gen_ai.tool.definitions",
                "gen_ai.output.messages",
                "gen_ai.tool.call.arguments",
                "gen_ai.tool.call.result",
                "gen_ai.retrieval.documents",
            ]
        );
        for (i, kind) in ContentKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
    }
}
