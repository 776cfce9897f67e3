use plimsoll_actions::Workflow;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags the `pull_request_target` and `workflow_run` triggers, wherever a workflow uses
    /// them (`untrusted-checkout` covers the worst case: checking out the pull request's code
    /// under them).
    ///
    /// ## Why is this bad?
    /// Both run in the base repository's context, with its secrets, caches and token (with the
    /// workflow's permissions, not a fork's read-only ones), for events a fork's pull request
    /// causes. Anything the workflow takes from the
    /// pull request (its code, an artifact it built, a branch name, a cache it filled) runs or
    /// is read with those privileges; almost every published "pwn request" went through one
    /// of them. They are rarely needed: labelling and commenting work from `pull_request` with
    /// `permissions:`, or from a separate workflow that reads no pull request data.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// on: pull_request
    /// permissions:
    ///   contents: read
    ///   pull-requests: write
    /// ```
    pub struct DangerousTrigger {
        id: "GHA041",
        name: "dangerous-trigger",
        severity: Note,
        domain: GithubActions,
        summary: "`pull_request_target` or `workflow_run` runs privileged for forks' events",
        help: "use `pull_request` with explicit `permissions:`; if the trigger is needed, read no code, artifact or text from the pull request",
    }
}

impl Rule for DangerousTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for trigger in workflow.triggers() {
            let why = match trigger.event {
                "pull_request_target" => "runs with the base repository's secrets and token (not a fork's read-only one) for pull requests from forks",
                "workflow_run" => "runs with the repository's secrets and token after a run that a fork's pull request may have started, often reading what that run left (artifacts, branch names)",
                _ => continue,
            };
            out.report(
                &DangerousTrigger::META,
                trigger.span,
                format!("`{}` {why}", trigger.event),
            );
        }
    }
}
