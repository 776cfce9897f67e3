use std::collections::HashMap;

use plimsoll_actions::{Action, Step, Workflow};
use plimsoll_syntax::yaml::Node;

use super::common::Owner;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a step whose `id` repeats the id of an earlier step of the same job (or of the same
    /// composite action). Ids that differ only in case are the same id to GitHub.
    ///
    /// ## Why is this bad?
    /// GitHub rejects the workflow: step ids name `steps.<id>.outputs`, so they must be unique
    /// within a job. Copy-pasted steps are the usual cause, and the error only shows up when the
    /// run is refused.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - id: version
    ///     run: echo "value=$(cat VERSION)" >> "$GITHUB_OUTPUT"
    ///   - id: Version
    ///     run: echo "value=$(git describe)" >> "$GITHUB_OUTPUT"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// steps:
    ///   - id: version
    ///     run: echo "value=$(cat VERSION)" >> "$GITHUB_OUTPUT"
    ///   - id: describe
    ///     run: echo "value=$(git describe)" >> "$GITHUB_OUTPUT"
    /// ```
    pub struct DuplicateStepId {
        id: "GHA029",
        name: "duplicate-step-id",
        severity: Error,
        domain: GithubActions,
        summary: "Two steps of the same job share an `id`",
        help: "give each step of a job its own `id` (ids are compared case-insensitively)",
    }
}

impl DuplicateStepId {
    /// `owner` is written out only for a finding: most jobs have none.
    fn check(cx: &Context<'_>, steps: &[Step<'_>], owner: &dyn std::fmt::Display, out: &mut Sink) {
        let mut seen: HashMap<String, &Node> = HashMap::new();
        for step in steps {
            let Some(id_node) = step.node.get("id") else {
                continue;
            };
            let Some(id) = id_node.as_str() else {
                continue;
            };
            if id.is_empty() || plimsoll_syntax::expr::contains_expression(id) {
                continue;
            }
            match seen.get(&id.to_ascii_lowercase()) {
                Some(first) => {
                    let line = cx.source.line_col(first.span.start).line;
                    let first_id = first.as_str().unwrap_or(id);
                    let message = if first_id == id {
                        format!(
                            "step id `{id}` is already used in {owner} by the step on line {line}"
                        )
                    } else {
                        format!(
                            "step id `{id}` is already used in {owner} as `{first_id}` by the step on line {line} (step ids are case-insensitive)"
                        )
                    };
                    out.report(&Self::META, id_node.span, message);
                }
                None => {
                    seen.insert(id.to_ascii_lowercase(), id_node);
                }
            }
        }
    }
}

impl Rule for DuplicateStepId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            Self::check(cx, &job.steps(), &Owner::Job(job.id), out);
        }
    }

    fn check_action(&self, cx: &Context<'_>, action: Action<'_>, out: &mut Sink) {
        Self::check(cx, &action.steps(), &"the composite action", out);
    }
}
