//! Locating the source of `opentelemetry-semantic-conventions` with `cargo metadata`.
//!
//! The pinned version is a dependency of this crate, so `cargo metadata` on the workspace lists it
//! (Cargo has already downloaded and unpacked it). Another version is located through a throwaway
//! Cargo project in a temporary directory that depends on exactly that version.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Error, PINNED_SEMCONV_VERSION, Result};

/// The package whose source is read.
const PACKAGE: &str = "opentelemetry-semantic-conventions";

/// An unpacked source directory of the package.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    /// The package version, as `cargo metadata` reports it.
    pub(crate) version: String,
    /// The directory holding the package's `Cargo.toml` and `src/`.
    pub(crate) dir: PathBuf,
}

/// Finds the source of the pinned version, or of `version` when given.
pub(crate) fn locate(workspace_root: &Path, version: Option<&str>) -> Result<Located> {
    match version {
        None | Some(PINNED_SEMCONV_VERSION) => {
            let metadata = cargo_metadata(&workspace_root.join("Cargo.toml"))?;
            find_package(&metadata, PINNED_SEMCONV_VERSION)
        }
        Some(version) => locate_other_version(version),
    }
}

/// Locates another version through a temporary project, removed afterwards.
fn locate_other_version(version: &str) -> Result<Located> {
    if version.is_empty()
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c))
    {
        return Err(Error::new(format!(
            "invalid version `{version}`: expected something like `0.33.1`"
        )));
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir =
        std::env::temp_dir().join(format!("genai-span-codegen-{}-{nanos}", std::process::id()));
    let result = (|| {
        std::fs::create_dir_all(dir.join("src")).map_err(|e| io_error(&dir, &e))?;
        let manifest = format!(
            "[package]\nname = \"semconv-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{PACKAGE} = {{ version = \"={version}\", features = [\"semconv_experimental\"] }}\n\n\
             # Not part of any enclosing workspace.\n[workspace]\n"
        );
        let manifest_path = dir.join("Cargo.toml");
        std::fs::write(&manifest_path, manifest).map_err(|e| io_error(&manifest_path, &e))?;
        let lib = dir.join("src/lib.rs");
        std::fs::write(&lib, "").map_err(|e| io_error(&lib, &e))?;
        let metadata = cargo_metadata(&manifest_path)?;
        find_package(&metadata, version)
    })();
    // Best effort: a leftover directory in the temp dir is harmless.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Runs `cargo metadata --format-version 1` for a manifest and parses its JSON.
fn cargo_metadata(manifest_path: &Path) -> Result<serde_json::Value> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(manifest_path)
        .output()
        .map_err(|e| Error::new(format!("running `cargo metadata`: {e}")))?;
    if !output.status.success() {
        return Err(Error::new(format!(
            "`cargo metadata --manifest-path {}` failed ({}):\n{}",
            manifest_path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        )));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::new(format!("parsing the output of `cargo metadata`: {e}")))
}

/// Finds the package at `version` in `cargo metadata` output.
fn find_package(metadata: &serde_json::Value, version: &str) -> Result<Located> {
    let packages = metadata["packages"]
        .as_array()
        .ok_or_else(|| Error::new("`cargo metadata` output has no `packages` array"))?;
    let mut found = Vec::new();
    for package in packages {
        if package["name"].as_str() != Some(PACKAGE) {
            continue;
        }
        let package_version = package["version"].as_str().unwrap_or_default();
        found.push(package_version.to_owned());
        if package_version != version {
            continue;
        }
        let manifest_path = package["manifest_path"].as_str().ok_or_else(|| {
            Error::new(format!("`cargo metadata`: {PACKAGE} has no manifest_path"))
        })?;
        let dir = Path::new(manifest_path)
            .parent()
            .ok_or_else(|| Error::new(format!("unexpected manifest path `{manifest_path}`")))?;
        return Ok(Located {
            version: package_version.to_owned(),
            dir: dir.to_path_buf(),
        });
    }
    Err(Error::new(format!(
        "`cargo metadata` does not list {PACKAGE} {version} (found: {}); \
         is the dependency in codegen/Cargo.toml pinned to `={version}`?",
        if found.is_empty() {
            "none".to_owned()
        } else {
            found.join(", ")
        }
    )))
}

/// An I/O error on a path, as a generator error.
pub(crate) fn io_error(path: &Path, error: &std::io::Error) -> Error {
    Error::new(format!("{}: {error}", path.display()))
}
