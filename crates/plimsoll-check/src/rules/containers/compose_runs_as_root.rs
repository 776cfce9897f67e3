use plimsoll_syntax::yaml::Node;

use super::runs_as_root::is_root_user;
use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Compose service that runs as root: `user: root`, `user: "0"` or `user: "0:0"`,
    /// or `privileged: true`. A privileged service wired to the host (`network_mode: host`,
    /// `devices:`, a `/dev/…` mount: a home-automation hub, an NFS or VPN server) is reported
    /// as a note: its privilege is its purpose, and the advice is to narrow it.
    ///
    /// ## Why is this bad?
    /// A compromised process running as root in its container is one escape away from root on
    /// the host; a privileged container already is root on the host.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: ghcr.io/acme/worker:2.1.0
    ///     user: root
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// services:
    ///   worker:
    ///     image: ghcr.io/acme/worker:2.1.0
    ///     user: "10001:10001"
    /// ```
    pub struct ComposeRunsAsRoot {
        id: "CMP002",
        name: "compose-runs-as-root",
        severity: Warning,
        domain: Containers,
        summary: "A Compose service runs as root or privileged",
        help: "run as an unprivileged user (`user: \"10001:10001\"`) and drop `privileged: true`",
    }
}

impl Rule for ComposeRunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_compose(&self, _cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        for service in compose.services() {
            if let Some(user) = service.node.get("user") {
                if user.as_str().is_some_and(is_root_user) {
                    out.report(
                        &Self::META,
                        user.span,
                        format!("service `{}` runs as root", service.name()),
                    );
                }
            }
            if let Some(privileged) = service.node.get("privileged") {
                if privileged.as_bool() == Some(true) {
                    let diagnostic = out.report(
                        &Self::META,
                        privileged.span,
                        format!(
                            "service `{}` runs privileged: root on the host",
                            service.name()
                        ),
                    );
                    if is_host_service(service.node) {
                        // Privilege is the declared purpose of a service wired to the host's
                        // devices or network (a home-automation hub, an NFS or VPN server):
                        // advice to narrow it, not a standard unmet.
                        diagnostic.severity(Severity::Note);
                    }
                }
            }
        }
    }
}

/// Whether a service is wired to the host: it shares the host's network
/// (`network_mode: host`), is given devices (`devices:`), or mounts a device path (`/dev/…`).
fn is_host_service(service: &Node) -> bool {
    let host_network = service.get_str("network_mode") == Some("host");
    let devices = service.get("devices").is_some();
    let device_mount = service
        .get("volumes")
        .and_then(Node::as_sequence)
        .unwrap_or_default()
        .iter()
        .any(|volume| {
            let source = volume
                .as_str()
                .map(|short| short.split(':').next().unwrap_or(short))
                .or_else(|| volume.get_str("source"));
            source.is_some_and(|path| path.starts_with("/dev/") || path == "/dev")
        });
    host_network || devices || device_mount
}
