//! plimsoll's report renderers.
//!
//! Each renderer turns a [`CheckReport`] (the findings of a run, the sources of the files that
//! have findings, and the number of files checked) into the text of one output format:
//!
//! - [`human`]: rustc-style diagnostics with a source snippet, for a terminal or a log, with
//!   optional ANSI colour, followed by a one-line summary;
//! - [`json`]: a documented, versioned JSON document (schema
//!   `schema/plimsoll-check-v1.schema.json`, described in `docs/json-output.md`);
//! - [`sarif`]: a SARIF 2.1.0 log that GitHub code scanning accepts;
//! - [`github`]: GitHub Actions workflow commands (`::error file=…::…`) that annotate the run
//!   and the pull request.
//!
//! Renderers never print: they return a `String`, and the caller decides where it goes. Paths
//! are written with forward slashes and without a leading `./`, whatever the platform.
//!
//! Columns differ by format, on purpose: the human, JSON and GitHub outputs count Unicode
//! characters (scalar values), SARIF counts UTF-16 code units (its default `columnKind`). All
//! are 1-based; end positions are exclusive.
//!
//! No format includes the source text of a finding except the human one, which shows the line
//! the finding starts on.
//!
//! [`CheckReport`]: plimsoll_check::CheckReport

#![warn(missing_docs)]

pub mod github;
pub mod human;
pub mod json;
mod paths;
pub mod sarif;
mod summary;

pub use summary::Summary;

/// The tool name written in machine-readable reports.
pub const TOOL_NAME: &str = "plimsoll";

/// Why a report could not be rendered.
///
/// Only the serialising renderers ([`json::render`] and [`sarif::render`]) can fail, and in
/// practice they do not: the error exists so that a serialiser failure is reported rather than
/// hidden or turned into a panic.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The report could not be serialised to JSON.
    #[error("cannot serialise the report as JSON: {0}")]
    Serialize(#[from] serde_json::Error),
}
