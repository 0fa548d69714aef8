//! What `#[genai_span]` expansions call. Not public API: names and signatures change freely.
//!
//! Expansions decide what a return value is with traits, never with its tokens: the
//! `Probe` types below use method resolution order ("autoref specialization") so that a
//! `Result` is split into `Ok`/`Err` whatever alias names it (`io::Result`, `anyhow::Result`),
//! and an error is classified by [`GenAiError`] when it implements it, by its type name
//! otherwise.

#![allow(
    missing_debug_implementations,
    reason = "the probes wrap values of any type, Debug or not"
)]

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;

use tracing::Span;

use crate::error::GenAiError;
use crate::metrics::MetricContext;
use crate::record;
use crate::response::{GenAiChunk, GenAiResponse, ResponseAttributes};
pub use crate::value::{BoolValue, DoubleValue, FieldValue, IntValue, StrArrayValue, StrValue};

/// What `#[derive(GenAiResponse)]` expansions call.
pub mod derive {
    pub use crate::derive_support::*;
}
pub use crate::call::Call;
pub use crate::instrument::{Instrumented, run_sync};
pub use crate::metrics::MetricStr;
pub use crate::record::FieldIndex;
pub use crate::stream::{
    InstrumentedStream, IsStream, StreamProbe, StreamState, WrapBoxed, WrapBoxedResult,
    WrapNotStream, WrapResult, WrapStream,
};
pub use genai_span_macros::semconv_impl;
pub use tracing;
pub use tracing_core;

use tracing::Metadata;
use tracing::callsite::{Callsite, DefaultCallsite};
use tracing::field::Field;
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};

/// Whether a subscriber wants the span of `callsite` (always at level INFO): the level
/// filters first, then the callsite's cached interest, asking the subscriber only when the
/// interest is "sometimes". With no subscriber this is two atomic loads.
#[inline]
pub fn enabled(callsite: &'static DefaultCallsite) -> bool {
    if tracing::Level::INFO > STATIC_MAX_LEVEL || tracing::Level::INFO > LevelFilter::current() {
        return false;
    }
    let interest = callsite.interest();
    if interest.is_never() {
        return false;
    }
    interest.is_always() || tracing::dispatcher::get_default(|d| d.enabled(callsite.metadata()))
}

/// The first `N` fields of a callsite: the ones set when its span is created.
///
/// # Panics
/// Never for expansions: they declare at least `N` fields.
#[inline]
#[must_use]
pub fn fields<const N: usize>(meta: &'static Metadata<'static>) -> [Field; N] {
    let mut iter = meta.fields().iter();
    std::array::from_fn(|_| {
        iter.next()
            .expect("a callsite declares its creation fields")
    })
}

/// `Some(&str)` for a `string` attribute argument.
#[inline]
pub fn str_value<T: StrValue + ?Sized>(value: &T) -> Option<&str> {
    value.str_value()
}

/// `Some(i64)` for an `int` attribute argument.
#[inline]
pub fn int_value<T: IntValue + ?Sized>(value: &T) -> Option<i64> {
    value.int_value()
}

/// `Some(f64)` for a `double` attribute argument.
#[inline]
pub fn double_value<T: DoubleValue + ?Sized>(value: &T) -> Option<f64> {
    value.double_value()
}

/// `Some(bool)` for a `boolean` attribute argument.
#[inline]
pub fn bool_value<T: BoolValue + ?Sized>(value: &T) -> Option<bool> {
    value.bool_value()
}

/// The `tracing` value of a custom attribute argument.
#[inline]
pub fn field_value<T: FieldValue + ?Sized>(value: &T) -> T::Traced<'_> {
    value.traced()
}

/// Sets a `string[]` attribute argument right after the span is created.
pub fn str_array<T: StrArrayValue + ?Sized>(span: &Span, key: &'static str, value: &T) {
    if !span.is_disabled() {
        record::str_array(span, key, |each| value.for_each_str(each));
    }
}

/// The span name `"{operation} {detail}"`, or the operation alone without a detail.
#[must_use]
pub fn span_name<'a>(operation: &'a str, detail: Option<&str>) -> SpanName<'a> {
    match detail {
        Some(detail) if !detail.is_empty() => {
            let len = operation.len() + 1 + detail.len();
            if len > SpanName::INLINE {
                let mut name = String::with_capacity(len);
                name.push_str(operation);
                name.push(' ');
                name.push_str(detail);
                return SpanName::Heap(name);
            }
            let mut bytes = [0; SpanName::INLINE];
            bytes[..operation.len()].copy_from_slice(operation.as_bytes());
            bytes[operation.len()] = b' ';
            bytes[operation.len() + 1..len].copy_from_slice(detail.as_bytes());
            SpanName::Inline { bytes, len }
        }
        _ => SpanName::Operation(operation),
    }
}

/// A span name, built on the stack when it is short: the span copies it anyway, so a name
/// that fits costs no allocation.
pub enum SpanName<'a> {
    /// The operation alone.
    Operation(&'a str),
    /// `"{operation} {detail}"`, in the first `len` bytes.
    Inline {
        /// The name's bytes: copies of two `str`s and a space, so valid UTF-8.
        bytes: [u8; SpanName::INLINE],
        /// How many bytes the name has.
        len: usize,
    },
    /// A name longer than [`SpanName::INLINE`].
    Heap(String),
}

impl SpanName<'_> {
    /// The longest name built on the stack (a model or tool name of up to ~100 bytes).
    pub const INLINE: usize = 128;

    /// The name.
    #[inline]
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            SpanName::Operation(name) => name,
            // Never fails: the bytes are two `str`s joined by a space.
            SpanName::Inline { bytes, len } => std::str::from_utf8(&bytes[..*len]).unwrap_or(""),
            SpanName::Heap(name) => name,
        }
    }
}

/// Starts a call whose span was just created. `fields` is where the span's callsite declares
/// what the outcome records ([`FieldIndex::at`]); `metrics` says whether the
/// operation has the GenAI client metrics; the other arguments are their attributes.
#[must_use]
#[allow(
    clippy::too_many_arguments,
    reason = "called by generated code only, one argument per attribute"
)]
pub fn start_call(
    span: Span,
    fields: &'static FieldIndex,
    operation: &'static str,
    metrics: bool,
    provider: Option<MetricStr<'_>>,
    request_model: Option<MetricStr<'_>>,
    server_address: Option<MetricStr<'_>>,
    server_port: Option<i64>,
) -> Call {
    let metrics = metrics.then(|| {
        MetricContext::new(
            operation,
            provider,
            request_model,
            server_address,
            server_port,
        )
    });
    Call::new(span, fields, operation, metrics)
}

pub use crate::content::ContentKind;

/// Whether the call captures content: its content arguments are evaluated only then.
#[inline]
#[must_use]
pub fn capturing(call: &Call) -> bool {
    call.capturing()
}

/// A value that content capture can record: anything `serde::Serialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be captured as GenAI content",
    label = "content arguments (`input`, `system`, `tools`, `arguments`) must implement `serde::Serialize`",
    note = "derive `serde::Serialize` for it; the messages a client sends over HTTP usually already are"
)]
pub trait CaptureValue {
    /// Captures `self` as `kind` on the call.
    fn capture_into(&self, call: &mut Call, kind: ContentKind);
}

// `do_not_recommend`: the error is about content arguments, not every `Serialize` type in the
// dependency graph.
#[diagnostic::do_not_recommend]
impl<T: serde::Serialize + ?Sized> CaptureValue for T {
    fn capture_into(&self, call: &mut Call, kind: ContentKind) {
        call.capture(kind, self);
    }
}

/// Captures a content argument.
#[inline]
pub fn capture<T: CaptureValue + ?Sized>(call: &mut Call, kind: ContentKind, value: &T) {
    value.capture_into(call, kind);
}

/// Wraps a success value that is captured as content when it is `Serialize`:
/// `(&&MaybeContent(v)).capture_output(call, kind)`.
pub struct MaybeContent<'a, T: ?Sized>(pub &'a T);

/// The value is `Serialize`: capture it (when capture is on).
pub trait CaptureOutput {
    /// Captures the value as `kind`.
    fn capture_output(&self, call: &mut Call, kind: ContentKind);
}

impl<T: serde::Serialize + ?Sized> CaptureOutput for &MaybeContent<'_, T> {
    #[inline]
    fn capture_output(&self, call: &mut Call, kind: ContentKind) {
        if call.capturing() {
            call.capture(kind, self.0);
        }
    }
}

/// The value is not `Serialize`: nothing to capture.
pub trait SkipOutput {
    /// Does nothing.
    fn capture_output(&self, call: &mut Call, kind: ContentKind);
}

impl<T: ?Sized> SkipOutput for MaybeContent<'_, T> {
    #[inline]
    fn capture_output(&self, _call: &mut Call, _kind: ContentKind) {}
}

/// Records a response on an operation whose response must implement [`GenAiResponse`].
#[inline]
pub fn record_response<T: GenAiResponse + ?Sized>(call: &mut Call, response: &T) {
    let mut attrs = ResponseAttributes::default();
    response.record(&mut attrs);
    call.response(&attrs);
}

/// Adds a streamed chunk, which must implement [`GenAiChunk`].
#[inline]
pub fn record_chunk<T: GenAiChunk + ?Sized>(state: &mut StreamState, chunk: &T) {
    state.chunk(chunk);
}

/// Records a failure.
#[inline]
pub fn record_error(call: &mut Call, error_type: &str, description: &str) {
    call.error(error_type, description);
}

/// Ends a call.
#[inline]
pub fn end(call: Call) {
    call.end();
}

// Each probe below has impls at several depths of reference; an expansion calls the method on
// one more `&` than the deepest impl, and method resolution picks the deepest impl that
// applies: `(&&Outcome(x)).split()` finds the `Result` impl before the catch-all one.

/// Wraps a return value to split it into success and failure: `(&&Outcome(&v)).split()`.
pub struct Outcome<'a, T: ?Sized>(pub &'a T);

/// A `Result` splits into its `Ok` and `Err` values.
pub trait SplitResult {
    /// The success type.
    type Ok;
    /// The failure type.
    type Err;
    /// The value, as a success or a failure.
    fn split(&self) -> Result<&Self::Ok, &Self::Err>;
}

impl<T, E> SplitResult for &Outcome<'_, Result<T, E>> {
    type Ok = T;
    type Err = E;
    #[inline]
    fn split(&self) -> Result<&T, &E> {
        self.0.as_ref()
    }
}

/// Any other value is a success.
pub trait SplitValue {
    /// The success type.
    type Ok: ?Sized;
    /// The value, as a success.
    fn split(&self) -> Result<&Self::Ok, &Infallible>;
}

impl<T: ?Sized> SplitValue for Outcome<'_, T> {
    type Ok = T;
    #[inline]
    fn split(&self) -> Result<&T, &Infallible> {
        Ok(self.0)
    }
}

/// Wraps a success value whose response attributes are recorded when it has them:
/// `(&&MaybeResponse(v)).record_response(span)`.
pub struct MaybeResponse<'a, T: ?Sized>(pub &'a T);

/// The value implements [`GenAiResponse`]: record it.
pub trait RecordResponse {
    /// Records the response on the call.
    fn record_response(&self, call: &mut Call);
}

impl<T: GenAiResponse + ?Sized> RecordResponse for &MaybeResponse<'_, T> {
    #[inline]
    fn record_response(&self, call: &mut Call) {
        self::record_response(call, self.0);
    }
}

/// The value does not implement [`GenAiResponse`]: nothing to record.
pub trait SkipResponse {
    /// Does nothing.
    fn record_response(&self, call: &mut Call);
}

impl<T: ?Sized> SkipResponse for MaybeResponse<'_, T> {
    #[inline]
    fn record_response(&self, _call: &mut Call) {}
}

/// Wraps an error to classify it: `(&&probe).error_type()`, `(&&&probe).describe()`.
pub struct ErrorProbe<'a, E: ?Sized>(pub &'a E);

/// `error.type` from [`GenAiError`].
pub trait TypeFromTrait {
    /// The `error.type` value.
    fn error_type(&self) -> Cow<'_, str>;
}

impl<E: GenAiError + ?Sized> TypeFromTrait for &ErrorProbe<'_, E> {
    #[inline]
    fn error_type(&self) -> Cow<'_, str> {
        self.0.error_type()
    }
}

/// `error.type` is the error's Rust type name.
pub trait TypeFromName {
    /// The `error.type` value.
    fn error_type(&self) -> Cow<'_, str>;
}

impl<E: ?Sized> TypeFromName for ErrorProbe<'_, E> {
    #[inline]
    fn error_type(&self) -> Cow<'_, str> {
        Cow::Borrowed(std::any::type_name::<E>())
    }
}

/// The status description is the error's `Display` text.
pub trait DescribeDisplay {
    /// The status description.
    fn describe(&self) -> String;
}

impl<E: fmt::Display + ?Sized> DescribeDisplay for &&ErrorProbe<'_, E> {
    fn describe(&self) -> String {
        self.0.to_string()
    }
}

/// The status description is the error's `Debug` text.
pub trait DescribeDebug {
    /// The status description.
    fn describe(&self) -> String;
}

impl<E: fmt::Debug + ?Sized> DescribeDebug for &ErrorProbe<'_, E> {
    fn describe(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// The error can't be described: its type name stands in.
pub trait DescribeName {
    /// The status description.
    fn describe(&self) -> String;
}

impl<E: ?Sized> DescribeName for ErrorProbe<'_, E> {
    fn describe(&self) -> String {
        std::any::type_name::<E>().to_owned()
    }
}
