use plimsoll_actions::{Job, Step, Uses, Workflow};
use plimsoll_syntax::yaml::{Entry, Node};

use super::common::expression_paths;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a secret (`${{ secrets.X }}`) set in a workflow's or a job's `env:` that a step
    /// reads (`$NPM_TOKEN` in a script, `${{ env.NPM_TOKEN }}` in an input) while other steps
    /// that see it run another owner's action (`owner/repo@ref` outside `actions/` and
    /// `github/`, or `docker://`) that does not read it. When no step reads it, an action reads
    /// it from its environment, and nothing is reported. `GITHUB_TOKEN` is left out: every
    /// action can read the job's token as `github.token` anyway.
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
    ///       - run: npm publish --token "$NPM_TOKEN"
    /// ```
    ///
    /// ## Use instead
    /// Give the secret to the step that uses it:
    /// ```yaml
    ///     steps:
    ///       - uses: some-org/setup-tool@v1
    ///       - run: npm publish --token "$NPM_TOKEN"
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

/// Whether `text` reads environment variable `name`: `$NAME`, `${NAME}`, `$env:NAME`,
/// `env.NAME` (in an expression) or `process.env.NAME`.
fn reads_variable(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = &text[..at];
        let after = &text[at + name.len()..];
        let whole = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        whole
            && (before.ends_with('$')
                || before.ends_with("${")
                || before.ends_with("env:")
                || before.ends_with("env.")
                || before.ends_with("ENV[\"")
                || before.ends_with("getenv(\""))
    })
}

/// Whether `step` reads variable `name` in its script or inputs.
fn step_reads(step: &Step<'_>, name: &str) -> bool {
    let script = step.run().and_then(Node::as_str).unwrap_or("");
    reads_variable(script, name)
        || step
            .inputs()
            .iter()
            .filter_map(|e| e.value.as_str())
            .any(|v| reads_variable(v, name))
}

/// Other owners' actions among the steps of `job` that do not read variable `name` themselves,
/// as written (`some-org/setup-tool@v1`), when some other step does read it: the secret is
/// needed, but not by them. When no step reads it, an action reads it from its environment
/// (`OCI_CLI_USER` for Oracle's actions): nothing to report.
fn actions_not_needing<'a>(jobs: &[Job<'a>], name: &str) -> Vec<&'a str> {
    let steps: Vec<Step<'a>> = jobs.iter().flat_map(Job::steps).collect();
    if !steps.iter().any(|step| step_reads(step, name)) {
        return Vec::new();
    }
    steps
        .iter()
        .filter(|step| !step_reads(step, name))
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
            "`{secret}` is in the environment of every step of {owner}, so other owners' actions that do not use it ({}) can read it too",
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
        for (entry, secret) in env_secrets(workflow.root) {
            let name = entry.key.as_str().unwrap_or("");
            let actions = actions_not_needing(&jobs, name);
            if !actions.is_empty() {
                report(entry, &secret, "the workflow", &actions, out);
            }
        }
        for job in &jobs {
            for (entry, secret) in env_secrets(job.node) {
                let name = entry.key.as_str().unwrap_or("");
                let actions = actions_not_needing(std::slice::from_ref(job), name);
                if !actions.is_empty() {
                    report(entry, &secret, &format!("job `{}`", job.id), &actions, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variables_in_every_spelling() {
        for text in [
            "npm publish --token $NPM_TOKEN",
            "x ${NPM_TOKEN}",
            "${{ env.NPM_TOKEN }}",
            "$env:NPM_TOKEN",
            "process.env.NPM_TOKEN",
        ] {
            assert!(reads_variable(text, "NPM_TOKEN"), "{text}");
        }
        assert!(!reads_variable("$NPM_TOKEN_FILE", "NPM_TOKEN"));
        assert!(!reads_variable("npm publish", "NPM_TOKEN"));
    }
}
