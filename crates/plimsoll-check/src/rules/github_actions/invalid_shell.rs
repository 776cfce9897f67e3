use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{defaults_shell, labelled_jobs, step_owner};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a `shell:` (of a step, or under `defaults.run` of a workflow or job) that GitHub
    /// does not know: not one of `bash`, `sh`, `pwsh`, `powershell`, `cmd` and `python`, and not
    /// a custom command with the `{0}` placeholder for the script file (`perl {0}`).
    ///
    /// ## Why is this bad?
    /// The job fails when it reaches the step, after the jobs before it have run: `shell: zsh`
    /// or `shell: bash -e` (without `{0}`) is a typo that only shows on the runner.
    ///
    /// ## Example
    /// ```yaml
    /// - run: ./build.sh
    ///   shell: bash -eo pipefail
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: ./build.sh
    ///   shell: bash -eo pipefail {0}
    /// ```
    pub struct InvalidShell {
        id: "GHA052",
        name: "invalid-shell",
        severity: Error,
        domain: GithubActions,
        summary: "A `shell:` that GitHub does not know, or a custom shell without `{0}`",
        help: "use `bash`, `sh`, `pwsh`, `powershell`, `cmd` or `python`, or a command with `{0}` where the script file goes",
    }
}

/// The shells GitHub Actions runs by name (workflow syntax, `jobs.<id>.steps[*].shell`).
const SHELLS: &[&str] = &["bash", "sh", "pwsh", "powershell", "cmd", "python"];

fn check(owner: &dyn std::fmt::Display, shell: Option<&Node>, out: &mut Sink) {
    let Some(node) = shell else {
        return;
    };
    let Some(value) = node.as_str() else {
        return;
    };
    let value = value.trim();
    if plimsoll_syntax::expr::contains_expression(value)
        || SHELLS.contains(&value)
        || value.contains("{0}")
    {
        return;
    }
    let message = if value.contains(' ') {
        format!("the custom shell `{value}` of {owner} has no `{{0}}`: GitHub needs it to know where the script file goes")
    } else {
        format!("{owner} asks for the shell `{value}`, which GitHub does not know (a custom shell is a command with `{{0}}`: `{value} {{0}}`)")
    };
    out.report(&InvalidShell::META, node.span, message);
}

impl Rule for InvalidShell {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        check(
            &"the workflow's `defaults.run`",
            defaults_shell(workflow.root),
            out,
        );
        for (owner, node) in labelled_jobs(workflow) {
            check(
                &format_args!("`defaults.run` of {owner}"),
                defaults_shell(node),
                out,
            );
        }
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        if scope.step.run().is_some() {
            check(&step_owner(&scope.step), scope.step.node.get("shell"), out);
        }
    }
}
