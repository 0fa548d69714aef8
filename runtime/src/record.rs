//! Writing a finished call's outcome onto its span.
//!
//! Each span declares, when it is created, the fields its operation may carry (the
//! conventions differ by operation: an `invoke_agent` span has no `gen_ai.response.model`).
//! Recording here writes every value the outcome has whose field the span declared, in one
//! batch, so a subscriber sees one `record` call per outcome, and nothing the span did not
//! declare.

use opentelemetry::{Array, StringValue, Value as OtelValue};
use tracing::Span;
use tracing::field::{Field, Value};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::TOOL_CALL_COUNT;
use crate::response::ResponseAttributes;
use crate::semconv::{
    ERROR_TYPE, GEN_AI_EMBEDDINGS_DIMENSION_COUNT, GEN_AI_RESPONSE_FINISH_REASONS,
    GEN_AI_RESPONSE_ID, GEN_AI_RESPONSE_MODEL, GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    GEN_AI_USAGE_INPUT_TOKENS, GEN_AI_USAGE_OUTPUT_TOKENS, GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
};

/// `otel.status_description`: tracing-opentelemetry turns it into an error status.
const STATUS_DESCRIPTION: &str = "otel.status_description";

/// The keys an outcome may record, in the order expansions declare them (a span declares the
/// ones its operation has, after the fields set when it is created).
const KEYS: [&str; Key::COUNT] = [
    GEN_AI_RESPONSE_MODEL,
    GEN_AI_RESPONSE_ID,
    GEN_AI_RESPONSE_FINISH_REASONS,
    GEN_AI_USAGE_INPUT_TOKENS,
    GEN_AI_USAGE_OUTPUT_TOKENS,
    GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    TOOL_CALL_COUNT,
    GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
    GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    ERROR_TYPE,
    STATUS_DESCRIPTION,
];

/// A key of `KEYS`, by its position there.
#[derive(Clone, Copy, Debug)]
enum Key {
    ResponseModel,
    ResponseId,
    FinishReasons,
    InputTokens,
    OutputTokens,
    CacheReadTokens,
    CacheCreationTokens,
    ReasoningTokens,
    ToolCallCount,
    DimensionCount,
    TimeToFirstChunk,
    ErrorType,
    StatusDescription,
}

impl Key {
    const COUNT: usize = 13;
}

/// Where each key an outcome may record is declared in one callsite's fields, if it is.
///
/// Computed by the expansion from the names it declares, so recording finds its fields by
/// position, not by comparing names. The macro lists the keys in the order of `KEYS`; in
/// debug builds, recording checks each field it finds by position against its key.
#[derive(Debug)]
pub struct FieldIndex([u16; Key::COUNT]);

/// Not declared.
const ABSENT: u16 = u16::MAX;

impl FieldIndex {
    /// The index of a callsite: for each key of `KEYS`, in that order, the position of its
    /// first occurrence among the callsite's fields (as `FieldSet::field` finds it), or
    /// `u16::MAX` when it does not declare it.
    #[must_use]
    pub const fn at(positions: [u16; Key::COUNT]) -> Self {
        FieldIndex(positions)
    }

    /// The position of `key` among the callsite's fields, if it declares it.
    fn position(&self, key: Key) -> Option<usize> {
        let position = self.0[key as usize];
        (position != ABSENT).then_some(position as usize)
    }

    fn declares(&self, key: Key) -> bool {
        self.position(key).is_some()
    }
}

/// The most fields one outcome records (response attributes, or error type and status).
const BATCH: usize = 12;
// `Batch::flush` has one arm per length, up to `BATCH`.
const _: () = assert!(BATCH == 12);

/// Values bound for one `Span::record_all` call.
struct Batch<'a> {
    span: &'a Span,
    index: &'a FieldIndex,
    keys: [Key; BATCH],
    values: [Option<&'a dyn Value>; BATCH],
    len: usize,
}

impl<'a> Batch<'a> {
    fn new(span: &'a Span, index: &'a FieldIndex) -> Self {
        Batch {
            span,
            index,
            keys: [Key::ResponseModel; BATCH],
            values: [None; BATCH],
            len: 0,
        }
    }

    /// Adds `value` under `key` if the span declared that field.
    fn push(&mut self, key: Key, value: &'a dyn Value) {
        if self.index.declares(key) && self.len < BATCH {
            self.keys[self.len] = key;
            self.values[self.len] = Some(value);
            self.len += 1;
        }
    }

    fn flush(self) {
        let Some(meta) = self.span.metadata() else {
            return;
        };
        let declared = meta.fields();
        // The fields, found by position in one walk when they come in declaration order.
        let mut walk = declared.iter();
        let mut next = 0;
        let mut field = |key: Key| {
            let position = self.index.position(key)?;
            if position < next {
                walk = declared.iter();
                next = 0;
            }
            // `next()`, not `nth()`: the skipped fields are never built once inlined.
            for _ in next..position {
                walk.next();
            }
            next = position + 1;
            let field = walk.next();
            debug_assert_eq!(
                field.as_ref().map(Field::name),
                Some(KEYS[key as usize]),
                "a field index computed from other names than the callsite's"
            );
            field
        };
        // A `ValueSet` is a fixed-size array: one of exactly `len` entries, so that the
        // subscriber visits no empty slot.
        macro_rules! record {
            ($($len:literal)*) => {
                match self.len {
                    $($len => {
                        let found: [Option<Field>; $len] =
                            std::array::from_fn(|i| field(self.keys[i]));
                        let Some(first) = found[0].as_ref() else {
                            return;
                        };
                        let pairs: [(&Field, Option<&dyn Value>); $len] = std::array::from_fn(|i| {
                            match found[i].as_ref() {
                                Some(field) => (field, self.values[i]),
                                None => (first, None),
                            }
                        });
                        self.span.record_all(&declared.value_set(&pairs));
                    })*
                    _ => {}
                }
            };
        }
        record!(1 2 3 4 5 6 7 8 9 10 11 12);
    }
}

/// Records what a response (or the chunks of a stream, added up) reported.
pub(crate) fn response(span: &Span, index: &FieldIndex, attrs: &ResponseAttributes<'_>) {
    let usage = attrs.usage;
    // Counted when the model asked for a call: a stream cannot tell "none" from "no way to
    // say", so neither does a response.
    let tool_calls = attrs.tool_call_count().filter(|&count| count > 0);
    let values: [(Key, Option<&dyn Value>); 9] = [
        (Key::ResponseModel, attrs.model.as_ref().map(as_value)),
        (Key::ResponseId, attrs.id.as_ref().map(as_value)),
        (Key::InputTokens, usage.input.as_ref().map(as_value)),
        (Key::OutputTokens, usage.output.as_ref().map(as_value)),
        (
            Key::CacheReadTokens,
            usage.cache_read.as_ref().map(as_value),
        ),
        (
            Key::CacheCreationTokens,
            usage.cache_creation.as_ref().map(as_value),
        ),
        (Key::ReasoningTokens, usage.reasoning.as_ref().map(as_value)),
        (Key::ToolCallCount, tool_calls.as_ref().map(as_value)),
        (
            Key::DimensionCount,
            attrs.embedding_dimensions.as_ref().map(as_value),
        ),
    ];
    let mut batch = Batch::new(span, index);
    for (key, value) in values {
        if let Some(value) = value {
            batch.push(key, value);
        }
    }
    batch.flush();

    if !attrs.finish_reasons.is_empty() && index.declares(Key::FinishReasons) {
        let reasons: Vec<StringValue> = attrs.finish_reasons.iter().map(finish_reason).collect();
        span.set_attribute(
            GEN_AI_RESPONSE_FINISH_REASONS,
            OtelValue::Array(Array::String(reasons)),
        );
    }
}

/// A finish reason as an attribute value: the values providers send are `'static` strings
/// here, so the common case does not allocate.
fn finish_reason(reason: &str) -> StringValue {
    /// The conventions' values, then OpenAI's, Anthropic's and Gemini's.
    const KNOWN: [&str; 17] = [
        "stop",
        "length",
        "content_filter",
        "tool_call",
        "error",
        "tool_calls",
        "function_call",
        "end_turn",
        "max_tokens",
        "stop_sequence",
        "tool_use",
        "pause_turn",
        "refusal",
        "STOP",
        "MAX_TOKENS",
        "SAFETY",
        "RECITATION",
    ];
    match KNOWN.iter().find(|known| **known == reason) {
        Some(known) => StringValue::from(*known),
        None => StringValue::from(reason.to_owned()),
    }
}

fn as_value<T: Value>(value: &T) -> &dyn Value {
    value
}

/// Records `gen_ai.response.time_to_first_chunk`, in seconds.
pub(crate) fn time_to_first_chunk(span: &Span, index: &FieldIndex, seconds: f64) {
    let mut batch = Batch::new(span, index);
    batch.push(Key::TimeToFirstChunk, &seconds);
    batch.flush();
}

/// Records a failure: `error.type` and an error status with `description`.
pub(crate) fn error(span: &Span, index: &FieldIndex, error_type: &str, description: &str) {
    let mut batch = Batch::new(span, index);
    batch.push(Key::ErrorType, &error_type);
    batch.push(Key::StatusDescription, &description);
    batch.flush();
}

/// Records a `string[]` attribute.
pub(crate) fn str_array(
    span: &Span,
    key: &'static str,
    each: impl FnOnce(&mut dyn FnMut(&str)) -> bool,
) {
    let mut items = Vec::new();
    if each(&mut |s| items.push(StringValue::from(s.to_owned()))) {
        span.set_attribute(key, OtelValue::Array(Array::String(items)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_gives_the_position_of_each_declared_key() {
        let mut positions = [ABSENT; Key::COUNT];
        positions[Key::ResponseModel as usize] = 1;
        positions[Key::ErrorType as usize] = 3;
        positions[Key::StatusDescription as usize] = 5;
        let index = FieldIndex::at(positions);
        assert_eq!(index.position(Key::ResponseModel), Some(1));
        assert_eq!(index.position(Key::ErrorType), Some(3));
        assert_eq!(index.position(Key::StatusDescription), Some(5));
        assert_eq!(index.position(Key::ResponseId), None);
        assert!(!index.declares(Key::FinishReasons));
    }

    #[test]
    fn each_key_names_its_attribute_in_keys() {
        for (key, name) in [
            (Key::ResponseModel, "gen_ai.response.model"),
            (Key::ResponseId, "gen_ai.response.id"),
            (Key::FinishReasons, "gen_ai.response.finish_reasons"),
            (Key::InputTokens, "gen_ai.usage.input_tokens"),
            (Key::OutputTokens, "gen_ai.usage.output_tokens"),
            (Key::CacheReadTokens, "gen_ai.usage.cache_read.input_tokens"),
            (
                Key::CacheCreationTokens,
                "gen_ai.usage.cache_creation.input_tokens",
            ),
            (Key::ReasoningTokens, "gen_ai.usage.reasoning.output_tokens"),
            (Key::ToolCallCount, "genai_span.response.tool_call.count"),
            (Key::DimensionCount, "gen_ai.embeddings.dimension.count"),
            (Key::TimeToFirstChunk, "gen_ai.response.time_to_first_chunk"),
            (Key::ErrorType, "error.type"),
            (Key::StatusDescription, "otel.status_description"),
        ] {
            assert_eq!(KEYS[key as usize], name, "{key:?}");
        }
        assert_eq!(KEYS.len(), Key::COUNT);
    }

    #[test]
    fn finish_reasons_keep_their_text() {
        for reason in [
            "stop",
            "tool_calls",
            "end_turn",
            "MAX_TOKENS",
            "a_new_reason",
            "",
        ] {
            assert_eq!(finish_reason(reason).as_str(), reason);
        }
    }
}
