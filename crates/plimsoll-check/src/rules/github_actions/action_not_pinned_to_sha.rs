use plimsoll_actions::{ref_span, RefKind, Uses};
use plimsoll_syntax::yaml::Node;

use super::common::{
    documented_branch, is_full_release_tag, is_own_repository_path, release_tag_only,
};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::pins::pin_fix;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags an action or reusable workflow pinned by a version tag (`@v4`,
    /// `@v1.2.3`), or by a branch its maintainers document as the interface to use
    /// (`dtolnay/rust-toolchain@stable`), or an action of the repository itself by branch,
    /// instead of a full commit SHA. An action whose maintainers accept only a full release tag
    /// (`slsa-framework/slsa-github-generator@v2.1.0`, listed in
    /// `crates/plimsoll-check/data/release-tag-only-actions.txt`) is never asked for a commit
    /// SHA, which would fail its run; a shorter tag of it (`@v2`) is reported as failing too.
    ///
    /// ## Why is this bad?
    /// Tags can be moved or deleted, and a compromised action's tags have been rewritten to
    /// point at malicious commits. Only a commit SHA names exactly one piece of code.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@v4
    /// ```
    ///
    /// ## Fix
    /// Under `plimsoll check --fix` or `--diff`, replaces the ref by the commit it points at now,
    /// read with `git ls-remote` from the action's repository (`$GITHUB_SERVER_URL/owner/repo`,
    /// default `https://github.com`; an annotated tag is peeled to its commit), and writes the
    /// ref as a trailing comment (`# v4`), after which a comment already there is kept. Safe
    /// for a tag: the same code runs. Unsafe for a documented branch (`# stable (branch)`):
    /// the pin stops following it. Resolutions are cached for a day in
    /// `$XDG_CACHE_HOME/plimsoll/action-refs.json`; a ref that cannot be resolved (no network,
    /// `--offline` and not cached, unknown ref) gets no fix, and the run says why. A plain
    /// `plimsoll check` never goes to the network.
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    /// ```
    pub struct ActionNotPinnedToSha {
        id: "GHA005",
        name: "action-not-pinned-to-sha",
        severity: Note,
        domain: GithubActions,
        summary: "An action is pinned by a moving tag, not a commit SHA (strict)",
        help: "replace the tag by the commit SHA it points at, keeping the tag as a `# vX.Y.Z` comment",
        strict_only: true,
        fix: Sometimes,
    }
}

fn check_uses(cx: &Context<'_>, node: &Node, out: &mut Sink) {
    if let Some(Uses::Repository {
        owner,
        repo,
        path,
        git_ref: Some(git_ref),
    }) = node.as_str().map(Uses::parse)
    {
        let span = ref_span(node, cx.text());
        let tag_only = release_tag_only(owner, repo).is_some();
        match RefKind::of(git_ref) {
            RefKind::VersionTag if tag_only && is_full_release_tag(git_ref) => {}
            RefKind::VersionTag if tag_only => {
                out.report(
                    &ActionNotPinnedToSha::META,
                    span,
                    format!("`{owner}/{repo}@{git_ref}` is not a full release tag, the only ref its maintainers accept: the job fails at this ref"),
                )
                .help("call it by a full release tag (`@vX.Y.Z`), not a shorter tag nor a commit SHA, which it refuses too");
            }
            RefKind::VersionTag => {
                let diagnostic = out.report(
                    &ActionNotPinnedToSha::META,
                    span,
                    format!("`{owner}/{repo}@{git_ref}` is pinned by a tag that can be moved"),
                );
                if let Some(fix) = pin_fix(cx.text(), node, &cx.settings.github_actions.pins) {
                    diagnostic.fix(fix);
                }
            }
            RefKind::Branch
                if path.is_some_and(|path| {
                    is_own_repository_path(cx.source.path(), owner, repo, path)
                }) =>
            {
                out.report(
                    &ActionNotPinnedToSha::META,
                    span,
                    format!("`{owner}/{repo}@{git_ref}` is this repository's own code at the branch `{git_ref}`, not at the commit being run"),
                );
            }
            RefKind::Branch if documented_branch(owner, repo, git_ref).is_some() => {
                let diagnostic = out.report(
                    &ActionNotPinnedToSha::META,
                    span,
                    format!("`{owner}/{repo}@{git_ref}` follows `{git_ref}`, the branch its maintainers document as its interface: it moves like a tag"),
                );
                if let Some(fix) = pin_fix(cx.text(), node, &cx.settings.github_actions.pins) {
                    diagnostic.fix(fix);
                }
            }
            RefKind::Branch | RefKind::CommitSha => {}
        }
    }
}

impl Rule for ActionNotPinnedToSha {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, uses: &Node, out: &mut Sink) {
        check_uses(cx, uses, out);
    }
}
