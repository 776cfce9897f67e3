//! `plimsoll guard`: does a change lower CI coverage?
//!
//! Two versions of a repository's CI configuration ([`Snapshot`]s: from git revisions, the
//! working tree, or two folders) are turned into a coverage model ([`model`]): per workflow its
//! triggers, jobs, runners, the expanded matrix ([`matrix`], GitHub's `include`/`exclude` rules),
//! steps, the quality commands and flags inside `run:` scripts, and the settings that make a
//! failure invisible. [`compare()`] then lists what the new version lost (a *reduction*, which
//! fails the run), what changed in a way that is neither clearly equivalent nor clearly a loss
//! (*review*), and what was lost on purpose (accepted by a
//! `# plimsoll: allow-reduction[<what>] reason` comment). Renames, reorders and equivalent
//! rewrites are silent.
//!
//! Tests newly skipped in code ([`skips`]) count as reductions too. [`git`] reads revisions
//! through the `git` executable; [`render`] turns a [`GuardReport`] into the human, JSON, SARIF
//! and GitHub-annotation formats.

#![warn(missing_docs)]

mod allow;
pub mod compare;
mod elsewhere;
pub mod equivalence;
mod features;
pub mod git;
mod inline;
mod legs;
mod location;
pub use plimsoll_actions::matrix;
pub mod model;
mod moved;
pub mod render;
pub mod skips;
mod snapshot;
mod version;
mod workspace;

pub use compare::{compare, Change, Checked, GuardReport, Kind, Severity};
pub use location::Location;
pub use snapshot::{content_of, CodeChange, FileContent, Snapshot, SnapshotFile, MAX_FILE_SIZE};

/// Why a guard run could not compare two versions.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// `git` failed, or is missing.
    #[error("{0}")]
    Git(String),
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The arguments name something that cannot be compared.
    #[error("{0}")]
    Usage(String),
}

use std::path::Path;

/// Compare two revisions of the repository holding `path`: `base` (default: the merge base of
/// `HEAD` with the default branch) against `head` (default: the working tree).
pub fn guard_git(
    path: &Path,
    base: Option<&str>,
    head: Option<&str>,
) -> Result<GuardReport, GuardError> {
    let repo = git::Repo::discover(path)?;
    let (base_commit, base_label) = match base {
        Some(rev) => (repo.resolve(rev)?, rev.to_string()),
        None => {
            let commit = repo.default_base()?;
            let label = format!("merge base {}", &commit[..commit.len().min(12)]);
            (commit, label)
        }
    };
    let before = repo.snapshot_at(&base_commit, &base_label)?;
    let (after, head_commit) = match head {
        Some(rev) => {
            let commit = repo.resolve(rev)?;
            (repo.snapshot_at(&commit, rev)?, Some(commit))
        }
        None => (repo.snapshot_worktree()?, None),
    };
    let code = repo.code_changes(&base_commit, head_commit.as_deref())?;
    Ok(compare(&before, &after, &code))
}

/// Compare two folders (checkouts) or two workflow files.
pub fn guard_paths(before: &Path, after: &Path) -> Result<GuardReport, GuardError> {
    let missing = |path: &Path| GuardError::Usage(format!("{} does not exist", path.display()));
    if !before.exists() {
        return Err(missing(before));
    }
    if !after.exists() {
        return Err(missing(after));
    }
    if before.is_file() != after.is_file() {
        return Err(GuardError::Usage(
            "--before and --after must both be files or both be folders".into(),
        ));
    }
    let key = if after.is_file() {
        let name = after
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let in_workflows = after
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|dir| dir == "workflows");
        if matches!(name.as_str(), "action.yml" | "action.yaml") && !in_workflows {
            name
        } else {
            format!(".github/workflows/{name}")
        }
    } else {
        String::new()
    };
    let old = Snapshot::from_path(before, &key)?;
    let new = Snapshot::from_path(after, &key)?;
    // Two empty sides compare as "nothing lost": a mistyped folder would pass silently.
    for side in [&old, &new] {
        if side.files.is_empty() {
            return Err(GuardError::Usage(format!(
                "{} holds no CI file: give a checkout, its .github folder, or a folder of \
                 workflow files",
                side.label
            )));
        }
    }
    let code = skips::code_changes_between(before, after)?;
    Ok(compare(&old, &new, &code))
}
