use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::{Container, ContainerKind};
use crate::rule::{Context, Rule};

use super::common::SecurityFlag;

declare_rule! {
    /// ## What it does
    /// Flags containers (init containers included) whose `securityContext` does not set
    /// `readOnlyRootFilesystem: true`.
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an intruder drop tools and persist changes inside the
    /// container, and hides state that is lost on restart. Writable paths belong in volumes.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
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
    ///   readOnlyRootFilesystem: true
    /// volumeMounts:
    ///   - {name: tmp, mountPath: /tmp}
    /// ```
    pub struct WritableRootFilesystem {
        id: "K8S004",
        name: "writable-root-filesystem",
        severity: Error,
        domain: Kubernetes,
        summary: "A container's root filesystem is writable",
        help: "set `securityContext.readOnlyRootFilesystem: true` and mount volumes where the app writes",
        fix: Unsafe,
    }
}

impl Rule for WritableRootFilesystem {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if container.kind == ContainerKind::Ephemeral {
            return;
        }
        let value = container
            .security_context()
            .and_then(|sc| sc.get("readOnlyRootFilesystem"));
        SecurityFlag {
            key: "readOnlyRootFilesystem",
            expected: true,
            missing_note: "",
            consequence: "",
        }
        .check(&Self::META, cx.text(), container, value, out);
    }
}
