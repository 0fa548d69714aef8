//! The test harness: the pipeline a user installs (`tracing-subscriber` registry,
//! `tracing-opentelemetry` layer, OTel SDK tracer provider) with the SDK's in-memory
//! exporter, so tests read spans as an OTLP backend would receive them.

use std::collections::BTreeMap;

use opentelemetry::trace::{SpanId, Status, TracerProvider as _};
use opentelemetry::{Array, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

/// An installed pipeline that keeps every exported span in memory.
#[derive(Debug)]
pub struct Telemetry {
    exporter: InMemorySpanExporter,
    provider: SdkTracerProvider,
    dispatch: Dispatch,
}

impl Default for Telemetry {
    fn default() -> Self {
        Self::new()
    }
}

impl Telemetry {
    /// A pipeline with the layer's extra attributes (code location, thread, target, busy
    /// time) turned off, so spans carry exactly what `#[genai_span]` recorded.
    #[must_use]
    pub fn new() -> Self {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("genai-span-tests"))
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_tracked_inactivity(false);
        let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
        Telemetry {
            exporter,
            provider,
            dispatch,
        }
    }

    /// The dispatcher, for `WithSubscriber::with_subscriber` on futures.
    #[must_use]
    pub fn dispatch(&self) -> Dispatch {
        self.dispatch.clone()
    }

    /// Runs `f` with this pipeline as the thread's subscriber.
    pub fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        tracing::dispatcher::with_default(&self.dispatch, f)
    }

    /// Every span exported so far, in the order they ended.
    ///
    /// # Panics
    /// If the exporter fails, which the in-memory one does not.
    #[must_use]
    pub fn spans(&self) -> Vec<SpanData> {
        self.provider.force_flush().expect("flush");
        self.exporter.get_finished_spans().expect("in-memory spans")
    }

    /// The one exported span named `name`.
    ///
    /// # Panics
    /// Unless exactly one span has that name.
    #[must_use]
    pub fn span(&self, name: &str) -> SpanData {
        let mut found: Vec<SpanData> = self
            .spans()
            .into_iter()
            .filter(|s| s.name == name)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one span named {name:?}, found {}: {:?}",
            found.len(),
            self.names()
        );
        found.remove(0)
    }

    /// The names of the exported spans.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.spans().iter().map(|s| s.name.to_string()).collect()
    }
}

/// A span's attributes by key.
///
/// # Panics
/// When a key appears twice: duplicate keys are a bug in what was recorded.
#[must_use]
pub fn attributes(span: &SpanData) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    for kv in &span.attributes {
        let previous = map.insert(kv.key.to_string(), kv.value.clone());
        assert!(
            previous.is_none(),
            "duplicate attribute {} on span {}",
            kv.key,
            span.name
        );
    }
    map
}

/// A string attribute value.
#[must_use]
pub fn s(value: &str) -> Value {
    Value::from(value.to_owned())
}

/// An int attribute value.
#[must_use]
pub fn i(value: i64) -> Value {
    Value::I64(value)
}

/// A string-array attribute value.
#[must_use]
pub fn strings(values: &[&str]) -> Value {
    Value::Array(Array::String(
        values.iter().map(|v| (*v).to_owned().into()).collect(),
    ))
}

/// Whether `child`'s parent is `parent`, in the same trace.
#[must_use]
pub fn is_child_of(child: &SpanData, parent: &SpanData) -> bool {
    child.parent_span_id == parent.span_context.span_id()
        && child.span_context.trace_id() == parent.span_context.trace_id()
}

/// Whether the span is a root.
#[must_use]
pub fn is_root(span: &SpanData) -> bool {
    span.parent_span_id == SpanId::INVALID
}

/// The description of an error status, or `None` for another status.
#[must_use]
pub fn error_description(span: &SpanData) -> Option<String> {
    match &span.status {
        Status::Error { description } => Some(description.to_string()),
        _ => None,
    }
}
