use plimsoll_syntax::yaml::Node;

use super::common::{matches_wildcard, repository_action};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags actions and reusable workflows of other repositories that the project's policy in
    /// `plimsoll.toml` rules out: any that matches `forbidden-uses`, or, when `allowed-uses` is
    /// set, any that matches none of it (`[github-actions]`; patterns name `owner/repo`, with
    /// `*` for any run of characters: `actions/*`, `my-org/*`). Without either list the rule
    /// has nothing to check. Actions of the repository itself (`./…`) and Docker images are
    /// not concerned.
    ///
    /// ## Why is this bad?
    /// Every action runs with the job's token and secrets. Organisations that vet the actions
    /// they depend on need the vetting enforced where workflows are written, not found in an
    /// audit after a compromised action has already run.
    ///
    /// ## Example
    /// ```toml
    /// [github-actions]
    /// allowed-uses = ["actions/*", "my-org/*"]
    /// ```
    /// ```yaml
    /// - uses: some-user/deploy-action@v1
    /// ```
    ///
    /// ## Use instead
    /// Use a vetted action, or add this one to `allowed-uses` once it is reviewed.
    /// ```yaml
    /// - uses: my-org/deploy-action@v3
    /// ```
    pub struct ForbiddenAction {
        id: "GHA063",
        name: "forbidden-action",
        severity: Error,
        domain: GithubActions,
        summary: "An action the project's `allowed-uses`/`forbidden-uses` policy rules out",
        help: "use an action the policy allows, or change `allowed-uses`/`forbidden-uses` in `plimsoll.toml`",
    }
}

fn matches_any(patterns: &[String], action: &str) -> bool {
    patterns.iter().any(|pattern| {
        let pattern = pattern.to_ascii_lowercase();
        // `owner/repo` also covers the actions in its folders (`owner/repo/sub`).
        matches_wildcard(&pattern, action)
            || action
                .strip_prefix(pattern.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

impl Rule for ForbiddenAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, uses: &Node, out: &mut Sink) {
        let policy = &cx.settings.github_actions;
        if policy.allowed_uses.is_empty() && policy.forbidden_uses.is_empty() {
            return;
        }
        let Some(value) = uses.as_str() else {
            return;
        };
        let Some(named) = repository_action(value) else {
            return;
        };
        let action = named.action;
        let why = if matches_any(&policy.forbidden_uses, &action) {
            "matches `forbidden-uses`"
        } else if !policy.allowed_uses.is_empty() && !matches_any(&policy.allowed_uses, &action) {
            "matches none of `allowed-uses`"
        } else {
            return;
        };
        let name_end = value.find('@').unwrap_or(value.len());
        out.report(
            &Self::META,
            uses.locate(cx.text(), 0..name_end),
            format!("`{}` {why} in `plimsoll.toml`", named.repository),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_cover_owners_and_sub_actions() {
        let patterns = vec!["actions/*".to_string(), "github/codeql-action".to_string()];
        assert!(matches_any(&patterns, "actions/checkout"));
        assert!(matches_any(&patterns, "github/codeql-action/init"));
        assert!(!matches_any(&patterns, "github/codeql-actionx"));
        assert!(!matches_any(&patterns, "tj-actions/changed-files"));
    }
}
