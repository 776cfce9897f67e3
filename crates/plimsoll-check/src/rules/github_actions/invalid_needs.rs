use std::collections::HashMap;

use plimsoll_actions::Workflow;
use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `needs:` entries that name a job the workflow does not have, and dependency cycles
    /// between jobs (`a` needs `b`, which needs `a`). Job ids are compared case-insensitively, as
    /// GitHub does. Each cycle is reported once, at the `needs` entry that closes it.
    ///
    /// ## Why is this bad?
    /// GitHub rejects the whole workflow when a job needs an unknown job or when jobs depend on
    /// each other in a circle: no job of it runs, often after a rename that missed one `needs`.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   build:
    ///     runs-on: ubuntu-24.04
    ///     steps: [{ run: make }]
    ///   deploy:
    ///     needs: [biuld]
    ///     runs-on: ubuntu-24.04
    ///     steps: [{ run: make deploy }]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// jobs:
    ///   build:
    ///     runs-on: ubuntu-24.04
    ///     steps: [{ run: make }]
    ///   deploy:
    ///     needs: [build]
    ///     runs-on: ubuntu-24.04
    ///     steps: [{ run: make deploy }]
    /// ```
    pub struct InvalidNeeds {
        id: "GHA028",
        name: "invalid-needs",
        severity: Error,
        domain: GithubActions,
        summary: "`needs:` names a job that does not exist, or jobs depend on each other in a cycle",
        help: "name existing job ids in `needs:` and remove the dependency that closes the cycle",
    }
}

/// A job in the dependency graph.
struct Node<'a> {
    id: &'a str,
    /// Indexes of the jobs it needs, with the span of each `needs` entry.
    needs: Vec<(usize, Span)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    New,
    OnStack,
    Done,
}

/// Report every cycle found by a depth-first search, at the edge that closes it.
fn report_cycles(nodes: &[Node<'_>], out: &mut Sink) {
    let mut marks = vec![Mark::New; nodes.len()];
    for root in 0..nodes.len() {
        if marks[root] != Mark::New {
            continue;
        }
        // An explicit stack of (job, next edge to follow), so deep graphs cannot overflow.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        marks[root] = Mark::OnStack;
        while let Some(top) = stack.last_mut() {
            let (job, edge) = *top;
            top.1 += 1;
            let Some(&(target, span)) = nodes[job].needs.get(edge) else {
                marks[job] = Mark::Done;
                stack.pop();
                continue;
            };
            match marks[target] {
                Mark::New => {
                    marks[target] = Mark::OnStack;
                    stack.push((target, 0));
                }
                Mark::OnStack => {
                    let start = stack.iter().position(|(j, _)| *j == target).unwrap_or(0);
                    let mut path: Vec<&str> =
                        stack[start..].iter().map(|(j, _)| nodes[*j].id).collect();
                    path.push(nodes[target].id);
                    out.report(
                        &InvalidNeeds::META,
                        span,
                        format!(
                            "job `{}` closes a dependency cycle: {}",
                            nodes[job].id,
                            path.join(" -> ")
                        ),
                    );
                }
                Mark::Done => {}
            }
        }
    }
}

impl Rule for InvalidNeeds {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let jobs = workflow.jobs();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, job) in jobs.iter().enumerate() {
            index.entry(job.id.to_ascii_lowercase()).or_insert(i);
        }
        let mut nodes: Vec<Node<'_>> = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let mut needs = Vec::new();
            for (name, span) in job.needs() {
                if plimsoll_syntax::expr::contains_expression(name) {
                    continue;
                }
                match index.get(&name.to_ascii_lowercase()) {
                    Some(&target) => needs.push((target, span)),
                    None => {
                        let diagnostic = out.report(
                            &Self::META,
                            span,
                            format!(
                                "job `{}` needs `{name}`, which is not a job of this workflow",
                                job.id
                            ),
                        );
                        let known: Vec<String> = jobs
                            .iter()
                            .filter(|j| j.id != job.id)
                            .map(|j| format!("`{}`", j.id))
                            .collect();
                        if !known.is_empty() {
                            diagnostic.help(format!("the other jobs are {}", known.join(", ")));
                        }
                    }
                }
            }
            nodes.push(Node { id: job.id, needs });
        }
        report_cycles(&nodes, out);
    }
}
