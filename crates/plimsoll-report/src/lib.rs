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
//!   and the pull request;
//! - [`statistics`]: the number of findings of each rule (`plimsoll check --statistics`), as
//!   text or JSON.
//!
//! Renderers never print: each writes to the [`std::io::Write`] its caller gives (`write`), so a
//! large report streams to a file or a pipe without being held in memory, and `render` returns
//! the same text as a `String` for callers that want one. Paths
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
pub mod statistics;
mod summary;

pub use summary::{rule_counts, RuleCount, Summary};

/// The tool name written in machine-readable reports.
pub const TOOL_NAME: &str = "plimsoll";

/// Why a report could not be rendered.
///
/// Writing can fail because the destination does (a full disk, a closed pipe); serialising
/// could in principle fail too, and is then reported rather than hidden or turned into a panic.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The destination refused the text.
    #[error("cannot write the report")]
    Io(#[from] std::io::Error),
    /// The report could not be serialised to JSON.
    #[error("cannot serialise the report as JSON: {0}")]
    Serialize(serde_json::Error),
}

impl From<serde_json::Error> for ReportError {
    /// A serialiser error that came from the writer is a write error, so that callers can tell a
    /// closed pipe from a defect.
    fn from(error: serde_json::Error) -> ReportError {
        match error.io_error_kind() {
            Some(kind) => ReportError::Io(std::io::Error::new(kind, error)),
            None => ReportError::Serialize(error),
        }
    }
}

/// Run `write` against an in-memory buffer and return what it wrote as text: the `render`
/// counterpart of every renderer's `write`.
fn to_string(
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), ReportError>,
) -> Result<String, ReportError> {
    let mut buffer = Vec::new();
    write(&mut buffer)?;
    // Every renderer writes only `str`s, so this cannot fail; map it rather than assume it.
    String::from_utf8(buffer)
        .map_err(|e| ReportError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}
