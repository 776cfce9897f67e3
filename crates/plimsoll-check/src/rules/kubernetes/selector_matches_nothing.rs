use std::collections::{HashMap, HashSet};

use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::kubernetes::{is_builtin_kind, Cluster, ObjectFacts};
use crate::rule::{Rule, RunSink};

declare_rule! {
    /// ## What it does
    /// Flags a Service, NetworkPolicy or PodDisruptionBudget whose selector matches the pods of
    /// no workload among the checked files of its namespace, and an Ingress backend naming a
    /// Service that is not among them. A namespace is judged only when the checked files run
    /// workloads (or define Services, for Ingresses) in it, and not when it holds custom
    /// resources, whose operators may create the pods, nor `kube-system`. A workload deployed
    /// otherwise (a Helm chart) is not seen: hence a note.
    ///
    /// ## Why is this bad?
    /// A label that drifted (`app: web` on the Service, `app: web-v2` on the pods) is not an
    /// error anywhere: the Service has no endpoints and answers nothing, the policy protects
    /// nothing, the budget guards nothing, and the Ingress returns 503.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: web}
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: web-v2}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: web-v2}
    /// ```
    pub struct SelectorMatchesNothing {
        id: "K8S018",
        name: "selector-matches-nothing",
        severity: Note,
        domain: Kubernetes,
        summary: "A selector or an Ingress backend matches nothing among the checked files",
        help: "make the selector's labels those of the pod template (or the backend the Service's name)",
    }
}

impl Rule for SelectorMatchesNothing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_cluster(&self, cluster: &Cluster, out: &mut RunSink) {
        let mut workloads: HashMap<Option<&str>, Vec<&ObjectFacts>> = HashMap::new();
        let mut services: HashMap<Option<&str>, HashSet<&str>> = HashMap::new();
        let mut operated: HashSet<Option<&str>> = HashSet::new();
        for object in &cluster.objects {
            let namespace = object.namespace.as_deref();
            if object.is_workload() {
                workloads.entry(namespace).or_default().push(object);
            }
            if let (true, Some(name)) = (object.kind == "Service", object.name.as_deref()) {
                services.entry(namespace).or_default().insert(name);
            }
            if !is_builtin_kind(&object.kind) {
                operated.insert(namespace);
            }
        }
        for object in &cluster.objects {
            let namespace = object.namespace.as_deref();
            // `kube-system` runs the control plane's static pods, which no manifest shows.
            if operated.contains(&namespace) || namespace == Some("kube-system") {
                continue;
            }
            if object.kind == "Ingress" {
                let Some(known) = services.get(&namespace) else {
                    continue;
                };
                for (service, span) in &object.backends {
                    if !known.contains(service.as_str()) {
                        out.report(
                            &Self::META,
                            &object.path,
                            *span,
                            format!(
                                "{} sends traffic to Service `{service}`, which is not among the checked files of its namespace",
                                object.describe()
                            ),
                        );
                    }
                }
                continue;
            }
            if !matches!(
                object.kind.as_str(),
                "Service" | "NetworkPolicy" | "PodDisruptionBudget"
            ) {
                continue;
            }
            let (Some(selector), Some(pods)) = (&object.selector, workloads.get(&namespace)) else {
                continue;
            };
            if selector.is_empty() || pods.iter().any(|w| selector.matches(&w.pod_labels)) {
                continue;
            }
            out.report(
                &Self::META,
                &object.path,
                object.selector_span.unwrap_or(object.kind_span),
                format!(
                    "{}'s selector matches the pods of no workload among the checked files of its namespace",
                    object.describe()
                ),
            );
        }
    }
}
