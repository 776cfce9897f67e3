//! Each way a repository can make git run a command, tried with real git: the repository's
//! command would `touch` a marker file, and the hardened runner must not create it.

use std::fs;
use std::path::Path;
use std::process::Command;

use plimsoll_git::Git;

/// A repository with one committed and since modified file under a `filter=evil diff=evil`
/// attribute, whose configuration sets `key` to a command touching `marker`.
fn repository(dir: &Path, key: &str, marker: &Path) {
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}: {status:?}");
    };
    git(&["init", "-q", "."]);
    fs::write(dir.join(".gitattributes"), "* filter=evil diff=evil\n").unwrap();
    fs::write(dir.join("app.py"), "print(1)\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "one"]);
    fs::write(dir.join("app.py"), "print(2)\n").unwrap();
    fs::write(dir.join("new.py"), "print(3)\n").unwrap();
    let command = format!("touch '{}'; cat", marker.display());
    git(&["config", key, &command]);
    if key.starts_with("filter.") {
        git(&["config", "filter.evil.required", "true"]);
    }
}

/// What plimsoll asks git, in all its forms.
fn read_everything(git: &Git) {
    let _ = git.output(["status", "--porcelain"]);
    let _ = git.output([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]);
    let _ = git.output(["diff", "--name-only", "-z", "--no-renames", "HEAD"]);
    let _ = git.output(["diff", "HEAD"]);
    let _ = git.output(["log", "-p", "-U0", "--all", "--"]);
    let _ = git.output(["rev-parse", "--show-toplevel"]);
}

#[test]
fn no_repository_command_runs() {
    let mut ran = vec![];
    for key in [
        "core.fsmonitor",
        "filter.evil.clean",
        "filter.evil.process",
        "filter.evil.smudge",
        "diff.evil.textconv",
        "diff.evil.command",
        "diff.external",
        "core.hooksPath",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("MARKER");
        repository(dir.path(), key, &marker);
        if key == "core.hooksPath" {
            let hooks = dir.path().join("hooks");
            fs::create_dir(&hooks).unwrap();
            let hook = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
            for name in ["post-index-change", "reference-transaction"] {
                fs::write(hooks.join(name), &hook).unwrap();
                Command::new("chmod")
                    .arg("+x")
                    .arg(hooks.join(name))
                    .status()
                    .unwrap();
            }
            Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(["config", "core.hooksPath", "hooks"])
                .status()
                .unwrap();
        }
        let git = Git::new(dir.path()).unwrap();
        read_everything(&git);
        if marker.exists() {
            ran.push(key);
        }
    }
    assert!(ran.is_empty(), "{ran:?}");
}

#[test]
fn a_disabled_filter_still_lets_the_diff_list_the_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("MARKER");
    repository(dir.path(), "filter.evil.clean", &marker);
    let git = Git::new(dir.path()).unwrap();
    let changed = git.stdout(["diff", "--name-only", "HEAD"]).unwrap();
    assert_eq!(String::from_utf8_lossy(&changed).trim(), "app.py");
    assert!(!marker.exists());
}

#[test]
fn an_embedded_bare_repository_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("vendor.git");
    let status = Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&bare)
        .status()
        .unwrap();
    assert!(status.success());
    let marker = dir.path().join("MARKER");
    Command::new("git")
        .arg("-C")
        .arg(&bare)
        .args(["config", "core.fsmonitor"])
        .arg(format!("touch '{}'", marker.display()))
        .status()
        .unwrap();
    let git = Git::new(&bare).unwrap();
    let out = git.output(["ls-files"]).unwrap();
    assert!(!out.status.success(), "git used the bare repository");
    assert!(!marker.exists());
}

#[test]
fn a_missing_git_or_failure_is_an_error_naming_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let git = Git::new(dir.path()).unwrap();
    let err = git.stdout(["rev-parse", "--show-toplevel"]).unwrap_err();
    assert!(
        err.to_string().contains("git rev-parse --show-toplevel"),
        "{err}"
    );
}

/// A bare repository with one tagged commit, standing in for a remote; the tag's commit.
fn remote_with_tag(dir: &Path, tag: &str) -> String {
    let work = dir.join("work");
    fs::create_dir_all(&work).unwrap();
    let git = |cwd: &Path, args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(cwd)
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&work, &["init", "-q", "."]);
    fs::write(work.join("action.yml"), "name: a\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-qm", "one"]);
    git(&work, &["tag", tag]);
    git(dir, &["clone", "-q", "--bare", "work", "remote.git"]);
    git(&work, &["rev-parse", "HEAD"])
}

#[test]
fn transports_are_refused_unless_allowed_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let sha = remote_with_tag(dir.path(), "v1.0.0");
    let url = format!("file://{}", dir.path().join("remote.git").display());
    let outside = tempfile::tempdir().unwrap();

    let refused = Git::new(outside.path())
        .unwrap()
        .output(["ls-remote", "--tags", &url])
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("transport 'file' not allowed"),
        "{refused:?}"
    );

    // Allowing another transport does not allow this one.
    let still_refused = Git::new(outside.path())
        .unwrap()
        .allowing_transports(&["https"])
        .output(["ls-remote", "--tags", &url])
        .unwrap();
    assert!(!still_refused.status.success());

    let listed = Git::new(outside.path())
        .unwrap()
        .allowing_transports(&["file"])
        .stdout(["ls-remote", "--tags", &url])
        .unwrap();
    assert_eq!(
        String::from_utf8(listed).unwrap(),
        format!("{sha}\trefs/tags/v1.0.0\n")
    );
}
