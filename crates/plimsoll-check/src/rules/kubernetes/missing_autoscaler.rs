use std::collections::HashMap;

use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::kubernetes::{Cluster, ObjectFacts};
use crate::rule::{Rule, RunSink};

declare_rule! {
    /// ## What it does
    /// Flags Deployments with no HorizontalPodAutoscaler among the checked files whose
    /// `scaleTargetRef` names them in the same namespace, and autoscalers that do not set both
    /// `minReplicas` and `maxReplicas`.
    ///
    /// ## Why is this bad?
    /// A fixed replica count is either too many (paid for while idle) or too few (saturated at
    /// peak). Bounds on the autoscaler keep a traffic spike or a metrics bug from scaling to
    /// zero or to the whole cluster.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec: {replicas: 3}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata: {name: web}
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    pub struct MissingAutoscaler {
        id: "K8S011",
        name: "missing-autoscaler",
        severity: Note,
        domain: Kubernetes,
        summary: "A Deployment has no HorizontalPodAutoscaler with min and max replicas",
        help: "add a HorizontalPodAutoscaler targeting the Deployment, with `minReplicas` and `maxReplicas`",
    }
}

impl Rule for MissingAutoscaler {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_cluster(&self, cluster: &Cluster, out: &mut RunSink) {
        let autoscalers = autoscalers_by_target(cluster);
        for deployment in cluster.objects.iter().filter(|o| o.kind == "Deployment") {
            let Some(name) = &deployment.name else {
                continue;
            };
            let autoscaler = autoscalers
                .get(&(deployment.namespace.as_deref(), "Deployment", name.as_str()))
                .and_then(|found| found.first().copied());
            match autoscaler {
                None => {
                    out.report(
                        &Self::META,
                        &deployment.path,
                        deployment.kind_span,
                        format!(
                            "{} has no HorizontalPodAutoscaler among the checked files{}",
                            deployment.describe(),
                            super::missing_disruption_budget::namespace_note(
                                deployment.namespace.as_deref()
                            ),
                        ),
                    );
                }
                Some(hpa) if hpa.min_replicas.is_none() || hpa.max_replicas.is_none() => {
                    let missing = if hpa.min_replicas.is_none() {
                        "minReplicas"
                    } else {
                        "maxReplicas"
                    };
                    out.report(
                        &Self::META,
                        &hpa.path,
                        hpa.kind_span,
                        format!(
                            "{} scales {} without `{missing}`",
                            hpa.describe(),
                            deployment.describe()
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }
}

/// The HorizontalPodAutoscalers of each (namespace, target kind, target name), in file order:
/// looked up per workload, so thousands of workloads do not each scan every object.
pub(super) fn autoscalers_by_target(
    cluster: &Cluster,
) -> HashMap<(Option<&str>, &str, &str), Vec<&ObjectFacts>> {
    let mut found: HashMap<(Option<&str>, &str, &str), Vec<&ObjectFacts>> = HashMap::new();
    for hpa in cluster
        .objects
        .iter()
        .filter(|o| o.kind == "HorizontalPodAutoscaler")
    {
        if let Some((kind, name)) = &hpa.scale_target {
            found
                .entry((hpa.namespace.as_deref(), kind.as_str(), name.as_str()))
                .or_default()
                .push(hpa);
        }
    }
    found
}
