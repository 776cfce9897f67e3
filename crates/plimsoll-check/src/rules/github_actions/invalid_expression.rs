use std::collections::HashSet;
use std::ops::Range;

use plimsoll_actions::{Action, Workflow};
use plimsoll_syntax::expr::{self, Analysis, ExprError};
use plimsoll_syntax::yaml::{Locator, Node};
use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::expressions::ExpressionScalar;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Checks every `${{ … }}` expression of a workflow or action, in any key or value: it must
    /// be closed by `}}` and follow GitHub's expression grammar (single-quoted strings, `==`,
    /// `&&`, `||`, `!`, comparisons, property access and function calls), call only the
    /// functions GitHub provides (`contains`, `startsWith`, `format`, `toJSON`, `hashFiles`,
    /// `success` …) and read only the contexts it provides (`github`, `env`, `vars`, `job`,
    /// `jobs`, `steps`, `runner`, `secrets`, `strategy`, `matrix`, `needs`, `inputs`). `if:`
    /// conditions are expressions even without `${{ }}` and are checked whole.
    ///
    /// ## Why is this bad?
    /// GitHub reports a malformed expression only when the workflow is loaded or, worse, when
    /// the step that holds it runs: the run fails late, or a condition silently evaluates to
    /// something else than intended. A misspelled context or function is the same kind of
    /// mistake, found before the push instead of after.
    ///
    /// ## Example
    /// ```yaml
    /// - if: github.ref = 'refs/heads/main'
    ///   run: echo "${{ github.event.head_commit.message }"
    /// - run: echo "${{ toJson(hashFiles('**/Cargo.lock') }}"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - if: github.ref == 'refs/heads/main'
    ///   run: echo "$MESSAGE"
    ///   env:
    ///     MESSAGE: ${{ github.event.head_commit.message }}
    /// - run: echo "${{ toJson(hashFiles('**/Cargo.lock')) }}"
    /// ```
    pub struct InvalidExpression {
        id: "GHA031",
        name: "invalid-expression",
        severity: Error,
        domain: GithubActions,
        summary: "A `${{ }}` expression or an `if:` condition that GitHub cannot evaluate",
        help: "fix the expression's syntax: single-quoted strings, `==`/`!=`/`&&`/`||`, known functions and contexts",
    }
}

/// Where an expression's text sits in a scalar's decoded value.
struct Site<'a> {
    node: &'a Node,
    /// The decoded value.
    value: &'a str,
    /// The whole occurrence (`${{ … }}`, or the whole condition).
    whole: Range<usize>,
    /// The expression text inside it.
    inner: Range<usize>,
}

struct Checker<'a> {
    source: &'a str,
    out: &'a mut Sink,
    reported: HashSet<Span>,
    /// The line map of the scalar located last (a scalar's sites come one after another): a
    /// script of thousands of expressions is mapped once, not scanned once per expression.
    locator: Option<(Span, Locator)>,
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 60 {
        return text.to_string();
    }
    let mut short: String = text.chars().take(57).collect();
    short.push('…');
    short
}

impl Checker<'_> {
    /// Source span of `range` (bytes of the decoded value) of `site`.
    fn span(&mut self, site: &Site<'_>, range: Range<usize>) -> Span {
        let source = self.source;
        if self.locator.as_ref().map(|(span, _)| *span) != Some(site.node.span) {
            self.locator = Some((site.node.span, Locator::new(site.node, source)));
        }
        let Some((_, locator)) = &self.locator else {
            return site.node.span;
        };
        let whole = locator.locate(site.node, source, site.whole.clone());
        let raw = self.source.get(whole.start..whole.end);
        if raw == site.value.get(site.whole.clone()) && range.start >= site.whole.start {
            // The occurrence is written as it is decoded: offsets carry over.
            let start = whole.start + (range.start - site.whole.start);
            let end = whole.start + (range.end - site.whole.start);
            if end <= whole.end {
                return Span::new(start, end);
            }
        }
        if range.is_empty() {
            whole
        } else {
            locator.locate(site.node, source, range)
        }
    }

    fn report(&mut self, span: Span, message: String) {
        if self.reported.insert(span) {
            self.out.report(&InvalidExpression::META, span, message);
        }
    }

    /// Analyse the expression at `site`, reporting syntax errors and unknown names.
    fn expression(
        &mut self,
        site: &Site<'_>,
        closing: Option<Range<usize>>,
        analysis: &Result<Analysis, ExprError>,
    ) {
        let text = site.value.get(site.inner.clone()).unwrap_or("");
        let base = site.inner.start;
        match analysis {
            Err(error) => {
                // Only a finding shows the expression: most parse, and need no copy of it.
                let shown = shorten(site.value.get(site.whole.clone()).unwrap_or(""));
                let range = if error.message == "empty expression" {
                    site.whole.clone()
                } else if error.span.is_empty() {
                    // At the end of the expression: point at the closing braces, or at the last
                    // character of a condition.
                    closing.unwrap_or_else(|| {
                        let end = base + text.trim_end().len();
                        let last = text
                            .trim_end()
                            .chars()
                            .next_back()
                            .map_or(0, char::len_utf8);
                        end - last..end
                    })
                } else {
                    base + error.span.start..base + error.span.end
                };
                let span = self.span(site, range);
                self.report(
                    span,
                    format!("invalid expression `{shown}`: {}", error.message),
                );
            }
            Ok(analysis) => self.names(site, analysis, base),
        }
    }

    fn names(&mut self, site: &Site<'_>, analysis: &Analysis, base: usize) {
        for (name, span) in &analysis.functions {
            if !expr::FUNCTIONS.contains(&name.as_str()) {
                let written = site
                    .value
                    .get(base + span.start..base + span.end)
                    .unwrap_or(name);
                let at = self.span(site, base + span.start..base + span.end);
                self.report(
                    at,
                    format!(
                        "unknown function `{written}` (expressions provide {})",
                        functions()
                    ),
                );
            }
        }
        for path in &analysis.paths {
            let context = path.path.split('.').next().unwrap_or("");
            if context == "*" || expr::CONTEXTS.contains(&context) {
                continue;
            }
            let start = base + path.span.start;
            let range = start..(start + context.len()).min(base + path.span.end);
            let written = site.value.get(range.clone()).unwrap_or(context);
            let at = self.span(site, range);
            self.report(
                at,
                format!(
                    "unknown context `{written}` (expressions can read {})",
                    list(expr::CONTEXTS)
                ),
            );
        }
    }

    /// Every `${{ }}` of a scalar that holds one.
    fn scalar(&mut self, scalar: &ExpressionScalar<'_>) {
        let (node, value) = (scalar.node, scalar.value);
        for parsed in scalar.parsed() {
            let occurrence = &parsed.occurrence;
            let whole = occurrence.span.start..occurrence.span.end;
            let site = Site {
                node,
                value,
                whole: whole.clone(),
                inner: occurrence.inner.start..occurrence.inner.end,
            };
            if !occurrence.terminated {
                let span = self.span(&site, whole.start..whole.start + 3);
                self.report(
                    span,
                    format!(
                        "unterminated expression `{}`: `${{{{` has no closing `}}}}`",
                        shorten(&value[whole])
                    ),
                );
                continue;
            }
            let closing = occurrence.inner.end..occurrence.span.end;
            self.expression(&site, Some(closing), &parsed.analysis);
        }
    }

    /// Every `${{ }}` of the document's keys and values, a collection copied by an alias
    /// only once.
    fn all_scalars(&mut self, cx: &Context<'_>) {
        for scalar in cx.expression_scalars() {
            if scalar.has_expression && !scalar.alias_copy {
                self.scalar(scalar);
            }
        }
    }

    /// A condition (`if:`, `pre-if:`, `post-if:`) written without `${{ }}`: the whole value is
    /// an expression.
    fn condition(&mut self, node: Option<&Node>) {
        let Some(node) = node else {
            return;
        };
        let Some(value) = node.as_str() else {
            return;
        };
        if plimsoll_syntax::expr::contains_expression(value) || value.trim().is_empty() {
            return;
        }
        let site = Site {
            node,
            value,
            whole: 0..value.len(),
            inner: 0..value.len(),
        };
        self.expression(&site, None, &expr::analyze(value));
    }
}

/// The functions expressions provide, spelled as GitHub documents them.
fn functions() -> String {
    let names: Vec<&str> = expr::FUNCTIONS
        .iter()
        .map(|name| match *name {
            "startswith" => "startsWith",
            "endswith" => "endsWith",
            "tojson" => "toJSON",
            "fromjson" => "fromJSON",
            "hashfiles" => "hashFiles",
            other => other,
        })
        .collect();
    list(&names)
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for InvalidExpression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let mut checker = Checker {
            source: cx.text(),
            out,
            reported: HashSet::new(),
            locator: None,
        };
        for job in workflow.jobs() {
            checker.condition(job.node.get("if"));
            checker.condition(job.node.get("snapshot").and_then(|s| s.get("if")));
            for step in job.steps() {
                checker.condition(step.node.get("if"));
            }
        }
        checker.all_scalars(cx);
    }

    fn check_action(&self, cx: &Context<'_>, action: Action<'_>, out: &mut Sink) {
        let mut checker = Checker {
            source: cx.text(),
            out,
            reported: HashSet::new(),
            locator: None,
        };
        if let Some(runs) = action.root.get("runs") {
            checker.condition(runs.get("pre-if"));
            checker.condition(runs.get("post-if"));
        }
        for step in action.steps() {
            checker.condition(step.node.get("if"));
        }
        checker.all_scalars(cx);
    }
}
