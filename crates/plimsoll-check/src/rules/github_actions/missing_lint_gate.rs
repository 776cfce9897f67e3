use super::clippy_warnings_allowed::denies_warnings;
use super::quality_gates::report_missing;
use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::{starts_with, Repository};
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Rust project whose CI never runs clippy with warnings denied (`-D warnings` on
    /// the command line or in `RUSTFLAGS`).
    ///
    /// ## Why is this bad?
    /// Without a failing lint gate, clippy's findings are advice nobody reads; bugs it would
    /// have caught ship.
    ///
    /// ## Example
    /// A workflow that runs `cargo build` and `cargo test` only.
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: cargo clippy --all-targets --all-features -- -D warnings
    /// ```
    pub struct MissingLintGate {
        id: "GHA019",
        name: "missing-lint-gate",
        severity: Warning,
        domain: GithubActions,
        summary: "CI never runs clippy with warnings denied",
        help: "add a step running `cargo clippy --all-targets -- -D warnings`",
    }
}

impl Rule for MissingLintGate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        if !repo.is_rust() {
            return;
        }
        let gated = repo.ci_files.iter().any(|f| {
            let env_denies = f
                .rustflags
                .iter()
                .any(|r| denies_warnings(r.split_whitespace()));
            f.cargo_commands.iter().any(|argv| {
                starts_with(argv, &["cargo", "clippy"])
                    && (env_denies || denies_warnings(argv.iter().map(String::as_str)))
            })
        });
        if !gated {
            report_missing(
                repo,
                &Self::META,
                "clippy with warnings denied (`cargo clippy -- -D warnings`)",
                out,
            );
        }
    }
}
