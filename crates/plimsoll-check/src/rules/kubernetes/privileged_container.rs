use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::kubernetes::{Container, ContainerKind};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral ones included) with `securityContext.privileged:
    /// true`. A node agent's is a note, for a reviewer to confirm the need: a pod in
    /// `kube-system` (the namespace of the cluster's own node and network components, which the
    /// Pod Security Standards' `privileged` profile exists for), a DaemonSet whose pod shares the
    /// node's process or network namespace (`hostPID`, `hostNetwork`: CNI, CSI and monitoring
    /// agents), and a DaemonSet's init container (node setup run once per node before the
    /// unprivileged container starts, such as a node-level sysctl, which Kubernetes documents can
    /// only be set on the node or by a privileged DaemonSet).
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and the host's devices: it is root on the
    /// node in all but name.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   privileged: false
    ///   capabilities: {drop: [ALL]}
    /// ```
    pub struct PrivilegedContainer {
        id: "K8S006",
        name: "privileged-container",
        severity: Error,
        domain: Kubernetes,
        summary: "A container runs privileged",
        help: "remove `privileged: true`; grant only the capability the workload needs",
    }
}

impl Rule for PrivilegedContainer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if let Some(value) = container
            .security_context()
            .and_then(|sc| sc.get("privileged"))
            .filter(|v| v.as_bool() == Some(true))
        {
            let diagnostic = out.report(
                &Self::META,
                value.span,
                format!("{} runs privileged", container.describe()),
            );
            if let Some(reason) = node_agent(container) {
                diagnostic
                    .message
                    .push_str(&format!(": {reason}; confirm it needs full privilege rather than the capabilities it uses"));
                diagnostic.severity(Severity::Note);
            }
        }
    }
}

/// Why the container's pod is a node agent, whose privilege is usually its purpose (changing
/// the node, its network or its devices), or `None`.
fn node_agent(container: &Container<'_>) -> Option<&'static str> {
    let object = container.pod.object;
    if object.namespace() == Some("kube-system") {
        return Some("`kube-system` runs the cluster's node and network components");
    }
    if object.kind != "DaemonSet" {
        return None;
    }
    let shares_host = ["hostPID", "hostNetwork"].iter().any(|key| {
        container
            .pod
            .node
            .get(key)
            .is_some_and(|value| value.as_bool() == Some(true))
    });
    if shares_host {
        return Some("a DaemonSet sharing the node's process or network namespace is a node agent");
    }
    (container.kind == ContainerKind::Init)
        .then_some("a DaemonSet's init container sets up each node before its containers start")
}
