use plimsoll_actions::Uses;
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags third-party actions that only wrap a tool every GitHub-hosted
    /// runner already has: release and issue actions that call GitHub's API where the `gh`
    /// command does the same, `docker run` and `jq` wrappers.
    ///
    /// ## Why is this bad?
    /// Each third-party action is code from another project that runs with the job's token and
    /// secrets, and is one more dependency to pin, update and trust (tags of popular actions have
    /// been rewritten to steal secrets). A one-line script with the preinstalled tool does the
    /// same with nothing new to trust.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: softprops/action-gh-release@v2
    ///   with:
    ///     files: dist/*
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: gh release create "$GITHUB_REF_NAME" dist/*
    ///   env:
    ///     GH_TOKEN: ${{ github.token }}
    /// ```
    pub struct SuperfluousAction {
        id: "GHA060",
        name: "superfluous-action",
        severity: Note,
        domain: GithubActions,
        summary: "A third-party action that wraps a tool the runner already has (strict)",
        help: "run the preinstalled tool (`gh`, `docker`, `jq`) in a script step",
        strict_only: true,
    }
}

/// Actions (`owner/repo`, lowercase) whose whole job is done by a tool preinstalled on
/// GitHub-hosted runners, with the command that replaces them. Actions that do more than the
/// tool does in one command (creating a pull request from local changes, editing a comment
/// by id, setting up a toolchain) are not listed.
const SUPERFLUOUS: &[(&str, &str)] = &[
    ("ncipollo/release-action", "`gh release create`"),
    ("softprops/action-gh-release", "`gh release create`"),
    ("elgohr/github-release-action", "`gh release create`"),
    ("svenstaro/upload-release-action", "`gh release upload`"),
    ("dacbd/create-issue-action", "`gh issue create`"),
    (
        "actions-ecosystem/action-add-labels",
        "`gh issue edit --add-label` (or `gh pr edit`)",
    ),
    (
        "actions-ecosystem/action-remove-labels",
        "`gh issue edit --remove-label` (or `gh pr edit`)",
    ),
    (
        "addnab/docker-run-action",
        "`docker run` (or a container step)",
    ),
    ("sergeysova/jq-action", "`jq`"),
];

impl Rule for SuperfluousAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, uses: &Node, out: &mut Sink) {
        let Some(Uses::Repository { owner, repo, .. }) = uses.as_str().map(Uses::parse) else {
            return;
        };
        let slug = format!("{owner}/{repo}").to_ascii_lowercase();
        let Some((_, command)) = SUPERFLUOUS.iter().find(|(action, _)| *action == slug) else {
            return;
        };
        // The action's name, before its `@ref`.
        let value = uses.as_str().unwrap_or("");
        let name_end = value.find('@').unwrap_or(value.len());
        let span = uses.locate(cx.text(), 0..name_end);
        out.report(
            &Self::META,
            span,
            format!("`{owner}/{repo}` only wraps what {command} does on the runner: one more third-party dependency running with the job's token"),
        );
    }
}
