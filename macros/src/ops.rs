//! The GenAI operations and what the conventions (v1.41.1, `model/gen-ai/spans.yaml`) say of
//! each: span name, span kind, which arguments apply, which are required, and what is
//! recorded from the return value.

/// `gen_ai.response.time_to_first_chunk`: recorded by streams.
pub(crate) const TIME_TO_FIRST_CHUNK: &str = "gen_ai.response.time_to_first_chunk";
/// `error.type`: recorded on failure by every operation.
pub(crate) const ERROR_TYPE: &str = "error.type";
/// `otel.status_description`: the failure's description, which tracing-opentelemetry turns
/// into the span's error status.
pub(crate) const STATUS_DESCRIPTION: &str = "otel.status_description";

/// Every key an outcome may record, in the order of the runtime's `record::KEYS`: the
/// expansion gives the runtime the position of each among the span's fields, in this order
/// (debug builds check each position against its key when recording). The first nine are what
/// an inference response records.
pub(crate) const OUTCOME_KEYS: [&str; 13] = [
    "gen_ai.response.model",
    "gen_ai.response.id",
    "gen_ai.response.finish_reasons",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.reasoning.output_tokens",
    TOOL_CALL_COUNT,
    "gen_ai.embeddings.dimension.count",
    TIME_TO_FIRST_CHUNK,
    ERROR_TYPE,
    STATUS_DESCRIPTION,
];

/// A named argument of `#[genai_span]` that sets one attribute.
pub(crate) struct Shorthand {
    /// The argument, as written by the user.
    pub(crate) name: &'static str,
    /// The attribute key it sets; its value type comes from the semconv table.
    pub(crate) key: &'static str,
}

/// Every shorthand, in the order the docs list them.
pub(crate) static SHORTHANDS: &[Shorthand] = &[
    Shorthand {
        name: "provider",
        key: "gen_ai.provider.name",
    },
    Shorthand {
        name: "model",
        key: "gen_ai.request.model",
    },
    Shorthand {
        name: "server_address",
        key: "server.address",
    },
    Shorthand {
        name: "server_port",
        key: "server.port",
    },
    Shorthand {
        name: "conversation_id",
        key: "gen_ai.conversation.id",
    },
    Shorthand {
        name: "agent_name",
        key: "gen_ai.agent.name",
    },
    Shorthand {
        name: "agent_id",
        key: "gen_ai.agent.id",
    },
    Shorthand {
        name: "agent_description",
        key: "gen_ai.agent.description",
    },
    Shorthand {
        name: "agent_version",
        key: "gen_ai.agent.version",
    },
    Shorthand {
        name: "tool_name",
        key: "gen_ai.tool.name",
    },
    Shorthand {
        name: "tool_call_id",
        key: "gen_ai.tool.call.id",
    },
    Shorthand {
        name: "tool_type",
        key: "gen_ai.tool.type",
    },
    Shorthand {
        name: "tool_description",
        key: "gen_ai.tool.description",
    },
    Shorthand {
        name: "data_source_id",
        key: "gen_ai.data_source.id",
    },
    Shorthand {
        name: "workflow_name",
        key: "gen_ai.workflow.name",
    },
    Shorthand {
        name: "temperature",
        key: "gen_ai.request.temperature",
    },
    Shorthand {
        name: "max_tokens",
        key: "gen_ai.request.max_tokens",
    },
    Shorthand {
        name: "top_p",
        key: "gen_ai.request.top_p",
    },
    Shorthand {
        name: "top_k",
        key: "gen_ai.request.top_k",
    },
    Shorthand {
        name: "seed",
        key: "gen_ai.request.seed",
    },
    Shorthand {
        name: "stop_sequences",
        key: "gen_ai.request.stop_sequences",
    },
    Shorthand {
        name: "frequency_penalty",
        key: "gen_ai.request.frequency_penalty",
    },
    Shorthand {
        name: "presence_penalty",
        key: "gen_ai.request.presence_penalty",
    },
    Shorthand {
        name: "choice_count",
        key: "gen_ai.request.choice.count",
    },
    Shorthand {
        name: "output_type",
        key: "gen_ai.output.type",
    },
    Shorthand {
        name: "encoding_formats",
        key: "gen_ai.request.encoding_formats",
    },
    Shorthand {
        name: "stream",
        key: "gen_ai.request.stream",
    },
];

pub(crate) fn shorthand(name: &str) -> Option<&'static Shorthand> {
    SHORTHANDS.iter().find(|s| s.name == name)
}

/// A named argument that is content: captured only when content capture is on.
pub(crate) struct ContentArg {
    /// The argument, as written by the user.
    pub(crate) name: &'static str,
    /// The `genai_span::content::ContentKind` variant it is captured as.
    pub(crate) kind: &'static str,
    /// The attribute it ends up in.
    pub(crate) key: &'static str,
}

/// Every content argument.
pub(crate) static CONTENT_ARGS: &[ContentArg] = &[
    ContentArg {
        name: "system",
        kind: "SystemInstructions",
        key: "gen_ai.system_instructions",
    },
    ContentArg {
        name: "input",
        kind: "InputMessages",
        key: "gen_ai.input.messages",
    },
    ContentArg {
        name: "tools",
        kind: "ToolDefinitions",
        key: "gen_ai.tool.definitions",
    },
    ContentArg {
        name: "arguments",
        kind: "ToolCallArguments",
        key: "gen_ai.tool.call.arguments",
    },
];

pub(crate) fn content_arg(name: &str) -> Option<&'static ContentArg> {
    CONTENT_ARGS.iter().find(|c| c.name == name)
}

/// Content keys captured from the return value, by the `ContentKind` variant.
pub(crate) const OUTPUT_CONTENT_KEYS: &[(&str, &str)] = &[
    ("OutputMessages", "gen_ai.output.messages"),
    ("ToolCallResult", "gen_ai.tool.call.result"),
    ("RetrievalDocuments", "gen_ai.retrieval.documents"),
];

/// OTel span kinds the operations use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SpanKind {
    Client,
    Internal,
}

impl SpanKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SpanKind::Client => "client",
            SpanKind::Internal => "internal",
        }
    }
}

/// Whether the return value must describe a response.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Response {
    /// The `Ok` value must implement `GenAiResponse` (inference, embeddings).
    Required,
    /// Recorded when the `Ok` value implements `GenAiResponse` (agents).
    Optional,
    /// Only failures are recorded (tools, workflows, retrieval, agent creation).
    None,
}

/// One GenAI operation.
pub(crate) struct Operation {
    /// `gen_ai.operation.name`, and the first argument of the attribute.
    pub(crate) name: &'static str,
    pub(crate) kind: SpanKind,
    /// The spec allows both kinds (in-process models, in-process agents): `kind = ...` applies.
    pub(crate) kind_choice: bool,
    /// The shorthand whose value completes the span name `"{operation} {value}"`.
    pub(crate) name_detail: Option<&'static str>,
    /// Shorthands that must be given.
    pub(crate) required: &'static [&'static str],
    /// Shorthands that apply to this operation.
    pub(crate) allowed: &'static [&'static str],
    pub(crate) response: Response,
    /// `stream` applies: the function may return a stream of chunks.
    pub(crate) streams: bool,
    /// Content arguments that apply.
    pub(crate) content: &'static [&'static str],
    /// The `ContentKind` the return value is captured as, when content capture is on.
    pub(crate) output: Option<&'static str>,
    /// Keys recorded from the return value, declared empty on the span.
    pub(crate) recorded: &'static [&'static str],
}

const INFERENCE_ARGS: &[&str] = &[
    "provider",
    "model",
    "server_address",
    "server_port",
    "conversation_id",
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "seed",
    "stop_sequences",
    "frequency_penalty",
    "presence_penalty",
    "choice_count",
    "output_type",
    "stream",
];

/// What an inference response records: the first nine keys of [`OUTCOME_KEYS`].
const INFERENCE_RECORDED: &[&str] = OUTCOME_KEYS.split_at(9).0;

/// The crate's own key for the number of tool calls a response asked for (the runtime's
/// `TOOL_CALL_COUNT`).
pub(crate) const TOOL_CALL_COUNT: &str = "genai_span.response.tool_call.count";

const fn inference(name: &'static str) -> Operation {
    Operation {
        name,
        kind: SpanKind::Client,
        kind_choice: true,
        name_detail: Some("model"),
        required: &["provider", "model"],
        allowed: INFERENCE_ARGS,
        response: Response::Required,
        streams: true,
        content: &["system", "input", "tools"],
        output: Some("OutputMessages"),
        recorded: INFERENCE_RECORDED,
    }
}

const AGENT_ARGS: &[&str] = &[
    "provider",
    "model",
    "server_address",
    "server_port",
    "conversation_id",
    "agent_name",
    "agent_id",
    "agent_description",
    "agent_version",
    "data_source_id",
    "temperature",
    "max_tokens",
    "top_p",
    "seed",
    "stop_sequences",
    "frequency_penalty",
    "presence_penalty",
    "choice_count",
    "output_type",
];

/// Every operation, in the order the docs list them.
pub(crate) static OPERATIONS: &[Operation] = &[
    inference("chat"),
    inference("text_completion"),
    inference("generate_content"),
    Operation {
        name: "embeddings",
        kind: SpanKind::Client,
        kind_choice: true,
        name_detail: Some("model"),
        required: &["provider", "model"],
        allowed: &[
            "provider",
            "model",
            "server_address",
            "server_port",
            "encoding_formats",
        ],
        response: Response::Required,
        streams: false,
        content: &[],
        output: None,
        recorded: &[
            "gen_ai.response.model",
            "gen_ai.usage.input_tokens",
            "gen_ai.embeddings.dimension.count",
        ],
    },
    Operation {
        name: "retrieval",
        kind: SpanKind::Client,
        kind_choice: true,
        name_detail: Some("data_source_id"),
        required: &[],
        allowed: &[
            "provider",
            "model",
            "server_address",
            "server_port",
            "data_source_id",
            "top_k",
        ],
        response: Response::None,
        streams: false,
        content: &[],
        output: Some("RetrievalDocuments"),
        recorded: &[],
    },
    Operation {
        name: "execute_tool",
        kind: SpanKind::Internal,
        kind_choice: false,
        name_detail: Some("tool_name"),
        // `tool_name` defaults to the function's name.
        required: &[],
        allowed: &["tool_name", "tool_call_id", "tool_type", "tool_description"],
        response: Response::None,
        streams: false,
        content: &["arguments"],
        output: Some("ToolCallResult"),
        recorded: &[],
    },
    Operation {
        name: "invoke_agent",
        kind: SpanKind::Internal,
        kind_choice: true,
        name_detail: Some("agent_name"),
        required: &["provider"],
        allowed: AGENT_ARGS,
        response: Response::Optional,
        streams: false,
        content: &["system", "input", "tools"],
        output: Some("OutputMessages"),
        recorded: &[
            "gen_ai.response.finish_reasons",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.cache_creation.input_tokens",
        ],
    },
    Operation {
        name: "create_agent",
        kind: SpanKind::Client,
        kind_choice: false,
        name_detail: Some("agent_name"),
        required: &["provider"],
        allowed: &[
            "provider",
            "model",
            "server_address",
            "server_port",
            "agent_name",
            "agent_id",
            "agent_description",
            "agent_version",
        ],
        response: Response::None,
        streams: false,
        content: &["system"],
        output: None,
        recorded: &[],
    },
    Operation {
        name: "invoke_workflow",
        kind: SpanKind::Internal,
        kind_choice: false,
        name_detail: Some("workflow_name"),
        required: &[],
        allowed: &["workflow_name"],
        response: Response::None,
        streams: false,
        content: &["input"],
        output: Some("OutputMessages"),
        recorded: &[],
    },
];

pub(crate) fn operation(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}

impl Operation {
    /// The operations that accept the shorthand `arg`, for error messages.
    pub(crate) fn accepting(arg: &str) -> Vec<&'static str> {
        OPERATIONS
            .iter()
            .filter(|op| op.allowed.contains(&arg))
            .map(|op| op.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table;

    #[test]
    fn every_key_is_a_known_attribute() {
        for s in SHORTHANDS {
            assert!(
                table::by_key(s.key).is_some(),
                "shorthand `{}` sets unknown key `{}`",
                s.name,
                s.key
            );
        }
        assert!(table::by_key("gen_ai.operation.name").is_some());
        for op in OPERATIONS {
            for key in op.recorded.iter().filter(|k| **k != TOOL_CALL_COUNT) {
                assert!(
                    table::by_key(key).is_some(),
                    "`{}` records unknown key `{key}`",
                    op.name
                );
            }
        }
    }

    #[test]
    fn every_argument_of_an_operation_is_a_shorthand() {
        for op in OPERATIONS {
            for arg in op
                .allowed
                .iter()
                .chain(op.required)
                .chain(op.name_detail.iter())
            {
                assert!(
                    shorthand(arg).is_some(),
                    "`{}` names unknown argument `{arg}`",
                    op.name
                );
            }
            for arg in op.required {
                assert!(
                    op.allowed.contains(arg),
                    "`{}` requires `{arg}` but does not allow it",
                    op.name
                );
            }
        }
    }

    #[test]
    fn content_arguments_and_outputs_are_known() {
        for arg in CONTENT_ARGS {
            assert!(
                table::by_key(arg.key).is_some(),
                "`{}` captures unknown key `{}`",
                arg.name,
                arg.key
            );
            assert!(
                shorthand(arg.name).is_none(),
                "`{}` is both content and an attribute",
                arg.name
            );
        }
        for op in OPERATIONS {
            for arg in op.content {
                assert!(
                    content_arg(arg).is_some(),
                    "`{}` names unknown content argument `{arg}`",
                    op.name
                );
            }
            if let Some(output) = op.output {
                assert!(
                    OUTPUT_CONTENT_KEYS.iter().any(|(kind, _)| *kind == output),
                    "`{}`: unknown output `{output}`",
                    op.name
                );
            }
        }
    }

    #[test]
    fn no_argument_sets_a_key_recorded_from_the_return_value() {
        for op in OPERATIONS {
            for arg in op.allowed {
                let key = shorthand(arg).unwrap().key;
                assert!(
                    !op.recorded.contains(&key),
                    "`{}`: `{arg}` collides with a recorded key",
                    op.name
                );
            }
        }
    }
}
