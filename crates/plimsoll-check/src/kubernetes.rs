//! A view of Kubernetes objects over the located YAML tree, and the facts cross-object rules
//! (disruption budgets, autoscalers, network policies) need from every manifest of a run.

use std::path::PathBuf;

use plimsoll_syntax::yaml::{Node, NodeKind};
use plimsoll_syntax::Span;

/// One Kubernetes object: a mapping with string `apiVersion` and `kind`.
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    /// The object's mapping.
    pub root: &'a Node,
    /// `apiVersion`.
    pub api_version: &'a str,
    /// `kind`.
    pub kind: &'a str,
}

/// The workload kinds whose pod template plimsoll finds, and where.
const WORKLOADS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

impl<'a> Object<'a> {
    /// `root` as an object, when it holds `apiVersion` and `kind`.
    pub fn new(root: &'a Node) -> Option<Self> {
        Some(Object {
            root,
            api_version: root.get_str("apiVersion")?,
            kind: root.get_str("kind")?,
        })
    }

    /// `metadata`.
    pub fn metadata(&self) -> Option<&'a Node> {
        self.root.get("metadata")
    }

    /// `metadata.name`.
    pub fn name(&self) -> Option<&'a str> {
        self.metadata()?.get_str("name")
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> Option<&'a str> {
        self.metadata()?.get_str("namespace")
    }

    /// Span of the `kind` value: where findings about the whole object point.
    pub fn kind_span(&self) -> Span {
        self.root.get("kind").map_or(self.root.span, |k| k.span)
    }

    /// A short description for messages: ``Deployment `web` ``.
    pub fn describe(&self) -> String {
        match self.name() {
            Some(name) => format!("{} `{name}`", self.kind),
            None => self.kind.to_string(),
        }
    }

    /// Whether the object is one of the workload kinds that run pods.
    pub fn is_workload(&self) -> bool {
        WORKLOADS.iter().any(|(kind, _)| *kind == self.kind)
    }

    /// Whether its pods are meant to run until stopped (not a Job or CronJob).
    pub fn is_long_running(&self) -> bool {
        self.is_workload() && !matches!(self.kind, "Job" | "CronJob")
    }

    /// The pod template (`spec.template`) of a controller, for its labels.
    pub fn pod_template(&self) -> Option<&'a Node> {
        let path = WORKLOADS.iter().find(|(kind, _)| *kind == self.kind)?.1;
        if path.len() < 2 {
            return None;
        }
        follow(self.root, &path[..path.len() - 1])
    }

    /// The pod spec, found at its real path for the kind.
    pub fn pod_spec(&self) -> Option<PodSpec<'a>> {
        let path = WORKLOADS.iter().find(|(kind, _)| *kind == self.kind)?.1;
        let node = follow(self.root, path)?;
        node.as_mapping()?;
        Some(PodSpec {
            node,
            object: *self,
        })
    }

    /// The items of a `List` (or any `…List` kind with `items`).
    pub fn list_items(&self) -> Option<&'a [Node]> {
        if !self.kind.ends_with("List") {
            return None;
        }
        self.root.get("items")?.as_sequence()
    }
}

fn follow<'a>(mut node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    for key in path {
        node = node.get(key)?;
    }
    Some(node)
}

/// A pod spec and the object it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct PodSpec<'a> {
    /// The spec mapping.
    pub node: &'a Node,
    /// The workload.
    pub object: Object<'a>,
}

/// Which list of a pod spec a container is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    /// `initContainers`.
    Init,
    /// `containers`.
    Regular,
    /// `ephemeralContainers` (debugging containers added to a running pod).
    Ephemeral,
}

impl ContainerKind {
    /// How messages name it.
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

impl<'a> PodSpec<'a> {
    /// Every container, init and ephemeral ones included.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut found = Vec::new();
        for (key, kind) in [
            ("initContainers", ContainerKind::Init),
            ("containers", ContainerKind::Regular),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ] {
            let items = self
                .node
                .get(key)
                .and_then(Node::as_sequence)
                .unwrap_or_default();
            for node in items.iter().filter(|n| n.as_mapping().is_some()) {
                found.push(Container {
                    node,
                    kind,
                    pod: *self,
                });
            }
        }
        found
    }

    /// The pod-level `securityContext`.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext")
    }
}

/// A container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    /// The container's mapping.
    pub node: &'a Node,
    /// Which list it is in.
    pub kind: ContainerKind,
    /// The pod spec around it.
    pub pod: PodSpec<'a>,
}

impl<'a> Container<'a> {
    /// `name`.
    pub fn name(&self) -> Option<&'a str> {
        self.node.get_str("name")
    }

    /// ``container `web` of Deployment `shop` `` for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} `{}` of {}",
            self.kind.noun(),
            self.name().unwrap_or("?"),
            self.pod.object.describe()
        )
    }

    /// Where a finding about something missing from the container points: its `name` key, or
    /// its first key.
    pub fn anchor(&self) -> Span {
        self.node
            .entry("name")
            .or_else(|| self.node.as_mapping().and_then(|m| m.first()))
            .map_or(self.node.span, |e| e.key.span)
    }

    /// The container's `securityContext`.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext")
    }

    /// A security setting as it takes effect: the container's, else the pod's (for the settings
    /// a pod-level `securityContext` can hold). Returns the value node.
    pub fn effective_security(&self, key: &str) -> Option<&'a Node> {
        self.security_context()
            .and_then(|sc| sc.get(key))
            .or_else(|| self.pod.security_context().and_then(|sc| sc.get(key)))
    }

    /// Where a finding about a missing security setting points: the container's
    /// `securityContext:` key when written, else [`Container::anchor`].
    pub fn security_anchor(&self) -> Span {
        self.node
            .entry("securityContext")
            .map_or_else(|| self.anchor(), |e| e.key.span)
    }
}

/// Whether two trees hold the same content, wherever they are written.
pub fn same_content(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar { value: x, .. }, NodeKind::Scalar { value: y, .. }) => x == y,
        (NodeKind::Sequence(x), NodeKind::Sequence(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_content(x, y))
        }
        (NodeKind::Mapping(x), NodeKind::Mapping(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| {
                    y.iter()
                        .any(|f| same_content(&e.key, &f.key) && same_content(&e.value, &f.value))
                })
        }
        _ => false,
    }
}

/// A label selector (`matchLabels` and `matchExpressions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// `matchLabels`.
    pub match_labels: Vec<(String, String)>,
    /// `matchExpressions`: key, operator, values.
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    /// Read a `LabelSelector` node.
    pub fn from_node(node: &Node) -> Selector {
        let mut selector = Selector {
            match_labels: labels_of(node.get("matchLabels")),
            ..Selector::default()
        };
        for expression in node
            .get("matchExpressions")
            .and_then(Node::as_sequence)
            .unwrap_or_default()
        {
            let values = expression
                .get("values")
                .and_then(Node::as_sequence)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            if let (Some(key), Some(operator)) =
                (expression.get_str("key"), expression.get_str("operator"))
            {
                selector
                    .match_expressions
                    .push((key.to_string(), operator.to_string(), values));
            }
        }
        selector
    }

    /// Whether it selects everything (no requirement at all).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether `labels` satisfy every requirement (Kubernetes label-selector semantics).
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let value_of = |key: &str| labels.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        self.match_labels
            .iter()
            .all(|(k, v)| value_of(k) == Some(v))
            && self
                .match_expressions
                .iter()
                .all(|(key, operator, values)| match operator.as_str() {
                    "In" => value_of(key).is_some_and(|v| values.contains(v)),
                    "NotIn" => value_of(key).is_none_or(|v| !values.contains(v)),
                    "Exists" => value_of(key).is_some(),
                    "DoesNotExist" => value_of(key).is_none(),
                    _ => false,
                })
    }
}

/// `key: value` pairs of a labels mapping (non-string values ignored).
pub fn labels_of(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_mapping)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
        .collect()
}

/// What cross-object rules need to know about one object, kept after its tree is dropped.
#[derive(Clone, Debug)]
pub struct ObjectFacts {
    /// The file it is in.
    pub path: PathBuf,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// Span of the `kind` value.
    pub kind_span: Span,
    /// Span of the `metadata.namespace` value, when written.
    pub namespace_span: Option<Span>,
    /// Span of the `replicas` key, when written.
    pub replicas_span: Option<Span>,
    /// `spec.replicas` (workloads), when a number.
    pub replicas: Option<i64>,
    /// Labels of the pod template (workloads) or of the pod.
    pub pod_labels: Vec<(String, String)>,
    /// `spec.selector` (PodDisruptionBudget) or `spec.podSelector` (NetworkPolicy).
    pub selector: Option<Selector>,
    /// HorizontalPodAutoscaler `scaleTargetRef`: kind and name.
    pub scale_target: Option<(String, String)>,
    /// HorizontalPodAutoscaler `minReplicas`.
    pub min_replicas: Option<i64>,
    /// HorizontalPodAutoscaler `maxReplicas`.
    pub max_replicas: Option<i64>,
    /// NetworkPolicy: the policy types it denies by default (an empty pod selector and no
    /// rules for that direction).
    pub denies_by_default: Vec<&'static str>,
    /// Span of the selector (`spec.selector`, `spec.podSelector`), when written.
    pub selector_span: Option<Span>,
    /// Ingress: the Services its backends name, with the span of each name.
    pub backends: Vec<(String, Span)>,
    /// NetworkPolicy: the directions it isolates the pods it selects in (`policyTypes`, or
    /// `Ingress` plus `Egress` when it has egress rules, as the API defaults them).
    pub isolates: Vec<&'static str>,
}

impl ObjectFacts {
    /// Gather the facts of `object` in `path`.
    pub fn of(object: &Object<'_>, path: PathBuf) -> ObjectFacts {
        let spec = object.root.get("spec");
        let number = |key: &str| {
            spec.and_then(|s| s.get_str(key))
                .and_then(|v| v.parse::<i64>().ok())
        };
        let namespace_node = object.metadata().and_then(|m| m.get("namespace"));
        let pod_labels = match object.kind {
            "Pod" => labels_of(object.metadata().and_then(|m| m.get("labels"))),
            _ => labels_of(
                object
                    .pod_template()
                    .and_then(|t| t.get("metadata"))
                    .and_then(|m| m.get("labels")),
            ),
        };
        let selector_node = match object.kind {
            "PodDisruptionBudget" | "Service" => spec.and_then(|s| s.get("selector")),
            "NetworkPolicy" => spec.and_then(|s| s.get("podSelector")),
            _ => None,
        };
        let selector = selector_node.map(|node| {
            if node.is_null() {
                Selector::default()
            } else if object.kind == "Service" {
                // A Service's selector is a plain label map, not a `LabelSelector`.
                Selector {
                    match_labels: labels_of(Some(node)),
                    ..Selector::default()
                }
            } else {
                Selector::from_node(node)
            }
        });
        let backends = if object.kind == "Ingress" {
            ingress_backends(spec)
        } else {
            Vec::new()
        };
        let scale_target = (object.kind == "HorizontalPodAutoscaler")
            .then(|| {
                let target = spec?.get("scaleTargetRef")?;
                Some((
                    target.get_str("kind")?.to_string(),
                    target.get_str("name")?.to_string(),
                ))
            })
            .flatten();
        let mut denies_by_default = Vec::new();
        let mut isolates = Vec::new();
        if object.kind == "NetworkPolicy" {
            let empty_selector = spec
                .and_then(|s| s.get("podSelector"))
                .is_some_and(|n| n.is_null() || Selector::from_node(n).is_empty());
            let has_egress_rules = spec.and_then(|s| s.get("egress")).is_some();
            let types: Vec<&str> = spec
                .and_then(|s| s.get("policyTypes"))
                .and_then(Node::as_sequence)
                .map(|items| items.iter().filter_map(Node::as_str).collect())
                .unwrap_or_else(|| {
                    if has_egress_rules {
                        vec!["Ingress", "Egress"]
                    } else {
                        vec!["Ingress"]
                    }
                });
            isolates = ["Ingress", "Egress"]
                .into_iter()
                .filter(|name| types.contains(name))
                .collect();
            let no_rules = |key: &str| {
                spec.and_then(|s| s.get(key)).is_none_or(|rules| {
                    rules.is_null() || rules.as_sequence().is_some_and(<[Node]>::is_empty)
                })
            };
            if empty_selector {
                for (name, rules) in [("Ingress", "ingress"), ("Egress", "egress")] {
                    if types.contains(&name) && no_rules(rules) {
                        denies_by_default.push(name);
                    }
                }
            }
        }
        ObjectFacts {
            path,
            kind: object.kind.to_string(),
            name: object.name().map(String::from),
            namespace: object.namespace().map(String::from),
            kind_span: object.kind_span(),
            namespace_span: namespace_node.map(|n| n.span),
            replicas_span: spec.and_then(|s| s.entry("replicas")).map(|e| e.key.span),
            replicas: number("replicas"),
            pod_labels,
            selector,
            scale_target,
            min_replicas: number("minReplicas"),
            max_replicas: number("maxReplicas"),
            denies_by_default,
            isolates,
            selector_span: selector_node.map(|n| n.span),
            backends,
        }
    }

    /// ``Deployment `web` `` for messages.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("{} `{name}`", self.kind),
            None => self.kind.clone(),
        }
    }

    /// Whether it is a workload that runs pods.
    pub fn is_workload(&self) -> bool {
        WORKLOADS.iter().any(|(kind, _)| *kind == self.kind)
    }
}

/// The Services an Ingress's backends name (`networking.k8s.io/v1` `service.name`, and the
/// older `serviceName`), with the span of each name.
fn ingress_backends(spec: Option<&Node>) -> Vec<(String, Span)> {
    let mut backends = Vec::new();
    let mut add = |backend: Option<&Node>| {
        let Some(backend) = backend else { return };
        let name = backend
            .get("service")
            .and_then(|s| s.get("name"))
            .or_else(|| backend.get("serviceName"));
        if let Some((text, node)) = name.and_then(|n| n.as_str().map(|t| (t, n))) {
            backends.push((text.to_string(), node.span));
        }
    };
    add(spec.and_then(|s| s.get("defaultBackend").or_else(|| s.get("backend"))));
    for rule in spec
        .and_then(|s| s.get("rules"))
        .and_then(Node::as_sequence)
        .unwrap_or_default()
    {
        for path in rule
            .get("http")
            .and_then(|h| h.get("paths"))
            .and_then(Node::as_sequence)
            .unwrap_or_default()
        {
            add(path.get("backend"));
        }
    }
    backends
}

/// Kinds of the Kubernetes API itself: any other kind is a custom resource, whose operator
/// may create pods (and Services) that no checked file shows.
const BUILTIN_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Service",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "Namespace",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "LimitRange",
    "ResourceQuota",
    "Endpoints",
    "EndpointSlice",
    "PriorityClass",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "Kustomization",
    "List",
    "APIService",
    "Lease",
    "Event",
    "RuntimeClass",
    "CSIDriver",
    "VolumeAttachment",
    "PodTemplate",
    "ControllerRevision",
    "CertificateSigningRequest",
];

/// Whether `kind` is one of the Kubernetes API's own kinds rather than a custom resource.
pub fn is_builtin_kind(kind: &str) -> bool {
    BUILTIN_KINDS.contains(&kind)
}

/// Every Kubernetes object of a run, for cross-object rules.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    /// The objects, in file order.
    pub objects: Vec<ObjectFacts>,
}

impl Cluster {
    /// Objects of `kind` in `namespace` (`None`: no namespace written).
    pub fn in_namespace<'a>(
        &'a self,
        kind: &'a str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a ObjectFacts> {
        self.objects
            .iter()
            .filter(move |o| o.kind == kind && o.namespace.as_deref() == namespace)
    }

    /// The `Namespace` object called `name`, if it is among the files.
    pub fn namespace_object(&self, name: &str) -> Option<&ObjectFacts> {
        self.objects
            .iter()
            .find(|o| o.kind == "Namespace" && o.name.as_deref() == Some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_follow_label_selector_semantics() {
        let selector = Selector {
            match_labels: labels(&[("app", "web")]),
            match_expressions: vec![
                (
                    "tier".into(),
                    "In".into(),
                    vec!["front".into(), "edge".into()],
                ),
                ("canary".into(), "DoesNotExist".into(), vec![]),
                ("zone".into(), "NotIn".into(), vec!["x".into()]),
            ],
        };
        assert!(selector.matches(&labels(&[("app", "web"), ("tier", "edge")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "back")])));
        assert!(!selector.matches(&labels(&[
            ("app", "web"),
            ("tier", "front"),
            ("canary", "1")
        ])));
        assert!(!selector.matches(&labels(&[("app", "api"), ("tier", "front")])));
        assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "front"), ("zone", "x")])));
        assert!(Selector::default().matches(&labels(&[("any", "thing")])));
    }
}
