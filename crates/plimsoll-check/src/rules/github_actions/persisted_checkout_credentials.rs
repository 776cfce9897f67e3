use plimsoll_actions::{Step, Uses, Workflow};
use plimsoll_syntax::yaml::Node;

use super::common::{action_slug, is_action_slug};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{append_to_mapping, Applicability, Edit, Fix};
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
    /// ## Fix
    /// Adds `persist-credentials: false` under the checkout's `with:` (or sets it to `false`).
    /// Safe when no later step of the job uses git with the token (`git push`, `git fetch`,
    /// an action that commits, tags or opens a pull request); unsafe otherwise, since that
    /// step would lose its credentials.
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
        fix: Sometimes,
    }
}

/// Whether `step` is `slug` (`actions/checkout`), whatever its ref.
fn is_action(step: &Step<'_>, slug: &str) -> bool {
    step.uses_node()
        .and_then(Node::as_str)
        .is_some_and(|uses| is_action_slug(uses, slug))
}

/// The fix that sets `persist-credentials: false` on `checkout`: unsafe when a step of
/// `later` may use git with the token it would no longer find.
fn persist_false(text: &str, checkout: &Step<'_>, later: &[Step<'_>]) -> Option<Fix> {
    let edit = match checkout.node.get("with") {
        Some(with) => match with.get("persist-credentials") {
            Some(value) => Edit::replace(value.span, "false"),
            None => append_to_mapping(text, with, &["persist-credentials: false".to_string()])?,
        },
        None => append_to_mapping(
            text,
            checkout.node,
            &[
                "with:".to_string(),
                "  persist-credentials: false".to_string(),
            ],
        )?,
    };
    let applicability = if later.iter().any(may_use_git_credentials) {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    Some(Fix::new(
        applicability,
        "set `persist-credentials: false`",
        vec![edit],
    ))
}

/// Whether `step` may use the credentials a checkout leaves in `.git/config`: a script that
/// talks to the remote, or an action that commits, tags, pushes or opens a pull request.
fn may_use_git_credentials(step: &Step<'_>) -> bool {
    const REMOTE_COMMANDS: &[&str] = &[
        "push",
        "fetch",
        "pull",
        "ls-remote",
        "submodule",
        "clone",
        "remote",
    ];
    if let Some(script) = step.run().and_then(Node::as_str) {
        return plimsoll_syntax::shell::parse(script).iter().any(|command| {
            let words = command.argv();
            words.first().is_some_and(|w| w.text == "git")
                && words
                    .iter()
                    .skip(1)
                    .any(|w| REMOTE_COMMANDS.contains(&w.text.as_str()))
        });
    }
    let Some(uses) = step.uses_node().and_then(Node::as_str) else {
        return false;
    };
    let slug = action_slug(uses).to_ascii_lowercase();
    ["commit", "push", "pull-request", "tag", "release", "git"]
        .iter()
        .any(|word| slug.contains(word))
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

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
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
                let diagnostic = out.report(
                    &PersistedCheckoutCredentials::META,
                    span,
                    format!(
                        "job `{}` keeps the checkout's token in `.git/config`, and step `{}` uploads the workspace with hidden files: the token is in the artifact",
                        job.id,
                        upload.label()
                    ),
                );
                if let Some(fix) = persist_false(cx.text(), checkout, &steps[at + 1..]) {
                    diagnostic.fix(fix);
                }
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
