use super::quality_gates::anchor;
use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a repository with no dependency-update automation: no `.github/dependabot.yml`
    /// and no Renovate configuration, or a Dependabot configuration that leaves out an
    /// ecosystem in use (judged from root files such as `Cargo.toml`, `package.json`, `go.mod`,
    /// `Dockerfile`) or `github-actions` when there are workflows. Python files are covered by
    /// Dependabot's `pip` ecosystem or, for a project locked with `uv.lock`, by its `uv` one.
    ///
    /// ## Why is this bad?
    /// Dependencies and pinned actions only get updated when someone remembers; security fixes
    /// wait, and upgrades pile up into one risky jump.
    ///
    /// ## Example
    /// A repository with `Cargo.toml` and workflows, and no `.github/dependabot.yml`.
    ///
    /// ## Use instead
    /// ```yaml
    /// version: 2
    /// updates:
    ///   - package-ecosystem: cargo
    ///     directory: /
    ///     schedule: { interval: weekly }
    ///   - package-ecosystem: github-actions
    ///     directory: /
    ///     schedule: { interval: weekly }
    /// ```
    pub struct MissingDependencyUpdates {
        id: "GHA023",
        name: "missing-dependency-updates",
        severity: Warning,
        domain: GithubActions,
        summary: "No dependency-update automation for an ecosystem in use",
        help: "add `.github/dependabot.yml` entries for each ecosystem in use and for `github-actions`",
    }
}

/// Whether Dependabot's `configured` ecosystem updates the files of ecosystem `in_use`: the
/// same one, or `uv`, which updates a uv project's `pyproject.toml` and `uv.lock`.
fn updates(configured: &str, in_use: &str) -> bool {
    configured == in_use || (configured == "uv" && in_use == "pip")
}

impl Rule for MissingDependencyUpdates {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        if repo.renovate.is_some() {
            return;
        }
        let in_use = repo.ecosystems();
        if in_use.is_empty() || (repo.ci_files.is_empty() && !repo.is_rust()) {
            return;
        }
        let Some(dependabot) = &repo.dependabot else {
            out.push(RepositoryDiagnostic {
                rule: &Self::META,
                path: anchor(repo),
                span: None,
                message: format!(
                    "no Dependabot or Renovate configuration: {} dependencies are never updated automatically",
                    in_use.join(", ")
                ),
            });
            return;
        };
        let missing: Vec<&str> = in_use
            .iter()
            .copied()
            .filter(|eco| {
                !dependabot
                    .ecosystems
                    .iter()
                    .any(|(name, _)| updates(name, eco))
            })
            .collect();
        if !missing.is_empty() {
            out.push(RepositoryDiagnostic {
                rule: &Self::META,
                path: dependabot.path.clone(),
                span: dependabot.updates_span,
                message: format!(
                    "Dependabot does not update {} (in use here)",
                    missing.join(", ")
                ),
            });
        }
    }
}
