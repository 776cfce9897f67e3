use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::kubernetes::Container;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags Linux capabilities added under `securityContext.capabilities.add` (init and
    /// ephemeral containers included). Capabilities that amount to control of the node
    /// (`SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `ALL`, …) are errors; others are warnings to
    /// justify with a suppression comment saying why the workload needs them.
    ///
    /// ## Why is this bad?
    /// Every added capability widens what a compromised process can do to the node and its
    /// neighbours.
    ///
    /// ## Example
    /// ```yaml
    /// capabilities:
    ///   add: [SYS_ADMIN]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// capabilities:
    ///   drop: [ALL]
    /// ```
    pub struct AddedCapabilities {
        id: "K8S007",
        name: "added-capabilities",
        severity: Error,
        domain: Kubernetes,
        summary: "A container adds Linux capabilities",
        help: "drop `ALL` and add back only what the workload needs, saying why in a suppression comment",
    }
}

/// Capabilities that give control of the node or of other workloads.
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "BPF",
    "PERFMON",
    "NET_RAW",
    "SETUID",
    "SETGID",
    "MKNOD",
];

impl Rule for AddedCapabilities {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        let added = container
            .security_context()
            .and_then(|sc| sc.get("capabilities"))
            .and_then(|c| c.get("add"))
            .and_then(Node::as_sequence)
            .unwrap_or_default();
        for capability in added {
            let Some(name) = capability.as_str() else {
                continue;
            };
            let bare = name.trim_start_matches("CAP_").to_ascii_uppercase();
            let diagnostic = out.report(
                &Self::META,
                capability.span,
                format!("{} adds capability `{name}`", container.describe()),
            );
            if !DANGEROUS.contains(&bare.as_str()) {
                diagnostic.severity(Severity::Warning);
            }
        }
    }
}
