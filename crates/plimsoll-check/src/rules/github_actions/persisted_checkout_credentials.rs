use plimsoll_actions::{Step, Uses, Workflow};
use plimsoll_syntax::yaml::Node;

use super::common::action_slug;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags an `actions/checkout` step that keeps its credentials (`persist-credentials` not
    /// `false`) in a job that later uploads the whole workspace with hidden files as an
    /// artifact: `actions/upload-artifact` with a path such as `.` or
    /// `${{ github.workspace }}` and `include-hidden-files: true`, or a release before v4.4,
    /// which uploaded hidden files by default.
    ///
    /// ## Why is this bad?
    /// `actions/checkout` writes the job's token into `.git/config`. Uploading the workspace
    /// with hidden files publishes that token in the artifact, which anyone who can read the
    /// repository's runs can download (everyone, for a public repository): a `GITHUB_TOKEN`
    /// works until its job ends, a personal token or deploy key given to the checkout for much
    /// longer.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@v4
    /// - run: make site
    /// - uses: actions/upload-artifact@v4
    ///   with:
    ///     path: .
    ///     include-hidden-files: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: actions/checkout@v4
    ///   with:
    ///     persist-credentials: false
    /// ```
    pub struct PersistedCheckoutCredentials {
        id: "GHA040",
        name: "persisted-checkout-credentials",
        severity: Error,
        domain: GithubActions,
        summary: "A checkout's token is uploaded with the workspace as an artifact",
        help: "set `persist-credentials: false` on `actions/checkout`, and upload only the files the artifact needs",
        // Its findings point at a checkout step, never at a credential's text.
        sensitive: false,
    }
}

/// Whether `step` is `slug` (`actions/checkout`), whatever its ref.
fn is_action(step: &Step<'_>, slug: &str) -> bool {
    step.uses_node()
        .and_then(Node::as_str)
        .is_some_and(|uses| action_slug(uses) == slug)
}

/// Whether an input is set to false (`false` or `'false'`).
fn is_false(node: Option<&Node>) -> bool {
    node.is_some_and(|n| {
        n.as_bool() == Some(false) || n.as_str().is_some_and(|s| s.trim() == "false")
    })
}

/// Whether an upload-artifact path line names the whole workspace.
fn is_workspace(line: &str) -> bool {
    let line = line.trim().trim_end_matches('/');
    let line = line
        .strip_prefix("${{ github.workspace }}")
        .or_else(|| line.strip_prefix("${{github.workspace}}"))
        .map_or(line, |rest| rest.trim_start_matches('/'));
    matches!(line, "" | "." | "./" | "*" | "**" | "./*" | "./**")
}

/// Whether an `actions/upload-artifact` step uploads the workspace with its hidden files.
fn uploads_hidden_workspace(step: &Step<'_>) -> bool {
    let Some(path) = step.with("path").and_then(Node::as_str) else {
        return false;
    };
    if !path.lines().any(is_workspace) {
        return false;
    }
    let hidden_input = step.with("include-hidden-files").is_some_and(|n| {
        n.as_bool() == Some(true) || n.as_str().is_some_and(|s| s.trim() == "true")
    });
    hidden_input || uploads_hidden_by_default(step)
}

/// Whether the release used uploads hidden files by default (before v4.4.0).
fn uploads_hidden_by_default(step: &Step<'_>) -> bool {
    let Some(Uses::Repository {
        git_ref: Some(git_ref),
        ..
    }) = step.uses()
    else {
        return false;
    };
    let version = git_ref.trim_start_matches('v');
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), _) if major < 4 => true,
        (Some(4), Some(minor)) => minor < 4,
        // `v4` moved to 4.4 and later in 2024; a SHA or a branch cannot be told.
        _ => false,
    }
}

impl Rule for PersistedCheckoutCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            let steps = job.steps();
            for (at, checkout) in steps.iter().enumerate() {
                if !is_action(checkout, "actions/checkout")
                    || is_false(checkout.with("persist-credentials"))
                {
                    continue;
                }
                let Some(upload) = steps[at + 1..].iter().find(|step| {
                    is_action(step, "actions/upload-artifact") && uploads_hidden_workspace(step)
                }) else {
                    continue;
                };
                let span = checkout.uses_node().map_or(checkout.node.span, |u| u.span);
                out.report(
                    &PersistedCheckoutCredentials::META,
                    span,
                    format!(
                        "job `{}` keeps the checkout's token in `.git/config`, and step `{}` uploads the workspace with hidden files: the token is in the artifact",
                        job.id,
                        upload.label()
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_the_workspace() {
        for path in [
            ".",
            "./",
            "${{ github.workspace }}",
            "${{ github.workspace }}/",
            "**",
        ] {
            assert!(is_workspace(path), "{path}");
        }
        for path in ["dist/", "./site", "${{ github.workspace }}/out"] {
            assert!(!is_workspace(path), "{path}");
        }
    }
}
