//! When no subscriber wants a span, an instrumented call computes nothing: no argument is
//! evaluated, nothing is formatted or allocated.
//!
//! These tests have a binary of their own: `tracing` caches each callsite's interest across
//! all subscribers of the process, so a test installing an interested subscriber on another
//! thread would make these callsites ask their (empty) subscriber instead.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use genai_span::{GenAiResponse, genai_span};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;

thread_local! {
    /// How many times an argument expression ran on this test's thread.
    static EVALUATED: Cell<usize> = const { Cell::new(0) };
}

fn model_name() -> String {
    EVALUATED.set(EVALUATED.get() + 1);
    "gpt-4o".to_owned()
}

#[derive(GenAiResponse)]
struct Reply {
    #[genai(response_model)]
    model: &'static str,
    #[genai(input_tokens)]
    tokens: u32,
}

#[genai_span(chat, provider = "openai", model = model_name(), temperature = 0.3, stop_sequences = ["\n"])]
async fn chat() -> Result<Reply, std::io::Error> {
    Ok(Reply {
        model: "gpt-4o",
        tokens: 3,
    })
}

#[genai_span(execute_tool, tool_call_id = model_name())]
fn tool(a: u32) -> u32 {
    a + 1
}

fn poll_once<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the test futures finish at once"),
    }
}

fn run_calls() {
    for _ in 0..100 {
        assert_eq!(tool(1), 2);
        assert_eq!(poll_once(chat()).unwrap().tokens, 3);
    }
}

#[test]
fn without_a_subscriber_no_argument_is_evaluated_and_nothing_allocated() {
    run_calls(); // The first call registers the callsites (a one-time cost).
    EVALUATED.set(0);
    let info = allocation_counter::measure(run_calls);
    assert_eq!(EVALUATED.get(), 0, "argument expressions ran");
    assert_eq!(info.count_total, 0, "the disabled path allocated");
}

#[test]
fn with_a_subscriber_that_filters_the_level_out_nothing_is_evaluated() {
    let subscriber = tracing_subscriber::registry().with(LevelFilter::WARN);
    tracing::subscriber::with_default(subscriber, || {
        run_calls();
        EVALUATED.set(0);
        let info = allocation_counter::measure(run_calls);
        assert_eq!(EVALUATED.get(), 0, "argument expressions ran");
        assert_eq!(info.count_total, 0, "the filtered path allocated");
    });
}
