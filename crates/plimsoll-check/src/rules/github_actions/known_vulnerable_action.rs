use plimsoll_actions::advisories::{affecting, AdvisoryLevel};
use plimsoll_actions::{ref_span, Uses};
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags an action used at a version that a GitHub security advisory lists as affected:
    /// `tj-actions/changed-files` before 46.0.1 (GHSA-mrrh-fwg8-r2c3, CVE-2025-30066),
    /// `tj-actions/branch-names` before 7.0.7, `actions/download-artifact` 4.0.0 to 4.1.6,
    /// `reviewdog/action-setup@v1` (its tag was compromised for two hours: a note), and the
    /// others in `crates/plimsoll-actions/data/advisories.tsv`, which names its source (the
    /// GitHub Advisory Database) and the date it was last reviewed.
    ///
    /// The check is offline: version refs are compared with the affected ranges (a major tag
    /// such as `v4` stands for the latest release of its line). A commit SHA cannot be mapped
    /// to a release without asking GitHub, so SHA pins are not checked.
    ///
    /// ## Why is this bad?
    /// The advisory describes a way in: code injection through file or branch names, secrets
    /// printed into public logs, files written outside the download directory. The workflow
    /// runs that code with its token and secrets.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: tj-actions/changed-files@v45
    /// ```
    ///
    /// ## Use instead
    /// Move to a fixed release (and pin it by its commit SHA, with the version in a comment):
    /// ```yaml
    /// - uses: tj-actions/changed-files@v46.0.5
    /// ```
    pub struct KnownVulnerableAction {
        id: "GHA045",
        name: "known-vulnerable-action",
        severity: Error,
        domain: GithubActions,
        summary: "An action is used at a version a GitHub security advisory lists as affected",
        help: "update to the advisory's fixed version, pinned by commit SHA",
    }
}

impl Rule for KnownVulnerableAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, node: &Node, out: &mut Sink) {
        let Some(Uses::Repository {
            owner,
            repo,
            git_ref: Some(git_ref),
            ..
        }) = node.as_str().map(Uses::parse)
        else {
            return;
        };
        for advisory in affecting(owner, repo, git_ref) {
            let id = match advisory.cve {
                Some(cve) => format!("{} ({cve}, {})", advisory.ghsa, advisory.published),
                None => format!("{} ({})", advisory.ghsa, advisory.published),
            };
            let fixed = match &advisory.fixed {
                Some(fixed) => format!("; fixed in {fixed}"),
                None => String::new(),
            };
            let diagnostic = out.report(
                &KnownVulnerableAction::META,
                ref_span(node, cx.text()),
                format!(
                    "`{owner}/{repo}@{git_ref}` is affected by {id}: {}{fixed}",
                    advisory.summary
                ),
            );
            if advisory.level == AdvisoryLevel::CompromisedTag {
                diagnostic.severity(Severity::Note);
            }
        }
    }
}
