//! Rendering a [`GuardReport`]: a human before/after table, JSON, SARIF 2.1.0, and GitHub
//! Actions annotations on the lines of the new version.

use std::fmt::Write as _;

use plimsoll_report::github::{escape_data, escape_property};
use plimsoll_syntax::text::escape_unsafe;
use serde_json::json;

use crate::compare::{Change, GuardReport, Severity};
use crate::location::Location;

/// Version of the JSON document's layout.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// The human report: a table per severity (what was lost, where it was, where it is now), and
/// always a summary line, so that "saw nothing" never looks like "lost nothing".
pub fn human(report: &GuardReport) -> String {
    let mut out = String::new();
    for note in &report.notes {
        let _ = writeln!(out, "note: {}", escape_unsafe(note, false));
    }
    let checked = format!(
        "checked {} {}, {} {}",
        report.checked.workflows,
        plural(report.checked.workflows, "workflow", "workflows"),
        report.checked.jobs,
        plural(report.checked.jobs, "job", "jobs"),
    );
    // The labels are revisions and paths given by the user.
    let versions =
        escape_unsafe(&format!("{} → {}", report.before, report.after), false).into_owned();
    if report.changes.is_empty() {
        let _ = writeln!(out, "{checked}: nothing lost ({versions})");
        return out;
    }
    let sections = [
        (Severity::Reduction, "coverage lost"),
        (Severity::Review, "to review"),
        (Severity::Accepted, "accepted reductions"),
    ];
    for (severity, title) in sections {
        let changes: Vec<&Change> = report.of(severity).collect();
        if changes.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{title} ({}):", changes.len());
        let rows: Vec<[String; 4]> = changes
            .iter()
            .map(|c| {
                let mut what = c.message.clone();
                if let Some(accepted) = &c.accepted {
                    let _ = write!(
                        what,
                        " — accepted at {}: {}",
                        accepted.location.short(),
                        accepted.reason
                    );
                }
                // Paths, job ids and commands come from the compared files.
                [
                    c.kind.as_str().to_string(),
                    c.before.as_ref().map_or("-".into(), Location::short),
                    c.after.as_ref().map_or("-".into(), Location::short),
                    what,
                ]
                .map(|cell| escape_unsafe(&cell, false).into_owned())
            })
            .collect();
        let header = ["kind", "before", "after", "what"];
        let mut widths = header.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row.iter()).take(3) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 4]| {
            format!(
                "  {:<w0$}  {:<w1$}  {:<w2$}  {}\n",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
        };
        out.push_str(&line(header));
        for row in &rows {
            out.push_str(&line([&row[0], &row[1], &row[2], &row[3]]));
        }
    }
    let reductions = report.of(Severity::Reduction).count();
    let _ = writeln!(
        out,
        "\n{checked}: {reductions} {}, {} to review, {} accepted ({versions})",
        plural(reductions, "reduction", "reductions"),
        report.of(Severity::Review).count(),
        report.of(Severity::Accepted).count(),
    );
    out
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 {
        one
    } else {
        many
    }
}

/// The JSON document: `{version, tool, before, after, summary, changes, notes}`.
pub fn json(report: &GuardReport, tool_version: &str) -> Result<String, serde_json::Error> {
    let document = json!({
        "version": JSON_SCHEMA_VERSION,
        "tool": {"name": plimsoll_report::TOOL_NAME, "version": tool_version},
        "before": report.before,
        "after": report.after,
        "summary": {
            "reductions": report.of(Severity::Reduction).count(),
            "reviews": report.of(Severity::Review).count(),
            "accepted": report.of(Severity::Accepted).count(),
            "files_before": report.files.0,
            "files_after": report.files.1,
            "workflows": report.checked.workflows,
            "jobs": report.checked.jobs,
        },
        "changes": report.changes,
        "notes": report.notes,
    });
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}

fn sarif_region(location: &Location) -> serde_json::Value {
    json!({
        "startLine": location.line,
        "startColumn": location.column_utf16,
        "endLine": location.end_line,
        "endColumn": location.end_column_utf16.max(location.column_utf16),
    })
}

/// A SARIF 2.1.0 log: one result per change at its place in the new version (or, for a
/// file that is gone, in the old one); accepted reductions carry an in-source suppression.
pub fn sarif(report: &GuardReport, tool_version: &str) -> Result<String, serde_json::Error> {
    let mut kinds: Vec<&Change> = report.changes.iter().collect();
    kinds.sort_by_key(|c| c.kind);
    kinds.dedup_by_key(|c| c.kind);
    let rules: Vec<serde_json::Value> = kinds
        .iter()
        .map(|c| {
            json!({
                "id": format!("guard/{}", c.kind.as_str()),
                "name": c.kind.as_str(),
                "shortDescription": {"text": format!("coverage guard: {}", c.kind.as_str().replace('-', " "))},
                "defaultConfiguration": {"level": if c.kind.is_reduction() { "error" } else { "warning" }},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = report
        .changes
        .iter()
        .map(|change| {
            let level = match change.severity {
                Severity::Reduction => "error",
                Severity::Review => "warning",
                Severity::Accepted => "note",
            };
            let mut result = json!({
                "ruleId": format!("guard/{}", change.kind.as_str()),
                "level": level,
                "message": {"text": change.message},
            });
            if let Some(location) = change.after.as_ref().or(change.before.as_ref()) {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": location.path},
                        "region": sarif_region(location),
                    }
                }]);
            }
            if let Some(before) = &change.before {
                result["relatedLocations"] = json!([{
                    "id": 0,
                    "message": {"text": "the old version"},
                    "physicalLocation": {
                        "artifactLocation": {"uri": before.path},
                        "region": sarif_region(before),
                    }
                }]);
            }
            if let Some(accepted) = &change.accepted {
                result["suppressions"] = json!([{
                    "kind": "inSource",
                    "justification": accepted.reason,
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": plimsoll_report::TOOL_NAME,
                "version": tool_version,
                "informationUri": "https://github.com/plimsoll-dev/plimsoll",
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

/// GitHub workflow commands, one per change, on the lines of the new version (a change with no
/// place in the new version, such as a removed workflow file, is annotated without a file).
pub fn github(report: &GuardReport) -> String {
    let mut out = String::new();
    for change in &report.changes {
        let command = match change.severity {
            Severity::Reduction => "error",
            Severity::Review => "warning",
            Severity::Accepted => "notice",
        };
        let mut properties = Vec::new();
        if let Some(at) = &change.after {
            properties.push(format!("file={}", escape_property(&at.path)));
            properties.push(format!("line={}", at.line));
            if at.line == at.end_line {
                properties.push(format!("col={}", at.column));
                if at.end_column > at.column {
                    properties.push(format!("endColumn={}", at.end_column));
                }
            }
            properties.push(format!("endLine={}", at.end_line));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("coverage guard: {}", change.kind.as_str()))
        ));
        let mut message = change.message.clone();
        if let Some(before) = &change.before {
            let _ = write!(message, " (was at {})", before.short());
        }
        if let Some(accepted) = &change.accepted {
            let _ = write!(message, "; accepted: {}", accepted.reason);
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    out
}
