//! Building the pipeline: resource, sampler, span processor and exporters, meter provider, and
//! the `tracing` layer over them.

use std::sync::Arc;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::resource::TelemetryResourceDetector;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use tracing_core::{Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;

use super::config::{self, Resolved, Target};
use super::diagnostics::Diagnostics;
use super::export::{BatchOptions, BoundedBatch, Destination, ReportingMetrics, Shared};
#[cfg(feature = "grpc")]
use super::grpc::{self, GrpcRuntime};
use super::guard::{AfterShutdown, Guard, Parts};
use super::terminal::TerminalExporter;
use super::{Protocol, Setup, SetupError, http};
use crate::semconv::{GEN_AI_OPERATION_NAME, SCHEMA_URL};

/// Builds the span processor around an exporter the application gave.
pub(crate) type ExporterFactory = Box<dyn FnOnce(BatchOptions, Arc<Shared>) -> BoundedBatch + Send>;

/// A factory for `exporter`.
pub(crate) fn factory<E: SpanExporter + 'static>(exporter: E) -> ExporterFactory {
    Box::new(move |options, shared| {
        let destination = Destination {
            name: "the configured span exporter".into(),
            last_error: None,
        };
        BoundedBatch::new(exporter, destination, options, shared)
    })
}

/// A built pipeline, not installed: the OTel providers, the guard that shuts them down, and the
/// `tracing` layer to put in a subscriber of your own.
///
/// [`Setup::install`] is `build` plus a registry with [`Pipeline::layer`] set as the global
/// subscriber, the providers set as OpenTelemetry's global ones, and the GenAI metrics bound to
/// the meter provider. `build` alone touches no global state, so a test can run its code under
/// [`Pipeline::subscriber`] with `tracing::subscriber::with_default`, and an application with a
/// subscriber of its own (an `fmt` layer, an `EnvFilter`) adds [`Pipeline::layer`] to it:
///
/// ```no_run
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// # fn main() -> Result<(), genai_span::setup::SetupError> {
/// let pipeline = genai_span::setup::Setup::from_env().build()?;
/// if let Some(meter_provider) = pipeline.meter_provider() {
///     genai_span::metrics::init(meter_provider);
/// }
/// let subscriber = tracing_subscriber::registry()
///     .with(pipeline.layer())
///     .with(tracing_subscriber::fmt::layer());
/// tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
/// let _guard = pipeline.into_guard();
/// # Ok(())
/// # }
/// ```
///
/// Dropping the pipeline shuts it down as dropping its [`Guard`] does.
#[derive(Debug)]
pub struct Pipeline {
    tracer_provider: SdkTracerProvider,
    meter_provider: Option<SdkMeterProvider>,
    genai_only: bool,
    span_details: bool,
    guard: Guard,
}

impl Pipeline {
    /// The `tracing-opentelemetry` layer over this pipeline's tracer, with the span filter and
    /// attribute options of the [`Setup`]. Each call makes a new layer over the same provider.
    #[must_use]
    pub fn layer<S>(&self) -> impl Layer<S> + Send + Sync + 'static
    where
        S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
    {
        let scope = InstrumentationScope::builder(env!("CARGO_PKG_NAME"))
            .with_version(env!("CARGO_PKG_VERSION"))
            .with_schema_url(SCHEMA_URL)
            .build();
        let tracer = self.tracer_provider.tracer_with_scope(scope);
        let details = self.span_details;
        let genai_only = self.genai_only;
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_location(details)
            .with_threads(details)
            .with_target(details)
            .with_tracked_inactivity(details)
            .with_filter(filter_fn(move |metadata| keeps(metadata, genai_only)))
    }

    /// A `tracing` subscriber: a registry with [`Pipeline::layer`], and nothing else.
    #[must_use]
    pub fn subscriber(&self) -> impl Subscriber + Send + Sync + 'static {
        tracing_subscriber::registry().with(self.layer())
    }

    /// The tracer provider (the spans' exporter is behind it).
    #[must_use]
    pub fn tracer_provider(&self) -> &SdkTracerProvider {
        &self.tracer_provider
    }

    /// The meter provider, when a metrics endpoint is configured. Pass it to
    /// [`genai_span::metrics::init`](crate::metrics::init) to record the GenAI metrics on it.
    #[must_use]
    pub fn meter_provider(&self) -> Option<&SdkMeterProvider> {
        self.meter_provider.as_ref()
    }

    /// The guard alone, for when the subscriber is set up.
    pub fn into_guard(self) -> Guard {
        self.guard
    }
}

/// Whether the layer takes a span or event with this metadata.
///
/// With `genai_only`, spans whose callsite declares `gen_ai.operation.name` (every
/// `#[genai_span]` span does). Events are kept (they become events of the enclosing exported
/// span), except the OTel SDK's own internal logs, which would otherwise be attached to the
/// application's spans.
fn keeps(metadata: &Metadata<'_>, genai_only: bool) -> bool {
    if metadata.is_span() {
        !genai_only || metadata.fields().field(GEN_AI_OPERATION_NAME).is_some()
    } else {
        !metadata.target().starts_with("opentelemetry")
    }
}

/// Builds every part; nothing global is touched.
pub(crate) fn build(setup: Setup) -> Result<Pipeline, SetupError> {
    let Setup {
        env,
        env_warnings,
        code,
        genai_only,
        span_details,
        terminal_view,
        shutdown_timeout,
        writer,
        span_exporter,
    } = setup;
    let writer = writer.unwrap_or_else(|| Box::new(std::io::stderr()));
    let diagnostics = Arc::new(Diagnostics::new(writer));
    for warning in &env_warnings {
        diagnostics.line(warning);
    }
    let shared = Arc::new(Shared::new(diagnostics));
    let resolved = config::resolve(&code, &env);
    let resource = resource(&resolved);
    let exporters = Exporters::start(&resolved, span_exporter.is_some())?;

    let mut tracer_provider = SdkTracerProvider::builder()
        .with_sampler(resolved.sampler.to_sdk())
        .with_resource(resource.clone());
    let options = BatchOptions {
        max_queue_size: resolved.max_queue_size,
        schedule_delay: resolved.schedule_delay,
        max_export_batch_size: resolved.max_export_batch_size,
    };
    let processor = match (span_exporter, &resolved.traces) {
        (Some(factory), _) => Some(factory(options, Arc::clone(&shared))),
        (None, Some(target)) => {
            let (exporter, destination) = exporters.span_exporter(target)?;
            Some(BoundedBatch::new(
                exporter,
                destination,
                options,
                Arc::clone(&shared),
            ))
        }
        (None, None) => None,
    };
    let queue = processor.as_ref().map(BoundedBatch::queue);
    if let Some(processor) = processor {
        tracer_provider = tracer_provider.with_span_processor(processor);
    }
    // With no endpoint at all, the terminal view keeps the spans and prints them at the end.
    // The simple processor exports on the thread that ends the span, which is fine here: the
    // terminal exporter only appends to memory, and its future is ready at once.
    let mut after_shutdown = None;
    if queue.is_none() && resolved.metrics.is_none() && terminal_view {
        let terminal = TerminalExporter::new();
        tracer_provider = tracer_provider.with_simple_exporter(terminal.clone());
        after_shutdown = Some(AfterShutdown(Box::new(move || terminal.print())));
    }
    let tracer_provider = tracer_provider.build();

    let meter_provider = match &resolved.metrics {
        Some(target) => {
            let (exporter, destination) = exporters.metric_exporter(target)?;
            let exporter = ReportingMetrics::new(exporter, destination, Arc::clone(&shared));
            let reader = PeriodicReader::builder(exporter)
                .with_interval(resolved.metric_export_interval)
                .build();
            Some(
                SdkMeterProvider::builder()
                    .with_reader(reader)
                    .with_resource(resource)
                    .build(),
            )
        }
        None => None,
    };

    let parts = Parts {
        tracer_provider: tracer_provider.clone(),
        meter_provider: meter_provider.clone(),
        #[cfg(feature = "grpc")]
        grpc: exporters.grpc,
        shared,
        queue,
        shutdown_timeout,
        after_shutdown,
    };
    Ok(Pipeline {
        tracer_provider,
        meter_provider,
        genai_only,
        span_details,
        guard: Guard::new(parts),
    })
}

fn resource(resolved: &Resolved) -> Resource {
    Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(
            resolved
                .resource_attributes
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
        )
        .with_service_name(resolved.service_name.clone())
        .build()
}

/// Builds the OTLP exporters, with the gRPC runtime when a target needs it.
struct Exporters {
    #[cfg(feature = "grpc")]
    grpc: Option<GrpcRuntime>,
}

impl Exporters {
    fn start(resolved: &Resolved, custom_spans: bool) -> Result<Self, SetupError> {
        let is_grpc = |t: &Option<Target>| t.as_ref().is_some_and(|t| t.protocol == Protocol::Grpc);
        let needs_grpc = (!custom_spans && is_grpc(&resolved.traces)) || is_grpc(&resolved.metrics);
        #[cfg(feature = "grpc")]
        {
            let grpc = if needs_grpc {
                Some(GrpcRuntime::start()?)
            } else {
                None
            };
            Ok(Exporters { grpc })
        }
        #[cfg(not(feature = "grpc"))]
        {
            if needs_grpc {
                return Err(SetupError::GrpcNotEnabled);
            }
            Ok(Exporters {})
        }
    }

    #[cfg_attr(
        not(feature = "grpc"),
        expect(clippy::unused_self, reason = "only gRPC exporters need the runtime")
    )]
    fn span_exporter(
        &self,
        target: &Target,
    ) -> Result<(opentelemetry_otlp::SpanExporter, Destination), SetupError> {
        match target.protocol {
            Protocol::HttpProtobuf => http::span_exporter(target),
            #[cfg(feature = "grpc")]
            Protocol::Grpc => grpc::span_exporter(target, self.runtime()?),
            #[cfg(not(feature = "grpc"))]
            Protocol::Grpc => Err(SetupError::GrpcNotEnabled),
        }
    }

    #[cfg_attr(
        not(feature = "grpc"),
        expect(clippy::unused_self, reason = "only gRPC exporters need the runtime")
    )]
    fn metric_exporter(
        &self,
        target: &Target,
    ) -> Result<(opentelemetry_otlp::MetricExporter, Destination), SetupError> {
        match target.protocol {
            Protocol::HttpProtobuf => http::metric_exporter(target),
            #[cfg(feature = "grpc")]
            Protocol::Grpc => grpc::metric_exporter(target, self.runtime()?),
            #[cfg(not(feature = "grpc"))]
            Protocol::Grpc => Err(SetupError::GrpcNotEnabled),
        }
    }

    #[cfg(feature = "grpc")]
    fn runtime(&self) -> Result<&GrpcRuntime, SetupError> {
        self.grpc
            .as_ref()
            .ok_or_else(|| SetupError::Exporter("the gRPC runtime is not running".into()))
    }
}
