//! `Setup::install` sets the process's global subscriber, which can happen once per process:
//! this binary holds the one test that installs.

use std::future::Future;
use std::sync::{Arc, Mutex};

use genai_span::genai_span;
use genai_span::setup::{Setup, SetupError};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

#[genai_span(execute_tool)]
fn get_weather(city: &str) -> Result<String, std::io::Error> {
    Ok(format!("sunny in {city}"))
}

/// Keeps the names of the spans it exports, also after shutdown.
#[derive(Debug, Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl SpanExporter for Recorder {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        self.0
            .lock()
            .unwrap()
            .extend(batch.iter().map(|s| s.name.to_string()));
        std::future::ready(Ok(()))
    }
}

#[test]
fn install_sets_the_global_pipeline_and_a_second_install_fails() {
    let recorder = Recorder::default();
    let guard = Setup::new()
        .span_exporter(recorder.clone())
        .diagnostics(std::io::sink())
        .install()
        .expect("the first install");

    // The global subscriber serves every thread.
    get_weather("Oslo").unwrap();
    std::thread::spawn(|| get_weather("Lima").unwrap())
        .join()
        .unwrap();

    let second = Setup::new().terminal_view(false).install();
    assert!(
        matches!(second, Err(SetupError::AlreadyInstalled)),
        "{second:?}"
    );
    let from_env = genai_span::setup::init();
    assert!(
        matches!(from_env, Err(SetupError::AlreadyInstalled)),
        "{from_env:?}"
    );

    drop(guard);
    assert_eq!(
        *recorder.0.lock().unwrap(),
        ["execute_tool get_weather", "execute_tool get_weather"],
        "the guard flushed what was queued"
    );
    // After the shutdown, spans go nowhere, and nothing fails.
    get_weather("Quito").unwrap();
    assert_eq!(recorder.0.lock().unwrap().len(), 2);
}
