//! Where the client connects, with which key, and which provider its spans name.

use std::fmt;

/// The environment variable holding the base URL.
pub const BASE_URL_ENV: &str = "OPENAI_BASE_URL";
/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "OPENAI_API_KEY";
/// The environment variable holding the model to ask.
pub const MODEL_ENV: &str = "OPENAI_MODEL";
/// The environment variable holding `gen_ai.provider.name`.
pub const PROVIDER_ENV: &str = "OPENAI_PROVIDER";

/// OpenAI's API.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// The model asked when none is configured.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
/// `gen_ai.provider.name` when neither the configuration nor the host names another.
pub const DEFAULT_PROVIDER: &str = "openai";

/// The client's configuration.
///
/// [`from_env`](Config::from_env) reads it from the environment; a variable that is unset or
/// empty takes the default:
///
/// | variable | field | default |
/// |---|---|---|
/// | `OPENAI_BASE_URL` | [`base_url`](Config::base_url) | `https://api.openai.com/v1` |
/// | `OPENAI_API_KEY` | [`api_key`](Config::api_key) | none: no `Authorization` header, as local servers expect |
/// | `OPENAI_MODEL` | [`model`](Config::model) | `gpt-4o-mini` |
/// | `OPENAI_PROVIDER` | [`provider`](Config::provider) | from the host, see [`provider_for_host`] |
///
/// # The provider name
///
/// `gen_ai.provider.name` tells backends which flavour of GenAI telemetry a span carries.
/// The conventions (v1.41.1) list `openai`, `azure.ai.openai`, `azure.ai.inference`,
/// `gcp.gemini`, `gcp.vertex_ai`, `gcp.gen_ai`, `anthropic`, `aws.bedrock`, `cohere`,
/// `deepseek`, `groq`, `ibm.watsonx.ai`, `mistral_ai`, `perplexity` and `x_ai`; when the
/// base URL is one of those providers' OpenAI-compatible endpoints, its name is used.
///
/// For a server the list does not name (Ollama, vLLM, llama.cpp, LM Studio), the
/// conventions' note applies: many systems speak the OpenAI API, and `gen_ai.request.model`,
/// `gen_ai.response.model` and `server.address` identify the actual one. So the default,
/// `openai`, is right for them: it names the API the spans describe. To tell such servers
/// apart by provider instead, set a value of your own: the list is open, and values follow
/// the conventions' naming (lowercase, `_` between words, `.` between namespaces), e.g.
/// `OPENAI_PROVIDER=ollama`, `vllm`, `llama_cpp`. Do not reuse a listed name for another
/// provider.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The API's base URL, up to and without `/chat/completions`.
    pub base_url: String,
    /// The API key, sent as `Authorization: Bearer <key>`.
    pub api_key: Option<String>,
    /// The model to ask, for callers that build requests from the configuration.
    pub model: String,
    /// `gen_ai.provider.name`; `None` to tell from the base URL's host.
    pub provider: Option<String>,
}

impl Config {
    /// The configuration for `base_url`, without a key, with the default model and provider.
    pub fn new(base_url: impl Into<String>) -> Config {
        Config {
            base_url: base_url.into(),
            api_key: None,
            model: DEFAULT_MODEL.to_owned(),
            provider: None,
        }
    }

    /// The configuration in the process environment (see the table above).
    #[must_use]
    pub fn from_env() -> Config {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// The configuration in variables read by `lookup` (see the table above).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Config {
        let var = |name| lookup(name).filter(|v| !v.trim().is_empty());
        Config {
            base_url: var(BASE_URL_ENV).unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
            api_key: var(API_KEY_ENV),
            model: var(MODEL_ENV).unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            provider: var(PROVIDER_ENV),
        }
    }

    /// With `api_key`.
    #[must_use]
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Config {
        self.api_key = Some(api_key.into());
        self
    }

    /// With `model`.
    #[must_use]
    pub fn with_model(mut self, model: impl Into<String>) -> Config {
        self.model = model.into();
        self
    }

    /// With `provider` as `gen_ai.provider.name`.
    #[must_use]
    pub fn with_provider(mut self, provider: impl Into<String>) -> Config {
        self.provider = Some(provider.into());
        self
    }
}

/// The key never shows.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("model", &self.model)
            .field("provider", &self.provider)
            .finish()
    }
}

/// The provider whose OpenAI-compatible endpoint is served at `host`, by the names of the
/// GenAI conventions; [`DEFAULT_PROVIDER`] (`openai`) for any other host.
///
/// | host | provider |
/// |---|---|
/// | `api.openai.com` | `openai` |
/// | `*.openai.azure.com` | `azure.ai.openai` |
/// | `generativelanguage.googleapis.com` | `gcp.gemini` |
/// | `aiplatform.googleapis.com`, `*-aiplatform.googleapis.com` | `gcp.vertex_ai` |
/// | `api.anthropic.com` | `anthropic` |
/// | `api.cohere.ai` | `cohere` |
/// | `api.deepseek.com` | `deepseek` |
/// | `api.groq.com` | `groq` |
/// | `api.mistral.ai` | `mistral_ai` |
/// | `api.perplexity.ai` | `perplexity` |
/// | `api.x.ai` | `x_ai` |
///
/// ```
/// use genai_span_examples::openai::provider_for_host;
///
/// assert_eq!(provider_for_host("api.groq.com"), "groq");
/// assert_eq!(provider_for_host("my-resource.openai.azure.com"), "azure.ai.openai");
/// assert_eq!(provider_for_host("localhost"), "openai");
/// ```
#[must_use]
pub fn provider_for_host(host: &str) -> &'static str {
    // `*` matches one or more characters at the start of the host.
    const HOSTS: &[(&str, &str)] = &[
        ("api.openai.com", "openai"),
        ("*.openai.azure.com", "azure.ai.openai"),
        ("generativelanguage.googleapis.com", "gcp.gemini"),
        ("aiplatform.googleapis.com", "gcp.vertex_ai"),
        ("*-aiplatform.googleapis.com", "gcp.vertex_ai"),
        ("api.anthropic.com", "anthropic"),
        ("api.cohere.ai", "cohere"),
        ("api.deepseek.com", "deepseek"),
        ("api.groq.com", "groq"),
        ("api.mistral.ai", "mistral_ai"),
        ("api.perplexity.ai", "perplexity"),
        ("api.x.ai", "x_ai"),
    ];
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    HOSTS
        .iter()
        .find(|(pattern, _)| match pattern.strip_prefix('*') {
            Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
            None => host == *pattern,
        })
        .map_or(DEFAULT_PROVIDER, |(_, provider)| provider)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_variables_take_the_defaults() {
        let config = Config::from_vars(|name| match name {
            BASE_URL_ENV => Some("http://localhost:11434/v1".into()),
            API_KEY_ENV => Some(String::new()),
            PROVIDER_ENV => Some("ollama".into()),
            _ => None,
        });
        assert_eq!(config.base_url, "http://localhost:11434/v1");
        assert_eq!(config.api_key, None);
        assert_eq!(config.model, DEFAULT_MODEL);
        assert_eq!(config.provider.as_deref(), Some("ollama"));
        assert_eq!(Config::from_vars(|_| None).base_url, DEFAULT_BASE_URL);
    }

    #[test]
    fn debug_hides_the_key() {
        let config = Config::new("http://x").with_api_key("sk-secret");
        assert!(!format!("{config:?}").contains("sk-secret"));
    }

    #[test]
    fn providers_by_host() {
        for (host, provider) in [
            ("api.openai.com", "openai"),
            ("API.OpenAI.com.", "openai"),
            ("res.openai.azure.com", "azure.ai.openai"),
            ("openai.azure.com.evil.example", "openai"),
            ("us-central1-aiplatform.googleapis.com", "gcp.vertex_ai"),
            ("aiplatform.googleapis.com", "gcp.vertex_ai"),
            ("generativelanguage.googleapis.com", "gcp.gemini"),
            ("api.mistral.ai", "mistral_ai"),
            ("127.0.0.1", "openai"),
            ("notapi.groq.com", "openai"),
        ] {
            assert_eq!(provider_for_host(host), provider, "{host}");
        }
    }
}
