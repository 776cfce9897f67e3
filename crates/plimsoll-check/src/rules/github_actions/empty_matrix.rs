use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `strategy.matrix` that produces no job: an empty mapping, a matrix with no axis
    /// and no `include` entries, or an axis whose list of values is empty (`os: []`). A matrix
    /// computed by an expression (`${{ fromJSON(needs.plan.outputs.matrix) }}`) is not judged.
    ///
    /// ## Why is this bad?
    /// GitHub refuses a matrix with an empty axis ("Matrix vector does not contain any values")
    /// and an empty matrix, so the job and everything that needs it never runs. It usually
    /// means a list was emptied while editing, or an axis lost its values in a merge.
    ///
    /// ## Example
    /// ```yaml
    /// strategy:
    ///   matrix:
    ///     os: []
    ///     toolchain: [stable, beta]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// strategy:
    ///   matrix:
    ///     os: [ubuntu-24.04, macos-15]
    ///     toolchain: [stable, beta]
    /// ```
    pub struct EmptyMatrix {
        id: "GHA030",
        name: "empty-matrix",
        severity: Error,
        domain: GithubActions,
        summary: "`strategy.matrix` produces no job: it or one of its axes is empty",
        help: "give every matrix axis at least one value, or remove the matrix",
    }
}

fn is_empty_sequence(node: &Node) -> bool {
    node.as_sequence().is_some_and(<[Node]>::is_empty)
}

impl Rule for EmptyMatrix {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            let Some(matrix) = job.matrix() else {
                continue;
            };
            let value = matrix.value;
            let Some(entries) = value.as_mapping() else {
                // An expression (or a type error, which is not this rule's business).
                continue;
            };
            if entries.is_empty() {
                out.report(
                    &Self::META,
                    value.span,
                    format!(
                        "the matrix of job `{}` is empty: the job would run for no combination",
                        job.id
                    ),
                );
                continue;
            }
            let mut axes = 0;
            let mut combinations_added = false;
            for entry in entries {
                let Some(key) = entry.key.as_str() else {
                    continue;
                };
                match key {
                    "include" => {
                        if is_empty_sequence(&entry.value) {
                            continue;
                        }
                        combinations_added = true;
                    }
                    "exclude" | "<<" => {}
                    _ => {
                        axes += 1;
                        if is_empty_sequence(&entry.value) {
                            out.report(
                                &Self::META,
                                entry.value.span,
                                format!(
                                    "matrix axis `{key}` of job `{}` has no values: GitHub rejects an empty matrix vector",
                                    job.id
                                ),
                            );
                        }
                    }
                }
            }
            if axes == 0
                && !combinations_added
                && !entries.iter().any(|e| e.key.as_str() == Some("<<"))
            {
                out.report(
                    &Self::META,
                    matrix.key.span,
                    format!(
                        "the matrix of job `{}` has no axis and no `include` entry: the job would run for no combination",
                        job.id
                    ),
                );
            }
        }
    }
}
