use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{is_action_slug, step_owner, workflow_and_jobs, ValueSpans};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `ACTIONS_ALLOW_UNSECURE_COMMANDS` set in an `env:` of a workflow, a job or a step
    /// (composite actions' steps included), unless it is set to `false`, and the same variable
    /// written for the later steps: a `run:` line that appends `ACTIONS_ALLOW_UNSECURE_COMMANDS=…`
    /// to `$GITHUB_ENV`, or `core.exportVariable('ACTIONS_ALLOW_UNSECURE_COMMANDS', …)` in an
    /// `actions/github-script` script.
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

/// Whether a value written for the variable keeps the commands off.
fn is_off(value: &str) -> bool {
    let value = value.trim().trim_matches(['"', '\'']).trim();
    value.is_empty() || value.eq_ignore_ascii_case("false") || value == "0"
}

/// Byte ranges of the variable's name where `script` writes it for the later steps: on a line
/// that appends to `$GITHUB_ENV` (`echo "ACTIONS_ALLOW_UNSECURE_COMMANDS=true" >> …`), or in
/// `core.exportVariable(…)`, with a value that is not off.
fn environment_file_writes(script: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in script.split_inclusive('\n') {
        let exported = line.contains("exportVariable(");
        if line.contains("GITHUB_ENV") || exported {
            for (at, _) in line.match_indices(VARIABLE) {
                let after = &line[at + VARIABLE.len()..];
                let value = if exported {
                    after
                        .trim_start_matches(['"', '\'', '`'])
                        .trim_start()
                        .strip_prefix(',')
                        .map(|v| v.split(')').next().unwrap_or(v))
                } else {
                    after
                        .strip_prefix('=')
                        .map(|v| v.split(">>").next().unwrap_or(v))
                };
                if value.is_some_and(|v| !is_off(v)) {
                    found.push(line_start + at..line_start + at + VARIABLE.len());
                }
            }
        }
        line_start += line.len();
    }
    found
}

fn check_scripts(cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
    let script_input = scope
        .step
        .uses_node()
        .and_then(Node::as_str)
        .filter(|uses| is_action_slug(uses, "actions/github-script"))
        .and_then(|_| scope.step.with("script"));
    for node in [scope.step.run(), script_input].into_iter().flatten() {
        let Some(text) = node.as_str().filter(|t| t.contains(VARIABLE)) else {
            continue;
        };
        let mut spans = ValueSpans::new(node);
        for range in environment_file_writes(text) {
            out.report(
                &UnsecureCommands::META,
                spans.locate(cx.text(), range),
                format!(
                    "{} writes `{VARIABLE}` for the later steps, turning the disabled `set-env` and `add-path` commands back on: any printed text can then set variables and `PATH` for them",
                    step_owner(&scope.step)
                ),
            );
        }
    }
}

fn check(owner: &dyn std::fmt::Display, node: &Node, out: &mut Sink) {
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
        for (owner, node) in workflow_and_jobs(workflow) {
            check(&owner, node, out);
        }
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        check(&step_owner(&scope.step), scope.step.node, out);
        check_scripts(cx, scope, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_writes_to_the_environment_file() {
        let script = "echo \"ACTIONS_ALLOW_UNSECURE_COMMANDS=true\" >> \"$GITHUB_ENV\"\n\
                      echo ACTIONS_ALLOW_UNSECURE_COMMANDS=false >> $GITHUB_ENV\n\
                      echo ACTIONS_ALLOW_UNSECURE_COMMANDS=true\n";
        assert_eq!(environment_file_writes(script), vec![6..37]);
        assert_eq!(
            environment_file_writes(
                "core.exportVariable('ACTIONS_ALLOW_UNSECURE_COMMANDS', 'true')"
            ),
            vec![21..52]
        );
        assert!(environment_file_writes(
            "core.exportVariable('ACTIONS_ALLOW_UNSECURE_COMMANDS', 'false')"
        )
        .is_empty());
    }
}
