//! What the binary's integration tests share: the command, files and git.

#![allow(dead_code)] // each test crate uses its own part

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

/// The `plimsoll` binary run in `dir`, untouched by the caller's `PLIMSOLL_*` variables and
/// caches: its cache folder (pinned refs, the metrics database `diagnose` reads) is the test
/// target's, and the server pins are resolved against is a folder that does not exist, so no
/// test reads the developer's cache or reaches github.com. Tests that need them set their own.
pub fn plimsoll(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plimsoll").unwrap();
    cmd.current_dir(dir);
    for var in [
        "PLIMSOLL_FAIL_ON",
        "PLIMSOLL_STRICT",
        "PLIMSOLL_EXCLUDE",
        "PLIMSOLL_ENABLE",
        "PLIMSOLL_DISABLE",
        "PLIMSOLL_ENV",
        "PLIMSOLL_FORMAT",
        "PLIMSOLL_MAX_FILE_SIZE",
        "PLIMSOLL_SECRET_KEY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd.env(
        "XDG_CACHE_HOME",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
    );
    cmd.env(
        "GITHUB_SERVER_URL",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-git-server"),
    );
    cmd
}

/// Write `text` to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

/// Run git in `dir` with a fixed identity and no signing; fails the test when git fails.
/// Returns its standard output, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Process::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A git repository whose first commit holds `files` and whose second is what `change` makes
/// of them: the two revisions `guard --base HEAD~1 --head HEAD` compares.
pub fn committed_change(files: &[(&str, &str)], change: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    for (path, text) in files {
        write(root, path, text);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    change(root);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "change"]);
    dir
}

/// The workspace's root (this repository).
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What `plimsoll args…` run in `dir` writes to standard output, asserting its exit `code`.
pub fn stdout_of(dir: &Path, args: &[&str], code: i32) -> Vec<u8> {
    plimsoll(dir)
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone()
}

/// A peer tool installed by `../shared/bench/peers.sh` (actionlint, zizmor, hadolint), if it is.
pub fn peer(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from("/root/.cache/plimsoll-peers/bin").join(name);
    path.is_file().then_some(path)
}
