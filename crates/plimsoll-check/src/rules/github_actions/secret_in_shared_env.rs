use plimsoll_actions::{Job, Uses, Workflow};
use plimsoll_syntax::yaml::{Entry, Node};

use super::common::expression_paths;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a secret (`${{ secrets.X }}`) set in a workflow's or a job's `env:` when a step
    /// that sees it runs another owner's action (`owner/repo@ref` outside `actions/` and
    /// `github/`, or `docker://`). `GITHUB_TOKEN` is left out: every action can read the job's
    /// token as `github.token` anyway.
    ///
    /// ## Why is this bad?
    /// A workflow- or job-level variable is in the environment of every step, so every action
    /// of the job can read the secret, whether it needs it or not. One compromised or
    /// malicious release of any of them (tj-actions/changed-files, March 2025, printed the
    /// runner's secrets into public logs) takes the secret with it.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   deploy:
    ///     env:
    ///       NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    ///     steps:
    ///       - uses: some-org/setup-tool@v1
    ///       - run: npm publish
    /// ```
    ///
    /// ## Use instead
    /// Give the secret to the step that uses it:
    /// ```yaml
    ///     steps:
    ///       - uses: some-org/setup-tool@v1
    ///       - run: npm publish
    ///         env:
    ///           NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    /// ```
    pub struct SecretInSharedEnv {
        id: "GHA044",
        name: "secret-in-shared-env",
        severity: Warning,
        domain: GithubActions,
        summary: "A secret in a workflow or job `env:` is visible to other owners' actions",
        help: "set the secret in the `env:` of the step that uses it",
        // Its findings point at an `env:` entry naming a secret, never at the secret's value.
        sensitive: false,
    }
}

/// The secret an `env:` value reads (`secrets.NPM_TOKEN`), `GITHUB_TOKEN` left out.
fn secret_read(value: &Node) -> Option<String> {
    let text = value.as_str()?;
    if !text.contains("secrets") {
        return None;
    }
    expression_paths(text).into_iter().find_map(|used| {
        let name = used.path.strip_prefix("secrets.")?;
        (name != "github_token").then(|| used.written.to_string())
    })
}

/// Other owners' actions among the steps of `job`, as written (`some-org/setup-tool@v1`).
fn third_party_actions<'a>(job: &Job<'a>) -> Vec<&'a str> {
    job.steps()
        .iter()
        .filter_map(|step| {
            let written = step.uses_node()?.as_str()?;
            match Uses::parse(written) {
                Uses::Docker { .. } => Some(written),
                Uses::Repository { owner, .. }
                    if !owner.eq_ignore_ascii_case("actions")
                        && !owner.eq_ignore_ascii_case("github") =>
                {
                    Some(written)
                }
                _ => None,
            }
        })
        .collect()
}

fn report(entry: &Entry, secret: &str, owner: &str, actions: &[&str], out: &mut Sink) {
    let mut shown: Vec<String> = actions.iter().take(3).map(|a| format!("`{a}`")).collect();
    if actions.len() > 3 {
        shown.push(format!("{} more", actions.len() - 3));
    }
    out.report(
        &SecretInSharedEnv::META,
        entry.key.span.cover(entry.value.span),
        format!(
            "`{secret}` is in the environment of every step of {owner}, other owners' actions included ({}): any of them can read it",
            shown.join(", ")
        ),
    );
}

fn env_secrets(node: &Node) -> Vec<(&Entry, String)> {
    node.get("env")
        .and_then(Node::as_mapping)
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| Some((entry, secret_read(&entry.value)?)))
        .collect()
}

impl Rule for SecretInSharedEnv {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let jobs = workflow.jobs();
        let workflow_secrets = env_secrets(workflow.root);
        if !workflow_secrets.is_empty() {
            let actions: Vec<&str> = jobs.iter().flat_map(third_party_actions).collect();
            if !actions.is_empty() {
                for (entry, secret) in &workflow_secrets {
                    report(entry, secret, "the workflow", &actions, out);
                }
            }
        }
        for job in &jobs {
            let secrets = env_secrets(job.node);
            if secrets.is_empty() {
                continue;
            }
            let actions = third_party_actions(job);
            if actions.is_empty() {
                continue;
            }
            for (entry, secret) in &secrets {
                report(entry, secret, &format!("job `{}`", job.id), &actions, out);
            }
        }
    }
}
