//! One call that installs the whole telemetry pipeline: the `tracing` subscriber, the
//! OpenTelemetry SDK's tracer and meter providers, and OTLP exporters, configured from the
//! standard `OTEL_*` environment variables and from code.
//!
//! ```no_run
//! # fn main() -> Result<(), genai_span::setup::SetupError> {
//! // Everything from the environment (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...):
//! let _guard = genai_span::setup::init()?;
//! // ... the application; dropping the guard exports what is left and shuts down.
//! # Ok(())
//! # }
//! ```
//!
//! ```no_run
//! use genai_span::setup::{Protocol, Setup};
//!
//! # fn main() -> Result<(), genai_span::setup::SetupError> {
//! let _guard = Setup::from_env()
//!     .service_name("weather-agent")
//!     .endpoint("http://127.0.0.1:4318")   // or .protocol(Protocol::Grpc) and port 4317
//!     .header("x-mlflow-experiment-id", "0")
//!     .genai_only(true)                    // export only the GenAI spans
//!     .install()?;
//! # Ok(())
//! # }
//! ```
//!
//! # What is installed
//!
//! - A `tracing-subscriber` registry with the `tracing-opentelemetry` layer, set as the global
//!   default subscriber. Spans carry what was recorded and nothing else: the layer's code
//!   location, thread, target and busy/idle time attributes are off
//!   ([`Setup::span_details`] turns them back on).
//! - An SDK tracer provider (with the sampler and resource configured) whose spans go through a
//!   batch processor to the OTLP span exporter, and an SDK meter provider whose periodic reader
//!   pushes to the OTLP metric exporter; both are set as OpenTelemetry's global providers, and
//!   the GenAI metrics of [`genai_span::metrics`](crate::metrics) are bound to the meter
//!   provider.
//! - **With no endpoint configured** (neither in code nor in the environment), no OTLP exporter:
//!   the spans go to the [terminal view](terminal), which prints a waterfall of the run to
//!   standard output when the guard drops (turn it off with [`Setup::terminal_view`]). A
//!   signal whose endpoint is not configured (only `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set,
//!   say) is not exported.
//!
//! To compose with a subscriber of your own (an `fmt` layer, an `EnvFilter`), use
//! [`Setup::build`] and add [`Pipeline::layer`] to it.
//!
//! # Never blocking the application
//!
//! Ending a span only puts it in a bounded queue: exporting happens on the SDK's batch thread,
//! never on the thread that ends the span, so the application never waits on the receiver,
//! whether it runs on a `current_thread` or a `multi_thread` tokio runtime or on none.
//!
//! - **HTTP/protobuf** (the default) uses the blocking reqwest client, which runs on threads
//!   of its own: it needs no async runtime from the application.
//! - **gRPC** uses tonic, whose channel needs a tokio runtime: `setup` starts one (a
//!   current-thread runtime on a thread of its own) and builds the channel there, so exports
//!   never depend on the application's runtime being driven, or existing.
//! - Every request is bounded by the export timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`, 10 s by
//!   default). When the queue is full (2048 spans by default), spans are dropped and counted.
//! - The [`Guard`] shuts down on a thread of its own and waits at most
//!   [`Setup::shutdown_timeout`] (5 s by default), whatever the receiver does.
//!
//! # Warnings
//!
//! The SDK reports failed exports and dropped spans only through internal logs that nobody
//! sees. `setup` watches for them itself and prints one line to standard error the first time
//! each kind of problem happens:
//!
//! ```text
//! genai-span: exporting spans to http://127.0.0.1:4318/v1/traces failed: connection refused; further failures are counted, not printed
//! ```
//!
//! and, when the guard drops, a summary if anything went wrong:
//!
//! ```text
//! genai-span: 12 span batches (340 spans) failed to export; 200 spans dropped (export queue full)
//! ```
//!
//! [`Setup::diagnostics`] sends these lines elsewhere.
//!
//! # Configuration and precedence
//!
//! **A value set in code wins over any value from the environment.** Within the environment, a
//! signal's own variable (`..._TRACES_...`, `..._METRICS_...`) wins over the generic one. An
//! empty variable counts as unset; an invalid one is ignored with a warning.
//!
//! | variable | builder | default |
//! |---|---|---|
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL: `/v1/traces`, `/v1/metrics` appended for HTTP) | [`endpoint`](Setup::endpoint) | none: the terminal view |
//! | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` (used as given) | [`traces_endpoint`](Setup::traces_endpoint), [`metrics_endpoint`](Setup::metrics_endpoint) | the generic endpoint |
//! | `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, `grpc`), `..._TRACES_PROTOCOL`, `..._METRICS_PROTOCOL` | [`protocol`](Setup::protocol) | `http/protobuf` |
//! | `OTEL_EXPORTER_OTLP_HEADERS` (`k1=v1,k2=v2`, values URL-decoded), `..._TRACES_HEADERS`, `..._METRICS_HEADERS` (replace the generic list) | [`header`](Setup::header) (replaces same-named ones) | none |
//! | `OTEL_EXPORTER_OTLP_TIMEOUT` (ms), `..._TRACES_TIMEOUT`, `..._METRICS_TIMEOUT` | [`export_timeout`](Setup::export_timeout) | 10 s |
//! | `OTEL_SERVICE_NAME`, then `service.name` in `OTEL_RESOURCE_ATTRIBUTES` | [`service_name`](Setup::service_name), then [`resource_attribute`](Setup::resource_attribute)`("service.name", ..)` | `unknown_service` |
//! | `OTEL_RESOURCE_ATTRIBUTES` (`k1=v1,k2=v2`, values URL-decoded) | [`resource_attribute`](Setup::resource_attribute) | none |
//! | `OTEL_TRACES_SAMPLER` (`always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio`), `OTEL_TRACES_SAMPLER_ARG` | [`sampler`](Setup::sampler) | `parentbased_always_on` |
//! | `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_SCHEDULE_DELAY` (ms), `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` | [`max_queue_size`](Setup::max_queue_size), [`schedule_delay`](Setup::schedule_delay), [`max_export_batch_size`](Setup::max_export_batch_size) | 2048, 5 s, 512 |
//! | `OTEL_METRIC_EXPORT_INTERVAL` (ms) | [`metric_export_interval`](Setup::metric_export_interval) | 60 s |
//!
//! Variables not in this table that the OTLP exporter reads itself
//! (`OTEL_EXPORTER_OTLP_COMPRESSION`, `OTEL_EXPORTER_OTLP_INSECURE`, ...) keep working as the
//! `opentelemetry-otlp` crate documents. `https` endpoints work over HTTP/protobuf (rustls,
//! with the platform's trust roots); gRPC is built without TLS, so an `https` gRPC endpoint is
//! a [`SetupError::Exporter`]: use `http/protobuf` for TLS backends, or a local collector.
//!
//! # Exporting only GenAI spans
//!
//! [`Setup::genai_only`] keeps the spans whose callsite declares `gen_ai.operation.name`
//! (every `#[genai_span]` span does) and drops the others, application spans included, before
//! they reach OpenTelemetry. A GenAI span inside dropped spans becomes the child of the nearest
//! GenAI span around it, or a **root** (a trace of its own) when there is none: an agent's
//! tool calls stay under the agent, but two chats inside one HTTP request handler's span
//! become two traces.
//!
//! # The `setup` and `grpc` features
//!
//! Both on by default. `setup` (this module) brings `tracing-subscriber`, `opentelemetry_sdk`,
//! `opentelemetry-otlp` (HTTP/protobuf) and the blocking `reqwest` client, and turns on
//! `metrics`. `grpc` adds OTLP over gRPC (tonic, tokio); without it, configuring `grpc` is a
//! [`SetupError::GrpcNotEnabled`].

mod config;
mod diagnostics;
mod env;
mod error;
mod export;
#[cfg(feature = "grpc")]
mod grpc;
mod guard;
mod http;
mod pipeline;
pub mod terminal;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry_sdk::trace::SpanExporter;
use tracing::Dispatch;

pub use error::SetupError;
pub use guard::Guard;
pub use pipeline::Pipeline;
pub use terminal::TerminalExporter;

use config::CodeConfig;
use diagnostics::Writer;
use env::EnvConfig;
use pipeline::ExporterFactory;

/// The shutdown timeout when none is set.
const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// Installs the pipeline configured by the environment alone: `Setup::from_env().install()`.
///
/// # Errors
/// As [`Setup::install`].
pub fn init() -> Result<Guard, SetupError> {
    Setup::from_env().install()
}

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// OTLP/HTTP with protobuf bodies (`http/protobuf`), port 4318 by convention.
    #[default]
    HttpProtobuf,
    /// OTLP/gRPC (`grpc`), port 4317 by convention; needs the `grpc` feature.
    Grpc,
}

/// Which spans are recorded, as `OTEL_TRACES_SAMPLER` names them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Sampler {
    /// Every span (`always_on`).
    AlwaysOn,
    /// No span (`always_off`).
    AlwaysOff,
    /// This fraction of the traces, chosen by trace id (`traceidratio`).
    TraceIdRatio(f64),
    /// The parent's decision; for a root, every span (`parentbased_always_on`).
    #[default]
    ParentBasedAlwaysOn,
    /// The parent's decision; for a root, none (`parentbased_always_off`).
    ParentBasedAlwaysOff,
    /// The parent's decision; for a root, by trace id ratio (`parentbased_traceidratio`).
    ParentBasedTraceIdRatio(f64),
}

impl Sampler {
    fn to_sdk(self) -> opentelemetry_sdk::trace::Sampler {
        use opentelemetry_sdk::trace::Sampler as Sdk;
        let parent_based = |root: Sdk| Sdk::ParentBased(Box::new(root));
        match self {
            Sampler::AlwaysOn => Sdk::AlwaysOn,
            Sampler::AlwaysOff => Sdk::AlwaysOff,
            Sampler::TraceIdRatio(ratio) => Sdk::TraceIdRatioBased(ratio),
            Sampler::ParentBasedAlwaysOn => parent_based(Sdk::AlwaysOn),
            Sampler::ParentBasedAlwaysOff => parent_based(Sdk::AlwaysOff),
            Sampler::ParentBasedTraceIdRatio(ratio) => parent_based(Sdk::TraceIdRatioBased(ratio)),
        }
    }
}

/// The pipeline's configuration: environment first, then what the builder methods set, which
/// wins (see the [module docs](self#configuration-and-precedence)).
pub struct Setup {
    env: EnvConfig,
    env_warnings: Vec<String>,
    code: CodeConfig,
    genai_only: bool,
    span_details: bool,
    terminal_view: bool,
    shutdown_timeout: Duration,
    writer: Option<Writer>,
    span_exporter: Option<ExporterFactory>,
}

impl std::fmt::Debug for Setup {
    // Headers hold API keys: show their names, not their values.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self.code.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Setup")
            .field("service_name", &self.code.service_name)
            .field("endpoint", &self.code.endpoint)
            .field("protocol", &self.code.protocol)
            .field("headers", &header_names)
            .field("genai_only", &self.genai_only)
            .field("span_details", &self.span_details)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for Setup {
    fn default() -> Self {
        Setup::new()
    }
}

impl Setup {
    /// A configuration that ignores the environment: only what the builder methods set.
    #[must_use]
    pub fn new() -> Self {
        Setup {
            env: EnvConfig::default(),
            env_warnings: Vec::new(),
            code: CodeConfig::default(),
            genai_only: false,
            span_details: false,
            terminal_view: true,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            writer: None,
            span_exporter: None,
        }
    }

    /// A configuration read from the process environment's `OTEL_*` variables (the
    /// [table](self#configuration-and-precedence)); builder methods called after it win.
    #[must_use]
    pub fn from_env() -> Self {
        Setup::from_env_vars(
            env::ALL
                .iter()
                .filter_map(|name| std::env::var(name).ok().map(|value| (*name, value))),
        )
    }

    /// As [`from_env`](Self::from_env), reading `vars` instead of the process environment (a
    /// configuration file's values, or a test's).
    ///
    /// ```
    /// let setup = genai_span::setup::Setup::from_env_vars([
    ///     ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
    ///     ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret%3D%3D"),
    /// ]);
    /// ```
    #[must_use]
    pub fn from_env_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v.into()))
            .collect();
        let mut warnings = Vec::new();
        let env = EnvConfig::read(
            |name| {
                vars.iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            },
            &mut warnings,
        );
        Setup {
            env,
            env_warnings: warnings,
            ..Setup::new()
        }
    }

    /// The `service.name` resource attribute.
    #[must_use]
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.code.service_name = Some(name.into());
        self
    }

    /// A resource attribute (a string); replaces one of the same key from the environment.
    #[must_use]
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.code
            .resource_attributes
            .push((key.into(), value.into()));
        self
    }

    /// The OTLP base endpoint of every signal, e.g. `http://127.0.0.1:4318`; for HTTP, the
    /// signal's path (`/v1/traces`, `/v1/metrics`) is appended. Wins over every endpoint from
    /// the environment, the signal-specific ones included.
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.code.endpoint = Some(url.into());
        self
    }

    /// The full URL spans are exported to, used as given (e.g.
    /// `http://127.0.0.1:4318/v1/traces`).
    #[must_use]
    pub fn traces_endpoint(mut self, url: impl Into<String>) -> Self {
        self.code.traces_endpoint = Some(url.into());
        self
    }

    /// The full URL metrics are exported to, used as given.
    #[must_use]
    pub fn metrics_endpoint(mut self, url: impl Into<String>) -> Self {
        self.code.metrics_endpoint = Some(url.into());
        self
    }

    /// The OTLP transport of every signal.
    #[must_use]
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.code.protocol = Some(protocol);
        self
    }

    /// A header (gRPC metadata) sent with every export; replaces a same-named one from the
    /// environment. The value is sent as given (no URL-decoding).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.code.headers.push((name.into(), value.into()));
        self
    }

    /// How long one export request may take before it fails.
    #[must_use]
    pub fn export_timeout(mut self, timeout: Duration) -> Self {
        self.code.timeout = Some(timeout);
        self
    }

    /// Which spans are recorded.
    #[must_use]
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.code.sampler = Some(sampler);
        self
    }

    /// How many finished spans may wait for export; more are dropped and counted.
    #[must_use]
    pub fn max_queue_size(mut self, spans: usize) -> Self {
        self.code.max_queue_size = Some(spans.max(1));
        self
    }

    /// How long the batch processor waits before exporting a batch that is not full.
    #[must_use]
    pub fn schedule_delay(mut self, delay: Duration) -> Self {
        self.code.schedule_delay = Some(delay);
        self
    }

    /// The most spans in one export (at most the queue size).
    #[must_use]
    pub fn max_export_batch_size(mut self, spans: usize) -> Self {
        self.code.max_export_batch_size = Some(spans.max(1));
        self
    }

    /// How often metrics are exported.
    #[must_use]
    pub fn metric_export_interval(mut self, interval: Duration) -> Self {
        self.code.metric_export_interval = Some(interval);
        self
    }

    /// Exports only GenAI spans (see [the module docs](self#exporting-only-genai-spans)).
    #[must_use]
    pub fn genai_only(mut self, genai_only: bool) -> Self {
        self.genai_only = genai_only;
        self
    }

    /// Adds the attributes `tracing-opentelemetry` can add to every span: code location
    /// (`code.*`), thread (`thread.*`), `target`, and busy/idle time. Off by default: they are
    /// noise next to the GenAI attributes.
    #[must_use]
    pub fn span_details(mut self, details: bool) -> Self {
        self.span_details = details;
        self
    }

    /// Whether, with no endpoint configured, spans go to the [terminal view](terminal) (on by
    /// default). Off, they are not exported at all.
    #[must_use]
    pub fn terminal_view(mut self, on: bool) -> Self {
        self.terminal_view = on;
        self
    }

    /// How long dropping the [`Guard`] may take, at most.
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Where the crate's own warnings go (standard error by default).
    #[must_use]
    pub fn diagnostics(mut self, writer: impl Write + Send + 'static) -> Self {
        self.writer = Some(Box::new(writer));
        self
    }

    /// Exports spans through `exporter` instead of OTLP (batched, bounded and reported on as
    /// OTLP would be). Metrics still follow the configured endpoint.
    #[must_use]
    pub fn span_exporter<E: SpanExporter + 'static>(mut self, exporter: E) -> Self {
        self.span_exporter = Some(pipeline::factory(exporter));
        self
    }

    /// Builds the pipeline without installing anything global: see [`Pipeline`].
    ///
    /// # Errors
    /// [`SetupError::InvalidHeader`], [`SetupError::Exporter`], [`SetupError::GrpcNotEnabled`],
    /// [`SetupError::Thread`].
    pub fn build(self) -> Result<Pipeline, SetupError> {
        pipeline::build(self)
    }

    /// Builds the pipeline and installs it: the subscriber as the global default, the providers
    /// as OpenTelemetry's global ones, the GenAI metrics bound to the meter provider.
    ///
    /// # Errors
    /// [`SetupError::AlreadyInstalled`] on a second call, [`SetupError::SubscriberAlreadySet`]
    /// when another global subscriber is set, or an error of [`build`](Self::build). Nothing
    /// is installed then.
    pub fn install(self) -> Result<Guard, SetupError> {
        static INSTALLED: AtomicBool = AtomicBool::new(false);
        if INSTALLED.swap(true, Ordering::SeqCst) {
            return Err(SetupError::AlreadyInstalled);
        }
        let installed = install(self);
        if installed.is_err() {
            INSTALLED.store(false, Ordering::SeqCst);
        }
        installed
    }
}

fn install(setup: Setup) -> Result<Guard, SetupError> {
    // Checked before anything starts, so a failed install leaves no threads behind.
    if tracing_core::dispatcher::has_been_set() {
        return Err(SetupError::SubscriberAlreadySet);
    }
    let pipeline = setup.build()?;
    tracing::dispatcher::set_global_default(Dispatch::new(pipeline.subscriber()))
        .map_err(|_| SetupError::SubscriberAlreadySet)?;
    opentelemetry::global::set_tracer_provider(pipeline.tracer_provider().clone());
    if let Some(meter_provider) = pipeline.meter_provider() {
        opentelemetry::global::set_meter_provider(meter_provider.clone());
        crate::metrics::init(meter_provider);
    }
    Ok(pipeline.into_guard())
}
