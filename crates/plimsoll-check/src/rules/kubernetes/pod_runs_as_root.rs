use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::{Container, ContainerKind};
use crate::rule::{Context, Rule};

use super::common::SecurityFlag;

declare_rule! {
    /// ## What it does
    /// Flags containers that may run as root: `runAsNonRoot` is not `true` in the container's
    /// `securityContext` nor in the pod's, or `runAsUser: 0` is set.
    ///
    /// ## Why is this bad?
    /// A process running as root inside the container is one kernel or runtime bug away from
    /// root on the node; with `runAsNonRoot: true` the kubelet refuses to start an image that
    /// would run as UID 0.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Unsafe: sets the key in the container's `securityContext` (added when missing), or
    /// changes the value set otherwise. A program that needs what the setting takes away (root,
    /// a writable root filesystem, gaining privileges) stops working, so review the change.
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    /// ```
    pub struct PodRunsAsRoot {
        id: "K8S003",
        name: "pod-runs-as-root",
        severity: Error,
        domain: Kubernetes,
        summary: "A container may run as root (`runAsNonRoot` is not true)",
        help: "set `securityContext.runAsNonRoot: true` (and a non-zero `runAsUser`) on the pod or container",
        fix: Unsafe,
    }
}

impl Rule for PodRunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if container.kind == ContainerKind::Ephemeral {
            return;
        }
        if let Some(user) = container.effective_security("runAsUser") {
            if user.as_str() == Some("0") {
                out.report(
                    &Self::META,
                    user.span,
                    format!("{} runs as root (`runAsUser: 0`)", container.describe()),
                );
                return;
            }
        }
        let value = container.effective_security("runAsNonRoot");
        SecurityFlag {
            key: "runAsNonRoot",
            expected: true,
            missing_note: " (nor does its pod)",
            consequence: ": it may run as root",
        }
        .check(&Self::META, cx.text(), container, value, out);
    }
}
