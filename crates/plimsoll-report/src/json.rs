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

use std::collections::VecDeque;

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
/// written in order while the next ones are formatted: a large report is never held in memory
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
/// How many batches are formatted ahead of the one being written.
const LOOKAHEAD: usize = 2;
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
                    write_element(&mut text, &finding_out(finding, report));
                }
                text
            })
            .collect::<Vec<Vec<u8>>>()
    };
    let format_batch = &format_batch;
    let mut batches = report.findings.chunks(batch.max(1));
    let mut first = true;
    rayon::in_place_scope(|scope| {
        // Batches are formatted ahead of the one written here: the pool always has one to work
        // on while this thread writes or wakes up (with one batch at a time, a thread of the
        // pool idled at each batch's end), and at most `LOOKAHEAD + 1` batches of text exist.
        let mut queued = VecDeque::with_capacity(LOOKAHEAD + 1);
        let mut queue_next = |queued: &mut VecDeque<_>| {
            if let Some(findings) = batches.next() {
                let (sender, receiver) = std::sync::mpsc::sync_channel(1);
                scope.spawn(move |_| {
                    // The receiver is gone only when writing failed: nothing to tell.
                    let _ = sender.send(format_batch(findings));
                });
                queued.push_back(receiver);
            }
        };
        for _ in 0..LOOKAHEAD {
            queue_next(&mut queued);
        }
        while let Some(receiver) = queued.pop_front() {
            queue_next(&mut queued);
            // No text only when formatting panicked: the scope raises that panic on return.
            let Ok(pieces) = receiver.recv() else {
                break;
            };
            write_pieces(out, &pieces, &mut first)?;
        }
        Ok::<(), ReportError>(())
    })?;
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

/// Write `finding` as an element of the top-level object's `findings` array: the text
/// `serde_json`'s pretty printer gives it there (two spaces a level, two levels deep), written
/// directly. Through serde, the formatter's call for each member and the escaping of strings a
/// byte at a time were most of the report's formatting.
fn write_element(out: &mut Vec<u8>, finding: &FindingOut<'_>) {
    out.extend_from_slice(b"    {\n      \"rule\": {\n        \"id\": ");
    write_string(out, finding.rule.id);
    out.extend_from_slice(b",\n        \"name\": ");
    write_string(out, finding.rule.name);
    out.extend_from_slice(b"\n      },\n      \"severity\": ");
    write_string(out, finding.severity);
    out.extend_from_slice(b",\n      \"path\": ");
    write_string(out, &finding.path);
    out.extend_from_slice(b",\n      \"start\": ");
    write_position(out, &finding.start, b"      ");
    out.extend_from_slice(b",\n      \"end\": ");
    write_position(out, &finding.end, b"      ");
    out.extend_from_slice(b",\n      \"message\": ");
    write_string(out, finding.message);
    out.extend_from_slice(b",\n      \"help\": ");
    write_string(out, finding.help);
    out.extend_from_slice(b",\n      \"fingerprint\": ");
    write_string(out, finding.fingerprint);
    if let Some(fix) = &finding.fix {
        out.extend_from_slice(b",\n      \"fix\": {\n        \"applicability\": ");
        write_string(out, fix.applicability);
        out.extend_from_slice(b",\n        \"message\": ");
        write_string(out, fix.message);
        out.extend_from_slice(b",\n        \"edits\": [");
        for (index, edit) in fix.edits.iter().enumerate() {
            out.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
            out.extend_from_slice(
                b"          {\n            \"span\": {\n              \"start\": ",
            );
            write_number(out, edit.span.start);
            out.extend_from_slice(b",\n              \"end\": ");
            write_number(out, edit.span.end);
            out.extend_from_slice(b"\n            },\n            \"start\": ");
            write_position(out, &edit.start, b"            ");
            out.extend_from_slice(b",\n            \"end\": ");
            write_position(out, &edit.end, b"            ");
            out.extend_from_slice(b",\n            \"replacement\": ");
            write_string(out, edit.replacement);
            out.extend_from_slice(b"\n          }");
        }
        // An empty array is written `[]`, on one line.
        if !fix.edits.is_empty() {
            out.extend_from_slice(b"\n        ");
        }
        out.extend_from_slice(b"]\n      }");
    }
    out.extend_from_slice(b"\n    }");
}

/// Write `position` as an object whose closing brace is indented by `indent`.
fn write_position(out: &mut Vec<u8>, position: &Position, indent: &[u8]) {
    out.extend_from_slice(b"{\n");
    out.extend_from_slice(indent);
    out.extend_from_slice(b"  \"line\": ");
    write_number(out, position.line);
    out.extend_from_slice(b",\n");
    out.extend_from_slice(indent);
    out.extend_from_slice(b"  \"column\": ");
    write_number(out, position.column);
    out.push(b'\n');
    out.extend_from_slice(indent);
    out.push(b'}');
}

/// Write `number` in decimal.
fn write_number(out: &mut Vec<u8>, number: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = number;
    loop {
        start -= 1;
        // A single decimal digit.
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Write `text` as a JSON string, escaped as `serde_json` escapes it: `"` and `\` with a
/// backslash, the control characters with a short escape (`\n`) or `\u00xx`, nothing else.
/// Eight bytes are checked at once: most strings need no escape at all.
fn write_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut written = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes
            .get(at..at + 8)
            .and_then(|word| <[u8; 8]>::try_from(word).ok())
        {
            if !any_needs_escape(u64::from_le_bytes(word)) {
                at += 8;
                continue;
            }
        }
        let byte = bytes[at];
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => {
                at += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[written..at]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        at += 1;
        written = at;
    }
    out.extend_from_slice(&bytes[written..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `word` is `"`, `\\` or a control character below a space.
fn any_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether a byte is below `n` (at most 128), for the eight at once: exact as a yes or no,
    // not as to which byte.
    let has_below = |word: u64, n: u64| word.wrapping_sub(ONES * n) & !word & HIGH != 0;
    has_below(word, 0x20)
        || has_below(word ^ (ONES * u64::from(b'"')), 1)
        || has_below(word ^ (ONES * u64::from(b'\\')), 1)
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

    /// Every character that needs an escape, and some that do not, at every offset of a
    /// string longer than the eight bytes checked at once.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        let mut texts = vec![
            String::new(),
            every_ascii.clone(),
            every_ascii.chars().rev().collect(),
            "café \u{2028} 日本語 `run: echo \"${{ x }}\"`".to_string(),
        ];
        for special in [
            '"', '\\', '\n', '\t', '\u{0}', '\u{8}', '\u{c}', '\u{1f}', '\u{7f}', 'é',
        ] {
            for at in 0..=17 {
                let mut text = "x".repeat(17);
                text.insert(at, special);
                texts.push(text);
            }
        }
        for text in &texts {
            let mut written = Vec::new();
            write_string(&mut written, text);
            assert_eq!(
                String::from_utf8(written).unwrap(),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_schema_is_json() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        assert_eq!(schema["properties"]["version"]["const"], SCHEMA_VERSION);
    }
}
