//! What `#[derive(GenAiResponse)]` expansions call. Not public API: names and signatures change
//! freely.
//!
//! The derive never reads a field's type to decide what to do with it: each field key calls
//! one function here, bounded by a trait that says which field types the key accepts. A field
//! of another type fails that bound, and `#[diagnostic::on_unimplemented]` says, on the field,
//! what to write instead.
//!
//! String fields are anything that implements `AsRef<str>` (so an enum of finish reasons that
//! implements it works as well as a `String`), an `Option` of one, and for finish reasons a
//! `Vec`, slice or array of them. A blanket impl over `AsRef<str>` would overlap with the
//! `Option` and `Vec` impls, so those traits carry a [`shape`] marker parameter that the
//! compiler infers: for any field type, exactly one impl applies.

use std::rc::Rc;
use std::sync::Arc;

use crate::response::{GenAiChunk, GenAiResponse, ResponseAttributes, TokenCount};

/// Marker types that keep the impls of [`ResponseStr`] and [`FinishReasonValues`] apart.
pub mod shape {
    /// The value itself is a string (implements `AsRef<str>`).
    #[derive(Debug)]
    pub enum Str {}
    /// An `Option` of a string.
    #[derive(Debug)]
    pub enum OptionOfStr {}
    /// A `Vec`, slice or array of strings, or a reference or `Box` of one.
    #[derive(Debug)]
    pub enum List {}
    /// An `Option` of a list of strings.
    #[derive(Debug)]
    pub enum OptionOfList {}
}

/// A field marked `#[genai(response_model)]` or `#[genai(response_id)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a string the response can report",
    label = "expected `String`, `&str`, `Cow<str>`, `Box<str>`, `Arc<str>`, a type that implements `AsRef<str>`, or an `Option` of one",
    note = "`#[genai(response_model)]` and `#[genai(response_id)]` take a string field",
    note = "in a generic type, bound the parameter: `S: AsRef<str>`"
)]
pub trait ResponseStr<Shape> {
    /// The string, if there is one.
    fn response_str(&self) -> Option<&str>;
}

impl<T: AsRef<str> + ?Sized> ResponseStr<shape::Str> for T {
    #[inline]
    fn response_str(&self) -> Option<&str> {
        Some(self.as_ref())
    }
}

impl<T: AsRef<str>> ResponseStr<shape::OptionOfStr> for Option<T> {
    #[inline]
    fn response_str(&self) -> Option<&str> {
        self.as_ref().map(AsRef::as_ref)
    }
}

/// A field marked `#[genai(finish_reason)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a finish reason",
    label = "expected a string (`String`, `&str`, `Cow<str>`, ..., or an enum that implements `AsRef<str>`), an `Option` of one, or a `Vec`, slice or array of them",
    note = "the elements of a `Vec`, slice or array of finish reasons must implement `AsRef<str>`",
    note = "in a generic type, bound the parameter: `R: AsRef<str>`"
)]
pub trait FinishReasonValues<Shape> {
    /// Appends each finish reason to `response`.
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>);
}

impl<T: AsRef<str> + ?Sized> FinishReasonValues<shape::Str> for T {
    #[inline]
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        response.finish_reason(self.as_ref());
    }
}

impl<T: AsRef<str>> FinishReasonValues<shape::OptionOfStr> for Option<T> {
    #[inline]
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        if let Some(reason) = self {
            response.finish_reason(reason.as_ref());
        }
    }
}

impl<T: FinishReasonValues<shape::List>> FinishReasonValues<shape::OptionOfList> for Option<T> {
    #[inline]
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        if let Some(reasons) = self {
            reasons.finish_reasons(response);
        }
    }
}

impl<T: AsRef<str>> FinishReasonValues<shape::List> for [T] {
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        for reason in self {
            response.finish_reason(reason.as_ref());
        }
    }
}

impl<T: AsRef<str>> FinishReasonValues<shape::List> for Vec<T> {
    #[inline]
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        self.as_slice().finish_reasons(response);
    }
}

impl<T: AsRef<str>, const N: usize> FinishReasonValues<shape::List> for [T; N] {
    #[inline]
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        self.as_slice().finish_reasons(response);
    }
}

impl<T: FinishReasonValues<shape::List> + ?Sized> FinishReasonValues<shape::List> for &T {
    #[inline]
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        (**self).finish_reasons(response);
    }
}

impl<T: FinishReasonValues<shape::List> + ?Sized> FinishReasonValues<shape::List> for Box<T> {
    #[inline]
    fn finish_reasons<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        (**self).finish_reasons(response);
    }
}

/// A field marked with a token key (`#[genai(input_tokens)]`, `#[genai(output_tokens)]`, ...):
/// anything that implements [`TokenCount`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a token count",
    label = "expected an integer (`u32`, `u64`, `usize`, `i64`, ...) or an `Option` of one",
    note = "token keys (`input_tokens`, `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens`, `reasoning_output_tokens`) take a field whose type implements `genai_span::TokenCount`"
)]
pub trait TokenValue {
    /// The count, if there is one.
    fn token_value(&self) -> Option<i64>;
}

// `do_not_recommend`: a type that is no `TokenCount` is reported with the message above, not
// with the bare "`TokenCount` is not implemented" of the trait it delegates to.
#[diagnostic::do_not_recommend]
impl<T: TokenCount + ?Sized> TokenValue for T {
    #[inline]
    fn token_value(&self) -> Option<i64> {
        self.token_count()
    }
}

/// A field marked `#[genai(tool_calls)]`: a collection of the calls, or their number.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list or a number of tool calls",
    label = "expected a `Vec`, slice or array of the tool calls, an integer count, or an `Option` of one",
    note = "`#[genai(tool_calls)]` counts the elements of a collection, or takes the number an integer field holds"
)]
pub trait ToolCallCount {
    /// The number of tool calls, if known.
    fn tool_call_count(&self) -> Option<usize>;
}

impl<T> ToolCallCount for [T] {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T> ToolCallCount for Vec<T> {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T, const N: usize> ToolCallCount for [T; N] {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        Some(N)
    }
}

impl<T: ToolCallCount> ToolCallCount for Option<T> {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        self.as_ref().and_then(ToolCallCount::tool_call_count)
    }
}

impl<T: ToolCallCount + ?Sized> ToolCallCount for &T {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        (**self).tool_call_count()
    }
}

impl<T: ToolCallCount + ?Sized> ToolCallCount for Box<T> {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        (**self).tool_call_count()
    }
}

impl<T: ToolCallCount + ?Sized> ToolCallCount for Arc<T> {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        (**self).tool_call_count()
    }
}

impl<T: ToolCallCount + ?Sized> ToolCallCount for Rc<T> {
    #[inline]
    fn tool_call_count(&self) -> Option<usize> {
        (**self).tool_call_count()
    }
}

/// A field marked `#[genai(dimension_count)]`: an integer.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a dimension count",
    label = "expected an integer (`u32`, `usize`, ...) or an `Option` of one",
    note = "to take the count from the embedding vector itself, mark the vector with `#[genai(embedding)]`"
)]
pub trait CountValue {
    /// The count, if there is one; negative counts are none.
    fn count_value(&self) -> Option<usize>;
}

macro_rules! count_value {
    ($($t:ty),*) => {$(
        impl CountValue for $t {
            #[inline]
            fn count_value(&self) -> Option<usize> {
                // Negative counts are dropped; counts past `usize::MAX` saturate.
                if *self < 0 as $t { None } else { Some(usize::try_from(*self).unwrap_or(usize::MAX)) }
            }
        }

        impl ToolCallCount for $t {
            #[inline]
            fn tool_call_count(&self) -> Option<usize> {
                self.count_value()
            }
        }
    )*};
}
count_value!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

impl<T: CountValue> CountValue for Option<T> {
    #[inline]
    fn count_value(&self) -> Option<usize> {
        self.as_ref().and_then(CountValue::count_value)
    }
}

impl<T: CountValue + ?Sized> CountValue for &T {
    #[inline]
    fn count_value(&self) -> Option<usize> {
        (**self).count_value()
    }
}

/// An element of an embedding vector.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an element of an embedding vector",
    label = "expected `f32` or `f64`",
    note = "for a quantized, binary or base64 embedding, mark a field that holds the dimension count with `#[genai(dimension_count)]`"
)]
pub trait EmbeddingElement {}

impl EmbeddingElement for f32 {}
impl EmbeddingElement for f64 {}

/// A field marked `#[genai(embedding)]`: a vector of `f32` or `f64`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an embedding vector",
    label = "expected a `Vec`, slice or array of `f32` or `f64`, or an `Option` of one",
    note = "for a quantized, binary or base64 embedding, mark a field that holds the dimension count with `#[genai(dimension_count)]`"
)]
pub trait EmbeddingVector {
    /// The number of dimensions, if there is a vector.
    fn dimensions(&self) -> Option<usize>;
}

impl<T: EmbeddingElement> EmbeddingVector for [T] {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T: EmbeddingElement> EmbeddingVector for Vec<T> {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T: EmbeddingElement, const N: usize> EmbeddingVector for [T; N] {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        Some(N)
    }
}

impl<T: EmbeddingVector> EmbeddingVector for Option<T> {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        self.as_ref().and_then(EmbeddingVector::dimensions)
    }
}

impl<T: EmbeddingVector + ?Sized> EmbeddingVector for &T {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        (**self).dimensions()
    }
}

impl<T: EmbeddingVector + ?Sized> EmbeddingVector for Box<T> {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        (**self).dimensions()
    }
}

impl<T: EmbeddingVector + ?Sized> EmbeddingVector for Arc<T> {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        (**self).dimensions()
    }
}

impl<T: EmbeddingVector + ?Sized> EmbeddingVector for Rc<T> {
    #[inline]
    fn dimensions(&self) -> Option<usize> {
        (**self).dimensions()
    }
}

/// A field marked `#[genai(flatten)]`: anything that implements [`GenAiResponse`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be flattened into a GenAI response",
    label = "a field marked `#[genai(flatten)]` must implement `GenAiResponse`",
    note = "derive `GenAiResponse` for the field's type (for an `Option`, `Vec`, `Box`, slice or array, for its element type) and mark its fields"
)]
pub trait Flatten {
    /// Records the nested response into `response`.
    fn flatten<'a>(&'a self, response: &mut ResponseAttributes<'a>);
}

// `do_not_recommend`: reported with the message above, not with the one of `GenAiResponse`,
// which speaks of a function's return value.
#[diagnostic::do_not_recommend]
impl<T: GenAiResponse + ?Sized> Flatten for T {
    #[inline]
    fn flatten<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        self.record(response);
    }
}

/// `#[genai(response_model)]`.
#[inline]
pub fn response_model<'a, T: ResponseStr<S>, S>(
    value: &'a T,
    response: &mut ResponseAttributes<'a>,
) {
    if let Some(model) = value.response_str() {
        response.response_model(model);
    }
}

/// `#[genai(response_id)]`.
#[inline]
pub fn response_id<'a, T: ResponseStr<S>, S>(value: &'a T, response: &mut ResponseAttributes<'a>) {
    if let Some(id) = value.response_str() {
        response.response_id(id);
    }
}

/// `#[genai(finish_reason)]`.
#[inline]
pub fn finish_reason<'a, T: FinishReasonValues<S>, S>(
    value: &'a T,
    response: &mut ResponseAttributes<'a>,
) {
    value.finish_reasons(response);
}

/// `#[genai(input_tokens)]`.
#[inline]
pub fn input_tokens<T: TokenValue>(value: &T, response: &mut ResponseAttributes<'_>) {
    response.input_tokens(value.token_value());
}

/// `#[genai(output_tokens)]`.
#[inline]
pub fn output_tokens<T: TokenValue>(value: &T, response: &mut ResponseAttributes<'_>) {
    response.output_tokens(value.token_value());
}

/// `#[genai(cache_read_input_tokens)]`.
#[inline]
pub fn cache_read_input_tokens<T: TokenValue>(value: &T, response: &mut ResponseAttributes<'_>) {
    response.cache_read_input_tokens(value.token_value());
}

/// `#[genai(cache_creation_input_tokens)]`.
#[inline]
pub fn cache_creation_input_tokens<T: TokenValue>(
    value: &T,
    response: &mut ResponseAttributes<'_>,
) {
    response.cache_creation_input_tokens(value.token_value());
}

/// `#[genai(reasoning_output_tokens)]`.
#[inline]
pub fn reasoning_output_tokens<T: TokenValue>(value: &T, response: &mut ResponseAttributes<'_>) {
    response.reasoning_output_tokens(value.token_value());
}

/// `#[genai(tool_calls)]`.
#[inline]
pub fn tool_calls<T: ToolCallCount>(value: &T, response: &mut ResponseAttributes<'_>) {
    if let Some(count) = value.tool_call_count() {
        response.tool_calls(count);
    }
}

/// `#[genai(tool_call_id)]`.
#[inline]
pub fn tool_call_id<'a, T: ResponseStr<S>, S>(value: &'a T, response: &mut ResponseAttributes<'a>) {
    if let Some(id) = value.response_str() {
        response.tool_call_id(id);
    }
}

/// `#[genai(embedding)]`.
#[inline]
pub fn embedding<T: EmbeddingVector>(value: &T, response: &mut ResponseAttributes<'_>) {
    if let Some(count) = value.dimensions() {
        response.embedding_dimensions(count);
    }
}

/// `#[genai(dimension_count)]`.
#[inline]
pub fn dimension_count<T: CountValue>(value: &T, response: &mut ResponseAttributes<'_>) {
    if let Some(count) = value.count_value() {
        response.embedding_dimensions(count);
    }
}

/// `#[genai(flatten)]`.
#[inline]
pub fn flatten<'a, T: Flatten>(value: &'a T, response: &mut ResponseAttributes<'a>) {
    value.flatten(response);
}

/// A field marked `#[genai(flatten)]` in a `#[derive(GenAiChunk)]` type: anything that
/// implements [`GenAiChunk`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be flattened into a GenAI chunk",
    label = "a field marked `#[genai(flatten)]` must implement `GenAiChunk`",
    note = "derive `GenAiChunk` for the field's type (for an `Option`, `Vec`, `Box` or slice, for its element type) and mark its fields"
)]
pub trait FlattenChunk {
    /// Records the nested chunk into `chunk`.
    fn flatten_chunk<'a>(&'a self, chunk: &mut ResponseAttributes<'a>);
}

#[diagnostic::do_not_recommend]
impl<T: GenAiChunk + ?Sized> FlattenChunk for T {
    #[inline]
    fn flatten_chunk<'a>(&'a self, chunk: &mut ResponseAttributes<'a>) {
        self.record(chunk);
    }
}

/// `#[genai(flatten)]` in a `#[derive(GenAiChunk)]` type.
#[inline]
pub fn flatten_chunk<'a, T: FlattenChunk>(value: &'a T, chunk: &mut ResponseAttributes<'a>) {
    value.flatten_chunk(chunk);
}
