//! Compile-time behaviour of `semconv!` and the `semconv` consts: an unknown name or key is an
//! error on the user's token with the nearest suggestions; correct use compiles without
//! warnings, in `const`, `concat!`, patterns and tracing's brace syntax.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/semconv/*.rs");
    cases.pass("ui/semconv_pass/*.rs");
}
