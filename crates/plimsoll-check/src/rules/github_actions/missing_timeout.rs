use plimsoll_actions::{Job, Uses, Workflow};

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::fix::{append_to_mapping, insert_before_entry, Edit, Fix};
use crate::rule::{Context, Rule};
use crate::suppression;

declare_rule! {
    /// ## What it does
    /// Flags the jobs of a workflow that run steps without `timeout-minutes`: one finding per
    /// workflow, on the first such job, listing them all. A job that calls a reusable workflow
    /// of another repository cannot set `timeout-minutes` (its limits are those of the called
    /// workflow's jobs): those calls are listed in one note, to check on the other side. A call
    /// of a workflow of the same repository is not reported: that file is checked itself.
    ///
    /// ## Why is this bad?
    /// The default limit is 6 hours. A hung test or a stuck network call holds a runner (and
    /// the pull request) for all of it, and burns paid minutes.
    ///
    /// ## Example
    /// ```yaml
    /// test:
    ///   runs-on: ubuntu-24.04
    ///   steps: …
    /// ```
    ///
    /// ## Fix
    /// Unsafe: adds `timeout-minutes: 30` to each job listed, before its `steps:`. Thirty
    /// minutes is a default, not the job's usual duration: a longer job would be cancelled, so
    /// review the value.
    ///
    /// ## Use instead
    /// ```yaml
    /// test:
    ///   runs-on: ubuntu-24.04
    ///   timeout-minutes: 30
    ///   steps: …
    /// ```
    pub struct MissingTimeout {
        id: "GHA015",
        name: "missing-timeout",
        severity: Warning,
        domain: GithubActions,
        summary: "Jobs of a workflow have no `timeout-minutes`",
        help: "add `timeout-minutes:` to each job listed, a little above its usual duration",
        fix: Unsafe,
    }
}

/// How a job's time limit is decided.
enum Limit {
    /// `timeout-minutes` is set, or the job calls a workflow of this repository (checked in
    /// its own file).
    Bounded,
    /// The job runs steps with the 6-hour default.
    Unbounded,
    /// The job calls a reusable workflow of another repository: its jobs decide.
    Inherited,
}

fn limit_of(job: &Job<'_>) -> Limit {
    if job.entry("timeout-minutes").is_some() {
        return Limit::Bounded;
    }
    match job
        .uses()
        .and_then(|uses| uses.value.as_str())
        .map(Uses::parse)
    {
        None => Limit::Unbounded,
        Some(Uses::Repository { .. }) => Limit::Inherited,
        Some(_) => Limit::Bounded,
    }
}

/// The time limit the fix sets: long enough for most builds, far below the 6 hours of the
/// default.
const DEFAULT_TIMEOUT_MINUTES: u32 = 30;

/// The edit that sets `job`'s `timeout-minutes`: before its `steps:`, or as its last key.
fn timeout_edit(text: &str, job: &Job<'_>) -> Option<Edit> {
    let line = vec![format!("timeout-minutes: {DEFAULT_TIMEOUT_MINUTES}")];
    match job.entry("steps") {
        Some(steps) => insert_before_entry(text, steps.key, &line),
        None => append_to_mapping(text, job.node, &line),
    }
}

/// "`a`, `b` and `c`".
fn list_of_ids(jobs: &[Job<'_>]) -> String {
    let ids: Vec<String> = jobs.iter().map(|job| format!("`{}`", job.id)).collect();
    match ids.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => ids.concat(),
    }
}

impl Rule for MissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let mut unbounded = Vec::new();
        let mut inherited = Vec::new();
        for job in workflow.jobs() {
            match limit_of(&job) {
                Limit::Bounded => {}
                Limit::Unbounded => unbounded.push(job),
                Limit::Inherited => inherited.push(job),
            }
        }
        // A job whose key carries `# plimsoll: ignore[missing-timeout]` is left out of the list;
        // its own finding, which that comment silences, keeps the suppression from being
        // reported as unused.
        let mut suppressions = suppression::parse(cx.source);
        unbounded.retain(|job| {
            let line = cx.source.lines().line_of(job.key.span.start);
            let exempt =
                suppression::suppress(&mut suppressions, Self::META.name, Self::META.id, line);
            if exempt {
                out.report(
                    &Self::META,
                    job.key.span,
                    format!("job `{}` has no `timeout-minutes`", job.id),
                );
            }
            !exempt
        });
        if let [first, ..] = unbounded.as_slice() {
            let message = if unbounded.len() == 1 {
                format!(
                    "job `{}` has no `timeout-minutes`: it may run for up to 6 hours",
                    first.id
                )
            } else {
                format!(
                    "{} jobs have no `timeout-minutes`: {}; each may run for up to 6 hours",
                    unbounded.len(),
                    list_of_ids(&unbounded)
                )
            };
            let diagnostic = out.report(&Self::META, first.key.span, message);
            let edits: Option<Vec<Edit>> = unbounded
                .iter()
                .map(|job| timeout_edit(cx.text(), job))
                .collect();
            if let Some(edits) = edits {
                diagnostic.fix(Fix::unsafe_edits(
                    format!("add `timeout-minutes: {DEFAULT_TIMEOUT_MINUTES}`"),
                    edits,
                ));
            }
        }
        if let [first, ..] = inherited.as_slice() {
            let (subject, verb) = if inherited.len() == 1 {
                ("job", "calls a reusable workflow")
            } else {
                ("jobs", "call reusable workflows")
            };
            out.report(
                &Self::META,
                first.key.span,
                format!(
                    "{subject} {} {verb} of another repository: the time limits are those its jobs set (`timeout-minutes` cannot be set on a calling job)",
                    list_of_ids(&inherited)
                ),
            )
            .severity(Severity::Note)
            .help("check that the called workflow's jobs set `timeout-minutes`");
        }
    }
}
