use std::collections::{BTreeMap, HashMap, HashSet};

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity};
use crate::kubernetes::{Cluster, ObjectFacts};
use crate::rule::{Rule, RunSink};

declare_rule! {
    /// ## What it does
    /// Flags each namespace that runs workloads but has no default-deny NetworkPolicy among the
    /// checked files: a policy with an empty `podSelector` that lists `Ingress` in its
    /// `policyTypes` (or omits them) and allows no ingress. Workloads whose pods a NetworkPolicy
    /// selects for `Ingress` are isolated already and need none. The finding is on the namespace's
    /// `Namespace` object when it is among the files, else on the first workload in it, and says
    /// when the namespace is not defined among the files. Workloads with no
    /// `metadata.namespace` are taken together, as the namespace they are applied to. A
    /// workload in a namespace Kubernetes creates and runs itself (`kube-system`, `kube-public`,
    /// `kube-node-lease`), not defined among the files, is a note: that namespace's network
    /// policy is the cluster operators' decision, not the manifest author's.
    ///
    /// ## Why is this bad?
    /// Without a default-deny policy every pod accepts traffic from every other pod in the
    /// cluster: one compromised workload can reach all the others.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web, namespace: shop}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    pub struct MissingDefaultDeny {
        id: "K8S012",
        name: "missing-default-deny",
        severity: Warning,
        domain: Kubernetes,
        summary: "A namespace has no default-deny NetworkPolicy",
        help: "add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` to the namespace, then allow what is needed",
    }
}

/// The namespaces every cluster starts with for Kubernetes' own components (the Kubernetes
/// documentation, "Initial namespaces"), apart from `default`.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

impl Rule for MissingDefaultDeny {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_cluster(&self, cluster: &Cluster, out: &mut RunSink) {
        // A workload whose pods a NetworkPolicy selects for ingress is isolated already: its
        // namespace needs a default deny only for the pods no policy selects.
        let mut policies: HashMap<Option<&str>, Vec<&ObjectFacts>> = HashMap::new();
        for policy in cluster
            .objects
            .iter()
            .filter(|o| o.kind == "NetworkPolicy" && o.isolates.contains(&"Ingress"))
        {
            policies
                .entry(policy.namespace.as_deref())
                .or_default()
                .push(policy);
        }
        let isolated = |workload: &ObjectFacts| {
            policies
                .get(&workload.namespace.as_deref())
                .is_some_and(|policies| {
                    policies.iter().any(|p| {
                        p.selector
                            .as_ref()
                            .is_some_and(|s| s.matches(&workload.pod_labels))
                    })
                })
        };
        let mut first_workload: BTreeMap<Option<&str>, &ObjectFacts> = BTreeMap::new();
        for object in cluster
            .objects
            .iter()
            .filter(|o| o.is_workload() && !isolated(o))
        {
            first_workload
                .entry(object.namespace.as_deref())
                .or_insert(object);
        }
        // Looked up per namespace below: a scan of every object for each of thousands of
        // namespaces would be quadratic.
        let mut denied: HashSet<Option<&str>> = HashSet::new();
        let mut defined: HashMap<&str, &ObjectFacts> = HashMap::new();
        for object in &cluster.objects {
            if object.kind == "NetworkPolicy" && object.denies_by_default.contains(&"Ingress") {
                denied.insert(object.namespace.as_deref());
            }
            if let (true, Some(name)) = (object.kind == "Namespace", object.name.as_deref()) {
                defined.entry(name).or_insert(object);
            }
        }
        for (namespace, workload) in first_workload {
            if denied.contains(&namespace) {
                continue;
            }
            match namespace {
                Some(name) => match defined.get(name) {
                    Some(defined) => {
                        out.report(
                            &Self::META,
                            &defined.path,
                            defined.kind_span,
                            format!(
                                "namespace `{name}` runs {} but has no default-deny NetworkPolicy among the checked files",
                                workload.describe()
                            ),
                        );
                    }
                    None if SYSTEM_NAMESPACES.contains(&name) => {
                        out.report(
                            &Self::META,
                            &workload.path,
                            workload.namespace_span.unwrap_or(workload.kind_span),
                            format!(
                                "namespace `{name}` is the cluster's own, created and run by Kubernetes and its provider: {} runs there under whatever network policy the cluster's operators set",
                                workload.describe()
                            ),
                        )
                        .help("a default deny in a system namespace is the cluster operators' decision; check that it allows what this workload needs")
                        .severity(Severity::Note);
                    }
                    None => {
                        out.report(
                            &Self::META,
                            &workload.path,
                            workload.namespace_span.unwrap_or(workload.kind_span),
                            format!(
                                "namespace `{name}` (not defined among the checked files) has no default-deny NetworkPolicy among them; {} runs there",
                                workload.describe()
                            ),
                        );
                    }
                },
                None => {
                    out.report(
                        &Self::META,
                        &workload.path,
                        workload.kind_span,
                        format!(
                            "{} sets no namespace and no NetworkPolicy without a namespace denies traffic by default; it runs in whatever namespace it is applied to",
                            workload.describe()
                        ),
                    );
                }
            }
        }
    }
}
