//! Finding the files to check: a parallel walk that honours `.gitignore` (up to the repository's
//! root, never above it, and never for a file git tracks), enters hidden folders such as
//! `.github/`, and skips `.git/`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;

use crate::settings::{Exclusions, Settings};

/// The kinds of file plimsoll checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A GitHub Actions workflow.
    Workflow,
    /// GitHub Actions action metadata (`action.yml`).
    Action,
    /// Dependabot configuration (`.github/dependabot.yml`).
    Dependabot,
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// A Docker Compose file.
    Compose,
    /// A YAML file that may hold Kubernetes manifests: confirmed by content when read.
    Kubernetes,
    /// A Terraform file (`.tf`).
    Terraform,
    /// Terraform variable values (`.tfvars`).
    TerraformVars,
}

impl FileKind {
    /// Classify `path` by its name and place alone.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".tf") {
            return Some(FileKind::Terraform);
        }
        if name.ends_with(".tfvars") {
            return Some(FileKind::TerraformVars);
        }
        if is_dockerfile_name(name) {
            return Some(FileKind::Dockerfile);
        }
        let stem = name
            .strip_suffix(".yml")
            .or_else(|| name.strip_suffix(".yaml"))?;
        if stem == "compose" || stem.starts_with("compose.") || stem.starts_with("docker-compose") {
            return Some(FileKind::Compose);
        }
        let parent = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        let grandparent = path
            .parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        if parent == Some("workflows") && grandparent == Some(".github") {
            return Some(FileKind::Workflow);
        }
        if matches!(name, "action.yml" | "action.yaml") {
            return Some(FileKind::Action);
        }
        if matches!(name, "dependabot.yml" | "dependabot.yaml") && parent == Some(".github") {
            return Some(FileKind::Dependabot);
        }
        None
    }
}

/// `Dockerfile`, `Containerfile`, `Dockerfile.*` (also `Dockerfile-*`, `Dockerfile_*`),
/// `*.Dockerfile`, `*.dockerfile` (not the per-Dockerfile ignore files
/// `Dockerfile.dockerignore`).
fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    let variant = |base: &str| {
        name.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
    };
    variant("Dockerfile")
        || variant("Containerfile")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
        || name.ends_with(".Containerfile")
}

/// A file to check.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Its path as discovered.
    pub path: PathBuf,
    /// Its kind from its name; `None` for a file named on the command line whose name says
    /// nothing (it is then classified by content).
    pub kind: Option<FileKind>,
    /// Index of the repository (directory target) it was found in.
    pub repository: Option<usize>,
    /// A text file of no kind plimsoll checks: only rules that read any text (the secrets
    /// pass) look at it, and a file that is binary, too large or not UTF-8 is skipped quietly.
    pub text_only: bool,
    /// Discovery's `stat` of the path found a regular file: reading it needs no second one.
    pub found_regular: bool,
}

/// Files to check, and the directory targets they were found in.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files, sorted by path.
    pub files: Vec<Candidate>,
    /// Directory targets (each is a repository for repository-level rules).
    pub repositories: Vec<PathBuf>,
    /// Targets that cannot be checked (missing, a FIFO, a device), and why.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Files and folders inside directory targets that could not be read, and why.
    pub unreadable_inside: Vec<(PathBuf, String)>,
    /// Targets left out because the configuration excludes them (`--force-exclude` only).
    pub excluded_targets: Vec<PathBuf>,
}

/// Walk `targets`: directories are searched, files are taken as named.
pub fn discover(targets: &[PathBuf], settings: &Settings) -> Discovery {
    let mut discovery = Discovery::default();
    // One `stat` per target (`is_dir` and `exists` would each walk the path again), all at
    // once: a run over thousands of named files would otherwise wait on them one by one.
    // Each file's kind is worked out there too, from its path.
    let metadata: Vec<_> = targets
        .par_iter()
        .map(|target| {
            let metadata = std::fs::metadata(target);
            let file = metadata
                .as_ref()
                .is_ok_and(|metadata| !metadata.is_dir())
                .then(|| candidate(target));
            (metadata, file)
        })
        .collect();
    for (target, (metadata, file)) in targets.iter().zip(metadata) {
        let metadata = match metadata {
            Ok(metadata) => metadata,
            Err(err) => {
                let reason = if err.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    err.to_string()
                };
                discovery.unreadable.push((target.clone(), reason));
                continue;
            }
        };
        // A path named is checked even when excluded, unless `--force-exclude`.
        if settings.force_exclude && settings.is_excluded(target) {
            tracing::info!("excluded (--force-exclude): {}", target.display());
            discovery.excluded_targets.push(target.clone());
            continue;
        }
        if metadata.is_dir() {
            let index = discovery.repositories.len();
            discovery.repositories.push(target.clone());
            let (files, unreadable) = walk(target, index, settings);
            discovery.files.extend(files);
            discovery.unreadable_inside.extend(unreadable);
        } else if let Err(err) = plimsoll_syntax::file::regular(&metadata) {
            discovery.unreadable.push((target.clone(), err.to_string()));
        } else {
            discovery.files.push(Candidate {
                found_regular: true,
                ..file.unwrap_or_else(|| candidate(target))
            });
        }
    }
    // Stable, as before; paths compare component by component, which adds up over thousands
    // of named files.
    discovery.files.par_sort_by(|a, b| a.path.cmp(&b.path));
    discovery.files.dedup_by(|a, b| a.path == b.path);
    discovery
}

/// The file `path`, named on the command line, as a file to check.
pub fn candidate(path: &Path) -> Candidate {
    let kind = FileKind::from_path(path);
    Candidate {
        path: path.to_path_buf(),
        kind,
        repository: None,
        // A YAML file named on the command line is classified by its content.
        text_only: kind.is_none() && !is_yaml(path),
        found_regular: false,
    }
}

/// `path` without a leading `./`, so reports read `.github/workflows/ci.yml`.
pub fn normalize(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Whether `path` has a YAML extension (`.yml`, `.yaml`, any case).
pub(crate) fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// The repository holding `dir`: the nearest folder, `dir` included, with a `.git` entry.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(dir).ok()?;
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The path an error of the walk is about, and the operating system's reason, when it is one
/// (a folder or file that cannot be read).
fn unreadable_entry(err: &ignore::Error) -> Option<(PathBuf, String)> {
    match err {
        ignore::Error::WithPath { path, err } => {
            let reason = match err.as_ref() {
                ignore::Error::Io(io) => io.to_string(),
                other => other.to_string(),
            };
            Some((normalize(path), reason))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            unreadable_entry(err)
        }
        ignore::Error::Partial(errors) => errors.iter().find_map(unreadable_entry),
        _ => None,
    }
}

/// The files under `root` (directory target number `repository`), and the entries that could
/// not be read with why.
fn walk(
    root: &Path,
    repository: usize,
    settings: &Settings,
) -> (Vec<Candidate>, Vec<(PathBuf, String)>) {
    let found = Mutex::new(Vec::new());
    let unreadable = Mutex::new(Vec::new());
    // In a repository, `.gitignore` files apply from the target up to the repository's root and
    // no further (`require_git` makes the ignore crate stop at the `.git` it sees); outside one,
    // only those inside the target do. An ignore file above the tree given is not the project's
    // and could hide every file. `.ignore` files are not git's and apply whatever folder they
    // are in, so they are not read.
    let in_repository = repository_root(root).is_some();
    let exclusions = settings.exclusions_under(root);
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .ignore(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .parents(in_repository)
        .require_git(in_repository)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel();
    walker.run(|| {
        let found = &found;
        let unreadable = &unreadable;
        let exclusions = &exclusions;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    match unreadable_entry(&err) {
                        Some(entry) => {
                            if let Ok(mut unreadable) = unreadable.lock() {
                                unreadable.push(entry);
                            }
                        }
                        None => tracing::warn!("skipped: {err}"),
                    }
                    return WalkState::Continue;
                }
            };
            let path = entry.path();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if entry.depth() > 0 && settings.is_excluded_under(path, exclusions) {
                tracing::debug!("excluded: {}", path.display());
                return if is_dir {
                    WalkState::Skip
                } else {
                    WalkState::Continue
                };
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            if let Ok(mut found) = found.lock() {
                // Not a symbolic link (links are not followed): a regular file.
                found.push(Candidate {
                    found_regular: true,
                    ..walked(path, repository)
                });
            }
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_default();
    if in_repository {
        found.extend(tracked_but_ignored(
            root,
            repository,
            settings,
            &exclusions,
            &found,
        ));
    }
    let mut unreadable = unreadable.into_inner().unwrap_or_default();
    unreadable.sort();
    (found, unreadable)
}

/// A file found under directory target number `repository`.
fn walked(path: &Path, repository: usize) -> Candidate {
    Candidate {
        repository: Some(repository),
        ..in_tree(path)
    }
}

/// `path` classified as a directory walk classifies the files it finds (and an editor's
/// workspace holds them): manifests have any name, so other YAML files are read and sniffed for
/// `apiVersion`/`kind`; every other file is read as text for the secrets rules.
pub fn in_tree(path: &Path) -> Candidate {
    let kind = FileKind::from_path(path).or_else(|| is_yaml(path).then_some(FileKind::Kubernetes));
    Candidate {
        path: normalize(path),
        kind,
        repository: None,
        text_only: kind.is_none(),
        found_regular: false,
    }
}

/// Files git tracks under `root` that the walk skipped because a `.gitignore` matches them:
/// ignore rules do not apply to tracked files, in git as here (a `.gitignore` of `*` must not
/// hide the committed workflows).
fn tracked_but_ignored(
    root: &Path,
    repository: usize,
    settings: &Settings,
    exclusions: &Exclusions,
    found: &[Candidate],
) -> Vec<Candidate> {
    let listing = match plimsoll_git::Git::new(root).and_then(|git| {
        git.stdout([
            "ls-files",
            "-z",
            "--cached",
            "--ignored",
            "--exclude-standard",
        ])
    }) {
        Ok(listing) => listing,
        Err(err) => {
            tracing::debug!("{}: tracked files not listed: {err}", root.display());
            return Vec::new();
        }
    };
    let known: std::collections::HashSet<&Path> = found.iter().map(|c| c.path.as_path()).collect();
    listing
        .split(|&b| b == 0)
        .filter_map(|raw| std::str::from_utf8(raw).ok())
        .filter(|rel| plimsoll_git::is_inside_work_tree(rel))
        .map(|rel| root.join(rel))
        .filter(|path| {
            !known.contains(normalize(path).as_path())
                && !settings.is_excluded_under(path, exclusions)
                // Regular files only: a deleted file, a submodule, a link are not read.
                && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
        })
        .map(|path| walked(&path, repository))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_place_and_name() {
        assert_eq!(
            FileKind::from_path(Path::new("x/.github/workflows/ci.yml")),
            Some(FileKind::Workflow)
        );
        assert_eq!(
            FileKind::from_path(Path::new(".github/workflows/ci.yaml")),
            Some(FileKind::Workflow)
        );
        assert_eq!(
            FileKind::from_path(Path::new("a/action.yml")),
            Some(FileKind::Action)
        );
        assert_eq!(
            FileKind::from_path(Path::new(".github/dependabot.yml")),
            Some(FileKind::Dependabot)
        );
        assert_eq!(FileKind::from_path(Path::new("workflows/ci.yml")), None);
        for name in [
            "Dockerfile",
            "Containerfile",
            "Dockerfile.alpine",
            "api.Dockerfile",
            "build.dockerfile",
            "Dockerfile-20.04",
            "Dockerfile_arm",
        ] {
            assert_eq!(
                FileKind::from_path(Path::new(name)),
                Some(FileKind::Dockerfile),
                "{name}"
            );
        }
        assert_eq!(
            FileKind::from_path(Path::new("Dockerfile.dockerignore")),
            None
        );
        for name in [
            "compose.yml",
            "compose.prod.yaml",
            "docker-compose.yml",
            "docker-compose-v2.yml",
        ] {
            assert_eq!(
                FileKind::from_path(Path::new(name)),
                Some(FileKind::Compose),
                "{name}"
            );
        }
        assert_eq!(
            FileKind::from_path(Path::new(".github/workflows/README.md")),
            None
        );
    }
}
