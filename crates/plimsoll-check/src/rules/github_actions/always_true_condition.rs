use plimsoll_actions::Condition;
use plimsoll_syntax::yaml::Node;

use super::common::{job_and_step_rule, Owner};
use crate::declare_rule;
use crate::finding::Sink;

declare_rule! {
    /// ## What it does
    /// Flags a job or step whose `if:` is always true because it is a string, not an
    /// expression: text, a space or a line break around `${{ … }}`. GitHub evaluates `if:` as
    /// one expression only when the value is exactly `${{ … }}`; otherwise it builds a string
    /// (`format('{0} ', false)`), and any non-empty string is true. The usual trap is a block
    /// scalar (`if: |`), which ends with a line break.
    ///
    /// ## Why is this bad?
    /// The condition looks like a guard (deploy only from `main`, only for maintainers) but the
    /// job or step runs on every event, forks and pull requests included.
    ///
    /// ## Example
    /// ```yaml
    /// - name: Deploy
    ///   if: |
    ///     ${{ github.ref == 'refs/heads/main' }}
    ///   run: ./deploy.sh
    /// ```
    ///
    /// ## Use instead
    /// Write the expression alone, or without `${{ }}` at all:
    /// ```yaml
    /// - name: Deploy
    ///   if: github.ref == 'refs/heads/main'
    ///   run: ./deploy.sh
    /// ```
    pub struct AlwaysTrueCondition {
        id: "GHA032",
        name: "always-true-condition",
        severity: Error,
        domain: GithubActions,
        summary: "An `if:` is a string around `${{ }}`, so it is always true",
        help: "write the expression alone (`if: ${{ cond }}` with nothing around it) or without `${{ }}`; use `|-` if it must be a block",
    }
}

/// How the text outside the expressions reads in a message.
fn describe(literal: &str) -> String {
    if literal.chars().all(|c| c == '\n' || c == '\r') {
        "a line break".to_string()
    } else if literal.trim().is_empty() {
        "white space".to_string()
    } else {
        format!("the text `{}`", literal.trim())
    }
}

fn check(owner: Owner<'_>, node: &Node, out: &mut Sink) {
    let Some(entry) = node.entry("if") else {
        return;
    };
    let Condition::Interpolated { literal } = Condition::of(&entry.value) else {
        return;
    };
    let Some(literal) = entry.value.as_str().and_then(|text| text.get(literal)) else {
        return;
    };
    out.report(
        &AlwaysTrueCondition::META,
        entry.key.span.cover(entry.value.span),
        format!(
            "{owner} always runs: its `if:` has {} outside `${{{{ }}}}`, so GitHub reads it as a non-empty string, which is true",
            describe(literal)
        ),
    );
}

job_and_step_rule!(AlwaysTrueCondition, check);
