//! Without the `metrics` feature: the same API, recording nothing.

#![allow(
    clippy::unused_self,
    reason = "the methods mirror the recording ones and do nothing"
)]

use super::MetricStr;
use crate::TokenUsage;

/// Does nothing: this build of `genai-span` has its `metrics` feature off.
///
/// Accepts any value, so the code that calls it with a meter provider compiles whether the
/// feature is on or off. See [the ordering rule](crate::metrics#installing-a-meter-provider-the-ordering-rule)
/// for what it does with the feature on.
#[inline]
pub fn init<P: ?Sized>(meter_provider: &P) {
    let _ = meter_provider;
}

/// Records nothing: this build has its `metrics` feature off.
#[derive(Debug)]
pub(crate) struct MetricContext;

impl MetricContext {
    #[inline]
    pub(crate) fn new(
        _operation: &'static str,
        _provider: Option<MetricStr<'_>>,
        _request_model: Option<MetricStr<'_>>,
        _server_address: Option<MetricStr<'_>>,
        _server_port: Option<i64>,
    ) -> Self {
        MetricContext
    }

    #[inline]
    pub(crate) fn record_duration(
        &self,
        _seconds: f64,
        _response_model: Option<&str>,
        _error_type: Option<&str>,
    ) {
    }

    #[inline]
    pub(crate) fn record_usage(&self, _usage: &TokenUsage, _response_model: Option<&str>) {}

    #[inline]
    pub(crate) fn record_time_to_first_chunk(&self, _seconds: f64, _response_model: Option<&str>) {}

    #[inline]
    pub(crate) fn record_time_per_output_chunk(
        &self,
        _seconds: f64,
        _response_model: Option<&str>,
    ) {
    }
}
