use plimsoll_actions::{ref_span, RefKind, Uses};
use plimsoll_syntax::yaml::Node;

use super::common::{documented_branch, is_own_repository_path, release_tag_only};
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::pins::pin_fix;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags an action or reusable workflow used without a ref (`uses: actions/checkout`) or by
    /// a branch or other mutable name (`@main`, `@master`, `@latest`, `@stable`). A branch its
    /// maintainers document as the interface to use (`dtolnay/rust-toolchain@stable`,
    /// `taiki-e/install-action@cargo-hack`; the list, with the reason for each, is
    /// `crates/plimsoll-check/data/documented-branch-refs.txt`) moves like a version tag and is
    /// judged like one, by `action-not-pinned-to-sha` in strict mode. So is an action or
    /// reusable workflow of the repository itself referenced by branch
    /// (`my-org/my-repo/.github/actions/setup@main` in `my-org/my-repo`): its maintainers
    /// decide what that branch holds, as they decide the workflow. An action whose maintainers
    /// accept only a full release tag and whose runs fail at any other ref
    /// (`slsa-framework/slsa-github-generator`; the list is
    /// `crates/plimsoll-check/data/release-tag-only-actions.txt`) is a note when called by
    /// branch: the job fails at its first run, so no code can change silently under it, and
    /// the fix is its `@vX.Y.Z` tag, not a commit SHA.
    ///
    /// ## Why is this bad?
    /// Whoever can push to that branch decides what runs in your CI, with your secrets and
    /// token, on the next run. Builds also stop being reproducible.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: some-org/deploy-action@main
    /// ```
    ///
    /// ## Fix
    /// Under `plimsoll check --fix --unsafe-fixes` or `--diff --unsafe-fixes`, replaces the
    /// branch by the commit at its tip now, read with `git ls-remote` from the action's
    /// repository (`$GITHUB_SERVER_URL/owner/repo`, default `https://github.com`), with the
    /// branch as a trailing comment (`# main (branch)`). Unsafe: the pin stops following the
    /// branch, and a branch's tip is not a release; pin a release tag's commit when there is
    /// one. (A ref that turns out to be a tag is pinned safely, `# v1`.) Resolutions are
    /// cached for a day in `$XDG_CACHE_HOME/plimsoll/action-refs.json`; without a network or
    /// with `--offline` and nothing cached there is no fix, and the run says why. A use
    /// without a ref gets no fix: which release to take is for a person.
    ///
    /// ## Use instead
    /// Pin a full commit SHA with the version it stands for as a comment:
    /// ```yaml
    /// - uses: some-org/deploy-action@3f1e2c9d5b7a8c6e4d2f0a1b3c5d7e9f1a2b3c4d # v1.4.2
    /// ```
    pub struct UnpinnedAction {
        id: "GHA004",
        name: "unpinned-action",
        severity: Error,
        domain: GithubActions,
        summary: "An action is used without a ref or by a branch",
        help: "pin a release: a full commit SHA with a `# vX.Y.Z` comment, or at least a version tag",
        fix: Sometimes,
    }
}

pub(crate) fn check_uses(cx: &Context<'_>, node: &Node, out: &mut Sink) {
    let Some(Uses::Repository {
        owner,
        repo,
        path,
        git_ref,
    }) = node.as_str().map(Uses::parse)
    else {
        return;
    };
    if path.is_some_and(|path| is_own_repository_path(cx.source.path(), owner, repo, path)) {
        return;
    }
    match git_ref {
        None => {
            out.report(
                &UnpinnedAction::META,
                node.span,
                format!("`{owner}/{repo}` is used without a ref: whatever its default branch holds will run"),
            );
        }
        Some(git_ref) if plimsoll_syntax::expr::contains_expression(git_ref) => {}
        Some(git_ref)
            if RefKind::of(git_ref) == RefKind::Branch
                && release_tag_only(owner, repo).is_some() =>
        {
            out.report(
                &UnpinnedAction::META,
                ref_span(node, cx.text()),
                format!("`{owner}/{repo}@{git_ref}` follows the branch `{git_ref}`, but its maintainers accept only a release tag: the job fails at this ref"),
            )
            .help("call it by a full release tag (`@vX.Y.Z`), not a branch nor a commit SHA, which it refuses too")
            .severity(Severity::Note);
        }
        Some(git_ref)
            if RefKind::of(git_ref) == RefKind::Branch
                && documented_branch(owner, repo, git_ref).is_none() =>
        {
            let diagnostic = out.report(
                &UnpinnedAction::META,
                ref_span(node, cx.text()),
                format!("`{owner}/{repo}@{git_ref}` follows the branch `{git_ref}`: its code can change under you"),
            );
            if let Some(fix) = pin_fix(cx.text(), node, &cx.settings.github_actions.pins) {
                diagnostic.fix(fix);
            }
        }
        Some(_) => {}
    }
}

impl Rule for UnpinnedAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, uses: &Node, out: &mut Sink) {
        check_uses(cx, uses, out);
    }
}
