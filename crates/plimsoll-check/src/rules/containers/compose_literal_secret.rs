use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};
use crate::secrets::{is_secret_key, looks_like_secret_literal, redact, token_kind};

declare_rule! {
    /// ## What it does
    /// Flags a Compose `environment:` variable with a secret name (`POSTGRES_PASSWORD`,
    /// `API_TOKEN`) set to a literal value, or any value shaped like a known credential.
    ///
    /// ## Why is this bad?
    /// The secret is in the repository for everyone with read access, in every fork and
    /// forever in history, and in `docker inspect` output on every host.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     environment:
    ///       POSTGRES_PASSWORD: hunter2-but-longer
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// services:
    ///   db:
    ///     environment:
    ///       POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    ///     secrets: [db_password]
    /// secrets:
    ///   db_password:
    ///     file: ./secrets/db_password.txt
    /// ```
    pub struct ComposeLiteralSecret {
        id: "CMP004",
        name: "compose-literal-secret",
        severity: Error,
        domain: Containers,
        summary: "A Compose service sets a secret as a literal environment value",
        help: "use Compose `secrets:` or `${VARIABLE}` interpolation from an uncommitted `.env`; rotate the exposed value",
    }
}

impl Rule for ComposeLiteralSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_compose(&self, _cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        for service in compose.services() {
            for variable in service.environment() {
                let Some(value) = variable.value.map(str::trim) else {
                    continue;
                };
                if value.contains('$') {
                    continue;
                }
                let message = if let Some(kind) = token_kind(value) {
                    format!("literal {kind} in `{}`: `{}`", variable.name, redact(value))
                } else if is_secret_key(variable.name) && looks_like_secret_literal(value) {
                    format!(
                        "service `{}` sets `{}` to a literal secret: `{}`",
                        service.name(),
                        variable.name,
                        redact(value)
                    )
                } else {
                    continue;
                };
                out.report(&Self::META, variable.span, message);
            }
        }
    }
}
