use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `insecure-external-code-execution: allow` in `.github/dependabot.yml`.
    ///
    /// ## Why is this bad?
    /// For ecosystems whose manifests can run code while they are resolved (Bundler's
    /// `Gemfile`, Mix, Python's `setup.py`), the setting lets Dependabot run that code, with
    /// the credentials of the private registries it is given. A dependency update can then
    /// carry code that reads those credentials.
    ///
    /// ## Example
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: bundler
    ///     directory: /
    ///     insecure-external-code-execution: allow
    ///     registries: "*"
    /// ```
    ///
    /// ## Use instead
    /// Remove the setting (the default is `deny`); vendor what resolution needs to run instead.
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: bundler
    ///     directory: /
    /// ```
    pub struct DependabotInsecureExecution {
        id: "GHA053",
        name: "dependabot-insecure-execution",
        severity: Warning,
        domain: GithubActions,
        summary: "Dependabot may run code from manifests (`insecure-external-code-execution: allow`)",
        help: "remove `insecure-external-code-execution: allow` (the default is `deny`)",
    }
}

impl Rule for DependabotInsecureExecution {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        let Some(dependabot) = &repo.dependabot else {
            return;
        };
        for (span, ecosystem) in &dependabot.insecure_execution {
            out.push(RepositoryDiagnostic {
                rule: &Self::META,
                path: dependabot.path.clone(),
                span: Some(*span),
                message: format!(
                    "Dependabot may run code from the `{ecosystem}` manifests while it resolves them, with the registries' credentials it is given"
                ),
            });
        }
    }
}
