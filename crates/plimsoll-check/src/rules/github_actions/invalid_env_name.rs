use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{labelled_jobs, step_owner};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags names under `env:` (of the workflow, a job, a step, a job's `container` or one of
    /// its `services`) that an environment variable cannot carry: empty, or holding `=`, white
    /// space or a control character.
    ///
    /// ## Why is this bad?
    /// An environment entry is `NAME=value`: a name with `=` is cut at the first `=` (the
    /// program sees another variable, with the rest of the name glued to the value), and no
    /// shell can read a name with a space (`$FOO BAR` is `$FOO` followed by the word `BAR`).
    /// The value the step was meant to see is silently missing.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   NODE OPTIONS: --max-old-space-size=4096
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   NODE_OPTIONS: --max-old-space-size=4096
    /// ```
    pub struct InvalidEnvName {
        id: "GHA056",
        name: "invalid-env-name",
        severity: Error,
        domain: GithubActions,
        summary: "An `env:` name with `=`, white space or a control character",
        help: "name environment variables with letters, digits and `_`",
    }
}

fn check_env(owner: &dyn std::fmt::Display, env: Option<&Node>, out: &mut Sink) {
    let Some(entries) = env.and_then(Node::as_mapping) else {
        return;
    };
    for entry in entries {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        // `${{ }}` in a key is an expression GitHub evaluates; `<<` a YAML merge key.
        if name.contains("${{") || name == "<<" {
            continue;
        }
        let fault = if name.is_empty() {
            Some("is empty")
        } else if name.contains('=') {
            Some("holds `=`, where the environment cuts a name from its value")
        } else if name.chars().any(char::is_whitespace) {
            Some("holds white space, so no shell can read it")
        } else if name.chars().any(char::is_control) {
            Some("holds a control character")
        } else {
            None
        };
        if let Some(fault) = fault {
            out.report(
                &InvalidEnvName::META,
                entry.key.span,
                format!("the environment variable name `{name}` of {owner} {fault}"),
            );
        }
    }
}

impl Rule for InvalidEnvName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        check_env(&"the workflow", workflow.root.get("env"), out);
        for (owner, job) in labelled_jobs(workflow) {
            check_env(&owner, job.get("env"), out);
            if let Some(container) = job.get("container") {
                check_env(
                    &format!("the container of {owner}"),
                    container.get("env"),
                    out,
                );
            }
            for service in job
                .get("services")
                .and_then(Node::as_mapping)
                .unwrap_or_default()
            {
                let name = service.key.as_str().unwrap_or("?");
                check_env(
                    &format!("service `{name}` of {owner}"),
                    service.value.get("env"),
                    out,
                );
            }
        }
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        check_env(&step_owner(&scope.step), scope.step.node.get("env"), out);
    }
}
