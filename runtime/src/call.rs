//! One instrumented call, from the span's creation to its end: the span, the clock its
//! duration is measured on, and what its metrics need.

use std::time::Instant;

use tracing::Span;

use crate::content::{Captured, ContentKind};
use crate::metrics::MetricContext;
use crate::record;
use crate::response::ResponseAttributes;

/// One instrumented call whose span a subscriber wants.
///
/// Made by the expansion right after the span; ended exactly once, by `Call::end`, when the
/// call returns, fails, panics, is dropped, or (for a stream) when the stream ends.
#[derive(Debug)]
pub struct Call {
    span: Span,
    /// The duration metric and the time-to-first-chunk are measured from here; the span's own
    /// start time was taken by the subscriber an instant before.
    started: Instant,
    metrics: Option<MetricContext>,
    /// Prompts and outputs, when content capture is on.
    content: Option<Captured>,
    /// What the duration metric needs from the outcome.
    response_model: Option<String>,
    error_type: Option<String>,
}

impl Call {
    /// Starts the clock of a call whose span was just created.
    #[must_use]
    pub(crate) fn new(span: Span, operation: &'static str, metrics: Option<MetricContext>) -> Self {
        let content = Captured::start().map(|mut content| {
            content.set_operation_name(operation);
            content
        });
        Call {
            span,
            started: Instant::now(),
            metrics,
            content,
            response_model: None,
            error_type: None,
        }
    }

    /// The call's span.
    #[must_use]
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Seconds since the call started.
    pub(crate) fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    pub(crate) fn metrics(&self) -> Option<&MetricContext> {
        self.metrics.as_ref()
    }

    /// Whether content is captured for this call.
    pub(crate) fn capturing(&self) -> bool {
        self.content.is_some()
    }

    /// Captures one piece of content, when capture is on.
    pub(crate) fn capture<T: serde::Serialize + ?Sized>(&mut self, kind: ContentKind, value: &T) {
        if let Some(content) = &mut self.content {
            content.capture(kind, value);
        }
    }

    /// Records a response (or the sum of a stream's chunks).
    pub(crate) fn response(&mut self, attrs: &ResponseAttributes<'_>) {
        record::response(&self.span, attrs);
        if let Some(metrics) = &self.metrics {
            metrics.record_usage(&attrs.usage, attrs.model);
            self.response_model = attrs.model.map(str::to_owned);
        }
    }

    /// Records a failure. Only the first one counts: a stream that fails stops being recorded.
    pub(crate) fn error(&mut self, error_type: &str, description: &str) {
        if self.error_type.is_some() {
            return;
        }
        record::error(&self.span, error_type, description);
        self.error_type = Some(error_type.to_owned());
    }

    /// Ends the call: captured content and the duration metric, then the span closes as the
    /// call is dropped.
    pub(crate) fn end(mut self) {
        if let Some(content) = self.content.take() {
            content.record(&self.span);
        }
        if let Some(metrics) = &self.metrics {
            metrics.record_duration(
                self.elapsed(),
                self.response_model.as_deref(),
                self.error_type.as_deref(),
            );
        }
    }
}
