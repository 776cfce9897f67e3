use super::quality_gates::report_missing;
use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Rust project whose CI never checks formatting (`cargo fmt --all -- --check`, or
    /// the `actions-rust-lang/rustfmt` action).
    ///
    /// ## Why is this bad?
    /// Unformatted code lands, and every later change mixes real edits with reformatting noise
    /// that hides what changed in review.
    ///
    /// ## Example
    /// A workflow that runs only `cargo test`.
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: cargo fmt --all -- --check
    /// ```
    pub struct MissingFormatCheck {
        id: "GHA018",
        name: "missing-format-check",
        severity: Warning,
        domain: GithubActions,
        summary: "CI never checks formatting",
        help: "add a step running `cargo fmt --all -- --check`",
    }
}

impl Rule for MissingFormatCheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        if !repo.is_rust() {
            return;
        }
        let checks = repo.ci_files.iter().any(|f| {
            f.cargo_commands.iter().any(|argv| {
                crate::repository::starts_with(argv, &["cargo", "fmt"])
                    && argv.iter().any(|a| a == "--check")
            })
        }) || repo.ci_uses("actions-rust-lang/rustfmt");
        if !checks {
            report_missing(
                repo,
                &Self::META,
                "a format check (`cargo fmt --all -- --check`)",
                out,
            );
        }
    }
}
