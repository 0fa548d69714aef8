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

/// The most fields one outcome records (response attributes, or error type and status).
const BATCH: usize = 12;

/// Values bound for one `Span::record_all` call.
struct Batch<'a> {
    span: &'a Span,
    fields: [Option<Field>; BATCH],
    values: [Option<&'a dyn Value>; BATCH],
    len: usize,
}

impl<'a> Batch<'a> {
    fn new(span: &'a Span) -> Self {
        Batch {
            span,
            fields: Default::default(),
            values: [None; BATCH],
            len: 0,
        }
    }

    /// Adds `value` under `name` if the span declared that field.
    fn push(&mut self, name: &str, value: &'a dyn Value) {
        let Some(field) = self.span.field(name) else {
            return;
        };
        if self.len < BATCH {
            self.fields[self.len] = Some(field);
            self.values[self.len] = Some(value);
            self.len += 1;
        }
    }

    fn flush(self) {
        let Some(meta) = self.span.metadata() else {
            return;
        };
        let Some(first) = self.fields[0].clone() else {
            return;
        };
        // A ValueSet is a fixed-size array; unused slots repeat a field with no value, which
        // subscribers skip.
        let fields: [Field; BATCH] =
            std::array::from_fn(|i| self.fields[i].clone().unwrap_or_else(|| first.clone()));
        let pairs: [(&Field, Option<&dyn Value>); BATCH] =
            std::array::from_fn(|i| (&fields[i], self.values[i]));
        self.span.record_all(&meta.fields().value_set(&pairs));
    }
}

/// Records what a response (or the chunks of a stream, added up) reported.
pub(crate) fn response(span: &Span, attrs: &ResponseAttributes<'_>) {
    let usage = attrs.usage;
    // Counted when the model asked for a call: a stream cannot tell "none" from "no way to
    // say", so neither does a response.
    let tool_calls = attrs.tool_call_count().filter(|&count| count > 0);
    let values: [(&str, Option<&dyn Value>); 9] = [
        (GEN_AI_RESPONSE_MODEL, attrs.model.as_ref().map(as_value)),
        (GEN_AI_RESPONSE_ID, attrs.id.as_ref().map(as_value)),
        (
            GEN_AI_USAGE_INPUT_TOKENS,
            usage.input.as_ref().map(as_value),
        ),
        (
            GEN_AI_USAGE_OUTPUT_TOKENS,
            usage.output.as_ref().map(as_value),
        ),
        (
            GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
            usage.cache_read.as_ref().map(as_value),
        ),
        (
            GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
            usage.cache_creation.as_ref().map(as_value),
        ),
        (
            GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
            usage.reasoning.as_ref().map(as_value),
        ),
        (TOOL_CALL_COUNT, tool_calls.as_ref().map(as_value)),
        (
            GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
            attrs.embedding_dimensions.as_ref().map(as_value),
        ),
    ];
    let mut batch = Batch::new(span);
    for (name, value) in values {
        if let Some(value) = value {
            batch.push(name, value);
        }
    }
    batch.flush();

    if !attrs.finish_reasons.is_empty() && span.field(GEN_AI_RESPONSE_FINISH_REASONS).is_some() {
        let reasons: Vec<StringValue> = attrs
            .finish_reasons
            .iter()
            .map(|r| StringValue::from(r.to_owned()))
            .collect();
        span.set_attribute(
            GEN_AI_RESPONSE_FINISH_REASONS,
            OtelValue::Array(Array::String(reasons)),
        );
    }
}

fn as_value<T: Value>(value: &T) -> &dyn Value {
    value
}

/// Records `gen_ai.response.time_to_first_chunk`, in seconds.
pub(crate) fn time_to_first_chunk(span: &Span, seconds: f64) {
    let mut batch = Batch::new(span);
    batch.push(GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, &seconds);
    batch.flush();
}

/// Records a failure: `error.type` and an error status with `description`.
pub(crate) fn error(span: &Span, error_type: &str, description: &str) {
    let mut batch = Batch::new(span);
    batch.push(ERROR_TYPE, &error_type);
    batch.push(STATUS_DESCRIPTION, &description);
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
