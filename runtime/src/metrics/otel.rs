//! The metrics, recorded through the `opentelemetry` metrics API.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use opentelemetry::metrics::{Histogram, Meter, MeterProvider};
use opentelemetry::{InstrumentationScope, KeyValue};

use super::MetricStr;
use crate::TokenUsage;
use crate::semconv::metric::{
    GEN_AI_CLIENT_OPERATION_DURATION, GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
    GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, GEN_AI_CLIENT_TOKEN_USAGE,
};
use crate::semconv::{
    ERROR_TYPE, GEN_AI_OPERATION_NAME, GEN_AI_PROVIDER_NAME, GEN_AI_REQUEST_MODEL,
    GEN_AI_RESPONSE_MODEL, GEN_AI_TOKEN_TYPE, MetricDescriptor, SCHEMA_URL, SERVER_ADDRESS,
    SERVER_PORT,
};

/// `gen_ai.token.type` of input tokens.
const TOKEN_TYPE_INPUT: &str = "input";
/// `gen_ai.token.type` of output tokens.
const TOKEN_TYPE_OUTPUT: &str = "output";
/// `error.type` when a failure reports an empty type: the conventions' fallback value.
const ERROR_TYPE_OTHER: &str = "_OTHER";

/// The most attributes a measurement carries: five from the call, the response model, and
/// `error.type` or `gen_ai.token.type`.
const MAX_ATTRIBUTES: usize = 7;

/// The instruments, bound to one meter provider.
#[derive(Debug)]
struct Instruments {
    token_usage: Histogram<u64>,
    duration: Histogram<f64>,
    time_to_first_chunk: Histogram<f64>,
    time_per_output_chunk: Histogram<f64>,
}

impl Instruments {
    fn new(meter: &Meter) -> Self {
        let usage = GEN_AI_CLIENT_TOKEN_USAGE;
        let mut token_usage = meter
            .u64_histogram(usage.name)
            .with_unit(usage.unit)
            .with_description(usage.brief);
        if let Some(bounds) = usage.bucket_boundaries {
            token_usage = token_usage.with_boundaries(bounds.to_vec());
        }
        Instruments {
            token_usage: token_usage.build(),
            duration: seconds_histogram(meter, GEN_AI_CLIENT_OPERATION_DURATION),
            time_to_first_chunk: seconds_histogram(
                meter,
                GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
            ),
            time_per_output_chunk: seconds_histogram(
                meter,
                GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
            ),
        }
    }
}

fn seconds_histogram(meter: &Meter, metric: MetricDescriptor) -> Histogram<f64> {
    let mut builder = meter
        .f64_histogram(metric.name)
        .with_unit(metric.unit)
        .with_description(metric.brief);
    if let Some(bounds) = metric.bucket_boundaries {
        builder = builder.with_boundaries(bounds.to_vec());
    }
    builder.build()
}

/// The instrumentation scope of every metric: `genai-span`, its version, the schema URL of
/// the semantic conventions.
fn scope() -> InstrumentationScope {
    InstrumentationScope::builder(env!("CARGO_PKG_NAME"))
        .with_version(env!("CARGO_PKG_VERSION"))
        .with_schema_url(SCHEMA_URL)
        .build()
}

/// The instruments new calls record on; `None` until the first call or [`init`].
static INSTRUMENTS: RwLock<Option<Arc<Instruments>>> = RwLock::new(None);

/// The current instruments, bound to the global meter provider on first use.
fn instruments() -> Arc<Instruments> {
    if let Some(bound) = INSTRUMENTS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        return Arc::clone(bound);
    }
    // Built outside the lock: the global provider has a lock of its own.
    let from_global = Arc::new(Instruments::new(&opentelemetry::global::meter_with_scope(
        scope(),
    )));
    let mut slot = INSTRUMENTS.write().unwrap_or_else(PoisonError::into_inner);
    // Another thread (or `init`) may have been first: keep what it bound.
    Arc::clone(slot.get_or_insert(from_global))
}

/// Binds the GenAI metric instruments to `meter_provider`.
///
/// Calls made from now on record through this provider, whether or not it is the global one;
/// calls already in flight finish on the instruments they started with. Call it again to
/// rebind (after a reload, say). See [the ordering rule](crate::metrics#installing-a-meter-provider-the-ordering-rule).
pub fn init<P: MeterProvider + ?Sized>(meter_provider: &P) {
    let bound = Arc::new(Instruments::new(&meter_provider.meter_with_scope(scope())));
    *INSTRUMENTS.write().unwrap_or_else(PoisonError::into_inner) = Some(bound);
}

/// The attributes a call's metrics share, captured once when its span is created.
///
/// Holds the instruments that were current then, and one attribute list reused by every
/// measurement of the call: the call's own attributes, then `gen_ai.response.model` for the
/// response model it was last built for, then room for one measurement-specific attribute.
/// Recording with the same response model as the previous measurement allocates nothing.
#[derive(Debug)]
pub(crate) struct MetricContext {
    instruments: Arc<Instruments>,
    attributes: Mutex<Attributes>,
}

#[derive(Debug)]
struct Attributes {
    /// The call's attributes (`base` of them), then the response model if there is one.
    list: Vec<KeyValue>,
    base: usize,
}

impl Attributes {
    /// Makes `list` the call's attributes plus `response_model`, reusing the model already
    /// there when it is the same.
    fn set_response_model(&mut self, response_model: Option<&str>) {
        let cached = self.list.get(self.base).is_some_and(|kv| {
            kv.key.as_str() == GEN_AI_RESPONSE_MODEL
                && response_model.is_some_and(|model| kv.value.as_str() == model)
        });
        if cached {
            self.list.truncate(self.base + 1);
        } else {
            self.list.truncate(self.base);
            if let Some(model) = response_model {
                self.list
                    .push(KeyValue::new(GEN_AI_RESPONSE_MODEL, model.to_owned()));
            }
        }
    }
}

impl MetricContext {
    /// Copies what it needs; called only for spans a subscriber wants.
    pub(crate) fn new(
        operation: &'static str,
        provider: Option<MetricStr<'_>>,
        request_model: Option<MetricStr<'_>>,
        server_address: Option<MetricStr<'_>>,
        server_port: Option<i64>,
    ) -> Self {
        let mut list = Vec::with_capacity(MAX_ATTRIBUTES);
        list.push(KeyValue::new(GEN_AI_OPERATION_NAME, operation));
        let strings = [
            (GEN_AI_PROVIDER_NAME, provider),
            (GEN_AI_REQUEST_MODEL, request_model),
            (SERVER_ADDRESS, server_address),
        ];
        for (key, value) in strings {
            match value {
                Some(MetricStr::Literal(text)) if !text.is_empty() => {
                    list.push(KeyValue::new(key, text));
                }
                Some(MetricStr::Borrowed(text)) if !text.is_empty() => {
                    list.push(KeyValue::new(key, text.to_owned()));
                }
                _ => {}
            }
        }
        if let Some(port) = server_port {
            list.push(KeyValue::new(SERVER_PORT, port));
        }
        let base = list.len();
        MetricContext {
            instruments: instruments(),
            attributes: Mutex::new(Attributes { list, base }),
        }
    }

    /// `gen_ai.client.operation.duration`: the whole call, with `error.type` when it failed.
    pub(crate) fn record_duration(
        &self,
        seconds: f64,
        response_model: Option<&str>,
        error_type: Option<&str>,
    ) {
        let Some(seconds) = valid_seconds(seconds) else {
            return;
        };
        let error = error_type.map(|error_type| {
            let error_type = non_empty(Some(error_type)).unwrap_or(ERROR_TYPE_OTHER);
            KeyValue::new(ERROR_TYPE, error_type.to_owned())
        });
        self.with_attributes(response_model, error, |attributes| {
            self.instruments.duration.record(seconds, attributes);
        });
    }

    /// `gen_ai.client.token.usage`: one measurement per token type the provider reported.
    pub(crate) fn record_usage(&self, usage: &TokenUsage, response_model: Option<&str>) {
        let counts = [
            (TOKEN_TYPE_INPUT, usage.input),
            (TOKEN_TYPE_OUTPUT, usage.output),
        ];
        for (token_type, count) in counts {
            let Some(count) = count.and_then(|count| u64::try_from(count).ok()) else {
                continue;
            };
            let token_type = KeyValue::new(GEN_AI_TOKEN_TYPE, token_type);
            self.with_attributes(response_model, Some(token_type), |attributes| {
                self.instruments.token_usage.record(count, attributes);
            });
        }
    }

    /// `gen_ai.client.operation.time_to_first_chunk`: from the request to the first chunk.
    pub(crate) fn record_time_to_first_chunk(&self, seconds: f64, response_model: Option<&str>) {
        let Some(seconds) = valid_seconds(seconds) else {
            return;
        };
        self.with_attributes(response_model, None, |attributes| {
            self.instruments
                .time_to_first_chunk
                .record(seconds, attributes);
        });
    }

    /// `gen_ai.client.operation.time_per_output_chunk`: for each chunk after the first, the
    /// time from the end of the previous chunk to the end of this one.
    ///
    /// Runs once per chunk: with the same response model as the previous measurement it
    /// takes an uncontended lock and allocates nothing.
    pub(crate) fn record_time_per_output_chunk(&self, seconds: f64, response_model: Option<&str>) {
        let Some(seconds) = valid_seconds(seconds) else {
            return;
        };
        self.with_attributes(response_model, None, |attributes| {
            self.instruments
                .time_per_output_chunk
                .record(seconds, attributes);
        });
    }

    /// Calls `record` with the call's attributes, `response_model` and `extra`.
    fn with_attributes(
        &self,
        response_model: Option<&str>,
        extra: Option<KeyValue>,
        record: impl FnOnce(&[KeyValue]),
    ) {
        let response_model = non_empty(response_model);
        // Uncontended in practice: one call's measurements come from the task that runs it.
        // A panic while recording poisons the lock but leaves the list repairable:
        // `set_response_model` truncates whatever is past the call's attributes.
        let mut guard = self
            .attributes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        guard.set_response_model(response_model);
        let has_extra = extra.is_some();
        guard.list.extend(extra);
        record(&guard.list);
        if has_extra {
            guard.list.pop();
        }
    }
}

/// `Some` non-empty string: absent and empty values are left out.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.is_empty())
}

/// A duration a histogram can take: finite and not negative (`-0.0` becomes `0.0`).
fn valid_seconds(seconds: f64) -> Option<f64> {
    (seconds.is_finite() && seconds >= 0.0).then_some(seconds.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semconv::Instrument;

    fn context(model: &str) -> MetricContext {
        MetricContext::new(
            "chat",
            Some(MetricStr::Literal("openai")),
            Some(MetricStr::Borrowed(model)),
            Some(MetricStr::Literal("api.openai.com")),
            Some(443),
        )
    }

    fn keys(attributes: &Attributes) -> Vec<(String, String)> {
        attributes
            .list
            .iter()
            .map(|kv| (kv.key.to_string(), kv.value.as_str().into_owned()))
            .collect()
    }

    #[test]
    fn the_descriptors_are_histograms_with_bucket_advice() {
        for metric in [
            GEN_AI_CLIENT_TOKEN_USAGE,
            GEN_AI_CLIENT_OPERATION_DURATION,
            GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
            GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
        ] {
            assert_eq!(metric.instrument, Instrument::Histogram, "{}", metric.name);
            assert!(metric.bucket_boundaries.is_some(), "{}", metric.name);
        }
    }

    #[test]
    fn nan_negative_infinite_and_huge_values_do_not_panic() {
        let ctx = context("unit-test-values");
        for seconds in [
            f64::NAN,
            -f64::NAN,
            -1.0,
            -0.0,
            0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            1e300,
        ] {
            ctx.record_duration(seconds, Some("m"), Some("timeout"));
            ctx.record_duration(seconds, None, Some(""));
            ctx.record_time_to_first_chunk(seconds, Some(""));
            ctx.record_time_per_output_chunk(seconds, None);
        }
        let mut usage = TokenUsage::default();
        for count in [i64::MIN, -1, 0, i64::MAX] {
            usage.input = Some(count);
            usage.output = Some(count);
            ctx.record_usage(&usage, Some("m"));
        }
    }

    #[test]
    fn invalid_durations_are_dropped() {
        assert_eq!(valid_seconds(f64::NAN), None);
        assert_eq!(valid_seconds(-1.0), None);
        assert_eq!(valid_seconds(f64::INFINITY), None);
        assert_eq!(valid_seconds(-0.0).map(f64::is_sign_positive), Some(true));
        assert_eq!(valid_seconds(1.5), Some(1.5));
    }

    #[test]
    fn absent_and_empty_values_are_left_out() {
        let ctx = MetricContext::new(
            "chat",
            Some(MetricStr::Literal("")),
            None,
            Some(MetricStr::Borrowed("")),
            None,
        );
        let attributes = ctx.attributes.lock().unwrap();
        assert_eq!(
            keys(&attributes),
            [("gen_ai.operation.name".into(), "chat".into())]
        );
    }

    #[test]
    fn the_response_model_is_cached_and_replaced() {
        let ctx = context("gpt-4o");
        let mut seen = Vec::new();
        let mut record = |model: Option<&str>, extra: Option<KeyValue>| {
            ctx.with_attributes(model, extra, |attributes| {
                seen.push(
                    attributes
                        .iter()
                        .map(|kv| format!("{}={}", kv.key, kv.value))
                        .collect::<Vec<_>>()
                        .join(","),
                );
            });
        };
        record(None, None);
        record(Some("gpt-4o-2024"), None);
        record(
            Some("gpt-4o-2024"),
            Some(KeyValue::new(GEN_AI_TOKEN_TYPE, "input")),
        );
        record(Some("gpt-4o-mini"), None);
        record(Some(""), None);
        let base = "gen_ai.operation.name=chat,gen_ai.provider.name=openai,\
                    gen_ai.request.model=gpt-4o,server.address=api.openai.com,server.port=443";
        assert_eq!(
            seen,
            [
                base.to_owned(),
                format!("{base},gen_ai.response.model=gpt-4o-2024"),
                format!("{base},gen_ai.response.model=gpt-4o-2024,gen_ai.token.type=input"),
                format!("{base},gen_ai.response.model=gpt-4o-mini"),
                base.to_owned(),
            ]
        );
        let attributes = ctx.attributes.lock().unwrap();
        assert!(attributes.list.capacity() >= MAX_ATTRIBUTES);
    }

    #[test]
    fn a_stale_extra_attribute_is_repaired() {
        let ctx = context("gpt-4o");
        {
            let mut attributes = ctx.attributes.lock().unwrap();
            // As a panic inside `record` would leave it.
            attributes
                .list
                .push(KeyValue::new(GEN_AI_TOKEN_TYPE, TOKEN_TYPE_INPUT));
        }
        ctx.with_attributes(None, None, |attributes| {
            assert_eq!(attributes.len(), 5);
        });
        ctx.with_attributes(Some("m"), None, |attributes| {
            assert_eq!(attributes.len(), 6);
        });
    }

    #[test]
    fn init_rebinds_the_instruments() {
        let before = instruments();
        init(&opentelemetry::metrics::noop::NoopMeterProvider::new());
        let after = instruments();
        assert!(!Arc::ptr_eq(&before, &after));
    }
}
