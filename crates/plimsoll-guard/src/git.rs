//! Reading versions of a repository through the `git` executable.
//!
//! One `git ls-tree` lists a revision's files and one `git cat-file --batch` reads all the
//! blobs guard needs, so a comparison costs a handful of processes whatever the number of
//! workflows.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use plimsoll_git::{Git, GitError};

use crate::skips::is_code_file;
use crate::snapshot::{
    code_text, content_of, is_ci_file, is_manifest, read_inside, CodeChange, FileContent, Snapshot,
    MAX_FILE_SIZE,
};
use crate::GuardError;

/// A git repository (its top-level folder), read through the hardened runner.
#[derive(Clone, Debug)]
pub struct Repo {
    root: PathBuf,
    git: Git,
}

/// Branches tried, in order, as the default branch when `origin/HEAD` is not set.
const DEFAULT_BRANCHES: &[&str] = &["origin/main", "origin/master", "main", "master", "trunk"];

impl Repo {
    /// The repository holding `path`.
    pub fn discover(path: &Path) -> Result<Repo, GuardError> {
        let dir = if path.is_file() {
            path.parent().unwrap_or(Path::new("."))
        } else {
            path
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let output = Git::new(dir)
            .and_then(|git| git.output(["rev-parse", "--show-toplevel"]))
            .map_err(git_error)?;
        if !output.status.success() {
            return Err(GuardError::Git(format!(
                "{} is not inside a git repository (use --before and --after to compare folders or files)",
                dir.display()
            )));
        }
        let root = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        check_work_tree(dir, &root)?;
        let git = Git::new(&root).map_err(git_error)?;
        Ok(Repo { root, git })
    }

    /// The repository's top-level folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn git(&self, args: &[&str]) -> Result<std::process::Output, GuardError> {
        self.git.output(args).map_err(git_error)
    }

    fn git_ok(&self, args: &[&str]) -> Result<Vec<u8>, GuardError> {
        self.git.stdout(args).map_err(git_error)
    }

    /// Whether this is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.git(&["rev-parse", "--is-shallow-repository"])
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
            .unwrap_or(false)
    }

    /// The commit `rev` names, or a message saying why there is none.
    pub fn resolve(&self, rev: &str) -> Result<String, GuardError> {
        let spec = format!("{rev}^{{commit}}");
        let output = self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ])?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
        }
        if self.is_shallow() {
            return Err(GuardError::Git(format!(
                "revision `{rev}` is not in this shallow clone: fetch its history \
                 (`git fetch --unshallow`, or `fetch-depth: 0` on actions/checkout)"
            )));
        }
        Err(GuardError::Git(format!(
            "revision `{rev}` does not exist in {}",
            self.root.display()
        )))
    }

    /// The merge base of `HEAD` with the default branch (`origin/HEAD`, else `main`/`master`).
    pub fn default_base(&self) -> Result<String, GuardError> {
        let mut candidates = Vec::new();
        if let Ok(output) = self.git(&[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ]) {
            let name = String::from_utf8_lossy(&output.stdout).trim().to_string();
            if output.status.success() && !name.is_empty() {
                candidates.push(name);
            }
        }
        candidates.extend(DEFAULT_BRANCHES.iter().map(|b| b.to_string()));
        for branch in &candidates {
            let Ok(commit) = self.resolve(branch) else {
                continue;
            };
            let output = self.git(&["merge-base", "HEAD", &commit])?;
            if output.status.success() {
                return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
            }
            if self.is_shallow() {
                return Err(GuardError::Git(format!(
                    "`HEAD` and `{branch}` have no common history in this shallow clone: fetch it \
                     (`git fetch --unshallow`, or `fetch-depth: 0` on actions/checkout), or pass --base"
                )));
            }
        }
        Err(GuardError::Git(
            "cannot find the default branch (no origin/HEAD, main or master) or its merge base with HEAD: pass --base REV".into(),
        ))
    }

    /// The CI files of commit `commit`.
    pub fn snapshot_at(&self, commit: &str, label: &str) -> Result<Snapshot, GuardError> {
        let listing = self.git_ok(&["ls-tree", "-r", "-z", "--full-tree", commit])?;
        let mut snapshot = Snapshot {
            label: label.to_string(),
            ..Snapshot::default()
        };
        let mut wanted: Vec<(String, String)> = Vec::new();
        let mut manifests: Vec<(String, String)> = Vec::new();
        for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let mut fields = meta.split(' ');
            let (_mode, kind, object) = (fields.next(), fields.next(), fields.next());
            if path.starts_with(".github/") {
                snapshot.has_github_dir = true;
            }
            if let Some(object) = object {
                snapshot.tree.insert(path.to_string(), object.to_string());
            }
            if kind == Some("commit") {
                if path == ".github" || path.starts_with(".github/") {
                    snapshot.submodules.push(path.to_string());
                    snapshot.has_github_dir = true;
                    if is_ci_file(path) {
                        snapshot.insert_file(path.to_string(), FileContent::Submodule);
                    }
                }
                continue;
            }
            if let (Some("blob"), Some(object)) = (kind, object) {
                if is_ci_file(path) {
                    wanted.push((path.to_string(), object.to_string()));
                } else if is_manifest(path) {
                    manifests.push((path.to_string(), object.to_string()));
                }
            }
        }
        let objects: Vec<String> = wanted
            .iter()
            .chain(&manifests)
            .map(|(_, o)| o.clone())
            .collect();
        let mut blobs = self.read_blobs(&objects)?.into_iter();
        for ((path, _), bytes) in wanted.into_iter().zip(blobs.by_ref()) {
            if let Some(bytes) = bytes {
                snapshot.insert_file(path, content_of(bytes));
            }
        }
        for ((path, _), bytes) in manifests.into_iter().zip(blobs) {
            if let Some(FileContent::Text(text)) = bytes.map(content_of) {
                snapshot.manifests.insert(path, text);
            }
        }
        Ok(snapshot)
    }

    /// The CI files of the working tree (tracked and untracked, not ignored; deleted files are
    /// gone).
    pub fn snapshot_worktree(&self) -> Result<Snapshot, GuardError> {
        let mut snapshot = Snapshot {
            label: "the working tree".to_string(),
            has_github_dir: self.root.join(".github").is_dir(),
            ..Snapshot::default()
        };
        // Tracked files with their staged object ids: what path filters can select (a file
        // deleted but not staged stays listed, which can only keep a loss reported).
        let staged = self.git_ok(&["ls-files", "-z", "-s"])?;
        for record in staged.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            if let Some((meta, path)) = record.split_once('\t') {
                if meta.starts_with("160000") && (path == ".github" || path.starts_with(".github/"))
                {
                    snapshot.submodules.push(path.to_string());
                }
                let object = meta.split(' ').nth(1).unwrap_or("");
                snapshot.tree.insert(path.to_string(), object.to_string());
            }
        }
        let listing = self.git_ok(&[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])?;
        for path in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let path = String::from_utf8_lossy(path).into_owned();
            // Untracked: no object id, so never taken for a moved file.
            snapshot.tree.entry(path.clone()).or_default();
            if is_manifest(&path) {
                if let Some(FileContent::Text(text)) =
                    read_inside(&self.root, &path).map(content_of)
                {
                    snapshot.manifests.insert(path, text);
                }
                continue;
            }
            if !is_ci_file(&path) || snapshot.files.contains_key(&path) {
                continue;
            }
            // A deleted file, a FIFO, a link out of the tree: not part of this version.
            let Some(bytes) = read_inside(&self.root, &path) else {
                continue;
            };
            snapshot.insert_file(path, content_of(bytes));
        }
        Ok(snapshot)
    }

    /// Source files that differ between `base` and `head` (the working tree when `None`),
    /// with both versions, for the test-skip scan.
    pub fn code_changes(
        &self,
        base: &str,
        head: Option<&str>,
    ) -> Result<Vec<CodeChange>, GuardError> {
        let mut args = vec!["diff", "--name-only", "-z", "--no-renames", base];
        if let Some(head) = head {
            args.push(head);
        }
        let listing = self.git_ok(&args)?;
        let mut paths: Vec<String> = listing
            .split(|&b| b == 0)
            .filter(|r| !r.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        if head.is_none() {
            let untracked = self.git_ok(&["ls-files", "-z", "--others", "--exclude-standard"])?;
            paths.extend(
                untracked
                    .split(|&b| b == 0)
                    .filter(|r| !r.is_empty())
                    .map(|p| String::from_utf8_lossy(p).into_owned()),
            );
        }
        paths.retain(|p| is_code_file(p));
        paths.sort();
        paths.dedup();
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let names =
            |rev: &str| -> Vec<String> { paths.iter().map(|p| format!("{rev}:{p}")).collect() };
        let before = self.read_blobs(&names(base))?;
        let after: Vec<Option<Vec<u8>>> = match head {
            Some(head) => self.read_blobs(&names(head))?,
            None => paths.iter().map(|p| read_inside(&self.root, p)).collect(),
        };
        let text = code_text;
        Ok(paths
            .into_iter()
            .zip(before.into_iter().zip(after))
            .map(|(path, (before, after))| CodeChange {
                path,
                before: text(before),
                after: text(after),
            })
            .collect())
    }

    /// The contents of the named objects (`sha` or `rev:path`), `None` for a missing one.
    fn read_blobs(&self, names: &[String]) -> Result<Vec<Option<Vec<u8>>>, GuardError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut child = self
            .git
            .command(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| git_error(plimsoll_git::spawn_error(e)))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| GuardError::Git("cannot write to `git cat-file`".into()))?;
        let requests: String = names.iter().map(|n| format!("{n}\n")).collect();
        // Written from a thread: git answers while it reads, and a full pipe must not block us.
        let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
        // Streamed: each blob is kept up to one byte past the size limit (enough for
        // `content_of` to call it too large) and the rest skipped, so a huge blob in a hostile
        // revision costs no memory.
        let mut blobs = Vec::with_capacity(names.len());
        if let Some(stdout) = child.stdout.take() {
            let mut reader = BufReader::new(stdout);
            let failed = |e: std::io::Error| {
                GuardError::Git(format!("cannot read from `git cat-file`: {e}"))
            };
            for _ in names {
                let mut header = Vec::new();
                if reader.read_until(b'\n', &mut header).map_err(failed)? == 0 {
                    break;
                }
                let header = String::from_utf8_lossy(&header);
                let mut fields = header.trim_end().rsplitn(3, ' ');
                let size = fields.next().and_then(|s| s.parse::<u64>().ok());
                let kind = fields.next();
                let (Some(kind), Some(size)) = (kind, size) else {
                    blobs.push(None);
                    continue;
                };
                let kept = size.min(MAX_FILE_SIZE as u64 + 1);
                let mut bytes = Vec::new();
                (&mut reader)
                    .take(kept)
                    .read_to_end(&mut bytes)
                    .map_err(failed)?;
                // The rest of the blob and the newline after it.
                std::io::copy(
                    &mut (&mut reader).take(size - kept + 1),
                    &mut std::io::sink(),
                )
                .map_err(failed)?;
                blobs.push((kind == "blob" && bytes.len() as u64 == kept).then_some(bytes));
            }
        }
        let _ = writer.join();
        let status = child
            .wait()
            .map_err(|e| GuardError::Git(format!("`git cat-file` failed: {e}")))?;
        if !status.success() {
            return Err(GuardError::Git("`git cat-file --batch` failed".into()));
        }
        blobs.resize(names.len(), None);
        Ok(blobs)
    }
}

fn git_error(error: GitError) -> GuardError {
    GuardError::Git(error.to_string())
}

/// Refuse a work tree that is not the folder holding the `.git` found above `dir`: a
/// repository's `core.worktree` would otherwise make guard read files outside the folder it was
/// given.
fn check_work_tree(dir: &Path, root: &Path) -> Result<(), GuardError> {
    let canonical = |path: &Path| {
        std::fs::canonicalize(path).map_err(|source| GuardError::Read {
            path: path.display().to_string(),
            source,
        })
    };
    let root = canonical(root)?;
    let dir = canonical(dir)?;
    let holder = dir.ancestors().find(|a| a.join(".git").exists());
    if holder == Some(root.as_path()) {
        return Ok(());
    }
    Err(GuardError::Git(format!(
        "the work tree of the repository holding {} is {}, not the folder holding its `.git` \
         (`core.worktree`); refusing to read files outside the folder given",
        dir.display(),
        root.display()
    )))
}
