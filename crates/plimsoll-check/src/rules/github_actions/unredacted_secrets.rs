use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::Node;

use super::common::ValueSpans;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a step that reads a field of a secret parsed as JSON:
    /// `${{ fromJSON(secrets.DEPLOY).password }}`, in its `run:`, `with:` or `env:`.
    ///
    /// ## Why is this bad?
    /// GitHub masks a secret's exact value in logs, not the pieces of it. A field taken out of
    /// a JSON secret is a new string the runner does not know to mask, so a script that prints
    /// it, or an error message that quotes it, writes it into the log in clear.
    ///
    /// ## Example
    /// ```yaml
    /// - run: ./deploy.sh
    ///   env:
    ///     PASSWORD: ${{ fromJSON(secrets.DEPLOY).password }}
    /// ```
    ///
    /// ## Use instead
    /// Store each value as its own secret:
    /// ```yaml
    ///     PASSWORD: ${{ secrets.DEPLOY_PASSWORD }}
    /// ```
    pub struct UnredactedSecrets {
        id: "GHA048",
        name: "unredacted-secrets",
        severity: Warning,
        domain: GithubActions,
        summary: "A field of a JSON secret is read: GitHub does not mask it in logs",
        help: "store each value as a secret of its own, or mask it with `::add-mask::` first",
        // Its findings point at an expression naming a secret, never at the secret's value.
        sensitive: false,
    }
}

/// Byte ranges of `fromJSON(secrets.X)` followed by a field access (`.x`, `[…]`) in `text`.
fn secret_field_reads(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    for occurrence in expr::find(text) {
        let inner = &text[occurrence.inner.start..occurrence.inner.end];
        let lower = inner.to_ascii_lowercase();
        for (at, _) in lower.match_indices("fromjson(") {
            let args = &lower[at + "fromjson(".len()..];
            let args_trimmed = args.trim_start();
            if !args_trimmed.starts_with("secrets.") && !args_trimmed.starts_with("secrets[") {
                continue;
            }
            let Some(close) = args.find(')') else {
                continue;
            };
            let after = &args[close + 1..];
            if after.starts_with('.') || after.starts_with('[') {
                let start = occurrence.inner.start + at;
                let end = occurrence.inner.start + at + "fromjson(".len() + close + 1;
                found.push(start..end);
            }
        }
    }
    found
}

fn check(cx: &Context<'_>, node: &Node, out: &mut Sink) {
    let Some(text) = node.as_str() else {
        return;
    };
    if !text.contains("ecrets") {
        return;
    }
    let mut spans = ValueSpans::new(node);
    for range in secret_field_reads(text) {
        out.report(
            &UnredactedSecrets::META,
            spans.locate(cx.text(), range),
            "a field of a secret parsed as JSON is a new string GitHub does not mask: it shows in clear in the log if printed",
        );
    }
}

impl Rule for UnredactedSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        if let Some(run) = scope.step.run() {
            check(cx, run, out);
        }
        for key in ["with", "env"] {
            for entry in scope
                .step
                .node
                .get(key)
                .and_then(Node::as_mapping)
                .unwrap_or_default()
            {
                check(cx, &entry.value, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fields_of_json_secrets() {
        assert_eq!(
            secret_field_reads("${{ fromJSON(secrets.DEPLOY).password }}"),
            vec![4..28]
        );
        assert_eq!(
            secret_field_reads("${{ fromJson( secrets.X )['a'] }}").len(),
            1
        );
        assert!(secret_field_reads("${{ fromJSON(secrets.LIST) }}").is_empty());
        assert!(secret_field_reads("${{ fromJSON(vars.CONFIG).x }}").is_empty());
    }
}
