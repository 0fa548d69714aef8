//! How a failed call is classified on its span: `error.type` and the status description.

use std::borrow::Cow;

/// The `error.type` of an error: a low-cardinality identifier such as a provider's error code.
///
/// Optional. When an error type does not implement it, `#[genai_span]` records the error's
/// Rust type name (`std::any::type_name`, e.g. `my_app::ApiError`) as `error.type`, and its
/// `Display` text (else its `Debug` text) as the span's status description. Implement it to
/// report something more useful to group by, such as the provider's code:
///
/// ```
/// use std::borrow::Cow;
/// use genai_span::GenAiError;
///
/// enum ApiError { RateLimited, Http(u16) }
///
/// impl GenAiError for ApiError {
///     fn error_type(&self) -> Cow<'_, str> {
///         match self {
///             ApiError::RateLimited => "rate_limited".into(),
///             ApiError::Http(status) => status.to_string().into(),
///         }
///     }
/// }
/// ```
///
/// The conventions ask that `error.type` be low-cardinality: never put a message, an id or a
/// prompt in it.
pub trait GenAiError {
    /// The value of `error.type` for this error.
    fn error_type(&self) -> Cow<'_, str>;
}

/// `std::io::Error` is classified by its kind (`TimedOut`, `ConnectionRefused`, ...).
impl GenAiError for std::io::Error {
    fn error_type(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{:?}", self.kind()))
    }
}

impl<E: GenAiError + ?Sized> GenAiError for &E {
    fn error_type(&self) -> Cow<'_, str> {
        (**self).error_type()
    }
}

impl<E: GenAiError + ?Sized> GenAiError for Box<E> {
    fn error_type(&self) -> Cow<'_, str> {
        (**self).error_type()
    }
}

/// `error.type` of a call whose future was dropped before it finished (a timeout, a lost
/// `select!` branch, a client that went away). Its span status is error, with the
/// description "cancelled: dropped before completion".
pub const CANCELLED: &str = "cancelled";

/// `error.type` of a call that panicked. Its span status is error, described by the panic
/// message; the panic then goes on unwinding as if the function were not instrumented.
pub const PANIC: &str = "panic";
