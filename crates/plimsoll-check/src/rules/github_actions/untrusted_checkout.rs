use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::Node;

use super::common::is_action_slug;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a workflow triggered by `pull_request_target` or `workflow_run` that checks out the
    /// pull request's head (its `ref`, `sha` or fork repository) with `actions/checkout`.
    ///
    /// ## Why is this bad?
    /// These triggers run in the context of the base repository, with write permissions and
    /// secrets, even for pull requests from forks. Checking out and building the fork's code
    /// lets any outsider run code with those privileges ("pwn request").
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   test:
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///         with:
    ///           ref: ${{ github.event.pull_request.head.sha }}
    ///       - run: npm test
    /// ```
    ///
    /// ## Use instead
    /// Run untrusted code under `pull_request` (no secrets, read-only token), and keep
    /// `pull_request_target` for jobs that only label or comment without checking out the head.
    pub struct UntrustedCheckout {
        id: "GHA013",
        name: "untrusted-checkout",
        severity: Error,
        domain: GithubActions,
        summary: "A privileged trigger checks out untrusted pull request code",
        help: "use `on: pull_request` for jobs that build or run the contributed code",
    }
}

const HEAD_CONTEXTS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.number",
    "github.event.number",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
    "github.event.workflow_run.pull_requests.*.head.sha",
    "github.event.workflow_run.pull_requests.*.head.ref",
];

fn untrusted_value(node: &Node) -> Option<String> {
    let text = node.as_str()?;
    if text.contains("refs/pull/") {
        return Some(text.to_string());
    }
    for occurrence in expr::find(text) {
        let inner = &text[occurrence.inner.start..occurrence.inner.end];
        if let Ok(analysis) = expr::analyze(inner) {
            if let Some(path) = analysis
                .paths
                .iter()
                .find(|p| HEAD_CONTEXTS.contains(&p.path.as_str()))
            {
                return Some(path.path.clone());
            }
        }
    }
    None
}

impl Rule for UntrustedCheckout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(workflow) = scope.workflow else {
            return;
        };
        // The step first: listing the workflow's triggers allocates, and runs for every step.
        let is_checkout = scope
            .step
            .uses_node()
            .and_then(Node::as_str)
            .is_some_and(|u| is_action_slug(u, "actions/checkout"));
        if !is_checkout {
            return;
        }
        let trigger = ["pull_request_target", "workflow_run"]
            .into_iter()
            .find(|event| workflow.runs_on_event(event));
        let Some(trigger) = trigger else {
            return;
        };
        for input in ["ref", "repository"] {
            if let Some(node) = scope.step.with(input) {
                if let Some(what) = untrusted_value(node) {
                    out.report(
                        &Self::META,
                        node.span,
                        format!("`{trigger}` runs with secrets and a write token, and this checks out untrusted code (`{what}`)"),
                    );
                    return;
                }
            }
        }
    }
}
