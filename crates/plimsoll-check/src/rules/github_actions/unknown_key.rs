use std::collections::{HashMap, HashSet};

use plimsoll_actions::schema;
use plimsoll_actions::{Action, Workflow};
use plimsoll_syntax::yaml::{Node, NodeKind};
use plimsoll_syntax::Span;

use super::common::Owner;
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags keys GitHub Actions does not accept: at the top of a workflow, in a job (one that
    /// runs steps or one that calls a reusable workflow), in a step, in `strategy`, `container`,
    /// `services`, `credentials`, `concurrency`, `defaults`, `environment`, `runs-on`, scopes of
    /// `permissions` (`pull-request` for `pull-requests`), in the
    /// configuration of an event under `on:` (filters, `workflow_dispatch` and `workflow_call`
    /// inputs, outputs and secrets, `schedule` entries), and at the top and under `runs` of
    /// action metadata. Keys are case-sensitive: `Runs-On` is not `runs-on`. Also flags keys
    /// written twice in the same mapping, including keys that differ only in case, which GitHub
    /// treats as the same key. The YAML merge key `<<` is left alone.
    ///
    /// ## Why is this bad?
    /// A misspelled key is either rejected when the workflow is loaded (the run never starts) or,
    /// where GitHub is lenient, silently ignored: a `timeout-minute:` never limits anything, a
    /// `branch:` filter never filters. A repeated key makes the file invalid, or one of the two
    /// values silently wins.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    ///     timeout-minute: 10
    ///     steps:
    ///       - run: cargo test
    ///         Shell: bash
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    ///     timeout-minutes: 10
    ///     steps:
    ///       - run: cargo test
    ///         shell: bash
    /// ```
    pub struct UnknownKey {
        id: "GHA026",
        name: "unknown-key",
        severity: Error,
        domain: GithubActions,
        summary: "A key GitHub Actions does not accept, or a key written twice",
        help: "fix the key's spelling (keys are case-sensitive) or remove it",
    }
}

/// Keys of an event configuration other than `workflow_dispatch`, `workflow_call`,
/// `repository_dispatch` and `schedule`.
/// An event of `on:` as messages name it (`` `on.push` ``): written out only for a finding,
/// as most events have none.
struct EventOwner<'a>(&'a str);

impl std::fmt::Display for EventOwner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`on.{}`", self.0)
    }
}

fn filter_keys() -> Vec<&'static str> {
    schema::EVENT_FILTER_KEYS
        .iter()
        .copied()
        .filter(|key| !matches!(*key, "inputs" | "outputs" | "secrets"))
        .collect()
}

/// Keys of a job that runs steps (not those only a reusable-workflow call accepts).
fn step_job_keys() -> Vec<&'static str> {
    schema::JOB_KEYS
        .iter()
        .copied()
        .filter(|key| !matches!(*key, "uses" | "with" | "secrets"))
        .collect()
}

/// Edit distance, for suggestions (keys are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(current)
            };
            previous = current;
        }
    }
    row[b.len()]
}

/// The allowed key `key` was most likely meant to be.
fn suggestion<'k>(key: &str, allowed: &[&'k str]) -> Option<&'k str> {
    if let Some(same) = allowed.iter().find(|a| a.eq_ignore_ascii_case(key)) {
        return Some(same);
    }
    let lower = key.to_ascii_lowercase();
    allowed
        .iter()
        .map(|a| (distance(&lower, a), *a))
        .filter(|(d, a)| *d <= 2 && *d < a.len().min(lower.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

struct Checker<'s> {
    out: &'s mut Sink,
    reported: HashSet<Span>,
}

impl Checker<'_> {
    /// Report every key of the mapping `node` that is not in `allowed`.
    fn keys(&mut self, node: &Node, allowed: &[&str], owner: &dyn std::fmt::Display) {
        self.keys_at(node, allowed, owner, None);
    }

    /// [`Checker::keys`], reporting at `severity` instead of the rule's.
    fn keys_at(
        &mut self,
        node: &Node,
        allowed: &[&str],
        owner: &dyn std::fmt::Display,
        severity: Option<Severity>,
    ) {
        let Some(entries) = node.as_mapping() else {
            return;
        };
        for entry in entries {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            if key == "<<"
                || plimsoll_syntax::expr::contains_expression(key)
                || allowed.contains(&key)
            {
                continue;
            }
            if !self.reported.insert(entry.key.span) {
                continue;
            }
            let expected = allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let diagnostic = self.out.report(
                &UnknownKey::META,
                entry.key.span,
                format!("unexpected key `{key}` in {owner} (expected one of {expected})"),
            );
            if let Some(meant) = suggestion(key, allowed) {
                diagnostic.help(format!("did you mean `{meant}`? (keys are case-sensitive)"));
            }
            if let Some(severity) = severity {
                diagnostic.severity(severity);
            }
        }
    }

    /// Each value of the mapping `node` (named entries such as inputs) is checked with `allowed`.
    fn each_value(&mut self, node: Option<&Node>, allowed: &[&str], owner: &dyn std::fmt::Display) {
        for entry in node.and_then(Node::as_mapping).unwrap_or_default() {
            let name = entry.key.as_str().unwrap_or("");
            if name == "<<" {
                continue;
            }
            self.keys(&entry.value, allowed, &format_args!("{owner} `{name}`"));
        }
    }

    fn concurrency(&mut self, node: Option<&Node>, owner: &dyn std::fmt::Display) {
        if let Some(node) = node {
            self.keys(
                node,
                schema::CONCURRENCY_KEYS,
                &format_args!("`concurrency` of {owner}"),
            );
        }
    }

    fn defaults(&mut self, node: Option<&Node>, owner: &dyn std::fmt::Display) {
        let Some(node) = node else {
            return;
        };
        self.keys(
            node,
            schema::DEFAULTS_KEYS,
            &format_args!("`defaults` of {owner}"),
        );
        if let Some(run) = node.get("run") {
            self.keys(
                run,
                schema::DEFAULTS_RUN_KEYS,
                &format_args!("`defaults.run` of {owner}"),
            );
        }
    }

    fn container(&mut self, node: &Node, allowed: &[&str], owner: &dyn std::fmt::Display) {
        self.keys(node, allowed, owner);
        if let Some(credentials) = node.get("credentials") {
            self.keys(
                credentials,
                schema::CREDENTIALS_KEYS,
                &format_args!("`credentials` of {owner}"),
            );
        }
    }

    fn step(&mut self, step: &Node, index: usize, owner: &dyn std::fmt::Display) {
        let runs = step.get("run").is_some();
        let uses = step.get("uses").is_some();
        // Most steps are fine: find that out before spelling out what they may hold.
        let allowed_here = |key: &str| match key {
            // A step runs a script or an action, and each kind has keys of its own.
            "with" => !runs || uses,
            "shell" | "working-directory" => !uses || runs,
            _ => true,
        };
        let unexpected = step.as_mapping().unwrap_or_default().iter().any(|entry| {
            entry.key.as_str().is_some_and(|key| {
                !(key == "<<"
                    || plimsoll_syntax::expr::contains_expression(key)
                    || ((schema::STEP_KEYS.contains(&key)
                        || schema::STEP_BACKGROUND_KEYS.contains(&key))
                        && allowed_here(key)))
            })
        });
        if !(unexpected || (runs && uses)) {
            return;
        }
        let label = step
            .get_str("id")
            .or_else(|| step.get_str("name"))
            .map(|l| format!("step `{l}`"))
            .unwrap_or_else(|| format!("step {}", index + 1));
        let allowed: Vec<&str> = schema::STEP_KEYS
            .iter()
            .chain(schema::STEP_BACKGROUND_KEYS)
            .copied()
            .filter(|key| allowed_here(key))
            .collect();
        let kind = match (runs, uses) {
            (true, false) => " (a step that runs a script)",
            (false, true) => " (a step that runs an action)",
            _ => "",
        };
        self.keys(step, &allowed, &format_args!("{label} of {owner}{kind}"));
        if runs && uses {
            // Neither kind of step accepts both: point at the first of the two.
            let both = step
                .as_mapping()
                .unwrap_or_default()
                .iter()
                .find(|e| matches!(e.key.as_str(), Some("run" | "uses")));
            if let Some(first) = both {
                if self.reported.insert(first.key.span) {
                    self.out.report(
                        &UnknownKey::META,
                        first.key.span,
                        format!(
                            "{label} of {owner} has both `run` and `uses`: a step runs a script or an action, not both"
                        ),
                    );
                }
            }
        }
    }

    fn steps(&mut self, steps: Option<&Node>, owner: &dyn std::fmt::Display) {
        for (index, step) in steps
            .and_then(Node::as_sequence)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            self.step(step, index, owner);
        }
    }

    fn on(&mut self, on: &Node) {
        let generic = filter_keys();
        for entry in on.as_mapping().unwrap_or_default() {
            let Some(event) = entry.key.as_str() else {
                continue;
            };
            let config = &entry.value;
            let owner = EventOwner(event);
            match event {
                "schedule" => {
                    for item in config.as_sequence().unwrap_or_default() {
                        self.keys(item, schema::SCHEDULE_KEYS, &"an `on.schedule` entry");
                    }
                }
                "workflow_dispatch" => {
                    self.keys(config, schema::WORKFLOW_DISPATCH_KEYS, &owner);
                    self.each_value(
                        config.get("inputs"),
                        schema::WORKFLOW_DISPATCH_INPUT_KEYS,
                        &"`workflow_dispatch` input",
                    );
                }
                "workflow_call" => {
                    self.keys(config, schema::WORKFLOW_CALL_KEYS, &owner);
                    self.each_value(
                        config.get("inputs"),
                        schema::WORKFLOW_CALL_INPUT_KEYS,
                        &"`workflow_call` input",
                    );
                    self.each_value(
                        config.get("outputs"),
                        schema::WORKFLOW_CALL_OUTPUT_KEYS,
                        &"`workflow_call` output",
                    );
                    self.each_value(
                        config.get("secrets"),
                        schema::WORKFLOW_CALL_SECRET_KEYS,
                        &"`workflow_call` secret",
                    );
                }
                "repository_dispatch" => {
                    self.keys(config, schema::REPOSITORY_DISPATCH_KEYS, &owner)
                }
                "image_version" => self.keys(config, schema::IMAGE_VERSION_KEYS, &owner),
                _ if schema::EVENTS.contains(&event) => self.keys(config, &generic, &owner),
                // Unknown events are invalid-event's business.
                _ => {}
            }
        }
    }

    fn workflow(&mut self, workflow: Workflow<'_>) {
        let root = workflow.root;
        self.keys(root, schema::WORKFLOW_KEYS, &"the workflow");
        if let Some(on) = workflow.on() {
            self.on(on.value);
        }
        self.concurrency(root.get("concurrency"), &"the workflow");
        self.defaults(root.get("defaults"), &"the workflow");
        if let Some(permissions) = root.get("permissions") {
            self.keys(
                permissions,
                schema::PERMISSION_SCOPES,
                &"`permissions` of the workflow",
            );
        }
        let step_job = step_job_keys();
        for job in workflow.jobs() {
            let node = job.node;
            let owner = Owner::Job(job.id);
            if node.get("uses").is_some() {
                self.keys(
                    node,
                    schema::REUSABLE_JOB_KEYS,
                    &format_args!("{owner} (a reusable-workflow call)"),
                );
            } else {
                self.keys(node, &step_job, &owner);
            }
            if let Some(strategy) = node.get("strategy") {
                self.keys(
                    strategy,
                    schema::STRATEGY_KEYS,
                    &format_args!("`strategy` of {owner}"),
                );
            }
            if let Some(container) = node.get("container") {
                self.container(
                    container,
                    schema::CONTAINER_KEYS,
                    &format_args!("`container` of {owner}"),
                );
            }
            for service in node
                .get("services")
                .and_then(Node::as_mapping)
                .unwrap_or_default()
            {
                let name = service.key.as_str().unwrap_or("");
                if name == "<<" {
                    continue;
                }
                self.container(
                    &service.value,
                    schema::SERVICE_KEYS,
                    &format_args!("service `{name}` of {owner}"),
                );
            }
            if let Some(environment) = node.get("environment") {
                self.keys(
                    environment,
                    schema::ENVIRONMENT_KEYS,
                    &format_args!("`environment` of {owner}"),
                );
            }
            if let Some(snapshot) = node.get("snapshot") {
                self.keys(
                    snapshot,
                    schema::SNAPSHOT_KEYS,
                    &format_args!("`snapshot` of {owner}"),
                );
            }
            if let Some(runs_on) = node.get("runs-on") {
                self.keys(
                    runs_on,
                    schema::RUNS_ON_KEYS,
                    &format_args!("`runs-on` of {owner}"),
                );
            }
            if let Some(permissions) = node.get("permissions") {
                self.keys(
                    permissions,
                    schema::PERMISSION_SCOPES,
                    &format_args!("`permissions` of {owner}"),
                );
            }
            self.concurrency(node.get("concurrency"), &owner);
            self.defaults(node.get("defaults"), &owner);
            self.steps(node.get("steps"), &owner);
        }
    }

    fn action(&mut self, action: Action<'_>) {
        let root = action.root;
        // The runner ignores unknown top-level keys rather than rejecting them: a warning.
        self.keys_at(
            root,
            schema::ACTION_KEYS,
            &"the action metadata",
            Some(Severity::Warning),
        );
        // The runner accepts any key in an input (`type:` is common), so inputs are not checked.
        self.each_value(
            root.get("outputs"),
            schema::ACTION_OUTPUT_KEYS,
            &"action output",
        );
        if let Some(branding) = root.get("branding") {
            self.keys(branding, schema::BRANDING_KEYS, &"`branding`");
        }
        if let Some(runs) = root.get("runs") {
            self.keys(runs, schema::ACTION_RUNS_KEYS, &"`runs`");
            self.steps(runs.get("steps"), &"the composite action");
        }
    }

    /// Keys written twice: exactly (from the parser), or differing only in case.
    fn duplicates(&mut self, cx: &Context<'_>) {
        let source = cx.source;
        for (first, repeated) in &cx.document.duplicate_keys {
            let key = source.slice(*repeated);
            if key == "<<" || !self.reported.insert(*repeated) {
                continue;
            }
            let line = source.line_col(first.start).line;
            self.out.report(
                &UnknownKey::META,
                *repeated,
                format!("key `{key}` is written twice in the same mapping (first on line {line})"),
            );
        }
        let mut stack = vec![&cx.document.root];
        // Alias copies share spans: look at each mapping once. Without aliases each is met
        // once anyway.
        let mut visited = cx.document.has_aliases.then(HashSet::new);
        // The first key of each case-insensitive spelling in the current mapping, in order,
        // with whether it is ASCII; reused from mapping to mapping.
        let mut firsts: Vec<(&Node, &str, bool)> = Vec::new();
        while let Some(node) = stack.pop() {
            match &node.kind {
                NodeKind::Scalar { .. } => {}
                NodeKind::Sequence(items) => stack.extend(items.iter()),
                NodeKind::Mapping(entries) => {
                    if let Some(visited) = &mut visited {
                        if !visited.insert(node.span) {
                            continue;
                        }
                    }
                    // Indexed by uppercase form only in large mappings, where a linear search
                    // would cost more than hashing.
                    firsts.clear();
                    let mut index: Option<HashMap<String, usize>> =
                        (entries.len() > 32).then(HashMap::new);
                    for entry in entries {
                        stack.push(&entry.value);
                        let Some(key) = entry.key.as_str() else {
                            continue;
                        };
                        if key == "<<" || has_expression(key) {
                            continue;
                        }
                        let ascii = key.is_ascii();
                        let found = match &index {
                            Some(index) => index.get(&key.to_uppercase()).copied(),
                            None => firsts.iter().position(|&(_, first, first_ascii)| {
                                if ascii && first_ascii {
                                    first.eq_ignore_ascii_case(key)
                                } else {
                                    same_uppercase(first, key)
                                }
                            }),
                        };
                        match found.map(|i| firsts[i]) {
                            Some((first, first_key, _)) if first_key != key => {
                                if !self.reported.insert(entry.key.span) {
                                    continue;
                                }
                                let line = source.line_col(first.span.start).line;
                                self.out.report(
                                    &UnknownKey::META,
                                    entry.key.span,
                                    format!(
                                        "key `{key}` repeats `{first_key}` (line {line}): GitHub compares keys case-insensitively"
                                    ),
                                );
                            }
                            Some(_) => {}
                            None => {
                                if let Some(index) = &mut index {
                                    index.insert(key.to_uppercase(), firsts.len());
                                }
                                firsts.push((&entry.key, key, ascii));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Whether `key` holds a `${{ }}` expression (its name is computed, not written).
fn has_expression(key: &str) -> bool {
    // Most keys have no `$`: a byte search answers them without a substring search.
    key.as_bytes().contains(&b'$') && plimsoll_syntax::expr::contains_expression(key)
}

/// Whether `a` and `b` have the same uppercase form, without allocating for ASCII keys (some
/// non-ASCII letters uppercase to ASCII ones, such as `ſ` to `S`, so those take the long way).
fn same_uppercase(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_uppercase() == b.to_uppercase()
    }
}

impl Rule for UnknownKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let mut checker = Checker {
            out,
            reported: HashSet::new(),
        };
        checker.duplicates(cx);
        checker.workflow(workflow);
    }

    fn check_action(&self, cx: &Context<'_>, action: Action<'_>, out: &mut Sink) {
        let mut checker = Checker {
            out,
            reported: HashSet::new(),
        };
        checker.duplicates(cx);
        checker.action(action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys() {
        assert_eq!(suggestion("Shell", schema::STEP_KEYS), Some("shell"));
        assert_eq!(
            suggestion("timeout-minute", schema::STEP_KEYS),
            Some("timeout-minutes")
        );
        assert_eq!(suggestion("default", schema::JOB_KEYS), Some("defaults"));
        assert_eq!(suggestion("xyz", schema::STEP_KEYS), None);
    }
}
