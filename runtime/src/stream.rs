//! Streamed responses: the span stays open until the stream ends, fails, or is dropped, and
//! adds up what the chunks report.

use std::cell::Cell;
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::call::Call;
use crate::error::CANCELLED;
use crate::instrument::panicked;
use crate::response::{GenAiChunk, ResponseAttributes, TokenUsage};

/// What the chunks of one stream reported so far, owned: chunks are gone once yielded.
#[derive(Debug, Default)]
pub struct StreamState {
    chunks: u64,
    last_chunk: Option<Instant>,
    model: Option<String>,
    id: Option<String>,
    finish_reasons: Vec<String>,
    usage: TokenUsage,
    tool_call_ids: Vec<String>,
    tool_calls: Option<i64>,
    error: Option<(String, String)>,
}

impl StreamState {
    /// Adds what one chunk reports. Strings are copied only when they change: providers
    /// repeat the model and id in every chunk.
    pub fn chunk<C: GenAiChunk + ?Sized>(&mut self, chunk: &C) {
        let mut attrs = ResponseAttributes::default();
        chunk.record(&mut attrs);
        self.chunks += 1;
        replace_if_changed(&mut self.model, attrs.model);
        replace_if_changed(&mut self.id, attrs.id);
        self.finish_reasons
            .extend(attrs.finish_reasons.iter().map(str::to_owned));
        let usage = attrs.usage;
        for (total, reported) in [
            (&mut self.usage.input, usage.input),
            (&mut self.usage.output, usage.output),
            (&mut self.usage.cache_read, usage.cache_read),
            (&mut self.usage.cache_creation, usage.cache_creation),
            (&mut self.usage.reasoning, usage.reasoning),
        ] {
            // Providers that report usage send it once, or cumulatively: the last report wins.
            if reported.is_some() {
                *total = reported;
            }
        }
        for id in attrs.tool_call_ids.iter() {
            if !self.tool_call_ids.iter().any(|known| known == id) {
                self.tool_call_ids.push(id.to_owned());
            }
        }
        if let Some(count) = attrs.tool_calls {
            self.tool_calls = Some(self.tool_calls.unwrap_or(0).saturating_add(count));
        }
    }

    /// Records that the stream yielded an error: the call ends with it.
    pub fn error(&mut self, error_type: &str, description: &str) {
        if self.error.is_none() {
            self.error = Some((error_type.to_owned(), description.to_owned()));
        }
    }

    /// The chunks so far, as one response.
    fn as_response(&self) -> ResponseAttributes<'_> {
        let mut attrs = ResponseAttributes::default();
        if let Some(model) = &self.model {
            attrs.response_model(model);
        }
        if let Some(id) = &self.id {
            attrs.response_id(id);
        }
        for reason in &self.finish_reasons {
            attrs.finish_reason(reason);
        }
        attrs.usage = self.usage;
        attrs.tool_calls = self.tool_calls;
        for id in &self.tool_call_ids {
            attrs.tool_call_id(id);
        }
        attrs
    }
}

fn replace_if_changed(owned: &mut Option<String>, reported: Option<&str>) {
    if let Some(reported) = reported {
        if owned.as_deref() != Some(reported) {
            *owned = Some(reported.to_owned());
        }
    }
}

pin_project! {
    /// A stream of response chunks, recorded on its call's span.
    ///
    /// The call ends when the stream ends (`None`), yields an error, panics, or is dropped
    /// early (recorded as [`CANCELLED`]). Items after the end pass through unrecorded.
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct InstrumentedStream<S, G> {
        #[pin]
        inner: S,
        // The call and what its chunks reported so far, boxed: `None` (one word) when no
        // subscriber wants the span, and once the call has ended.
        call: Option<(Call, Box<StreamState>)>,
        on_item: G,
    }

    impl<S, G> PinnedDrop for InstrumentedStream<S, G> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some((mut call, state)) = this.call.take() {
                // The consumer stopped early: what the chunks said so far is kept.
                call.response(&state.as_response());
                call.error(CANCELLED, "cancelled: the stream was dropped before it ended");
                call.end();
            }
        }
    }
}

impl<S, G> InstrumentedStream<S, G>
where
    S: Stream,
    G: FnMut(&mut StreamState, &S::Item),
{
    /// Wraps `inner`; `on_item` adds each item to the state (or records its error). Without a
    /// call (no subscriber wants the span) items pass straight through.
    pub fn new(call: Option<Call>, inner: S, on_item: G) -> Self {
        InstrumentedStream {
            inner,
            call: call.map(|call| (call, Box::default())),
            on_item,
        }
    }
}

impl<S, G> Stream for InstrumentedStream<S, G>
where
    S: Stream,
    G: FnMut(&mut StreamState, &S::Item),
{
    type Item = S::Item;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        let Some((call, state)) = this.call.as_mut() else {
            // No subscriber, or ended (an error was yielded): pass the rest through.
            return this.inner.poll_next(cx);
        };
        let polled = {
            let _entered = call.span().enter();
            let inner = this.inner;
            catch_unwind(AssertUnwindSafe(|| inner.poll_next(cx)))
        };
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(Some(item))) => {
                let chunks_before = state.chunks;
                (this.on_item)(state, &item);
                if state.chunks > chunks_before {
                    chunk_timing(call, state);
                }
                if let Some((error_type, description)) = state.error.take() {
                    let (mut call, state) = this.call.take().expect("checked above");
                    call.response(&state.as_response());
                    call.error(&error_type, &description);
                    call.end();
                }
                Poll::Ready(Some(item))
            }
            Ok(Poll::Ready(None)) => {
                let (mut call, state) = this.call.take().expect("checked above");
                call.response(&state.as_response());
                call.end();
                Poll::Ready(None)
            }
            Err(payload) => {
                let (mut call, state) = this.call.take().expect("checked above");
                call.response(&state.as_response());
                panicked(call, payload.as_ref());
                resume_unwind(payload)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

/// Time to the first chunk (on the span and as a metric), then time per output chunk.
fn chunk_timing(call: &Call, state: &mut StreamState) {
    let now = Instant::now();
    match state.last_chunk.replace(now) {
        None => {
            let seconds = call.elapsed();
            call.time_to_first_chunk(seconds);
            if let Some(metrics) = call.metrics() {
                metrics.record_time_to_first_chunk(seconds, state.model.as_deref());
            }
        }
        Some(previous) => {
            if let Some(metrics) = call.metrics() {
                metrics.record_time_per_output_chunk(
                    now.duration_since(previous).as_secs_f64(),
                    state.model.as_deref(),
                );
            }
        }
    }
}

/// A chunk type that can never be a value: the item type of the "not a stream" probe below,
/// so that a misuse reports one error, not a cascade.
impl GenAiChunk for Infallible {
    fn record<'a>(&'a self, _: &mut ResponseAttributes<'a>) {
        match *self {}
    }
}

/// Holds a function's return value while the probes below decide how to wrap its stream:
/// `(&&&&&StreamProbe::new(value)).wrap(call, on_item)`. Each probe has impls at several
/// depths of reference, and method resolution picks the deepest that applies (see
/// `__private`), so a `Result` of a boxed stream is re-boxed, a `Result` of any stream is
/// wrapped in `Ok`, and anything else that is not a stream is a compile error.
pub struct StreamProbe<T>(Cell<Option<T>>);

impl<T> std::fmt::Debug for StreamProbe<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamProbe")
    }
}

impl<T> StreamProbe<T> {
    /// Holds `value`.
    pub fn new(value: T) -> Self {
        StreamProbe(Cell::new(Some(value)))
    }

    fn take(&self) -> T {
        self.0.take().expect("a probe is used once")
    }
}

/// A boxed `dyn Stream`, `Send` or not: re-boxed around the instrumented stream so the
/// function keeps its declared type.
pub trait BoxedStream<'a>: Sized {
    /// The item type.
    type Item;
    /// Instruments the stream.
    fn instrument<G>(self, call: Option<Call>, on_item: G) -> Self
    where
        G: FnMut(&mut StreamState, &Self::Item) + Send + 'a;
}

impl<'a, I: 'a> BoxedStream<'a> for Pin<Box<dyn Stream<Item = I> + Send + 'a>> {
    type Item = I;
    fn instrument<G>(self, call: Option<Call>, on_item: G) -> Self
    where
        G: FnMut(&mut StreamState, &I) + Send + 'a,
    {
        Box::pin(InstrumentedStream::new(call, self, on_item))
    }
}

impl<'a, I: 'a> BoxedStream<'a> for Pin<Box<dyn Stream<Item = I> + 'a>> {
    type Item = I;
    fn instrument<G>(self, call: Option<Call>, on_item: G) -> Self
    where
        G: FnMut(&mut StreamState, &I) + Send + 'a,
    {
        Box::pin(InstrumentedStream::new(call, self, on_item))
    }
}

/// `Result<Pin<Box<dyn Stream>>, E>`.
pub trait WrapBoxedResult<'a, B: BoxedStream<'a>, E> {
    /// Instruments the `Ok` stream; an `Err` (already recorded) ends the call.
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> Result<B, E>
    where
        G: FnMut(&mut StreamState, &B::Item) + Send + 'a;
}

impl<'a, B: BoxedStream<'a>, E> WrapBoxedResult<'a, B, E> for &&&&StreamProbe<Result<B, E>> {
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> Result<B, E>
    where
        G: FnMut(&mut StreamState, &B::Item) + Send + 'a,
    {
        match self.take() {
            Ok(stream) => Ok(stream.instrument(call, on_item)),
            Err(error) => {
                if let Some(call) = call {
                    call.end();
                }
                Err(error)
            }
        }
    }
}

/// `Result<S, E>` for any other stream `S`.
pub trait WrapResult<S: Stream, E> {
    /// Instruments the `Ok` stream; an `Err` (already recorded) ends the call.
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> Result<InstrumentedStream<S, G>, E>
    where
        G: FnMut(&mut StreamState, &S::Item);
}

impl<S: Stream, E> WrapResult<S, E> for &&&StreamProbe<Result<S, E>> {
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> Result<InstrumentedStream<S, G>, E>
    where
        G: FnMut(&mut StreamState, &S::Item),
    {
        match self.take() {
            Ok(stream) => Ok(InstrumentedStream::new(call, stream, on_item)),
            Err(error) => {
                if let Some(call) = call {
                    call.end();
                }
                Err(error)
            }
        }
    }
}

/// A boxed `dyn Stream`.
pub trait WrapBoxed<'a, B: BoxedStream<'a>> {
    /// Instruments the stream.
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> B
    where
        G: FnMut(&mut StreamState, &B::Item) + Send + 'a;
}

impl<'a, B: BoxedStream<'a>> WrapBoxed<'a, B> for &&StreamProbe<B> {
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> B
    where
        G: FnMut(&mut StreamState, &B::Item) + Send + 'a,
    {
        self.take().instrument(call, on_item)
    }
}

/// Any other stream.
pub trait WrapStream<S: Stream> {
    /// Instruments the stream.
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> InstrumentedStream<S, G>
    where
        G: FnMut(&mut StreamState, &S::Item);
}

impl<S: Stream> WrapStream<S> for &StreamProbe<S> {
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> InstrumentedStream<S, G>
    where
        G: FnMut(&mut StreamState, &S::Item),
    {
        InstrumentedStream::new(call, self.take(), on_item)
    }
}

/// What `stream` accepts; implemented by every stream, so a type that is not one fails here,
/// with a message that says what to return instead.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stream",
    label = "`#[genai_span(..., stream)]` needs a function that returns a stream of chunks",
    note = "return `impl Stream<Item = Chunk>`, `Pin<Box<dyn Stream<Item = ...> + Send>>`, or a `Result` of one; for a function that returns a whole response, remove `stream`"
)]
pub trait IsStream {}

// `do_not_recommend`: the error names `IsStream` and its message, not every `Stream` type in
// the dependency graph.
#[diagnostic::do_not_recommend]
impl<S: Stream + ?Sized> IsStream for S {}

/// Not a stream: a compile error through [`IsStream`].
pub trait WrapNotStream<T> {
    /// Never returns for a non-stream: the bound fails at compile time.
    fn wrap<G>(&self, call: Option<Call>, on_item: G) -> T
    where
        T: IsStream,
        G: FnMut(&mut StreamState, &Infallible);
}

impl<T> WrapNotStream<T> for StreamProbe<T> {
    fn wrap<G>(&self, call: Option<Call>, _on_item: G) -> T
    where
        T: IsStream,
        G: FnMut(&mut StreamState, &Infallible),
    {
        // Unreachable for streams (a deeper impl applies); kept total all the same.
        if let Some(call) = call {
            call.end();
        }
        self.take()
    }
}
