use plimsoll_actions::{NamedNode, Workflow};

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
    }
}

fn check(owner: String, permissions: Option<NamedNode<'_>>, out: &mut Sink) {
    if let Some(permissions) = permissions {
        if permissions.value.as_str() == Some("write-all") {
            out.report(
                &WriteAllPermissions::META,
                permissions.key.span.cover(permissions.value.span),
                format!("{owner} grants the token every write permission"),
            );
        }
    }
}

impl Rule for WriteAllPermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        check("the workflow".into(), workflow.permissions(), out);
        for job in workflow.jobs() {
            check(format!("job `{}`", job.id), job.entry("permissions"), out);
        }
    }
}
