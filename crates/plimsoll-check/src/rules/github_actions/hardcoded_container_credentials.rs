use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `password` under `credentials` of a job's `container` or of a service that is
    /// written as a literal, not an expression (`${{ secrets.REGISTRY_PASSWORD }}`).
    ///
    /// ## Why is this bad?
    /// The workflow file is readable by everyone who can read the repository, and by every
    /// fork. A registry password written there is public, and it stays in the history after it
    /// is removed.
    ///
    /// ## Example
    /// ```yaml
    /// container:
    ///   image: registry.example.com/build:1.4
    ///   credentials:
    ///     username: ci
    ///     password: hunter2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///   credentials:
    ///     username: ci
    ///     password: ${{ secrets.REGISTRY_PASSWORD }}
    /// ```
    pub struct HardcodedContainerCredentials {
        id: "GHA047",
        name: "hardcoded-container-credentials",
        severity: Error,
        domain: GithubActions,
        summary: "A container or service registry password is written in the workflow",
        help: "read the password from a secret: `password: ${{ secrets.REGISTRY_PASSWORD }}`",
    }
}

fn check(owner: &str, container: &Node, out: &mut Sink) {
    let Some(password) = container.get("credentials").and_then(|c| c.get("password")) else {
        return;
    };
    let Some(text) = password.as_str() else {
        return;
    };
    if text.trim().is_empty() || plimsoll_syntax::expr::contains_expression(text) {
        return;
    }
    out.report(
        &HardcodedContainerCredentials::META,
        password.span,
        format!("the registry password of {owner} is written in the workflow, readable by anyone who can read the repository"),
    );
}

impl Rule for HardcodedContainerCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            if let Some(container) = job.node.get("container") {
                check(&format!("job `{}`'s container", job.id), container, out);
            }
            for service in job
                .node
                .get("services")
                .and_then(Node::as_mapping)
                .unwrap_or_default()
            {
                let name = service.key.as_str().unwrap_or("?");
                check(
                    &format!("service `{name}` of job `{}`", job.id),
                    &service.value,
                    out,
                );
            }
        }
    }
}
