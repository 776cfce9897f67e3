use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::{Container, ContainerKind};
use crate::rule::{Context, Rule};

use super::common::SecurityFlag;

declare_rule! {
    /// ## What it does
    /// Flags containers (init containers included) whose `securityContext` does not set
    /// `allowPrivilegeEscalation: false`. Kubernetes allows escalation when it is not set.
    ///
    /// ## Why is this bad?
    /// With escalation allowed, a setuid binary or file capability in the image can give the
    /// process more privileges than it started with.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: true
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
    ///   allowPrivilegeEscalation: false
    /// ```
    pub struct PrivilegeEscalation {
        id: "K8S005",
        name: "privilege-escalation",
        severity: Error,
        domain: Kubernetes,
        summary: "A container may gain privileges (`allowPrivilegeEscalation` is not false)",
        help: "set `securityContext.allowPrivilegeEscalation: false`",
        fix: Unsafe,
    }
}

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if container.kind == ContainerKind::Ephemeral {
            return;
        }
        let value = container
            .security_context()
            .and_then(|sc| sc.get("allowPrivilegeEscalation"));
        SecurityFlag {
            key: "allowPrivilegeEscalation",
            expected: false,
            missing_note: "",
            consequence: "",
        }
        .check(&Self::META, cx.text(), container, value, out);
    }
}
