use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{defaults_shell, is_action_slug, labelled_jobs, step_owner};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags features of GitHub Actions that work but are discouraged: `shell: cmd` (on a step,
    /// or under `defaults.run`), and the `pip-install` input of `actions/setup-python`.
    ///
    /// ## Why is this bad?
    /// `cmd` scripts have no grammar worth the name: quoting, `%` expansion of expressions'
    /// values and line continuations make injection easy and review (human or tool) unreliable,
    /// and `cmd` has not been the default Windows shell since 2019. `pip-install` installs
    /// packages into the runner's global Python, where they mix with whatever the image ships
    /// and behave differently from one runner image or Python version to the next.
    ///
    /// ## Example
    /// ```yaml
    /// - run: build.bat %CONFIGURATION%
    ///   shell: cmd
    /// - uses: actions/setup-python@v6
    ///   with:
    ///     python-version: "3.13"
    ///     pip-install: -r requirements.txt
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: ./build.ps1 $env:CONFIGURATION
    ///   shell: pwsh
    /// - uses: actions/setup-python@v6
    ///   with:
    ///     python-version: "3.13"
    /// - run: python -m venv .venv && .venv/bin/pip install -r requirements.txt
    /// ```
    pub struct DiscouragedFeature {
        id: "GHA058",
        name: "discouraged-feature",
        severity: Note,
        domain: GithubActions,
        summary: "A discouraged GitHub Actions feature: `shell: cmd`, setup-python's `pip-install`",
        help: "use `shell: pwsh` or `bash` instead of `cmd`, and install Python packages into a virtual environment",
    }
}

fn is_cmd(shell: &Node) -> bool {
    shell
        .as_str()
        .is_some_and(|s| matches!(s.trim().to_ascii_lowercase().as_str(), "cmd" | "cmd.exe"))
}

fn check_shell(owner: &dyn std::fmt::Display, shell: Option<&Node>, out: &mut Sink) {
    if let Some(shell) = shell.filter(|s| is_cmd(s)) {
        out.report(
            &DiscouragedFeature::META,
            shell.span,
            format!("{owner} runs its scripts with `cmd`, whose quoting and `%` expansion make injection easy and review unreliable"),
        );
    }
}

impl Rule for DiscouragedFeature {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        check_shell(
            &"the workflow's `defaults.run`",
            defaults_shell(workflow.root),
            out,
        );
        for (owner, job) in labelled_jobs(workflow) {
            check_shell(
                &format_args!("`defaults.run` of {owner}"),
                defaults_shell(job),
                out,
            );
        }
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let step = &scope.step;
        if step.run().is_some() {
            check_shell(&step_owner(step), step.node.get("shell"), out);
        }
        let Some(uses) = step.uses_node().and_then(Node::as_str) else {
            return;
        };
        if !is_action_slug(uses, "actions/setup-python") {
            return;
        }
        if let Some(input) = step
            .inputs()
            .iter()
            .find(|entry| entry.key.as_str() == Some("pip-install"))
        {
            out.report(
                &DiscouragedFeature::META,
                input.key.span,
                format!("{} installs Python packages into the runner's global Python with `pip-install`, where they mix with the image's own", step_owner(step)),
            );
        }
    }
}
