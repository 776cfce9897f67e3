use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::{same_content, Container, ContainerKind};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags containers of long-running workloads (not Jobs or CronJobs) without both a
    /// `readinessProbe` and a `livenessProbe`, and containers whose two probes are identical
    /// (same endpoint and same settings).
    ///
    /// ## Why is this bad?
    /// Without a readiness probe traffic reaches pods that are not ready; without a liveness
    /// probe a hung process is never restarted. Identical probes turn a slow dependency into a
    /// restart loop: the pod is killed exactly when it should only be taken out of rotation.
    ///
    /// ## Example
    /// ```yaml
    /// readinessProbe: {httpGet: {path: /healthz, port: 8080}}
    /// livenessProbe: {httpGet: {path: /healthz, port: 8080}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// readinessProbe: {httpGet: {path: /ready, port: 8080}}
    /// livenessProbe: {httpGet: {path: /healthz, port: 8080}, failureThreshold: 5}
    /// ```
    pub struct MissingProbes {
        id: "K8S002",
        name: "missing-probes",
        severity: Warning,
        domain: Kubernetes,
        summary: "A container lacks readiness or liveness probes, or both probes are the same",
        help: "add a readiness probe and a liveness probe on different endpoints or with different settings",
    }
}

impl Rule for MissingProbes {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if container.kind != ContainerKind::Regular || !container.pod.object.is_long_running() {
            return;
        }
        let readiness = container.node.entry("readinessProbe");
        let liveness = container.node.entry("livenessProbe");
        match (readiness, liveness) {
            (Some(readiness), Some(liveness)) => {
                if same_content(&readiness.value, &liveness.value) {
                    out.report(
                        &Self::META,
                        liveness.key.span,
                        format!(
                            "{} has identical readiness and liveness probes",
                            container.describe()
                        ),
                    );
                }
            }
            (None, None) => {
                out.report(
                    &Self::META,
                    container.anchor(),
                    format!(
                        "{} has no readiness probe and no liveness probe",
                        container.describe()
                    ),
                );
            }
            (None, Some(_)) | (Some(_), None) => {
                let missing = if readiness.is_none() {
                    "readiness"
                } else {
                    "liveness"
                };
                out.report(
                    &Self::META,
                    container.anchor(),
                    format!("{} has no {missing} probe", container.describe()),
                );
            }
        }
    }
}
