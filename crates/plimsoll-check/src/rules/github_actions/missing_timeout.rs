use plimsoll_actions::Workflow;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a job that runs steps without `timeout-minutes`.
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
        summary: "A job has no `timeout-minutes`",
        help: "add `timeout-minutes:` a little above the job's usual duration",
    }
}

impl Rule for MissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            if job.uses().is_some() || job.entry("timeout-minutes").is_some() {
                continue;
            }
            out.report(
                &Self::META,
                job.key.span,
                format!(
                    "job `{}` has no `timeout-minutes`: it may run for up to 6 hours",
                    job.id
                ),
            );
        }
    }
}
