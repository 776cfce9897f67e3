use super::quality_gates::report_missing;
use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Rust project whose CI never runs its tests (`cargo test`, `cargo nextest run`,
    /// `cargo llvm-cov`, `cargo tarpaulin`, `cargo hack test`).
    ///
    /// ## Why is this bad?
    /// The tests exist but nothing stops a change that breaks them from merging.
    ///
    /// ## Example
    /// A workflow that runs `cargo build` only.
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: cargo test --workspace --all-features
    /// ```
    pub struct MissingTestGate {
        id: "GHA020",
        name: "missing-test-gate",
        severity: Warning,
        domain: GithubActions,
        summary: "CI never runs the tests",
        help: "add a step running `cargo test --workspace`",
    }
}

impl Rule for MissingTestGate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        if !repo.is_rust() {
            return;
        }
        let tests = [
            &["cargo", "test"][..],
            &["cargo", "nextest"],
            &["cargo", "llvm-cov"],
            &["cargo", "tarpaulin"],
            &["cargo", "hack", "test"],
            &["cargo", "miri", "test"],
        ];
        if !tests.iter().any(|prefix| repo.ci_runs(prefix)) {
            report_missing(repo, &Self::META, "the tests (`cargo test`)", out);
        }
    }
}
