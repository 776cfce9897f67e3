//! The hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` (PyPI; `.ci/run` installs
//! it) in a temporary repository, as a user's `.pre-commit-config.yaml` would run them.
//!
//! The hook repository is a temporary git repository holding this repository's
//! `.pre-commit-hooks.yaml` as it is in the work tree, committed, and named by its path and
//! commit: pre-commit clones it and reads the manifest exactly as it does a remote one. The hooks
//! are `language: system`, so pre-commit builds nothing and runs the `plimsoll` this test puts
//! first on PATH: the binary under test, with no multi-minute `cargo install` in CI.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{git, workspace, write};

/// A workflow with a deprecated workflow command (`set-output`: a warning, which fails the
/// check, with a safe fix) and nothing else to report.
const BAD_WORKFLOW: &str = "name: CI
on: push
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: echo \"::set-output name=version::1.0\"
";

const DEPENDABOT: &str = "version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
    cooldown:
      default-days: 7
";

/// `pre-commit` on PATH or where `pip install --user` puts it.
fn pre_commit() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("pre-commit"))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| {
        let home = std::env::var_os("HOME")?;
        let user = PathBuf::from(home).join(".local/bin/pre-commit");
        user.is_file().then_some(user)
    })
}

/// A git repository holding only `.pre-commit-hooks.yaml` from the work tree, committed; and
/// that commit.
fn hook_repository(dir: &Path) -> String {
    let manifest = fs::read_to_string(workspace().join(".pre-commit-hooks.yaml")).unwrap();
    write(dir, ".pre-commit-hooks.yaml", manifest);
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "hooks"]);
    git(dir, &["rev-parse", "HEAD"])
}

/// Run `pre-commit args…` in `repo` with the binary under test first on PATH and its own cache
/// in `home`.
fn run_pre_commit(pre_commit: &Path, repo: &Path, home: &Path, args: &[&str]) -> Output {
    let binary = assert_cmd::cargo::cargo_bin("plimsoll");
    let bin_dir = binary.parent().unwrap().to_path_buf();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path =
        std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(&path))).unwrap();
    Command::new(pre_commit)
        .args(args)
        .current_dir(repo)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env_remove("PLIMSOLL_FAIL_ON")
        .env_remove("PLIMSOLL_FORMAT")
        .output()
        .unwrap()
}

fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_hooks_fail_on_a_finding_fix_it_and_then_pass() {
    let Some(pre_commit) = pre_commit() else {
        println!("skipped: pre-commit is not installed (`python3 -m pip install --user pre-commit`, as .ci/run does)");
        return;
    };
    let hooks = tempfile::tempdir().unwrap();
    let rev = hook_repository(hooks.path());
    let home = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let workflow = write(repo.path(), ".github/workflows/ci.yml", BAD_WORKFLOW);
    write(repo.path(), ".github/dependabot.yml", DEPENDABOT);
    write(repo.path(), "README.md", "not a file plimsoll is given\n");
    write(
        repo.path(),
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: plimsoll\n      - id: plimsoll-fix\n        stages: [manual]\n",
            hooks.path().display()
        ),
    );
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);

    // The check hook fails and prints plimsoll's finding at its line and column.
    let output = run_pre_commit(
        &pre_commit,
        repo.path(),
        home.path(),
        &["run", "plimsoll", "--all-files"],
    );
    let text = printed(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("plimsoll check"), "{text}");
    assert!(text.contains("deprecated-workflow-command"), "{text}");
    assert!(text.contains(".github/workflows/ci.yml:11:20"), "{text}");
    assert_eq!(fs::read_to_string(&workflow).unwrap(), BAD_WORKFLOW);

    // The fix hook rewrites the workflow; pre-commit fails the run because a file changed.
    let output = run_pre_commit(
        &pre_commit,
        repo.path(),
        home.path(),
        &[
            "run",
            "plimsoll-fix",
            "--all-files",
            "--hook-stage",
            "manual",
        ],
    );
    let text = printed(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("files were modified by this hook"), "{text}");
    let fixed = fs::read_to_string(&workflow).unwrap();
    assert_eq!(
        fixed,
        BAD_WORKFLOW.replace(
            "echo \"::set-output name=version::1.0\"",
            "echo \"version=1.0\" >> \"$GITHUB_OUTPUT\""
        )
    );

    // Fixed, the check hook passes.
    git(repo.path(), &["add", "."]);
    let output = run_pre_commit(
        &pre_commit,
        repo.path(),
        home.path(),
        &["run", "plimsoll", "--all-files"],
    );
    let text = printed(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("plimsoll check") && text.contains("Passed"),
        "{text}"
    );
}

#[test]
fn the_hooks_are_given_the_devops_files_and_not_the_others() {
    let Some(pre_commit) = pre_commit() else {
        println!("skipped: pre-commit is not installed (`python3 -m pip install --user pre-commit`, as .ci/run does)");
        return;
    };
    let hooks = tempfile::tempdir().unwrap();
    let rev = hook_repository(hooks.path());
    let home = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let devops = [
        ".github/workflows/ci.yml",
        "action.yml",
        "deploy/app.yaml",
        "compose.yaml",
        "Dockerfile",
        "docker/Dockerfile.alpine",
        "api.Dockerfile",
        "Containerfile",
        "infra/main.tf",
        "infra/prod.tfvars",
        ".env",
        "config/.env.production",
    ];
    let others = ["README.md", "src/main.rs", "Makefile", "environment.txt"];
    for file in devops.iter().chain(&others) {
        write(repo.path(), file, "\n");
    }
    // The hook with its `entry` overridden by `echo`: it prints the files the manifest's
    // `files` pattern selects.
    let manifest = fs::read_to_string(hooks.path().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(manifest.contains("files: &devops-files"), "{manifest}");
    write(
        repo.path(),
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: plimsoll\n        entry: echo\n        verbose: true\n",
            hooks.path().display()
        ),
    );
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    let output = run_pre_commit(
        &pre_commit,
        repo.path(),
        home.path(),
        &["run", "plimsoll", "--all-files"],
    );
    let text = printed(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let given: Vec<&str> = text
        .lines()
        .flat_map(|line| line.split_whitespace())
        .collect();
    for file in devops {
        assert!(given.contains(&file), "{file} is not given: {text}");
    }
    for file in others {
        assert!(!given.contains(&file), "{file} is given: {text}");
    }
}
