use plimsoll_actions::Condition;
use plimsoll_syntax::yaml::Node;

use super::common::{job_and_step_rule, Owner};
use crate::declare_rule;
use crate::finding::Sink;

declare_rule! {
    /// ## What it does
    /// Flags a job or step whose `if:` can never be true: `if: false`, `if: ${{ false }}`,
    /// `if: 0`, `if: "''"`. The value is read as the runner reads it: `if: ''` is no condition
    /// (GitHub uses `success()`), and `"${{ false }} "` is a non-empty string, always true (see
    /// `always-true-condition`).
    ///
    /// ## Why is this bad?
    /// The job or step still appears in the workflow, so reviewers believe it runs, but it is
    /// skipped on every run: coverage is gone without anyone deleting anything.
    ///
    /// ## Example
    /// ```yaml
    /// integration:
    ///   if: false  # TODO re-enable
    ///   runs-on: ubuntu-24.04
    /// ```
    ///
    /// ## Use instead
    /// Remove the condition and fix what made the job fail, or delete the job in a reviewed
    /// change that says so.
    pub struct AlwaysFalseCondition {
        id: "GHA002",
        name: "always-false-condition",
        severity: Error,
        domain: GithubActions,
        summary: "A job or step is disabled with an always-false `if:`",
        help: "remove the always-false condition; disabling a job or step silently drops coverage",
    }
}

fn check(owner: Owner<'_>, node: &Node, out: &mut Sink) {
    if let Some(entry) = node.entry("if") {
        if Condition::of(&entry.value).is_always_false() {
            out.report(
                &AlwaysFalseCondition::META,
                entry.key.span.cover(entry.value.span),
                format!("{owner} is disabled: its `if:` is always false"),
            );
        }
    }
}

job_and_step_rule!(AlwaysFalseCondition, check);
