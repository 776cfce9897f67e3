use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::kubernetes::Cluster;
use crate::rule::{Rule, RunSink};

declare_rule! {
    /// ## What it does
    /// Flags workloads that run more than one replica (`spec.replicas` above 1, or an autoscaler
    /// whose `minReplicas` is above 1) with no PodDisruptionBudget among the checked files whose
    /// selector matches their pod labels in the same namespace (label-selector semantics,
    /// `matchExpressions` included).
    ///
    /// ## Why is this bad?
    /// Node drains and cluster upgrades evict pods freely without a budget: every replica of a
    /// service can be down at once, which is exactly what replicas were meant to prevent.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   template: {metadata: {labels: {app: web}}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata: {name: web}
    /// spec:
    ///   minAvailable: 2
    ///   selector: {matchLabels: {app: web}}
    /// ```
    pub struct MissingDisruptionBudget {
        id: "K8S010",
        name: "missing-disruption-budget",
        severity: Warning,
        domain: Kubernetes,
        summary: "A replicated workload has no PodDisruptionBudget selecting it",
        help: "add a PodDisruptionBudget whose selector matches the workload's pod labels",
    }
}

impl Rule for MissingDisruptionBudget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_cluster(&self, cluster: &Cluster, out: &mut RunSink) {
        for workload in &cluster.objects {
            if !matches!(
                workload.kind.as_str(),
                "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
            ) {
                continue;
            }
            let autoscaled_min = cluster
                .in_namespace("HorizontalPodAutoscaler", workload.namespace.as_deref())
                .filter(|hpa| {
                    hpa.scale_target.as_ref().is_some_and(|(kind, name)| {
                        *kind == workload.kind && Some(name) == workload.name.as_ref()
                    })
                })
                .find_map(|hpa| hpa.min_replicas);
            let replicas = workload
                .replicas
                .unwrap_or(1)
                .max(autoscaled_min.unwrap_or(0));
            if replicas <= 1 || workload.pod_labels.is_empty() {
                continue;
            }
            let covered = cluster
                .in_namespace("PodDisruptionBudget", workload.namespace.as_deref())
                .any(|pdb| {
                    pdb.selector
                        .as_ref()
                        .is_some_and(|s| s.matches(&workload.pod_labels))
                });
            if !covered {
                let labels: Vec<String> = workload
                    .pod_labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                out.report(
                    &Self::META,
                    &workload.path,
                    workload.replicas_span.unwrap_or(workload.kind_span),
                    format!(
                        "{} runs {replicas} replicas but no PodDisruptionBudget among the checked files selects its pods ({}){}",
                        workload.describe(),
                        labels.join(", "),
                        namespace_note(workload.namespace.as_deref()),
                    ),
                );
            }
        }
    }
}

/// `in namespace `x`` for messages.
pub(super) fn namespace_note(namespace: Option<&str>) -> String {
    match namespace {
        Some(namespace) => format!(" in namespace `{namespace}`"),
        None => String::new(),
    }
}
