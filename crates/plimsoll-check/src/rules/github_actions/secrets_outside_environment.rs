use std::collections::HashSet;

use plimsoll_actions::{Job, Workflow};
use plimsoll_syntax::yaml::{Node, NodeKind};

use super::common::{
    contains_ignore_ascii_case, expression_paths, matches_wildcard, Owner, ValueSpans,
};

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags a job that reads a secret (`secrets.API_KEY`, anything but
    /// `secrets.GITHUB_TOKEN`) without naming a deployment `environment:`. A secret read in the
    /// workflow's own `env:` is flagged when a job without an environment inherits it. Jobs
    /// that call a reusable workflow are left out: the called workflow's jobs choose their
    /// environment. Secrets the project accepts anywhere are listed in `plimsoll.toml`:
    /// ```toml
    /// [github-actions]
    /// secrets-outside-environment = ["CODECOV_TOKEN", "NPM_*"]
    /// ```
    ///
    /// ## Why is this bad?
    /// Repository and organization secrets are handed to every job of every workflow run that
    /// names them, whatever branch or event started it. Secrets stored in an environment reach
    /// only the jobs that name that environment, and only once its protection rules (required
    /// reviewers, allowed branches, a wait timer) are met: a workflow changed on a feature
    /// branch cannot read the production credentials. This is hardening, not a flaw in itself,
    /// hence strict mode.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   deploy:
    ///     runs-on: ubuntu-24.04
    ///     steps:
    ///       - run: ./deploy.sh
    ///         env:
    ///           API_KEY: ${{ secrets.API_KEY }}
    /// ```
    ///
    /// ## Use instead
    /// Move the secret into an environment's secrets (and out of the repository's), and name
    /// the environment in the job:
    /// ```yaml
    /// jobs:
    ///   deploy:
    ///     runs-on: ubuntu-24.04
    ///     environment: production
    ///     steps:
    ///       - run: ./deploy.sh
    ///         env:
    ///           API_KEY: ${{ secrets.API_KEY }}
    /// ```
    pub struct SecretsOutsideEnvironment {
        id: "GHA065",
        name: "secrets-outside-environment",
        severity: Note,
        domain: GithubActions,
        summary: "A job reads a secret without a deployment `environment:` to scope it",
        help: "store the secret in an environment and set `environment:` on the job, or list it under `secrets-outside-environment` in `plimsoll.toml`",
        strict_only: true,
        // Its findings point at a reference to a secret, never at a credential's text.
        sensitive: false,
    }
}

/// Whether `job` names a deployment environment.
fn has_environment(job: &Job<'_>) -> bool {
    job.node
        .get("environment")
        .is_some_and(|env| match &env.kind {
            NodeKind::Scalar { value, .. } => !value.trim().is_empty(),
            NodeKind::Mapping(_) => env.get("name").is_some(),
            NodeKind::Sequence(_) => false,
        })
}

/// Report each secret read under `node` once per owner, but the accepted ones.
struct Reader<'a, 'c> {
    cx: &'a Context<'c>,
    accepted: &'a [String],
    seen: HashSet<String>,
}

impl Reader<'_, '_> {
    fn walk(&mut self, owner: &Owner<'_>, node: &Node, out: &mut Sink) {
        match &node.kind {
            NodeKind::Mapping(entries) => {
                for entry in entries {
                    self.walk(owner, &entry.value, out);
                }
            }
            NodeKind::Sequence(items) => {
                for item in items {
                    self.walk(owner, item, out);
                }
            }
            NodeKind::Scalar { value, .. } => {
                if !plimsoll_syntax::expr::contains_expression(value)
                    || !contains_ignore_ascii_case(value, "secrets.")
                {
                    return;
                }
                let mut spans = ValueSpans::new(node);
                for used in expression_paths(value) {
                    let mut parts = used.path.split('.');
                    if parts.next() != Some("secrets") {
                        continue;
                    }
                    let Some(name) = parts.next().filter(|n| *n != "*") else {
                        continue; // overprovisioned-secrets reports whole-context reads
                    };
                    if name == "github_token"
                        || self
                            .accepted
                            .iter()
                            .any(|p| matches_wildcard(&p.to_ascii_lowercase(), name))
                        || !self.seen.insert(name.to_string())
                    {
                        continue;
                    }
                    out.report(
                        &SecretsOutsideEnvironment::META,
                        spans.locate(self.cx.text(), used.range),
                        format!(
                            "{owner} reads `{}` without a deployment `environment:`: a repository or organization secret reaches every run, unguarded by an environment's protection rules",
                            used.written
                        ),
                    );
                }
            }
        }
    }
}

impl Rule for SecretsOutsideEnvironment {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let accepted = &cx.settings.github_actions.secrets_outside_environment;
        let unscoped: Vec<Job<'_>> = workflow
            .jobs()
            .into_iter()
            .filter(|job| job.node.get("uses").is_none() && !has_environment(job))
            .collect();
        if unscoped.is_empty() {
            return;
        }
        if let Some(env) = workflow.root.get("env") {
            let mut reader = Reader {
                cx,
                accepted,
                seen: HashSet::new(),
            };
            reader.walk(&Owner::Workflow, env, out);
        }
        for job in unscoped {
            let mut reader = Reader {
                cx,
                accepted,
                seen: HashSet::new(),
            };
            reader.walk(&Owner::Job(job.id), job.node, out);
        }
    }
}
