//! Running a call inside its span: the outcome is recorded when the call returns, fails,
//! panics, or is dropped before it finishes.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tracing::Span;

use crate::error::{CANCELLED, PANIC};
use crate::record;

pin_project! {
    /// A future that runs inside its GenAI span and records its outcome.
    ///
    /// The span is entered only while the inner future is polled, so no guard is held across
    /// an `.await` and the future is `Send` whenever the inner one is.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Instrumented<F, R> {
        #[pin]
        inner: F,
        span: Span,
        finish: Option<R>,
    }

    impl<F, R> PinnedDrop for Instrumented<F, R> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            // `finish` is still here only when the future never completed.
            if this.finish.take().is_some() {
                record::error(this.span, CANCELLED, "cancelled: dropped before completion");
            }
        }
    }
}

impl<F, R> Instrumented<F, R>
where
    F: Future,
    R: FnOnce(&Span, &F::Output),
{
    /// Wraps `inner`; `finish` records its output on `span` once it is ready.
    pub fn new(span: Span, inner: F, finish: R) -> Self {
        Instrumented {
            inner,
            span,
            finish: Some(finish),
        }
    }
}

impl<F, R> Future for Instrumented<F, R>
where
    F: Future,
    R: FnOnce(&Span, &F::Output),
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let inner = this.inner;
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => {
                if let Some(finish) = this.finish.take() {
                    finish(this.span, &output);
                }
                Poll::Ready(output)
            }
            Err(payload) => {
                this.finish.take();
                record_panic(this.span, payload.as_ref());
                resume_unwind(payload)
            }
        }
    }
}

/// Runs a synchronous body inside `span`, then records its output with `finish`.
pub fn run_sync<T>(span: &Span, body: impl FnOnce() -> T, finish: impl FnOnce(&Span, &T)) -> T {
    let _entered = span.enter();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(output) => {
            finish(span, &output);
            output
        }
        Err(payload) => {
            record_panic(span, payload.as_ref());
            resume_unwind(payload)
        }
    }
}

fn record_panic(span: &Span, payload: &(dyn Any + Send)) {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panicked");
    record::error(span, PANIC, message);
}
