use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `continue-on-error: true` on a job or a step. A matrix-driven value such as
    /// `continue-on-error: ${{ matrix.experimental }}` is reported as a note: it is acceptable
    /// only for matrix entries deliberately marked experimental.
    ///
    /// ## Why is this bad?
    /// The job or step fails, the run shows green, and the failure is never seen again. It is
    /// the quietest way to lose CI coverage while "fixing" a red build.
    ///
    /// ## Example
    /// ```yaml
    /// - name: Test
    ///   run: cargo test --workspace
    ///   continue-on-error: true
    /// ```
    ///
    /// ## Use instead
    /// Fix or quarantine the failure explicitly (a tracked issue and a `#[ignore]` with a
    /// reason), and let the step fail the build:
    /// ```yaml
    /// - name: Test
    ///   run: cargo test --workspace
    /// ```
    pub struct ContinueOnError {
        id: "GHA001",
        name: "continue-on-error",
        severity: Error,
        domain: GithubActions,
        summary: "`continue-on-error: true` hides failures",
        help: "remove `continue-on-error` and fix the failure, or mark only experimental matrix entries",
    }
}

impl ContinueOnError {
    fn check(owner: &str, node: &Node, out: &mut Sink) {
        let Some(entry) = node.entry("continue-on-error") else {
            return;
        };
        let value = &entry.value;
        if value.as_bool() == Some(true) {
            out.report(
                &Self::META,
                entry.key.span.cover(value.span),
                format!(
                    "{owner} sets `continue-on-error: true`: its failures will not fail the run"
                ),
            );
        } else if let Some(text) = value.as_str().filter(|t| t.contains("${{")) {
            let matrix_driven = text.contains("matrix.");
            let diagnostic = out.report(
                &Self::META,
                entry.key.span.cover(value.span),
                if matrix_driven {
                    format!("{owner} may continue on error for some matrix entries: make sure only experimental ones are marked")
                } else {
                    format!("{owner} decides `continue-on-error` from an expression: failures may be hidden")
                },
            );
            if matrix_driven {
                diagnostic.severity(Severity::Note);
            }
        }
    }
}

impl Rule for ContinueOnError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            Self::check(&format!("job `{}`", job.id), job.node, out);
        }
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        Self::check(
            &format!("step `{}`", scope.step.label()),
            scope.step.node,
            out,
        );
    }
}
