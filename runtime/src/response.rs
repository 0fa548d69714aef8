//! What a model's response tells the span: [`GenAiResponse`] and the attributes it fills.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

/// A response of a GenAI operation: a chat completion, an embeddings result, an agent's output.
///
/// `#[genai_span]` calls [`record`](GenAiResponse::record) on the value the function returns
/// (on the `Ok` value of a `Result`) and writes what it reports onto the span, under the keys
/// the GenAI semantic conventions give for that operation. Derive it rather than writing it:
///
/// ```
/// use genai_span::GenAiResponse;
///
/// #[derive(GenAiResponse)]
/// struct ChatResponse {
///     #[genai(response_id)]
///     id: String,
///     #[genai(response_model)]
///     model: String,
///     #[genai(flatten)]
///     choices: Vec<Choice>,
///     #[genai(flatten)]
///     usage: Option<Usage>,
/// }
///
/// #[derive(GenAiResponse)]
/// struct Choice {
///     #[genai(finish_reason)]
///     finish_reason: Option<String>,
///     #[genai(tool_calls)]
///     tool_calls: Vec<String>,
/// }
///
/// #[derive(GenAiResponse)]
/// struct Usage {
///     #[genai(input_tokens)]
///     prompt_tokens: u32,
///     #[genai(output_tokens)]
///     completion_tokens: u32,
/// }
/// ```
///
/// Implementing it by hand is a matter of calling the setters of [`ResponseAttributes`]:
///
/// ```
/// use genai_span::{GenAiResponse, ResponseAttributes};
///
/// struct Embedding { model: String, vector: Vec<f32>, tokens: u32 }
///
/// impl GenAiResponse for Embedding {
///     fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
///         response.response_model(&self.model);
///         response.embedding_dimensions(self.vector.len());
///         response.input_tokens(self.tokens);
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded as a GenAI response",
    label = "the `Ok` value (or the value) this function returns must implement `GenAiResponse`",
    note = "derive `genai_span::GenAiResponse` for the response type and mark its fields, e.g. `#[genai(response_model)]`, `#[genai(input_tokens)]`, `#[genai(finish_reason)]`",
    note = "or implement `genai_span::GenAiResponse` for it by hand; `execute_tool`, `retrieval` and workflow spans need neither"
)]
pub trait GenAiResponse {
    /// Reports what this response carries into `response`.
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>);
}

/// One chunk of a streamed response.
///
/// `#[genai_span(chat, stream, ...)]` calls [`record`](GenAiChunk::record) on every chunk the
/// stream yields (on the `Ok` value of a `Result` item) and adds them up over the stream: the
/// last model, id and token counts reported win (providers send usage in the last chunk),
/// finish reasons append, and tool calls are counted by distinct
/// [`tool_call_id`](ResponseAttributes::tool_call_id), since one call arrives as several
/// deltas. Derive it:
///
/// ```
/// use genai_span::GenAiChunk;
///
/// #[derive(GenAiChunk)]
/// struct ChatChunk {
///     #[genai(response_id)]
///     id: String,
///     #[genai(response_model)]
///     model: String,
///     #[genai(flatten)]
///     choices: Vec<ChunkChoice>,
///     #[genai(flatten)]
///     usage: Option<Usage>,
/// }
///
/// #[derive(GenAiChunk)]
/// struct ChunkChoice {
///     #[genai(finish_reason)]
///     finish_reason: Option<String>,
///     #[genai(flatten)]
///     tool_calls: Vec<ToolCallDelta>,
/// }
///
/// #[derive(GenAiChunk)]
/// struct ToolCallDelta {
///     /// Only the first delta of a call carries its id.
///     #[genai(tool_call_id)]
///     id: Option<String>,
/// }
///
/// #[derive(GenAiChunk)]
/// struct Usage {
///     #[genai(input_tokens)]
///     prompt_tokens: u32,
///     #[genai(output_tokens)]
///     completion_tokens: u32,
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded as a chunk of a GenAI stream",
    label = "the items of a stream instrumented with `stream` (their `Ok` values) must implement `GenAiChunk`",
    note = "derive `genai_span::GenAiChunk` for the chunk type and mark its fields, e.g. `#[genai(response_model)]`, `#[genai(output_tokens)]`, `#[genai(finish_reason)]`, `#[genai(tool_call_id)]`"
)]
pub trait GenAiChunk {
    /// Reports what this chunk carries into `chunk`.
    fn record<'a>(&'a self, chunk: &mut ResponseAttributes<'a>);
}

/// Token counts as the GenAI conventions define them.
///
/// Every count is `None` until a response reports it: usage a provider did not report is not
/// invented.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenUsage {
    /// `gen_ai.usage.input_tokens`: all input tokens, cached ones included.
    pub input: Option<i64>,
    /// `gen_ai.usage.output_tokens`: all output tokens, reasoning ones included.
    pub output: Option<i64>,
    /// `gen_ai.usage.cache_read.input_tokens`.
    pub cache_read: Option<i64>,
    /// `gen_ai.usage.cache_creation.input_tokens`.
    pub cache_creation: Option<i64>,
    /// `gen_ai.usage.reasoning.output_tokens`.
    pub reasoning: Option<i64>,
}

/// The attributes a [`GenAiResponse`] reports, borrowed from the response.
///
/// Setters of single values keep the last value set; [`finish_reason`](Self::finish_reason)
/// appends; [`tool_calls`](Self::tool_calls) adds up. Nothing is allocated until a response
/// reports more than four finish reasons.
#[derive(Debug, Default)]
pub struct ResponseAttributes<'a> {
    pub(crate) model: Option<&'a str>,
    pub(crate) id: Option<&'a str>,
    pub(crate) finish_reasons: FinishReasons<'a>,
    pub(crate) usage: TokenUsage,
    pub(crate) tool_calls: Option<i64>,
    pub(crate) tool_call_ids: ToolCallIds<'a>,
    pub(crate) embedding_dimensions: Option<i64>,
}

impl<'a> ResponseAttributes<'a> {
    /// Sets `gen_ai.response.model`: the model that actually answered.
    pub fn response_model(&mut self, model: &'a str) {
        self.model = Some(model);
    }

    /// Sets `gen_ai.response.id`.
    pub fn response_id(&mut self, id: &'a str) {
        self.id = Some(id);
    }

    /// Appends one entry to `gen_ai.response.finish_reasons` (one per choice).
    pub fn finish_reason(&mut self, reason: &'a str) {
        self.finish_reasons.push(reason);
    }

    /// Sets `gen_ai.usage.input_tokens`.
    pub fn input_tokens(&mut self, tokens: impl TokenCount) {
        self.usage.input = tokens.token_count().or(self.usage.input);
    }

    /// Sets `gen_ai.usage.output_tokens`.
    pub fn output_tokens(&mut self, tokens: impl TokenCount) {
        self.usage.output = tokens.token_count().or(self.usage.output);
    }

    /// Sets `gen_ai.usage.cache_read.input_tokens`.
    pub fn cache_read_input_tokens(&mut self, tokens: impl TokenCount) {
        self.usage.cache_read = tokens.token_count().or(self.usage.cache_read);
    }

    /// Sets `gen_ai.usage.cache_creation.input_tokens`.
    pub fn cache_creation_input_tokens(&mut self, tokens: impl TokenCount) {
        self.usage.cache_creation = tokens.token_count().or(self.usage.cache_creation);
    }

    /// Sets `gen_ai.usage.reasoning.output_tokens`.
    pub fn reasoning_output_tokens(&mut self, tokens: impl TokenCount) {
        self.usage.reasoning = tokens.token_count().or(self.usage.reasoning);
    }

    /// Adds `count` tool calls the model asked for (recorded as
    /// [`TOOL_CALL_COUNT`](crate::TOOL_CALL_COUNT)).
    pub fn tool_calls(&mut self, count: usize) {
        self.tool_calls = Some(
            self.tool_calls
                .unwrap_or(0)
                .saturating_add(saturating_i64(count)),
        );
    }

    /// Reports one tool call by its id. Calls are counted once per distinct id, so a call that
    /// appears in several places (or, in a stream, in several deltas) counts once; when a
    /// response reports ids, they are the count, and [`tool_calls`](Self::tool_calls) counts
    /// are ignored.
    pub fn tool_call_id(&mut self, id: &'a str) {
        self.tool_call_ids.insert(id);
    }

    /// Sets `gen_ai.embeddings.dimension.count`.
    pub fn embedding_dimensions(&mut self, count: usize) {
        self.embedding_dimensions = Some(saturating_i64(count));
    }

    /// The model reported so far.
    #[must_use]
    pub fn model(&self) -> Option<&'a str> {
        self.model
    }

    /// The response id reported so far.
    #[must_use]
    pub fn id(&self) -> Option<&'a str> {
        self.id
    }

    /// The token usage reported so far.
    #[must_use]
    pub fn usage(&self) -> TokenUsage {
        self.usage
    }

    /// The finish reasons reported so far, in order.
    pub fn finish_reasons(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.finish_reasons.iter()
    }

    /// The number of tool calls reported so far: distinct ids if any were reported, else the
    /// counts added up.
    #[must_use]
    pub fn tool_call_count(&self) -> Option<i64> {
        if self.tool_call_ids.is_empty() {
            self.tool_calls
        } else {
            Some(saturating_i64(self.tool_call_ids.len()))
        }
    }

    /// The tool call ids reported so far, each once, in order.
    pub fn tool_call_ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.tool_call_ids.iter()
    }

    /// The embedding dimension count reported so far.
    #[must_use]
    pub fn embedding_dimension_count(&self) -> Option<i64> {
        self.embedding_dimensions
    }
}

/// Finish reasons, inline up to four (one per choice; one choice is the common case).
#[derive(Debug, Default)]
pub(crate) struct FinishReasons<'a> {
    inline: [&'a str; 4],
    len: usize,
    spill: Vec<&'a str>,
}

impl<'a> FinishReasons<'a> {
    fn push(&mut self, reason: &'a str) {
        if self.len < self.inline.len() {
            self.inline[self.len] = reason;
            self.len += 1;
        } else {
            self.spill.push(reason);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.inline[..self.len].iter().chain(&self.spill).copied()
    }
}

/// Distinct tool call ids, inline up to eight.
#[derive(Debug, Default)]
pub(crate) struct ToolCallIds<'a> {
    inline: [&'a str; 8],
    len: usize,
    spill: Vec<&'a str>,
}

impl<'a> ToolCallIds<'a> {
    fn insert(&mut self, id: &'a str) {
        if self.iter().any(|known| known == id) {
            return;
        }
        if self.len < self.inline.len() {
            self.inline[self.len] = id;
            self.len += 1;
        } else {
            self.spill.push(id);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.len + self.spill.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.inline[..self.len].iter().chain(&self.spill).copied()
    }
}

pub(crate) fn saturating_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A token count as providers report it: any integer, or an `Option` of one.
///
/// Counts are recorded as OTel `int` (i64); larger values saturate, negative ones are dropped.
pub trait TokenCount {
    /// The count, if there is one.
    fn token_count(&self) -> Option<i64>;
}

macro_rules! token_count_lossless {
    ($($t:ty),*) => {$(
        impl TokenCount for $t {
            fn token_count(&self) -> Option<i64> {
                let n = i64::from(*self);
                (n >= 0).then_some(n)
            }
        }
    )*};
}
token_count_lossless!(u8, u16, u32, i8, i16, i32, i64);

macro_rules! token_count_wide {
    ($($t:ty),*) => {$(
        impl TokenCount for $t {
            fn token_count(&self) -> Option<i64> {
                if *self < 0 as $t { None } else { Some(i64::try_from(*self).unwrap_or(i64::MAX)) }
            }
        }
    )*};
}
token_count_wide!(u64, u128, usize, isize, i128);

impl<T: TokenCount> TokenCount for Option<T> {
    fn token_count(&self) -> Option<i64> {
        self.as_ref().and_then(TokenCount::token_count)
    }
}

impl<T: TokenCount + ?Sized> TokenCount for &T {
    fn token_count(&self) -> Option<i64> {
        (**self).token_count()
    }
}

impl<T: GenAiResponse + ?Sized> GenAiResponse for &T {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        (**self).record(response);
    }
}

impl<T: GenAiResponse + ?Sized> GenAiResponse for Box<T> {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        (**self).record(response);
    }
}

impl<T: GenAiResponse + ?Sized> GenAiResponse for Arc<T> {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        (**self).record(response);
    }
}

impl<T: GenAiResponse + ?Sized> GenAiResponse for Rc<T> {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        (**self).record(response);
    }
}

impl<T: GenAiResponse + Clone> GenAiResponse for Cow<'_, T> {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        (**self).record(response);
    }
}

impl<T: GenAiResponse> GenAiResponse for Option<T> {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        if let Some(inner) = self {
            inner.record(response);
        }
    }
}

impl<T: GenAiResponse> GenAiResponse for [T] {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        for item in self {
            item.record(response);
        }
    }
}

impl<T: GenAiResponse> GenAiResponse for Vec<T> {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        self.as_slice().record(response);
    }
}

impl<T: GenAiResponse, const N: usize> GenAiResponse for [T; N] {
    fn record<'a>(&'a self, response: &mut ResponseAttributes<'a>) {
        self.as_slice().record(response);
    }
}

macro_rules! chunk_through_deref {
    ($($wrapper:ident),*) => {$(
        impl<T: GenAiChunk + ?Sized> GenAiChunk for $wrapper<T> {
            fn record<'a>(&'a self, chunk: &mut ResponseAttributes<'a>) {
                (**self).record(chunk);
            }
        }
    )*};
}
chunk_through_deref!(Box, Arc, Rc);

impl<T: GenAiChunk + ?Sized> GenAiChunk for &T {
    fn record<'a>(&'a self, chunk: &mut ResponseAttributes<'a>) {
        (**self).record(chunk);
    }
}

impl<T: GenAiChunk> GenAiChunk for Option<T> {
    fn record<'a>(&'a self, chunk: &mut ResponseAttributes<'a>) {
        if let Some(inner) = self {
            inner.record(chunk);
        }
    }
}

impl<T: GenAiChunk> GenAiChunk for [T] {
    fn record<'a>(&'a self, chunk: &mut ResponseAttributes<'a>) {
        for item in self {
            item.record(chunk);
        }
    }
}

impl<T: GenAiChunk> GenAiChunk for Vec<T> {
    fn record<'a>(&'a self, chunk: &mut ResponseAttributes<'a>) {
        self.as_slice().record(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Choice(&'static str, usize);
    impl GenAiResponse for Choice {
        fn record<'a>(&'a self, r: &mut ResponseAttributes<'a>) {
            r.finish_reason(self.0);
            r.tool_calls(self.1);
        }
    }

    #[test]
    fn finish_reasons_keep_order_past_the_inline_capacity() {
        let choices: Vec<Choice> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|r| Choice(r, 1))
            .collect();
        let mut attrs = ResponseAttributes::default();
        choices.record(&mut attrs);
        assert_eq!(
            attrs.finish_reasons().collect::<Vec<_>>(),
            ["a", "b", "c", "d", "e", "f"]
        );
        assert_eq!(attrs.tool_call_count(), Some(6));
    }

    #[test]
    fn token_counts_saturate_and_drop_negatives() {
        let mut attrs = ResponseAttributes::default();
        attrs.input_tokens(u64::MAX);
        attrs.output_tokens(-3_i32);
        attrs.cache_read_input_tokens(Some(7_u32));
        attrs.reasoning_output_tokens(None::<u32>);
        assert_eq!(attrs.usage().input, Some(i64::MAX));
        assert_eq!(attrs.usage().output, None);
        assert_eq!(attrs.usage().cache_read, Some(7));
        assert_eq!(attrs.usage().reasoning, None);
    }

    #[test]
    fn tool_call_ids_count_each_call_once() {
        let mut attrs = ResponseAttributes::default();
        attrs.tool_calls(5);
        assert_eq!(attrs.tool_call_count(), Some(5));
        for id in ["a", "b", "a", "c", "b", "d", "e", "f", "g", "h", "i", "a"] {
            attrs.tool_call_id(id);
        }
        assert_eq!(
            attrs.tool_call_count(),
            Some(9),
            "ids, when reported, are the count"
        );
        assert_eq!(attrs.tool_call_ids().collect::<String>(), "abcdefghi");
    }

    #[test]
    fn a_later_none_keeps_an_earlier_count() {
        let mut attrs = ResponseAttributes::default();
        attrs.input_tokens(5_u32);
        attrs.input_tokens(None::<u32>);
        assert_eq!(attrs.usage().input, Some(5));
    }
}
