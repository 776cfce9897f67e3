//! `plimsoll check --fix` and `--diff`: apply the fixes the findings carry to the files, or show
//! what applying them would change.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use plimsoll_check::config::Settings;
use plimsoll_check::fixer::{self, DroppedFix};
use plimsoll_check::pins;
use plimsoll_check::CheckReport;
use plimsoll_syntax::SourceFile;
use rayon::prelude::*;

/// What `--fix` does with what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write each fixed file, atomically.
    Write,
    /// Print a unified diff of each file that would change; write nothing.
    Diff,
}

/// What fixing the files of a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// How many fixes were applied (or would be, with `--diff`).
    pub fixed: usize,
    /// How many files changed (or would).
    pub files: usize,
    /// Findings whose fix is unsafe and was not applied (`--unsafe-fixes` would).
    pub unsafe_left: usize,
    /// Action refs that could not be resolved to a commit, so were not pinned.
    pub unpinned: usize,
}

/// The rules whose fix pins an action ref to a commit SHA.
const PINNING_RULES: &[&str] = &["unpinned-action", "action-not-pinned-to-sha"];

/// Resolve the action refs the pinning rules' findings in `report` name, from the cache in the
/// user's cache folder or with `git ls-remote` (not when `offline`), and remember the answers
/// there. A ref that cannot be resolved is said on stderr, with the reason, and gets no fix; a
/// cache that cannot be written is a warning: neither stops the run.
pub fn resolve_pins(
    report: &CheckReport,
    settings: &Settings,
    offline: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> pins::ResolvedRefs {
    let wanted = pins::wanted(&report.findings, PINNING_RULES, settings.max_file_size);
    if wanted.is_empty() {
        return pins::ResolvedRefs::default();
    }
    let now = pins::now();
    let mut cache = pins::RefCache::load(pins::RefCache::default_path(env));
    let resolved = pins::resolve(&wanted, &pins::server(env), &mut cache, offline, now);
    if let Err(err) = cache.save(now) {
        eprintln!(
            "plimsoll: warning: {}",
            crate::for_stderr(&err.to_string(), false)
        );
    }
    for (action, reason) in resolved.failures() {
        let line = format!("not pinned: {action}: {reason}");
        eprintln!("plimsoll: {}", crate::for_stderr(&line, false));
    }
    resolved
}

/// One file's result.
struct FileResult {
    path: PathBuf,
    original: String,
    fixed: fixer::FixedText,
    bom: bool,
}

/// Apply the fixes of `report`'s findings (the unsafe ones too when `unsafe_allowed`) to their
/// files in `mode`; diffs go to `out`. Files are fixed in parallel, each on its own.
pub fn run(
    report: &CheckReport,
    settings: &Settings,
    unsafe_allowed: bool,
    mode: Mode,
    out: &mut dyn Write,
) -> anyhow::Result<Summary> {
    let mut paths: Vec<&Path> = report
        .findings
        .iter()
        .filter(|finding| fix_applied(finding, unsafe_allowed) == Some(true))
        .map(|finding| finding.location.path.as_path())
        .collect();
    // Each file once: two fixers of one file in parallel would each write their own result.
    paths.sort_unstable();
    paths.dedup();
    let results: Vec<anyhow::Result<Option<FileResult>>> = paths
        .par_iter()
        .map(|path| fix_file(path, settings, unsafe_allowed))
        .collect();
    let mut summary = Summary::default();
    for result in results {
        let Some(result) = result? else { continue };
        for dropped in &result.fixed.dropped {
            warn_dropped(&result.path, dropped);
        }
        if !result.fixed.converged {
            eprintln!(
                "plimsoll: warning: {}: fixes still applied after {} passes; stopped there",
                crate::for_stderr(&result.path.display().to_string(), false),
                fixer::MAX_PASSES
            );
        }
        if !result.fixed.changed(&result.original) {
            continue;
        }
        summary.fixed += result.fixed.applied.len();
        summary.files += 1;
        match mode {
            Mode::Diff => write_diff(&result, out)?,
            Mode::Write => write_fixed(&result)?,
        }
    }
    summary.unsafe_left = report
        .findings
        .iter()
        .filter(|finding| fix_applied(finding, unsafe_allowed) == Some(false))
        .count();
    Ok(summary)
}

/// Whether the fix of `finding` is applied with unsafe fixes `allowed` or not; `None` when
/// it has none.
fn fix_applied(finding: &plimsoll_check::Finding, unsafe_allowed: bool) -> Option<bool> {
    let fix = finding.fix.as_ref()?;
    Some(plimsoll_check::fix::is_applied(
        fix.applicability,
        unsafe_allowed,
    ))
}

/// Fix the file at `path`; nothing when it cannot be read as text, or is a symbolic link (the
/// fix would replace the link with a file, or write outside the tree checked).
fn fix_file(
    path: &Path,
    settings: &Settings,
    unsafe_allowed: bool,
) -> anyhow::Result<Option<FileResult>> {
    if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) {
        eprintln!(
            "plimsoll: warning: {}: a symbolic link; not fixed",
            crate::for_stderr(&path.display().to_string(), false)
        );
        return Ok(None);
    }
    let bytes = plimsoll_syntax::file::read_regular(path, settings.max_file_size)
        .with_context(|| format!("cannot read {} to fix it", path.display()))?;
    let Ok(source) = SourceFile::from_bytes(path.to_path_buf(), bytes) else {
        return Ok(None);
    };
    let fixed = fixer::fix_text(path, source.text(), settings, unsafe_allowed);
    Ok(Some(FileResult {
        path: path.to_path_buf(),
        original: source.text().to_string(),
        fixed,
        bom: source.has_bom(),
    }))
}

fn warn_dropped(path: &Path, dropped: &DroppedFix) {
    let line = format!(
        "{}: the fix of `{}` ({}) was not applied: the result would not parse ({})",
        path.display(),
        dropped.rule,
        dropped.message,
        dropped.reason
    );
    eprintln!("plimsoll: warning: {}", crate::for_stderr(&line, false));
}

/// Print the unified diff of `result`'s file, `a/` and `b/` prefixed as git prints them.
fn write_diff(result: &FileResult, out: &mut dyn Write) -> anyhow::Result<()> {
    let name = result.path.display().to_string();
    let name = name.strip_prefix("./").unwrap_or(&name);
    let patch = diffy::DiffOptions::new()
        .set_original_filename(format!("a/{name}"))
        .set_modified_filename(format!("b/{name}"))
        .create_patch(&result.original, &result.fixed.text);
    write!(out, "{patch}")?;
    Ok(())
}

/// Replace `result`'s file with its fixed text (its byte-order mark kept), atomically and with
/// its permissions.
fn write_fixed(result: &FileResult) -> anyhow::Result<()> {
    let mut bytes = Vec::with_capacity(result.fixed.text.len() + 3);
    if result.bom {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    bytes.extend_from_slice(result.fixed.text.as_bytes());
    crate::output::write_file(&result.path, &bytes)
}
