use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::{labelled_jobs, step_owner};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags an `if:` that calls `contains()` with a string literal as the text searched and a
    /// context as the value looked for: `contains('refs/heads/main refs/heads/release',
    /// github.ref)`.
    ///
    /// ## Why is this bad?
    /// On a string, `contains()` is a substring test, not a list membership test. Any value
    /// that is part of the literal passes: a branch named `main` (`refs/heads/mai`, `refs/`,
    /// `release`, or an empty string) gets the deployment or the secrets the condition was
    /// meant to keep for the listed refs.
    ///
    /// ## Example
    /// ```yaml
    /// if: contains('refs/heads/main refs/heads/release', github.ref)
    /// ```
    ///
    /// ## Use instead
    /// Search an array, or compare each value:
    /// ```yaml
    /// if: contains(fromJSON('["refs/heads/main", "refs/heads/release"]'), github.ref)
    /// ```
    pub struct UnsoundContains {
        id: "GHA046",
        name: "unsound-contains",
        severity: Warning,
        domain: GithubActions,
        summary: "`contains()` searches a string literal for a context value: a substring passes",
        help: "search an array (`contains(fromJSON('[\"a\", \"b\"]'), x)`) or compare with `==`",
    }
}

/// Byte ranges of `contains('literal', context.path)` calls in `text`, with the context.
fn unsound_calls(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for (at, _) in lower.match_indices("contains(") {
        // `startsWith`-like names ending in `contains` are other functions.
        if lower[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let rest = &text[at + "contains(".len()..];
        let trimmed = rest.trim_start();
        let Some(literal) = trimmed.strip_prefix('\'') else {
            continue;
        };
        // A literal ends at a quote that is not doubled (`''` is an escaped quote).
        let mut end = None;
        let bytes = literal.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                end = Some(i);
                break;
            }
            i += 1;
        }
        let Some(end) = end else {
            continue;
        };
        let after = literal[end + 1..].trim_start();
        let Some(needle) = after.strip_prefix(',') else {
            continue;
        };
        let needle = needle.trim_start();
        let path_len = needle
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .unwrap_or(needle.len());
        let path = &needle[..path_len];
        let is_context =
            path.contains('.') && path.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if !is_context || !needle[path_len..].trim_start().starts_with(')') {
            continue;
        }
        let close = text.len() - needle.len() + path_len;
        let close = close + text[close..].find(')').unwrap_or(0) + 1;
        found.push((at..close, path));
    }
    found
}

fn check(cx: &Context<'_>, owner: &dyn std::fmt::Display, node: &Node, out: &mut Sink) {
    let Some(condition) = node.get("if") else {
        return;
    };
    let Some(text) = condition.as_str() else {
        return;
    };
    for (range, path) in unsound_calls(text) {
        out.report(
            &UnsoundContains::META,
            condition.locate(cx.text(), range),
            format!(
                "the `if:` of {owner} searches a string for `{path}`: any part of the string passes (`contains` on a string is a substring test)"
            ),
        );
    }
}

impl Rule for UnsoundContains {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for (owner, node) in labelled_jobs(workflow) {
            check(cx, &owner, node, out);
        }
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        check(cx, &step_owner(&scope.step), scope.step.node, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_haystacks_with_context_needles() {
        let calls = |t: &str| -> Vec<(usize, usize, String)> {
            unsound_calls(t)
                .into_iter()
                .map(|(r, p)| (r.start, r.end, p.to_string()))
                .collect()
        };
        assert_eq!(
            calls("contains('refs/heads/main refs/heads/dev', github.ref)"),
            vec![(0, 54, "github.ref".to_string())]
        );
        assert_eq!(
            calls("${{ CONTAINS('it''s main', github.head_ref ) }}").len(),
            1
        );
        assert!(calls("contains(fromJSON('[\"a\"]'), github.ref)").is_empty());
        assert!(calls("contains(github.event.head_commit.message, '[skip ci]')").is_empty());
        assert!(calls("contains('abc', 'b')").is_empty());
    }
}
