use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::Container;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral ones included) with `securityContext.privileged:
    /// true`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and the host's devices: it is root on the
    /// node in all but name.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   privileged: false
    ///   capabilities: {drop: [ALL]}
    /// ```
    pub struct PrivilegedContainer {
        id: "K8S006",
        name: "privileged-container",
        severity: Error,
        domain: Kubernetes,
        summary: "A container runs privileged",
        help: "remove `privileged: true`; grant only the capability the workload needs",
    }
}

impl Rule for PrivilegedContainer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        if let Some(value) = container
            .security_context()
            .and_then(|sc| sc.get("privileged"))
            .filter(|v| v.as_bool() == Some(true))
        {
            out.report(
                &Self::META,
                value.span,
                format!("{} runs privileged", container.describe()),
            );
        }
    }
}
