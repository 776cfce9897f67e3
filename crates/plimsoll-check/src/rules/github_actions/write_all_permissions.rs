use plimsoll_actions::{NamedNode, Workflow};

use super::token_permissions::attach_permissions_fix;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `permissions: write-all` on a workflow or a job.
    ///
    /// ## Why is this bad?
    /// It grants the token every write scope: a single compromised step can push code, publish
    /// packages, approve pull requests and rewrite releases.
    ///
    /// ## Example
    /// ```yaml
    /// permissions: write-all
    /// ```
    ///
    /// ## Fix
    /// Unsafe: on a job, replaces `write-all` with the least scopes the job needs (computed as
    /// for `missing-permissions`, from `data/action-permissions.toml` and the `gh` and
    /// `git push` commands of its scripts); on the workflow, gives each job that inherited it
    /// its own least scopes and sets the workflow's to `{}`. No fix when a job uses an action
    /// the data does not cover, passes the token to another program or calls a workflow of
    /// another repository (the help says which).
    ///
    /// ## Use instead
    /// Grant only the scopes the job uses:
    /// ```yaml
    /// permissions:
    ///   contents: write
    ///   id-token: write
    /// ```
    pub struct WriteAllPermissions {
        id: "GHA011",
        name: "write-all-permissions",
        severity: Error,
        domain: GithubActions,
        summary: "`permissions: write-all` grants every scope",
        help: "list only the scopes the job needs, each at the lowest level that works",
        fix: Unsafe,
    }
}

fn check(
    cx: &Context<'_>,
    workflow: Workflow<'_>,
    job: Option<&plimsoll_actions::Job<'_>>,
    permissions: Option<NamedNode<'_>>,
    out: &mut Sink,
) {
    let Some(permissions) = permissions else {
        return;
    };
    if permissions.value.as_str() != Some("write-all") {
        return;
    }
    let owner = match job {
        Some(job) => format!("job `{}`", job.id),
        None => "the workflow".to_string(),
    };
    let diagnostic = out.report(
        &WriteAllPermissions::META,
        permissions.key.span.cover(permissions.value.span),
        format!("{owner} grants the token every write permission"),
    );
    attach_permissions_fix(cx, workflow, job, diagnostic);
}

impl Rule for WriteAllPermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        check(cx, workflow, None, workflow.permissions(), out);
        for job in workflow.jobs() {
            check(cx, workflow, Some(&job), job.entry("permissions"), out);
        }
    }
}
