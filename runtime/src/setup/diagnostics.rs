//! The crate's own warnings: one readable line the first time each kind of problem happens,
//! counts after that, and a summary when the pipeline shuts down.
//!
//! The OTel SDK reports export failures and dropped spans only through its internal logs,
//! which nobody sees unless they install a subscriber for them. We do not rely on those: the
//! exporter and processor wrappers of [`super::export`] see each failed export and each
//! dropped span themselves and report here.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Where the lines go (standard error unless the builder says otherwise).
pub(crate) type Writer = Box<dyn Write + Send>;

/// Counts one kind of failure, and remembers whether it was printed.
#[derive(Debug, Default)]
struct Count {
    events: AtomicU64,
    items: AtomicU64,
    printed: AtomicBool,
}

impl Count {
    /// Counts an event of `items` items; true the first time.
    fn add(&self, items: usize) -> bool {
        self.events.fetch_add(1, Ordering::Relaxed);
        self.items.fetch_add(items as u64, Ordering::Relaxed);
        !self.printed.swap(true, Ordering::Relaxed)
    }

    fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }

    fn items(&self) -> u64 {
        self.items.load(Ordering::Relaxed)
    }
}

/// The warning channel of one installed pipeline.
pub(crate) struct Diagnostics {
    writer: Mutex<Writer>,
    /// Set once the summary is printed: a background thread still finishing an export after a
    /// timed-out shutdown must not print after it.
    closed: AtomicBool,
    span_exports: Count,
    metric_exports: Count,
    dropped_spans: Count,
    abandoned_spans: Count,
    shutdown_timeout: Count,
}

impl std::fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Diagnostics")
            .field("span_export_failures", &self.span_exports.events())
            .field("metric_export_failures", &self.metric_exports.events())
            .field("dropped_spans", &self.dropped_spans.items())
            .finish_non_exhaustive()
    }
}

impl Diagnostics {
    pub(crate) fn new(writer: Writer) -> Self {
        Diagnostics {
            writer: Mutex::new(writer),
            closed: AtomicBool::new(false),
            span_exports: Count::default(),
            metric_exports: Count::default(),
            dropped_spans: Count::default(),
            abandoned_spans: Count::default(),
            shutdown_timeout: Count::default(),
        }
    }

    /// Prints `genai-span: {message}` on a line of its own.
    pub(crate) fn line(&self, message: &str) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // Nowhere to report a failure to write a warning: ignoring it is all we can do.
        let _ = writeln!(writer, "genai-span: {message}");
        let _ = writer.flush();
    }

    /// An export of `spans` spans to `destination` failed because of `detail`.
    pub(crate) fn span_export_failed(&self, destination: &str, spans: usize, detail: &str) {
        if self.span_exports.add(spans) {
            self.line(&format!(
                "exporting spans to {destination} failed: {detail}; \
                 further failures are counted, not printed"
            ));
        }
    }

    /// An export of metrics to `destination` failed because of `detail`.
    pub(crate) fn metric_export_failed(&self, destination: &str, detail: &str) {
        if self.metric_exports.add(0) {
            self.line(&format!(
                "exporting metrics to {destination} failed: {detail}; \
                 further failures are counted, not printed"
            ));
        }
    }

    /// A finished span found the export queue (of `capacity` spans) full.
    pub(crate) fn span_dropped(&self, capacity: usize) {
        if self.dropped_spans.add(1) {
            self.line(&format!(
                "the span export queue is full ({capacity} spans): spans are being dropped; \
                 further drops are counted, not printed"
            ));
        }
    }

    /// `spans` spans were given up at shutdown (the receiver failing, or time running out).
    pub(crate) fn spans_abandoned(&self, spans: usize) {
        self.abandoned_spans.add(spans);
    }

    /// The shutdown did not finish within `timeout`; it goes on in the background.
    pub(crate) fn shutdown_timed_out(&self, timeout: Duration) {
        if self.shutdown_timeout.add(0) {
            self.line(&format!(
                "the telemetry pipeline did not shut down within {timeout:?}; \
                 left it finishing in the background"
            ));
        }
    }

    /// The closing summary, or `None` when nothing went wrong.
    pub(crate) fn summary(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let batches = self.span_exports.events();
        if batches > 0 {
            let spans = self.span_exports.items();
            let part = format!(
                "{batches} span {} ({spans} {}) failed to export",
                plural(batches, "batch", "batches"),
                plural(spans, "span", "spans")
            );
            parts.push(part);
        }
        let metric_failures = self.metric_exports.events();
        if metric_failures > 0 {
            parts.push(format!(
                "{metric_failures} metric {} failed",
                plural(metric_failures, "export", "exports")
            ));
        }
        let dropped = self.dropped_spans.items();
        if dropped > 0 {
            parts.push(format!(
                "{dropped} {} dropped (export queue full)",
                plural(dropped, "span", "spans")
            ));
        }
        let abandoned = self.abandoned_spans.items();
        if abandoned > 0 {
            parts.push(format!(
                "{abandoned} {} given up at shutdown",
                plural(abandoned, "span", "spans")
            ));
        }
        if parts.is_empty() {
            return None;
        }
        Some(parts.join("; "))
    }

    /// Prints the summary, if there is one, and then nothing more.
    pub(crate) fn close(&self) {
        if let Some(summary) = self.summary() {
            self.line(&summary);
        }
        self.closed.store(true, Ordering::Release);
    }
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A readable reason from an error chain: the innermost I/O error's kind when there is one
/// ("connection refused"), else the innermost message.
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    let mut io_kind = None;
    loop {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        match current.source() {
            Some(next) => current = next,
            None => break,
        }
    }
    match io_kind {
        Some(kind) if kind != std::io::ErrorKind::Other => kind.to_string(),
        _ => current.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn each_kind_is_printed_once_then_counted() {
        let buffer = Buffer::default();
        let diagnostics = Diagnostics::new(Box::new(buffer.clone()));
        for _ in 0..3 {
            diagnostics.span_export_failed(
                "http://127.0.0.1:4318/v1/traces",
                10,
                "connection refused",
            );
            diagnostics.span_dropped(2048);
        }
        diagnostics.metric_export_failed("http://127.0.0.1:4318/v1/metrics", "timed out");
        diagnostics.spans_abandoned(4);
        assert_eq!(
            buffer.text(),
            "genai-span: exporting spans to http://127.0.0.1:4318/v1/traces failed: connection refused; further failures are counted, not printed\n\
             genai-span: the span export queue is full (2048 spans): spans are being dropped; further drops are counted, not printed\n\
             genai-span: exporting metrics to http://127.0.0.1:4318/v1/metrics failed: timed out; further failures are counted, not printed\n"
        );
        assert_eq!(
            diagnostics.summary().unwrap(),
            "3 span batches (30 spans) failed to export; 1 metric export failed; \
             3 spans dropped (export queue full); 4 spans given up at shutdown"
        );
    }

    #[test]
    fn nothing_is_printed_after_the_summary() {
        let buffer = Buffer::default();
        let diagnostics = Diagnostics::new(Box::new(buffer.clone()));
        diagnostics.span_dropped(1);
        diagnostics.close();
        diagnostics.span_export_failed("x", 1, "late");
        assert_eq!(
            buffer.text(),
            "genai-span: the span export queue is full (1 spans): spans are being dropped; further drops are counted, not printed\n\
             genai-span: 1 span dropped (export queue full)\n"
        );
    }

    #[test]
    fn no_summary_when_all_went_well() {
        let diagnostics = Diagnostics::new(Box::new(std::io::sink()));
        assert_eq!(diagnostics.summary(), None);
    }

    #[test]
    fn root_cause_prefers_the_io_kind() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error sending request")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let refused = Outer(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(root_cause(&refused), "connection refused");
        let other = Outer(std::io::Error::other("weird"));
        assert_eq!(root_cause(&other), "weird");
    }
}
