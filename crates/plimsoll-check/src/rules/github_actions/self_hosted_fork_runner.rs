use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a job that runs on a `self-hosted` runner in a workflow that runs on
    /// `pull_request`, the trigger a fork's pull request starts with its own code. A job whose
    /// `if:` looks at where the pull request comes from (`head.repo.fork`,
    /// `head.repo.full_name`) or at the event (`github.event_name`) is taken as guarded.
    ///
    /// ## Why is this bad?
    /// In a public repository anyone can open a pull request; once its workflow is approved to
    /// run (or right away for a previous contributor), the fork's code runs on your machine.
    /// Self-hosted runners are not wiped between jobs: the code can stay resident, read what
    /// later jobs leave (tokens, caches, credentials of the host) and reach your network.
    /// GitHub recommends never using self-hosted runners with public repositories.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request
    /// jobs:
    ///   test:
    ///     runs-on: [self-hosted, linux, gpu]
    /// ```
    ///
    /// ## Use instead
    /// Run pull requests on GitHub-hosted (or ephemeral, isolated) runners, and keep
    /// self-hosted runners for trusted events:
    /// ```yaml
    /// on: pull_request
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    /// ```
    pub struct SelfHostedForkRunner {
        id: "GHA039",
        name: "self-hosted-fork-runner",
        severity: Warning,
        domain: GithubActions,
        summary: "A self-hosted runner runs pull requests from forks",
        help: "run `pull_request` jobs on GitHub-hosted or ephemeral runners; keep self-hosted runners for trusted events",
    }
}

/// The `self-hosted` label among the runner labels of `runs-on` (a string, a list, or a
/// mapping with `labels:`).
fn self_hosted_label(runs_on: &Node) -> Option<&Node> {
    let is_label = |node: &&Node| {
        node.as_str()
            .is_some_and(|label| label.trim().eq_ignore_ascii_case("self-hosted"))
    };
    if is_label(&runs_on) {
        return Some(runs_on);
    }
    let labels = runs_on.get("labels").unwrap_or(runs_on);
    if is_label(&labels) {
        return Some(labels);
    }
    labels.as_sequence()?.iter().find(is_label)
}

/// Whether a job's `if:` keeps forks' pull requests out (or looks at the event at all).
fn guarded(job: &Node) -> bool {
    job.get("if")
        .and_then(Node::as_str)
        .is_some_and(|condition| {
            let condition = condition.to_ascii_lowercase();
            ["head.repo.fork", "head.repo.full_name", "github.event_name"]
                .iter()
                .any(|guard| condition.contains(guard))
        })
}

impl Rule for SelfHostedForkRunner {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        if !workflow.runs_on_event("pull_request") {
            return;
        }
        for job in workflow.jobs() {
            let Some(label) = job.runs_on().and_then(|r| self_hosted_label(r.value)) else {
                continue;
            };
            if guarded(job.node) {
                continue;
            }
            out.report(
                &SelfHostedForkRunner::META,
                label.span,
                format!(
                    "job `{}` runs on a self-hosted runner in a workflow that runs on `pull_request`: a fork's code can run on that machine and stay there",
                    job.id
                ),
            );
        }
    }
}
