//! The guard: flushes and shuts the pipeline down when dropped, within a bounded time.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;

use super::export::{Queue, Shared};
#[cfg(feature = "grpc")]
use super::grpc::GrpcRuntime;

/// Keeps the pipeline running; dropping it exports what is left and shuts everything down.
///
/// The drop waits at most the [shutdown timeout](super::Setup::shutdown_timeout) (5 s unless
/// set), whatever state the receiver is in: the shutdown runs on a thread of its own, so it
/// never needs the thread that drops the guard (which may be the only thread of a
/// `current_thread` tokio runtime). Once an export fails during the shutdown, or the time is
/// up, the spans still queued are given up (and counted) rather than sent to a receiver that
/// does not take them, and the guard returns: the dropping thread is blocked for at most the
/// timeout. Then, if anything went wrong during the pipeline's life, one summary
/// line goes to the diagnostics writer (standard error by default), e.g.
/// `genai-span: 12 span batches (340 spans) failed to export; 200 spans dropped (export queue full)`.
///
/// It restores nothing: the global `tracing` subscriber cannot be unset, and stays; it now
/// hands spans to a provider that is shut down and ignores them.
#[derive(Debug)]
#[must_use = "dropping the guard shuts the telemetry pipeline down at once"]
pub struct Guard {
    parts: Option<Parts>,
}

/// What the guard shuts down.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) tracer_provider: SdkTracerProvider,
    pub(crate) meter_provider: Option<SdkMeterProvider>,
    #[cfg(feature = "grpc")]
    pub(crate) grpc: Option<GrpcRuntime>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) queue: Option<Arc<Queue>>,
    pub(crate) shutdown_timeout: Duration,
    /// Runs after the providers are shut down, on the dropping thread (the terminal view
    /// prints its waterfall here).
    pub(crate) after_shutdown: Option<AfterShutdown>,
}

/// A closing step run by the guard.
pub(crate) struct AfterShutdown(pub(crate) Box<dyn FnOnce() + Send>);

impl std::fmt::Debug for AfterShutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AfterShutdown(..)")
    }
}

impl Guard {
    pub(crate) fn new(parts: Parts) -> Self {
        Guard { parts: Some(parts) }
    }

    /// Shuts the pipeline down now (what dropping the guard does).
    pub fn shutdown(mut self) {
        if let Some(parts) = self.parts.take() {
            parts.shutdown();
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take() {
            parts.shutdown();
        }
    }
}

impl Parts {
    fn shutdown(self) {
        let Parts {
            tracer_provider,
            meter_provider,
            #[cfg(feature = "grpc")]
            grpc,
            shared,
            queue,
            shutdown_timeout,
            after_shutdown,
        } = self;
        let deadline = Instant::now() + shutdown_timeout;
        // From the deadline on, batches still queued are given up instead of exported.
        shared.start_shutdown(deadline);
        let (done, finished) = mpsc::channel::<()>();
        // The SDK's shutdown blocks until its threads have exported, and an exporter may need a
        // runtime the dropping thread drives: it must not run on the dropping thread.
        let spawned = std::thread::Builder::new()
            .name("genai-span-shutdown".into())
            .spawn(move || {
                // Traces and metrics shut down side by side, each within the timeout.
                let metrics = meter_provider.map(|provider| {
                    std::thread::spawn(move || {
                        let _ = provider.shutdown_with_timeout(shutdown_timeout);
                    })
                });
                let _ = tracer_provider.shutdown_with_timeout(shutdown_timeout);
                if let Some(metrics) = metrics {
                    let _ = metrics.join();
                }
                #[cfg(feature = "grpc")]
                if let Some(grpc) = grpc {
                    grpc.stop();
                }
                let _ = done.send(());
            });
        let timed_out = match spawned {
            Ok(_) => finished
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .is_err(),
            Err(_) => true,
        };
        if timed_out {
            shared.report_unanswered(shutdown_timeout);
            shared.diagnostics.shutdown_timed_out(shutdown_timeout);
            if let Some(queue) = queue {
                shared.diagnostics.spans_abandoned(queue.pending());
            }
        }
        if let Some(AfterShutdown(step)) = after_shutdown {
            step();
        }
        shared.diagnostics.close();
    }
}
