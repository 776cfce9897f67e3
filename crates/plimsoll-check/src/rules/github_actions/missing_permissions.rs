use plimsoll_actions::Workflow;

use super::token_permissions::attach_permissions_fix;
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
    /// ## Fix
    /// Unsafe: gives the job a `permissions:` block with the least scopes it needs, computed from
    /// the actions it uses (`data/action-permissions.toml`: the scopes each popular action
    /// documents, with the source) and the `gh` and `git push` commands of its scripts, or
    /// `permissions: {}` when it needs none. Local composite actions (`uses: ./…`) are followed
    /// into their steps, and a job calling a local reusable workflow gets what that workflow's
    /// jobs need. A job that uses an action the data does not cover, passes the token to another
    /// program, runs `gh api`, or calls a workflow of another repository gets no fix (the
    /// finding's help says why). Unsafe because a step may need a scope the data does not
    /// list: run the workflow once after fixing.
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
        fix: Unsafe,
    }
}

impl Rule for MissingPermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        if workflow.permissions().is_some() {
            return;
        }
        for job in workflow.jobs() {
            if job.entry("permissions").is_none() {
                let diagnostic = out.report(
                    &Self::META,
                    job.key.span,
                    format!("job `{}` runs with the default token permissions: neither the workflow nor the job sets `permissions:`", job.id),
                );
                attach_permissions_fix(cx, workflow, Some(&job), diagnostic);
            }
        }
    }
}
