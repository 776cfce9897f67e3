use plimsoll_actions::Workflow;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{insert_before_entry, Fix};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a workflow triggered by pull requests that has no `concurrency` group, so a new
    /// push does not cancel the superseded run.
    ///
    /// ## Why is this bad?
    /// Every push to a pull request queues a full run; the stale ones keep runners busy and
    /// delay the result that matters.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request
    /// jobs: …
    /// ```
    ///
    /// ## Fix
    /// Unsafe: adds, before `jobs:`, a `concurrency:` group of the workflow and the pull
    /// request (the ref for other events) that cancels runs in progress on pull requests only.
    /// Runs of one group then no longer overlap: a push to a branch waits for the run before
    /// it, and of several waiting only the newest runs.
    ///
    /// ## Use instead
    /// ```yaml
    /// on: pull_request
    /// concurrency:
    ///   group: ${{ github.workflow }}-${{ github.ref }}
    ///   cancel-in-progress: true
    /// ```
    pub struct MissingConcurrency {
        id: "GHA017",
        name: "missing-concurrency",
        severity: Note,
        domain: GithubActions,
        summary: "A pull-request workflow does not cancel superseded runs",
        help: "add a `concurrency:` group keyed on the ref with `cancel-in-progress: true`",
        fix: Unsafe,
    }
}

impl Rule for MissingConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let Some(trigger) = workflow
            .triggers()
            .into_iter()
            .find(|t| t.event == "pull_request")
        else {
            return;
        };
        if workflow.concurrency().is_some() {
            return;
        }
        let jobs = workflow.jobs();
        if !jobs.is_empty() && jobs.iter().all(|job| job.entry("concurrency").is_some()) {
            return;
        }
        let diagnostic = out.report(
            &Self::META,
            trigger.span,
            "runs on `pull_request` without a `concurrency` group: superseded runs are not cancelled",
        );
        let lines = [
            "concurrency:",
            "  group: ${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}",
            "  cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
        ]
        .map(String::from);
        if let Some(edit) = cx
            .document
            .root
            .entry("jobs")
            .and_then(|jobs| insert_before_entry(cx.text(), &jobs.key, &lines))
        {
            diagnostic.fix(Fix::unsafe_edits(
                "add a `concurrency:` group that cancels superseded pull-request runs",
                vec![edit],
            ));
        }
    }
}
