//! Running a call inside its span: the outcome is recorded when the call returns, fails,
//! panics, or is dropped before it finishes.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::call::Call;
use crate::error::{CANCELLED, PANIC};

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
        // No call when no subscriber wants the span (a stream still needs wrapping then).
        call: Option<Call>,
        // Taken when the inner future completes or panics: a call still here on drop was
        // cancelled.
        finish: Option<R>,
    }

    impl<F, R> PinnedDrop for Instrumented<F, R> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let (Some(mut call), Some(_)) = (this.call.take(), this.finish.take()) {
                call.error(CANCELLED, "cancelled: dropped before completion");
                call.end();
            }
        }
    }
}

impl<F, R, T> Instrumented<F, R>
where
    F: Future,
    R: FnOnce(Option<Call>, F::Output) -> T,
{
    /// Wraps `inner`; once it is ready, `finish` records its output on the call, ends it (or
    /// hands it on, for a stream) and gives the function's return value.
    pub fn new(call: Option<Call>, inner: F, finish: R) -> Self {
        Instrumented {
            inner,
            call,
            finish: Some(finish),
        }
    }
}

impl<F, R, T> Future for Instrumented<F, R>
where
    F: Future,
    R: FnOnce(Option<Call>, F::Output) -> T,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.project();
        // The `Future` contract, as for `async fn`s.
        assert!(
            this.finish.is_some(),
            "`Instrumented` polled after completion"
        );
        let polled = {
            let _entered = this.call.as_ref().map(|call| call.span().enter());
            let inner = this.inner;
            catch_unwind(AssertUnwindSafe(|| inner.poll(cx)))
        };
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => {
                let finish = this.finish.take().expect("checked above");
                Poll::Ready(finish(this.call.take(), output))
            }
            Err(payload) => {
                this.finish.take();
                if let Some(call) = this.call.take() {
                    panicked(call, payload.as_ref());
                }
                resume_unwind(payload)
            }
        }
    }
}

/// Runs a synchronous body inside the call's span, then `finish` records its output.
pub fn run_sync<T, U>(
    call: Option<Call>,
    body: impl FnOnce() -> T,
    finish: impl FnOnce(Option<Call>, T) -> U,
) -> U {
    let outcome = {
        let _entered = call.as_ref().map(|call| call.span().enter());
        catch_unwind(AssertUnwindSafe(body))
    };
    match outcome {
        Ok(output) => finish(call, output),
        Err(payload) => {
            if let Some(call) = call {
                panicked(call, payload.as_ref());
            }
            resume_unwind(payload)
        }
    }
}

/// Ends a call whose body panicked, described by the panic message.
pub(crate) fn panicked(mut call: Call, payload: &(dyn Any + Send)) {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panicked");
    call.error(PANIC, message);
    call.end();
}
