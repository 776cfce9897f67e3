use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::Node;

use super::common::ValueSpans;
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags what hides what a step does from a reader: a `uses:` path with empty, `.` or `..`
    /// components (`actions/checkout/./@v4`, `org/repo/sub/../other@v1`), and `${{ }}`
    /// expressions that compute a constant: pure functions (`format`, `join`, `toJSON`, …) or
    /// operators (`&&`, `||`, `==`, `!`, …) over literals only
    /// (`${{ format('{0}{1}', 'cu', 'rl') }}`, `${{ 1 != 2 }}`), which spell a constant a
    /// roundabout way (a note).
    ///
    /// ## Why is this bad?
    /// Reviews and audit tools match `uses:` against the actions they trust and read scripts
    /// for what they run. A path that walks back up the repository names another action than
    /// it seems to, and a constant built by an expression hides the text from a search for it.
    /// Neither has a legitimate use that the plain spelling does not serve.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout/./@v4
    /// - run: ${{ format('{0}{1}', 'cu', 'rl') }} https://example.com/x.sh
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: actions/checkout@v4
    /// - run: curl https://example.com/x.sh
    /// ```
    pub struct Obfuscation {
        id: "GHA050",
        name: "obfuscation",
        severity: Warning,
        domain: GithubActions,
        summary: "A `uses:` path or an expression hides what it names",
        help: "write the plain form: `owner/repo[/path]@ref` without `.`, `..` or empty components, and constants as text",
    }
}

/// Whether the path part of a repository `uses:` has an empty, `.` or `..` component.
fn obfuscated_path(uses: &str) -> bool {
    if uses.starts_with("./") || uses.starts_with("../") || uses.starts_with("$/") {
        return false;
    }
    if uses.starts_with("docker://") || plimsoll_syntax::expr::contains_expression(uses) {
        return false;
    }
    let target = uses.split('@').next().unwrap_or(uses);
    target
        .split('/')
        .skip(2)
        .any(|part| part.is_empty() || part == "." || part == "..")
}

/// Functions whose result depends on their arguments only: over literals, a constant.
/// (`hashFiles` reads the workspace, `success()` and the like the job's state.)
const PURE_FUNCTIONS: &[&str] = &[
    "format",
    "join",
    "tojson",
    "fromjson",
    "contains",
    "startswith",
    "endswith",
];

/// Byte ranges of expressions in `text` that read no context and compute a constant with pure
/// functions or operators (`${{ format('{0}', 'x') }}`, `${{ true && false }}`); a bare
/// literal (`${{ true }}`, `${{ 'true' }}`) is written out as it is and hides nothing.
fn constant_expressions(text: &str) -> Vec<std::ops::Range<usize>> {
    expr::find(text)
        .into_iter()
        .filter(|occurrence| {
            let inner = &text[occurrence.inner.start..occurrence.inner.end];
            // Most expressions are a bare context path, or compare one (`github.ref == 'x'`):
            // they compute nothing from literals alone, and are ruled out before parsing.
            let computes = || {
                if inner.contains('(') {
                    return true;
                }
                if !inner
                    .bytes()
                    .any(|b| matches!(b, b'&' | b'|' | b'=' | b'!' | b'<' | b'>'))
                {
                    return false;
                }
                let outside_literals = without_string_literals(inner);
                !outside_literals.contains('.') && has_operator(&outside_literals)
            };
            computes()
                && expr::analyze(inner).is_ok_and(|analysis| {
                    analysis.paths.is_empty()
                        && analysis.functions.iter().all(|(name, _)| {
                            PURE_FUNCTIONS.contains(&name.to_ascii_lowercase().as_str())
                        })
                })
        })
        .map(|occurrence| occurrence.span.start..occurrence.span.end)
        .collect()
}

/// `text` with the contents of its `'…'` string literals (`''` is a quote inside one) removed,
/// so that what remains is operators, names and numbers.
fn without_string_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    for c in text.chars() {
        if c == '\'' {
            // `''` inside a literal closes and reopens it: the net effect is the same.
            in_string = !in_string;
            continue;
        }
        if !in_string {
            out.push(c);
        }
    }
    out
}

/// Whether expression text (string literals removed) applies an operator: logical, comparison
/// or negation.
fn has_operator(text: &str) -> bool {
    ["&&", "||", "==", "!", "<", ">"]
        .iter()
        .any(|operator| text.contains(operator))
}

impl Rule for Obfuscation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, _cx: &Context<'_>, node: &Node, out: &mut Sink) {
        let Some(uses) = node.as_str() else {
            return;
        };
        if obfuscated_path(uses) {
            out.report(
                &Obfuscation::META,
                node.span,
                format!("`{uses}` has an empty, `.` or `..` path component: it names another action than it reads as"),
            );
        }
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let inputs = scope.step.inputs().iter().map(|entry| &entry.value);
        for node in scope.step.run().into_iter().chain(inputs) {
            let Some(text) = node
                .as_str()
                .filter(|t| plimsoll_syntax::expr::contains_expression(t))
            else {
                continue;
            };
            let mut spans = ValueSpans::new(node);
            for range in constant_expressions(text) {
                let written = text.get(range.clone()).unwrap_or("").to_string();
                out.report(
                    &Obfuscation::META,
                    spans.locate(cx.text(), range),
                    format!(
                        "`{written}` reads no context: it spells a constant in a roundabout way"
                    ),
                )
                .severity(Severity::Note);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_obfuscated_paths_and_constant_expressions() {
        assert!(obfuscated_path("actions/checkout/./@v4"));
        assert!(obfuscated_path("org/repo/sub/../other@v1"));
        assert!(obfuscated_path("org/repo//x@v1"));
        assert!(!obfuscated_path("org/repo/sub/action@v1"));
        assert!(!obfuscated_path("./.github/actions/x"));
        assert_eq!(
            constant_expressions("a ${{ format('{0}', 'x') }} b ${{ github.ref }}"),
            vec![2..27]
        );
        assert!(constant_expressions("${{ hashFiles('**/go.sum') }} ${{ true }}").is_empty());
        assert_eq!(constant_expressions("${{ 1 != 2 }}"), vec![0..13]);
        assert_eq!(constant_expressions("${{ true && false }}").len(), 1);
        assert!(constant_expressions("${{ 'a && b' }} ${{ !github.event.x }}").is_empty());
        assert!(constant_expressions("${{ success() && true }}").is_empty());
    }
}
