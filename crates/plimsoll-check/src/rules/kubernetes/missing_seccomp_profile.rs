use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::kubernetes::Object;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a workload whose pods run without a seccomp profile: neither the pod's
    /// `securityContext.seccompProfile` nor every container's sets `type: RuntimeDefault` (or
    /// `Localhost`). `type: Unconfined` is reported at warning level.
    ///
    /// ## Why is this bad?
    /// Without a profile a container may call every system call of the kernel, the attack
    /// surface of most container escapes; `RuntimeDefault` blocks the rarely needed ones and is
    /// what the Pod Security Standards' restricted profile requires.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: ghcr.io/acme/app:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile: {type: RuntimeDefault}
    ///   containers:
    ///     - name: app
    ///       image: ghcr.io/acme/app:1.4.2
    /// ```
    pub struct MissingSeccompProfile {
        id: "K8S015",
        name: "missing-seccomp-profile",
        severity: Note,
        domain: Kubernetes,
        summary: "A workload's pods run without a seccomp profile",
        help: "set `securityContext.seccompProfile.type: RuntimeDefault` on the pod",
    }
}

impl Rule for MissingSeccompProfile {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_object(&self, _cx: &Context<'_>, object: &Object<'_>, out: &mut Sink) {
        let Some(pod) = object.pod_spec() else {
            return;
        };
        fn profile(security_context: Option<&Node>) -> Option<&Node> {
            security_context
                .and_then(|sc| sc.get("seccompProfile"))
                .and_then(|p| p.get("type"))
        }
        let pod_profile = profile(pod.security_context());
        if let Some(kind) = pod_profile.and_then(|t| t.as_str()) {
            let span = pod_profile.map_or(object.kind_span(), |t| t.span);
            if kind == "Unconfined" {
                out.report(
                    &Self::META,
                    span,
                    format!(
                        "{} runs its pods with seccomp `Unconfined`",
                        object.describe()
                    ),
                )
                .severity(Severity::Warning);
            } else if !is_confining(kind) {
                out.report(
                    &Self::META,
                    span,
                    format!(
                        "{} sets seccomp profile type `{kind}`, which is not `RuntimeDefault` or `Localhost`",
                        object.describe()
                    ),
                );
            }
            return;
        }
        let containers = pod.containers();
        let each_set = !containers.is_empty()
            && containers.iter().all(|container| {
                profile(container.security_context())
                    .and_then(|t| t.as_str())
                    .is_some_and(is_confining)
            });
        if each_set {
            return;
        }
        out.report(
            &Self::META,
            object.kind_span(),
            format!(
                "{} sets no seccomp profile: its containers may make every system call",
                object.describe()
            ),
        );
    }
}

/// `RuntimeDefault` and `Localhost`: the profile types that restrict system calls.
fn is_confining(kind: &str) -> bool {
    matches!(kind, "RuntimeDefault" | "Localhost")
}
