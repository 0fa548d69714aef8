//! Wrappers around the SDK's batch span processor and the exporters.
//!
//! - [`BoundedBatch`] keeps its own count of queued spans in front of the SDK's
//!   `BatchSpanProcessor`, so a full queue drops the span *here*, where it is counted and
//!   reported (the SDK's own count is private and only reaches its internal logs).
//! - [`ReportingSpans`] and [`ReportingMetrics`] see the result of each export and report
//!   failures to [`Diagnostics`]. During the shutdown, once an export has failed or the deadline
//!   has passed, they give the data still queued up at once instead of exporting it: a dead
//!   receiver cannot stretch the shutdown by one export timeout per remaining batch.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Span, SpanData, SpanExporter, SpanProcessor,
};

use super::diagnostics::Diagnostics;

/// What the pipeline's parts share: the warning channel and the shutdown state.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) diagnostics: Arc<Diagnostics>,
    deadline: OnceLock<Instant>,
    /// An export failed during the shutdown: the receiver is down or stuck, and waiting on it
    /// again for each remaining batch would only stretch the shutdown.
    failed_in_shutdown: AtomicBool,
    /// The span export under way (destination, spans), if any: a receiver that never answers
    /// leaves it there when the shutdown times out, and it is reported as failed then.
    spans_in_flight: Mutex<Option<(String, usize)>>,
    /// The metric export under way, if any (destination).
    metrics_in_flight: Mutex<Option<String>>,
}

impl Shared {
    pub(crate) fn new(diagnostics: Arc<Diagnostics>) -> Self {
        Shared {
            diagnostics,
            deadline: OnceLock::new(),
            failed_in_shutdown: AtomicBool::new(false),
            spans_in_flight: Mutex::new(None),
            metrics_in_flight: Mutex::new(None),
        }
    }

    /// Reports the exports still waiting for an answer when the shutdown gave up on them.
    pub(crate) fn report_unanswered(&self, timeout: Duration) {
        let reason = format!("no answer within the {timeout:?} shutdown timeout");
        if let Some((destination, spans)) = self
            .spans_in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            self.diagnostics
                .span_export_failed(&destination, spans, &reason);
        }
        if let Some(destination) = self
            .metrics_in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            self.diagnostics.metric_export_failed(&destination, &reason);
        }
    }

    /// From `deadline` on, exports are given up instead of attempted.
    pub(crate) fn start_shutdown(&self, deadline: Instant) {
        let _ = self.deadline.set(deadline);
    }

    /// Whether to give data up instead of exporting it: the shutdown deadline has passed, or
    /// an export already failed during the shutdown.
    fn giving_up(&self) -> bool {
        self.deadline.get().is_some_and(|deadline| {
            self.failed_in_shutdown.load(Ordering::Acquire) || Instant::now() >= *deadline
        })
    }

    fn export_failed(&self) {
        if self.deadline.get().is_some() {
            self.failed_in_shutdown.store(true, Ordering::Release);
        }
    }
}

/// The reason of the last failed request, as the transport saw it: the OTLP/HTTP exporter's own
/// error only says "network error".
#[derive(Debug, Default)]
pub(crate) struct LastError(Mutex<Option<String>>);

impl LastError {
    pub(crate) fn set(&self, reason: String) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(reason);
    }

    fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Where an exporter sends data, and how to explain its failures.
#[derive(Debug, Clone)]
pub(crate) struct Destination {
    /// The endpoint, as printed in warnings.
    pub(crate) name: String,
    /// Filled by the transport when it knows more than the exporter's error says.
    pub(crate) last_error: Option<Arc<LastError>>,
}

impl Destination {
    /// Forgets a reason left by an earlier request (one that a retry then made good).
    fn clear(&self) {
        if let Some(last) = &self.last_error {
            last.take();
        }
    }

    fn explain(&self, error: &OTelSdkError) -> String {
        self.last_error
            .as_ref()
            .and_then(|last| last.take())
            .unwrap_or_else(|| describe(error))
    }
}

/// An SDK error as a reason to print.
fn describe(error: &OTelSdkError) -> String {
    match error {
        // tonic's messages read "TonicTracesClient export failed with gRPC code: ...".
        OTelSdkError::InternalFailure(message) => message
            .split_once("export failed with ")
            .map_or_else(|| message.clone(), |(_, rest)| rest.to_owned()),
        OTelSdkError::Timeout(after) => format!("timed out after {after:?}"),
        other @ OTelSdkError::AlreadyShutdown => other.to_string(),
    }
}

/// The batch processor's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchOptions {
    pub(crate) max_queue_size: usize,
    pub(crate) schedule_delay: Duration,
    pub(crate) max_export_batch_size: usize,
}

/// How many finished spans wait for export.
#[derive(Debug)]
pub(crate) struct Queue {
    queued: AtomicUsize,
    capacity: usize,
}

impl Queue {
    /// Takes a place in the queue; false when it is full.
    fn reserve(&self) -> bool {
        if self.queued.fetch_add(1, Ordering::AcqRel) < self.capacity {
            true
        } else {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            false
        }
    }

    /// Spans taken in and not yet handed to the exporter.
    pub(crate) fn pending(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    fn release(&self, spans: usize) {
        let _ = self
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| {
                Some(q.saturating_sub(spans))
            });
    }
}

/// The SDK's `BatchSpanProcessor` (its own thread, a bounded channel, no async runtime) behind
/// a queue count of our own.
///
/// A place is taken when a span ends and given back when the exporter receives the span, which
/// is after the SDK's thread has taken it off its channel: our count is never below the
/// channel's length, the channel has the same capacity, so the SDK never drops a span we did
/// not count.
#[derive(Debug)]
pub(crate) struct BoundedBatch {
    inner: BatchSpanProcessor,
    queue: Arc<Queue>,
    shared: Arc<Shared>,
}

impl BoundedBatch {
    pub(crate) fn new<E: SpanExporter + 'static>(
        exporter: E,
        destination: Destination,
        options: BatchOptions,
        shared: Arc<Shared>,
    ) -> Self {
        let queue = Arc::new(Queue {
            queued: AtomicUsize::new(0),
            capacity: options.max_queue_size,
        });
        let exporter = ReportingSpans {
            inner: exporter,
            destination,
            queue: Arc::clone(&queue),
            shared: Arc::clone(&shared),
        };
        // Every value is set here, so the SDK's own reading of `OTEL_BSP_*` has no say.
        let config = BatchConfigBuilder::default()
            .with_max_queue_size(options.max_queue_size)
            .with_max_export_batch_size(options.max_export_batch_size)
            .with_scheduled_delay(options.schedule_delay)
            .build();
        BoundedBatch {
            inner: BatchSpanProcessor::new(exporter, config),
            queue,
            shared,
        }
    }
}

impl BoundedBatch {
    /// The queue count, for the shutdown to tell how many spans it left behind.
    pub(crate) fn queue(&self) -> Arc<Queue> {
        Arc::clone(&self.queue)
    }
}

impl SpanProcessor for BoundedBatch {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        // A recorded but unsampled span is not exported (the specification's rule for the
        // batch processor, which the SDK's does not check).
        if !span.span_context.is_sampled() {
            return;
        }
        if self.queue.reserve() {
            self.inner.on_end(span);
        } else {
            self.shared.diagnostics.span_dropped(self.queue.capacity);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Runs one export, started by `export`, with `what` recorded in `slot` while it is under way,
/// so that a shutdown that stops waiting for it reports it as unanswered (once). A failure the
/// shutdown has not already reported is counted and passed to `report`, explained.
async fn tracked<T, F: Future<Output = OTelSdkResult>>(
    shared: &Shared,
    destination: &Destination,
    slot: &Mutex<Option<T>>,
    what: T,
    export: impl FnOnce() -> F,
    report: impl FnOnce(&str),
) -> OTelSdkResult {
    destination.clear();
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(what);
    let result = export().await;
    // Not under way any more; if the shutdown already reported it unanswered, it stays
    // counted once.
    let reported = slot
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .is_none();
    if let Err(error) = &result {
        shared.export_failed();
        if !reported {
            report(&destination.explain(error));
        }
    }
    result
}

/// A span exporter that reports its failures and gives up after the shutdown deadline.
#[derive(Debug)]
struct ReportingSpans<E> {
    inner: E,
    destination: Destination,
    queue: Arc<Queue>,
    shared: Arc<Shared>,
}

impl<E: SpanExporter> SpanExporter for ReportingSpans<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        self.queue.release(spans);
        if self.shared.giving_up() {
            self.shared.diagnostics.spans_abandoned(spans);
            return Err(OTelSdkError::InternalFailure("given up at shutdown".into()));
        }
        let shared = &self.shared;
        tracked(
            shared,
            &self.destination,
            &shared.spans_in_flight,
            (self.destination.name.clone(), spans),
            || self.inner.export(batch),
            |reason| {
                shared
                    .diagnostics
                    .span_export_failed(&self.destination.name, spans, reason);
            },
        )
        .await
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// A metric exporter that reports its failures and gives up after the shutdown deadline.
#[derive(Debug)]
pub(crate) struct ReportingMetrics<E> {
    inner: E,
    destination: Destination,
    shared: Arc<Shared>,
}

impl<E> ReportingMetrics<E> {
    pub(crate) fn new(inner: E, destination: Destination, shared: Arc<Shared>) -> Self {
        ReportingMetrics {
            inner,
            destination,
            shared,
        }
    }
}

impl<E: PushMetricExporter> PushMetricExporter for ReportingMetrics<E> {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        if self.shared.giving_up() {
            return Err(OTelSdkError::InternalFailure("given up at shutdown".into()));
        }
        let shared = &self.shared;
        tracked(
            shared,
            &self.destination,
            &shared.metrics_in_flight,
            self.destination.name.clone(),
            || self.inner.export(metrics),
            |reason| {
                shared
                    .diagnostics
                    .metric_export_failed(&self.destination.name, reason);
            },
        )
        .await
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_counts_never_exceed_capacity() {
        let queue = Queue {
            queued: AtomicUsize::new(0),
            capacity: 2,
        };
        assert!(queue.reserve());
        assert!(queue.reserve());
        assert!(!queue.reserve());
        queue.release(1);
        assert!(queue.reserve());
        queue.release(10);
        assert_eq!(queue.queued.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn errors_read_well() {
        assert_eq!(
            describe(&OTelSdkError::InternalFailure(
                "TonicTracesClient export failed with gRPC code: Unavailable: connection refused"
                    .into()
            )),
            "gRPC code: Unavailable: connection refused"
        );
        assert_eq!(
            describe(&OTelSdkError::Timeout(Duration::from_secs(2))),
            "timed out after 2s"
        );
    }
}
