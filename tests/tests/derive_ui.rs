//! Compile-fail cases of `#[derive(GenAiResponse)]`: each `.stderr` is reviewed, and every error
//! points at the user's token and says what to write instead.
//!
//! Bless after a deliberate change with `TRYBUILD=overwrite`, then review the diff.

#[test]
fn derive_ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/derive/*.rs");
}
