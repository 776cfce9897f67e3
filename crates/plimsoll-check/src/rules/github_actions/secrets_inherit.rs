use plimsoll_actions::{Uses, Workflow};

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a reusable-workflow call with `secrets: inherit`: a warning when the called
    /// workflow is in another repository, a note when it is in the same one (`./` or `$/`),
    /// where it is reviewed with the caller but still receives every secret.
    ///
    /// ## Why is this bad?
    /// The called workflow receives every secret the caller can read, organization and
    /// environment secrets included, whatever it needs. A compromised or careless called
    /// workflow (or a later version of it, when it is not pinned) can leak all of them, and
    /// nobody reviewing the caller can tell which secrets it really uses.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   release:
    ///     uses: org/shared/.github/workflows/release.yml@v2
    ///     secrets: inherit
    /// ```
    ///
    /// ## Use instead
    /// Pass the secrets the called workflow declares, by name:
    /// ```yaml
    /// jobs:
    ///   release:
    ///     uses: org/shared/.github/workflows/release.yml@v2
    ///     secrets:
    ///       npm-token: ${{ secrets.NPM_TOKEN }}
    /// ```
    pub struct SecretsInherit {
        id: "GHA034",
        name: "secrets-inherit",
        severity: Warning,
        domain: GithubActions,
        summary: "A reusable workflow receives every secret with `secrets: inherit`",
        help: "pass only the secrets the called workflow declares, under `secrets:` by name",
        // Its findings point at a reference to secrets, never at a credential's text.
        sensitive: false,
    }
}

impl Rule for SecretsInherit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            let Some(uses) = job.uses() else {
                continue;
            };
            let Some(secrets) = job.entry("secrets") else {
                continue;
            };
            if secrets.value.as_str() == Some("inherit") {
                let same_repository = matches!(
                    uses.value.as_str().map(Uses::parse),
                    Some(Uses::Local { .. } | Uses::SameRepository { .. })
                );
                let diagnostic = out.report(
                    &SecretsInherit::META,
                    secrets.key.span.cover(secrets.value.span),
                    format!(
                        "job `{}` hands every secret of the repository, its organization and environments to `{}`",
                        job.id,
                        uses.value.as_str().unwrap_or("the called workflow")
                    ),
                );
                if same_repository {
                    diagnostic.severity(Severity::Note);
                }
            }
        }
    }
}
