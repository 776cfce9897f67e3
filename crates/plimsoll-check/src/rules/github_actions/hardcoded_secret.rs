use plimsoll_syntax::yaml::{Node, NodeKind};

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};
use crate::secrets::{is_secret_key, looks_like_secret_literal, redact, token_kind};

declare_rule! {
    /// ## What it does
    /// Flags credentials written as literals in a workflow or action: values with the shape of
    /// a known token (GitHub, AWS, Slack, Stripe, private keys), and literal values assigned to
    /// secret-named keys (`password`, `token`, `api_key`, …) under `env:`, `with:` or
    /// `credentials:`. Placeholders and `${{ }}` expressions are not secrets. The finding shows
    /// only a redacted form.
    ///
    /// ## Why is this bad?
    /// Anything in the repository is readable by everyone who can read the repository, forever
    /// (history keeps it after deletion), and by every fork.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   NPM_TOKEN: npm_0123456789abcdefghijABCDEFGHIJ012345
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    /// ```
    pub struct HardcodedSecret {
        id: "GHA014",
        name: "hardcoded-secret",
        severity: Error,
        domain: GithubActions,
        summary: "A credential is written as a literal",
        help: "store it as an encrypted secret and reference `${{ secrets.NAME }}`; rotate the exposed one",
    }
}

fn walk(node: &Node, parent_key: Option<&str>, out: &mut Sink) {
    match &node.kind {
        NodeKind::Scalar { value, .. } => {
            if let Some(kind) = token_kind(value) {
                out.report(
                    &HardcodedSecret::META,
                    node.span,
                    format!("literal {kind} in the file: `{}`", redact(value.trim())),
                );
            } else if let Some(key) = parent_key.filter(|k| is_secret_key(k)) {
                if looks_like_secret_literal(value) {
                    out.report(
                        &HardcodedSecret::META,
                        node.span,
                        format!(
                            "`{key}` is assigned a literal secret: `{}`",
                            redact(value.trim())
                        ),
                    );
                }
            }
        }
        NodeKind::Sequence(items) => items.iter().for_each(|item| walk(item, None, out)),
        NodeKind::Mapping(entries) => {
            for entry in entries {
                walk(&entry.value, entry.key.as_str(), out);
            }
        }
    }
}

impl Rule for HardcodedSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(
        &self,
        cx: &Context<'_>,
        _workflow: plimsoll_actions::Workflow<'_>,
        out: &mut Sink,
    ) {
        walk(&cx.document.root, None, out);
    }

    fn check_action(
        &self,
        cx: &Context<'_>,
        _action: plimsoll_actions::Action<'_>,
        out: &mut Sink,
    ) {
        walk(&cx.document.root, None, out);
    }
}
