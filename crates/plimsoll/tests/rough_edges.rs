//! What a new user meets first: paths named on the command line that the configuration
//! excludes, files and folders that cannot be read, `diagnose` waiting on a terminal, a missing
//! configuration file.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

mod common;
use common::{git, plimsoll, workspace, write};

const UNPINNED: &str = "FROM ubuntu:latest\nUSER app\n";

#[test]
fn a_path_named_is_checked_even_when_the_configuration_excludes_it() {
    // This repository's configuration excludes `examples/`.
    plimsoll(&workspace())
        .args(["check", "examples"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("examples/bad/Dockerfile:2:6"));
    plimsoll(&workspace())
        .args(["check", "examples", "--force-exclude"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn exclusions_inside_a_named_path_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    // In a repository, the configuration is found upward from the path named.
    git(dir.path(), &["init", "-q"]);
    write(
        dir.path(),
        "plimsoll.toml",
        "exclude = [\"samples/\", \"**/vendor\"]\n",
    );
    write(dir.path(), "samples/app/Dockerfile", UNPINNED);
    write(dir.path(), "samples/app/vendor/lib/Dockerfile", UNPINNED);
    write(dir.path(), "samples/app/.dockerignore", ".git\n.env*\n");
    let paths_with_findings = |args: &[&str]| -> Vec<String> {
        let output = plimsoll(dir.path())
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut paths: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.dedup();
        paths
    };
    assert_eq!(
        paths_with_findings(&["samples"]),
        ["samples/app/Dockerfile"]
    );
    assert_eq!(
        paths_with_findings(&["samples/app/Dockerfile"]),
        ["samples/app/Dockerfile"]
    );
    // The walk from the root keeps excluding it.
    plimsoll(dir.path())
        .args(["check"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    // A pre-commit hook passing an excluded file: nothing to check, not an error.
    plimsoll(dir.path())
        .args(["check", "--force-exclude", "samples/app/Dockerfile"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

/// A command that runs `plimsoll` as a user who cannot read what the test locked (its
/// `secret.Dockerfile` among them), or `None` (with the reason printed) when the test cannot
/// arrange that: root reads everything, so as root the binary runs as `nobody` through
/// `setpriv`.
fn as_reader_without_access(dir: &Path) -> Option<assert_cmd::Command> {
    let probe = dir.join("secret.Dockerfile");
    let permissions_bind_us = fs::read(&probe).is_err();
    if permissions_bind_us {
        return Some(plimsoll(dir));
    }
    let setpriv_works = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !setpriv_works {
        println!("skipped: running as root and `setpriv` cannot drop to nobody");
        return None;
    }
    let binary = assert_cmd::cargo::cargo_bin("plimsoll");
    let mut cmd = assert_cmd::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(binary)
        .current_dir(dir)
        .env("NO_COLOR", "1");
    Some(cmd)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn unreadable_files_and_folders_are_errors_that_say_what_was_not_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok/Dockerfile", UNPINNED);
    write(dir.path(), "ok/.dockerignore", ".git\n.env*\n");
    write(dir.path(), "locked/Dockerfile", UNPINNED);
    write(dir.path(), "secret.Dockerfile", UNPINNED);
    write(dir.path(), "notes.txt", "nothing\n");
    for (path, mode) in [
        ("", 0o755),
        ("ok", 0o755),
        ("ok/Dockerfile", 0o644),
        ("ok/.dockerignore", 0o644),
        ("locked", 0o000),
        ("secret.Dockerfile", 0o000),
        ("notes.txt", 0o000),
    ] {
        set_mode(&dir.path().join(path), mode);
    }
    let Some(mut cmd) = as_reader_without_access(dir.path()) else {
        return;
    };
    let output = cmd
        .args(["check", "--isolated", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let unreadable: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"]["name"] == "unreadable-path")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let paths: Vec<&str> = unreadable.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        ["locked", "notes.txt", "secret.Dockerfile"],
        "{unreadable:?}"
    );
    assert!(
        unreadable[0].1.starts_with("cannot read this folder: "),
        "{unreadable:?}"
    );
    assert!(
        unreadable[2].1.starts_with("cannot read this file: "),
        "{unreadable:?}"
    );
    assert!(
        !String::from_utf8_lossy(&output).contains("parse-error"),
        "an unreadable file is not a syntax error"
    );
    // Nothing else to check: a run error, exit 2, said on stderr.
    let Some(mut cmd) = as_reader_without_access(dir.path()) else {
        return;
    };
    cmd.args(["check", "--isolated", "locked"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "locked: cannot read this folder: Permission denied",
        ));
    for path in ["locked", "secret.Dockerfile", "notes.txt"] {
        set_mode(&dir.path().join(path), 0o755);
    }
}

#[test]
fn a_missing_configuration_file_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = plimsoll(dir.path())
        .args(["check", "--config", "nosuch.toml"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("nosuch.toml"), "{stderr}");
}

#[test]
fn diagnose_without_a_log_on_a_terminal_says_what_it_wants_instead_of_waiting() {
    let has_script = std::process::Command::new("script")
        .args(["-qec", "true", "/dev/null"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_script {
        println!("skipped: `script` (util-linux) is needed to give plimsoll a terminal");
        return;
    }
    let binary = assert_cmd::cargo::cargo_bin("plimsoll");
    // `script` runs the command on a new pseudo-terminal: standard input is a terminal.
    let output = assert_cmd::Command::new("script")
        .args([
            "-qec",
            &format!("'{}' diagnose", binary.display()),
            "/dev/null",
        ])
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&output);
    assert!(text.contains("standard input is a terminal"), "{text}");
    assert!(text.contains("plimsoll diagnose job.log"), "{text}");
    // A log on standard input is read as before.
    plimsoll(&workspace())
        .args(["diagnose"])
        .write_stdin("error: could not compile `demo`\n")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Root Cause Analysis"));
}
