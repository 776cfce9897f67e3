use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::{Container, ContainerKind};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags containers (init containers included) that do not set cpu and memory requests and
    /// limits under `resources:`, one finding for each missing value.
    ///
    /// ## Why is this bad?
    /// Without requests the scheduler packs pods blindly and they are the first evicted under
    /// pressure; without limits one leaking or spinning container starves its neighbours on
    /// the node.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    ///       limits: {cpu: 500m, memory: 256Mi}
    /// ```
    pub struct MissingResources {
        id: "K8S001",
        name: "missing-resources",
        severity: Warning,
        domain: Kubernetes,
        summary: "A container does not set cpu and memory requests and limits",
        help: "set `resources.requests` and `resources.limits` for cpu and memory",
    }
}

impl Rule for MissingResources {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if container.kind == ContainerKind::Ephemeral {
            return; // ephemeral containers cannot set resources
        }
        let Some(resources) = container.node.entry("resources") else {
            out.report(
                &Self::META,
                container.anchor(),
                format!(
                    "{} sets no resources: cpu and memory requests and limits are missing",
                    container.describe()
                ),
            );
            return;
        };
        for (group, noun) in [("requests", "request"), ("limits", "limit")] {
            let section = resources.value.entry(group);
            for resource in ["cpu", "memory"] {
                let set = section
                    .and_then(|s| s.value.get(resource))
                    .is_some_and(|v| !v.is_null());
                if !set {
                    let at = section.map_or(resources.key.span, |s| s.key.span);
                    out.report(
                        &Self::META,
                        at,
                        format!("{} sets no {resource} {noun}", container.describe()),
                    );
                }
            }
        }
    }
}
