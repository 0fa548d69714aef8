//! `genai_span::setup` against receivers run by the test: a small OTLP/HTTP one on a socket,
//! tonic's gRPC server, and broken ones (down, never answering, answering 500, slow).
//!
//! Every test builds its own pipeline (`Setup::build`) and runs under it with
//! `tracing::subscriber::with_default`: nothing global is installed here (see
//! `setup_install.rs` for that). The scenarios that could hang run under [`within`], which fails
//! the test after a generous limit instead of hanging.

#[path = "setup/receiver.rs"]
mod receiver;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genai_span::setup::{Pipeline, Protocol, Setup, SetupError};
use genai_span::{GenAiResponse, genai_span};
use genai_span_tests::{attributes, is_child_of, is_root, s};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use receiver::{Behaviour, GrpcReceiver, Receiver, attribute, span_names};
use tracing::instrument::WithSubscriber as _;

// ---- Instrumented code --------------------------------------------------------------------

#[derive(Debug, Clone, GenAiResponse)]
struct Reply {
    #[genai(response_model)]
    model: String,
    #[genai(input_tokens)]
    input_tokens: u32,
    #[genai(output_tokens)]
    output_tokens: u32,
}

#[genai_span(chat, provider = "openai", model = model)]
async fn chat(model: &str) -> Result<Reply, std::io::Error> {
    tokio::task::yield_now().await;
    Ok(Reply {
        model: model.to_owned(),
        input_tokens: 12,
        output_tokens: 3,
    })
}

#[genai_span(execute_tool)]
fn get_weather(city: &str) -> Result<String, std::io::Error> {
    Ok(format!("sunny in {city}"))
}

#[genai_span(invoke_agent, provider = "openai", agent_name = "planner")]
fn agent() -> Result<(), std::io::Error> {
    // A plain span between the agent and its tool: dropped by `genai_only`.
    let _plain = tracing::info_span!("plan step").entered();
    get_weather("Paris")?;
    Ok(())
}

// ---- Helpers ------------------------------------------------------------------------------

/// Collects what the pipeline writes as warnings.
#[derive(Debug, Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Output {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    fn lines(&self) -> Vec<String> {
        self.text().lines().map(str::to_owned).collect()
    }
}

/// Runs `scenario` on a thread of its own and fails the test if it has not finished after
/// `limit`: a hang becomes a failure, not a stuck CI run. A panic in the scenario is the test's.
fn within<T: Send + 'static>(limit: Duration, scenario: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::spawn(scenario);
    let start = Instant::now();
    while !handle.is_finished() {
        assert!(
            start.elapsed() < limit,
            "the scenario did not finish within {limit:?}: something blocks"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// What `exporter` received once `pipeline` has flushed, before it shuts down (the in-memory
/// exporter forgets its spans on shutdown).
fn exported(pipeline: Pipeline, exporter: &InMemorySpanExporter) -> Vec<SpanData> {
    pipeline.tracer_provider().force_flush().unwrap();
    let spans = exporter.get_finished_spans().unwrap();
    drop(pipeline);
    spans
}

/// The generous limit of every scenario.
const LIMIT: Duration = Duration::from_secs(90);

/// A setup that reads no environment, with warnings collected in `output`, and a shutdown
/// timeout long enough for a loaded machine (the guard returns as soon as it is done).
fn setup(output: &Output) -> Setup {
    Setup::new()
        .diagnostics(output.clone())
        .terminal_view(false)
        .shutdown_timeout(PATIENT)
}

/// The shutdown timeout of the scenarios where the receiver works.
const PATIENT: Duration = Duration::from_secs(30);

/// `calls` chat calls on a current-thread runtime, under `pipeline`'s subscriber; returns how
/// many completed.
fn chats_on_current_thread(pipeline: &Pipeline, calls: usize) -> usize {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(pipeline.subscriber(), || {
        runtime.block_on(async {
            let mut completed = 0;
            for _ in 0..calls {
                chat("gpt-4o").await.unwrap();
                completed += 1;
            }
            completed
        })
    })
}

// ---- Export over HTTP and gRPC ------------------------------------------------------------

#[test]
fn spans_reach_an_otlp_http_receiver_with_the_configured_resource_and_headers() {
    let receiver = Receiver::start(Behaviour::Answer(200));
    let output = Output::default();
    let pipeline = Setup::from_env_vars([
        ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint().as_str()),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "api-key=from-env,x-env=Basic%20AAA%3D%3D",
        ),
        ("OTEL_SERVICE_NAME", "from-env"),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment=test%20env",
        ),
    ])
    .header("api-key", "from-code")
    .service_name("weather-agent")
    .diagnostics(output.clone())
    .shutdown_timeout(PATIENT)
    .build()
    .unwrap();
    assert!(
        pipeline.meter_provider().is_some(),
        "the generic endpoint configures metrics too"
    );
    let completed = within(LIMIT, move || {
        let completed = chats_on_current_thread(&pipeline, 3);
        drop(pipeline);
        completed
    });
    assert_eq!(completed, 3);

    let traces = receiver.requests_to("/v1/traces");
    assert!(!traces.is_empty(), "no trace export arrived");
    let request = &traces[0];
    assert_eq!(
        request.header("content-type"),
        Some("application/x-protobuf")
    );
    assert_eq!(
        request.header("api-key"),
        Some("from-code"),
        "a header set in code wins"
    );
    assert_eq!(
        request.header("x-env"),
        Some("Basic AAA=="),
        "env headers are URL-decoded"
    );
    let spans = span_names(&traces);
    assert_eq!(spans, ["chat gpt-4o"; 3]);
    let export = request.traces();
    let resource = export.resource_spans[0].resource.as_ref().unwrap();
    assert_eq!(
        attribute(&resource.attributes, "service.name").as_deref(),
        Some("weather-agent")
    );
    assert_eq!(
        attribute(&resource.attributes, "deployment.environment").as_deref(),
        Some("test env")
    );
    assert_eq!(output.text(), "", "nothing went wrong, nothing is printed");
}

#[test]
fn spans_reach_an_otlp_grpc_receiver_from_a_current_thread_runtime() {
    let receiver = GrpcReceiver::start();
    let output = Output::default();
    let pipeline = setup(&output)
        .traces_endpoint(receiver.endpoint())
        .protocol(Protocol::Grpc)
        .header("x-mlflow-experiment-id", "0")
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(pipeline.subscriber());
    let completed = within(LIMIT, move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // The whole life of the pipeline on the runtime's one thread, the guard dropped inside
        // the runtime: the shape that deadlocks when the exporter needs this runtime.
        runtime.block_on(
            async move {
                for _ in 0..5 {
                    chat("gpt-4o").await.unwrap();
                }
                drop(pipeline);
                5
            }
            .with_subscriber(dispatch),
        )
    });
    assert_eq!(completed, 5);
    let requests = receiver.requests();
    let names: Vec<String> = requests
        .iter()
        .flat_map(|(_, export)| receiver::names_in(export))
        .collect();
    assert_eq!(names, ["chat gpt-4o"; 5]);
    assert_eq!(
        requests[0]
            .0
            .get("x-mlflow-experiment-id")
            .map(String::as_str),
        Some("0")
    );
    assert_eq!(output.text(), "");
}

#[test]
fn the_pipeline_runs_under_a_multi_thread_runtime_too() {
    let receiver = Receiver::start(Behaviour::Answer(200));
    let output = Output::default();
    let pipeline = setup(&output)
        .endpoint(receiver.endpoint())
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(pipeline.subscriber());
    let completed = within(LIMIT, move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let completed = runtime.block_on(async {
            let tasks: Vec<_> = (0..20)
                .map(|_| tokio::spawn(chat("gpt-4o").with_subscriber(dispatch.clone())))
                .collect();
            let mut completed = 0;
            for task in tasks {
                task.await.unwrap().unwrap();
                completed += 1;
            }
            completed
        });
        drop(pipeline);
        completed
    });
    assert_eq!(completed, 20);
    assert_eq!(span_names(&receiver.requests_to("/v1/traces")).len(), 20);
    assert_eq!(output.text(), "");
}

#[test]
fn metrics_reach_the_receiver() {
    let receiver = Receiver::start(Behaviour::Answer(200));
    let output = Output::default();
    let pipeline = setup(&output)
        .endpoint(receiver.endpoint())
        .build()
        .unwrap();
    // The instruments are process-wide: this is the only test of this binary that binds them.
    genai_span::metrics::init(pipeline.meter_provider().unwrap());
    within(LIMIT, move || {
        chats_on_current_thread(&pipeline, 2);
        drop(pipeline);
    });
    let metrics = receiver.requests_to("/v1/metrics");
    assert!(!metrics.is_empty(), "no metrics export arrived");
    let names = receiver::metric_names(&metrics);
    assert!(
        names
            .iter()
            .any(|n| n == "gen_ai.client.operation.duration"),
        "{names:?}"
    );
}

// ---- What is exported ---------------------------------------------------------------------

#[test]
fn genai_only_exports_only_genai_spans() {
    let exporter = InMemorySpanExporter::default();
    let pipeline = setup(&Output::default())
        .span_exporter(exporter.clone())
        .genai_only(true)
        .build()
        .unwrap();
    tracing::subscriber::with_default(pipeline.subscriber(), || {
        tracing::info_span!("http request").in_scope(|| {
            get_weather("Lyon").unwrap();
        });
        agent().unwrap();
        tracing::info_span!("plain").in_scope(|| tracing::info!("an event"));
    });
    let spans = exported(pipeline, &exporter);
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "execute_tool get_weather",
            "execute_tool get_weather",
            "invoke_agent planner"
        ]
    );
    // Under a dropped span with no GenAI span around it: a root.
    assert!(is_root(&spans[0]));
    // Under a dropped span inside the agent: the agent's child.
    assert!(is_child_of(&spans[1], &spans[2]));
}

#[test]
fn without_genai_only_every_span_is_exported() {
    let exporter = InMemorySpanExporter::default();
    let pipeline = setup(&Output::default())
        .span_exporter(exporter.clone())
        .build()
        .unwrap();
    tracing::subscriber::with_default(pipeline.subscriber(), || agent().unwrap());
    let spans = exported(pipeline, &exporter);
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "execute_tool get_weather",
            "plan step",
            "invoke_agent planner"
        ]
    );
}

#[test]
fn span_attributes_are_clean_by_default() {
    let exporter = InMemorySpanExporter::default();
    let pipeline = setup(&Output::default())
        .span_exporter(exporter.clone())
        .build()
        .unwrap();
    tracing::subscriber::with_default(pipeline.subscriber(), || get_weather("Oslo").unwrap());
    let span = &exported(pipeline, &exporter)[0];
    let keys: Vec<String> = attributes(span).into_keys().collect();
    // What `#[genai_span]` recorded, and no `code.*`, `thread.*`, `target`, `busy_ns`.
    assert!(keys.iter().all(|k| k.starts_with("gen_ai.")), "{keys:?}");
    assert_eq!(attributes(span)["gen_ai.operation.name"], s("execute_tool"));
}

#[test]
fn span_details_turns_the_extra_attributes_back_on() {
    let exporter = InMemorySpanExporter::default();
    let pipeline = setup(&Output::default())
        .span_exporter(exporter.clone())
        .span_details(true)
        .build()
        .unwrap();
    tracing::subscriber::with_default(pipeline.subscriber(), || get_weather("Oslo").unwrap());
    let span = &exported(pipeline, &exporter)[0];
    let keys: Vec<String> = attributes(span).into_keys().collect();
    for expected in ["thread.id", "target", "busy_ns", "idle_ns"] {
        assert!(
            keys.iter().any(|k| k == expected),
            "no {expected}: {keys:?}"
        );
    }
    assert!(keys.iter().any(|k| k.starts_with("code.")), "{keys:?}");
}

#[test]
fn the_sampler_from_the_environment_applies() {
    let exporter = InMemorySpanExporter::default();
    let pipeline = Setup::from_env_vars([("OTEL_TRACES_SAMPLER", "always_off")])
        .diagnostics(Output::default())
        .span_exporter(exporter.clone())
        .build()
        .unwrap();
    tracing::subscriber::with_default(pipeline.subscriber(), || get_weather("Oslo").unwrap());
    assert!(exported(pipeline, &exporter).is_empty());
}

#[test]
fn invalid_environment_values_are_reported_once_each_and_ignored() {
    let output = Output::default();
    let exporter = InMemorySpanExporter::default();
    let pipeline = Setup::from_env_vars([
        ("OTEL_TRACES_SAMPLER", "sometimes"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
    ])
    .diagnostics(output.clone())
    .span_exporter(exporter.clone())
    .build()
    .unwrap();
    tracing::subscriber::with_default(pipeline.subscriber(), || get_weather("Oslo").unwrap());
    assert_eq!(
        exported(pipeline, &exporter).len(),
        1,
        "the default sampler"
    );
    let lines = output.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("genai-span: ignoring OTEL_EXPORTER_OTLP_TIMEOUT=\"10s\""));
    assert!(lines[1].starts_with("genai-span: ignoring OTEL_TRACES_SAMPLER=\"sometimes\""));
}

#[test]
fn no_endpoint_means_no_otlp_exporter() {
    let pipeline = Setup::from_env_vars([("OTEL_SERVICE_NAME", "offline")])
        .diagnostics(Output::default())
        .terminal_view(false)
        .build()
        .unwrap();
    assert!(pipeline.meter_provider().is_none());
    tracing::subscriber::with_default(pipeline.subscriber(), || get_weather("Oslo").unwrap());
    within(LIMIT, move || drop(pipeline));
}

#[test]
fn configuration_errors_fail_cleanly() {
    let bad_header = setup(&Output::default())
        .endpoint("http://127.0.0.1:4318")
        .header("bad header", "x")
        .build();
    assert!(
        matches!(&bad_header, Err(SetupError::InvalidHeader { name, .. }) if name == "bad header"),
        "{bad_header:?}"
    );
    let bad_endpoint = setup(&Output::default()).endpoint("not a url").build();
    assert!(
        matches!(bad_endpoint, Err(SetupError::Exporter(_))),
        "{bad_endpoint:?}"
    );
    let grpc_tls = setup(&Output::default())
        .endpoint("https://127.0.0.1:4317")
        .protocol(Protocol::Grpc)
        .build();
    assert!(
        matches!(grpc_tls, Err(SetupError::Exporter(_))),
        "{grpc_tls:?}"
    );
    // TLS over HTTP is built in (nothing is sent: the pipeline is dropped at once, empty).
    let http_tls = setup(&Output::default())
        .endpoint("https://127.0.0.1:4318")
        .build();
    assert!(http_tls.is_ok(), "{http_tls:?}");
    let message = SetupError::SubscriberAlreadySet.to_string();
    assert!(message.contains("Pipeline::layer"), "{message}");
}

// ---- Broken receivers: the seed report's deadlock, and its cousins --------------------------

/// The settings of the broken-receiver scenarios: short timeouts, a small queue.
fn impatient(output: &Output, endpoint: String) -> Setup {
    setup(output)
        .endpoint(endpoint)
        .export_timeout(Duration::from_millis(300))
        .shutdown_timeout(Duration::from_secs(1))
        .max_queue_size(64)
        .max_export_batch_size(16)
        .schedule_delay(Duration::from_millis(20))
}

const MANY: usize = 3000;

#[test]
fn a_receiver_that_never_answers_stalls_nothing_on_a_current_thread_runtime() {
    // The seed report: the exporter waits for a receiver that accepted the connection and never
    // answers, on a current_thread runtime. Every call must complete, spans that do not fit in
    // the queue are dropped and counted, and the guard returns within its shutdown time.
    let receiver = Receiver::start(Behaviour::NeverAnswer);
    let output = Output::default();
    let pipeline = impatient(&output, receiver.endpoint()).build().unwrap();
    let (completed, shutdown) = within(LIMIT, move || {
        let completed = chats_on_current_thread(&pipeline, MANY);
        let start = Instant::now();
        drop(pipeline);
        (completed, start.elapsed())
    });
    assert_eq!(completed, MANY);
    assert!(
        shutdown < Duration::from_secs(30),
        "the guard took {shutdown:?} with a 1 s shutdown timeout"
    );
    let text = output.text();
    assert!(text.contains("spans are being dropped"), "{text}");
    let summary = output.lines().pop().unwrap();
    assert!(summary.contains("dropped (export queue full)"), "{summary}");
    assert_eq!(
        text.matches("spans are being dropped").count(),
        1,
        "printed once: {text}"
    );
}

#[test]
fn an_export_still_unanswered_at_shutdown_is_reported_once_as_failed() {
    // The defaults' shape: the export timeout (10 s) outlasts the shutdown timeout, so the
    // shutdown gives up on an export that is still waiting, and the user must hear of it.
    let receiver = Receiver::start(Behaviour::NeverAnswer);
    let output = Output::default();
    let pipeline = setup(&output)
        .endpoint(receiver.endpoint())
        .export_timeout(Duration::from_secs(10))
        .shutdown_timeout(Duration::from_millis(500))
        .schedule_delay(Duration::from_millis(10))
        .build()
        .unwrap();
    let completed = within(LIMIT, move || {
        let completed = chats_on_current_thread(&pipeline, 10);
        // Let the first batch reach the receiver, which then never answers.
        std::thread::sleep(Duration::from_millis(200));
        drop(pipeline);
        completed
    });
    assert_eq!(completed, 10);
    let text = output.text();
    let failed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("exporting spans to"))
        .collect();
    assert_eq!(failed.len(), 1, "reported once: {text}");
    assert!(
        failed[0].contains("failed: no answer within the 500ms shutdown timeout"),
        "{text}"
    );
}

#[test]
fn a_grpc_receiver_that_never_answers_stalls_nothing_on_a_current_thread_runtime() {
    let receiver = Receiver::start(Behaviour::NeverAnswer);
    let output = Output::default();
    let pipeline = impatient(&output, receiver.endpoint())
        .protocol(Protocol::Grpc)
        .build()
        .unwrap();
    let dispatch = tracing::Dispatch::new(pipeline.subscriber());
    let completed = within(LIMIT, move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(
            async move {
                let mut completed = 0;
                for _ in 0..MANY {
                    chat("gpt-4o").await.unwrap();
                    completed += 1;
                }
                drop(pipeline);
                completed
            }
            .with_subscriber(dispatch),
        )
    });
    assert_eq!(completed, MANY);
    assert!(
        output.text().contains("dropped (export queue full)"),
        "{}",
        output.text()
    );
}

#[test]
fn a_receiver_that_never_answers_stalls_nothing_on_a_multi_thread_runtime() {
    let receiver = Receiver::start(Behaviour::NeverAnswer);
    let output = Output::default();
    let pipeline = impatient(&output, receiver.endpoint()).build().unwrap();
    let dispatch = tracing::Dispatch::new(pipeline.subscriber());
    let completed = within(LIMIT, move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let completed = runtime.block_on(async {
            let tasks: Vec<_> = (0..4)
                .map(|_| {
                    tokio::spawn(
                        async {
                            for _ in 0..MANY / 4 {
                                chat("gpt-4o").await.unwrap();
                            }
                            MANY / 4
                        }
                        .with_subscriber(dispatch.clone()),
                    )
                })
                .collect();
            let mut completed = 0;
            for task in tasks {
                completed += task.await.unwrap();
            }
            completed
        });
        // Dropped inside the runtime, from one of its workers.
        runtime.block_on(async move { drop(pipeline) });
        completed
    });
    assert_eq!(completed, MANY);
}

#[test]
fn a_receiver_that_is_down_is_reported_once_with_the_reason() {
    let port = receiver::unused_port();
    let output = Output::default();
    let pipeline = impatient(&output, format!("http://127.0.0.1:{port}"))
        .max_queue_size(10_000)
        .build()
        .unwrap();
    let completed = within(LIMIT, move || {
        let completed = chats_on_current_thread(&pipeline, 200);
        // Several batches fail while we wait; the first failure is printed, the rest counted.
        pipeline.tracer_provider().force_flush().ok();
        drop(pipeline);
        completed
    });
    assert_eq!(completed, 200);
    let lines = output.lines();
    let failures: Vec<&String> = lines.iter().filter(|l| l.contains("failed:")).collect();
    assert_eq!(failures.len(), 1, "{lines:?}");
    assert_eq!(
        *failures[0],
        format!(
            "genai-span: exporting spans to http://127.0.0.1:{port}/v1/traces failed: \
             connection refused; further failures are counted, not printed"
        )
    );
    let summary = lines.last().unwrap();
    assert!(
        summary.starts_with("genai-span: ") && summary.contains("failed to export"),
        "{summary}"
    );
    assert!(
        summary.contains("(200 spans)") || summary.contains("given up at shutdown"),
        "{summary}"
    );
}

#[test]
fn a_receiver_answering_500_is_reported_with_its_status() {
    let receiver = Receiver::start(Behaviour::Answer(500));
    let output = Output::default();
    let pipeline = impatient(&output, receiver.endpoint()).build().unwrap();
    let completed = within(LIMIT, move || {
        let completed = chats_on_current_thread(&pipeline, 50);
        drop(pipeline);
        completed
    });
    assert_eq!(completed, 50);
    let text = output.text();
    assert!(
        text.contains("failed: the receiver answered HTTP 500 Internal Server Error; further failures are counted"),
        "{text}"
    );
    assert!(
        output.lines().last().unwrap().contains("failed to export"),
        "{text}"
    );
}

#[test]
fn a_slow_receiver_gets_everything_and_nothing_is_reported() {
    let receiver = Receiver::start(Behaviour::Slow(Duration::from_millis(100)));
    let output = Output::default();
    let pipeline = setup(&output)
        .endpoint(receiver.endpoint())
        .export_timeout(Duration::from_secs(20))
        .shutdown_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let completed = within(LIMIT, move || {
        let completed = chats_on_current_thread(&pipeline, 100);
        drop(pipeline);
        completed
    });
    assert_eq!(completed, 100);
    assert_eq!(span_names(&receiver.requests_to("/v1/traces")).len(), 100);
    assert_eq!(output.text(), "");
}
