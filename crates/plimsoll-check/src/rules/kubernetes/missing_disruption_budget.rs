use std::collections::HashMap;
use std::path::Path;

use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::kubernetes::{Cluster, ObjectFacts};
use crate::rule::{Rule, RunSink};

declare_rule! {
    /// ## What it does
    /// Flags workloads that run more than one replica (`spec.replicas` above 1, or an autoscaler
    /// whose `minReplicas` is above 1) with no PodDisruptionBudget among the checked files whose
    /// selector matches their pod labels in the same namespace (label-selector semantics,
    /// `matchExpressions` included). An autoscaler counts for the workload it targets when its
    /// file is in the workload's folder or one inside the other; a same-named Deployment's
    /// autoscaler elsewhere in the repository does not.
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
        let autoscalers = super::missing_autoscaler::autoscalers_by_target(cluster);
        // Budgets by namespace and the first of their `matchLabels` (a budget matches only pods
        // with that label), and those without `matchLabels` by namespace: each workload looks
        // at the budgets that can select it, not at every object.
        let mut by_label: HashMap<(Option<&str>, &str, &str), Vec<&ObjectFacts>> = HashMap::new();
        let mut unlabelled: HashMap<Option<&str>, Vec<&ObjectFacts>> = HashMap::new();
        for pdb in cluster
            .objects
            .iter()
            .filter(|o| o.kind == "PodDisruptionBudget")
        {
            let Some(selector) = &pdb.selector else {
                continue;
            };
            let namespace = pdb.namespace.as_deref();
            match selector.match_labels.first() {
                Some((key, value)) => by_label
                    .entry((namespace, key.as_str(), value.as_str()))
                    .or_default()
                    .push(pdb),
                None => unlabelled.entry(namespace).or_default().push(pdb),
            }
        }
        for workload in &cluster.objects {
            if !matches!(
                workload.kind.as_str(),
                "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
            ) {
                continue;
            }
            let namespace = workload.namespace.as_deref();
            let autoscaled_min = workload
                .name
                .as_deref()
                .and_then(|name| autoscalers.get(&(namespace, workload.kind.as_str(), name)))
                .and_then(|hpas| {
                    hpas.iter()
                        .filter(|hpa| applied_together(&hpa.path, &workload.path))
                        .find_map(|hpa| hpa.min_replicas)
                });
            let replicas = workload
                .replicas
                .unwrap_or(1)
                .max(autoscaled_min.unwrap_or(0));
            if replicas <= 1 || workload.pod_labels.is_empty() {
                continue;
            }
            let covered = workload
                .pod_labels
                .iter()
                .filter_map(|(key, value)| by_label.get(&(namespace, key.as_str(), value.as_str())))
                .chain(unlabelled.get(&namespace))
                .flatten()
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

/// Whether an autoscaler in `autoscaler` can be applied with the workload in `workload`: the
/// same folder, or one folder inside the other (a base and its `hpa/`). The run is one cluster
/// for names, but a same-named Deployment's autoscaler in an unrelated folder of the repository
/// (another example, another application) must not raise this workload's replica count.
fn applied_together(autoscaler: &Path, workload: &Path) -> bool {
    match (autoscaler.parent(), workload.parent()) {
        (Some(a), Some(w)) => a.starts_with(w) || w.starts_with(a),
        _ => true,
    }
}

/// `in namespace `x`` for messages.
pub(super) fn namespace_note(namespace: Option<&str>) -> String {
    match namespace {
        Some(namespace) => format!(" in namespace `{namespace}`"),
        None => String::new(),
    }
}
