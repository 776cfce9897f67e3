//! The analysis as Markdown (the structure of the root-cause analysis document) or JSON.
//!
//! The log's lines are redacted as they are read; what the report adds from elsewhere (the
//! workflow's steps, patch and context) may hold a credential too, so the whole document is
//! searched once more here, every string of the JSON and the Markdown as one text (which finds
//! a private key quoted over several lines).

use std::borrow::Cow;

use plimsoll_secrets::log::redact_text;
use plimsoll_syntax::text::escape_unsafe;
use serde_json::json;

use crate::workflow::Plan;
use crate::{Analysis, Candidate, Class, Verdict};

/// One analysed log and, with a workflow, its plan.
pub struct Report<'a> {
    /// The analysis.
    pub analysis: &'a Analysis,
    /// The plan, when a workflow was given.
    pub plan: Option<&'a Plan>,
}

/// The reports as one JSON document (version 1).
pub fn json(reports: &[Report<'_>], reruns: Option<&str>) -> Result<String, serde_json::Error> {
    let logs: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let a = r.analysis;
            json!({
                "source": a.source,
                "format": a.format,
                "verdict": a.verdict,
                "failing_job": a.failing_job().map(|j| &j.name).filter(|name| !name.is_empty()),
                "failing_step": a.failing_step(),
                "exact_line": a.best(),
                "runner_ups": a.candidates.get(1..).unwrap_or_default(),
                "classification": a.classification,
                "root_cause": root_cause(a),
                "jobs": a.jobs,
                "lines": a.lines,
                "notes": a.notes,
                "plan": r.plan,
                "verification": verification(a.classification.class),
            })
        })
        .collect();
    let mut document = json!({
        "version": 1,
        "logs": logs,
        "reruns": reruns,
    });
    redact_strings(&mut document);
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}

/// Mask the credentials in every string of `value`.
fn redact_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let std::borrow::Cow::Owned(redacted) = redact_text(text) {
                *text = redacted;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_strings),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(redact_strings),
        _ => {}
    }
}

fn root_cause(a: &Analysis) -> String {
    let Some(best) = a.best() else {
        return match a.verdict {
            Verdict::Succeeded => "the run passed".into(),
            _ => "no line of the log explains a failure".into(),
        };
    };
    let step = a
        .failing_step()
        .map(|s| format!(" in step `{}`", one_line(&s.name)))
        .unwrap_or_default();
    format!(
        "{}{step}: line {} reads `{}`",
        match a.classification.class {
            Class::MissingDependency => "something the job needs is not installed",
            Class::ToolVersion => "the tool or toolchain version does not fit the project",
            Class::CacheCorruption => "a restored cache holds stale or broken artefacts",
            Class::Permission => "the token or account lacks a permission",
            Class::MatrixToolchain => "the matrix target's toolchain is not installed",
            Class::Flaky => "a timing or network failure",
            Class::CodeBug => "the code fails its build or tests",
            Class::Unknown => "the log does not say why",
        },
        best.line.line,
        one_line(best.line.text.trim())
    )
}

fn verification(class: Class) -> Vec<&'static str> {
    let mut steps = vec![
        "Run the workflow on a branch with the change",
        "Verify every matrix target passes",
    ];
    match class {
        Class::CacheCorruption => {
            steps.push("Check the cache is saved under the new key and restored on the next run")
        }
        Class::Flaky => steps.push("Re-run the job a few times; it should pass consistently"),
        Class::CodeBug => steps
            .push("Reproduce the failure locally with the failing command, fix the code, and push"),
        _ => steps.push("Check the step that failed now passes"),
    }
    steps.push("Confirm no coverage reduction (`plimsoll guard` between the two versions)");
    steps
}

fn quote_line(out: &mut String, c: &Candidate) {
    for l in &c.before {
        out.push_str(&format!("{:>7} | {}\n", l.line, one_line(&l.text)));
    }
    out.push_str(&format!(
        "{:>7} > {}\n",
        c.line.line,
        one_line(&c.line.text)
    ));
    for l in &c.after {
        out.push_str(&format!("{:>7} | {}\n", l.line, one_line(&l.text)));
    }
}

/// Text from the input (a log line, a job, step or file name) on one line of the report: a
/// line break in a zip entry name must not start a line of its own (`::error::…` in a report
/// that a workflow prints), nor ESC reach a terminal.
fn one_line(text: &str) -> Cow<'_, str> {
    escape_unsafe(text, false)
}

/// The reports as Markdown, in the structure of the root-cause analysis document. Text from
/// the input is escaped (`one_line`; the workflow's own lines keep their line breaks).
pub fn markdown(reports: &[Report<'_>], reruns: Option<&str>) -> String {
    let out = markdown_unescaped(reports, reruns);
    // Whatever else came from the input (the workflow patch, the plan's notes): no controls.
    escape_unsafe(&out, true).into_owned()
}

fn markdown_unescaped(reports: &[Report<'_>], reruns: Option<&str>) -> String {
    let mut out = String::new();
    for r in reports {
        let a = r.analysis;
        out.push_str(&format!(
            "## Root Cause Analysis: `{}`\n\n",
            one_line(&a.source.to_string())
        ));
        for note in &a.notes {
            out.push_str(&format!("> note: {}\n", one_line(note)));
        }
        if !a.notes.is_empty() {
            out.push('\n');
        }
        if a.verdict == Verdict::Succeeded {
            out.push_str("The run passed: there is no failure to explain.\n\n");
            continue;
        }
        if a.verdict == Verdict::NoFailureFound {
            out.push_str("No failure marker and no error line in the log: nothing to explain.\n\n");
            continue;
        }
        let job = a
            .failing_job()
            .map(|j| j.name.as_str())
            .filter(|name| !name.is_empty())
            .unwrap_or("(the log does not name it)");
        out.push_str(&format!("**Failing Job**: {}\n", one_line(job)));
        match a.failing_step() {
            Some(s) => out.push_str(&format!(
                "**Failing Step**: {} (lines {}–{} of {})\n",
                one_line(&s.name),
                s.first_line,
                s.last_line,
                one_line(&s.file.to_string())
            )),
            None => out.push_str("**Failing Step**: (no step marker in the log)\n"),
        }
        match a.best() {
            Some(best) => {
                out.push_str(&format!(
                    "**Exact Log Line**: line {}: `{}`\n\n```text\n",
                    best.line.line,
                    one_line(best.line.text.trim())
                ));
                quote_line(&mut out, best);
                out.push_str("```\n\n");
            }
            None => out.push_str("**Exact Log Line**: none found\n\n"),
        }
        let c = &a.classification;
        out.push_str(&format!(
            "**Classification**: {} (confidence {:.2})\n",
            c.class, c.confidence
        ));
        if !c.candidates.is_empty() {
            let classes: Vec<&str> = c.candidates.iter().map(|class| class.label()).collect();
            out.push_str(&format!(
                "- the log does not decide; most likely first: {}\n",
                classes.join(", ")
            ));
        }
        for e in &c.evidence {
            out.push_str(&format!(
                "- evidence: `{}` on line {}\n",
                e.signature, e.line
            ));
        }
        out.push_str(&format!("\n**Root Cause**: {}\n\n", root_cause(a)));
        if a.candidates.len() > 1 {
            out.push_str("Runner-up lines:\n");
            for c in &a.candidates[1..] {
                out.push_str(&format!(
                    "- line {}: `{}`\n",
                    c.line.line,
                    one_line(c.line.text.trim())
                ));
            }
            out.push('\n');
        }
        out.push_str("## Proposed Changes\n\n");
        match r.plan {
            None => out.push_str(
                "Pass `--workflow FILE` or `--repo DIR` to map the step and get a patch.\n\n",
            ),
            Some(plan) => render_plan(&mut out, plan),
        }
        out.push_str("## Verification Steps\n\n");
        for step in verification(c.class) {
            out.push_str(&format!("1. [ ] {step}\n"));
        }
        out.push('\n');
    }
    if let Some(reruns) = reruns {
        out.push_str(&format!("## Reruns\n\n{reruns}\n"));
    }
    redact_text(&out).into_owned()
}

fn render_plan(out: &mut String, plan: &Plan) {
    if let Some(error) = &plan.error {
        out.push_str(&format!(
            "{}: {}\n\n",
            one_line(&plan.workflow),
            one_line(error)
        ));
    }
    if let Some(m) = &plan.mapped {
        out.push_str(&format!(
            "Workflow step: job `{}` (found by {}), {}{}\n\n",
            one_line(&m.job),
            m.job_matched_by,
            match (&m.label, m.line, m.matched_by) {
                (Some(label), Some(line), Some(how)) =>
                    format!("step `{}` (line {line}, matched by {how})", one_line(label)),
                _ => "step not found in the workflow".into(),
            },
            m.matrix_entry
                .as_ref()
                .map(|e| format!(", matrix entry {}", one_line(e)))
                .unwrap_or_default()
        ));
    }
    for (i, change) in plan.changes.iter().enumerate() {
        out.push_str(&format!(
            "{}. {} — {}\n",
            i + 1,
            change.summary,
            change.rationale
        ));
    }
    if let Some(location) = &plan.code_location {
        out.push_str(&format!(
            "\nWhere to look: `{}`\n",
            one_line(location.trim())
        ));
    }
    if !plan.preserved.is_empty() {
        out.push_str("\n**What is NOT changed**:\n");
        for p in &plan.preserved {
            out.push_str(&format!("- {}\n", one_line(p)));
        }
    }
    out.push('\n');
    if let (Some(before), Some(after), Some(diff)) = (&plan.before, &plan.after, &plan.diff) {
        out.push_str(&format!(
            "## YAML Patch\n\n```yaml\n# Before\n{before}\n\n# After\n{after}\n```\n\n```diff\n{diff}```\n\n"
        ));
    }
}
