//! Compile-time behaviour of `#[genai_span]`: misuse is an error on the user's tokens that
//! says what to write instead; correct use compiles without warnings, whatever the user's
//! crate names.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/genai_span/*.rs");
    cases.pass("ui/genai_span_pass/*.rs");
}
