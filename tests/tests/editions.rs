//! User crates on editions 2018 and 2021 compile with warnings denied.
//!
//! trybuild builds every case with this crate's edition (2024), so each older edition is a
//! small crate of its own under `editions/`, checked here with the workspace's lock file.

use std::path::Path;
use std::process::Command;

fn check(edition: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let krate = root.join("editions").join(format!("e{edition}"));
    // The workspace's versions, so the check needs nothing the workspace does not.
    std::fs::copy(root.join("../Cargo.lock"), krate.join("Cargo.lock")).expect("copy Cargo.lock");
    let output = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("../target/editions"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "the edition {edition} crate does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn edition_2018() {
    check("2018");
}

#[test]
fn edition_2021() {
    check("2021");
}
