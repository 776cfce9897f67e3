use std::collections::BTreeMap;
use std::path::Path;

use crate::GuardError;

/// What one version of a file holds, as far as guard is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileContent {
    /// UTF-8 text.
    Text(String),
    /// Bytes that are not text (a NUL byte, or invalid UTF-8): not compared, and said so.
    Binary,
    /// A git submodule (a gitlink): its contents live in another repository.
    Submodule,
    /// Larger than [`MAX_FILE_SIZE`]: not read past the limit, not compared, and said so.
    TooLarge,
}

/// The most bytes of one file guard reads, as `plimsoll check`'s default `max-file-size`: a
/// hostile pull request must not make the gate slow or large. A larger file is
/// [`FileContent::TooLarge`].
pub const MAX_FILE_SIZE: usize = plimsoll_syntax::file::DEFAULT_MAX_FILE_SIZE as usize;

/// One file of a snapshot: where it is shown from, and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotFile {
    /// The path shown in reports (relative to the repository or the compared folder).
    pub display: String,
    /// Its content.
    pub content: FileContent,
}

/// The CI files of one version of a repository: workflows (`.github/workflows/*.yml`) and
/// action metadata (`action.yml` anywhere), keyed by their path in the repository.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// What this version is (`HEAD~1`, `working tree`, a folder), for messages.
    pub label: String,
    /// Files by repository path.
    pub files: BTreeMap<String, SnapshotFile>,
    /// Whether the version has a `.github` folder at all.
    pub has_github_dir: bool,
    /// Paths under `.github` that are submodules (their workflows cannot be seen).
    pub submodules: Vec<String>,
    /// Every file of the version with its git object id (empty for an untracked file), when
    /// the version is a commit or a git working tree: what the path filters of its workflows
    /// can select. Empty when not known (folders given on the command line).
    pub tree: BTreeMap<String, String>,
    /// The text of every Cargo manifest (`Cargo.toml`) and `package.json` of the version, by
    /// path, when the version is a commit or a git working tree: which Cargo features the code
    /// declares, what its package scripts run.
    pub manifests: BTreeMap<String, String>,
}

impl Snapshot {
    /// Whether [`Snapshot::tree`] holds the repository's files, not only its CI folder (a
    /// history kept of `.github` alone says nothing of the code a path filter selects).
    pub fn knows_code(&self) -> bool {
        self.tree.keys().any(|path| !path.starts_with(".github/"))
    }
}

/// A source file that differs between the versions, for finding newly skipped tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChange {
    /// Repository path.
    pub path: String,
    /// The old text (absent for a new file).
    pub before: Option<String>,
    /// The new text (absent for a deleted file).
    pub after: Option<String>,
}

/// Whether guard reads `path` as CI configuration: a workflow or an action's metadata.
pub fn is_ci_file(path: &str) -> bool {
    let yaml = path.ends_with(".yml") || path.ends_with(".yaml");
    if !yaml {
        return false;
    }
    let workflow = path
        .strip_prefix(".github/workflows/")
        .is_some_and(|rest| !rest.contains('/'));
    let file_name = path.rsplit('/').next().unwrap_or(path);
    workflow || matches!(file_name, "action.yml" | "action.yaml")
}

/// Whether `path` is a Cargo manifest, read for the features it declares.
pub(crate) fn is_cargo_manifest(path: &str) -> bool {
    path.rsplit('/').next() == Some("Cargo.toml")
}

/// Whether `path` is a package manifest (a Cargo manifest, or a `package.json` outside
/// `node_modules`, read for the scripts it names).
pub(crate) fn is_manifest(path: &str) -> bool {
    is_cargo_manifest(path)
        || (path.rsplit('/').next() == Some("package.json")
            && !path.split('/').any(|part| part == "node_modules"))
}

/// Text of raw bytes, or [`FileContent::Binary`], or [`FileContent::TooLarge`] past
/// [`MAX_FILE_SIZE`] (readers stop one byte past it).
pub fn content_of(bytes: Vec<u8>) -> FileContent {
    if bytes.len() > MAX_FILE_SIZE {
        return FileContent::TooLarge;
    }
    if bytes.contains(&0) {
        return FileContent::Binary;
    }
    match String::from_utf8(bytes) {
        Ok(text) => FileContent::Text(text),
        Err(_) => FileContent::Binary,
    }
}

/// The bytes of the file at `path`, up to one byte past [`MAX_FILE_SIZE`] (enough to tell it
/// is too large), with the path in the error.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, GuardError> {
    plimsoll_syntax::read_at_most(path, MAX_FILE_SIZE as u64).map_err(|source| GuardError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// The file at `relative` under `root` when it is a regular file inside `root` (a symbolic link
/// out of the tree is not followed), up to one byte past [`MAX_FILE_SIZE`]; `None` otherwise.
pub(crate) fn read_inside(root: &Path, relative: &str) -> Option<Vec<u8>> {
    let root = std::fs::canonicalize(root).ok()?;
    let full = std::fs::canonicalize(root.join(relative)).ok()?;
    if !full.starts_with(&root) {
        return None;
    }
    read_file(&full).ok()
}

/// Text of a source file's bytes for the test-skip scan: none when not UTF-8 or over
/// [`MAX_FILE_SIZE`] (a cut text would be scanned as if the rest were deleted).
pub(crate) fn code_text(bytes: Option<Vec<u8>>) -> Option<String> {
    bytes
        .filter(|b| b.len() <= MAX_FILE_SIZE)
        .and_then(|b| String::from_utf8(b).ok())
}

/// What a folder given on the command line is, as the prefix that turns its paths into
/// repository paths: `None` for a checkout (it has `.github/`, or holds no CI folder at all),
/// `.github/` for a copy of that folder (named `.github`, or holding `workflows/`), and
/// `.github/workflows/` for a folder of workflow files. Users hand guard all three.
fn folder_prefix(path: &Path) -> Option<&'static str> {
    if path.join(".github").is_dir() {
        return None;
    }
    let name = std::fs::canonicalize(path)
        .ok()
        .and_then(|full| full.file_name().map(|n| n.to_string_lossy().into_owned()));
    if name.as_deref() == Some(".github") || path.join("workflows").is_dir() {
        return Some(".github/");
    }
    let yaml: Vec<String> = std::fs::read_dir(path)
        .ok()?
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yml") || name.ends_with(".yaml"))
        .collect();
    // An action's own repository keeps `action.yml` at its root: that is a checkout.
    let action = yaml
        .iter()
        .any(|name| matches!(name.as_str(), "action.yml" | "action.yaml"));
    (name.as_deref() == Some("workflows") || (!yaml.is_empty() && !action))
        .then_some(".github/workflows/")
}

/// Folders never holding CI files or tests worth reading.
const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules", ".venv", "vendor"];

impl Snapshot {
    /// The snapshot of a folder (a checkout) or of a single workflow file.
    ///
    /// A single file is keyed as `key_for_file` so that two files with different names compare
    /// as two versions of one workflow.
    pub fn from_path(path: &Path, key_for_file: &str) -> Result<Snapshot, GuardError> {
        let meta = std::fs::metadata(path).map_err(|source| GuardError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut snapshot = Snapshot {
            label: path.display().to_string(),
            ..Snapshot::default()
        };
        if meta.is_file() {
            let bytes = read_file(path)?;
            snapshot.has_github_dir = true;
            snapshot.files.insert(
                key_for_file.to_string(),
                SnapshotFile {
                    display: path.display().to_string(),
                    content: content_of(bytes),
                },
            );
            return Ok(snapshot);
        }
        let prefix = folder_prefix(path);
        snapshot.has_github_dir = prefix.is_some() || path.join(".github").is_dir();
        for relative in walk(path)? {
            let key = format!("{}{relative}", prefix.unwrap_or(""));
            if !is_ci_file(&key) {
                continue;
            }
            let bytes = read_file(&path.join(&relative))?;
            let content = content_of(bytes);
            snapshot.files.insert(
                key,
                SnapshotFile {
                    display: relative,
                    content,
                },
            );
        }
        Ok(snapshot)
    }

    /// Add the file at repository path `path`, shown in reports as that path.
    pub(crate) fn insert_file(&mut self, path: String, content: FileContent) {
        self.files.insert(
            path.clone(),
            SnapshotFile {
                display: path,
                content,
            },
        );
    }

    /// The text of the file at repository path `key`, when it is text.
    pub fn text(&self, key: &str) -> Option<&str> {
        match &self.files.get(key)?.content {
            FileContent::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Every file under `root`, as `/`-separated relative paths, skipping build and VCS folders.
pub fn walk(root: &Path) -> Result<Vec<String>, GuardError> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| GuardError::Read {
            path: dir.display().to_string(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            if file_type.is_dir() {
                if !SKIPPED_DIRS.iter().any(|skip| name == *skip) {
                    pending.push(path);
                }
            } else if file_type.is_file() {
                if let Ok(relative) = path.strip_prefix(root) {
                    let parts: Vec<String> = relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    found.push(parts.join("/"));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}
