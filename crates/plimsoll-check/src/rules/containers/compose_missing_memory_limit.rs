use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Compose service with no memory limit: neither `deploy.resources.limits.memory`
    /// nor `mem_limit`.
    ///
    /// ## Why is this bad?
    /// One leaking service can take all the host's memory; the kernel's OOM killer then picks
    /// a victim, often not the culprit, and every service on the host goes down with it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:1.4.2
    ///     deploy:
    ///       resources:
    ///         limits:
    ///           memory: 512M
    /// ```
    pub struct ComposeMissingMemoryLimit {
        id: "CMP001",
        name: "compose-missing-memory-limit",
        severity: Warning,
        domain: Containers,
        summary: "A Compose service has no memory limit",
        help: "set `deploy.resources.limits.memory` (or `mem_limit`)",
    }
}

impl Rule for ComposeMissingMemoryLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_compose(&self, _cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        for service in compose.services() {
            let limited = service.node.get("mem_limit").is_some()
                || service
                    .node
                    .get("deploy")
                    .and_then(|d| d.get("resources"))
                    .and_then(|r| r.get("limits"))
                    .and_then(|l| l.get("memory"))
                    .is_some();
            if !limited {
                out.report(
                    &Self::META,
                    service.key.span,
                    format!("service `{}` has no memory limit", service.name()),
                );
            }
        }
    }
}
