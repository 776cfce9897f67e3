use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::Object;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags an object whose `apiVersion` Kubernetes has removed for its `kind`
    /// (`extensions/v1beta1` Deployments, `batch/v1beta1` CronJobs, `policy/v1beta1`
    /// PodDisruptionBudgets, …), naming the release that removed it and the version to use.
    /// The table is the official deprecated API migration guide's, as data in this rule.
    ///
    /// ## Why is this bad?
    /// An API server of that release or later refuses the manifest: the deploy fails on the
    /// next cluster upgrade, or has already been failing where the cluster is newer.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1beta1
    /// kind: CronJob
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// ```
    pub struct RemovedApiVersion {
        id: "K8S014",
        name: "removed-api-version",
        severity: Error,
        domain: Kubernetes,
        summary: "An object uses an `apiVersion` that Kubernetes has removed",
        help: "move the object to the replacement `apiVersion` (`kubectl convert` helps) and check the fields it renamed",
    }
}

/// A removed API: group/version, the kinds it served, the Kubernetes minor release that
/// removed it, and what replaces it (`None`: nothing does).
struct RemovedApi {
    api_version: &'static str,
    kinds: &'static [&'static str],
    removed_in: &'static str,
    replacement: Option<&'static str>,
}

/// From the Kubernetes "Deprecated API Migration Guide"
/// (kubernetes.io/docs/reference/using-api/deprecation-guide), releases 1.16 to 1.32.
const REMOVED_APIS: &[RemovedApi] = &[
    RemovedApi {
        api_version: "extensions/v1beta1",
        kinds: &["Deployment", "DaemonSet", "ReplicaSet"],
        removed_in: "1.16",
        replacement: Some("apps/v1"),
    },
    RemovedApi {
        api_version: "apps/v1beta1",
        kinds: &["Deployment", "StatefulSet", "ReplicaSet"],
        removed_in: "1.16",
        replacement: Some("apps/v1"),
    },
    RemovedApi {
        api_version: "apps/v1beta2",
        kinds: &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
        removed_in: "1.16",
        replacement: Some("apps/v1"),
    },
    RemovedApi {
        api_version: "extensions/v1beta1",
        kinds: &["NetworkPolicy"],
        removed_in: "1.16",
        replacement: Some("networking.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "extensions/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removed_in: "1.16",
        replacement: Some("policy/v1beta1"),
    },
    RemovedApi {
        api_version: "extensions/v1beta1",
        kinds: &["Ingress"],
        removed_in: "1.22",
        replacement: Some("networking.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "networking.k8s.io/v1beta1",
        kinds: &["Ingress", "IngressClass"],
        removed_in: "1.22",
        replacement: Some("networking.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "admissionregistration.k8s.io/v1beta1",
        kinds: &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        removed_in: "1.22",
        replacement: Some("admissionregistration.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "apiextensions.k8s.io/v1beta1",
        kinds: &["CustomResourceDefinition"],
        removed_in: "1.22",
        replacement: Some("apiextensions.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "apiregistration.k8s.io/v1beta1",
        kinds: &["APIService"],
        removed_in: "1.22",
        replacement: Some("apiregistration.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "authentication.k8s.io/v1beta1",
        kinds: &["TokenReview"],
        removed_in: "1.22",
        replacement: Some("authentication.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "authorization.k8s.io/v1beta1",
        kinds: &[
            "SubjectAccessReview",
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
        ],
        removed_in: "1.22",
        replacement: Some("authorization.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "certificates.k8s.io/v1beta1",
        kinds: &["CertificateSigningRequest"],
        removed_in: "1.22",
        replacement: Some("certificates.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "coordination.k8s.io/v1beta1",
        kinds: &["Lease"],
        removed_in: "1.22",
        replacement: Some("coordination.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "rbac.authorization.k8s.io/v1beta1",
        kinds: &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        removed_in: "1.22",
        replacement: Some("rbac.authorization.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "scheduling.k8s.io/v1beta1",
        kinds: &["PriorityClass"],
        removed_in: "1.22",
        replacement: Some("scheduling.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        removed_in: "1.22",
        replacement: Some("storage.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "batch/v1beta1",
        kinds: &["CronJob"],
        removed_in: "1.25",
        replacement: Some("batch/v1"),
    },
    RemovedApi {
        api_version: "discovery.k8s.io/v1beta1",
        kinds: &["EndpointSlice"],
        removed_in: "1.25",
        replacement: Some("discovery.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "events.k8s.io/v1beta1",
        kinds: &["Event"],
        removed_in: "1.25",
        replacement: Some("events.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "autoscaling/v2beta1",
        kinds: &["HorizontalPodAutoscaler"],
        removed_in: "1.25",
        replacement: Some("autoscaling/v2"),
    },
    RemovedApi {
        api_version: "policy/v1beta1",
        kinds: &["PodDisruptionBudget"],
        removed_in: "1.25",
        replacement: Some("policy/v1"),
    },
    RemovedApi {
        api_version: "policy/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removed_in: "1.25",
        replacement: None,
    },
    RemovedApi {
        api_version: "node.k8s.io/v1beta1",
        kinds: &["RuntimeClass"],
        removed_in: "1.25",
        replacement: Some("node.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "autoscaling/v2beta2",
        kinds: &["HorizontalPodAutoscaler"],
        removed_in: "1.26",
        replacement: Some("autoscaling/v2"),
    },
    RemovedApi {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta1",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        removed_in: "1.26",
        replacement: Some("flowcontrol.apiserver.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIStorageCapacity"],
        removed_in: "1.27",
        replacement: Some("storage.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta2",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        removed_in: "1.29",
        replacement: Some("flowcontrol.apiserver.k8s.io/v1"),
    },
    RemovedApi {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta3",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        removed_in: "1.32",
        replacement: Some("flowcontrol.apiserver.k8s.io/v1"),
    },
];

impl Rule for RemovedApiVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_object(&self, _cx: &Context<'_>, object: &Object<'_>, out: &mut Sink) {
        let Some(removed) = REMOVED_APIS
            .iter()
            .find(|api| api.api_version == object.api_version && api.kinds.contains(&object.kind))
        else {
            return;
        };
        let span = object
            .root
            .get("apiVersion")
            .map_or(object.kind_span(), |node| node.span);
        let instead = match removed.replacement {
            Some(replacement) => format!("use `{replacement}`"),
            None => "no API replaces it (Pod Security Admission does its work)".to_string(),
        };
        out.report(
            &Self::META,
            span,
            format!(
                "`{}` {} was removed in Kubernetes {}: {instead}",
                removed.api_version, object.kind, removed.removed_in
            ),
        );
    }
}
