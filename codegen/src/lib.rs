//! The generator behind `cargo codegen`.
//!
//! It reads two inputs and writes the semantic-convention tables that `genai-span` commits:
//!
//! 1. The source of `opentelemetry-semantic-conventions` at the pinned version
//!    ([`PINNED_SEMCONV_VERSION`]), located with `cargo metadata` and parsed with syn: attribute
//!    and metric consts, their doc comments (briefs, examples, metric tables) and deprecations.
//! 2. The GenAI semantic conventions ([`SPEC_VERSION`]) vendored under `codegen/spec/`: the YAML
//!    registry (attribute types, deprecations), the metrics model and the advised histogram
//!    bucket boundaries from `gen-ai-metrics.md`. For `gen_ai.*` keys and metrics the spec is
//!    authoritative; the crate says nothing about types at all.
//!
//! The outputs are listed in [`emit`]. They are deterministic: running the generator twice gives
//! byte-identical files, and `tests/up_to_date.rs` fails when the committed files are stale.

pub mod emit;
pub mod model;

mod crate_docs;
mod rust_source;
mod source;
mod spec;
mod types;

use std::fmt;
use std::path::{Path, PathBuf};

pub use emit::GeneratedFile;
pub use model::Model;

/// The version of `opentelemetry-semantic-conventions` the committed tables come from.
///
/// It must match the `=x.y.z` requirement in the workspace's `Cargo.toml`.
pub const PINNED_SEMCONV_VERSION: &str = "0.33.1";

/// The version of the GenAI semantic conventions the project conforms to.
pub const SPEC_VERSION: &str = "1.41.1";

/// The directory of the vendored GenAI spec, relative to the workspace root.
pub const SPEC_DIR: &str = "codegen/spec/semconv-v1.41.1-genai";

/// What to generate from.
#[derive(Debug, Clone)]
pub struct Options {
    /// The workspace root: inputs under `codegen/spec/` and outputs are relative to it.
    pub workspace_root: PathBuf,
    /// Another version of `opentelemetry-semantic-conventions` to read instead of the pinned one.
    pub semconv_version: Option<String>,
}

impl Options {
    /// Options for the committed tables: this workspace and the pinned crate version.
    #[must_use]
    pub fn pinned() -> Self {
        Self {
            workspace_root: workspace_root(),
            semconv_version: None,
        }
    }
}

/// The workspace root, found from this crate's manifest directory.
#[must_use]
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// A failure of the generator: unreadable or malformed input, or a failing subprocess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    /// An error with this message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The generator's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads the inputs and builds the merged model, without rendering anything.
pub fn load(options: &Options) -> Result<Model> {
    let located = source::locate(&options.workspace_root, options.semconv_version.as_deref())?;
    let raw = rust_source::parse_crate(&located.dir)?;
    let spec = spec::load(&options.workspace_root.join(SPEC_DIR))?;
    model::build(&located.version, raw, &spec)
}

/// The result of a generator run: the files and the model they were rendered from.
#[derive(Debug)]
pub struct Generated {
    /// The merged model.
    pub model: Model,
    /// The rendered, rustfmt-formatted files.
    pub files: Vec<GeneratedFile>,
}

/// Reads the inputs and renders every output file in memory.
pub fn generate(options: &Options) -> Result<Generated> {
    let model = load(options)?;
    let files = emit::render_all(&model, &options.workspace_root)?;
    Ok(Generated { model, files })
}
