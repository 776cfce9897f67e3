use plimsoll_syntax::yaml::Node;

use super::common::step_owner;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a GitHub App installation token made by `actions/create-github-app-token` with
    /// more reach than the job needs, as the action's inputs document it:
    /// - no `permission-<scope>` input: the token gets every permission of the installation;
    /// - `owner` without `repositories`: the token reaches every repository of that owner's
    ///   installation, not just the current one;
    /// - `skip-token-revoke: true`: the token stays valid after the job, for its full hour.
    ///
    /// ## Why is this bad?
    /// An App token usually stands in for `GITHUB_TOKEN` where that one cannot do the job
    /// (trigger other workflows, write to another repository), so the App tends to be installed
    /// with broad permissions across an organization. A step that leaks the token (a logged
    /// value, a compromised action, an injected command) then hands out all of it. Asking for
    /// the scopes and repositories the job uses, and letting the action revoke the token when
    /// the job ends, bounds what a leak gives away.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e # v2.0.6
    ///   with:
    ///     app-id: ${{ vars.APP_ID }}
    ///     private-key: ${{ secrets.APP_PRIVATE_KEY }}
    ///     owner: my-org
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e # v2.0.6
    ///   with:
    ///     app-id: ${{ vars.APP_ID }}
    ///     private-key: ${{ secrets.APP_PRIVATE_KEY }}
    ///     owner: my-org
    ///     repositories: docs
    ///     permission-contents: write
    /// ```
    pub struct GithubAppToken {
        id: "GHA068",
        name: "github-app-token",
        severity: Warning,
        domain: GithubActions,
        summary: "A GitHub App token is made with every installation permission, every repository, or no revocation",
        help: "add `permission-<scope>` inputs, `repositories:` with `owner:`, and drop `skip-token-revoke`",
        // Its findings point at an action's inputs, never at a credential's text.
        sensitive: false,
    }
}

/// Whether `node` is a literal YAML or string `true`.
fn is_true(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
}

impl Rule for GithubAppToken {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let step = &scope.step;
        let Some(uses) = step.uses_node() else {
            return;
        };
        // Compared in place: most steps use other actions, and need no parsed copy.
        let slug = uses
            .as_str()
            .and_then(|u| u.split('@').next())
            .unwrap_or("");
        if !slug.eq_ignore_ascii_case("actions/create-github-app-token") {
            return;
        }
        // `with: ${{ fromJSON(…) }}` or no mapping: nothing to read.
        if step
            .node
            .get("with")
            .is_some_and(|with| with.as_mapping().is_none())
        {
            return;
        }
        let owner = step_owner(step);
        let inputs = step.inputs();
        let has_input = |name: &str| {
            inputs
                .iter()
                .any(|entry| entry.key.as_str().is_some_and(|key| key == name))
        };
        if let Some(skip) = step.with("skip-token-revoke").filter(|v| is_true(v)) {
            out.report(
                &GithubAppToken::META,
                skip.span,
                format!("{owner} keeps its App token valid after the job (`skip-token-revoke: true`): a leaked token works for up to an hour"),
            );
        }
        if let Some(app_owner) = step.with("owner") {
            if !has_input("repositories") {
                out.report(
                    &GithubAppToken::META,
                    app_owner.span,
                    format!("{owner} asks for an App token for `owner` without `repositories`: it reaches every repository of that owner's installation"),
                );
            }
        }
        let scoped = inputs.iter().any(|entry| {
            entry
                .key
                .as_str()
                .is_some_and(|key| key.starts_with("permission-"))
        });
        if !scoped {
            out.report(
                &GithubAppToken::META,
                uses.span,
                format!("{owner} makes an App token with no `permission-<scope>` input: it carries every permission of the App's installation"),
            );
        }
    }
}
