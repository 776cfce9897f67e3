//! The JSON report: a documented, versioned document for scripts and other tools.
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": { "name": "plimsoll", "version": "0.1.0" },
//!   "summary": { "files_checked": 2, "findings": 1, "errors": 1, "warnings": 0, "notes": 0 },
//!   "config_files": ["plimsoll.toml"],
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

use plimsoll_check::{CheckReport, Finding};
use rayon::prelude::*;
use serde::Serialize;

use crate::paths::display_path;
use crate::{ReportError, Summary, TOOL_NAME};

/// The version of the output schema, written as the top-level `version` field.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema (draft 2020-12) of the output, version [`SCHEMA_VERSION`].
pub const SCHEMA: &str = include_str!("../schema/plimsoll-check-v1.schema.json");

/// Render `report` as a pretty-printed JSON document ending with a newline: the text that
/// [`write()`] writes.
///
/// # Errors
///
/// [`ReportError::Serialize`] if serialisation fails, which the types used here do not do.
pub fn render(report: &CheckReport, tool_version: &str) -> Result<String, ReportError> {
    crate::to_string(|out| write(report, tool_version, out))
}

/// Write `report` to `out` as a pretty-printed JSON document ending with a newline.
///
/// Findings are formatted in batches of `BATCH`, each split across the pool's threads and
/// written in order while the next is formatted: a large report is never held in memory
/// whole, and formatting does not run on one thread while the others idle (it was 5% of a
/// workflow run).
/// The text is the same as serialising the whole document with `serde_json::to_writer_pretty`.
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
    write_in_batches(report, tool_version, out, BATCH, PIECE)
}

/// How many findings are formatted before they are written. Small, so that the text of one
/// batch is written and freed before the next is formatted and the next reuses its memory:
/// with 4,096 (5 MB of text for a workflow run) every batch was fresh memory, and the kernel's
/// zeroing of its pages was most of the time the report took.
const BATCH: usize = 256;
/// How many findings one thread formats at a time.
const PIECE: usize = 16;
/// Room for one finding's text, reserved up front: most take 0.5-2 KB (a fix's edits add
/// more), and growing a buffer by doubling copies it and touches twice the memory.
const FINDING_BYTES: usize = 2048;

fn write_in_batches(
    report: &CheckReport,
    tool_version: &str,
    out: &mut dyn std::io::Write,
    batch: usize,
    piece: usize,
) -> Result<(), ReportError> {
    let head = Head {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: tool_version,
        },
        summary: SummaryOut::of(report),
        config_files: config_files(report),
    };
    // The head's members, then `findings` as the last member of the same object: the head
    // ends with "\n}", which the findings replace.
    let mut text = serde_json::to_vec_pretty(&head)?;
    text.truncate(text.len().saturating_sub(2));
    if report.findings.is_empty() {
        text.extend_from_slice(b",\n  \"findings\": []\n}\n");
        out.write_all(&text)?;
        return Ok(());
    }
    text.extend_from_slice(b",\n  \"findings\": [\n");
    out.write_all(&text)?;
    let format_batch = |findings: &[Finding]| {
        findings
            .par_chunks(piece.max(1))
            .map(|findings| {
                let mut text = Vec::with_capacity(findings.len() * FINDING_BYTES);
                for (index, finding) in findings.iter().enumerate() {
                    if index > 0 {
                        text.extend_from_slice(b",\n");
                    }
                    // Array elements sit two levels deep: four spaces before every line.
                    text.extend_from_slice(ELEMENT_INDENT);
                    let mut serializer =
                        serde_json::Serializer::with_formatter(&mut text, ElementFormatter::new());
                    finding_out(finding, report).serialize(&mut serializer)?;
                }
                Ok(text)
            })
            .collect::<Result<Vec<Vec<u8>>, serde_json::Error>>()
    };
    let format_batch = &format_batch;
    let mut batches = report.findings.chunks(batch.max(1));
    let mut pending = batches.next().map(format_batch).transpose()?;
    let mut first = true;
    while let Some(pieces) = pending.take() {
        // The next batch is formatted on the pool's threads while this one is written here.
        let following = batches.next();
        let mut next = None;
        let written = rayon::in_place_scope(|scope| {
            if let Some(findings) = following {
                let next = &mut next;
                scope.spawn(move |_| *next = Some(format_batch(findings)));
            }
            write_pieces(out, &pieces, &mut first)
        });
        written?;
        pending = next.transpose()?;
    }
    out.write_all(b"\n  ]\n}\n")?;
    Ok(())
}

/// Write the formatted `pieces` of the findings array, each after a `,` line break but the
/// array's first.
fn write_pieces(
    out: &mut dyn std::io::Write,
    pieces: &[Vec<u8>],
    first: &mut bool,
) -> Result<(), ReportError> {
    for text in pieces {
        if !std::mem::take(first) {
            out.write_all(b",\n")?;
        }
        out.write_all(text)?;
    }
    Ok(())
}

/// The indentation of an element of the top-level object's `findings` array.
const ELEMENT_INDENT: &[u8] = b"    ";

/// `serde_json`'s pretty printer (two spaces a level) for a value that sits two levels deep,
/// as an element of the `findings` array: every line after the first starts with
/// [`ELEMENT_INDENT`] before its own indentation. It writes what pretty-printing the value on
/// its own and indenting each of its lines would, without a second pass over the text (that
/// pass was a fifth of the report's formatting).
struct ElementFormatter {
    /// Nesting level, counting the two levels above the element.
    level: usize,
    /// Whether the innermost array or object open so far has a member.
    has_value: bool,
}

impl ElementFormatter {
    /// Indentation bytes of one level.
    const INDENT: &'static [u8] = b"  ";

    fn new() -> Self {
        ElementFormatter {
            level: ELEMENT_INDENT.len() / Self::INDENT.len(),
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            writer.write_all(Self::INDENT)?;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    fn member<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl serde_json::ser::Formatter for ElementFormatter {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

fn finding_out<'a>(finding: &'a Finding, report: &CheckReport) -> FindingOut<'a> {
    FindingOut {
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
        fix: fix_out(finding, report),
    }
}

/// The fix of `finding`, with each edit's position in its file (which `report` holds, as it
/// does the file of every finding).
fn fix_out<'a>(finding: &'a Finding, report: &CheckReport) -> Option<FixOut<'a>> {
    let fix = finding.fix.as_ref()?;
    let source = report.sources.get(&finding.location.path)?;
    let position = |offset: usize| {
        let at = source.line_col(offset);
        Position {
            line: at.line,
            column: at.column,
        }
    };
    Some(FixOut {
        applicability: fix.applicability.as_str(),
        message: &fix.message,
        edits: fix
            .edits
            .iter()
            .map(|edit| EditOut {
                span: edit.span,
                start: position(edit.span.start),
                end: position(edit.span.end),
                replacement: &edit.replacement,
            })
            .collect(),
    })
}

/// The members before `findings`.
#[derive(Serialize)]
struct Head<'a> {
    version: u32,
    tool: Tool<'a>,
    summary: SummaryOut,
    config_files: Vec<String>,
}

/// The configuration files the run's settings came from, as report paths: a reader must be
/// able to tell a run configured by a file from one on the defaults.
pub(crate) fn config_files(report: &CheckReport) -> Vec<String> {
    report
        .config_files
        .iter()
        .map(|p| display_path(p))
        .collect()
}

/// The findings of a report, serialised as they are visited (the reference the batched
/// writer is tested against).
#[cfg(test)]
struct Findings<'a>(&'a CheckReport);

#[cfg(test)]
impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.0
                .findings
                .iter()
                .map(|finding| finding_out(finding, self.0)),
        )
    }
}

#[cfg(test)]
#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool<'a>,
    summary: SummaryOut,
    config_files: Vec<String>,
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
    lowered_test_data: usize,
    lowered_examples: usize,
    lowered_fuzzing_images: usize,
}

impl SummaryOut {
    fn of(report: &CheckReport) -> SummaryOut {
        let summary = Summary::of(report);
        SummaryOut {
            files_checked: summary.files_checked,
            findings: summary.findings,
            errors: summary.errors,
            warnings: summary.warnings,
            notes: summary.notes,
            lowered_test_data: summary.lowered_test_data,
            lowered_examples: summary.lowered_examples,
            lowered_fuzzing_images: summary.lowered_fuzzing_images,
        }
    }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct FixOut<'a> {
    applicability: &'static str,
    message: &'a str,
    edits: Vec<EditOut<'a>>,
}

#[derive(Serialize)]
struct EditOut<'a> {
    span: plimsoll_syntax::Span,
    start: Position,
    end: Position,
    replacement: &'a str,
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
                "summary": {"files_checked": 4, "findings": 0, "errors": 0, "warnings": 0, "notes": 0, "lowered_test_data": 0, "lowered_examples": 0, "lowered_fuzzing_images": 0},
                "config_files": [],
                "findings": []
            })
        );
    }

    /// The batched writer writes what serialising the whole document at once writes, across
    /// pieces and batches, on a real run over workflows with several findings each.
    #[test]
    fn batches_write_what_one_serialisation_writes() {
        let dir = tempfile::tempdir().unwrap();
        let workflows = dir.path().join(".github/workflows");
        std::fs::create_dir_all(&workflows).unwrap();
        for name in ["a", "b", "c"] {
            std::fs::write(
                workflows.join(format!("{name}.yml")),
                "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    continue-on-error: true\n    \
                 steps:\n      - uses: actions/checkout@v4\n        continue-on-error: true\n      \
                 - run: echo \"caf\u{e9} \\\"quoted\\\"\"\n        continue-on-error: true\n",
            )
            .unwrap();
        }
        let overrides = plimsoll_check::config::Overrides {
            isolated: true,
            ..Default::default()
        };
        let settings =
            plimsoll_check::config::Settings::load(dir.path(), &|_| None, &overrides).unwrap();
        let report = plimsoll_check::check(&[dir.path().to_path_buf()], &settings).unwrap();
        assert!(report.findings.len() > 6, "{}", report.findings.len());

        let whole = Output {
            version: SCHEMA_VERSION,
            tool: Tool {
                name: TOOL_NAME,
                version: "1.2.3",
            },
            summary: SummaryOut::of(&report),
            config_files: config_files(&report),
            findings: Findings(&report),
        };
        let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
        for (batch, piece) in [(1, 1), (3, 2), (4, 7), (BATCH, PIECE)] {
            let mut text = Vec::new();
            write_in_batches(&report, "1.2.3", &mut text, batch, piece).unwrap();
            assert_eq!(
                String::from_utf8(text).unwrap(),
                expected,
                "{batch} {piece}"
            );
        }
    }

    #[test]
    fn the_schema_is_json() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(schema["properties"]["version"]["const"], SCHEMA_VERSION);
    }
}
