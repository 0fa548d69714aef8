//! Pins what the generator reads from opentelemetry-semantic-conventions 0.33.1 and the GenAI
//! semantic conventions v1.41.1: counts, and a sample of keys, types and deprecations. A change
//! here means the inputs or the rules changed: review the generated diff.

use std::sync::LazyLock;

use genai_span_codegen::model::{
    DeprecationReason, Instrument, Model, Requirement, Stability, TypeSource, ValueType,
};
use genai_span_codegen::{Options, load};

static MODEL: LazyLock<Model> =
    LazyLock::new(|| load(&Options::pinned()).expect("the inputs load"));

fn ty(const_name: &str) -> ValueType {
    MODEL
        .attribute(const_name)
        .unwrap_or_else(|| panic!("no attribute {const_name}"))
        .ty
}

#[test]
fn counts() {
    let stats = MODEL.stats();
    assert_eq!(MODEL.semconv_version, "0.33.1");
    assert_eq!(MODEL.schema_url, "https://opentelemetry.io/schemas/1.42.0");
    assert_eq!(stats.attributes, 929);
    assert_eq!(stats.gen_ai_attributes, 60);
    assert_eq!(
        stats.added_from_spec, 0,
        "the crate has every key of the v1.41.1 GenAI registry"
    );
    assert_eq!(stats.deprecated_attributes, 145);
    assert_eq!(
        stats.typed_by,
        [64, 99, 766, 0],
        "spec, override, examples, default"
    );
    assert_eq!(stats.metrics, 530);
    assert_eq!(stats.gen_ai_metrics, 7);
    assert_eq!(stats.deprecated_metrics, 81);
    assert_eq!(stats.metrics_with_buckets, 7);
    assert_eq!(MODEL.span_reexports, 233);
    assert_eq!(MODEL.resource_reexports, 222);
}

#[test]
fn gen_ai_types_come_from_the_spec() {
    assert_eq!(ty("GEN_AI_REQUEST_TEMPERATURE"), ValueType::Double);
    assert_eq!(ty("GEN_AI_REQUEST_TOP_K"), ValueType::Double);
    assert_eq!(ty("GEN_AI_REQUEST_STOP_SEQUENCES"), ValueType::StringArray);
    assert_eq!(ty("GEN_AI_RESPONSE_FINISH_REASONS"), ValueType::StringArray);
    assert_eq!(ty("GEN_AI_USAGE_INPUT_TOKENS"), ValueType::Int);
    assert_eq!(
        ty("GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS"),
        ValueType::Int
    );
    assert_eq!(ty("GEN_AI_REQUEST_STREAM"), ValueType::Boolean);
    assert_eq!(ty("GEN_AI_OPERATION_NAME"), ValueType::String);
    assert_eq!(ty("GEN_AI_TOOL_CALL_ARGUMENTS"), ValueType::Any);
    assert_eq!(ty("GEN_AI_INPUT_MESSAGES"), ValueType::Any);
    for attribute in MODEL
        .attributes
        .iter()
        .filter(|a| a.key.starts_with("gen_ai."))
    {
        assert_eq!(attribute.type_source, TypeSource::Spec, "{}", attribute.key);
        assert_eq!(
            attribute.stability,
            Stability::Development,
            "{}",
            attribute.key
        );
    }
}

#[test]
fn other_types() {
    assert_eq!(ty("SERVER_PORT"), ValueType::Int);
    assert_eq!(ty("ERROR_TYPE"), ValueType::String);
    assert_eq!(ty("HTTP_REQUEST_HEADER"), ValueType::StringArray);
    assert_eq!(ty("APP_JANK_PERIOD"), ValueType::Double);
    assert_eq!(ty("RPC_GRPC_STATUS_CODE"), ValueType::Int);
    assert_eq!(ty("FAAS_COLDSTART"), ValueType::Boolean);
    assert_eq!(ty("FEATURE_FLAG_RESULT_VALUE"), ValueType::Any);
    assert_eq!(
        MODEL.attribute("SERVER_ADDRESS").map(|a| a.stability),
        Some(Stability::Stable)
    );
}

#[test]
fn only_real_renames_are_deprecated() {
    let system = MODEL
        .attribute("GEN_AI_SYSTEM")
        .and_then(|a| a.deprecation.clone())
        .expect("GEN_AI_SYSTEM is deprecated");
    assert_eq!(system.reason, DeprecationReason::Renamed);
    assert_eq!(system.replacement.as_deref(), Some("gen_ai.provider.name"));
    assert_eq!(
        system.message,
        "renamed to `gen_ai.provider.name`: use `GEN_AI_PROVIDER_NAME`"
    );
    let prompt_tokens = MODEL
        .attribute("GEN_AI_USAGE_PROMPT_TOKENS")
        .and_then(|a| a.deprecation.clone())
        .unwrap();
    assert_eq!(
        prompt_tokens.replacement_const.as_deref(),
        Some("GEN_AI_USAGE_INPUT_TOKENS")
    );
    let prompt = MODEL
        .attribute("GEN_AI_PROMPT")
        .and_then(|a| a.deprecation.clone())
        .unwrap();
    assert_eq!(
        (prompt.reason, prompt.replacement),
        (DeprecationReason::Obsoleted, None)
    );
    let tier = MODEL
        .attribute("GEN_AI_OPENAI_REQUEST_SERVICE_TIER")
        .and_then(|a| a.deprecation.clone())
        .unwrap();
    assert_eq!(
        tier.replacement_const.as_deref(),
        Some("OPENAI_REQUEST_SERVICE_TIER")
    );

    // Moved to the GenAI repository: current keys.
    for name in [
        "GEN_AI_REQUEST_MODEL",
        "GEN_AI_PROVIDER_NAME",
        "GEN_AI_OPERATION_NAME",
        "OPENAI_REQUEST_SERVICE_TIER",
        "MCP_METHOD_NAME",
    ] {
        assert_eq!(
            MODEL.attribute(name).map(|a| a.deprecation.is_some()),
            Some(false),
            "{name}"
        );
    }
    let deprecated_gen_ai: Vec<&str> = MODEL
        .attributes
        .iter()
        .filter(|a| a.key.starts_with("gen_ai.") && a.deprecation.is_some())
        .map(|a| a.key.as_str())
        .collect();
    assert_eq!(
        deprecated_gen_ai,
        [
            "gen_ai.completion",
            "gen_ai.openai.request.response_format",
            "gen_ai.openai.request.seed",
            "gen_ai.openai.request.service_tier",
            "gen_ai.openai.response.service_tier",
            "gen_ai.openai.response.system_fingerprint",
            "gen_ai.prompt",
            "gen_ai.system",
            "gen_ai.usage.completion_tokens",
            "gen_ai.usage.prompt_tokens",
        ]
    );
    // Uncategorized, with one replacement named in the note.
    let create_time = MODEL
        .metric("DB_CLIENT_CONNECTIONS_CREATE_TIME")
        .and_then(|m| m.deprecation.clone())
        .unwrap();
    assert_eq!(
        create_time.replacement_const.as_deref(),
        Some("DB_CLIENT_CONNECTION_CREATE_TIME")
    );
    // Uncategorized, split into two keys: deprecated without a single replacement.
    let peer = MODEL
        .attribute("NET_PEER_NAME")
        .and_then(|a| a.deprecation.clone())
        .unwrap();
    assert_eq!(peer.reason, DeprecationReason::Uncategorized);
}

#[test]
fn gen_ai_metrics() {
    let usage = MODEL
        .metric("GEN_AI_CLIENT_TOKEN_USAGE")
        .expect("token usage metric");
    assert_eq!(usage.name, "gen_ai.client.token.usage");
    assert_eq!(
        (usage.instrument, usage.unit.as_str()),
        (Instrument::Histogram, "{token}")
    );
    assert_eq!(usage.stability, Stability::Development);
    assert_eq!(usage.deprecation, None);
    let buckets: Vec<f64> = (0..14).map(|i| 4_f64.powi(i)).collect();
    assert_eq!(usage.bucket_boundaries.as_deref(), Some(buckets.as_slice()));
    assert_eq!(
        usage.bucket_boundaries.as_ref().and_then(|b| b.last()),
        Some(&67_108_864.0)
    );
    let requirement = |key: &str| {
        usage
            .attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.requirement.clone())
    };
    assert_eq!(
        requirement("gen_ai.token.type"),
        Some(Requirement::Required)
    );
    assert_eq!(
        requirement("gen_ai.request.model"),
        Some(Requirement::ConditionallyRequired("If available.".into()))
    );
    assert_eq!(
        requirement("server.address"),
        Some(Requirement::Recommended(None))
    );
    assert_eq!(requirement("error.type"), None);

    let duration = MODEL.metric("GEN_AI_CLIENT_OPERATION_DURATION").unwrap();
    assert_eq!(duration.unit, "s");
    assert_eq!(
        duration.bucket_boundaries.as_ref().map(|b| (b[0], b.len())),
        Some((0.01, 14))
    );
    let ttft = MODEL.metric("GEN_AI_SERVER_TIME_TO_FIRST_TOKEN").unwrap();
    assert_eq!(
        ttft.bucket_boundaries.as_ref().map(|b| (b[0], b.len())),
        Some((0.001, 16))
    );
    let tpot = MODEL.metric("GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN").unwrap();
    assert_eq!(
        tpot.bucket_boundaries.as_ref().map(|b| (b[0], b.len())),
        Some((0.01, 13))
    );
    assert!(
        MODEL
            .metrics
            .iter()
            .filter(|m| !m.name.starts_with("gen_ai."))
            .all(|m| m.bucket_boundaries.is_none())
    );
}

#[test]
fn notes_are_the_known_ones() {
    // Only the spec's `any` types for JSON-valued GenAI keys, whose examples are JSON text.
    let expected: Vec<String> = [
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.retrieval.documents",
        "gen_ai.system_instructions",
        "gen_ai.tool.call.arguments",
        "gen_ai.tool.call.result",
        "gen_ai.tool.definitions",
    ]
    .iter()
    .map(|key| format!("`{key}`: the examples look like `string`, the spec says `any`"))
    .collect();
    assert_eq!(MODEL.notes, expected);
}
