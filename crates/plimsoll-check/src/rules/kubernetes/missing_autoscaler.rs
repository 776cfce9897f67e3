use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::kubernetes::Cluster;
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
        for deployment in cluster.objects.iter().filter(|o| o.kind == "Deployment") {
            let Some(name) = &deployment.name else {
                continue;
            };
            let autoscaler = cluster
                .in_namespace("HorizontalPodAutoscaler", deployment.namespace.as_deref())
                .find(|hpa| {
                    hpa.scale_target
                        .as_ref()
                        .is_some_and(|(kind, target)| kind == "Deployment" && target == name)
                });
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
