use plimsoll_actions::{Job, NamedNode, Workflow};

use super::token_permissions::{attach_permissions_fix, PermissionsFix};
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags write scopes (`contents: write`, `id-token: write`, …) granted at workflow level
    /// when two or more jobs inherit them (jobs without their own `permissions:`), and, as a
    /// note (the token is read-only), `permissions: read-all` on a workflow or a job.
    /// `write-all` is `write-all-permissions`.
    ///
    /// ## Why is this bad?
    /// `read-all` lets the token read every scope (packages, actions, security events,
    /// deployments, private code of the repository), whatever the job does. A write scope at
    /// workflow level is handed to every job, including the test and lint jobs that run the
    /// pull request's code and its dependencies: one compromised tool can push, publish or mint
    /// a cloud identity token with it.
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   contents: write
    /// jobs:
    ///   test: …
    ///   release: …
    /// ```
    ///
    /// ## Fix
    /// Unsafe: `read-all` on a job becomes the least scopes the job needs (computed as for
    /// `missing-permissions`, from `data/action-permissions.toml` and the `gh` and `git push`
    /// commands of its scripts); on the workflow (`read-all` or write scopes jobs inherit), each
    /// job that inherited it gets its own least scopes and the workflow's becomes `{}`. No fix
    /// when a job uses an action the data does not cover, passes the token to another program
    /// or calls a workflow of another repository (the help says which).
    ///
    /// ## Use instead
    /// Read-only at workflow level, writes on the job that needs them:
    /// ```yaml
    /// permissions:
    ///   contents: read
    /// jobs:
    ///   test: …
    ///   release:
    ///     permissions:
    ///       contents: write
    /// ```
    pub struct ExcessivePermissions {
        id: "GHA037",
        name: "excessive-permissions",
        severity: Warning,
        domain: GithubActions,
        summary: "`read-all`, or write scopes every job inherits",
        help: "grant `read` scopes by name at workflow level and each write scope only on the job that needs it",
        fix: Unsafe,
    }
}

fn report_read_all(
    cx: &Context<'_>,
    workflow: Workflow<'_>,
    job: Option<&Job<'_>>,
    permissions: Option<NamedNode<'_>>,
    out: &mut Sink,
) {
    let Some(permissions) = permissions else {
        return;
    };
    if permissions.value.as_str() != Some("read-all") {
        return;
    }
    let owner = match job {
        Some(job) => format!("job `{}`", job.id),
        None => "the workflow".to_string(),
    };
    // A read-only token: STANDARDS.md asks for least privilege on writes, so broad reads
    // are advice, not a standard unmet.
    let diagnostic = out
        .report(
            &ExcessivePermissions::META,
            permissions.key.span.cover(permissions.value.span),
            format!("{owner} lets the token read every scope (packages, actions, security events, deployments…)"),
        )
        .severity(Severity::Note);
    attach_permissions_fix(cx, workflow, job, diagnostic);
}

impl Rule for ExcessivePermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        report_read_all(cx, workflow, None, workflow.permissions(), out);
        let jobs = workflow.jobs();
        for job in &jobs {
            report_read_all(cx, workflow, Some(job), job.entry("permissions"), out);
        }
        let Some(scopes) = workflow.permissions().and_then(|p| p.value.as_mapping()) else {
            return;
        };
        let inheriting: Vec<&str> = jobs
            .iter()
            .filter(|job| job.entry("permissions").is_none())
            .map(|job| job.id)
            .collect();
        // One job inheriting is the same as granting it on that job.
        if inheriting.len() < 2 {
            return;
        }
        let names: Vec<String> = inheriting.iter().map(|id| format!("`{id}`")).collect();
        // The same fix answers every scope granted: worked out for the first one only.
        let mut fix: Option<PermissionsFix> = None;
        for scope in scopes {
            if scope.value.as_str() != Some("write") {
                continue;
            }
            let diagnostic = out.report(
                &ExcessivePermissions::META,
                scope.key.span.cover(scope.value.span),
                format!(
                    "`{}: write` is granted at workflow level, so {} jobs inherit it ({})",
                    scope.key.as_str().unwrap_or(""),
                    inheriting.len(),
                    names.join(", ")
                ),
            );
            fix.get_or_insert_with(|| PermissionsFix::new(cx, workflow, None))
                .attach(diagnostic);
        }
    }
}
