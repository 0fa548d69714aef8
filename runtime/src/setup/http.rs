//! OTLP over HTTP/protobuf, through the blocking reqwest client.
//!
//! The blocking client runs its requests on a thread and runtime of its own, and the SDK calls
//! it from its batch processor's (or periodic reader's) thread: nothing here needs, or blocks,
//! the application's async runtime, whatever its flavour. The client's timeout bounds every
//! request.
//!
//! The client is wrapped in [`Transport`], which sets the resolved headers on each request
//! (the exporter would otherwise re-read `OTEL_EXPORTER_OTLP_HEADERS` and let it win over the
//! headers set in code) and keeps the reason of a failed request, which the exporter's own
//! error reduces to "network error".

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol as OtlpProtocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::metrics::Temporality;
use reqwest::header::{HeaderName, HeaderValue};

use super::SetupError;
use super::config::Target;
use super::diagnostics::root_cause;
use super::export::{Destination, LastError};

/// The HTTP client the exporters use.
#[derive(Debug)]
struct Transport {
    client: reqwest::blocking::Client,
    headers: Vec<(HeaderName, HeaderValue)>,
    last_error: Arc<LastError>,
    timeout: Duration,
}

impl HttpClient for Transport {
    // The trait is declared with `async_trait`; this is its expansion, written out so the crate
    // needs no `async-trait` dependency for one method.
    fn send_bytes<'life0, 'async_trait>(
        &'life0 self,
        mut request: Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            for (name, value) in &self.headers {
                request.headers_mut().insert(name.clone(), value.clone());
            }
            match self.client.send_bytes(request).await {
                Ok(response) => {
                    if !response.status().is_success() {
                        self.last_error
                            .set(format!("the receiver answered HTTP {}", response.status()));
                    }
                    Ok(response)
                }
                Err(error) => {
                    let timed_out = error
                        .downcast_ref::<reqwest::Error>()
                        .is_some_and(reqwest::Error::is_timeout);
                    self.last_error.set(if timed_out {
                        format!("no answer within {:?}", self.timeout)
                    } else {
                        root_cause(error.as_ref())
                    });
                    Err(error)
                }
            }
        })
    }
}

/// The transport for `target`, and where it reports.
fn transport(target: &Target) -> Result<(Transport, Destination), SetupError> {
    let mut headers = Vec::with_capacity(target.headers.len());
    for (name, value) in &target.headers {
        let invalid = |reason: &str| SetupError::InvalidHeader {
            name: name.clone(),
            reason: reason.to_owned(),
        };
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid("not a valid header name"))?;
        let value =
            HeaderValue::from_str(value).map_err(|_| invalid("not a valid header value"))?;
        headers.push((name, value));
    }
    let last_error = Arc::new(LastError::default());
    let transport = Transport {
        client: blocking_client(target.timeout)?,
        headers,
        last_error: Arc::clone(&last_error),
        timeout: target.timeout,
    };
    let destination = Destination {
        name: target.endpoint.clone(),
        last_error: Some(last_error),
    };
    Ok((transport, destination))
}

/// A blocking client, built on a thread of its own: it starts a runtime, which must not happen
/// inside the application's async context.
fn blocking_client(timeout: Duration) -> Result<reqwest::blocking::Client, SetupError> {
    let build = move || {
        reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
    };
    std::thread::Builder::new()
        .name("genai-span-setup".into())
        .spawn(build)
        .map_err(SetupError::Thread)?
        .join()
        .map_err(|_| SetupError::Exporter("building the HTTP client panicked".into()))?
        .map_err(|e| SetupError::Exporter(format!("building the HTTP client failed: {e}")))
}

/// The OTLP/HTTP span exporter for `target`.
pub(crate) fn span_exporter(
    target: &Target,
) -> Result<(opentelemetry_otlp::SpanExporter, Destination), SetupError> {
    let (transport, destination) = transport(target)?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(OtlpProtocol::HttpBinary)
        .with_endpoint(target.endpoint.clone())
        .with_timeout(target.timeout)
        .with_http_client(transport)
        .build()
        .map_err(|e| SetupError::Exporter(e.to_string()))?;
    Ok((exporter, destination))
}

/// The OTLP/HTTP metric exporter for `target`.
pub(crate) fn metric_exporter(
    target: &Target,
) -> Result<(opentelemetry_otlp::MetricExporter, Destination), SetupError> {
    let (transport, destination) = transport(target)?;
    let exporter = opentelemetry_otlp::MetricExporter::builder()
        .with_http()
        .with_protocol(OtlpProtocol::HttpBinary)
        .with_endpoint(target.endpoint.clone())
        .with_timeout(target.timeout)
        .with_http_client(transport)
        .with_temporality(Temporality::Cumulative)
        .build()
        .map_err(|e| SetupError::Exporter(e.to_string()))?;
    Ok((exporter, destination))
}
