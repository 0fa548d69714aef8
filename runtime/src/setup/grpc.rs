//! OTLP over gRPC, through tonic, on a tokio runtime of our own.
//!
//! A tonic channel spawns its connection task on the runtime it is created in. Created in the
//! application's runtime, the exporter would depend on that runtime being driven: on a
//! `current_thread` runtime blocked in a shutdown, or after it has stopped, exports hang or
//! fail. So the channel is created inside a current-thread runtime that runs on a thread of its
//! own ([`GrpcRuntime`]); the SDK's batch thread only sends requests to it and waits for the
//! answers. The channel's timeout bounds every request.

use std::thread::JoinHandle;
use std::time::Duration;

use opentelemetry_otlp::{WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::metrics::Temporality;
use tonic::metadata::{AsciiMetadataKey, AsciiMetadataValue};

use super::SetupError;
use super::config::Target;
use super::export::Destination;

/// A tokio runtime on a thread of its own, running until [`GrpcRuntime::stop`].
#[derive(Debug)]
pub(crate) struct GrpcRuntime {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl GrpcRuntime {
    pub(crate) fn start() -> Result<Self, SetupError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(SetupError::Thread)?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("genai-span-grpc".into())
            .spawn(move || {
                // Drives the channel's tasks until told to stop (or the sender is dropped).
                runtime.block_on(async {
                    let _ = stopped.await;
                });
                // Connection tasks still waiting on a dead receiver are not waited for.
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .map_err(SetupError::Thread)?;
        Ok(GrpcRuntime {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Stops the runtime and waits for its thread; call it off the application's threads.
    pub(crate) fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sets the resolved headers as gRPC metadata on each request. It runs after the exporter has
/// added the metadata it read from `OTEL_EXPORTER_OTLP_HEADERS` itself, and replaces same-named
/// entries, so headers set in code win.
#[derive(Debug, Clone)]
struct Metadata(Vec<(AsciiMetadataKey, AsciiMetadataValue)>);

impl tonic::service::Interceptor for Metadata {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        for (key, value) in &self.0 {
            request.metadata_mut().insert(key.clone(), value.clone());
        }
        Ok(request)
    }
}

fn metadata(target: &Target) -> Result<Metadata, SetupError> {
    let mut entries = Vec::with_capacity(target.headers.len());
    for (name, value) in &target.headers {
        let invalid = |reason: &str| SetupError::InvalidHeader {
            name: name.clone(),
            reason: reason.to_owned(),
        };
        let key = name
            .to_ascii_lowercase()
            .parse::<AsciiMetadataKey>()
            .map_err(|_| invalid("not a valid gRPC metadata key"))?;
        let value = value
            .parse::<AsciiMetadataValue>()
            .map_err(|_| invalid("not a valid gRPC metadata value"))?;
        entries.push((key, value));
    }
    Ok(Metadata(entries))
}

fn destination(target: &Target) -> Destination {
    Destination {
        name: target.endpoint.clone(),
        last_error: None,
    }
}

/// The OTLP/gRPC span exporter for `target`, its channel on `runtime`.
pub(crate) fn span_exporter(
    target: &Target,
    runtime: &GrpcRuntime,
) -> Result<(opentelemetry_otlp::SpanExporter, Destination), SetupError> {
    let metadata = metadata(target)?;
    // Entering a runtime's context is allowed inside another one (only `block_on` is not).
    let _context = runtime.handle.enter();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(target.endpoint.clone())
        .with_timeout(target.timeout)
        .with_interceptor(metadata)
        .build()
        .map_err(|e| SetupError::Exporter(e.to_string()))?;
    Ok((exporter, destination(target)))
}

/// The OTLP/gRPC metric exporter for `target`, its channel on `runtime`.
pub(crate) fn metric_exporter(
    target: &Target,
    runtime: &GrpcRuntime,
) -> Result<(opentelemetry_otlp::MetricExporter, Destination), SetupError> {
    let metadata = metadata(target)?;
    let _context = runtime.handle.enter();
    let exporter = opentelemetry_otlp::MetricExporter::builder()
        .with_tonic()
        .with_endpoint(target.endpoint.clone())
        .with_timeout(target.timeout)
        .with_interceptor(metadata)
        .with_temporality(Temporality::Cumulative)
        .build()
        .map_err(|e| SetupError::Exporter(e.to_string()))?;
    Ok((exporter, destination(target)))
}
