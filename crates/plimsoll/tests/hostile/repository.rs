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
    // A credential (assembled here so that this file holds none): a `.env` of settings alone
    // is not reported.
    write(root, ".env", format!("TOKEN={}{}\n", "Kq7vN2x", "Rt9pLw3"));
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

/// A tree with one finding, for the output tests.
fn one_finding() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM alpine:latest\n");
    dir
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn is_char_device(path: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_char_device()
}

#[test]
fn output_to_dev_null_keeps_the_device() {
    let dir = one_finding();
    write(
        dir.path(),
        "run.log",
        "##[error]Process completed with exit code 1.\n",
    );
    let runs: &[(&[&str], i32)] = &[
        (&["check", ".", "-o", "/dev/null"], 1),
        (&["check", ".", "--format", "sarif", "-o", "/dev/null"], 1),
        (&["check", ".", "--write-baseline", "/dev/null"], 0),
        (
            &[
                "guard",
                "--before",
                "Dockerfile",
                "--after",
                "Dockerfile",
                "-o",
                "/dev/null",
            ],
            0,
        ),
        (&["diagnose", "run.log", "-o", "/dev/null"], 0),
    ];
    for (args, code) in runs {
        let out = run(dir.path(), args, Limits::default());
        assert_eq!(out.code, Some(*code), "{args:?}: {out:?}");
        assert!(is_char_device("/dev/null"), "{args:?} replaced /dev/null");
    }
}

#[test]
fn output_to_dev_full_is_an_error() {
    let dir = one_finding();
    write(
        dir.path(),
        "run.log",
        "##[error]Process completed with exit code 1.\n",
    );
    for args in [
        &["check", ".", "-o", "/dev/full"][..],
        &["check", ".", "--write-baseline", "/dev/full"],
        &[
            "guard",
            "--before",
            "Dockerfile",
            "--after",
            "Dockerfile",
            "--format",
            "json",
            "-o",
            "/dev/full",
        ],
        &["diagnose", "run.log", "-o", "/dev/full"],
    ] {
        let out = run(dir.path(), args, Limits::default());
        assert_eq!(out.code, Some(2), "{args:?}: {out:?}");
        assert!(out.stderr.contains("/dev/full"), "{args:?}: {out:?}");
        assert!(out.stderr.contains("No space left"), "{args:?}: {out:?}");
        assert!(is_char_device("/dev/full"));
    }
}

#[test]
fn output_to_a_fifo_is_written_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = one_finding();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let out = run(
        dir.path(),
        &["check", ".", "-o", "report.fifo"],
        Limits::default(),
    );
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(reader.join().unwrap().contains("Dockerfile:1:"));
    let kind = fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced");
}

#[test]
fn output_to_a_symbolic_link_replaces_the_link_and_never_writes_its_target() {
    let dir = one_finding();
    // A committed link where CI writes its report, pointing at a file the runner can write.
    let victim = write(
        dir.path(),
        "victim/authorized_keys",
        "ssh-ed25519 AAAA admin\n",
    );
    let dev = std::os::unix::fs::symlink("/dev/full", dir.path().join("to-device.txt"));
    dev.unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("report.txt")).unwrap();
    std::os::unix::fs::symlink("nowhere/x", dir.path().join("dangling.txt")).unwrap();
    for (output, args) in [
        ("report.txt", &["check", ".", "-o", "report.txt"][..]),
        ("to-device.txt", &["check", ".", "-o", "to-device.txt"]),
        (
            "dangling.txt",
            &["check", ".", "--write-baseline", "dangling.txt"],
        ),
    ] {
        let out = run(dir.path(), args, Limits::default());
        assert!(matches!(out.code, Some(0 | 1)), "{output}: {out:?}");
        let meta = fs::symlink_metadata(dir.path().join(output)).unwrap();
        assert!(meta.file_type().is_file(), "{output}: the link was kept");
        assert!(
            !fs::read_to_string(dir.path().join(output))
                .unwrap()
                .is_empty(),
            "{output}"
        );
    }
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "ssh-ed25519 AAAA admin\n"
    );
    assert!(is_char_device("/dev/full"));
}

#[test]
fn a_new_output_file_takes_its_permissions_from_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = one_finding();
    let binary = assert_cmd::cargo::cargo_bin("plimsoll");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(&binary)
        .args(["check", ".", "-o", "report.txt"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let mode = fs::metadata(dir.path().join("report.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

/// A FIFO would block a reader until a writer comes: forever in CI.
#[test]
fn fifos_and_devices_are_reported_and_the_rest_is_checked() {
    let dir = one_finding();
    let root = dir.path();
    fs::create_dir_all(root.join("k8s")).unwrap();
    for fifo in [
        "sub/Dockerfile",
        ".github/workflows/ci.yml",
        "k8s/deploy.yaml",
        "k8s/extra.yaml",
        ".env",
        "plain.txt",
    ] {
        fs::create_dir_all(root.join(fifo).parent().unwrap()).unwrap();
        mkfifo(&root.join(fifo));
    }
    write(
        root,
        "k8s/kustomization.yaml",
        "resources:\n  - extra.yaml\n",
    );
    let out = finishes(root, &["check", "."], 1);
    assert!(out.stdout.contains("Dockerfile:1:"), "{out:?}");
    let named = "check sub/Dockerfile /dev/zero plain.txt Dockerfile";
    let out = finishes(root, &named.split(' ').collect::<Vec<_>>(), 2);
    assert!(out.stdout.contains("Dockerfile:1:"), "{out:?}");
    for named in ["sub/Dockerfile", "/dev/zero", "plain.txt"] {
        assert!(
            out.stderr.contains(&format!("{named}: not a regular file")),
            "{named}: {out:?}"
        );
    }
    let out = finishes(root, &["diagnose", "plain.txt"], 2);
    assert!(out.stderr.contains("not a regular file"), "{out:?}");
    // A run-log folder whose job log is a FIFO.
    write(
        root,
        "logs/2_build.txt",
        "##[error]Process completed with exit code 1.\n",
    );
    mkfifo(&root.join("logs/1_test.txt"));
    let out = finishes(root, &["diagnose", "logs"], 2);
    assert!(out.stderr.contains("not a regular file"), "{out:?}");
    let versions = "guard --before sub/Dockerfile --after Dockerfile";
    finishes(root, &versions.split(' ').collect::<Vec<_>>(), 2);
}

/// Run `args` in `dir` under the default limits; fail unless it ends in time with `code`.
fn finishes(dir: &Path, args: &[&str], code: i32) -> Outcome {
    let out = run(dir, args, Limits::default());
    assert!(!out.timed_out, "{args:?}: {out:?}");
    assert_eq!(out.code, Some(code), "{args:?}: {out:?}");
    out
}

#[test]
fn guard_does_not_block_on_a_fifo_in_the_work_tree() {
    let (dir, _) = armed_repository();
    let root = dir.path();
    fs::remove_file(root.join(".github/workflows/ci.yml")).unwrap();
    mkfifo(&root.join(".github/workflows/ci.yml"));
    mkfifo(&root.join("src/lib.rs").with_extension("py"));
    finishes(root, &["guard", "--base", "HEAD~1"], 1);
}

#[test]
fn a_missing_path_is_reported_and_the_others_are_checked() {
    let dir = one_finding();
    let out = run(
        dir.path(),
        &["check", "gone", "Dockerfile", "--format", "json"],
        Limits::default(),
    );
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr.contains("gone: no such file or directory"),
        "{out:?}"
    );
    let paths = finding_paths(&out.stdout);
    assert!(paths.contains(&"gone".to_string()), "{paths:?}");
    assert!(paths.contains(&"Dockerfile".to_string()), "{paths:?}");
}

/// The `path` of every finding of a JSON report.
fn finding_paths(json: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_string))
        .collect()
}

/// `resources:` entries out of the tree (absolute, `../`, a link) are not read: their object
/// names and tokens would be reported from files the run was not given.
#[test]
fn kustomize_resources_outside_the_tree_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let secret = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: outsider-object-name\nspec:\n  containers:\n    - name: app\n      image: nginx:latest\n      env:\n        - name: TOKEN\n          value: ghp_Outsider0123456789abcdefghijklmnopqrs\n";
    for name in ["abs.yaml", "up.yaml", "linked.yaml"] {
        write(&outside, name, secret);
    }
    let repo = dir.path().join("repo");
    write(
        &repo,
        "k8s/kustomization.yaml",
        format!(
            "resources:\n  - {}\n  - ../../outside/up.yaml\n  - link.yaml\n",
            outside.join("abs.yaml").display()
        ),
    );
    std::os::unix::fs::symlink(outside.join("linked.yaml"), repo.join("k8s/link.yaml")).unwrap();
    git(&repo, &["init", "-q"]);
    for args in [&["check", "."][..], &["check", "--format", "json", "."]] {
        let out = run(&repo, args, Limits::default());
        assert_eq!(out.code, Some(0), "{args:?}: {out:?}");
        assert_no_leak(
            "output",
            &out.stdout,
            &[
                "outsider-object-name",
                "ghp_Outsider0123456789abcdefghijklmnopqrs",
            ],
        );
        assert!(out.stderr.contains("outside the tree"), "{out:?}");
    }
}

/// A folder above the repository (a runner's work folder, another project) that turns
/// everything off: a configuration of `[per-path-ignores] "**" = ["*"]`, ignore files of `*`.
fn hostile_parent() -> tempfile::TempDir {
    let parent = tempfile::tempdir().unwrap();
    write(
        parent.path(),
        "plimsoll.toml",
        "exclude = [\"**\"]\n[per-path-ignores]\n\"**\" = [\"unpinned-base-image\", \"runs-as-root\"]\n",
    );
    write(parent.path(), ".gitignore", "*\n");
    write(parent.path(), ".ignore", "*\n");
    parent
}

#[test]
fn configuration_and_ignore_files_above_the_repository_are_not_used() {
    let parent = hostile_parent();
    let repo = parent.path().join("repo");
    write(&repo, "Dockerfile", "FROM alpine:latest\n");
    git(&repo, &["init", "-q"]);
    // A folder that is not a repository reads nothing above itself either.
    let plain = parent.path().join("plain");
    write(&plain, "Dockerfile", "FROM alpine:latest\n");
    for dir in [&repo, &plain] {
        let out = run(dir, &["check", "--format", "json", "."], Limits::default());
        assert_eq!(out.code, Some(1), "{out:?}");
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json["summary"]["files_checked"], 1, "{out:?}");
        assert_eq!(json["config_files"], serde_json::json!([]), "{out:?}");
    }
}

#[test]
fn a_gitignore_of_everything_does_not_hide_committed_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM alpine:latest\n");
    write(
        root,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
    );
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "files"]);
    write(root, ".gitignore", "*\n");
    write(root, "untracked/Dockerfile", "FROM alpine:latest\n");
    let out = run(root, &["check", "--format", "json", "."], Limits::default());
    assert_eq!(out.code, Some(1), "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files_checked"], 2, "{out:?}");
    let paths = finding_paths(&out.stdout);
    assert!(paths.contains(&"Dockerfile".to_string()), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.starts_with("untracked")),
        "{paths:?}"
    );
}

#[test]
fn the_reports_name_the_configuration_files_used() {
    let dir = one_finding();
    write(dir.path(), "plimsoll.toml", "fail-on = \"error\"\n");
    git(dir.path(), &["init", "-q"]);
    let out = run(
        dir.path(),
        &["check", "--format", "json", "."],
        Limits::default(),
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        json["config_files"],
        serde_json::json!(["plimsoll.toml"]),
        "{out:?}"
    );
    let out = run(
        dir.path(),
        &["check", "--format", "sarif", "."],
        Limits::default(),
    );
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["configurationFiles"],
        serde_json::json!(["plimsoll.toml"]),
        "{out:?}"
    );
}

#[test]
fn zero_files_checked_is_said_and_fails_when_a_path_was_named() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("work");
    write(&dir, "src/.gitignore", "*\n");
    write(&dir, "src/Dockerfile", "FROM alpine:latest\n");
    let out = run(&dir, &["check"], Limits::default());
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stderr.contains("0 files checked"), "{out:?}");
    let out = run(&dir, &["check", "src"], Limits::default());
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("0 files checked in src"), "{out:?}");
}

#[test]
fn git_history_takes_a_lone_folder_as_the_repository() {
    let parent = tempfile::tempdir().unwrap();
    let repo = parent.path().join("repo");
    write(&repo, "config.py", "password = \"hunter2-Xq9vLm3pRt7w\"\n");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "secret"]);
    let out = run(
        parent.path(),
        &["check", "--isolated", "--git-history", "repo"],
        Limits::default(),
    );
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stdout.contains("hardcoded-secret"), "{out:?}");
    // A folder named like a branch: ambiguous, said so.
    fs::create_dir(repo.join("main")).unwrap();
    let out = run(
        &repo,
        &["check", "--git-history", "main"],
        Limits::default(),
    );
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr.contains("both a folder and a revision"),
        "{out:?}"
    );
    let out = run(
        &repo,
        &["check", "--git-history", "main", "."],
        Limits::default(),
    );
    assert_eq!(out.code, Some(1), "{out:?}");
}

/// Windows tools write UTF-16 with a byte-order mark: full of NUL bytes, but text, and a
/// credential in it must not pass as "binary".
#[test]
fn a_secret_in_utf16_text_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let text = "$password = \"hunter2-Xq9vLm3pRt7w\"\r\n";
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    write(dir.path(), "deploy-le.ps1", le);
    write(dir.path(), "deploy-be.ps1", be);
    let out = run(dir.path(), &["check", "."], Limits::default());
    assert_eq!(out.code, Some(1), "{out:?}");
    for name in ["deploy-le.ps1", "deploy-be.ps1"] {
        assert!(out.stdout.contains(name), "{name}: {out:?}");
    }
    assert_no_leak("output", &out.all_output(), &["hunter2-Xq9vLm3pRt7w"]);
}

/// `-o /dev/stdout` goes to the process's standard output: a pipe, or a file appended to,
/// which opening the path again would overwrite from its start.
#[test]
fn output_to_dev_stdout_writes_the_stream() {
    let dir = one_finding();
    let out = finishes(dir.path(), &["check", ".", "-o", "/dev/stdout"], 1);
    assert!(out.stdout.contains("Dockerfile:1:"), "{out:?}");
    assert!(fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
    let log = write(dir.path(), "log.txt", "earlier line\n");
    let binary = assert_cmd::cargo::cargo_bin("plimsoll");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" check . -o /dev/stdout --write-baseline /dev/stdout >> log.txt")
        .arg(&binary)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let text = fs::read_to_string(log).unwrap();
    assert!(text.starts_with("earlier line\n"), "{text}");
    assert!(text.contains("\"fingerprint\""), "{text}");
}

#[test]
fn a_baseline_that_is_a_fifo_or_a_device_is_refused_not_read() {
    let dir = one_finding();
    let root = dir.path();
    mkfifo(&root.join("baseline.json"));
    let short = Limits {
        time: std::time::Duration::from_secs(10),
        ..Limits::default()
    };
    for baseline in ["baseline.json", "/dev/zero"] {
        let out = run(root, &["check", ".", "--baseline", baseline], short);
        assert!(!out.timed_out, "{baseline}: {out:?}");
        assert_eq!(out.code, Some(2), "{baseline}: {out:?}");
        assert!(out.stderr.contains("not a regular file"), "{out:?}");
    }
}

/// A file or folder named with a line break and a workflow command: the human format (the
/// default, printed into a CI job's log) must not start a line with it, nor write ESC.
#[test]
fn a_file_name_cannot_write_a_workflow_command_in_the_human_report() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\n::error file=a::pwned\u{1b}[2J\n##[error]old";
    write(
        dir.path(),
        &format!("{name}/Dockerfile"),
        "FROM alpine:latest\n",
    );
    let workflow =
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n";
    write(
        dir.path(),
        &format!(".github/workflows/{name}.yml"),
        workflow,
    );
    for format in ["human", "github"] {
        let out = run(
            dir.path(),
            &["check", ".", "--format", format],
            Limits::default(),
        );
        assert_eq!(out.code, Some(1), "{out:?}");
        assert!(out.stdout.contains("pwned"), "{out:?}");
        for line in out.all_output().lines() {
            let line = line.trim_start();
            assert!(
                !line.starts_with("::error file=a") && !line.starts_with("##["),
                "{format}: {line}"
            );
            assert!(!line.contains('\u{1b}'), "{format}: {line}");
        }
    }
}

/// One entry of a version-2 git index: no stat data, the empty blob, `path`.
fn index_entry(path: &str) -> Vec<u8> {
    let mut entry = Vec::new();
    for field in [0u32, 0, 0, 0, 0, 0, 0o100644, 0, 0, 0] {
        entry.extend(field.to_be_bytes());
    }
    entry.extend([
        0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8,
        0xc2, 0xe4, 0x8c, 0x53, 0x91,
    ]);
    entry.extend((path.len() as u16).to_be_bytes());
    entry.extend(path.as_bytes());
    let pad = 8 - entry.len() % 8;
    entry.extend(std::iter::repeat_n(0u8, pad));
    entry
}

/// A hostile repository's `.git/index` is the attacker's file: git lists its entries as they
/// are, `../outside/.env` among them, and `check` read tracked files it lists.
#[test]
fn a_crafted_index_cannot_make_check_read_outside_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    write(&outside, "Dockerfile", "FROM alpine:latest\n");
    let root = dir.path().join("repo");
    fs::create_dir(&root).unwrap();
    git(&root, &["init", "-q"]);
    write(&root, ".gitignore", "*\n");
    write(&root, "Dockerfile", "FROM alpine:3.19\n");
    let entries = [
        index_entry("../outside/Dockerfile"),
        index_entry("Dockerfile"),
    ];
    let mut index = b"DIRC".to_vec();
    index.extend(2u32.to_be_bytes());
    index.extend((entries.len() as u32).to_be_bytes());
    index.extend(entries.concat());
    let body = root.join("index.body");
    fs::write(&body, &index).unwrap();
    let sum = std::process::Command::new("sha1sum")
        .arg(&body)
        .output()
        .unwrap();
    let hex = String::from_utf8(sum.stdout).unwrap();
    let digest: Vec<u8> = (0..20)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    fs::remove_file(&body).unwrap();
    index.extend(digest);
    fs::write(root.join(".git/index"), &index).unwrap();
    let listed = git(&root, &["ls-files"]);
    assert!(listed.contains("../outside/Dockerfile"), "{listed}");
    let out = run(
        &root,
        &["check", ".", "--format", "json"],
        Limits::default(),
    );
    assert!(!out.timed_out, "{out:?}");
    let paths = finding_paths(&out.stdout);
    assert!(paths.iter().any(|p| p == "Dockerfile"), "{paths:?}");
    assert!(paths.iter().all(|p| !p.contains("outside")), "{paths:?}");
}
