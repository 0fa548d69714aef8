//! Attribute value types: inference from examples, and the override table.
//!
//! `opentelemetry-semantic-conventions` has no types, so an attribute's type is decided, in
//! order of precedence, by:
//!
//! 1. the vendored GenAI spec, for every key it defines (`gen_ai.*`, and the `error.*` and
//!    `server.*` keys the GenAI metrics use): its `type`, enums typed by their members' values;
//! 2. [`OVERRIDES`] below, for keys whose docs have no examples (mostly enums) or misleading ones;
//! 3. the examples in the doc comment: `"x"` string, `42` int, `1.5` double, `true` boolean,
//!    `["a"]` string[], ... (examples mixing ints and doubles are doubles);
//! 4. otherwise `string`, with a note, so a new example-less key is noticed and added to
//!    [`OVERRIDES`].

use crate::model::Example;

/// The type of an attribute's value, as the semantic conventions name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueType {
    /// `string`
    String,
    /// `int`
    Int,
    /// `double`
    Double,
    /// `boolean`
    Boolean,
    /// `string[]`
    StringArray,
    /// `int[]`
    IntArray,
    /// `double[]`
    DoubleArray,
    /// `boolean[]`
    BooleanArray,
    /// `any`: a structured value (in practice JSON objects and arrays).
    Any,
}

impl ValueType {
    /// Every type, in declaration order.
    pub const ALL: [Self; 9] = [
        Self::String,
        Self::Int,
        Self::Double,
        Self::Boolean,
        Self::StringArray,
        Self::IntArray,
        Self::DoubleArray,
        Self::BooleanArray,
        Self::Any,
    ];

    /// The name the semantic conventions use, e.g. `string[]`.
    #[must_use]
    pub fn spec_name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Int => "int",
            Self::Double => "double",
            Self::Boolean => "boolean",
            Self::StringArray => "string[]",
            Self::IntArray => "int[]",
            Self::DoubleArray => "double[]",
            Self::BooleanArray => "boolean[]",
            Self::Any => "any",
        }
    }

    /// The Rust variant name, e.g. `StringArray`.
    #[must_use]
    pub fn variant_name(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Int => "Int",
            Self::Double => "Double",
            Self::Boolean => "Boolean",
            Self::StringArray => "StringArray",
            Self::IntArray => "IntArray",
            Self::DoubleArray => "DoubleArray",
            Self::BooleanArray => "BooleanArray",
            Self::Any => "Any",
        }
    }

    /// Parses a spec type name; templates (`template[string[]]`) map to their inner type.
    #[must_use]
    pub fn from_spec_name(name: &str) -> Option<Self> {
        let name = name
            .strip_prefix("template[")
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        Self::ALL.into_iter().find(|ty| ty.spec_name() == name)
    }

    /// Whether this is an array type.
    #[must_use]
    pub fn is_array(self) -> bool {
        matches!(
            self,
            Self::StringArray | Self::IntArray | Self::DoubleArray | Self::BooleanArray
        )
    }

    /// The array type whose elements have this type.
    fn array_of(self) -> Option<Self> {
        match self {
            Self::String => Some(Self::StringArray),
            Self::Int => Some(Self::IntArray),
            Self::Double => Some(Self::DoubleArray),
            Self::Boolean => Some(Self::BooleanArray),
            _ => None,
        }
    }
}

/// The outcome of inferring a type from examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inferred {
    /// There are no examples.
    NoExamples,
    /// The examples agree on a type.
    Type(ValueType),
    /// The examples disagree, or an array is empty or mixed.
    Conflict,
}

/// Infers a type from examples.
pub(crate) fn infer(examples: &[Example]) -> Inferred {
    let mut found: Option<ValueType> = None;
    for example in examples {
        let Some(ty) = example_type(example) else {
            return Inferred::Conflict;
        };
        found = match (found, ty) {
            (None, ty) => Some(ty),
            (Some(a), b) if a == b => Some(a),
            (Some(a), b) => match widen(a, b) {
                Some(ty) => Some(ty),
                None => return Inferred::Conflict,
            },
        };
    }
    found.map_or(Inferred::NoExamples, Inferred::Type)
}

/// The type of one example value.
fn example_type(example: &Example) -> Option<ValueType> {
    Some(match example {
        Example::String(_) => ValueType::String,
        Example::Int(_) => ValueType::Int,
        Example::Double(_) => ValueType::Double,
        Example::Bool(_) => ValueType::Boolean,
        Example::Array(items) => {
            let mut element: Option<ValueType> = None;
            for item in items {
                let ty = example_type(item).filter(|ty| !ty.is_array())?;
                element = Some(match element {
                    None => ty,
                    Some(a) if a == ty => a,
                    Some(a) => widen(a, ty)?,
                });
            }
            element?.array_of()?
        }
    })
}

/// The common type of ints and doubles (an example `0` of a double attribute).
fn widen(a: ValueType, b: ValueType) -> Option<ValueType> {
    use ValueType::{Double, DoubleArray, Int, IntArray};
    match (a, b) {
        (Int, Double) | (Double, Int) => Some(Double),
        (IntArray, DoubleArray) | (DoubleArray, IntArray) => Some(DoubleArray),
        _ => None,
    }
}

/// The explicit types of keys whose docs have no examples, or misleading ones.
///
/// Keys the vendored GenAI spec defines (all `gen_ai.*`) are typed by the spec and are not listed.
/// Each entry is `(key, type)`; a comment above each group says why. Types come from the
/// OpenTelemetry semantic-conventions registry of the version the crate was generated from.
/// The generator reports an entry that names no attribute, or that repeats what the examples
/// already say, so the table stays minimal.
pub(crate) const OVERRIDES: &[(&str, ValueType)] = &[
    // Enums: the crate lists no examples for enum-valued attributes. Their members are strings.
    ("android.state", ValueType::String),
    ("aws.ecs.launchtype", ValueType::String),
    ("azure.cosmosdb.connection.mode", ValueType::String),
    ("cassandra.consistency.level", ValueType::String),
    ("cloud.platform", ValueType::String),
    ("cloud.provider", ValueType::String),
    ("db.cassandra.consistency_level", ValueType::String),
    ("db.cosmosdb.connection_mode", ValueType::String),
    ("db.cosmosdb.operation_type", ValueType::String),
    ("db.system", ValueType::String),
    ("db.system.name", ValueType::String),
    ("deployment.status", ValueType::String),
    ("faas.document.operation", ValueType::String),
    ("faas.invoked_provider", ValueType::String),
    ("faas.trigger", ValueType::String),
    ("gcp.apphub.service.criticality_type", ValueType::String),
    ("gcp.apphub.service.environment_type", ValueType::String),
    ("gcp.apphub.workload.criticality_type", ValueType::String),
    ("gcp.apphub.workload.environment_type", ValueType::String),
    (
        "gcp.apphub_destination.service.criticality_type",
        ValueType::String,
    ),
    (
        "gcp.apphub_destination.service.environment_type",
        ValueType::String,
    ),
    (
        "gcp.apphub_destination.workload.criticality_type",
        ValueType::String,
    ),
    (
        "gcp.apphub_destination.workload.environment_type",
        ValueType::String,
    ),
    ("geo.continent.code", ValueType::String),
    ("host.arch", ValueType::String),
    ("http.flavor", ValueType::String),
    ("hw.battery.state", ValueType::String),
    ("hw.gpu.task", ValueType::String),
    ("hw.limit_type", ValueType::String),
    ("hw.logical_disk.state", ValueType::String),
    ("hw.physical_disk.state", ValueType::String),
    ("hw.state", ValueType::String),
    ("hw.tape_drive.operation_type", ValueType::String),
    ("hw.type", ValueType::String),
    ("ios.app.state", ValueType::String),
    ("ios.state", ValueType::String),
    ("log.iostream", ValueType::String),
    ("mcp.method.name", ValueType::String),
    ("message.type", ValueType::String),
    ("messaging.operation.type", ValueType::String),
    ("messaging.rocketmq.consumption_model", ValueType::String),
    ("messaging.rocketmq.message.type", ValueType::String),
    ("messaging.servicebus.disposition_status", ValueType::String),
    ("messaging.system", ValueType::String),
    ("net.sock.family", ValueType::String),
    ("net.transport", ValueType::String),
    ("nodejs.eventloop.state", ValueType::String),
    ("openai.api.type", ValueType::String),
    ("opentracing.ref_type", ValueType::String),
    ("os.type", ValueType::String),
    ("otel.span.parent.origin", ValueType::String),
    ("otel.span.sampling_result", ValueType::String),
    ("otel.status_code", ValueType::String),
    ("process.context_switch.type", ValueType::String),
    ("process.cpu.state", ValueType::String),
    ("process.paging.fault_type", ValueType::String),
    ("rpc.connect_rpc.error_code", ValueType::String),
    ("rpc.message.type", ValueType::String),
    ("rpc.system", ValueType::String),
    ("rpc.system.name", ValueType::String),
    ("telemetry.sdk.language", ValueType::String),
    ("tls.protocol.name", ValueType::String),
    ("user_agent.synthetic.type", ValueType::String),
    ("v8js.gc.type", ValueType::String),
    ("v8js.heap.space.name", ValueType::String),
    ("v8js.resource.type", ValueType::String),
    // Misleading examples: a feature flag's value is `any`; the examples mix a string, a
    // boolean and an int.
    ("feature_flag.result.value", ValueType::Any),
    // An enum whose members are ints (gRPC status codes 0..=16).
    ("rpc.grpc.status_code", ValueType::Int),
    // Flags without examples.
    ("aspnetcore.sign_in.is_persistent", ValueType::Boolean),
    ("aws.dynamodb.consistent_read", ValueType::Boolean),
    ("aws.dynamodb.scan_forward", ValueType::Boolean),
    ("browser.mobile", ValueType::Boolean),
    ("cassandra.query.idempotent", ValueType::Boolean),
    ("db.cassandra.idempotence", ValueType::Boolean),
    ("exception.escaped", ValueType::Boolean),
    ("faas.coldstart", ValueType::Boolean),
    ("jvm.thread.daemon", ValueType::Boolean),
    ("messaging.destination.anonymous", ValueType::Boolean),
    ("messaging.destination.temporary", ValueType::Boolean),
    (
        "messaging.destination_publish.anonymous",
        ValueType::Boolean,
    ),
    ("messaging.kafka.message.tombstone", ValueType::Boolean),
    ("pprof.location.is_folded", ValueType::Boolean),
    ("pprof.mapping.has_filenames", ValueType::Boolean),
    ("pprof.mapping.has_functions", ValueType::Boolean),
    ("pprof.mapping.has_inline_frames", ValueType::Boolean),
    ("pprof.mapping.has_line_numbers", ValueType::Boolean),
    ("process.interactive", ValueType::Boolean),
    // Sizes, counts, ids and version numbers without examples.
    ("azure.cosmosdb.request.body.size", ValueType::Int),
    ("db.cosmosdb.request_content_length", ValueType::Int),
    ("file.size", ValueType::Int),
    ("k8s.container.restart_count", ValueType::Int),
    ("message.compressed_size", ValueType::Int),
    ("message.id", ValueType::Int),
    ("message.uncompressed_size", ValueType::Int),
    ("onc_rpc.procedure.number", ValueType::Int),
    ("onc_rpc.version", ValueType::Int),
    ("rpc.message.compressed_size", ValueType::Int),
    ("rpc.message.id", ValueType::Int),
    ("rpc.message.uncompressed_size", ValueType::Int),
];

/// The override of a key, if the table has one.
pub(crate) fn override_for(key: &str) -> Option<ValueType> {
    OVERRIDES.iter().find(|(k, _)| *k == key).map(|&(_, ty)| ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference() {
        use Example::{Array, Bool, Double, Int, String as Str};
        assert_eq!(infer(&[]), Inferred::NoExamples);
        assert_eq!(infer(&[Str("a".into())]), Inferred::Type(ValueType::String));
        assert_eq!(
            infer(&[Int(1), Double(1.5)]),
            Inferred::Type(ValueType::Double)
        );
        assert_eq!(infer(&[Bool(true)]), Inferred::Type(ValueType::Boolean));
        assert_eq!(
            infer(&[Array(vec![Str("a".into())])]),
            Inferred::Type(ValueType::StringArray)
        );
        assert_eq!(
            infer(&[Array(vec![Int(1), Int(2)])]),
            Inferred::Type(ValueType::IntArray)
        );
        assert_eq!(infer(&[Str("a".into()), Int(1)]), Inferred::Conflict);
        assert_eq!(infer(&[Array(vec![])]), Inferred::Conflict);
    }

    #[test]
    fn overrides_are_unique() {
        let mut keys: Vec<_> = OVERRIDES.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), OVERRIDES.len(), "duplicate key in OVERRIDES");
        assert!(
            OVERRIDES.iter().all(|(k, _)| !k.starts_with("gen_ai.")),
            "gen_ai.* types come from the spec"
        );
    }

    #[test]
    fn spec_names_round_trip() {
        for ty in ValueType::ALL {
            assert_eq!(ValueType::from_spec_name(ty.spec_name()), Some(ty));
        }
        assert_eq!(
            ValueType::from_spec_name("template[string[]]"),
            Some(ValueType::StringArray)
        );
    }
}
