//! What can go wrong, and the `error.type` each failure is recorded with.

use std::borrow::Cow;
use std::fmt;

use genai_span::GenAiError;

use super::sse::SseError;

/// A failed request, or a stream that failed part-way.
///
/// Each kind of failure has a low-cardinality [`error.type`](GenAiError::error_type):
///
/// | variant | `error.type` |
/// |---|---|
/// | [`Api`](Error::Api) | the body's `error.code` (`rate_limit_exceeded`, `invalid_api_key`, ...), else its `error.type` (`server_error`, ...), else the HTTP status (`429`, `503`) |
/// | [`Transport`](Error::Transport) | `timeout`, `connection_error` (could not connect), else `transport_error` (e.g. the connection broke mid-stream) |
/// | [`InvalidJson`](Error::InvalidJson) | `invalid_response` |
/// | [`MalformedStream`](Error::MalformedStream) | `malformed_stream` |
/// | [`StreamTruncated`](Error::StreamTruncated) | `stream_truncated` |
/// | [`Config`](Error::Config) | `invalid_config` |
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error: an error status, or an error event in a stream.
    Api(ApiError),
    /// The request could not be sent, or the response could not be read.
    Transport(reqwest::Error),
    /// The body, or the data of a streamed event, is not the JSON the API returns.
    InvalidJson(serde_json::Error),
    /// The event stream is not valid server-sent events.
    MalformedStream(SseError),
    /// The stream ended before `data: [DONE]` and before any choice finished.
    StreamTruncated,
    /// The configuration cannot work: a base URL that is not an `http(s)` URL.
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(error) => error.fmt(f),
            Error::Transport(error) => {
                // reqwest's own message, then its causes: "connection refused" is in a source.
                write!(f, "{error}")?;
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
            Error::InvalidJson(error) => write!(f, "invalid response: {error}"),
            Error::MalformedStream(error) => write!(f, "malformed event stream: {error}"),
            Error::StreamTruncated => f.write_str("the event stream ended before it was done"),
            Error::Config(message) => write!(f, "invalid configuration: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(error) => Some(error),
            Error::InvalidJson(error) => Some(error),
            Error::MalformedStream(error) => Some(error),
            Error::Api(_) | Error::StreamTruncated | Error::Config(_) => None,
        }
    }
}

impl GenAiError for Error {
    fn error_type(&self) -> Cow<'_, str> {
        match self {
            Error::Api(error) => error.error_type(),
            Error::Transport(error) if error.is_timeout() => "timeout".into(),
            Error::Transport(error) if error.is_connect() => "connection_error".into(),
            Error::Transport(_) => "transport_error".into(),
            Error::InvalidJson(_) => "invalid_response".into(),
            Error::MalformedStream(_) => "malformed_stream".into(),
            Error::StreamTruncated => "stream_truncated".into(),
            Error::Config(_) => "invalid_config".into(),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(error: reqwest::Error) -> Self {
        Error::Transport(error)
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(error)
    }
}

/// An error the server reported, from the body OpenAI-compatible servers send:
/// `{"error": {"message", "type", "code", "param"}}`, a bare `{"error": "message"}`, or the
/// fields at the top level (vLLM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status (200 for an error event inside a stream).
    pub status: u16,
    /// The machine-readable code, e.g. `rate_limit_exceeded`, `invalid_api_key`.
    pub code: Option<String>,
    /// The error's type, e.g. `invalid_request_error`, `server_error`.
    pub kind: Option<String>,
    /// What went wrong, for people.
    pub message: String,
    /// The request parameter at fault.
    pub param: Option<String>,
}

/// How much of a body that is not JSON is kept as the message.
const MAX_MESSAGE_LEN: usize = 512;

impl ApiError {
    /// The error in `body`, answered with `status`.
    #[must_use]
    pub fn from_body(status: u16, body: &[u8]) -> ApiError {
        let mut error = ApiError {
            status,
            code: None,
            kind: None,
            message: String::new(),
            param: None,
        };
        let Ok(serde_json::Value::Object(top)) = serde_json::from_slice(body) else {
            let text = String::from_utf8_lossy(body);
            truncate(text.trim(), MAX_MESSAGE_LEN).clone_into(&mut error.message);
            return error;
        };
        let fields = match top.get("error") {
            Some(serde_json::Value::Object(inner)) => inner,
            Some(serde_json::Value::String(message)) => {
                error.message.clone_from(message);
                return error;
            }
            _ => &top,
        };
        let string = |key: &str| fields.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        // A numeric `code` (llama.cpp, vLLM) repeats the status: only strings are codes.
        error.code = string("code");
        error.kind = string("type");
        error.message = string("message").unwrap_or_default();
        error.param = string("param");
        error
    }

    /// The `error.type`: the code, else the type, else the status. A code or type that does
    /// not look like an identifier (over 64 bytes, or characters other than ASCII letters,
    /// digits, `_`, `-` and `.`) is passed over, so a server cannot put a message there.
    #[must_use]
    pub fn error_type(&self) -> Cow<'_, str> {
        [&self.code, &self.kind]
            .into_iter()
            .flatten()
            .find(|s| is_identifier(s))
            .map_or_else(|| self.status.to_string().into(), |s| s.as_str().into())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(reason) = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            write!(f, " {reason}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_type(status: u16, body: &str) -> String {
        ApiError::from_body(status, body.as_bytes())
            .error_type()
            .into_owned()
    }

    #[test]
    fn error_type_is_the_code_else_the_type_else_the_status() {
        let openai_429 = r#"{"error": {"message": "Rate limit reached", "type": "requests",
            "param": null, "code": "rate_limit_exceeded"}}"#;
        assert_eq!(error_type(429, openai_429), "rate_limit_exceeded");
        let openai_401 = r#"{"error": {"message": "Incorrect API key provided: sk-...",
            "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#;
        assert_eq!(error_type(401, openai_401), "invalid_api_key");
        let llama_cpp =
            r#"{"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}"#;
        assert_eq!(error_type(503, llama_cpp), "unavailable_error");
        let vllm = r#"{"object": "error", "message": "bad", "type": "BadRequestError", "param": null, "code": 400}"#;
        assert_eq!(error_type(400, vllm), "BadRequestError");
        assert_eq!(
            error_type(404, r#"{"error": "model 'x' not found"}"#),
            "404"
        );
        assert_eq!(error_type(502, "<html>Bad Gateway</html>"), "502");
        assert_eq!(error_type(500, ""), "500");
        assert_eq!(
            error_type(
                400,
                r#"{"error": {"code": "not an identifier", "type": "x y"}}"#
            ),
            "400",
            "a code that is a sentence is not recorded"
        );
    }

    #[test]
    fn display_has_the_status_and_the_message() {
        let error = ApiError::from_body(404, br#"{"error": "model 'x' not found"}"#);
        assert_eq!(error.to_string(), "404 Not Found: model 'x' not found");
        let error = ApiError::from_body(502, "é".repeat(600).as_bytes());
        assert!(error.message.len() <= MAX_MESSAGE_LEN);
        assert_eq!(ApiError::from_body(599, b"").to_string(), "599");
    }
}
