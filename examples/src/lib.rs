//! Library code of the examples: clients instrumented with `genai-span`, which the runnable
//! examples in `examples/` and the tests in `tests/` use.

#![warn(missing_docs)]

pub mod openai;
