use plimsoll_actions::{Action, Workflow};

use super::common::{contains_ignore_ascii_case, ValueSpans};

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags expressions that read the whole `secrets` context: `toJSON(secrets)`,
    /// `${{ secrets }}`, or a secret chosen at run time (`secrets[inputs.name]`,
    /// `secrets[format('{0}_TOKEN', matrix.env)]`).
    ///
    /// ## Why is this bad?
    /// GitHub sends a job only the secrets its expressions name. Reading the whole context (or
    /// an index it cannot resolve ahead of time) makes it send every secret the workflow can
    /// read to the runner, where one step that logs or uploads its environment exposes them
    /// all, not just the one it needed.
    ///
    /// ## Example
    /// ```yaml
    /// - run: ./deploy.sh
    ///   env:
    ///     SECRETS: ${{ toJSON(secrets) }}
    /// ```
    ///
    /// ## Use instead
    /// Name each secret the step uses:
    /// ```yaml
    /// - run: ./deploy.sh
    ///   env:
    ///     DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}
    /// ```
    pub struct OverprovisionedSecrets {
        id: "GHA035",
        name: "overprovisioned-secrets",
        severity: Warning,
        domain: GithubActions,
        summary: "An expression reads every secret (`toJSON(secrets)`, `secrets[…]`)",
        help: "name each secret the step needs (`secrets.DEPLOY_TOKEN`)",
        // Its findings point at a reference to secrets, never at a credential's text.
        sensitive: false,
    }
}

/// Report every whole-context or run-time-indexed read of `secrets` in the document's values.
fn check(cx: &Context<'_>, out: &mut Sink) {
    for scalar in cx.expression_scalars() {
        // A read of `secrets` names the context (any case) in the text: most expressions
        // do not, and need no parse.
        if scalar.in_key
            || !scalar.has_expression
            || !contains_ignore_ascii_case(scalar.value, "secrets")
        {
            continue;
        }
        let mut spans = ValueSpans::new(scalar.node);
        for parsed in scalar.parsed() {
            let Ok(analysis) = &parsed.analysis else {
                continue; // invalid-expression reports it
            };
            let inner = parsed.occurrence.inner;
            for path in &analysis.paths {
                let what = match path.path.as_str() {
                    "secrets" => "reads the whole `secrets` context",
                    "secrets.*" => "picks a secret at run time",
                    _ => continue,
                };
                let expression = scalar.value[inner.start..inner.end].trim();
                out.report(
                    &OverprovisionedSecrets::META,
                    spans.locate(
                        cx.text(),
                        inner.start + path.span.start..inner.start + path.span.end,
                    ),
                    format!(
                        "`{expression}` {what}: GitHub sends every secret of the repository to the runner"
                    ),
                );
            }
        }
    }
}

impl Rule for OverprovisionedSecrets {
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
