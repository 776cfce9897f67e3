//! The number of findings of each rule (`plimsoll check --statistics`), for triage: which rules
//! make most of a report, as `ruff check --statistics` shows.
//!
//! Text: one line per rule, the rule with most findings first: the count, right-aligned; the
//! rule id; the rule name; the severities of its findings.
//!
//! ```text
//! 41  GHA015  missing-timeout   warning
//!  7  DKR001  runs-as-root      5 error, 2 note
//! ```
//!
//! plimsoll fixes nothing itself, so there is no "fixable" column. A run with no finding writes
//! nothing (text) or `[]` (JSON).

use serde::Serialize;

use plimsoll_check::CheckReport;

use crate::summary::rule_counts;
use crate::ReportError;

/// Write the per-rule counts of `report` as aligned text.
///
/// # Errors
///
/// [`ReportError::Io`] if `out` fails.
pub fn write_text(report: &CheckReport, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    let counts = rule_counts(report);
    let count_width = counts.first().map_or(1, |c| c.count.to_string().len());
    let id_width = counts.iter().map(|c| c.rule.id.len()).max().unwrap_or(0);
    let name_width = counts.iter().map(|c| c.rule.name.len()).max().unwrap_or(0);
    for count in &counts {
        let severities = if count.by_severity.len() == 1 {
            count.by_severity[0].0.to_string()
        } else {
            count
                .by_severity
                .iter()
                .map(|(severity, n)| format!("{n} {severity}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "{:>count_width$}  {:<id_width$}  {:<name_width$}  {severities}",
            count.count, count.rule.id, count.rule.name
        )?;
    }
    Ok(())
}

/// Write the per-rule counts of `report` as a JSON array of `{"count", "code", "name",
/// "severities": {"error": n, …}}`, most findings first.
///
/// # Errors
///
/// [`ReportError`] if `out` fails.
pub fn write_json(report: &CheckReport, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    #[derive(Serialize)]
    struct Entry {
        count: usize,
        code: &'static str,
        name: &'static str,
        severities: std::collections::BTreeMap<&'static str, usize>,
    }
    let entries: Vec<Entry> = rule_counts(report)
        .into_iter()
        .map(|c| Entry {
            count: c.count,
            code: c.rule.id,
            name: c.rule.name,
            severities: c
                .by_severity
                .iter()
                .map(|(severity, n)| (severity.as_str(), *n))
                .collect(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &entries)?;
    writeln!(out)?;
    Ok(())
}

/// [`write_text`] into a `String`.
///
/// # Errors
///
/// [`ReportError`] if rendering fails.
pub fn render_text(report: &CheckReport) -> Result<String, ReportError> {
    crate::to_string(|out| write_text(report, out))
}
