use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::Object;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags a Deployment or StatefulSet with more than one replica whose pod
    /// template has neither a pod anti-affinity nor `topologySpreadConstraints`. Strict only:
    /// the standards ask for a PodDisruptionBudget, not for spreading.
    ///
    /// ## Why is this bad?
    /// The scheduler may put every replica on the same node or zone: one node drained or lost
    /// takes the whole service down, and the replicas bought no availability.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: kubernetes.io/hostname
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector: {matchLabels: {app: web}}
    /// ```
    pub struct MissingAntiAffinity {
        id: "K8S017",
        name: "missing-anti-affinity",
        severity: Note,
        domain: Kubernetes,
        summary: "A replicated workload does not spread its pods across nodes",
        help: "add `topologySpreadConstraints` on `kubernetes.io/hostname` (or a preferred pod anti-affinity) to the pod template",
        strict_only: true,
    }
}

impl Rule for MissingAntiAffinity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_object(&self, _cx: &Context<'_>, object: &Object<'_>, out: &mut Sink) {
        if !matches!(object.kind, "Deployment" | "StatefulSet") {
            return;
        }
        let Some(replicas) = object.root.get("spec").and_then(|s| s.entry("replicas")) else {
            return;
        };
        let count = replicas
            .value
            .as_str()
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(1);
        let Some(pod) = object.pod_spec() else {
            return;
        };
        let spreads = pod.node.get("topologySpreadConstraints").is_some()
            || pod
                .node
                .get("affinity")
                .and_then(|a| a.get("podAntiAffinity"))
                .is_some();
        if count > 1 && !spreads {
            out.report(
                &Self::META,
                replicas.key.span,
                format!(
                    "{} runs {count} replicas with no anti-affinity or topology spread: they may all land on one node",
                    object.describe()
                ),
            );
        }
    }
}
