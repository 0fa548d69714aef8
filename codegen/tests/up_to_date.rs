//! The committed tables must be what `cargo codegen` generates now.

use genai_span_codegen::{Options, emit, generate};

#[test]
fn generated_files_are_up_to_date() {
    let options = Options::pinned();
    let generated =
        generate(&options).unwrap_or_else(|error| panic!("cargo codegen fails: {error}"));
    let stale = emit::stale(&generated.files, &options.workspace_root);
    assert!(
        stale.is_empty(),
        "these generated files are out of date: {}\nrun `cargo codegen` and commit the result",
        stale
            .iter()
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[test]
fn generation_is_deterministic() {
    let options = Options::pinned();
    let first = generate(&options).expect("first run");
    let second = generate(&options).expect("second run");
    assert_eq!(first.files, second.files);
}
