use super::quality_gates::report_missing;
use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Rust project whose CI never checks formatting: no `cargo fmt … --check`,
    /// `rustfmt --check`, `treefmt --fail-on-change`, `dprint check`, format-check target of
    /// `make`, `just`, `task` or `cargo xtask`, `cargo fmt` followed by `git diff --exit-code`,
    /// nor a rustfmt action (`actions-rust-lang/rustfmt`).
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
        let checks = repo.ci_files.iter().any(|f| f.checks_format)
            || repo.ci_uses("actions-rust-lang/rustfmt")
            || repo.ci_uses("mbrubeck/rustfmt-check")
            || repo.ci_uses("loligothick/rustfmt-check");
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
