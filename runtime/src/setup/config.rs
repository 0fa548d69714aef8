//! Settings from code and from the environment, and the one rule that merges them: a value set
//! in code wins over any value from the environment.

use std::time::Duration;

use super::env::EnvConfig;
use super::{Protocol, Sampler};

/// The OTLP timeout when none is configured (the specification's default).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The batch processor's defaults (the specification's).
pub(crate) const DEFAULT_MAX_QUEUE_SIZE: usize = 2048;
pub(crate) const DEFAULT_SCHEDULE_DELAY: Duration = Duration::from_secs(5);
pub(crate) const DEFAULT_MAX_EXPORT_BATCH_SIZE: usize = 512;
/// The metric export interval when none is configured (the specification's default).
pub(crate) const DEFAULT_METRIC_EXPORT_INTERVAL: Duration = Duration::from_secs(60);
/// `service.name` when nothing names the service (the specification's default).
pub(crate) const UNKNOWN_SERVICE: &str = "unknown_service";

/// What the builder set in code. `None` where it set nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeConfig {
    pub(crate) service_name: Option<String>,
    pub(crate) resource_attributes: Vec<(String, String)>,
    pub(crate) endpoint: Option<String>,
    pub(crate) traces_endpoint: Option<String>,
    pub(crate) metrics_endpoint: Option<String>,
    pub(crate) protocol: Option<Protocol>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) sampler: Option<Sampler>,
    pub(crate) max_queue_size: Option<usize>,
    pub(crate) schedule_delay: Option<Duration>,
    pub(crate) max_export_batch_size: Option<usize>,
    pub(crate) metric_export_interval: Option<Duration>,
}

/// One signal's resolved OTLP destination.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    /// The full URL the exporter posts to (with `/v1/traces` or `/v1/metrics` for HTTP).
    pub(crate) endpoint: String,
    pub(crate) protocol: Protocol,
    /// Final headers, names as given, each name once (compared without case).
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Duration,
}

/// Everything `build` needs, after precedence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub(crate) service_name: String,
    /// Every resource attribute but `service.name`.
    pub(crate) resource_attributes: Vec<(String, String)>,
    /// `None`: no endpoint for traces anywhere.
    pub(crate) traces: Option<Target>,
    /// `None`: no endpoint for metrics anywhere.
    pub(crate) metrics: Option<Target>,
    pub(crate) sampler: Sampler,
    pub(crate) max_queue_size: usize,
    pub(crate) schedule_delay: Duration,
    pub(crate) max_export_batch_size: usize,
    pub(crate) metric_export_interval: Duration,
}

/// Which signal a target is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Traces,
    Metrics,
}

impl Signal {
    /// The path OTLP/HTTP appends to a base endpoint.
    fn http_path(self) -> &'static str {
        match self {
            Signal::Traces => "/v1/traces",
            Signal::Metrics => "/v1/metrics",
        }
    }
}

const SERVICE_NAME_KEY: &str = "service.name";

/// Merges code and environment: code first, then the signal's own variable, then the generic
/// one, then the default.
pub(crate) fn resolve(code: &CodeConfig, env: &EnvConfig) -> Resolved {
    let service_name = code
        .service_name
        .clone()
        .or_else(|| lookup(&code.resource_attributes, SERVICE_NAME_KEY))
        .or_else(|| env.service_name.clone())
        .or_else(|| lookup(&env.resource_attributes, SERVICE_NAME_KEY))
        .unwrap_or_else(|| UNKNOWN_SERVICE.to_owned());
    let mut resource_attributes = env.resource_attributes.clone();
    overlay(&mut resource_attributes, &code.resource_attributes, str::eq);
    resource_attributes.retain(|(k, _)| k != SERVICE_NAME_KEY);

    let max_queue_size = code
        .max_queue_size
        .or(env.max_queue_size)
        .unwrap_or(DEFAULT_MAX_QUEUE_SIZE);
    Resolved {
        service_name,
        resource_attributes,
        traces: target(code, env, Signal::Traces),
        metrics: target(code, env, Signal::Metrics),
        sampler: code.sampler.or(env.sampler).unwrap_or_default(),
        max_queue_size,
        schedule_delay: code
            .schedule_delay
            .or(env.schedule_delay)
            .unwrap_or(DEFAULT_SCHEDULE_DELAY),
        // The SDK requires a batch no larger than the queue.
        max_export_batch_size: code
            .max_export_batch_size
            .or(env.max_export_batch_size)
            .unwrap_or(DEFAULT_MAX_EXPORT_BATCH_SIZE)
            .min(max_queue_size),
        metric_export_interval: code
            .metric_export_interval
            .or(env.metric_export_interval)
            .unwrap_or(DEFAULT_METRIC_EXPORT_INTERVAL),
    }
}

fn target(code: &CodeConfig, env: &EnvConfig, signal: Signal) -> Option<Target> {
    let (code_endpoint, signal_env) = match signal {
        Signal::Traces => (&code.traces_endpoint, &env.traces),
        Signal::Metrics => (&code.metrics_endpoint, &env.metrics),
    };
    let protocol = code
        .protocol
        .or(signal_env.protocol)
        .or(env.generic.protocol)
        .unwrap_or_default();
    // A signal's own endpoint is used as given; a generic one is a base URL to which OTLP/HTTP
    // appends the signal's path (gRPC has no paths).
    let base = |url: &str| match protocol {
        Protocol::HttpProtobuf => join(url, signal.http_path()),
        Protocol::Grpc => url.to_owned(),
    };
    let endpoint = code_endpoint
        .clone()
        .or_else(|| code.endpoint.as_deref().map(base))
        .or_else(|| signal_env.endpoint.clone())
        .or_else(|| env.generic.endpoint.as_deref().map(base))?;
    // The signal's headers variable, when set, replaces the generic one (as in the
    // specification); headers set in code replace same-named ones from either.
    let mut headers = signal_env
        .headers
        .clone()
        .or_else(|| env.generic.headers.clone())
        .unwrap_or_default();
    overlay(&mut headers, &code.headers, str::eq_ignore_ascii_case);
    let timeout = code
        .timeout
        .or(signal_env.timeout)
        .or(env.generic.timeout)
        .unwrap_or(DEFAULT_TIMEOUT);
    Some(Target {
        endpoint,
        protocol,
        headers,
        timeout,
    })
}

/// `base` with `path` appended, with exactly one `/` between them.
fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

fn lookup(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// Adds `top` to `base`; an entry of `top` replaces the entries of `base` with the same key
/// (and within `top`, the last one wins).
fn overlay(
    base: &mut Vec<(String, String)>,
    top: &[(String, String)],
    same: fn(&str, &str) -> bool,
) {
    for (key, value) in top {
        base.retain(|(k, _)| !same(k, key));
        base.push((key.clone(), value.clone()));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> EnvConfig {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        let mut warnings = Vec::new();
        let config = EnvConfig::read(|name| map.get(name).map(|v| (*v).to_owned()), &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");
        config
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn nothing_configured_means_no_targets_and_defaults() {
        let resolved = resolve(&CodeConfig::default(), &EnvConfig::default());
        assert_eq!(
            resolved,
            Resolved {
                service_name: "unknown_service".into(),
                resource_attributes: Vec::new(),
                traces: None,
                metrics: None,
                sampler: Sampler::ParentBasedAlwaysOn,
                max_queue_size: 2048,
                schedule_delay: Duration::from_secs(5),
                max_export_batch_size: 512,
                metric_export_interval: Duration::from_secs(60),
            }
        );
    }

    #[test]
    fn generic_endpoint_gets_the_signal_path_over_http_only() {
        let http = resolve(
            &CodeConfig::default(),
            &env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")]),
        );
        assert_eq!(
            http.traces.unwrap().endpoint,
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            http.metrics.unwrap().endpoint,
            "http://collector:4318/v1/metrics"
        );
        let grpc = resolve(
            &CodeConfig::default(),
            &env(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ]),
        );
        let traces = grpc.traces.unwrap();
        assert_eq!(traces.endpoint, "http://collector:4317");
        assert_eq!(traces.protocol, Protocol::Grpc);
    }

    #[test]
    fn signal_endpoints_are_used_as_given_and_beat_the_generic_one() {
        let resolved = resolve(
            &CodeConfig::default(),
            &env(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"),
                (
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    "http://traces:9999/custom",
                ),
            ]),
        );
        assert_eq!(
            resolved.traces.unwrap().endpoint,
            "http://traces:9999/custom"
        );
        assert_eq!(
            resolved.metrics.unwrap().endpoint,
            "http://generic:4318/v1/metrics"
        );
    }

    #[test]
    fn only_a_signal_endpoint_configures_only_that_signal() {
        let resolved = resolve(
            &CodeConfig::default(),
            &env(&[(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://traces:4318/v1/traces",
            )]),
        );
        assert!(resolved.traces.is_some());
        assert_eq!(resolved.metrics, None);
    }

    #[test]
    fn code_beats_environment() {
        let env = env(&[
            ("OTEL_SERVICE_NAME", "from-env"),
            ("OTEL_RESOURCE_ATTRIBUTES", "a=env,b=env"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://env-traces:4318/v1/traces",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
            ("OTEL_TRACES_SAMPLER", "always_off"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "10"),
        ]);
        let code = CodeConfig {
            service_name: Some("from-code".into()),
            resource_attributes: pairs(&[("b", "code")]),
            endpoint: Some("http://code:4318".into()),
            protocol: Some(Protocol::HttpProtobuf),
            timeout: Some(Duration::from_millis(300)),
            sampler: Some(Sampler::AlwaysOn),
            max_queue_size: Some(20),
            ..CodeConfig::default()
        };
        let resolved = resolve(&code, &env);
        assert_eq!(resolved.service_name, "from-code");
        assert_eq!(
            resolved.resource_attributes,
            pairs(&[("a", "env"), ("b", "code")])
        );
        let traces = resolved.traces.unwrap();
        assert_eq!(
            traces.endpoint, "http://code:4318/v1/traces",
            "an endpoint in code, even the generic one, beats the environment's"
        );
        assert_eq!(traces.protocol, Protocol::HttpProtobuf);
        assert_eq!(traces.timeout, Duration::from_millis(300));
        assert_eq!(resolved.sampler, Sampler::AlwaysOn);
        assert_eq!(resolved.max_queue_size, 20);
    }

    #[test]
    fn service_name_precedence() {
        let name =
            |code: &CodeConfig, vars: &[(&str, &str)]| resolve(code, &env(vars)).service_name;
        let attrs = [("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,x=1")];
        assert_eq!(name(&CodeConfig::default(), &attrs), "from-attrs");
        let both = [attrs[0], ("OTEL_SERVICE_NAME", "from-var")];
        assert_eq!(name(&CodeConfig::default(), &both), "from-var");
        let code_attr = CodeConfig {
            resource_attributes: pairs(&[("service.name", "code-attr")]),
            ..CodeConfig::default()
        };
        assert_eq!(name(&code_attr, &both), "code-attr");
        let resolved = resolve(&code_attr, &env(&both));
        assert_eq!(
            resolved.resource_attributes,
            pairs(&[("x", "1")]),
            "service.name is kept apart"
        );
    }

    #[test]
    fn header_precedence() {
        let env = env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=generic,x-a=1"),
            ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "api-key=metrics"),
        ]);
        let code = CodeConfig {
            headers: pairs(&[("X-A", "code"), ("x-b", "2")]),
            ..CodeConfig::default()
        };
        let resolved = resolve(&code, &env);
        assert_eq!(
            resolved.traces.unwrap().headers,
            pairs(&[("api-key", "generic"), ("X-A", "code"), ("x-b", "2")])
        );
        assert_eq!(
            resolved.metrics.unwrap().headers,
            pairs(&[("api-key", "metrics"), ("X-A", "code"), ("x-b", "2")]),
            "the signal's variable replaces the generic one"
        );
    }

    #[test]
    fn signal_protocol_and_timeout_beat_generic_ones() {
        let resolved = resolve(
            &CodeConfig::default(),
            &env(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
                ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000"),
            ]),
        );
        let traces = resolved.traces.unwrap();
        let metrics = resolved.metrics.unwrap();
        assert_eq!(traces.protocol, Protocol::Grpc);
        assert_eq!(traces.timeout, Duration::from_secs(2));
        assert_eq!(metrics.protocol, Protocol::HttpProtobuf);
        assert_eq!(metrics.endpoint, "http://collector:4317/v1/metrics");
        assert_eq!(metrics.timeout, Duration::from_secs(1));
    }

    #[test]
    fn batch_size_never_exceeds_the_queue() {
        let code = CodeConfig {
            max_queue_size: Some(8),
            ..CodeConfig::default()
        };
        assert_eq!(
            resolve(&code, &EnvConfig::default()).max_export_batch_size,
            8
        );
    }
}
