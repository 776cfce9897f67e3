use super::quality_gates::report_missing;
use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Rust project whose CI never audits its dependencies for known vulnerabilities
    /// (`cargo audit`, `cargo deny`, `rustsec/audit-check`, `EmbarkStudios/cargo-deny-action`,
    /// `actions-rust-lang/audit`).
    ///
    /// ## Why is this bad?
    /// RustSec advisories are published every week; without an audit a vulnerable or yanked
    /// crate stays in `Cargo.lock` until someone happens to notice.
    ///
    /// ## Example
    /// A workflow with build and test steps only.
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: cargo install cargo-audit --locked && cargo audit
    /// ```
    pub struct MissingSecurityAudit {
        id: "GHA021",
        name: "missing-security-audit",
        severity: Warning,
        domain: GithubActions,
        summary: "CI never audits dependencies",
        help: "add `cargo audit` or `cargo deny check advisories` to CI (a scheduled run is fine)",
    }
}

impl Rule for MissingSecurityAudit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        if !repo.is_rust() {
            return;
        }
        let audited = repo.ci_runs(&["cargo", "audit"])
            || repo.ci_runs(&["cargo", "deny"])
            || [
                "rustsec/audit-check",
                "embarkstudios/cargo-deny-action",
                "actions-rust-lang/audit",
            ]
            .iter()
            .any(|a| repo.ci_uses(a));
        if !audited {
            report_missing(
                repo,
                &Self::META,
                "a dependency security audit (`cargo audit` or `cargo deny`)",
                out,
            );
        }
    }
}
