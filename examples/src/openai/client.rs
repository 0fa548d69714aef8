//! The HTTP client, each call instrumented with `#[genai_span]`.

use std::fmt;
use std::time::Duration;

use futures_core::Stream;
use genai_span::genai_span;
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::Serialize;

use super::config::{Config, provider_for_host};
use super::error::{ApiError, Error};
use super::stream::ChatStream;
use super::types::{ChatChunk, ChatCompletion, ChatRequest};

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for the next bytes of a response: a model may think for a while before its
/// first token, and a stream may pause between two.
const READ_TIMEOUT: Duration = Duration::from_secs(300);
/// How much of an error response's body is read.
const MAX_ERROR_BODY: usize = 64 << 10;

/// A client of an OpenAI-compatible chat completions API.
///
/// Cheap to clone: clones share their connection pool. Requests are not retried: each call
/// is one request and one span, so a retry loop around it shows every attempt.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: Url,
    api_key: Option<String>,
    model: String,
    provider: String,
    server_address: String,
    server_port: Option<u16>,
}

/// The key never shows.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint.as_str())
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("model", &self.model)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// The body of a request: the caller's fields, and how to stream.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(flatten)]
    request: &'a ChatRequest,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

impl Client {
    /// A client for `config`, with a connect timeout of 10 s and a read timeout of 5 min.
    ///
    /// # Errors
    /// [`Error::Config`] when the base URL is not an `http` or `https` URL with a host;
    /// [`Error::Transport`] when the TLS backend cannot start.
    pub fn new(config: Config) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("genai-span-examples/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Client::with_http_client(config, http)
    }

    /// A client for `config` that sends its requests with `http` (for timeouts, proxies or
    /// TLS settings of your own).
    ///
    /// # Errors
    /// [`Error::Config`] when the base URL is not an `http` or `https` URL with a host.
    pub fn with_http_client(config: Config, http: reqwest::Client) -> Result<Client, Error> {
        let invalid = |why: &dyn fmt::Display| {
            Error::Config(format!("base URL {:?}: {why}", config.base_url))
        };
        let mut endpoint = Url::parse(config.base_url.trim()).map_err(|e| invalid(&e))?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(invalid(&"expected an http or https URL"));
        }
        // An IPv6 address without the brackets of its URL form.
        let server_address = match endpoint.host_str() {
            Some(host) => host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            None => return Err(invalid(&"no host")),
        };
        endpoint
            .path_segments_mut()
            .map_err(|()| invalid(&"no path"))?
            .pop_if_empty()
            .extend(["chat", "completions"]);
        let provider = config
            .provider
            .unwrap_or_else(|| provider_for_host(&server_address).to_owned());
        Ok(Client {
            http,
            server_port: endpoint.port_or_known_default(),
            endpoint,
            api_key: config.api_key,
            model: config.model,
            provider,
            server_address,
        })
    }

    /// A client configured from the environment ([`Config::from_env`]).
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn from_env() -> Result<Client, Error> {
        Client::new(Config::from_env())
    }

    /// The configured model.
    #[must_use]
    pub fn model(&self) -> &str {
        &self.model
    }

    /// `gen_ai.provider.name` of this client's spans.
    #[must_use]
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The URL requests go to: the base URL and `/chat/completions`.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// Asks for a completion, and waits for all of it.
    ///
    /// # Errors
    /// [`Error::Api`] when the server answers with an error status, [`Error::Transport`]
    /// when it cannot be reached or the response cannot be read, [`Error::InvalidJson`] when
    /// the body is not a completion.
    #[genai_span(chat, provider = self.provider, model = req.model,
        server_address = self.server_address, server_port = self.server_port,
        temperature = req.temperature, max_tokens = req.max_tokens, top_p = req.top_p,
        seed = req.seed, stop_sequences = req.stop, frequency_penalty = req.frequency_penalty,
        presence_penalty = req.presence_penalty, stream = false,
        input = req.messages, tools = req.tools)]
    pub async fn chat(&self, req: &ChatRequest) -> Result<ChatCompletion, Error> {
        let response = self.send(req, false).await?;
        let body = response.bytes().await?;
        serde_json::from_slice(&body).map_err(Error::InvalidJson)
    }

    /// Asks for a completion streamed as it is generated, usage included in the last chunk.
    ///
    /// The span ends with the stream: when it yields its last chunk, fails, or is dropped.
    /// Put the chunks together with [`ChatAccumulator`](super::ChatAccumulator).
    ///
    /// # Errors
    /// As [`chat`](Client::chat), for the request; the stream's own errors are its items'
    /// (see [`ChatStream`]).
    #[genai_span(chat, stream, provider = self.provider, model = req.model,
        server_address = self.server_address, server_port = self.server_port,
        temperature = req.temperature, max_tokens = req.max_tokens, top_p = req.top_p,
        seed = req.seed, stop_sequences = req.stop, frequency_penalty = req.frequency_penalty,
        presence_penalty = req.presence_penalty,
        input = req.messages, tools = req.tools)]
    pub async fn chat_stream(
        &self,
        req: &ChatRequest,
    ) -> Result<impl Stream<Item = Result<ChatChunk, Error>> + Send + use<>, Error> {
        let response = self.send(req, true).await?;
        let status = response.status().as_u16();
        Ok(ChatStream::new(Box::pin(response.bytes_stream()), status))
    }

    /// Sends `request`: the response if its status is a success, else the error it reports.
    async fn send(&self, request: &ChatRequest, stream: bool) -> Result<reqwest::Response, Error> {
        let body = Body {
            request,
            stream,
            stream_options: stream.then_some(StreamOptions {
                include_usage: true,
            }),
        };
        let mut builder = self.http.post(self.endpoint.clone()).json(&body);
        if stream {
            builder = builder.header(ACCEPT, HeaderValue::from_static("text/event-stream"));
        }
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        let mut response = builder.send().await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        // The error's body: at most `MAX_ERROR_BODY` bytes of it (a proxy's error page can be
        // large, and only the start of it is kept).
        let mut body = Vec::new();
        while body.len() < MAX_ERROR_BODY {
            match response.chunk().await? {
                Some(bytes) => body.extend_from_slice(&bytes),
                None => break,
            }
        }
        Err(ApiError::from_body(status.as_u16(), &body).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base_url: &str) -> Result<Client, Error> {
        Client::new(Config::new(base_url))
    }

    #[test]
    fn endpoints_server_address_and_port_from_the_base_url() {
        for (base, endpoint, address, port, provider) in [
            (
                "https://api.openai.com/v1",
                "https://api.openai.com/v1/chat/completions",
                "api.openai.com",
                Some(443),
                "openai",
            ),
            (
                "http://localhost:11434/v1/",
                "http://localhost:11434/v1/chat/completions",
                "localhost",
                Some(11434),
                "openai",
            ),
            (
                "https://api.groq.com/openai/v1",
                "https://api.groq.com/openai/v1/chat/completions",
                "api.groq.com",
                Some(443),
                "groq",
            ),
            (
                "http://[::1]:8000/v1?tenant=a",
                "http://[::1]:8000/v1/chat/completions?tenant=a",
                "::1",
                Some(8000),
                "openai",
            ),
        ] {
            let client = client(base).unwrap();
            assert_eq!(client.endpoint(), endpoint);
            assert_eq!(client.server_address, address);
            assert_eq!(client.server_port, port);
            assert_eq!(client.provider(), provider);
        }
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        for base in ["localhost:8080", "ftp://example.com/v1", "not a url", ""] {
            assert!(matches!(client(base), Err(Error::Config(_))), "{base}");
        }
    }

    #[test]
    fn debug_hides_the_key() {
        let client = Client::new(Config::new("http://x").with_api_key("sk-secret")).unwrap();
        assert!(!format!("{client:?}").contains("sk-secret"));
    }
}
