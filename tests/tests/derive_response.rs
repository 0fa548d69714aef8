//! `#[derive(GenAiResponse)]`: what derived types report to `ResponseAttributes`.

// The expansion must pass the strictest lints a user may set on their crate.
#![deny(unused_qualifications, clippy::pedantic, clippy::all)]
#![allow(dead_code)]

use std::borrow::Cow;
use std::sync::Arc;

use genai_span::{GenAiResponse, ResponseAttributes, TokenUsage};

/// What `value` reports.
fn recorded<T: GenAiResponse + ?Sized>(value: &T) -> Report {
    let mut attrs = ResponseAttributes::default();
    value.record(&mut attrs);
    Report {
        model: attrs.model().map(str::to_owned),
        id: attrs.id().map(str::to_owned),
        usage: attrs.usage(),
        finish_reasons: attrs.finish_reasons().map(str::to_owned).collect(),
        tool_calls: attrs.tool_call_count(),
        dimensions: attrs.embedding_dimension_count(),
    }
}

#[derive(Debug, Default, PartialEq)]
struct Report {
    model: Option<String>,
    id: Option<String>,
    usage: TokenUsage,
    finish_reasons: Vec<String>,
    tool_calls: Option<i64>,
    dimensions: Option<i64>,
}

fn usage(
    input: Option<i64>,
    output: Option<i64>,
    cache_read: Option<i64>,
    cache_creation: Option<i64>,
    reasoning: Option<i64>,
) -> TokenUsage {
    let mut usage = TokenUsage::default();
    usage.input = input;
    usage.output = output;
    usage.cache_read = cache_read;
    usage.cache_creation = cache_creation;
    usage.reasoning = reasoning;
    usage
}

// ---------------------------------------------------------------------------------------------
// OpenAI chat completion

#[derive(GenAiResponse)]
struct ChatCompletion {
    #[genai(response_id)]
    id: String,
    object: String,
    #[genai(response_model)]
    model: String,
    #[genai(flatten)]
    choices: Vec<Choice>,
    #[genai(flatten)]
    usage: Option<Usage>,
}

#[derive(GenAiResponse)]
struct Choice {
    index: u32,
    #[genai(flatten)]
    message: Message,
    #[genai(finish_reason)]
    finish_reason: Option<FinishReason>,
}

#[derive(GenAiResponse)]
struct Message {
    content: Option<String>,
    #[genai(tool_calls)]
    tool_calls: Option<Vec<ToolCall>>,
}

struct ToolCall {
    id: String,
    name: String,
}

enum FinishReason {
    Stop,
    Length,
    ToolCalls,
}

impl AsRef<str> for FinishReason {
    fn as_ref(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
        }
    }
}

#[derive(GenAiResponse)]
struct Usage {
    #[genai(input_tokens)]
    prompt_tokens: u32,
    #[genai(output_tokens)]
    completion_tokens: u32,
    total_tokens: u32,
    #[genai(flatten)]
    prompt_tokens_details: Option<PromptTokensDetails>,
    #[genai(flatten)]
    completion_tokens_details: Option<CompletionTokensDetails>,
}

#[derive(GenAiResponse)]
struct PromptTokensDetails {
    #[genai(cache_read_input_tokens)]
    cached_tokens: Option<u32>,
}

#[derive(GenAiResponse)]
struct CompletionTokensDetails {
    #[genai(reasoning_output_tokens)]
    reasoning_tokens: u64,
}

fn tool_call(name: &str) -> ToolCall {
    ToolCall {
        id: format!("call_{name}"),
        name: name.to_owned(),
    }
}

#[test]
fn openai_chat_completion() {
    let response = ChatCompletion {
        id: "chatcmpl-123".into(),
        object: "chat.completion".into(),
        model: "gpt-4o-2024-08-06".into(),
        choices: vec![
            Choice {
                index: 0,
                message: Message {
                    content: None,
                    tool_calls: Some(vec![tool_call("weather"), tool_call("time")]),
                },
                finish_reason: Some(FinishReason::ToolCalls),
            },
            Choice {
                index: 1,
                message: Message {
                    content: Some("Hi".into()),
                    tool_calls: None,
                },
                finish_reason: Some(FinishReason::Stop),
            },
            Choice {
                index: 2,
                message: Message {
                    content: Some("Hello th".into()),
                    tool_calls: Some(vec![tool_call("search")]),
                },
                finish_reason: Some(FinishReason::Length),
            },
            Choice {
                index: 3,
                message: Message {
                    content: None,
                    tool_calls: None,
                },
                finish_reason: None,
            },
        ],
        usage: Some(Usage {
            prompt_tokens: 19,
            completion_tokens: 10,
            total_tokens: 29,
            prompt_tokens_details: Some(PromptTokensDetails {
                cached_tokens: Some(4),
            }),
            completion_tokens_details: Some(CompletionTokensDetails {
                reasoning_tokens: 3,
            }),
        }),
    };
    assert_eq!(
        recorded(&response),
        Report {
            model: Some("gpt-4o-2024-08-06".into()),
            id: Some("chatcmpl-123".into()),
            usage: usage(Some(19), Some(10), Some(4), None, Some(3)),
            finish_reasons: vec!["tool_calls".into(), "stop".into(), "length".into()],
            tool_calls: Some(3),
            dimensions: None,
        }
    );
}

#[test]
fn openai_chat_completion_without_usage_or_tool_calls() {
    let response = ChatCompletion {
        id: "chatcmpl-456".into(),
        object: "chat.completion".into(),
        model: "gpt-4o-mini".into(),
        choices: vec![Choice {
            index: 0,
            message: Message {
                content: Some("Hi".into()),
                tool_calls: None,
            },
            finish_reason: Some(FinishReason::Stop),
        }],
        usage: None,
    };
    assert_eq!(
        recorded(&response),
        Report {
            model: Some("gpt-4o-mini".into()),
            id: Some("chatcmpl-456".into()),
            finish_reasons: vec!["stop".into()],
            ..Report::default()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Anthropic message, borrowed from the raw body

#[derive(GenAiResponse)]
struct AnthropicMessage<'a> {
    #[genai(response_id)]
    id: &'a str,
    #[genai(response_model)]
    model: Cow<'a, str>,
    #[genai(tool_calls)]
    content_tool_uses: &'a [ContentBlock],
    #[genai(finish_reasons)]
    stop_reason: Option<&'a str>,
    #[genai(flatten)]
    usage: AnthropicUsage,
}

struct ContentBlock;

// Anthropic's field names: all end in `tokens`.
#[allow(clippy::struct_field_names)]
#[derive(GenAiResponse)]
struct AnthropicUsage {
    #[genai(input_tokens)]
    input_tokens: u64,
    #[genai(output_tokens)]
    output_tokens: u64,
    #[genai(cache_creation_input_tokens)]
    cache_creation_input_tokens: Option<u64>,
    #[genai(cache_read_input_tokens)]
    cache_read_input_tokens: Option<u64>,
}

#[test]
fn anthropic_message_with_cache_tokens() {
    let blocks = [ContentBlock, ContentBlock];
    let body = String::from("msg_01XFDUDYJgAACzvnptvVoYEL claude-sonnet-4-5 tool_use");
    let response = AnthropicMessage {
        id: &body[..28],
        model: Cow::Borrowed(&body[29..46]),
        content_tool_uses: &blocks,
        stop_reason: Some(&body[47..]),
        usage: AnthropicUsage {
            input_tokens: 2095,
            output_tokens: 503,
            cache_creation_input_tokens: Some(2051),
            cache_read_input_tokens: None,
        },
    };
    assert_eq!(
        recorded(&response),
        Report {
            model: Some("claude-sonnet-4-5".into()),
            id: Some("msg_01XFDUDYJgAACzvnptvVoYEL".into()),
            usage: usage(Some(2095), Some(503), None, Some(2051), None),
            finish_reasons: vec!["tool_use".into()],
            tool_calls: Some(2),
            dimensions: None,
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Embeddings

#[derive(GenAiResponse)]
struct EmbeddingsResponse {
    #[genai(flatten)]
    data: Vec<EmbeddingData>,
    #[genai(response_model)]
    model: Arc<str>,
    #[genai(flatten)]
    usage: EmbeddingsUsage,
}

#[derive(GenAiResponse)]
struct EmbeddingData {
    index: usize,
    #[genai(embedding)]
    embedding: Vec<f32>,
}

#[derive(GenAiResponse)]
struct EmbeddingsUsage {
    #[genai(input_tokens)]
    prompt_tokens: i32,
}

#[test]
fn embeddings_response() {
    let response = EmbeddingsResponse {
        data: vec![
            EmbeddingData {
                index: 0,
                embedding: vec![0.1; 1536],
            },
            EmbeddingData {
                index: 1,
                embedding: vec![0.2; 1536],
            },
        ],
        model: "text-embedding-3-small".into(),
        usage: EmbeddingsUsage { prompt_tokens: 8 },
    };
    assert_eq!(
        recorded(&response),
        Report {
            model: Some("text-embedding-3-small".into()),
            usage: usage(Some(8), None, None, None, None),
            dimensions: Some(1536),
            ..Report::default()
        }
    );
}

/// A base64 embedding carries no vector: its dimensions come from the request.
#[derive(GenAiResponse)]
struct Base64Embedding {
    embedding: String,
    #[genai(dimension_count)]
    dimensions: Option<u16>,
    #[genai(embedding)]
    decoded: Option<Box<[f64]>>,
}

#[test]
fn embedding_dimensions_from_a_count_or_a_vector() {
    let counted = Base64Embedding {
        embedding: "AAAA".into(),
        dimensions: Some(256),
        decoded: None,
    };
    assert_eq!(recorded(&counted).dimensions, Some(256));
    let decoded = Base64Embedding {
        embedding: "AAAA".into(),
        dimensions: None,
        decoded: Some(vec![0.0; 3].into()),
    };
    assert_eq!(recorded(&decoded).dimensions, Some(3));
    let neither = Base64Embedding {
        embedding: String::new(),
        dimensions: None,
        decoded: None,
    };
    assert_eq!(recorded(&neither).dimensions, None);
}

#[derive(GenAiResponse)]
struct ArrayEmbedding(
    #[genai(embedding)] [f32; 4],
    #[genai(response_model)] &'static str,
);

#[test]
fn embedding_array() {
    assert_eq!(
        recorded(&ArrayEmbedding([1.0; 4], "tiny")),
        Report {
            model: Some("tiny".into()),
            dimensions: Some(4),
            ..Report::default()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Enums

#[derive(GenAiResponse)]
enum ProviderResponse {
    OpenAi(#[genai(flatten)] Box<ChatCompletion>),
    Gemini {
        #[genai(response_model)]
        model_version: String,
        #[genai(finish_reason)]
        finish_reasons: Vec<String>,
        #[genai(input_tokens)]
        prompt_token_count: Option<u32>,
        #[genai(output_tokens)]
        candidates_token_count: Option<u32>,
        #[genai(reasoning_output_tokens)]
        thoughts_token_count: Option<u32>,
        #[genai(tool_calls)]
        function_calls: usize,
    },
    Refused(String),
    Empty,
}

#[test]
fn enum_response() {
    let gemini = ProviderResponse::Gemini {
        model_version: "gemini-2.5-flash".into(),
        finish_reasons: vec!["STOP".into(), "MAX_TOKENS".into()],
        prompt_token_count: Some(11),
        candidates_token_count: Some(7),
        thoughts_token_count: None,
        function_calls: 1,
    };
    assert_eq!(
        recorded(&gemini),
        Report {
            model: Some("gemini-2.5-flash".into()),
            usage: usage(Some(11), Some(7), None, None, None),
            finish_reasons: vec!["STOP".into(), "MAX_TOKENS".into()],
            tool_calls: Some(1),
            ..Report::default()
        }
    );

    let openai = ProviderResponse::OpenAi(Box::new(ChatCompletion {
        id: "chatcmpl-1".into(),
        object: "chat.completion".into(),
        model: "gpt-4.1".into(),
        choices: Vec::new(),
        usage: None,
    }));
    assert_eq!(
        recorded(&openai),
        Report {
            model: Some("gpt-4.1".into()),
            id: Some("chatcmpl-1".into()),
            ..Report::default()
        }
    );

    assert_eq!(
        recorded(&ProviderResponse::Refused("no".into())),
        Report::default()
    );
    assert_eq!(recorded(&ProviderResponse::Empty), Report::default());
}

#[derive(GenAiResponse)]
enum Never {}

#[derive(GenAiResponse)]
enum Status {
    Done,
    Pending,
}

#[derive(GenAiResponse)]
struct Ack;

#[test]
fn types_without_fields_record_nothing() {
    assert_eq!(recorded(&Status::Done), Report::default());
    assert_eq!(recorded(&Ack), Report::default());
    let _: Option<&dyn GenAiResponse> = None::<&Never>.map(|never| never as &dyn GenAiResponse);
}

// ---------------------------------------------------------------------------------------------
// Generics

#[derive(GenAiResponse)]
struct Page<T, N, S: AsRef<str>>
where
    N: Copy,
{
    #[genai(flatten)]
    items: Vec<T>,
    #[genai(input_tokens)]
    tokens: N,
    #[genai(response_model)]
    model: S,
    #[genai(finish_reason)]
    reasons: Vec<S>,
}

#[derive(GenAiResponse)]
struct Wrapper<R>(#[genai(flatten)] R);

#[test]
fn generic_struct() {
    let page = Page {
        items: vec![Usage {
            prompt_tokens: 1,
            completion_tokens: 2,
            total_tokens: 3,
            prompt_tokens_details: None,
            completion_tokens_details: None,
        }],
        tokens: 5_u8,
        model: "m",
        reasons: vec!["stop", "stop"],
    };
    // The page's own `input_tokens` comes after its items': the last value set wins.
    assert_eq!(
        recorded(&page),
        Report {
            model: Some("m".into()),
            usage: usage(Some(5), Some(2), None, None, None),
            finish_reasons: vec!["stop".into(), "stop".into()],
            ..Report::default()
        }
    );
    assert_eq!(recorded(&Wrapper(Ack)), Report::default());
    assert_eq!(recorded(&Wrapper(Status::Pending)), Report::default());
    assert_eq!(
        recorded(&Wrapper(Some(EmbeddingsUsage { prompt_tokens: 3 })))
            .usage
            .input,
        Some(3)
    );
}

// ---------------------------------------------------------------------------------------------
// Tuple structs, several keys on one field, strings of every kind

#[derive(GenAiResponse)]
struct Tuple(
    #[genai(response_model)] Box<str>,
    #[genai(input_tokens, output_tokens)] u32,
    #[genai(finish_reason)] [&'static str; 2],
    String,
    #[genai(response_id)] Option<Cow<'static, str>>,
    #[genai(tool_calls)] Option<u8>,
);

#[test]
fn tuple_struct() {
    let response = Tuple(
        "small".into(),
        9,
        ["stop", "length"],
        "ignored".into(),
        Some(Cow::Borrowed("r-1")),
        Some(4),
    );
    assert_eq!(
        recorded(&response),
        Report {
            model: Some("small".into()),
            id: Some("r-1".into()),
            usage: usage(Some(9), Some(9), None, None, None),
            finish_reasons: vec!["stop".into(), "length".into()],
            tool_calls: Some(4),
            dimensions: None,
        }
    );
}

#[derive(GenAiResponse)]
struct Optional {
    #[genai(response_model)]
    model: Option<String>,
    #[genai(finish_reason)]
    reasons: Option<Vec<FinishReason>>,
    #[genai(input_tokens)]
    input: Option<usize>,
    #[genai(tool_calls)]
    calls: Option<Vec<ToolCall>>,
}

#[test]
fn none_records_nothing() {
    let none = Optional {
        model: None,
        reasons: None,
        input: None,
        calls: None,
    };
    assert_eq!(recorded(&none), Report::default());
    let some = Optional {
        model: Some("m".into()),
        reasons: Some(vec![FinishReason::Stop]),
        input: Some(usize::MAX),
        calls: Some(Vec::new()),
    };
    assert_eq!(
        recorded(&some),
        Report {
            model: Some("m".into()),
            usage: usage(Some(i64::MAX), None, None, None, None),
            finish_reasons: vec!["stop".into()],
            // An empty list of tool calls reports zero calls.
            tool_calls: Some(0),
            ..Report::default()
        }
    );
}

#[test]
fn negative_counts_are_dropped() {
    #[derive(GenAiResponse)]
    struct Signed {
        #[genai(output_tokens)]
        output: i64,
        #[genai(tool_calls)]
        calls: i32,
        #[genai(dimension_count)]
        dimensions: isize,
    }
    assert_eq!(
        recorded(&Signed {
            output: -1,
            calls: -2,
            dimensions: -3
        }),
        Report::default()
    );
}

// ---------------------------------------------------------------------------------------------
// `crate = ...`, and names the expansion must not capture

mod reexport {
    pub(crate) use genai_span as genai;
}

#[derive(GenAiResponse)]
#[genai(crate = reexport::genai)]
struct Reexported {
    #[genai(response_model)]
    model: String,
}

#[derive(GenAiResponse)]
#[genai(crate = "reexport::genai")]
struct ReexportedAsString(#[genai(response_id)] String);

#[test]
fn crate_path() {
    assert_eq!(
        recorded(&Reexported { model: "m".into() }).model.as_deref(),
        Some("m")
    );
    assert_eq!(
        recorded(&ReexportedAsString("i".into())).id.as_deref(),
        Some("i")
    );
}

mod shadowing {
    #![allow(non_camel_case_types, clippy::pedantic)]

    use genai_span::GenAiResponse;

    // A user crate with its own `core`, `Option` and `genai_span`-like names in scope.
    mod core {}
    type Option = ();
    struct Some;
    struct None;

    #[derive(GenAiResponse)]
    pub(super) struct Shadowed<'a> {
        #[genai(response_model)]
        pub(super) response: &'a str,
        #[genai(input_tokens)]
        pub(super) self_: u32,
        #[genai(flatten)]
        pub(super) record: super::Ack,
    }
}

#[test]
fn expansion_names_nothing_of_the_users() {
    let shadowed = shadowing::Shadowed {
        response: "m",
        self_: 1,
        record: Ack,
    };
    assert_eq!(recorded(&shadowed).model.as_deref(), Some("m"));
}

// ---------------------------------------------------------------------------------------------
// The example of the derive's documentation

mod doc_example {
    use genai_span::GenAiResponse;

    #[derive(GenAiResponse)]
    pub(super) struct ChatCompletion {
        #[genai(response_id)]
        pub(super) id: String,
        #[genai(response_model)]
        pub(super) model: String,
        #[genai(flatten)]
        pub(super) choices: Vec<Choice>,
        #[genai(flatten)]
        pub(super) usage: Option<Usage>,
    }

    #[derive(GenAiResponse)]
    pub(super) struct Choice {
        #[genai(finish_reason)]
        pub(super) finish_reason: Option<FinishReason>,
        #[genai(flatten)]
        pub(super) message: Message,
    }

    #[derive(GenAiResponse)]
    pub(super) struct Message {
        pub(super) content: Option<String>, // not marked: not recorded
        #[genai(tool_calls)]
        pub(super) tool_calls: Option<Vec<ToolCall>>,
    }

    #[derive(GenAiResponse)]
    pub(super) struct Usage {
        #[genai(input_tokens)]
        pub(super) prompt_tokens: u32,
        #[genai(output_tokens)]
        pub(super) completion_tokens: u32,
    }

    pub(super) enum FinishReason {
        Stop,
        Length,
        ToolCalls,
    }

    impl AsRef<str> for FinishReason {
        fn as_ref(&self) -> &str {
            match self {
                FinishReason::Stop => "stop",
                FinishReason::Length => "length",
                FinishReason::ToolCalls => "tool_calls",
            }
        }
    }

    pub(super) struct ToolCall;
}

#[test]
fn doc_example_compiles_and_records() {
    use doc_example::{ChatCompletion, Choice, FinishReason, Message, ToolCall, Usage};
    let response = ChatCompletion {
        id: "c".into(),
        model: "m".into(),
        choices: vec![Choice {
            finish_reason: Some(FinishReason::ToolCalls),
            message: Message {
                content: None,
                tool_calls: Some(vec![ToolCall]),
            },
        }],
        usage: Some(Usage {
            prompt_tokens: 1,
            completion_tokens: 2,
        }),
    };
    assert_eq!(
        recorded(&response),
        Report {
            model: Some("m".into()),
            id: Some("c".into()),
            usage: usage(Some(1), Some(2), None, None, None),
            finish_reasons: vec!["tool_calls".into()],
            tool_calls: Some(1),
            dimensions: None,
        }
    );
}
