//! The standard `OTEL_*` environment variables, read through a lookup function.
//!
//! Everything here is a pure function of the variables' values: the process environment is
//! read in one place ([`Setup::from_env`](super::Setup::from_env)), so these are tested with
//! plain maps (setting variables is `unsafe` in edition 2024, and the crate forbids it).

use std::time::Duration;

use super::{Protocol, Sampler};

/// `OTEL_SERVICE_NAME`.
pub(crate) const SERVICE_NAME: &str = "OTEL_SERVICE_NAME";
/// `OTEL_RESOURCE_ATTRIBUTES`.
pub(crate) const RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";
/// `OTEL_TRACES_SAMPLER`.
pub(crate) const TRACES_SAMPLER: &str = "OTEL_TRACES_SAMPLER";
/// `OTEL_TRACES_SAMPLER_ARG`.
pub(crate) const TRACES_SAMPLER_ARG: &str = "OTEL_TRACES_SAMPLER_ARG";
/// `OTEL_BSP_MAX_QUEUE_SIZE`.
pub(crate) const BSP_MAX_QUEUE_SIZE: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
/// `OTEL_BSP_SCHEDULE_DELAY` (milliseconds).
pub(crate) const BSP_SCHEDULE_DELAY: &str = "OTEL_BSP_SCHEDULE_DELAY";
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`.
pub(crate) const BSP_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";
/// `OTEL_METRIC_EXPORT_INTERVAL` (milliseconds).
pub(crate) const METRIC_EXPORT_INTERVAL: &str = "OTEL_METRIC_EXPORT_INTERVAL";

/// Every variable [`EnvConfig::read`] looks at, so `from_env` reads exactly these.
pub(crate) const ALL: &[&str] = &[
    SERVICE_NAME,
    RESOURCE_ATTRIBUTES,
    TRACES_SAMPLER,
    TRACES_SAMPLER_ARG,
    BSP_MAX_QUEUE_SIZE,
    BSP_SCHEDULE_DELAY,
    BSP_MAX_EXPORT_BATCH_SIZE,
    METRIC_EXPORT_INTERVAL,
    OtlpVars::GENERIC.endpoint,
    OtlpVars::GENERIC.protocol,
    OtlpVars::GENERIC.headers,
    OtlpVars::GENERIC.timeout,
    OtlpVars::TRACES.endpoint,
    OtlpVars::TRACES.protocol,
    OtlpVars::TRACES.headers,
    OtlpVars::TRACES.timeout,
    OtlpVars::METRICS.endpoint,
    OtlpVars::METRICS.protocol,
    OtlpVars::METRICS.headers,
    OtlpVars::METRICS.timeout,
];

/// The names of one family of OTLP exporter variables (generic, traces or metrics).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OtlpVars {
    pub(crate) endpoint: &'static str,
    pub(crate) protocol: &'static str,
    pub(crate) headers: &'static str,
    pub(crate) timeout: &'static str,
}

impl OtlpVars {
    /// `OTEL_EXPORTER_OTLP_*`, for every signal.
    pub(crate) const GENERIC: OtlpVars = OtlpVars {
        endpoint: "OTEL_EXPORTER_OTLP_ENDPOINT",
        protocol: "OTEL_EXPORTER_OTLP_PROTOCOL",
        headers: "OTEL_EXPORTER_OTLP_HEADERS",
        timeout: "OTEL_EXPORTER_OTLP_TIMEOUT",
    };
    /// `OTEL_EXPORTER_OTLP_TRACES_*`.
    pub(crate) const TRACES: OtlpVars = OtlpVars {
        endpoint: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        protocol: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        headers: "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        timeout: "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    };
    /// `OTEL_EXPORTER_OTLP_METRICS_*`.
    pub(crate) const METRICS: OtlpVars = OtlpVars {
        endpoint: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        protocol: "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
        headers: "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        timeout: "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
    };
}

/// What one family of OTLP variables sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OtlpEnv {
    pub(crate) endpoint: Option<String>,
    pub(crate) protocol: Option<Protocol>,
    /// `None` when the variable is unset: a set but empty list still replaces the generic one.
    pub(crate) headers: Option<Vec<(String, String)>>,
    pub(crate) timeout: Option<Duration>,
}

/// What the environment configures. `None` (or empty) where a variable is unset, empty or
/// invalid; invalid values also leave a warning.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct EnvConfig {
    pub(crate) service_name: Option<String>,
    pub(crate) resource_attributes: Vec<(String, String)>,
    pub(crate) generic: OtlpEnv,
    pub(crate) traces: OtlpEnv,
    pub(crate) metrics: OtlpEnv,
    pub(crate) sampler: Option<Sampler>,
    pub(crate) max_queue_size: Option<usize>,
    pub(crate) schedule_delay: Option<Duration>,
    pub(crate) max_export_batch_size: Option<usize>,
    pub(crate) metric_export_interval: Option<Duration>,
}

impl EnvConfig {
    /// Reads the variables through `lookup`; a problem with a value becomes a line in
    /// `warnings` and the value is ignored, as the specification asks.
    pub(crate) fn read(
        lookup: impl Fn(&str) -> Option<String>,
        warnings: &mut Vec<String>,
    ) -> Self {
        // An empty value counts as unset (the specification's rule).
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let otlp = |vars: OtlpVars, warnings: &mut Vec<String>| OtlpEnv {
            endpoint: get(vars.endpoint).map(|v| v.trim().to_owned()),
            protocol: checked(vars.protocol, get(vars.protocol), parse_protocol, warnings),
            headers: lookup(vars.headers).map(|v| parse_key_values(vars.headers, &v, warnings)),
            timeout: checked(vars.timeout, get(vars.timeout), parse_millis, warnings),
        };
        let generic = otlp(OtlpVars::GENERIC, warnings);
        let traces = otlp(OtlpVars::TRACES, warnings);
        let metrics = otlp(OtlpVars::METRICS, warnings);

        let sampler = get(TRACES_SAMPLER).and_then(|name| {
            let (sampler, warning) = parse_sampler(&name, get(TRACES_SAMPLER_ARG).as_deref());
            warnings.extend(warning);
            sampler
        });
        let resource_attributes = get(RESOURCE_ATTRIBUTES)
            .map(|v| parse_key_values(RESOURCE_ATTRIBUTES, &v, warnings))
            .unwrap_or_default();
        let max_queue_size = checked(
            BSP_MAX_QUEUE_SIZE,
            get(BSP_MAX_QUEUE_SIZE),
            parse_count,
            warnings,
        );
        let schedule_delay = checked(
            BSP_SCHEDULE_DELAY,
            get(BSP_SCHEDULE_DELAY),
            parse_millis,
            warnings,
        );
        let max_export_batch_size = checked(
            BSP_MAX_EXPORT_BATCH_SIZE,
            get(BSP_MAX_EXPORT_BATCH_SIZE),
            parse_count,
            warnings,
        );
        let metric_export_interval = checked(
            METRIC_EXPORT_INTERVAL,
            get(METRIC_EXPORT_INTERVAL),
            parse_millis,
            warnings,
        );

        EnvConfig {
            service_name: get(SERVICE_NAME).map(|v| v.trim().to_owned()),
            resource_attributes,
            generic,
            traces,
            metrics,
            sampler,
            max_queue_size,
            schedule_delay,
            max_export_batch_size,
            metric_export_interval,
        }
    }
}

/// `value` of the variable `name` parsed, or `None` with a warning when it does not parse.
fn checked<T>(
    name: &str,
    value: Option<String>,
    parse: fn(&str) -> Result<T, String>,
    warnings: &mut Vec<String>,
) -> Option<T> {
    let value = value?;
    match parse(&value) {
        Ok(parsed) => Some(parsed),
        Err(reason) => {
            warnings.push(format!("ignoring {name}={value:?}: {reason}"));
            None
        }
    }
}

/// A `key1=value1,key2=value2` list (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`):
/// whitespace around keys and values trimmed, values percent-decoded. An entry without `=` or
/// with an empty key is skipped with a warning; a value that is not valid percent-encoding is
/// kept as written.
pub(crate) fn parse_key_values(
    variable: &str,
    value: &str,
    warnings: &mut Vec<String>,
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                let value = value.trim();
                let value = percent_decode(value).unwrap_or_else(|| value.to_owned());
                pairs.push((key.trim().to_owned(), value));
            }
            _ => warnings.push(format!(
                "ignoring {variable} entry {entry:?}: expected `key=value`"
            )),
        }
    }
    pairs
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
pub(crate) fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` or `grpc` (any case).
pub(crate) fn parse_protocol(value: &str) -> Result<Protocol, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        "grpc" => Ok(Protocol::Grpc),
        "http/json" => Err("http/json is not supported; use http/protobuf or grpc".into()),
        _ => Err("expected `http/protobuf` or `grpc`".into()),
    }
}

/// `OTEL_TRACES_SAMPLER` and its argument. Returns the sampler (`None` for an unknown name)
/// and a warning when something was ignored. A ratio argument that is missing means 1.0; one
/// that is invalid or outside `[0, 1]` is replaced by 1.0 with a warning.
pub(crate) fn parse_sampler(name: &str, arg: Option<&str>) -> (Option<Sampler>, Option<String>) {
    let ratio = || match arg.map(str::trim) {
        None => (1.0, None),
        Some(arg) => match arg.parse::<f64>() {
            Ok(r) if (0.0..=1.0).contains(&r) => (r, None),
            _ => (
                1.0,
                Some(format!(
                    "ignoring {TRACES_SAMPLER_ARG}={arg:?}: expected a ratio between 0 and 1; using 1.0"
                )),
            ),
        },
    };
    match name.trim().to_ascii_lowercase().as_str() {
        "always_on" => (Some(Sampler::AlwaysOn), None),
        "always_off" => (Some(Sampler::AlwaysOff), None),
        "parentbased_always_on" => (Some(Sampler::ParentBasedAlwaysOn), None),
        "parentbased_always_off" => (Some(Sampler::ParentBasedAlwaysOff), None),
        "traceidratio" => {
            let (r, warning) = ratio();
            (Some(Sampler::TraceIdRatio(r)), warning)
        }
        "parentbased_traceidratio" => {
            let (r, warning) = ratio();
            (Some(Sampler::ParentBasedTraceIdRatio(r)), warning)
        }
        other => (
            None,
            Some(format!(
                "ignoring {TRACES_SAMPLER}={other:?}: expected always_on, always_off, traceidratio, \
                 parentbased_always_on, parentbased_always_off or parentbased_traceidratio"
            )),
        ),
    }
}

/// A duration in whole milliseconds, as every `OTEL_*` timeout and interval is given.
pub(crate) fn parse_millis(value: &str) -> Result<Duration, String> {
    value
        .trim()
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| "expected a whole number of milliseconds".into())
}

/// A count that must be at least 1.
pub(crate) fn parse_count(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err("expected a whole number greater than 0".into()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> (EnvConfig, Vec<String>) {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut warnings = Vec::new();
        let config = EnvConfig::read(|name| map.get(name).cloned(), &mut warnings);
        (config, warnings)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn key_values_are_trimmed_and_percent_decoded() {
        let mut warnings = Vec::new();
        let parsed = parse_key_values(
            "X",
            " k1 = v1 ,k2=Basic%20AAA%3D%3D,,x-id=%C3%B6,bad%=%ZZ",
            &mut warnings,
        );
        assert_eq!(
            parsed,
            pairs(&[
                ("k1", "v1"),
                ("k2", "Basic AAA=="),
                ("x-id", "ö"),
                ("bad%", "%ZZ")
            ])
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn key_values_keep_equals_signs_in_values_and_warn_on_bad_entries() {
        let mut warnings = Vec::new();
        let parsed = parse_key_values("OTEL_X", "a=b=c,novalue,=v,k=", &mut warnings);
        assert_eq!(parsed, pairs(&[("a", "b=c"), ("k", "")]));
        assert_eq!(
            warnings,
            [
                "ignoring OTEL_X entry \"novalue\": expected `key=value`",
                "ignoring OTEL_X entry \"=v\": expected `key=value`",
            ]
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("%e2%82%ac").as_deref(), Some("€"));
        assert_eq!(percent_decode("100%"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ff"), None, "not UTF-8");
    }

    #[test]
    fn protocols() {
        assert_eq!(parse_protocol("http/protobuf"), Ok(Protocol::HttpProtobuf));
        assert_eq!(parse_protocol(" GRPC "), Ok(Protocol::Grpc));
        assert!(
            parse_protocol("http/json")
                .unwrap_err()
                .contains("not supported")
        );
        assert!(parse_protocol("udp").is_err());
    }

    #[test]
    fn samplers() {
        let s = |name, arg| parse_sampler(name, arg);
        assert_eq!(s("always_on", None), (Some(Sampler::AlwaysOn), None));
        assert_eq!(s("always_off", None), (Some(Sampler::AlwaysOff), None));
        assert_eq!(
            s("traceidratio", Some("0.25")),
            (Some(Sampler::TraceIdRatio(0.25)), None)
        );
        assert_eq!(
            s("traceidratio", None),
            (Some(Sampler::TraceIdRatio(1.0)), None)
        );
        assert_eq!(
            s("parentbased_always_on", None),
            (Some(Sampler::ParentBasedAlwaysOn), None)
        );
        assert_eq!(
            s("ParentBased_Always_Off", None),
            (Some(Sampler::ParentBasedAlwaysOff), None)
        );
        assert_eq!(
            s("parentbased_traceidratio", Some("0")),
            (Some(Sampler::ParentBasedTraceIdRatio(0.0)), None)
        );
        let (sampler, warning) = s("traceidratio", Some("1.5"));
        assert_eq!(sampler, Some(Sampler::TraceIdRatio(1.0)));
        assert!(warning.unwrap().contains("between 0 and 1"));
        let (sampler, warning) = s("jaeger_remote", None);
        assert_eq!(sampler, None);
        assert!(
            warning
                .unwrap()
                .contains("OTEL_TRACES_SAMPLER=\"jaeger_remote\"")
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_millis("1500"), Ok(Duration::from_millis(1500)));
        assert!(parse_millis("1.5s").is_err());
        assert_eq!(parse_count("512"), Ok(512));
        assert!(parse_count("0").is_err());
    }

    #[test]
    fn reads_every_variable() {
        let (config, warnings) = read(&[
            ("OTEL_SERVICE_NAME", "weather-agent"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=prod,team=ai%20lab",
            ),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://traces:4318/v1/traces",
            ),
            ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret"),
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", ""),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "100"),
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
        ]);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.service_name.as_deref(), Some("weather-agent"));
        assert_eq!(
            config.resource_attributes,
            pairs(&[("deployment.environment", "prod"), ("team", "ai lab")])
        );
        assert_eq!(
            config.generic.endpoint.as_deref(),
            Some("http://collector:4318")
        );
        assert_eq!(
            config.traces.endpoint.as_deref(),
            Some("http://traces:4318/v1/traces")
        );
        assert_eq!(config.metrics.protocol, Some(Protocol::Grpc));
        assert_eq!(
            config.generic.headers,
            Some(pairs(&[("api-key", "secret")]))
        );
        assert_eq!(config.traces.headers, Some(Vec::new()), "set, if empty");
        assert_eq!(config.metrics.headers, None);
        assert_eq!(config.generic.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(config.sampler, Some(Sampler::ParentBasedTraceIdRatio(0.5)));
        assert_eq!(config.max_queue_size, Some(100));
        assert_eq!(config.schedule_delay, Some(Duration::from_millis(200)));
        assert_eq!(config.max_export_batch_size, Some(10));
        assert_eq!(config.metric_export_interval, Some(Duration::from_secs(1)));
    }

    #[test]
    fn empty_and_invalid_values_are_ignored_with_warnings() {
        let (config, warnings) = read(&[
            ("OTEL_SERVICE_NAME", "  "),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "-1"),
        ]);
        assert_eq!(config, EnvConfig::default());
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].starts_with("ignoring OTEL_EXPORTER_OTLP_PROTOCOL=\"http/json\""));
        assert!(warnings[1].starts_with("ignoring OTEL_EXPORTER_OTLP_TIMEOUT=\"soon\""));
        assert!(warnings[2].starts_with("ignoring OTEL_BSP_MAX_QUEUE_SIZE=\"-1\""));
    }
}
