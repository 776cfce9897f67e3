//! The analysis as Markdown (the structure of the root-cause analysis document) or JSON.

use serde_json::json;

use crate::workflow::Plan;
use crate::Analysis;

/// One analysed log and, with a workflow, its plan.
pub struct Report<'a> {
    /// The analysis.
    pub analysis: &'a Analysis,
    /// The plan, when a workflow was given.
    pub plan: Option<&'a Plan>,
}

/// The reports as one JSON document.
pub fn json(reports: &[Report<'_>], reruns: Option<&str>) -> Result<String, serde_json::Error> {
    let logs: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let a = r.analysis;
            json!({
                "source": a.source,
                "format": a.format,
                "verdict": a.verdict,
                "failing_job": a.failing_job().map(|j| &j.name),
                "failing_step": a.failing_step(),
                "exact_line": a.best(),
                "runner_ups": a.candidates.get(1..).unwrap_or_default(),
                "classification": a.classification,
                "jobs": a.jobs,
                "lines": a.lines,
                "notes": a.notes,
                "plan": r.plan,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({
        "version": 1,
        "logs": logs,
        "reruns": reruns,
    }))?;
    text.push('\n');
    Ok(text)
}

/// The reports as Markdown.
pub fn markdown(reports: &[Report<'_>], reruns: Option<&str>) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&format!("{:?}\n", r.analysis.best()));
    }
    if let Some(reruns) = reruns {
        out.push_str(reruns);
    }
    out
}
