//! The JSON report: a documented, versioned document for scripts and other tools.
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": { "name": "plimsoll", "version": "0.1.0" },
//!   "summary": { "files_checked": 2, "findings": 1, "errors": 1, "warnings": 0, "notes": 0 },
//!   "findings": [
//!     {
//!       "rule": { "id": "GHA001", "name": "continue-on-error" },
//!       "severity": "error",
//!       "path": ".github/workflows/ci.yml",
//!       "start": { "line": 6, "column": 5 },
//!       "end": { "line": 6, "column": 28 },
//!       "message": "job `test` sets `continue-on-error: true`: its failures will not fail the run",
//!       "help": "remove `continue-on-error` and fix the failure, or mark only experimental matrix entries",
//!       "fingerprint": "3f0c9a1b2c4d5e6f"
//!     }
//!   ]
//! }
//! ```
//!
//! Lines and columns are 1-based, columns count Unicode characters (scalar values), and `end` is
//! exclusive. A finding that points at no text (a file that cannot be read) has `start` and
//! `end` at line 1, column 1. Paths use forward slashes and have no leading `./`. Findings come
//! in the report's order (by path, then position, then rule id).
//!
//! The schema is [`SCHEMA`] (`schema/plimsoll-check-v1.schema.json` in this crate) and is
//! described in `docs/json-output.md`. [`SCHEMA_VERSION`] changes only when a field is removed,
//! renamed or changes meaning; fields may be added within a version.

use plimsoll_check::CheckReport;
use serde::Serialize;

use crate::paths::display_path;
use crate::{ReportError, Summary, TOOL_NAME};

/// The version of the output schema, written as the top-level `version` field.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema (draft 2020-12) of the output, version [`SCHEMA_VERSION`].
pub const SCHEMA: &str = include_str!("../schema/plimsoll-check-v1.schema.json");

/// Render `report` as a pretty-printed JSON document ending with a newline: the text that
/// [`write`] writes.
///
/// # Errors
///
/// [`ReportError::Serialize`] if serialisation fails, which the types used here do not do.
pub fn render(report: &CheckReport, tool_version: &str) -> Result<String, ReportError> {
    crate::to_string(|out| write(report, tool_version, out))
}

/// Write `report` to `out` as a pretty-printed JSON document ending with a newline, one finding
/// at a time (nothing proportional to the report is built first).
///
/// `tool_version` is written as `tool.version`: pass the version of the plimsoll binary
/// (`env!("CARGO_PKG_VERSION")` of the CLI).
///
/// # Errors
///
/// [`ReportError::Io`] if `out` fails; [`ReportError::Serialize`] if serialisation fails, which
/// the types used here do not do.
pub fn write(
    report: &CheckReport,
    tool_version: &str,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    let summary = Summary::of(report);
    let output = Output {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: tool_version,
        },
        summary: SummaryOut {
            files_checked: summary.files_checked,
            findings: summary.findings,
            errors: summary.errors,
            warnings: summary.warnings,
            notes: summary.notes,
        },
        findings: Findings(report),
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The findings of a report, serialised as they are visited.
struct Findings<'a>(&'a CheckReport);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.findings.iter().map(|finding| FindingOut {
            rule: Rule {
                id: finding.rule.id,
                name: finding.rule.name,
            },
            severity: finding.severity.as_str(),
            path: display_path(&finding.location.path),
            start: Position {
                line: finding.location.start.line,
                column: finding.location.start.column,
            },
            end: Position {
                line: finding.location.end.line,
                column: finding.location.end.column,
            },
            message: &finding.message,
            help: &finding.help,
            fingerprint: &finding.fingerprint,
        }))
    }
}

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool<'a>,
    summary: SummaryOut,
    findings: Findings<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct SummaryOut {
    files_checked: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: Rule,
    severity: &'static str,
    path: String,
    start: Position,
    end: Position,
    message: &'a str,
    help: &'a str,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct Rule {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_report_has_every_top_level_field() {
        let report = CheckReport {
            files_checked: 4,
            ..CheckReport::default()
        };
        let value: serde_json::Value =
            serde_json::from_str(&render(&report, "9.9.9").unwrap()).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "version": 1,
                "tool": {"name": "plimsoll", "version": "9.9.9"},
                "summary": {"files_checked": 4, "findings": 0, "errors": 0, "warnings": 0, "notes": 0},
                "findings": []
            })
        );
    }

    #[test]
    fn the_schema_is_json() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(schema["properties"]["version"]["const"], SCHEMA_VERSION);
    }
}
