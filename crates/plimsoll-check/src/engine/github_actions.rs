//! Running the GitHub Actions rules over a workflow, an action or Dependabot configuration.

use std::path::Path;

use plimsoll_actions::{Action, Workflow};
use plimsoll_syntax::yaml::{Document, Node};
use plimsoll_syntax::Span;

use crate::finding::Sink;
use crate::repository::{CiFileFacts, DependabotFacts};
use crate::rule::{Context, Rule, StepScope};

/// Run the rules over a workflow; its facts for the repository rules are collected only when
/// `facts_wanted` (the file was found in a directory target): a file named on its own belongs
/// to no repository the run checks, and its facts would be built only to be dropped.
pub(super) fn run_workflow_rules(
    cx: &Context<'_>,
    rules: &[&'static dyn Rule],
    sink: &mut Sink,
    facts_wanted: bool,
) -> CiFileFacts {
    let mut facts = CiFileFacts::new(cx.source.path());
    let Some(workflow) = Workflow::new(&cx.document.root) else {
        return facts;
    };
    if facts_wanted {
        facts.add_env(workflow.root);
    }
    for rule in rules {
        rule.check_workflow(cx, workflow, sink);
    }
    for job in workflow.jobs() {
        if facts_wanted {
            facts.add_env(job.node);
        }
        if let Some(uses) = job.uses() {
            for rule in rules {
                rule.check_uses(cx, uses.value, sink);
            }
        }
        let steps = job.steps();
        for step in &steps {
            let scope = StepScope::new(*step, Some(job), Some(workflow), &steps, &cx.scripts);
            if facts_wanted {
                facts.add_step(&scope);
            }
            run_step_rules(cx, rules, &scope, sink);
        }
    }
    facts
}

/// Run the rules over a composite action; its facts are collected only when `facts_wanted`
/// (see [`run_workflow_rules`]).
pub(super) fn run_action_rules(
    cx: &Context<'_>,
    rules: &[&'static dyn Rule],
    sink: &mut Sink,
    facts_wanted: bool,
) -> CiFileFacts {
    let mut facts = CiFileFacts::new(cx.source.path());
    let Some(action) = Action::new(&cx.document.root) else {
        return facts;
    };
    for rule in rules {
        rule.check_action(cx, action, sink);
    }
    let steps = action.steps();
    for step in &steps {
        let scope = StepScope::new(*step, None, None, &steps, &cx.scripts);
        if facts_wanted {
            facts.add_step(&scope);
        }
        run_step_rules(cx, rules, &scope, sink);
    }
    facts
}

fn run_step_rules(
    cx: &Context<'_>,
    rules: &[&'static dyn Rule],
    scope: &StepScope<'_>,
    sink: &mut Sink,
) {
    let uses = scope.step.uses_node();
    for rule in rules {
        rule.check_step(cx, scope, sink);
        if let Some(uses) = uses {
            rule.check_uses(cx, uses, sink);
        }
    }
}

pub(super) fn dependabot_facts(path: &Path, document: &Document) -> DependabotFacts {
    let updates = document.root.entry("updates");
    DependabotFacts {
        path: path.to_path_buf(),
        updates_span: updates.map(|e| e.key.span),
        ecosystems: updates
            .and_then(|e| e.value.as_sequence())
            .unwrap_or_default()
            .iter()
            .filter_map(|u| {
                let node = u.get("package-ecosystem")?;
                Some((node.as_str()?.to_string(), node.span))
            })
            .collect(),
        insecure_execution: updates
            .and_then(|e| e.value.as_sequence())
            .unwrap_or_default()
            .iter()
            .filter_map(|u| {
                let node = u.get("insecure-external-code-execution")?;
                let allowed = node.as_str()?.trim().eq_ignore_ascii_case("allow");
                let ecosystem = u.get_str("package-ecosystem").unwrap_or("?").to_string();
                allowed.then_some((node.span, ecosystem))
            })
            .collect(),
        without_cooldown: updates
            .and_then(|e| e.value.as_sequence())
            .unwrap_or_default()
            .iter()
            .filter_map(update_without_cooldown)
            .collect(),
    }
}

/// An update entry of `dependabot.yml` without an effective `cooldown`: where to point, its
/// ecosystem, and what is missing. Dependabot's default is no cooldown, and a `cooldown`
/// without `default-days` (nor any `semver-*-days`) waits zero days.
fn update_without_cooldown(update: &Node) -> Option<(Span, String, &'static str)> {
    let ecosystem = update.get("package-ecosystem");
    let name = ecosystem.and_then(Node::as_str).unwrap_or("?").to_string();
    let Some(cooldown) = update.entry("cooldown") else {
        let span = ecosystem.map_or(update.span, |n| n.span);
        return Some((span, name, "has no `cooldown`"));
    };
    let days = |key: &str| {
        cooldown
            .value
            .get(key)
            .and_then(Node::as_str)?
            .trim()
            .parse::<u64>()
            .ok()
    };
    if let Some(default_days) = cooldown.value.get("default-days") {
        return (days("default-days") == Some(0)).then_some((
            default_days.span,
            name,
            "waits zero days (`default-days: 0`)",
        ));
    }
    let semver = [
        "semver-major-days",
        "semver-minor-days",
        "semver-patch-days",
    ];
    if semver.iter().any(|key| days(key).is_some_and(|d| d > 0)) {
        return None;
    }
    Some((
        cooldown.key.span,
        name,
        "has a `cooldown` without `default-days`, which waits zero days",
    ))
}
