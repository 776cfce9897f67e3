use super::quality_gates::anchor;
use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Rust project whose toolchain is pinned nowhere: no `rust-toolchain.toml` (or
    /// `rust-toolchain`) at the root, and no workflow installing an explicit version
    /// (`dtolnay/rust-toolchain@1.85.0`, `toolchain: 1.85.0`, `rustup toolchain install 1.85.0`).
    ///
    /// ## Why is this bad?
    /// Each new stable release brings new lints and behaviour; CI turns red on a Thursday with
    /// no change in the repository, and local builds disagree with CI.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: dtolnay/rust-toolchain@stable
    /// ```
    ///
    /// ## Use instead
    /// ```toml
    /// # rust-toolchain.toml
    /// [toolchain]
    /// channel = "1.85.0"
    /// components = ["rustfmt", "clippy"]
    /// ```
    pub struct ToolchainNotPinned {
        id: "GHA007",
        name: "toolchain-not-pinned",
        severity: Note,
        domain: GithubActions,
        summary: "The Rust toolchain is not pinned anywhere",
        help: "add a `rust-toolchain.toml` with an explicit `channel = \"1.x.y\"`",
    }
}

impl Rule for ToolchainNotPinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        if !repo.is_rust() || repo.ci_files.is_empty() {
            return;
        }
        let file_pins = ["rust-toolchain.toml", "rust-toolchain"]
            .iter()
            .any(|f| repo.root_file(f).is_some());
        if file_pins || repo.ci_files.iter().any(|f| f.pins_rust_toolchain) {
            return;
        }
        out.push(RepositoryDiagnostic {
            rule: &Self::META,
            path: anchor(repo),
            span: None,
            message: "the Rust toolchain is not pinned: no `rust-toolchain.toml` and no explicit version in CI".into(),
        });
    }
}
