use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::{Container, ContainerKind};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that may run as root: `runAsNonRoot` is not `true` in the container's
    /// `securityContext` nor in the pod's, or `runAsUser: 0` is set.
    ///
    /// ## Why is this bad?
    /// A process running as root inside the container is one kernel or runtime bug away from
    /// root on the node; with `runAsNonRoot: true` the kubelet refuses to start an image that
    /// would run as UID 0.
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
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    /// ```
    pub struct PodRunsAsRoot {
        id: "K8S003",
        name: "pod-runs-as-root",
        severity: Error,
        domain: Kubernetes,
        summary: "A container may run as root (`runAsNonRoot` is not true)",
        help: "set `securityContext.runAsNonRoot: true` (and a non-zero `runAsUser`) on the pod or container",
    }
}

impl Rule for PodRunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if container.kind == ContainerKind::Ephemeral {
            return;
        }
        if let Some(user) = container.effective_security("runAsUser") {
            if user.as_str() == Some("0") {
                out.report(
                    &Self::META,
                    user.span,
                    format!("{} runs as root (`runAsUser: 0`)", container.describe()),
                );
                return;
            }
        }
        match container.effective_security("runAsNonRoot") {
            Some(value) if value.as_bool() == Some(true) => {}
            Some(value) => {
                out.report(
                    &Self::META,
                    value.span,
                    format!(
                        "{} sets `runAsNonRoot` to `{}`: it may run as root",
                        container.describe(),
                        value.as_str().unwrap_or("?")
                    ),
                );
            }
            None => {
                out.report(
                    &Self::META,
                    container.security_anchor(),
                    format!(
                        "{} does not set `runAsNonRoot: true` (nor does its pod): it may run as root",
                        container.describe()
                    ),
                );
            }
        }
    }
}
