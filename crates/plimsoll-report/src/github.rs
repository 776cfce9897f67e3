//! GitHub Actions workflow commands that annotate a run (and its pull request).
//!
//! One line per finding:
//!
//! ```text
//! ::error file=.github/workflows/ci.yml,line=6,col=5,endLine=6,endColumn=28,title=continue-on-error::job `test` sets `continue-on-error: true`: its failures will not fail the run
//! ```
//!
//! The command is `error`, `warning` or `notice` (for a note). Columns count Unicode characters
//! and `endColumn` is exclusive. GitHub only keeps columns for an annotation on a single line,
//! so `col` and `endColumn` are written only when the finding starts and ends on the same line
//! (and `endColumn` only when the finding covers text); `endLine` is written for every finding
//! that points at text. A finding without a span (a file that cannot be read) is annotated at
//! `line=1`.
//!
//! Property values and the message are escaped as the GitHub Actions toolkit
//! (`@actions/core`) does: `%` → `%25`, CR → `%0D`, LF → `%0A` everywhere, and in property
//! values also `:` → `%3A` and `,` → `%2C`.
//!
//! GitHub shows a limited number of annotations per step and per job; a summary from the human
//! renderer is the place for the full list.

use plimsoll_check::{CheckReport, Finding, Severity};

use crate::paths::display_path;
use crate::ReportError;

/// Render one workflow command per finding of `report`, each ending with a newline. An empty
/// report renders as an empty string.
pub fn render(report: &CheckReport) -> String {
    // Writing to memory cannot fail.
    crate::to_string(|out| write(report, out)).unwrap_or_default()
}

/// Write what [`render`] returns to `out`, a finding at a time.
///
/// # Errors
///
/// [`ReportError::Io`] if `out` fails.
pub fn write(report: &CheckReport, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    for finding in &report.findings {
        out.write_all(annotation(finding).as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The workflow command (`error`, `warning` or `notice`) for a severity.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// The workflow command of one finding, without a trailing newline.
pub fn annotation(finding: &Finding) -> String {
    let location = &finding.location;
    let mut properties = vec![format!(
        "file={}",
        escape_property(&display_path(&location.path))
    )];
    if location.span.is_some() {
        let (start, end) = (location.start, location.end);
        properties.push(format!("line={}", start.line));
        if start.line == end.line {
            properties.push(format!("col={}", start.column));
        }
        properties.push(format!("endLine={}", end.line));
        if start.line == end.line && end.column > start.column {
            properties.push(format!("endColumn={}", end.column));
        }
    } else {
        properties.push("line=1".to_string());
    }
    properties.push(format!("title={}", escape_property(finding.rule.name)));
    format!(
        "::{} {}::{}",
        command(finding.severity),
        properties.join(","),
        escape_data(&finding.message)
    )
}

/// Escape a command's message as `@actions/core` does (`escapeData`), and the other control
/// characters as visible escapes.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            // Beyond the toolkit: ESC and the other controls would reach the job log raw.
            c if plimsoll_syntax::text::is_unsafe(c) && c != '\t' => {
                out.push_str(&plimsoll_syntax::text::escape_unsafe(&c.to_string(), false))
            }
            c => out.push(c),
        }
    }
    out
}

/// Escape a command's property value as `@actions/core` does (`escapeProperty`).
pub fn escape_property(text: &str) -> String {
    // `escape_data` adds only `%XX` sequences, so no `:` or `,` of its own is replaced here.
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(
            escape_data("100% done\r\nnext: a, b"),
            "100%25 done%0D%0Anext: a, b"
        );
        assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
        assert_eq!(escape_data("a\u{1b}[2J\u{9b}b"), "a\\u{1b}[2J\\u{9b}b");
    }

    #[test]
    fn severities_map_to_commands() {
        assert_eq!(
            [
                command(Severity::Error),
                command(Severity::Warning),
                command(Severity::Note)
            ],
            ["error", "warning", "notice"]
        );
    }
}
