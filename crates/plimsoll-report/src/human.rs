//! rustc-style diagnostics for people.
//!
//! Each finding is a header naming the severity, the rule id and name, and the message; an arrow
//! line with `path:line:column` (columns in characters); the source line the finding starts on,
//! with the finding's columns underlined; and the help:
//!
//! ```text
//! error[GHA001/continue-on-error]: job `test` sets `continue-on-error: true`: its failures will not fail the run
//!   --> .github/workflows/ci.yml:6:5
//!    |
//!  6 |     continue-on-error: true
//!    |     ^^^^^^^^^^^^^^^^^^^^^^^
//!    |
//!    = help: remove `continue-on-error` and fix the failure, or mark only experimental matrix entries
//! ```
//!
//! A span over several lines is underlined from its start to the end of its first line. The
//! underline is at least one caret wide (an empty span, such as the end of a file, gets one).
//! Tabs are expanded to the next multiple of four columns, and wide characters (CJK, most emoji)
//! count two columns, so the carets stay under the text in a terminal. Control characters and
//! bidirectional-override characters are shown as `�` rather than sent to the terminal.
//!
//! Credentials are never printed: in every snippet of a file, every credential the run found in
//! it ([`CheckReport::secrets`]: what the secret scanner matched and what sensitive rules
//! reported, whether or not that finding is shown) is shown as `*` after the token-kind marker
//! its redacted message shows too (`ghp_`, at most four characters), so no finding on the same
//! line reveals it: not when its own finding is suppressed, baselined or its rule off either.
//! The masked part is always eight `*`, whatever the credential's length, and the underline
//! follows the text as shown.
//!
//! A finding without a span (a file that could not be read) or whose source is not in the
//! report shows the arrow line only, then its help.
//!
//! After the findings comes a summary: `Found 3 findings (1 error, 1 warning, 1 note) in 2
//! files.` Then, when some findings were lowered to notes because their files are test data,
//! examples or documentation, or fuzzing build images, how many for each reason and why; and in a report of [`TRIAGE_THRESHOLD`] findings or more, the three rules
//! with most findings and how to turn one off. A clean run renders nothing, like other Unix
//! checkers: silence means success.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use std::collections::HashMap;
use std::path::Path;

use plimsoll_check::{CheckReport, Finding, RuleMeta, Severity};
use plimsoll_syntax::text::is_unsafe;
use plimsoll_syntax::{SourceFile, Span};
use unicode_width::UnicodeWidthChar;

use crate::paths::display_path;
use crate::{ReportError, Summary};

/// How tabs are expanded: to the next multiple of this many columns.
const TAB_STOP: usize = 4;

/// How many `*` stand for the masked part of a credential in a snippet, whatever its length.
const MASK_WIDTH: usize = 8;

/// Options of the human renderer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Colour the output with ANSI escape sequences: errors red, warnings yellow, notes cyan,
    /// headers bold, the gutter blue. The caller decides (a terminal on stdout, no `NO_COLOR`).
    pub color: bool,
}

/// Render every finding of `report` rustc-style, then the summary line.
///
/// The summary counts files from [`CheckReport::files_checked`] and the distinct paths of the
/// findings. The output ends with a newline; it is empty when there is no finding.
pub fn render(report: &CheckReport, options: &HumanOptions) -> String {
    if report.findings.is_empty() {
        return String::new();
    }
    human(report, options).to_string()
}

/// Write what [`render`] returns to `out`, a finding at a time.
///
/// # Errors
///
/// [`ReportError::Io`] if `out` fails.
pub fn write(
    report: &CheckReport,
    options: &HumanOptions,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    if !report.findings.is_empty() {
        write!(out, "{}", human(report, options))?;
    }
    Ok(())
}

fn human<'r>(report: &'r CheckReport, options: &HumanOptions) -> Human<'r> {
    Human {
        report,
        style: Style {
            color: options.color,
        },
    }
}

/// The summary line alone, without a trailing newline: `Found 3 findings (1 error, 1 warning, 1
/// note) in 2 files.` or `No findings (checked 12 files).`
pub fn summary_line(summary: &Summary) -> String {
    if summary.findings == 0 {
        return format!(
            "No findings (checked {}).",
            counted(summary.files_checked, "file", "files")
        );
    }
    let parts: Vec<String> = [
        (summary.errors, "error", "errors"),
        (summary.warnings, "warning", "warnings"),
        (summary.notes, "note", "notes"),
    ]
    .into_iter()
    .filter(|(count, _, _)| *count > 0)
    .map(|(count, one, many)| counted(count, one, many))
    .collect();
    format!(
        "Found {} ({}) in {}.",
        counted(summary.findings, "finding", "findings"),
        parts.join(", "),
        counted(summary.files_with_findings, "file", "files")
    )
}

fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

struct Human<'a> {
    report: &'a CheckReport,
    style: Style,
}

impl fmt::Display for Human<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masks = secret_masks(self.report);
        for finding in &self.report.findings {
            let path = finding.location.path.as_path();
            let source = self.report.sources.get(path).map(|s| &**s);
            let masks = masks.get(path).map_or(&[][..], Vec::as_slice);
            write_finding(f, finding, source, masks, self.style)?;
            f.write_char('\n')?;
        }
        let summary = Summary::of(self.report);
        writeln!(f, "{}", self.style.paint(BOLD, &summary_line(&summary)))?;
        for line in triage_lines(self.report, &summary) {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// From this many findings on, the summary names the rules with most findings: a report that
/// long is read by triage first.
pub const TRIAGE_THRESHOLD: usize = 10;

/// ... provided one rule repeats at least this often: when every rule fires once or twice,
/// naming three of them helps nobody.
const TRIAGE_REPEATS: usize = 3;

/// What follows the summary line: how many findings were lowered because they are in test
/// data and why, and, in a long report, the three rules with most findings and how to turn
/// one off.
pub fn triage_lines(report: &CheckReport, summary: &Summary) -> Vec<String> {
    let mut lines = Vec::new();
    let lowered = [
        (
            summary.lowered_test_data,
            "in test-data folders (`tests/`, `testdata/`, `fixtures/`, …)",
            "test data is neither shipped nor deployed (`test-data` in plimsoll.toml lists the \
             folders; `test-data = []` checks them as production)",
        ),
        (
            summary.lowered_examples,
            "in folders of examples, samples and documentation (`examples/`, `samples/`, \
             `docs/`, `_archived/`, …)",
            "they show how to use something and are not deployed as they are (`examples` in \
             plimsoll.toml lists the folders; `examples = []` checks them as production; a \
             folder named on the command line is checked as production)",
        ),
        (
            summary.lowered_fuzzing_images,
            "in fuzzing build images (`FROM gcr.io/oss-fuzz-base/…`)",
            "they build fuzz targets and are never shipped (`test-data = []` checks them as \
             production)",
        ),
    ];
    for (count, where_, why) in lowered {
        if count > 0 {
            lines.push(format!(
                "{} {where_} {} lowered to {}: {why}.",
                counted(count, "finding", "findings"),
                if count == 1 { "was" } else { "were" },
                if count == 1 { "a note" } else { "notes" },
            ));
        }
    }
    let counts = crate::summary::rule_counts(report);
    let repeats = counts.first().is_some_and(|c| c.count >= TRIAGE_REPEATS);
    if summary.findings >= TRIAGE_THRESHOLD && counts.len() > 1 && repeats {
        let top: Vec<String> = counts
            .iter()
            .take(3)
            .map(|c| format!("`{}` ({})", c.rule.name, c.count))
            .collect();
        let first = counts[0].rule.name;
        lines.push(format!(
            "Most findings: {}. To turn a rule off: `--disable {first}`, or `{first} = \"off\"` \
             under `[rules]` in plimsoll.toml; `--statistics` counts the findings of every rule.",
            top.join(", ")
        ));
    }
    lines
}

const BOLD: &str = "1";
const GUTTER: &str = "1;34";

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Note => "1;36",
    }
}

#[derive(Clone, Copy)]
struct Style {
    color: bool,
}

impl Style {
    /// `text` wrapped in the SGR sequence `code` when colour is on.
    fn paint<'t>(self, code: &str, text: &'t str) -> Cow<'t, str> {
        if self.color && !text.is_empty() {
            Cow::Owned(format!("\x1b[{code}m{text}\x1b[0m"))
        } else {
            Cow::Borrowed(text)
        }
    }
}

fn write_finding(
    f: &mut fmt::Formatter<'_>,
    finding: &Finding,
    source: Option<&SourceFile>,
    masks: &[Span],
    style: Style,
) -> fmt::Result {
    let location = &finding.location;
    let severity = style
        .paint(
            severity_style(finding.severity),
            &format!(
                "{}[{}/{}]",
                finding.severity, finding.rule.id, finding.rule.name
            ),
        )
        .into_owned();
    // One line: a line break quoted from the input (a job or file name) would start a line
    // of our own, and `::error::…` there is a workflow command in a GitHub Actions log.
    let message = one_line(&finding.message);
    writeln!(
        f,
        "{severity}{}",
        style.paint(BOLD, &format!(": {message}"))
    )?;

    let snippet = match (location.span, source) {
        (Some(span), Some(source)) => Some(Snippet::new(source, span.start, span.end, masks)),
        _ => None,
    };
    let line_number = snippet.as_ref().map_or(location.start.line, |s| s.line);
    let width = digits(line_number);
    let pad = " ".repeat(width + 1);
    let path = one_line(&display_path(&location.path)).into_owned();
    let at = if location.span.is_some() {
        format!("{path}:{}:{}", location.start.line, location.start.column)
    } else {
        path
    };
    writeln!(f, "{pad}{} {at}", style.paint(GUTTER, "-->"))?;

    let bar = style.paint(GUTTER, "|");
    if let Some(snippet) = &snippet {
        writeln!(f, "{pad} {bar}")?;
        let number = style.paint(GUTTER, &line_number.to_string()).into_owned();
        let number_pad = " ".repeat(width - digits(line_number));
        if snippet.text.is_empty() {
            writeln!(f, " {number_pad}{number} {bar}")?;
        } else {
            writeln!(f, " {number_pad}{number} {bar} {}", snippet.text)?;
        }
        let carets = "^".repeat(snippet.caret_len);
        writeln!(
            f,
            "{pad} {bar} {}{}",
            " ".repeat(snippet.caret_start),
            style.paint(severity_style(finding.severity), &carets)
        )?;
        writeln!(f, "{pad} {bar}")?;
    }
    if !finding.help.is_empty() {
        // Align continuation lines after `= help: `.
        let continuation = format!("\n{pad}{}", " ".repeat(" = help: ".len()));
        let help = clean(&commands_escaped(&finding.help)).replace('\n', &continuation);
        writeln!(
            f,
            "{pad} {} {}: {help}",
            style.paint(GUTTER, "="),
            style.paint(BOLD, "help")
        )?;
    }
    Ok(())
}

/// Number of decimal digits of `n`.
fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// The line a span starts on, ready to print, and the display columns to underline.
#[derive(Debug, PartialEq, Eq)]
struct Snippet {
    /// 1-based line number.
    line: usize,
    /// The line's text with tabs expanded and unprintable characters replaced.
    text: String,
    /// Display column (0-based) where the underline starts.
    caret_start: usize,
    /// Underline width, at least 1.
    caret_len: usize,
}

impl Snippet {
    /// The snippet of bytes `start..end` of `source` (clamped to the text), with each run of
    /// bytes in `masks` shown as [`MASK_WIDTH`] `*`.
    fn new(source: &SourceFile, start: usize, end: usize, masks: &[Span]) -> Snippet {
        let text = source.text();
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let lines = source.lines();
        let line = lines.line_of(start);
        let line_span = lines.line_span(text, line);
        let line_text = source.slice(line_span);
        let from = start.saturating_sub(line_span.start).min(line_text.len());
        let to = end.saturating_sub(line_span.start).min(line_text.len());
        // A window of the line around the span, `…` marking the cuts: a minified line of
        // megabytes must not be printed whole, once per finding.
        let (lo, hi) = window(line_text, from, to);

        let mut shown = String::with_capacity(hi - lo + 8);
        let mut column = 0;
        if lo > 0 {
            shown.push('…');
            column = 1;
        }
        let mut caret_start = None;
        let mut caret_end = None;
        let mut masking = false;
        for (index, c) in line_text[lo..hi].char_indices() {
            let index = index + lo;
            if caret_start.is_none() && index >= from {
                caret_start = Some(column);
            }
            if caret_end.is_none() && index >= to {
                caret_end = Some(column);
            }
            let at = line_span.start + index;
            let is_masked = masks.iter().any(|mask| mask.start <= at && at < mask.end);
            let width = match (is_masked, masking) {
                // A masked run shows as a fixed number of `*`, so it does not tell the
                // credential's length either.
                (true, true) => 0,
                (true, false) => {
                    shown.extend(std::iter::repeat_n('*', MASK_WIDTH));
                    MASK_WIDTH
                }
                (false, _) => push_display(&mut shown, c, column),
            };
            masking = is_masked;
            column += width;
        }
        if hi < line_text.len() {
            // The underline stops at the cut when the span goes on past it.
            if caret_end.is_none() && to > hi {
                caret_end = Some(column);
            }
            shown.push('…');
            column += 1;
        }
        let caret_start = caret_start.unwrap_or(column);
        let caret_end = caret_end.unwrap_or(column);
        Snippet {
            line: line + 1,
            text: shown.trim_end().to_string(),
            caret_start,
            caret_len: caret_end.saturating_sub(caret_start).max(1),
        }
    }
}

/// Characters of a long line shown before the span, and after it (or after the first
/// [`SNIPPET_SPAN`] characters of a long span).
const SNIPPET_CONTEXT: usize = 60;
/// Characters of a span shown before the window is cut.
const SNIPPET_SPAN: usize = 80;

/// The byte range of `line` to show for the span `from..to` (offsets in `line`): all of a short
/// line, else [`SNIPPET_CONTEXT`] characters around the span's first [`SNIPPET_SPAN`].
fn window(line: &str, from: usize, to: usize) -> (usize, usize) {
    let limit = 2 * SNIPPET_CONTEXT + SNIPPET_SPAN;
    if line.len() <= limit {
        return (0, line.len());
    }
    let lo = line[..from]
        .char_indices()
        .rev()
        .nth(SNIPPET_CONTEXT - 1)
        .map_or(0, |(at, _)| at);
    let span_end = line[from..]
        .char_indices()
        .nth(SNIPPET_SPAN)
        .map_or(line.len(), |(at, _)| from + at)
        .min(to.max(from));
    let hi = line[span_end..]
        .char_indices()
        .nth(SNIPPET_CONTEXT)
        .map_or(line.len(), |(at, _)| span_end + at);
    (lo, hi)
}

/// Whether a rule's findings point at a credential, whose text must not be printed. The
/// message of such a finding is redacted by its rule; the snippet is redacted here.
fn is_sensitive(rule: &RuleMeta) -> bool {
    rule.sensitive
}

/// For each file, the byte ranges to show as `*` in every snippet of that file: the report's
/// credentials and the spans of its sensitive findings, after the token-kind marker their
/// redacted form shows ([`plimsoll_check::secrets::shown_prefix_len`]).
fn secret_masks(report: &CheckReport) -> HashMap<&Path, Vec<Span>> {
    let mut masks: HashMap<&Path, Vec<Span>> = HashMap::new();
    let own = report
        .findings
        .iter()
        .filter(|f| is_sensitive(f.rule))
        .filter_map(|f| Some((f.location.path.as_path(), f.location.span?)));
    let recorded = report
        .secrets
        .iter()
        .flat_map(|(path, spans)| spans.iter().map(move |span| (path.as_path(), *span)));
    for (path, span) in own.chain(recorded) {
        let Some(source) = report.sources.get(path) else {
            continue;
        };
        let secret = source.slice(span);
        let keep = secret
            .char_indices()
            .nth(plimsoll_check::secrets::shown_prefix_len(secret))
            .map_or(secret.len(), |(index, _)| index);
        masks
            .entry(path)
            .or_default()
            .push(Span::new(span.start + keep, span.end));
    }
    masks
}

/// Append `c` as displayed at display `column`; return how many columns it takes.
fn push_display(out: &mut String, c: char, column: usize) -> usize {
    if c == '\t' {
        let n = TAB_STOP - column % TAB_STOP;
        out.extend(std::iter::repeat_n(' ', n));
        return n;
    }
    if is_unsafe(c) {
        out.push(char::REPLACEMENT_CHARACTER);
        return 1;
    }
    out.push(c);
    c.width().unwrap_or(0)
}

/// `text` on one line: unprintable characters replaced, line breaks written `\n`.
fn one_line(text: &str) -> Cow<'_, str> {
    if text.contains(['\n', '\r']) {
        let escaped = text.replace('\r', "\\r").replace('\n', "\\n");
        Cow::Owned(clean(&escaped).into_owned())
    } else {
        clean(text)
    }
}

/// `text` with each line break written `\n` where the next line would read as a GitHub
/// Actions workflow command (`::error::…`, or the older `##[…]`; the runner ignores the
/// indentation before them): a help text keeps its own line breaks, but one quoting input must
/// not write commands into a job's log.
fn commands_escaped(text: &str) -> Cow<'_, str> {
    let starts_command = |line: &str| {
        let line = line.trim_start();
        line.starts_with("::") || line.starts_with("##[")
    };
    if !text.contains(['\n', '\r']) || !text.split(['\n', '\r']).skip(1).any(starts_command) {
        return Cow::Borrowed(text);
    }
    let text = text.replace('\r', "\\r");
    let mut out = String::with_capacity(text.len() + 8);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push_str(if starts_command(line) { "\\n" } else { "\n" });
        }
        out.push_str(line);
    }
    Cow::Owned(out)
}

/// `text` with unprintable characters replaced, except newlines.
fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if c == '\t' {
                        ' '
                    } else if c != '\n' && is_unsafe(c) {
                        char::REPLACEMENT_CHARACTER
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// The largest char boundary of `text` at or below `offset`.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use plimsoll_check::engine::make_finding;
    use plimsoll_check::Domain;

    fn snippet(text: &str, needle: &str, len: usize) -> Snippet {
        let source = SourceFile::new("f.yml", text);
        let start = text.find(needle).unwrap();
        let span = Span::new(start, start + len);
        Snippet::new(&source, span.start, span.end, &[])
    }

    #[test]
    fn long_lines_show_a_window_around_the_span_with_aligned_carets() {
        let line = format!("{}TARGET{}\n", "a".repeat(100_000), "b".repeat(100_000));
        let s = snippet(&line, "TARGET", 6);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.text.chars().count() <= 2 * SNIPPET_CONTEXT + SNIPPET_SPAN + 2);
        let shown: String = s
            .text
            .chars()
            .skip(s.caret_start)
            .take(s.caret_len)
            .collect();
        assert_eq!(shown, "TARGET");
        // A span running past the cut is underlined up to it.
        let s = snippet(&line, "TARGET", 100_000);
        assert_eq!(s.caret_start + s.caret_len, s.text.chars().count() - 1);
        // The start of a line needs no leading cut.
        let s = snippet(&line, "aaa", 3);
        assert!(!s.text.starts_with('…') && s.text.ends_with('…'));
        assert_eq!((s.caret_start, s.caret_len), (0, 3));
    }

    #[test]
    fn tabs_expand_to_the_same_columns_in_text_and_underline() {
        let s = snippet("a:\n\tb:\tvalue\n", "value", 5);
        assert_eq!(s.text, "    b:  value");
        assert_eq!((s.line, s.caret_start, s.caret_len), (2, 8, 5));
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let s = snippet("- name: \"🚀 é\" # x\n", "# x", 3);
        assert_eq!(s.text, "- name: \"🚀 é\" # x");
        // `- name: "` is 9 columns, the rocket 2, ` é"` 3, then a space.
        assert_eq!((s.caret_start, s.caret_len), (15, 3));
    }

    #[test]
    fn spans_over_several_lines_stop_at_the_line_end_and_empty_ones_get_one_caret() {
        let s = snippet("key: |\n  one\n  two\n", "|", 14);
        assert_eq!((s.line, s.caret_start, s.caret_len), (1, 5, 1));
        let s = snippet("key: value\r\nnext: 1\n", "value", 12);
        assert_eq!((s.caret_start, s.caret_len), (5, 5));
        let text = "a: 1\n";
        let s = snippet(text, "\n", 0);
        assert_eq!((s.line, s.caret_start, s.caret_len), (1, 4, 1));
        let end = Snippet::new(&SourceFile::new("f", text), text.len(), text.len(), &[]);
        assert_eq!(
            (end.line, end.text.as_str(), end.caret_start, end.caret_len),
            (2, "", 0, 1)
        );
    }

    #[test]
    fn unprintable_characters_are_replaced() {
        let s = snippet("a: \"\u{1b}[31m\u{202e}x\"\n", "x", 1);
        assert_eq!(s.text, "a: \"\u{fffd}[31m\u{fffd}x\"");
        assert_eq!((s.caret_start, s.caret_len), (10, 1));
        assert_eq!(clean("a\u{7}b\nc\td"), "a\u{fffd}b\nc d");
    }

    #[test]
    fn summary_lines_count_and_pluralise() {
        let mut summary = Summary {
            files_checked: 12,
            ..Summary::default()
        };
        assert_eq!(summary_line(&summary), "No findings (checked 12 files).");
        summary.files_checked = 1;
        assert_eq!(summary_line(&summary), "No findings (checked 1 file).");
        summary = Summary {
            files_checked: 5,
            findings: 3,
            errors: 1,
            warnings: 1,
            notes: 1,
            files_with_findings: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&summary),
            "Found 3 findings (1 error, 1 warning, 1 note) in 2 files."
        );
        summary = Summary {
            files_checked: 5,
            findings: 1,
            errors: 0,
            warnings: 1,
            notes: 0,
            files_with_findings: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary_line(&summary),
            "Found 1 finding (1 warning) in 1 file."
        );
    }

    #[test]
    fn digits_fit_the_line_number() {
        assert_eq!(
            [digits(0), digits(9), digits(10), digits(999), digits(1000)],
            [1, 1, 2, 3, 4]
        );
    }

    static SECRET_RULE: RuleMeta = RuleMeta {
        id: "TST001",
        name: "hardcoded-secret",
        severity: Severity::Error,
        domain: Domain::GithubActions,
        summary: "A credential is written as a literal",
        help: "use a secret",
        strict_only: false,
        sensitive: true,
        doc: "",
        fix: plimsoll_check::FixAvailability::None,
    };

    static OTHER_RULE: RuleMeta = RuleMeta {
        id: "TST002",
        name: "curl-pipe-shell",
        severity: Severity::Warning,
        domain: Domain::GithubActions,
        summary: "A script is piped to a shell",
        help: "download, verify, then run",
        strict_only: false,
        sensitive: false,
        doc: "",
        fix: plimsoll_check::FixAvailability::None,
    };

    /// A GitHub token, assembled at run time so that this file holds none.
    fn token() -> String {
        format!("{}{}", "ghp_", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5")
    }

    #[test]
    fn secrets_are_masked_in_every_snippet_of_their_file() {
        let token = token();
        let text = format!("env:\n  TOKEN: {token} # and 🚀\nrun: curl -H \"{token}\" x | sh\n");
        let source = Arc::new(SourceFile::new("ci.yml", text.clone()));
        let secret = text.find("ghp_").unwrap();
        let curl = text.find("curl").unwrap();
        let findings = vec![
            make_finding(
                &SECRET_RULE,
                Severity::Error,
                Path::new("ci.yml"),
                Some(&source),
                Some(Span::new(secret, secret + 40)),
                "literal GitHub token: `ghp_…`".into(),
                None,
            ),
            make_finding(
                &OTHER_RULE,
                Severity::Warning,
                Path::new("ci.yml"),
                Some(&source),
                Some(Span::new(secret - 7, text.len() - 1)),
                "a script is piped to a shell".into(),
                None,
            ),
        ];
        let report = CheckReport {
            findings,
            files_checked: 1,
            sources: HashMap::from([(Path::new("ci.yml").to_path_buf(), source.clone())]),
            ..CheckReport::default()
        };
        let out = render(&report, &HumanOptions::default());
        assert!(!out.contains(&token[4..12]), "{out}");
        let masked = format!(" 2 |   TOKEN: ghp_{} # and 🚀\n", "*".repeat(MASK_WIDTH));
        assert_eq!(out.matches(&masked).count(), 2, "{out}");
        // Only the secret's own text is masked: the rest of a line stays readable.
        let masks = secret_masks(&report);
        let line3 = Snippet::new(&source, curl, curl + 4, &masks[Path::new("ci.yml")]);
        assert_eq!(line3.text, format!("run: curl -H \"{token}\" x | sh"));
    }

    /// A credential whose own finding is not in the report (suppressed, baselined, its rule
    /// off) is masked from the spans the run recorded.
    #[test]
    fn recorded_secrets_are_masked_without_their_finding() {
        let token = token();
        let text = format!("run: curl -H \"{token}\" x | sh\n");
        let source = Arc::new(SourceFile::new("ci.yml", text.clone()));
        let secret = text.find("ghp_").unwrap();
        let path = Path::new("ci.yml").to_path_buf();
        let report = CheckReport {
            findings: vec![make_finding(
                &OTHER_RULE,
                Severity::Warning,
                &path,
                Some(&source),
                Some(Span::new(0, text.len() - 1)),
                "a script is piped to a shell".into(),
                None,
            )],
            files_checked: 1,
            sources: HashMap::from([(path.clone(), source.clone())]),
            secrets: HashMap::from([(path, vec![Span::new(secret, secret + 40)])]),
            ..CheckReport::default()
        };
        let out = render(&report, &HumanOptions::default());
        assert!(!out.contains(&token[4..12]), "{out}");
        assert!(
            out.contains(&format!("ghp_{}\" x", "*".repeat(MASK_WIDTH))),
            "{out}"
        );
    }
}
