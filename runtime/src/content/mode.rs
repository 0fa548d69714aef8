//! Whether content is captured, and where: [`CaptureMode`], read once from the environment.
//!
//! The mode is read on every instrumented call, so after the first read it is one relaxed
//! atomic load. The environment is parsed by a pure function ([`parse`]) so the rules are
//! tested without touching the process environment.

use std::sync::atomic::{AtomicU8, Ordering};

/// The opt-in variable of the GenAI instrumentations: `true`/`false`, or with
/// [`STABILITY_OPT_IN`] listing `gen_ai_latest_experimental`, one of `NO_CONTENT`,
/// `SPAN_ONLY`, `EVENT_ONLY`, `SPAN_AND_EVENT`.
pub const CAPTURE_MESSAGE_CONTENT_ENV: &str = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

/// The conventions' comma-separated opt-in list; `gen_ai_latest_experimental` in it enables
/// the mode names beside `true`/`false`.
pub const STABILITY_OPT_IN: &str = "OTEL_SEMCONV_STABILITY_OPT_IN";

/// The entry of [`STABILITY_OPT_IN`] that enables the experimental mode names.
const LATEST_EXPERIMENTAL: &str = "gen_ai_latest_experimental";

/// Where captured content (prompts, responses, instructions, tool definitions, tool
/// arguments and results) is recorded.
///
/// Off ([`NoContent`](Self::NoContent)) unless the application opts in, as the conventions
/// require: content is sensitive and large. See [`capture_mode`] for how it is chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CaptureMode {
    /// Nothing is captured (the default). Instrumented calls do no content work at all.
    #[default]
    NoContent,
    /// Content is recorded as span attributes holding JSON strings.
    SpanOnly,
    /// Content is recorded on one span event, `gen_ai.client.inference.operation.details`.
    EventOnly,
    /// Both: span attributes and the span event.
    SpanAndEvent,
}

impl CaptureMode {
    /// Whether anything is captured.
    #[must_use]
    pub const fn is_enabled(self) -> bool {
        !matches!(self, CaptureMode::NoContent)
    }

    /// Whether content goes onto span attributes.
    #[must_use]
    pub const fn on_span(self) -> bool {
        matches!(self, CaptureMode::SpanOnly | CaptureMode::SpanAndEvent)
    }

    /// Whether content goes onto the span event.
    #[must_use]
    pub const fn on_event(self) -> bool {
        matches!(self, CaptureMode::EventOnly | CaptureMode::SpanAndEvent)
    }

    const fn to_u8(self) -> u8 {
        match self {
            CaptureMode::NoContent => 0,
            CaptureMode::SpanOnly => 1,
            CaptureMode::EventOnly => 2,
            CaptureMode::SpanAndEvent => 3,
        }
    }

    const fn from_u8(raw: u8) -> Self {
        match raw {
            1 => CaptureMode::SpanOnly,
            2 => CaptureMode::EventOnly,
            3 => CaptureMode::SpanAndEvent,
            _ => CaptureMode::NoContent,
        }
    }
}

/// What [`parse`] made of the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) mode: CaptureMode,
    /// The value that was not understood (capture is then off), for the warning.
    pub(crate) unrecognised: Option<String>,
}

/// The mode the two environment values ask for: `capture` is
/// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, `opt_in` is
/// `OTEL_SEMCONV_STABILITY_OPT_IN`; `None` when unset.
///
/// Values are trimmed and compared case-insensitively. `true` means span attributes only
/// (the instrumentations' historical meaning), `false` or unset means off. The mode names are
/// accepted only with `gen_ai_latest_experimental` opted in, as the conventions' transition
/// plan says; anything else turns capture off and is reported.
pub(crate) fn parse(capture: Option<&str>, opt_in: Option<&str>) -> Parsed {
    let off = |unrecognised: Option<String>| Parsed {
        mode: CaptureMode::NoContent,
        unrecognised,
    };
    let Some(raw) = capture else {
        return off(None);
    };
    let value = raw.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("false") {
        return off(None);
    }
    if value.eq_ignore_ascii_case("true") {
        return Parsed {
            mode: CaptureMode::SpanOnly,
            unrecognised: None,
        };
    }
    let experimental = opt_in.is_some_and(|list| {
        list.split(',')
            .any(|entry| entry.trim().eq_ignore_ascii_case(LATEST_EXPERIMENTAL))
    });
    let named = [
        ("NO_CONTENT", CaptureMode::NoContent),
        ("SPAN_ONLY", CaptureMode::SpanOnly),
        ("EVENT_ONLY", CaptureMode::EventOnly),
        ("SPAN_AND_EVENT", CaptureMode::SpanAndEvent),
    ]
    .into_iter()
    .find(|(name, _)| value.eq_ignore_ascii_case(name));
    match named {
        Some((_, mode)) if experimental => Parsed {
            mode,
            unrecognised: None,
        },
        _ => off(Some(raw.to_owned())),
    }
}

/// Not read yet: the first [`capture_mode`] call reads the environment.
const UNSET: u8 = u8::MAX;

static MODE: AtomicU8 = AtomicU8::new(UNSET);

/// The capture mode in force.
///
/// The first call reads `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` and
/// `OTEL_SEMCONV_STABILITY_OPT_IN` (unless [`set_capture_mode`] was called first, which wins);
/// every later call is one relaxed atomic load, cheap enough for every instrumented call.
///
/// | `..._CAPTURE_MESSAGE_CONTENT` | mode |
/// |---|---|
/// | unset, empty, `false` | [`NoContent`](CaptureMode::NoContent) |
/// | `true` | [`SpanOnly`](CaptureMode::SpanOnly) |
/// | `NO_CONTENT`, `SPAN_ONLY`, `EVENT_ONLY`, `SPAN_AND_EVENT`, with `gen_ai_latest_experimental` in `OTEL_SEMCONV_STABILITY_OPT_IN` | that mode |
/// | anything else | [`NoContent`](CaptureMode::NoContent), and one warning (target `genai_span`) |
///
/// Values are case-insensitive.
#[inline]
#[must_use]
pub fn capture_mode() -> CaptureMode {
    match MODE.load(Ordering::Relaxed) {
        UNSET => mode_from_env(),
        raw => CaptureMode::from_u8(raw),
    }
}

/// Sets the capture mode for the whole process, overriding the environment.
///
/// Takes effect for calls that start afterwards; a call already running keeps the mode it
/// started with.
pub fn set_capture_mode(mode: CaptureMode) {
    MODE.store(mode.to_u8(), Ordering::Relaxed);
}

#[cold]
fn mode_from_env() -> CaptureMode {
    let capture = std::env::var_os(CAPTURE_MESSAGE_CONTENT_ENV);
    let opt_in = std::env::var_os(STABILITY_OPT_IN);
    let parsed = match (&capture, &opt_in) {
        (Some(raw), _) if raw.to_str().is_none() => Parsed {
            mode: CaptureMode::NoContent,
            unrecognised: Some(raw.to_string_lossy().into_owned()),
        },
        _ => parse(
            capture.as_deref().and_then(|v| v.to_str()),
            opt_in.as_deref().and_then(|v| v.to_str()),
        ),
    };
    // Only the thread that stores the mode warns, so the warning appears once per process;
    // a mode set meanwhile by `set_capture_mode` wins over the environment.
    match MODE.compare_exchange(
        UNSET,
        parsed.mode.to_u8(),
        Ordering::Relaxed,
        Ordering::Relaxed,
    ) {
        Ok(_) => {
            if let Some(value) = parsed.unrecognised {
                tracing::warn!(
                    target: "genai_span",
                    "{CAPTURE_MESSAGE_CONTENT_ENV}={value:?} is not understood, content capture is off; \
                     expected `true` or `false`, or with `{LATEST_EXPERIMENTAL}` in {STABILITY_OPT_IN} \
                     one of NO_CONTENT, SPAN_ONLY, EVENT_ONLY, SPAN_AND_EVENT"
                );
            }
            parsed.mode
        }
        Err(current) => CaptureMode::from_u8(current),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(capture: Option<&str>, opt_in: Option<&str>) -> CaptureMode {
        parse(capture, opt_in).mode
    }

    #[test]
    fn off_unless_opted_in() {
        assert_eq!(
            parse(None, None),
            Parsed {
                mode: CaptureMode::NoContent,
                unrecognised: None
            }
        );
        assert_eq!(parse(Some(""), None).unrecognised, None);
        assert_eq!(parse(Some("  "), None).unrecognised, None);
        assert_eq!(parse(Some("false"), None).unrecognised, None);
        assert_eq!(
            mode(Some("FALSE"), Some(LATEST_EXPERIMENTAL)),
            CaptureMode::NoContent
        );
    }

    #[test]
    fn true_means_span_attributes_in_any_case() {
        for value in ["true", "TRUE", "True", " true\n"] {
            assert_eq!(mode(Some(value), None), CaptureMode::SpanOnly, "{value:?}");
            assert_eq!(
                mode(Some(value), Some(LATEST_EXPERIMENTAL)),
                CaptureMode::SpanOnly
            );
        }
    }

    #[test]
    fn mode_names_need_the_experimental_opt_in() {
        let opt_in = Some("http, gen_ai_latest_experimental ,database");
        assert_eq!(mode(Some("NO_CONTENT"), opt_in), CaptureMode::NoContent);
        assert_eq!(mode(Some("SPAN_ONLY"), opt_in), CaptureMode::SpanOnly);
        assert_eq!(mode(Some("event_only"), opt_in), CaptureMode::EventOnly);
        assert_eq!(
            mode(Some("Span_And_Event"), opt_in),
            CaptureMode::SpanAndEvent
        );
        assert_eq!(parse(Some("NO_CONTENT"), opt_in).unrecognised, None);

        for opt_in in [
            None,
            Some(""),
            Some("http"),
            Some("gen_ai_latest_experimental_x"),
        ] {
            let parsed = parse(Some("SPAN_AND_EVENT"), opt_in);
            assert_eq!(parsed.mode, CaptureMode::NoContent, "{opt_in:?}");
            assert_eq!(parsed.unrecognised.as_deref(), Some("SPAN_AND_EVENT"));
        }
    }

    #[test]
    fn anything_else_is_off_and_reported() {
        for value in ["yes", "1", "on", "SPAN", "true,false"] {
            let parsed = parse(Some(value), Some(LATEST_EXPERIMENTAL));
            assert_eq!(parsed.mode, CaptureMode::NoContent, "{value:?}");
            assert_eq!(parsed.unrecognised.as_deref(), Some(value));
        }
    }

    #[test]
    fn modes_say_where_content_goes() {
        assert!(!CaptureMode::NoContent.is_enabled());
        assert!(CaptureMode::SpanOnly.on_span() && !CaptureMode::SpanOnly.on_event());
        assert!(!CaptureMode::EventOnly.on_span() && CaptureMode::EventOnly.on_event());
        assert!(CaptureMode::SpanAndEvent.on_span() && CaptureMode::SpanAndEvent.on_event());
        for mode in [
            CaptureMode::NoContent,
            CaptureMode::SpanOnly,
            CaptureMode::EventOnly,
            CaptureMode::SpanAndEvent,
        ] {
            assert_eq!(CaptureMode::from_u8(mode.to_u8()), mode);
        }
    }
}
