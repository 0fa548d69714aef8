//! The test harness: the pipeline a user installs (`tracing-subscriber` registry,
//! `tracing-opentelemetry` layer, OTel SDK tracer provider) with the SDK's in-memory
//! exporter, so tests read spans as an OTLP backend would receive them.

pub mod schemas;

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

/// The metrics pipeline: an SDK meter provider whose periodic reader pushes to the SDK's
/// in-memory exporter, bound to `genai-span` with `genai_span::metrics::init`.
///
/// The instruments of `genai-span` are process-wide, so there is one pipeline per test
/// binary ([`metrics::pipeline`]). Its temporality is cumulative: every export holds all the
/// points recorded so far, and tests keep their data apart with a request model of their own.
pub mod metrics {
    use std::collections::BTreeMap;
    use std::sync::OnceLock;

    use opentelemetry::{InstrumentationScope, Value};
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Histogram, MetricData};
    use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

    /// The installed metrics pipeline.
    #[derive(Debug)]
    pub struct Metrics {
        exporter: InMemoryMetricExporter,
        provider: SdkMeterProvider,
    }

    /// The pipeline of this test binary, installed and bound on first use.
    pub fn pipeline() -> &'static Metrics {
        static PIPELINE: OnceLock<Metrics> = OnceLock::new();
        PIPELINE.get_or_init(|| {
            let exporter = InMemoryMetricExporter::default();
            let provider = SdkMeterProvider::builder()
                .with_reader(PeriodicReader::builder(exporter.clone()).build())
                .build();
            genai_span::metrics::init(&provider);
            Metrics { exporter, provider }
        })
    }

    /// One histogram as the last export holds it.
    #[derive(Debug)]
    pub struct HistogramData<T> {
        /// The metric name.
        pub name: String,
        /// The instrument's description.
        pub description: String,
        /// The instrument's unit.
        pub unit: String,
        /// The instrumentation scope that recorded it.
        pub scope: InstrumentationScope,
        /// Its data points, one per attribute set.
        pub points: Vec<Point<T>>,
    }

    /// One data point of a histogram.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Point<T> {
        /// The attributes, by key.
        pub attributes: BTreeMap<String, Value>,
        /// How many values were recorded.
        pub count: u64,
        /// Their sum.
        pub sum: T,
        /// The bucket boundaries.
        pub bounds: Vec<f64>,
        /// The count of each bucket (one more than the boundaries).
        pub bucket_counts: Vec<u64>,
    }

    impl<T> HistogramData<T> {
        /// The points whose attribute `key` is the string `value`.
        #[must_use]
        pub fn points_with(&self, key: &str, value: &str) -> Vec<&Point<T>> {
            self.points
                .iter()
                .filter(|p| p.attributes.get(key).is_some_and(|v| v.as_str() == value))
                .collect()
        }
    }

    impl Metrics {
        /// Exports what was recorded so far and returns the `f64` histogram named `name`,
        /// or `None` when nothing was ever recorded on it.
        ///
        /// # Panics
        /// If the export fails, or the metric is not an `f64` histogram.
        #[must_use]
        pub fn f64_histogram(&self, name: &str) -> Option<HistogramData<f64>> {
            self.histogram(name, |data| match data {
                AggregatedMetrics::F64(MetricData::Histogram(h)) => points(h),
                other => panic!("{name} is not an f64 histogram: {other:?}"),
            })
        }

        /// Exports what was recorded so far and returns the `u64` histogram named `name`,
        /// or `None` when nothing was ever recorded on it.
        ///
        /// # Panics
        /// If the export fails, or the metric is not a `u64` histogram.
        #[must_use]
        pub fn u64_histogram(&self, name: &str) -> Option<HistogramData<u64>> {
            self.histogram(name, |data| match data {
                AggregatedMetrics::U64(MetricData::Histogram(h)) => points(h),
                other => panic!("{name} is not a u64 histogram: {other:?}"),
            })
        }

        fn histogram<T>(
            &self,
            name: &str,
            read: impl Fn(&AggregatedMetrics) -> Vec<Point<T>>,
        ) -> Option<HistogramData<T>> {
            self.provider.force_flush().expect("flush");
            let exports = self.exporter.get_finished_metrics().expect("metrics");
            // Cumulative: the latest export that has the metric has all of its points.
            exports.iter().rev().find_map(|export| {
                export.scope_metrics().find_map(|scope| {
                    scope
                        .metrics()
                        .find(|m| m.name() == name)
                        .map(|m| HistogramData {
                            name: m.name().to_owned(),
                            description: m.description().to_owned(),
                            unit: m.unit().to_owned(),
                            scope: scope.scope().clone(),
                            points: read(m.data()),
                        })
                })
            })
        }
    }

    fn points<T: Copy>(histogram: &Histogram<T>) -> Vec<Point<T>> {
        histogram
            .data_points()
            .map(|p| Point {
                attributes: p
                    .attributes()
                    .map(|kv| (kv.key.to_string(), kv.value.clone()))
                    .collect(),
                count: p.count(),
                sum: p.sum(),
                bounds: p.bounds().collect(),
                bucket_counts: p.bucket_counts().collect(),
            })
            .collect()
    }
}
