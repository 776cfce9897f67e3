use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a `run:` script that writes `$GITHUB_ENV` or `$GITHUB_PATH` in a workflow that runs
    /// on `pull_request_target` or `workflow_run`, the triggers that run with the base
    /// repository's secrets and a write token while handling a fork's pull request.
    ///
    /// ## Why is this bad?
    /// Every later step of the job reads those files. When what is written comes from the pull
    /// request (a file of its checkout, a downloaded artifact, a branch name), its author can
    /// add lines of their own: `BASH_ENV`, `LD_PRELOAD` or `NODE_OPTIONS` to run code in the
    /// next step, or a `PATH` entry that shadows `git` or `gh`, with the workflow's secrets.
    ///
    /// ## Example
    /// ```yaml
    /// on: workflow_run
    /// # …
    ///       - run: echo "PR_NUMBER=$(cat pr/number)" >> "$GITHUB_ENV"
    /// ```
    ///
    /// ## Use instead
    /// Pass the value as a step output or read it in the step that uses it, after checking it:
    /// ```yaml
    ///       - id: pr
    ///         run: |
    ///           number=$(cat pr/number)
    ///           [[ "$number" =~ ^[0-9]+$ ]] && echo "number=$number" >> "$GITHUB_OUTPUT"
    /// ```
    pub struct PrivilegedEnvWrite {
        id: "GHA038",
        name: "privileged-env-write",
        severity: Warning,
        domain: GithubActions,
        summary: "`$GITHUB_ENV` or `$GITHUB_PATH` written in a `pull_request_target` or `workflow_run` workflow",
        help: "use step outputs (`$GITHUB_OUTPUT`) for values that come from the pull request, validated first",
    }
}

/// The triggers that run a fork's pull request with the base repository's privileges.
const PRIVILEGED_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run"];

/// Byte ranges of `$GITHUB_ENV` / `${GITHUB_ENV}` / `$env:GITHUB_ENV` (and `GITHUB_PATH`) in
/// `script`, with the file named.
fn env_file_references(script: &str) -> Vec<(Span, &'static str)> {
    let mut found = Vec::new();
    for file in ["GITHUB_ENV", "GITHUB_PATH"] {
        let mut from = 0;
        while let Some(at) = script[from..].find(file) {
            let start = from + at;
            let end = start + file.len();
            from = end;
            let before = &script[..start];
            let referenced = before.ends_with('$')
                || before.ends_with("${")
                || before.to_ascii_lowercase().ends_with("$env:");
            // `$GITHUB_ENVIRONMENT` is another variable.
            let whole = !script[end..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if referenced && whole {
                found.push((Span::new(start, end), file));
            }
        }
    }
    found.sort_by_key(|(span, _)| span.start);
    found
}

impl Rule for PrivilegedEnvWrite {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(workflow) = scope.workflow else {
            return;
        };
        let Some(text) = scope.step.run().and_then(|run| run.as_str()) else {
            return;
        };
        if !text.contains("GITHUB_ENV") && !text.contains("GITHUB_PATH") {
            return;
        }
        let triggers = workflow.triggers();
        let Some(trigger) = triggers
            .iter()
            .find(|t| PRIVILEGED_TRIGGERS.contains(&t.event))
        else {
            return;
        };
        let Some(script) = scope.script() else {
            return;
        };
        for (span, file) in env_file_references(text) {
            out.report(
                &PrivilegedEnvWrite::META,
                script.source_span(cx.text(), span),
                format!(
                    "step `{}` writes `${file}` in a workflow that runs on `{}`: a line that comes from the pull request can set variables or `PATH` for the later steps, with this workflow's secrets",
                    scope.step.label(),
                    trigger.event
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_to_the_files() {
        let spans = |s: &str| {
            env_file_references(s)
                .into_iter()
                .map(|(span, file)| (span.start, file))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            spans("echo a=b >> \"$GITHUB_ENV\""),
            vec![(14, "GITHUB_ENV")]
        );
        assert_eq!(
            spans("echo dir >> ${GITHUB_PATH}"),
            vec![(14, "GITHUB_PATH")]
        );
        assert_eq!(
            spans("'a=b' | Out-File $env:GITHUB_ENV -Append"),
            vec![(22, "GITHUB_ENV")]
        );
        assert!(spans("echo $GITHUB_ENVIRONMENT GITHUB_ENV").is_empty());
    }
}
