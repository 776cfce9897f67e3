use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{labelled_jobs, step_owner};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `ACTIONS_ALLOW_UNSECURE_COMMANDS` set in an `env:` of a workflow, a job or a step
    /// (composite actions' steps included), unless it is set to `false`.
    ///
    /// ## Why is this bad?
    /// It turns back on the `set-env` and `add-path` workflow commands, which GitHub disabled
    /// in 2020 (CVE-2020-15228): anything a step prints, such as an issue title or a test's
    /// output, can then set environment variables (`LD_PRELOAD`, `NODE_OPTIONS`) and `PATH` for
    /// every later step and run code in them.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   ACTIONS_ALLOW_UNSECURE_COMMANDS: true
    /// ```
    ///
    /// ## Use instead
    /// Remove the variable and write to the environment files:
    /// ```yaml
    /// - run: echo "TOOL_HOME=$HOME/tool" >> "$GITHUB_ENV"
    /// ```
    pub struct UnsecureCommands {
        id: "GHA033",
        name: "unsecure-commands",
        severity: Error,
        domain: GithubActions,
        summary: "`ACTIONS_ALLOW_UNSECURE_COMMANDS` re-enables `set-env` and `add-path`",
        help: "remove `ACTIONS_ALLOW_UNSECURE_COMMANDS`; write to `$GITHUB_ENV` and `$GITHUB_PATH` instead",
    }
}

const VARIABLE: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

fn check(owner: &str, node: &Node, out: &mut Sink) {
    let Some(env) = node.get("env").and_then(Node::as_mapping) else {
        return;
    };
    for entry in env {
        if entry.key.as_str() != Some(VARIABLE) {
            continue;
        }
        // Only an explicit false keeps the commands off; an expression may turn them on.
        let value = entry.value.as_str().unwrap_or("").trim();
        if entry.value.as_bool() == Some(false)
            || value.is_empty()
            || value.eq_ignore_ascii_case("false")
            || value == "0"
        {
            continue;
        }
        out.report(
            &UnsecureCommands::META,
            entry.key.span.cover(entry.value.span),
            format!("{owner} turns the disabled `set-env` and `add-path` commands back on: any printed text can then set variables and `PATH` for later steps"),
        );
    }
}

impl Rule for UnsecureCommands {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        check("the workflow", workflow.root, out);
        for (owner, node) in labelled_jobs(workflow) {
            check(&owner, node, out);
        }
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        check(&step_owner(&scope.step), scope.step.node, out);
    }
}
