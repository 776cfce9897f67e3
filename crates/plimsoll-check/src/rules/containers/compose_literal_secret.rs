use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule};
use crate::rules::DEMO_PASSWORD;
use crate::secrets::{config_secret, is_secret_key, redact, token_kind, ConfigSecret};

declare_rule! {
    /// ## What it does
    /// Flags a Compose `environment:` variable with a secret name (`POSTGRES_PASSWORD`,
    /// `API_TOKEN`) set to a literal value, or any value shaped like a known credential.
    /// A literal that reads like a demo or default password (`MyStr0ngPassw0rd`, `postgres`)
    /// is reported too, at warning level, saying so: committed, it is a password all the same.
    /// Only what cannot be a password stays silent: placeholders (`changeme`, `<token>`,
    /// `xxxx`), empty values, `${VAR}` and `$(…)`, references to a secret store or another
    /// value, paths and file names.
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
                let (message, demo) = if let Some(kind) = token_kind(value) {
                    let message =
                        format!("literal {kind} in `{}`: `{}`", variable.name, redact(value));
                    (message, false)
                } else if let (true, Some(secret)) =
                    (is_secret_key(variable.name), config_secret(value))
                {
                    let demo = secret == ConfigSecret::Demo;
                    let message = format!(
                        "service `{}` sets `{}` to a literal {}: `{}`",
                        service.name(),
                        variable.name,
                        if demo { DEMO_PASSWORD } else { "secret" },
                        redact(value)
                    );
                    (message, demo)
                } else {
                    continue;
                };
                let diagnostic = out.report(&Self::META, variable.span, message);
                if demo {
                    diagnostic.severity(Severity::Warning);
                }
            }
        }
    }
}
