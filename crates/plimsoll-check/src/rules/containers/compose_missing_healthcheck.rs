use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Compose service without a `healthcheck:`, or with the health check disabled.
    ///
    /// ## Why is this bad?
    /// Without a health check, Compose reports a hung service as running, `depends_on` with
    /// `condition: service_healthy` cannot wait for it, and restarts never happen.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     healthcheck:
    ///       test: ["CMD", "pg_isready", "-U", "postgres"]
    ///       interval: 10s
    ///       retries: 5
    /// ```
    pub struct ComposeMissingHealthcheck {
        id: "CMP003",
        name: "compose-missing-healthcheck",
        severity: Note,
        domain: Containers,
        summary: "A Compose service has no health check",
        help: "add a `healthcheck:` with a `test` that proves the service answers",
    }
}

impl Rule for ComposeMissingHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_compose(&self, _cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        for service in compose.services() {
            match service.node.get("healthcheck") {
                None => out.report(
                    &Self::META,
                    service.key.span,
                    format!("service `{}` has no health check", service.name()),
                ),
                Some(check) if check.get("disable").and_then(|d| d.as_bool()) == Some(true) => out
                    .report(
                        &Self::META,
                        check.span,
                        format!("service `{}` disables its health check", service.name()),
                    ),
                Some(_) => continue,
            };
        }
    }
}
