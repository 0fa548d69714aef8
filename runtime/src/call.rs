//! One instrumented call, from the span's creation to its end: the span, the clock its
//! duration is measured on, and what its metrics need.

use std::time::Instant;

use tracing::Span;

use crate::content::{Captured, ContentKind};
use crate::metrics::MetricContext;
use crate::record::{self, FieldIndex};
use crate::response::ResponseAttributes;

/// One instrumented call whose span a subscriber wants.
///
/// Made by the expansion right after the span; ended exactly once, by `Call::end`, when the
/// call returns, fails, panics, is dropped, or (for a stream) when the stream ends.
///
/// One pointer: its state is boxed, so that a call moves cheaply on its way to the end, and
/// so that an instrumented future or stream stays small when no subscriber wants the span
/// (it holds `None` then).
#[derive(Debug)]
pub struct Call(Box<State>);

#[derive(Debug)]
struct State {
    span: Span,
    /// Where the span's callsite declares the fields an outcome records.
    fields: &'static FieldIndex,
    /// The duration metric and the time-to-first-chunk are measured from here; the span's own
    /// start time was taken by the subscriber an instant before.
    started: Instant,
    metrics: Option<MetricContext>,
    /// Prompts and outputs, when content capture is on.
    content: Option<Captured>,
    /// What the duration metric needs from the outcome.
    response_model: ModelName,
    error_type: Option<String>,
}

impl Call {
    /// Starts the clock of a call whose span was just created.
    #[must_use]
    pub(crate) fn new(
        span: Span,
        fields: &'static FieldIndex,
        operation: &'static str,
        metrics: Option<MetricContext>,
    ) -> Self {
        let content = Captured::start().map(|mut content| {
            content.set_operation_name(operation);
            content
        });
        Call(Box::new(State {
            span,
            fields,
            started: Instant::now(),
            metrics,
            content,
            response_model: ModelName::None,
            error_type: None,
        }))
    }

    /// The call's span.
    #[must_use]
    pub fn span(&self) -> &Span {
        &self.0.span
    }

    /// Seconds since the call started.
    pub(crate) fn elapsed(&self) -> f64 {
        self.0.started.elapsed().as_secs_f64()
    }

    pub(crate) fn metrics(&self) -> Option<&MetricContext> {
        self.0.metrics.as_ref()
    }

    /// Whether content is captured for this call.
    pub(crate) fn capturing(&self) -> bool {
        self.0.content.is_some()
    }

    /// Captures one piece of content, when capture is on.
    pub(crate) fn capture<T: serde::Serialize + ?Sized>(&mut self, kind: ContentKind, value: &T) {
        if let Some(content) = &mut self.0.content {
            content.capture(kind, value);
        }
    }

    /// Records `gen_ai.response.time_to_first_chunk`, in seconds.
    pub(crate) fn time_to_first_chunk(&self, seconds: f64) {
        record::time_to_first_chunk(&self.0.span, self.0.fields, seconds);
    }

    /// Records a response (or the sum of a stream's chunks).
    pub(crate) fn response(&mut self, attrs: &ResponseAttributes<'_>) {
        let state = &mut *self.0;
        record::response(&state.span, state.fields, attrs);
        if let Some(metrics) = &state.metrics {
            metrics.record_usage(&attrs.usage, attrs.model);
            state.response_model = ModelName::new(attrs.model);
        }
    }

    /// Records a failure. Only the first one counts: a stream that fails stops being recorded.
    pub(crate) fn error(&mut self, error_type: &str, description: &str) {
        let state = &mut *self.0;
        if state.error_type.is_some() {
            return;
        }
        record::error(&state.span, state.fields, error_type, description);
        state.error_type = Some(error_type.to_owned());
    }

    /// Ends the call: captured content and the duration metric, then the span closes as the
    /// call is dropped.
    pub(crate) fn end(mut self) {
        if let Some(content) = self.0.content.take() {
            content.record(&self.0.span);
        }
        if let Some(metrics) = &self.0.metrics {
            metrics.record_duration(
                self.elapsed(),
                self.0.response_model.as_str(),
                self.0.error_type.as_deref(),
            );
        }
    }
}

/// The response model the duration metric is recorded with, copied inline when it is short
/// (model names are): the copy costs no allocation.
#[derive(Debug)]
enum ModelName {
    None,
    Inline {
        bytes: [u8; ModelName::INLINE],
        len: u8,
    },
    Heap(String),
}

impl ModelName {
    const INLINE: usize = 46;

    fn new(model: Option<&str>) -> Self {
        match model {
            None => ModelName::None,
            Some(model) => match u8::try_from(model.len()) {
                Ok(len) if model.len() <= Self::INLINE => {
                    let mut bytes = [0; Self::INLINE];
                    bytes[..model.len()].copy_from_slice(model.as_bytes());
                    ModelName::Inline { bytes, len }
                }
                _ => ModelName::Heap(model.to_owned()),
            },
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            ModelName::None => None,
            // A copy of a whole `str`: always valid.
            ModelName::Inline { bytes, len } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).ok()
            }
            ModelName::Heap(model) => Some(model),
        }
    }
}
