//! Helpers for the repository-level quality-gate rules.

use std::path::PathBuf;

use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::RepositoryDiagnostic;

/// Report that the Rust project at `repo` lacks a gate, at its `Cargo.toml`.
pub(crate) fn report_missing(
    repo: &Repository,
    rule: &'static RuleMeta,
    what: &str,
    out: &mut Vec<RepositoryDiagnostic>,
) {
    out.push(RepositoryDiagnostic {
        rule,
        path: anchor(repo),
        span: None,
        message: if repo.ci_files.is_empty() {
            format!("this Rust project has no GitHub Actions CI, so nothing runs {what}")
        } else {
            format!("no workflow runs {what}")
        },
    });
}

/// The file repository-level findings point at: `Cargo.toml`, else the first CI file.
pub(crate) fn anchor(repo: &Repository) -> PathBuf {
    repo.root_file("Cargo.toml")
        .or_else(|| repo.ci_files.first().map(|f| f.path.clone()))
        .unwrap_or_else(|| repo.root.clone())
}
