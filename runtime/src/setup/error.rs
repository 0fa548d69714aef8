//! Why `install` or `build` failed.

use std::fmt;

/// Why [`Setup::install`](super::Setup::install) or [`Setup::build`](super::Setup::build)
/// failed. Nothing was installed, and nothing keeps running.
#[derive(Debug)]
#[non_exhaustive]
pub enum SetupError {
    /// `genai_span::setup` already installed a pipeline in this process; there is one global
    /// subscriber per process, and it cannot be replaced.
    AlreadyInstalled,
    /// Another global `tracing` subscriber is already set (by `tracing_subscriber::fmt::init()`,
    /// say). Add the layer of [`Pipeline::layer`](super::Pipeline::layer) to that subscriber
    /// instead.
    SubscriberAlreadySet,
    /// A configured header cannot be sent.
    InvalidHeader {
        /// The header's name, as configured.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An OTLP exporter could not be built (an endpoint that is not a URL, an `https` gRPC
    /// endpoint, ...).
    Exporter(String),
    /// `OTEL_EXPORTER_OTLP_PROTOCOL=grpc` (or [`Protocol::Grpc`](super::Protocol::Grpc)) with
    /// `genai-span` built without its `grpc` feature.
    GrpcNotEnabled,
    /// A thread the pipeline needs could not be started.
    Thread(std::io::Error),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::AlreadyInstalled => {
                f.write_str("genai_span::setup already installed a pipeline in this process")
            }
            SetupError::SubscriberAlreadySet => f.write_str(
                "a global tracing subscriber is already set; add `Pipeline::layer()` to it instead",
            ),
            SetupError::InvalidHeader { name, reason } => {
                write!(f, "header {name:?} cannot be sent: {reason}")
            }
            SetupError::Exporter(message) => {
                write!(f, "the OTLP exporter could not be built: {message}")
            }
            SetupError::GrpcNotEnabled => f.write_str(
                "OTLP over gRPC needs the `grpc` feature of genai-span; use http/protobuf or enable it",
            ),
            SetupError::Thread(error) => write!(f, "a telemetry thread could not start: {error}"),
        }
    }
}

impl std::error::Error for SetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SetupError::Thread(error) => Some(error),
            _ => None,
        }
    }
}
