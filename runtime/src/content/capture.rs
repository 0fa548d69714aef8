//! The content of one call, gathered while it runs and written onto its span at the end.

use std::fmt;
use std::sync::Arc;

use opentelemetry::KeyValue;
use serde::Serialize;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::mode::{CaptureMode, capture_mode};
use super::{ContentKind, EVENT_NAME, config, render};
use crate::semconv::GEN_AI_OPERATION_NAME;

/// Content gathered during one call. Created only when capture is on.
pub(crate) struct Captured {
    mode: CaptureMode,
    operation: Option<&'static str>,
    values: [Option<String>; ContentKind::ALL.len()],
}

impl fmt::Debug for Captured {
    // Content is sensitive: debug output names what was captured, never what it says.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let captured: Vec<(&str, usize)> = ContentKind::ALL
            .iter()
            .zip(&self.values)
            .filter_map(|(kind, value)| value.as_ref().map(|json| (kind.key(), json.len())))
            .collect();
        f.debug_struct("Captured")
            .field("mode", &self.mode)
            .field("operation", &self.operation)
            .field("bytes", &captured)
            .finish()
    }
}

impl Captured {
    /// `None` when capture is off: callers then do no content work at all.
    #[inline]
    pub(crate) fn start() -> Option<Captured> {
        Captured::with_mode(capture_mode())
    }

    /// As [`start`](Self::start), with the mode given rather than read.
    pub(crate) fn with_mode(mode: CaptureMode) -> Option<Captured> {
        mode.is_enabled().then(|| Captured {
            mode,
            operation: None,
            values: Default::default(),
        })
    }

    /// Sets the `gen_ai.operation.name` the span event carries (the event requires it).
    pub(crate) fn set_operation_name(&mut self, operation: &'static str) {
        self.operation = Some(operation);
    }

    /// Normalizes, redacts, bounds and stores one piece (a later piece of the same kind
    /// replaces it, even when the later one is left out).
    pub(crate) fn capture<T: Serialize + ?Sized>(&mut self, kind: ContentKind, value: &T) {
        self.values[kind.index()] = render(kind, value, &config::current());
    }

    /// The JSON captured for `kind`.
    #[cfg(test)]
    pub(crate) fn get(&self, kind: ContentKind) -> Option<&str> {
        self.values[kind.index()].as_deref()
    }

    /// Writes what was captured: span attributes holding JSON strings in the `SPAN_*` modes;
    /// in the `EVENT_*` modes one span event named `gen_ai.client.inference.operation.details`
    /// carrying the same keys (and `gen_ai.operation.name` when set). The event is a span
    /// event, not a log record. Consumes the capture, so nothing is written twice; does nothing
    /// on a disabled span or when nothing was captured.
    pub(crate) fn record(self, span: &Span) {
        if span.is_disabled() || self.values.iter().all(Option::is_none) {
            return;
        }
        let (on_span, on_event) = (self.mode.on_span(), self.mode.on_event());
        let mut event = Vec::new();
        if on_event {
            if let Some(operation) = self.operation {
                event.push(KeyValue::new(GEN_AI_OPERATION_NAME, operation));
            }
        }
        for (kind, value) in ContentKind::ALL.into_iter().zip(self.values) {
            let Some(json) = value else {
                continue;
            };
            if on_span && on_event {
                let shared: Arc<str> = json.into();
                span.set_attribute(kind.key(), Arc::clone(&shared));
                event.push(KeyValue::new(kind.key(), shared));
            } else if on_span {
                span.set_attribute(kind.key(), json);
            } else {
                event.push(KeyValue::new(kind.key(), json));
            }
        }
        if on_event {
            span.add_event(EVENT_NAME, event);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
    use serde_json::json;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Runs `f` inside a span exported to memory, and returns that span.
    fn exported(f: impl FnOnce(&Span)) -> SpanData {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("test"));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("chat");
            f(&span);
        });
        let mut spans = exporter.get_finished_spans().unwrap();
        assert_eq!(spans.len(), 1);
        spans.remove(0)
    }

    fn attributes(kvs: &[KeyValue]) -> BTreeMap<String, String> {
        kvs.iter()
            .map(|kv| (kv.key.to_string(), kv.value.to_string()))
            .collect()
    }

    fn sample(mode: CaptureMode) -> Captured {
        let mut captured = Captured::with_mode(mode).unwrap();
        captured.set_operation_name("chat");
        captured.capture(ContentKind::InputMessages, "Weather in Paris?");
        captured.capture(ContentKind::OutputMessages, &json!({"choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Rainy."}, "finish_reason": "stop"}
        ]}));
        captured
    }

    const INPUT: &str =
        r#"[{"parts":[{"content":"Weather in Paris?","type":"text"}],"role":"user"}]"#;
    const OUTPUT: &str = r#"[{"finish_reason":"stop","parts":[{"content":"Rainy.","type":"text"}],"role":"assistant"}]"#;

    #[test]
    fn off_means_no_capture() {
        assert!(Captured::with_mode(CaptureMode::NoContent).is_none());
    }

    #[test]
    fn span_only_sets_json_attributes() {
        let span = exported(|span| sample(CaptureMode::SpanOnly).record(span));
        let attrs = attributes(&span.attributes);
        assert_eq!(attrs["gen_ai.input.messages"], INPUT);
        assert_eq!(attrs["gen_ai.output.messages"], OUTPUT);
        assert!(span.events.is_empty());
    }

    #[test]
    fn event_only_adds_one_span_event() {
        let span = exported(|span| sample(CaptureMode::EventOnly).record(span));
        assert!(!attributes(&span.attributes).contains_key("gen_ai.input.messages"));
        assert_eq!(span.events.len(), 1);
        let event = &span.events[0];
        assert_eq!(event.name, EVENT_NAME);
        let attrs = attributes(&event.attributes);
        assert_eq!(attrs["gen_ai.operation.name"], "chat");
        assert_eq!(attrs["gen_ai.input.messages"], INPUT);
        assert_eq!(attrs["gen_ai.output.messages"], OUTPUT);
    }

    #[test]
    fn span_and_event_records_both() {
        let span = exported(|span| sample(CaptureMode::SpanAndEvent).record(span));
        assert_eq!(attributes(&span.attributes)["gen_ai.input.messages"], INPUT);
        assert_eq!(
            attributes(&span.events[0].attributes)["gen_ai.output.messages"],
            OUTPUT
        );
    }

    #[test]
    fn a_later_piece_replaces_an_earlier_one() {
        let mut captured = Captured::with_mode(CaptureMode::SpanOnly).unwrap();
        captured.capture(ContentKind::ToolCallResult, "first");
        captured.capture(ContentKind::ToolCallResult, "second");
        assert_eq!(
            captured.get(ContentKind::ToolCallResult),
            Some(r#""second""#)
        );
        let span = exported(|span| captured.record(span));
        assert_eq!(
            attributes(&span.attributes)["gen_ai.tool.call.result"],
            r#""second""#
        );
    }

    #[test]
    fn nothing_captured_records_nothing() {
        let span = exported(|span| {
            let mut captured = Captured::with_mode(CaptureMode::SpanAndEvent).unwrap();
            captured.capture(ContentKind::ToolCallResult, &None::<String>);
            captured.record(span);
        });
        assert!(span.events.is_empty());
        assert!(!attributes(&span.attributes).contains_key("gen_ai.tool.call.result"));
    }

    #[test]
    fn a_disabled_span_is_left_alone() {
        sample(CaptureMode::SpanAndEvent).record(&Span::none());
    }

    #[test]
    fn debug_output_never_shows_content() {
        let debug = format!("{:?}", sample(CaptureMode::SpanOnly));
        assert!(!debug.contains("Paris"), "{debug}");
        assert!(debug.contains("gen_ai.input.messages"));
    }
}
