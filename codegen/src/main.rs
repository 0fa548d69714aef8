//! `cargo codegen`: regenerates the semantic-convention tables.
//!
//! ```text
//! cargo codegen                          write the tables
//! cargo codegen --check                  fail if the committed tables are stale
//! cargo codegen --semconv-version 0.34.0 read another version of the crate
//! cargo codegen --verbose                also print the notes about the inputs
//! ```

use std::process::ExitCode;
use std::time::Instant;

use genai_span_codegen::{Options, emit, generate};

/// The usage text.
const USAGE: &str = "usage: cargo codegen [--check] [--semconv-version <version>] [--verbose]

Regenerates runtime/src/semconv/{attributes,metric}.rs and macros/src/table_gen.rs from
opentelemetry-semantic-conventions (the pinned version by default) and the vendored GenAI spec.

  --check                      regenerate in memory; fail if a committed file differs
  --semconv-version <version>  read this version of opentelemetry-semantic-conventions
  --verbose                    print the notes about the inputs
  -h, --help                   print this help";

/// The parsed command line.
#[derive(Debug, Default)]
struct Args {
    /// `--check`.
    check: bool,
    /// `--verbose`.
    verbose: bool,
    /// `--semconv-version`.
    semconv_version: Option<String>,
}

/// Parses the arguments; `Err` holds a message, or the usage for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => parsed.check = true,
            "--verbose" | "-v" => parsed.verbose = true,
            "--semconv-version" => {
                parsed.semconv_version = Some(
                    args.next()
                        .ok_or("`--semconv-version` needs a version, e.g. `0.33.1`")?,
                );
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ => match arg.strip_prefix("--semconv-version=") {
                Some(version) => parsed.semconv_version = Some(version.to_owned()),
                None => return Err(format!("unknown argument `{arg}`\n\n{USAGE}")),
            },
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let started = Instant::now();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return if message == USAGE {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let options = Options {
        semconv_version: args.semconv_version,
        ..Options::pinned()
    };
    let generated = match generate(&options) {
        Ok(generated) => generated,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let model = &generated.model;
    if args.verbose {
        for note in &model.notes {
            eprintln!("note: {note}");
        }
    }
    let outcome = if args.check {
        let stale = emit::stale(&generated.files, &options.workspace_root);
        if !stale.is_empty() {
            eprintln!("these generated files are out of date:");
            for path in &stale {
                eprintln!("  {}", path.display());
            }
            eprintln!("run `cargo codegen` and commit the result");
            return ExitCode::FAILURE;
        }
        "up to date".to_owned()
    } else {
        match emit::write(&generated.files, &options.workspace_root) {
            Ok(changed) if changed.is_empty() => "unchanged".to_owned(),
            Ok(changed) => {
                let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
                format!("wrote {}", names.join(", "))
            }
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    };
    let stats = model.stats();
    let [by_spec, by_override, by_examples, by_default] = stats.typed_by;
    eprintln!(
        "{outcome}: opentelemetry-semantic-conventions {} + GenAI spec v{}\n\
         attributes: {} ({} gen_ai, {} added from the spec, {} deprecated; typed by spec {by_spec}, \
         override {by_override}, examples {by_examples}, default {by_default})\n\
         metrics: {} ({} gen_ai, {} with bucket advice, {} deprecated); span re-exports {}, resource re-exports {}\n\
         {} notes{}; {:.2?}",
        model.semconv_version,
        model.spec_version,
        stats.attributes,
        stats.gen_ai_attributes,
        stats.added_from_spec,
        stats.deprecated_attributes,
        stats.metrics,
        stats.gen_ai_metrics,
        stats.metrics_with_buckets,
        stats.deprecated_metrics,
        model.span_reexports,
        model.resource_reexports,
        model.notes.len(),
        if args.verbose || model.notes.is_empty() {
            ""
        } else {
            " (--verbose prints them)"
        },
        started.elapsed(),
    );
    ExitCode::SUCCESS
}
