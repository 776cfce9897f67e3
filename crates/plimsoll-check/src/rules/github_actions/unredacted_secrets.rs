use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::Node;

use super::common::ValueSpans;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a step that parses a secret as JSON, in its `run:`, `with:` or `env:`: a field of
    /// it (`${{ fromJSON(secrets.DEPLOY).password }}`) or the parsed value itself
    /// (`${{ fromJSON(secrets.DEPLOY) }}`).
    ///
    /// ## Why is this bad?
    /// GitHub masks a secret's exact value in logs, not the pieces of it. A field taken out of
    /// a JSON secret is a new string the runner does not know to mask, so a script that prints
    /// it, or an error message that quotes it, writes it into the log in clear. The parsed
    /// value itself is no safer: a JSON string loses its quotes and escapes, and an object is
    /// written back with GitHub's own spacing, so neither reads as the masked text.
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
        summary: "A secret is parsed as JSON: GitHub does not mask the value it yields in logs",
        help: "store each value as a secret of its own, or mask it with `::add-mask::` first",
        // Its findings point at an expression naming a secret, never at the secret's value.
        sensitive: false,
    }
}

/// Byte ranges of `fromJSON(secrets.X)` in `text`, each with whether a field access (`.x`,
/// `[…]`) follows it.
fn secret_json_reads(text: &str) -> Vec<(std::ops::Range<usize>, bool)> {
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
            let field = after.starts_with('.') || after.starts_with('[');
            let start = occurrence.inner.start + at;
            let end = occurrence.inner.start + at + "fromjson(".len() + close + 1;
            found.push((start..end, field));
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
    for (range, field) in secret_json_reads(text) {
        let message = if field {
            "a field of a secret parsed as JSON is a new string GitHub does not mask: it shows in clear in the log if printed"
        } else {
            "a secret parsed as JSON is written back as a new string (a JSON string without its quotes, an object with GitHub's spacing) that GitHub does not mask: it shows in clear in the log if printed"
        };
        out.report(
            &UnredactedSecrets::META,
            spans.locate(cx.text(), range),
            message,
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
            secret_json_reads("${{ fromJSON(secrets.DEPLOY).password }}"),
            vec![(4..28, true)]
        );
        assert_eq!(
            secret_json_reads("${{ fromJson( secrets.X )['a'] }}"),
            vec![(4..25, true)]
        );
        assert_eq!(
            secret_json_reads("${{ fromJSON(secrets.LIST) }}"),
            vec![(4..26, false)]
        );
        assert!(secret_json_reads("${{ fromJSON(vars.CONFIG).x }}").is_empty());
    }
}
