use plimsoll_actions::{Action, Workflow};

use super::common::ValueSpans;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags the pseudo-ternary `cond && value || fallback` when `value` is a literal that is
    /// always falsy: `''`, `0`, `false` or `null`.
    ///
    /// ## Why is this bad?
    /// Expressions have no conditional operator; `a && b || c` stands in for one because `&&`
    /// yields its right operand when the left is truthy and `||` its right operand when the left
    /// is falsy. That holds only when `b` is truthy: GitHub's documentation notes that `''`,
    /// `0`, `false` and `null` are falsy, so `cond && '' || 'x'` is `'x'` whatever `cond` is.
    /// The branch that was meant to clear a value, disable a flag or pick an empty prefix never
    /// happens, silently.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   EXTRA_FLAGS: ${{ github.event_name == 'push' && '' || '--dry-run' }}
    /// ```
    ///
    /// ## Use instead
    /// Invert the condition so the truthy value comes first, or use `case()`:
    /// ```yaml
    /// env:
    ///   EXTRA_FLAGS: ${{ github.event_name != 'push' && '--dry-run' || '' }}
    /// ```
    pub struct UnsoundTernary {
        id: "GHA064",
        name: "unsound-ternary",
        severity: Warning,
        domain: GithubActions,
        summary: "`cond && '' || x` is always `x`: the middle value of a pseudo-ternary is falsy",
        help: "invert the condition so the truthy value sits between `&&` and `||`, or use `case()`",
    }
}

/// Every expression of the document outside its keys, and every condition.
fn check(cx: &Context<'_>, out: &mut Sink) {
    for scalar in cx.expression_scalars() {
        // Only an expression holding `||` can be a pseudo-ternary.
        if scalar.in_key || memchr::memmem::find(scalar.value.as_bytes(), b"||").is_none() {
            continue;
        }
        let mut spans = ValueSpans::new(scalar.node);
        for parsed in scalar.parsed() {
            // An unterminated or invalid expression is invalid-expression's to report.
            let (true, Ok(analysis)) = (parsed.occurrence.terminated, &parsed.analysis) else {
                continue;
            };
            let inner = parsed.occurrence.inner;
            let expression = &scalar.value[inner.start..inner.end];
            for value in &analysis.falsy_ternary_values {
                let literal = &expression[value.start..value.end];
                out.report(
                    &UnsoundTernary::META,
                    spans.locate(cx.text(), inner.start + value.start..inner.start + value.end),
                    format!(
                        "`{literal}` is falsy, so `… && {literal} || …` always yields what follows `||`: the condition before `&&` never matters"
                    ),
                );
            }
        }
    }
}

impl Rule for UnsoundTernary {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, _workflow: Workflow<'_>, out: &mut Sink) {
        check(cx, out);
    }

    fn check_action(&self, cx: &Context<'_>, _action: Action<'_>, out: &mut Sink) {
        check(cx, out);
    }
}
