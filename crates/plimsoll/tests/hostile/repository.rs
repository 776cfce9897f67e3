//! A repository plimsoll is pointed at, hostile: its git configuration names commands, its
//! files are FIFOs, devices or links out of the tree, its configuration turns checks off.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{git, write};
use crate::harness::*;

const WORKFLOW: &str = "name: ci\non: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - run: cargo test\n";

/// Every repository setting that names a command, each one touching `marker`.
fn arm(root: &Path, marker: &Path) {
    let touch = format!("touch '{}'; cat", marker.display());
    for key in [
        "core.fsmonitor",
        "filter.evil.clean",
        "filter.evil.process",
        "diff.evil.textconv",
        "diff.evil.command",
        "diff.external",
        "core.sshCommand",
        "core.pager",
    ] {
        git(root, &["config", key, &touch]);
    }
    git(root, &["config", "filter.evil.required", "true"]);
    let hooks = root.join("hooks");
    fs::create_dir_all(&hooks).unwrap();
    for name in [
        "post-index-change",
        "reference-transaction",
        "post-checkout",
    ] {
        let hook = write(
            &hooks,
            name,
            format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
        );
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(&hook)
            .status()
            .unwrap();
    }
    git(root, &["config", "core.hooksPath", "hooks"]);
}

/// A repository with a commit on `main` and one on `feature` that lowers coverage, a dirty work tree,
/// and every command-running setting armed. Returns it and the marker's path.
fn armed_repository() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, ".gitattributes", "* filter=evil diff=evil\n");
    write(root, ".github/workflows/ci.yml", WORKFLOW);
    write(root, "src/lib.rs", "#[test]\nfn slow() {}\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["checkout", "-qb", "feature"]);
    write(root, "src/lib.rs", "#[test]\n#[ignore]\nfn slow() {}\n");
    write(root, ".env", "TOKEN=x\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "lower coverage"]);
    write(root, "src/lib.rs", "#[test]\n#[ignore]\nfn slow() { }\n");
    write(root, "src/new.rs", "fn main() {}\n");
    let marker = root.join("MARKER");
    arm(root, &marker);
    (dir, marker)
}

#[test]
fn the_repositorys_git_commands_never_run() {
    let (dir, marker) = armed_repository();
    let runs: &[&[&str]] = &[
        &["check", "."],
        &["check", "--git-history", "--", "."],
        &["check", "--git-history", "main", "."],
        &["guard"],
        &["guard", "--base", "HEAD~1"],
        &["guard", "--base", "HEAD~1", "--head", "HEAD"],
    ];
    for args in runs {
        let out = run(dir.path(), args, Limits::default());
        assert!(!out.timed_out, "{args:?}: {out:?}");
        assert!(
            !marker.exists(),
            "{args:?} ran the repository's command: {out:?}"
        );
        match args[0] {
            // The committed `.env` is found through the hardened `git ls-files`.
            "check" if args.len() == 2 => {
                assert_eq!(out.code, Some(1), "{args:?}: {out:?}");
                assert!(
                    out.stdout.contains("committed-env-file"),
                    "{args:?}: {out:?}"
                );
            }
            "check" => assert!(matches!(out.code, Some(0 | 1)), "{args:?}: {out:?}"),
            // The `#[ignore]` added in the second commit is lost coverage.
            _ => {
                assert_eq!(out.code, Some(1), "{args:?}: {out:?}");
                assert!(out.stdout.contains("test-skipped"), "{args:?}: {out:?}");
            }
        }
    }
}

/// A folder of the tree that is a bare repository (its `config` is the attacker's): git must not
/// use it, so its history is not searched and its settings are never read.
#[test]
fn an_embedded_bare_repository_is_not_used() {
    let (dir, _) = armed_repository();
    git(dir.path(), &["clone", "-q", "--bare", ".", "vendor.git"]);
    let bare = dir.path().join("vendor.git");
    let marker = dir.path().join("BARE-MARKER");
    arm(&bare, &marker);
    let out = run(
        &bare,
        &["check", "--git-history", "--", "."],
        Limits::default(),
    );
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("bare"), "{out:?}");
    for args in [&["check", "."][..], &["guard"]] {
        let out = run(&bare, args, Limits::default());
        assert!(!marker.exists(), "{args:?}: {out:?}");
        assert!(!out.timed_out, "{args:?}: {out:?}");
    }
}

#[test]
fn a_work_tree_set_elsewhere_is_refused_by_guard() {
    let (dir, _) = armed_repository();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), ".github/workflows/ci.yml", WORKFLOW);
    git(
        dir.path(),
        &[
            "config",
            "core.worktree",
            &outside.path().display().to_string(),
        ],
    );
    let out = run(dir.path(), &["guard"], Limits::default());
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("core.worktree"), "{out:?}");
}
