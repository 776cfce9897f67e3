use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags update entries of `.github/dependabot.yml` without a `cooldown`, or whose
    /// `cooldown` waits zero days (no `default-days`, or `default-days: 0`, and no
    /// `semver-*-days`).
    ///
    /// ## Why is this bad?
    /// Without a cooldown Dependabot proposes a release the hour it is published. Compromised
    /// releases (a hijacked maintainer account, a poisoned build) are usually found and pulled
    /// within days; a project that merges its update pull requests promptly takes them in
    /// first. Security updates are not delayed by a cooldown.
    ///
    /// ## Example
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: npm
    ///     directory: /
    ///     schedule:
    ///       interval: daily
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: npm
    ///     directory: /
    ///     schedule:
    ///       interval: daily
    ///     cooldown:
    ///       default-days: 7
    /// ```
    pub struct MissingDependabotCooldown {
        id: "GHA059",
        name: "missing-dependabot-cooldown",
        severity: Warning,
        domain: GithubActions,
        summary: "A Dependabot update entry without a `cooldown` proposes releases the day they appear",
        help: "add `cooldown: {default-days: 7}` to the update entry",
    }
}

impl Rule for MissingDependabotCooldown {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        let Some(dependabot) = &repo.dependabot else {
            return;
        };
        for (span, ecosystem, what) in &dependabot.without_cooldown {
            out.push(RepositoryDiagnostic {
                rule: &Self::META,
                path: dependabot.path.clone(),
                span: Some(*span),
                message: format!(
                    "the `{ecosystem}` update {what}: Dependabot proposes each release as soon as it is published, before a compromised one can be found and pulled"
                ),
            });
        }
    }
}
