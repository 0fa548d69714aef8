//! The GenAI client metrics: token usage, operation duration and streaming latency.
//!
//! Every call that `#[genai_span]` instruments with a `provider` (these metrics require
//! `gen_ai.provider.name`), and whose span a `tracing` subscriber wants, is also measured
//! through the OpenTelemetry metrics API, as the
//! [GenAI metric conventions](https://github.com/open-telemetry/semantic-conventions/blob/v1.41.1/docs/gen-ai/gen-ai-metrics.md)
//! (v1.41.1) describe:
//!
//! | metric | instrument | unit | recorded |
//! |---|---|---|---|
//! | `gen_ai.client.token.usage` | histogram (int) | `{token}` | once per token type the provider reported (`gen_ai.token.type` = `input`, `output`) |
//! | `gen_ai.client.operation.duration` | histogram | `s` | once per call, with `error.type` when it failed |
//! | `gen_ai.client.operation.time_to_first_chunk` | histogram | `s` | once per streamed response |
//! | `gen_ai.client.operation.time_per_output_chunk` | histogram | `s` | for each chunk after the first |
//!
//! Names, units, descriptions and the advised bucket boundaries come from the descriptors of
//! [`semconv::metric`](crate::semconv::metric). The measurements carry only the low-cardinality
//! attributes the conventions list for these metrics: `gen_ai.operation.name`,
//! `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`, `server.address`,
//! `server.port`, plus `error.type` (duration) and `gen_ai.token.type` (usage). A value the call
//! does not have is left out, never recorded as an empty string; usage a provider did not
//! report is not invented. Durations that are negative, NaN or infinite are dropped, as are
//! negative token counts.
//!
//! The instrumentation scope is `genai-span`, with the crate's version and the schema URL
//! [`SCHEMA_URL`](crate::semconv::SCHEMA_URL).
//!
//! # Installing a meter provider: the ordering rule
//!
//! With no OpenTelemetry SDK installed, recording is a no-op. The instruments are bound once,
//! at the first instrumented call, to the provider that `opentelemetry::global` holds at that
//! moment, and instruments taken from a no-op provider stay no-ops. So either
//!
//! - install the SDK provider (`opentelemetry::global::set_meter_provider`) before the first
//!   instrumented call, or
//! - pass the provider to [`init`], at any time: it rebinds the instruments to that provider
//!   (whether or not it is the global one). Calling it again later, after a configuration
//!   reload say, rebinds them again. A call already in flight finishes on the instruments it
//!   started with.
//!
//! ```
//! # #[cfg(feature = "metrics")] {
//! use opentelemetry::metrics::MeterProvider;
//!
//! /// `provider` is the application's SDK provider, e.g. `opentelemetry_sdk::metrics::SdkMeterProvider`.
//! fn install<P: MeterProvider + Clone + Send + Sync + 'static>(provider: &P) {
//!     opentelemetry::global::set_meter_provider(provider.clone());
//!     genai_span::metrics::init(provider);
//! }
//! # }
//! ```
//!
//! # The `metrics` feature
//!
//! On by default. Without it (`default-features = false`) nothing is measured, the
//! `opentelemetry` dependency is built without its metrics API, and [`init`] is a no-op that
//! accepts any value, so the code above compiles either way.

#[cfg(feature = "metrics")]
mod otel;
#[cfg(feature = "metrics")]
pub(crate) use otel::MetricContext;
#[cfg(feature = "metrics")]
pub use otel::init;

#[cfg(not(feature = "metrics"))]
mod noop;
#[cfg(not(feature = "metrics"))]
pub(crate) use noop::MetricContext;
#[cfg(not(feature = "metrics"))]
pub use noop::init;

/// A string attribute of a call's metrics, as the expansion passes it: a string literal of the
/// macro's arguments is kept as it is; a value computed at run time is copied, since the
/// metrics are recorded after the arguments are gone.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum MetricStr<'a> {
    /// A literal (`provider = "openai"`).
    Literal(&'static str),
    /// Anything else (`model = req.model`).
    Borrowed(&'a str),
}

/// Drives the crate-internal `MetricContext` directly, for the integration tests. Not public API.
#[doc(hidden)]
pub mod __test {
    use crate::TokenUsage;

    /// A call's metric context.
    #[derive(Debug)]
    pub struct Context(super::MetricContext);

    impl Context {
        /// As when a span is created.
        #[must_use]
        pub fn new(
            operation: &'static str,
            provider: Option<&str>,
            request_model: Option<&str>,
            server_address: Option<&str>,
            server_port: Option<i64>,
        ) -> Self {
            Context(super::MetricContext::new(
                operation,
                provider.map(super::MetricStr::Borrowed),
                request_model.map(super::MetricStr::Borrowed),
                server_address.map(super::MetricStr::Borrowed),
                server_port,
            ))
        }

        /// `gen_ai.client.operation.duration`.
        pub fn record_duration(
            &self,
            seconds: f64,
            response_model: Option<&str>,
            error_type: Option<&str>,
        ) {
            self.0.record_duration(seconds, response_model, error_type);
        }

        /// `gen_ai.client.token.usage`.
        pub fn record_usage(&self, usage: &TokenUsage, response_model: Option<&str>) {
            self.0.record_usage(usage, response_model);
        }

        /// `gen_ai.client.operation.time_to_first_chunk`.
        pub fn record_time_to_first_chunk(&self, seconds: f64, response_model: Option<&str>) {
            self.0.record_time_to_first_chunk(seconds, response_model);
        }

        /// `gen_ai.client.operation.time_per_output_chunk`.
        pub fn record_time_per_output_chunk(&self, seconds: f64, response_model: Option<&str>) {
            self.0.record_time_per_output_chunk(seconds, response_model);
        }
    }
}
