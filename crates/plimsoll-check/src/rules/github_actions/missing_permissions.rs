use plimsoll_actions::Workflow;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a job that runs with the default `GITHUB_TOKEN` permissions because neither the
    /// workflow nor the job sets `permissions:`.
    ///
    /// ## Why is this bad?
    /// Depending on repository settings the default token can write to contents, packages,
    /// issues and more. Any step (or compromised action) in the job inherits that power.
    ///
    /// ## Example
    /// ```yaml
    /// on: push
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// on: push
    /// permissions:
    ///   contents: read
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    /// ```
    pub struct MissingPermissions {
        id: "GHA010",
        name: "missing-permissions",
        severity: Warning,
        domain: GithubActions,
        summary: "No `permissions:` at workflow or job level",
        help: "add `permissions: { contents: read }` at the top and grant more per job only where needed",
    }
}

impl Rule for MissingPermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        if workflow.permissions().is_some() {
            return;
        }
        for job in workflow.jobs() {
            if job.entry("permissions").is_none() {
                out.report(
                    &Self::META,
                    job.key.span,
                    format!("job `{}` runs with the default token permissions: neither the workflow nor the job sets `permissions:`", job.id),
                );
            }
        }
    }
}
