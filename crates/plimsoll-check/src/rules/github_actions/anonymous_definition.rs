use plimsoll_actions::Workflow;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags a workflow without a top-level `name:`, and a job without `name:`.
    ///
    /// ## Why is this bad?
    /// GitHub then shows the file path for the workflow and the job id for the job: in the
    /// Actions tab, in pull request checks, and in the names required status checks are
    /// configured by. A rename of the file or the id silently breaks a branch protection rule
    /// that requires the old name; an explicit name keeps both readable and stable.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// name: CI
    /// on: pull_request
    /// jobs:
    ///   test:
    ///     name: Unit tests
    ///     runs-on: ubuntu-24.04
    /// ```
    pub struct AnonymousDefinition {
        id: "GHA062",
        name: "anonymous-definition",
        severity: Note,
        domain: GithubActions,
        summary: "A workflow or job without `name:` (strict)",
        help: "give the workflow and each job a `name:`",
        strict_only: true,
    }
}

impl Rule for AnonymousDefinition {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        if workflow.root.get("name").is_none() {
            if let Some(on) = workflow.on() {
                out.report(
                    &Self::META,
                    on.key.span,
                    "the workflow has no `name:`: GitHub shows its file path instead",
                );
            }
        }
        for job in workflow.jobs() {
            if job.node.get("name").is_none() && job.node.as_mapping().is_some() {
                out.report(
                    &Self::META,
                    job.key.span,
                    format!(
                        "job `{}` has no `name:`: GitHub shows its id instead",
                        job.id
                    ),
                );
            }
        }
    }
}
