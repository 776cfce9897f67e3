use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};
use crate::secrets::{is_secret_key, looks_like_secret_literal, redact, token_kind};

declare_rule! {
    /// ## What it does
    /// Flags an `ENV` or `ARG` that sets a secret-named variable (`DB_PASSWORD`, `API_TOKEN`)
    /// to a literal value, or any `ENV`/`ARG` value shaped like a known credential (an AWS key
    /// id, a GitHub token, a private key).
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image configuration and `ARG` values in its history:
    /// anyone who can pull the image can read them with `docker inspect` or `docker history`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV DATABASE_PASSWORD=s3cr3t-Pa55word
    /// ```
    ///
    /// ## Use instead
    /// Pass secrets at run time (environment, mounted files), or at build time with a secret
    /// mount that never lands in a layer:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
    /// ```
    pub struct SecretInImage {
        id: "DKR008",
        name: "secret-in-image",
        severity: Error,
        domain: Containers,
        summary: "A secret is set as a literal `ENV` or `ARG`",
        help: "pass it at run time, or use `RUN --mount=type=secret`; rotate the exposed value",
    }
}

impl Rule for SecretInImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for instruction in cx.dockerfile.all_instructions() {
            if !matches!(instruction.keyword.as_str(), "ENV" | "ARG") {
                continue;
            }
            for (key, value) in instruction.key_values() {
                let Some(value) = value else {
                    continue;
                };
                let literal = value.text.trim();
                if literal.contains('$') {
                    continue;
                }
                let message = if let Some(kind) = token_kind(literal) {
                    format!(
                        "literal {kind} in `{} {}`: `{}`",
                        instruction.keyword,
                        key.text,
                        redact(literal)
                    )
                } else if is_secret_key(&key.text) && looks_like_secret_literal(literal) {
                    format!(
                        "`{} {}` sets a literal secret, stored in the image: `{}`",
                        instruction.keyword,
                        key.text,
                        redact(literal)
                    )
                } else {
                    continue;
                };
                out.report(&Self::META, value.span, message);
            }
        }
    }
}
