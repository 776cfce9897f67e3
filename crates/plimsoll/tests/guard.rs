//! `plimsoll guard` as users run it: the real binary on real git repositories built in
//! temporary folders, every output format, exit codes and bad input.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

mod common;
use common::{committed_change, git, write};

fn guard(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plimsoll").unwrap();
    cmd.current_dir(dir).arg("guard").env("NO_COLOR", "1");
    cmd
}

const CI: &str = ".github/workflows/ci.yml";

const BEFORE: &str = "name: CI
on:
  push:
    branches: [main, 'release/**']
  pull_request:
jobs:
  test:
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        os: [linux, windows]
    steps:
      - uses: actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3
      - uses: Swatinem/rust-cache@v2
      - run: cargo test --all-features --workspace
      - run: cargo clippy --all-targets -- -D warnings
  docs:
    runs-on: ubuntu-24.04
    steps:
      - run: cargo doc --no-deps
  deploy:
    needs: [test]
    runs-on: ubuntu-24.04
    steps:
      - run: ./deploy.sh
";

const AFTER: &str = "name: CI
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        os: [linux]
    steps:
      - uses: actions/checkout@v4
      - uses: Swatinem/rust-cache@v2
      - run: cargo test --workspace || true
      # plimsoll: allow-reduction[flag-removed:-D warnings] clippy warnings are fixed in #41 first
      - run: cargo clippy --all-targets
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - run: ./deploy.sh
";

/// A repository whose second commit lowers coverage in many ways.
fn lowered() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, CI, BEFORE);
    write(root, "src/lib.rs", "#[test]\nfn slow() {}\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    write(root, CI, AFTER);
    write(root, "src/lib.rs", "#[test]\n#[ignore]\nfn slow() {}\n");
    git(root, &["commit", "-qam", "lower coverage"]);
    dir
}

fn output_of(dir: &Path, format: &str) -> String {
    let out = guard(dir)
        .args(["--base", "HEAD~1", "--head", "HEAD", "--format", format])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn human_table() {
    let dir = lowered();
    insta::assert_snapshot!("guard-human", output_of(dir.path(), "human"));
}

#[test]
fn json_document() {
    let dir = lowered();
    let text = output_of(dir.path(), "json");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["summary"]["accepted"], 1);
    insta::assert_snapshot!("guard-json", text);
}

#[test]
fn sarif_log() {
    let dir = lowered();
    let text = output_of(dir.path(), "sarif");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], "2.1.0");
    insta::assert_snapshot!("guard-sarif", text);
}

#[test]
fn github_annotations_on_the_new_lines() {
    let dir = lowered();
    let text = output_of(dir.path(), "github");
    insta::assert_snapshot!("guard-github", text);
}

#[test]
fn no_reduction_exits_0_and_says_what_it_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, CI, BEFORE);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["checkout", "-qb", "feature"]);
    // Renames and reordering only, in the working tree: compared with the merge base.
    let renamed = BEFORE
        .replace("  docs:\n", "  documentation:\n")
        .replace("name: CI\n", "name: Continuous integration\n");
    write(root, CI, &renamed);
    // "Lost nothing" is said, so it never looks like "saw nothing".
    guard(root)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "checked 1 workflow, 3 jobs: nothing lost (merge base ",
        ));
    let text = guard(root)
        .args(["--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let value: serde_json::Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(value["summary"]["workflows"], 1);
    assert_eq!(value["summary"]["jobs"], 3);
    assert_eq!(value["summary"]["reductions"], 0);
    // The report can go to a file.
    write(root, CI, AFTER);
    guard(root)
        .args(["--format", "json", "-o", "report.json"])
        .assert()
        .code(1)
        .stdout("");
    let report = fs::read_to_string(root.join("report.json")).unwrap();
    assert!(report.contains("\"job-removed\""));
}

#[test]
fn before_and_after_files_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "old/ci.yml", BEFORE);
    write(
        root,
        "new/ci.yml",
        BEFORE.replace(
            "      - run: cargo doc --no-deps\n",
            "      - run: cargo doc --no-deps || true\n",
        ),
    );
    guard(root)
        .args(["--before", "old/ci.yml", "--after", "new/ci.yml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("failure-masked"))
        .stdout(predicate::str::contains("new/ci.yml:20"));
    write(root, "a/.github/workflows/ci.yml", BEFORE);
    write(root, "a/src/x_test.go", "func TestX(t *testing.T) {}\n");
    write(root, "b/.github/workflows/ci.yml", BEFORE);
    write(
        root,
        "b/src/x_test.go",
        "func TestX(t *testing.T) {\n\tt.Skip()\n}\n",
    );
    guard(root)
        .args(["--before", "a", "--after", "b"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("test-skipped"))
        .stdout(predicate::str::contains("src/x_test.go:2"));
    guard(root)
        .args(["--before", "a", "--after", "new/ci.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("both be files or both be folders"));
}

/// A checkout, its `.github` folder, a copy of it under another name, and a folder of
/// workflow files all compare as the same repository.
#[test]
fn folders_of_every_shape() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let without_docs = BEFORE.replace(
        "  docs:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: cargo doc --no-deps\n",
        "",
    );
    write(root, "checkout/.github/workflows/ci.yml", BEFORE);
    write(root, "checkout/README.md", "readme\n");
    write(root, "copy/.github/workflows/ci.yml", &without_docs);
    write(root, "github-copy/workflows/ci.yml", &without_docs);
    write(root, "flat/ci.yml", &without_docs);
    write(root, "old-flat/ci.yaml", BEFORE);
    for after in [
        "copy",
        "copy/.github",
        "github-copy",
        "flat",
        "copy/.github/workflows",
    ] {
        guard(root)
            .args(["--before", "checkout", "--after", after])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("job-removed"))
            .stdout(predicate::str::contains(
                "checked 1 workflow, 3 jobs: 1 reduction",
            ));
    }
    // A workflow renamed on the way is still the same workflow.
    guard(root)
        .args(["--before", "old-flat", "--after", "checkout"])
        .assert()
        .code(0);
    guard(root)
        .args(["--before", "checkout", "--after", "checkout/.github"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("nothing lost"));
    // A side without a CI file is a mistake, not "nothing lost".
    write(root, "empty/notes.txt", "x\n");
    guard(root)
        .args(["--before", "checkout", "--after", "empty"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty holds no CI file"));
    guard(root)
        .args(["--before", "empty", "--after", "flat"])
        .assert()
        .code(2);
}

#[test]
fn a_base_revision_that_does_not_exist() {
    let dir = lowered();
    guard(dir.path())
        .args(["--base", "no-such-branch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "revision `no-such-branch` does not exist",
        ));
}

#[test]
fn a_shallow_clone_without_the_base() {
    let dir = lowered();
    let origin = dir.path();
    let base = git(origin, &["rev-parse", "HEAD~1"]);
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.display());
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = clones.path().join("shallow");
    guard(&shallow)
        .args(["--base", &base])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shallow clone"))
        .stderr(predicate::str::contains("fetch-depth: 0"));
}

#[test]
fn not_a_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    guard(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not inside a git repository"));
}

#[test]
fn new_version_that_does_not_parse() {
    let dir = lowered();
    let root = dir.path();
    write(root, CI, "on: push\njobs:\n  test: [\n");
    guard(root)
        .args(["--base", "HEAD"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("workflow-unparsable"))
        .stdout(predicate::str::contains("does not parse"));
}

#[test]
fn deleted_github_folder() {
    let dir = lowered();
    let root = dir.path();
    fs::remove_dir_all(root.join(".github")).unwrap();
    guard(root)
        .args(["--base", "HEAD"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("the .github folder is gone"))
        .stdout(predicate::str::contains("workflow-removed"));
}

#[test]
fn binary_workflow_and_submodules() {
    let dir = lowered();
    let root = dir.path();
    fs::write(root.join(".github/workflows/blob.yml"), b"\x00\xff").unwrap();
    let head = git(root, &["rev-parse", "HEAD"]);
    git(
        root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},.github/shared"),
        ],
    );
    git(root, &["add", ".github/workflows/blob.yml"]);
    git(root, &["commit", "-qm", "binary and submodule"]);
    guard(root)
        .args(["--base", "HEAD~1", "--head", "HEAD"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            ".github/shared is a git submodule",
        ))
        .stdout(predicate::str::contains("blob.yml is a binary file"));
}

/// Commits `before` as workflow `path`, then `after` on top, in a new repository, and returns
/// the JSON report of guard between the two commits with its exit code.
fn json_between(path: &str, before: &str, after: Option<&str>) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, CI, BEFORE);
    write(root, path, before);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    match after {
        Some(text) => {
            write(root, path, text);
        }
        None => fs::remove_file(root.join(path)).unwrap(),
    }
    git(root, &["commit", "-qam", "change"]);
    json_of_last_commit(root)
}

/// The JSON report of guard on the last commit of the repository at `root`, with its exit code.
fn json_of_last_commit(root: &Path) -> (i32, serde_json::Value) {
    let out = guard(root)
        .args(["--base", "HEAD~1", "--head", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), value)
}

/// (kind, severity, line before) of every change of a JSON report.
fn changes_of(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["severity"].as_str().unwrap().to_string(),
                c["before"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn losses_in_a_workflow_run_only_on_demand_or_for_releases_are_reviews() {
    const BENCH: &str = ".github/workflows/bench.yml";
    let bench = |on: &str| {
        format!("on:\n{on}jobs:\n  bench:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo bench --workspace\n      - run: cargo test --workspace\n")
    };
    let on_demand = bench("  workflow_dispatch:\n  repository_dispatch:\n    types: [bench]\n");
    // Removed whole: it gated no pull request, so it is a review naming its events.
    let (code, report) = json_between(BENCH, &on_demand, None);
    assert_eq!(code, 0);
    assert_eq!(
        changes_of(&report),
        [("workflow-removed".into(), "review".into(), 1)]
    );
    let message = report["changes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("ran only on repository_dispatch, workflow_dispatch"),
        "{message}"
    );
    // A release workflow run on pushed tags that runs for fewer tags: a review.
    let release = bench("  push:\n    tags: ['v*']\n");
    let fewer_tags = release.replace("['v*']", "['v*', '!*nightly*']");
    let (code, report) = json_between(BENCH, &release, Some(&fewer_tags));
    assert_eq!(code, 0);
    assert_eq!(
        changes_of(&report),
        [("trigger-narrowed".into(), "review".into(), 3)]
    );
    // What it still runs matters to whoever starts it: a step it drops stays a loss.
    let fewer_steps = release.replace("      - run: cargo test --workspace\n", "");
    let (code, report) = json_between(BENCH, &release, Some(&fewer_steps));
    assert_eq!(code, 1);
    assert_eq!(
        changes_of(&report),
        [("step-removed".into(), "reduction".into(), 9)]
    );
    // Fewer tags in a workflow that also runs on a branch push still fails.
    let gating = bench("  push:\n    tags: ['v*']\n    branches: [main]\n");
    let fewer_tags = gating.replace("['v*']", "['v*', '!*nightly*']");
    let (code, report) = json_between(BENCH, &gating, Some(&fewer_tags));
    assert_eq!(code, 1);
    assert_eq!(
        changes_of(&report),
        [("trigger-narrowed".into(), "reduction".into(), 3)]
    );
    // And so does one on a schedule: a nightly run is coverage.
    let nightly = bench("  schedule:\n    - cron: '0 3 * * *'\n  workflow_dispatch:\n");
    let (code, _) = json_between(BENCH, &nightly, None);
    assert_eq!(code, 1);
}

#[test]
fn a_compile_only_warm_up_removed_beside_the_run_that_compiles_the_same() {
    const TEST: &str = ".github/workflows/test.yml";
    let job = |steps: &str| {
        format!("on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n{steps}")
    };
    let warm_up = "      - name: Build caches\n        run: cargo test --no-run -p a -p b\n";
    let run = "      - run: cargo test -p a\n";
    // The tests still run, which builds them: nothing is lost.
    let (code, report) = json_between(TEST, &job(&format!("{warm_up}{run}")), Some(&job(run)));
    assert_eq!((code, changes_of(&report)), (0, vec![]));
    // With no test run left in the job, the build it checked is gone.
    let other = "      - run: cargo fmt --check\n";
    let (code, report) = json_between(TEST, &job(&format!("{warm_up}{other}")), Some(&job(other)));
    assert_eq!(code, 1);
    assert_eq!(
        changes_of(&report),
        [("step-removed".into(), "reduction".into(), 6)]
    );
}

#[test]
fn a_package_excluded_in_one_job_and_tested_by_another_job_of_the_workflow() {
    const TEST: &str = ".github/workflows/test.yml";
    let workflow = |exclude: &str, libs: &str| {
        format!("on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test --workspace{exclude}\n  libs:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test{libs}\n")
    };
    let before = workflow("", " -p core");
    // `lib_a` leaves the workspace run for the job that tests the libraries: still tested.
    let moved = workflow(" --exclude lib_a", " -p core -p lib_a");
    let (code, report) = json_between(TEST, &before, Some(&moved));
    assert_eq!((code, changes_of(&report)), (0, vec![]));
    // Excluded and tested nowhere: a loss, at the workspace run.
    let dropped = workflow(" --exclude lib_a", " -p core");
    let (code, report) = json_between(TEST, &before, Some(&dropped));
    assert_eq!(code, 1);
    assert_eq!(
        changes_of(&report),
        [("command-narrowed".into(), "reduction".into(), 6)]
    );
}

/// The exit code and the (kind, severity) of each change when `before` becomes `after`.
fn kinds_between(before: &str, after: &str) -> (i32, Vec<(String, String)>) {
    const FILE: &str = ".github/workflows/checks.yml";
    let (code, report) = json_between(FILE, before, Some(after));
    let kinds = changes_of(&report)
        .into_iter()
        .map(|(kind, severity, _)| (kind, severity))
        .collect();
    (code, kinds)
}

#[test]
fn a_matrix_key_renamed_flags_moved_into_a_variable_and_a_disabled_job_removed_lose_nothing() {
    let before = "on: [pull_request]
jobs:
  clippy:
    runs-on: ${{ matrix.platform }}
    strategy:
      matrix:
        platform: [ubuntu-22.04, windows-latest]
        style: [default, extra]
        rust: [stable]
        include:
          - style: default
            flags: \"\"
          - style: extra
            flags: \"--features=extra \"
    steps:
      - run: cargo clippy --workspace ${{ matrix.flags }} -- -D warnings -D clippy::unwrap_used
  coverage:
    if: false
    runs-on: ubuntu-22.04
    steps:
      - run: cargo llvm-cov --workspace
";
    let after = |options: &str| {
        format!(
            "on: [pull_request]
env:
  CLIPPY_OPTIONS: \"{options}\"
jobs:
  clippy:
    runs-on: ${{{{ matrix.platform }}}}
    strategy:
      matrix:
        platform: [ubuntu-22.04, windows-latest]
        feature: [default, extra]
        include:
          - feature: default
            flags: \"\"
          - feature: extra
            flags: \"--features=extra\"
    steps:
      - run: cargo clippy --workspace ${{{{ matrix.flags }}}} -- $CLIPPY_OPTIONS
"
        )
    };
    let (code, kinds) = kinds_between(before, &after("-D warnings -D clippy::unwrap_used"));
    assert_eq!((code, kinds), (0, vec![]));
    // The variable holds the flags: one dropped from it is no longer passed.
    let (code, kinds) = kinds_between(before, &after("-D clippy::unwrap_used"));
    assert_eq!(code, 1);
    assert_eq!(kinds, [("flag-removed".into(), "reduction".into())]);
}

#[test]
fn commands_taken_from_matrix_values_run_what_the_legs_say() {
    let before = "on: [pull_request]
jobs:
  build-wasm:
    runs-on: ubuntu-latest
    steps:
      - run: cargo build -p core --no-default-features --target wasm32-unknown-unknown
      - run: cargo build -p cli --no-default-features --target wasm32-unknown-unknown
";
    let after = |legs: &str| {
        format!(
            "on: [pull_request]
env:
  WASM_OPTIONS: --no-default-features --target wasm32-unknown-unknown
jobs:
  wasm:
    strategy:
      matrix:
        job:
{legs}
    runs-on: ubuntu-latest
    steps:
      - run: ${{{{ matrix.job.command }}}} -p core $WASM_OPTIONS ${{{{ matrix.job.args }}}}
      - run: ${{{{ matrix.job.command }}}} -p cli $WASM_OPTIONS ${{{{ matrix.job.args }}}}
"
        )
    };
    let both = "          - command: cargo build
            args:
          - command: cargo clippy
            args: -- -D warnings";
    assert_eq!(kinds_between(before, &after(both)), (0, vec![]));
    // Only the clippy leg is left: nothing builds the crates any more.
    let clippy_only = "          - command: cargo clippy
            args: -- -D warnings";
    let (code, kinds) = kinds_between(before, &after(clippy_only));
    assert_eq!(code, 1);
    assert_eq!(kinds, [("job-removed".into(), "reduction".into())]);
}

#[test]
fn an_action_that_runs_a_command_from_its_inputs_runs_it() {
    let before = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: |
          cargo test --target x86_64-unknown-linux-gnu
          cargo test --target x86_64-unknown-linux-gnu --features api-all
";
    let after = |command: &str| {
        format!(
            "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        command: [{command}]
    steps:
      - uses: actions-rs/cargo@v1
        with:
          command: ${{{{ matrix.command }}}}
          args: --target x86_64-unknown-linux-gnu --features tls
      - uses: actions-rs/cargo@v1
        with:
          command: ${{{{ matrix.command }}}}
          args: --target x86_64-unknown-linux-gnu --features tls,api-all
"
        )
    };
    assert_eq!(kinds_between(before, &after("test, build")), (0, vec![]));
    // Only `cargo build` runs now: the tests no longer do.
    let (code, kinds) = kinds_between(before, &after("build"));
    assert_eq!(code, 1);
    assert_eq!(kinds, [("step-removed".into(), "reduction".into())]);
}

#[test]
fn the_same_tool_run_through_another_wrapper_runs_the_same_checks() {
    let before = "on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: uvx ruff check .
      - run: python -m pytest -x tests
      - run: npx eslint .
";
    let after = "on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: uv run --only-group=check ruff check .
      - run: pytest -x tests
      - run: npm exec eslint .
";
    assert_eq!(kinds_between(before, after), (0, vec![]));
    let (code, kinds) = kinds_between(
        before,
        &after.replace("      - run: uv run --only-group=check ruff check .\n", ""),
    );
    assert_eq!(code, 1);
    assert_eq!(kinds, [("step-removed".into(), "reduction".into())]);
}

#[test]
fn releasing_and_publishing_check_nothing() {
    let before = "on:
  push:
    tags: ['v*']
  pull_request:
jobs:
  bump:
    runs-on: ubuntu-latest
    steps:
      - run: cargo release 0.2.0 --workspace --exclude ci --no-publish --execute
  release:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        target: [x86_64-pc-windows-msvc, aarch64-pc-windows-msvc]
        extra: [bin, msi]
        os: [windows-latest]
    steps:
      - run: nu .github/workflows/release-pkg.nu
        env:
          EXTRA: ${{ matrix.extra }}
      - uses: softprops/action-gh-release@v2
        with:
          files: dist/*
";
    let after = "on:
  push:
    tags: ['v*']
  pull_request:
jobs:
  bump:
    runs-on: ubuntu-latest
    steps:
      - run: cargo release 0.2.0 --workspace --exclude ci --exclude docs --no-publish --execute
  release:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        target: [x86_64-pc-windows-msvc, aarch64-pc-windows-msvc]
        os: [windows-latest]
    steps:
      - run: nu .github/workflows/release-pkg.nu
      - uses: softprops/action-gh-release@v2
        with:
          files: dist/*
";
    let (code, kinds) = kinds_between(before, after);
    assert_eq!(code, 0);
    assert!(
        kinds.iter().all(|(_, severity)| severity == "review"),
        "{kinds:?}"
    );
    // A release job that also tests: its legs are coverage.
    let tested = |text: &str| {
        text.replace(
            "      - run: nu .github",
            "      - run: cargo test --workspace\n      - run: nu .github",
        )
    };
    let (code, kinds) = kinds_between(&tested(before), &tested(after));
    assert_eq!(code, 1);
    assert!(
        kinds.contains(&("matrix-combination-removed".into(), "reduction".into())),
        "{kinds:?}"
    );
}

#[test]
fn flags_over_continuation_lines_of_a_plain_scalar_are_one_command() {
    let before = "on: [pull_request]
jobs:
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: cargo doc --all-features --no-deps -p app -Zunstable-options
";
    let after = |flags: &str| {
        format!(
            "on: [pull_request]
jobs:
  docs:
    runs-on: ubuntu-latest
    steps:
      - run: cargo doc \\
          -Zunstable-options \\
{flags}
          --workspace
"
        )
    };
    let all = "          --all-features \\\n          --no-deps \\";
    assert_eq!(kinds_between(before, &after(all)), (0, vec![]));
    let (code, kinds) = kinds_between(before, &after("          --no-deps \\"));
    assert_eq!(code, 1);
    assert_eq!(kinds, [("flag-removed".into(), "reduction".into())]);
}

#[test]
fn a_step_moved_to_another_job_and_tools_pinned_or_configured_still_run() {
    let before = "on: [pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: cargo build --workspace
      - run: cargo check -p app --features=tracing
      - run: go test --tags=directio -race ./tsdb/
  libs:
    runs-on: ubuntu-latest
    steps:
      - run: npx prettier --check .
      - run: cargo test --workspace
";
    let after = "on: [pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: cargo build --workspace
      - run: go test --tags=directio,stringlabels -race ./tsdb/
  libs:
    runs-on: ubuntu-latest
    steps:
      - run: npx prettier@3.9.0 --check .
      - run: cargo --config ci.toml test --workspace
      - run: cargo check -p app --features=tracing
";
    assert_eq!(kinds_between(before, after), (0, vec![]));
    // Gone from both jobs: a loss.
    let dropped = after.replace("      - run: cargo check -p app --features=tracing\n", "");
    let (code, kinds) = kinds_between(before, &dropped);
    assert_eq!(code, 1);
    assert_eq!(kinds, [("step-removed".into(), "reduction".into())]);
}

#[test]
fn a_workflow_that_runs_no_check_runs_less_often_as_a_review() {
    let labeller = |on: &str| {
        format!(
            "on:\n{on}jobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/labeler@v5\n"
        )
    };
    let (code, kinds) = kinds_between(
        &labeller("  pull_request:\n  workflow_dispatch:\n"),
        &labeller("  workflow_dispatch:\n"),
    );
    assert_eq!(code, 0);
    assert_eq!(kinds, [("trigger-removed".into(), "review".into())]);
    // A workflow that runs a script may check: fewer runs stay a loss.
    let script = |on: &str| labeller(on).replace("uses: actions/labeler@v5", "run: ./check.sh");
    let (code, _) = kinds_between(
        &script("  pull_request:\n  workflow_dispatch:\n"),
        &script("  workflow_dispatch:\n"),
    );
    assert_eq!(code, 1);
}

#[test]
fn a_command_that_checks_nothing_may_fail_without_masking_a_check() {
    let before = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pdm info && pdm list
      - run: cargo test --workspace
";
    // A cleanup and a listing of the environment let fail: nothing they checked.
    let after = before
        .replace("pdm info && pdm list", "pdm info && pdm list -v || true")
        .replace(
            "      - run: cargo test",
            "      - run: sudo rm -rf /usr/share/dotnet || true\n      - run: cargo test",
        );
    assert_eq!(kinds_between(before, &after), (0, vec![]));
    // The test itself let fail: a loss.
    let masked = after.replace("cargo test --workspace", "cargo test --workspace || true");
    assert_eq!(
        kinds_between(before, &masked),
        (1, vec![("failure-masked".into(), "reduction".into())])
    );
}

#[test]
fn a_cache_action_swapped_for_a_fork_or_a_default_keeps_the_cache() {
    let cached = |restore: &str| {
        format!(
            "on: [pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
{restore}      - run: cargo build --workspace
"
        )
    };
    let actions = cached("      - uses: actions/cache/restore@v4\n        with:\n          path: target\n          key: build\n");
    let fork = actions.replace("actions/cache/restore@v4", "cirruslabs/cache/restore@v4");
    assert_eq!(kinds_between(&actions, &fork), (0, vec![]));
    assert_eq!(
        kinds_between(&actions, &cached("")),
        (1, vec![("cache-removed".into(), "reduction".into())])
    );
    // setup-uv caches by default from v5 on: `enable-cache: true` dropped in the bump is kept.
    let uv = |version: &str, with: &str| {
        cached(&format!(
            "      - uses: astral-sh/setup-uv@{version}\n{with}"
        ))
    };
    let enabled = "        with:\n          enable-cache: true\n";
    assert_eq!(
        kinds_between(&uv("v4", enabled), &uv("v5", "")),
        (0, vec![])
    );
    // Pinned to a commit, the ref names no version: taken as a recent one.
    let pinned = "cec208311dfd045dd5311c1add060b2062131d57";
    assert_eq!(kinds_between(&uv("v7", ""), &uv(pinned, "")), (0, vec![]));
    assert_eq!(
        kinds_between(&uv("v3", enabled), &uv("v3", "")),
        (1, vec![("cache-removed".into(), "reduction".into())])
    );
    assert_eq!(
        kinds_between(
            &uv("v4", enabled),
            &uv("v5", "        with:\n          enable-cache: false\n")
        ),
        (1, vec![("cache-removed".into(), "reduction".into())])
    );
}

#[test]
fn pull_request_target_and_pull_request_run_for_the_same_pull_requests() {
    let title = |on: &str| {
        format!(
            "on:\n  {on}:\n    types: [opened, edited, synchronize]\njobs:\n  title:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./check_title.sh\n"
        )
    };
    assert_eq!(
        kinds_between(&title("pull_request_target"), &title("pull_request")),
        (0, vec![])
    );
    assert_eq!(
        kinds_between(&title("pull_request_target"), &title("push")),
        (1, vec![("trigger-removed".into(), "reduction".into())])
    );
}

/// A repository with `files` committed, then `change` applied and committed: guard's exit code
/// and (kind, severity) of each change between the two commits.
fn kinds_after(files: &[(&str, &str)], change: impl Fn(&Path)) -> (i32, Vec<(String, String)>) {
    let (code, report) = report_after(files, change);
    let kinds = changes_of(&report)
        .into_iter()
        .map(|(kind, severity, _)| (kind, severity))
        .collect();
    (code, kinds)
}

/// The exit code and JSON report of guard on a repository holding `files`, from that commit to
/// the commit `change` makes.
fn report_after(files: &[(&str, &str)], change: impl Fn(&Path)) -> (i32, serde_json::Value) {
    let dir = committed_change(files, change);
    let out = guard(dir.path())
        .args(["--base", "HEAD~1", "--head", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), report)
}

#[test]
fn a_path_filter_follows_its_renamed_workflow_and_moved_jobs_still_run() {
    const LINT: &str = ".github/workflows/lint-fmt-cli.yml";
    let lint = "on:
  pull_request:
    paths:
      - '.github/workflows/lint-fmt-cli.yml'
      - 'tooling/cli/**'
jobs:
  fmt:
    runs-on: ubuntu-latest
    steps:
      - run: cargo fmt --manifest-path tooling/cli/Cargo.toml -- --check
";
    let rename = |root: &Path| {
        git(root, &["mv", LINT, ".github/workflows/lint-cli.yml"]);
        let text = lint.replace("lint-fmt-cli.yml", "lint-cli.yml");
        write(root, ".github/workflows/lint-cli.yml", text);
    };
    assert_eq!(kinds_after(&[(LINT, lint)], rename), (0, vec![]));
    // A path of the code dropped in the same rename is a loss (the job still names it).
    let narrowed = |root: &Path| {
        git(root, &["mv", LINT, ".github/workflows/lint-cli.yml"]);
        let text = lint
            .replace("lint-fmt-cli.yml", "lint-cli.yml")
            .replace("      - 'tooling/cli/**'\n", "");
        write(root, ".github/workflows/lint-cli.yml", text);
    };
    assert_eq!(
        kinds_after(&[(LINT, lint)], narrowed),
        (1, vec![("trigger-narrowed".into(), "reduction".into())])
    );

    // A workflow removed whose job now runs in another workflow: nothing is lost.
    const EXAMPLES: &str = ".github/workflows/ci-examples.yml";
    const MAIN: &str = ".github/workflows/main.yml";
    let examples_job = "  run-examples:
    runs-on: macos-14
    steps:
      - uses: actions/checkout@v4
      - run: cargo build --example breakout
      - run: ./run_examples.sh
";
    let examples = format!("on: [pull_request_target]\njobs:\n{examples_job}");
    let main = "on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n";
    let moved = |root: &Path| {
        fs::remove_file(root.join(EXAMPLES)).unwrap();
        write(root, MAIN, format!("{main}{examples_job}"));
    };
    assert_eq!(
        kinds_after(&[(EXAMPLES, &examples), (MAIN, main)], moved),
        (0, vec![])
    );
    let dropped = |root: &Path| fs::remove_file(root.join(EXAMPLES)).unwrap();
    assert_eq!(
        kinds_after(&[(EXAMPLES, &examples), (MAIN, main)], dropped),
        (1, vec![("workflow-removed".into(), "reduction".into())])
    );
    // Moved into a workflow that runs only nightly: pull requests are no longer checked by it.
    const NIGHTLY: &str = ".github/workflows/nightly.yml";
    let nightly = "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo doc\n";
    let moved_to_nightly = |root: &Path| {
        fs::remove_file(root.join(EXAMPLES)).unwrap();
        write(root, NIGHTLY, format!("{nightly}{examples_job}"));
    };
    assert_eq!(
        kinds_after(
            &[(EXAMPLES, &examples), (MAIN, main), (NIGHTLY, nightly)],
            moved_to_nightly
        ),
        (1, vec![("workflow-removed".into(), "reduction".into())])
    );
}

#[test]
fn legs_that_pass_options_through_an_environment_variable_compare_by_the_options() {
    let matrix = |env: &str, legs: &str| {
        format!(
            "on: [pull_request]
env:
{env}jobs:
  cargo:
    runs-on: ${{{{ matrix.target.host }}}}
    strategy:
      matrix:
        target:
{legs}    steps:
      - run: cargo test ${{{{ env[matrix.target.options] }}}}
"
        )
    };
    let leg = |name: &str, host: &str, options: &str, steps: &str| {
        format!("          - name: {name}\n            host: {host}\n            options: {options}\n            steps: [{steps}]\n")
    };
    let before = matrix(
        "  MAIN_OPTIONS: --workspace --exclude nu_plugin_* --all-targets\n  PLUGIN_OPTIONS: --package nu_plugin_* --all-targets\n",
        &[
            leg("Ubuntu", "ubuntu-22.04", "MAIN_OPTIONS", "fmt, clippy, test"),
            leg("Ubuntu Plugins", "ubuntu-22.04", "PLUGIN_OPTIONS", "clippy, test"),
            leg("Windows", "windows-latest", "MAIN_OPTIONS", "fmt, clippy, test"),
        ]
        .concat(),
    );
    // The main legs now cover the plugins: the plugin leg's options are a part of theirs.
    let merged = matrix(
        "  MAIN_OPTIONS: --workspace --all-targets\n",
        &[
            leg(
                "Ubuntu",
                "ubuntu-22.04",
                "MAIN_OPTIONS",
                "fmt, clippy, test",
            ),
            leg(
                "Windows",
                "windows-latest",
                "MAIN_OPTIONS",
                "fmt, clippy, test",
            ),
        ]
        .concat(),
    );
    assert_eq!(kinds_between(&before, &merged), (0, vec![]));
    // The main options still leave the plugins out: the plugin leg is lost.
    let still_excluded = merged.replace(
        "--workspace --all-targets",
        "--workspace --exclude nu_plugin_* --all-targets",
    );
    assert_eq!(
        kinds_between(&before, &still_excluded),
        (
            1,
            vec![("matrix-combination-removed".into(), "reduction".into())]
        )
    );
}

#[test]
fn an_action_that_runs_a_command_replaced_by_the_command_runs_the_same() {
    let before = "on: [pull_request]
jobs:
  clippy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions-rs/clippy-check@v1
        with:
          token: ${{ secrets.GITHUB_TOKEN }}
          args: --manifest-path ./core/Cargo.toml --all-targets -- -D warnings
";
    let after = before.replace(
        "      - uses: actions-rs/clippy-check@v1
        with:
          token: ${{ secrets.GITHUB_TOKEN }}
          args: ",
        "      - run: cargo clippy ",
    );
    assert_eq!(kinds_between(before, &after), (0, vec![]));
    // Without `-D warnings` the new step no longer runs what the action ran: a loss.
    let lint_gone = after.replace("-- -D warnings", "");
    assert_eq!(
        kinds_between(before, &lint_gone),
        (1, vec![("step-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_package_script_run_by_another_manager_and_a_binary_built_by_its_package_run_the_same() {
    let before = "on: [pull_request]
jobs:
  js:
    runs-on: ubuntu-latest
    steps:
      - run: yarn install --frozen-lockfile
      - run: yarn build
      - run: yarn test
      - name: audit the api
        working-directory: tooling/api
        run: yarn audit
  rust:
    runs-on: ubuntu-latest
    steps:
      - run: cargo build --locked --bin deno --bin denort
";
    let after = "on: [pull_request]
jobs:
  js:
    runs-on: ubuntu-latest
    steps:
      - run: pnpm i --frozen-lockfile
      - run: pnpm run build
      - run: npm test
      - run: pnpm audit
  rust:
    runs-on: ubuntu-latest
    steps:
      - run: cargo build --locked -p deno -p denort
";
    assert_eq!(kinds_between(before, after), (0, vec![]));
    // Another script, or a package that is not the binary's, runs something else.
    let (code, kinds) = kinds_between(
        before,
        &after
            .replace("pnpm run build", "pnpm run docs")
            .replace("-p denort", "-p test_server"),
    );
    assert_eq!(code, 1);
    assert_eq!(
        kinds,
        [
            ("step-removed".into(), "reduction".into()),
            ("command-narrowed".into(), "reduction".into())
        ]
    );
}

#[test]
fn path_filters_of_code_the_commit_moves_or_deletes_are_checked_against_its_files() {
    const TEST: &str = ".github/workflows/test-cli.yml";
    const CTA: &str = ".github/workflows/test-cta.yml";
    let test = "on:
  pull_request:
    paths:
      - 'tooling/cli.rs/**'
      - 'tooling/cli/templates/app'
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test
";
    let cta = "on:
  pull_request:
    paths:
      - 'tooling/create-tauri-app/**'
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
";
    let files = [
        (TEST, test),
        (CTA, cta),
        ("tooling/cli.rs/src/main.rs", "fn main() {}\n"),
        ("tooling/cli/templates/app/index.html", "<html></html>\n"),
        ("tooling/create-tauri-app/index.js", "console.log(1)\n"),
    ];
    // The folder renamed with its filter, `P` (a folder: no file is `P`) widened to `P/**`,
    // and a package deleted with the workflow that tested it: nothing checked is lost.
    let follow = |root: &Path| {
        git(root, &["mv", "tooling/cli.rs", "tooling/cli"]);
        let text = test
            .replace("tooling/cli.rs/**", "tooling/cli/**")
            .replace("templates/app'", "templates/app/**'");
        write(root, TEST, text);
        git(root, &["rm", "-rq", "tooling/create-tauri-app", CTA]);
    };
    assert_eq!(
        kinds_after(&files, follow),
        (
            0,
            vec![("unchecked-workflow-removed".into(), "review".into())]
        )
    );
    // The folder moved and its filter dropped, the workflow deleted while its code stays.
    let drop = |root: &Path| {
        git(root, &["mv", "tooling/cli.rs", "tooling/cli"]);
        write(
            root,
            TEST,
            test.replace("      - 'tooling/cli.rs/**'\n", ""),
        );
        git(root, &["rm", "-q", CTA]);
    };
    assert_eq!(
        kinds_after(&files, drop),
        (
            1,
            vec![
                ("trigger-narrowed".into(), "reduction".into()),
                ("workflow-removed".into(), "reduction".into())
            ]
        )
    );
}

#[test]
fn a_scheduled_workflow_covers_the_checks_it_runs() {
    let insights = "on:
  schedule:
    - cron: '0 9 * * 1-5'
  workflow_dispatch:
jobs:
  insights:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: deno -A tools/issue_pr_insights.ts
";
    let (code, report) = json_between(".github/workflows/insights.yml", insights, None);
    assert_eq!(code, 0);
    assert_eq!(
        changes_of(&report),
        [("unchecked-workflow-removed".into(), "review".into(), 1)]
    );
    // A nightly run of the tests is coverage, however rarely it runs.
    let nightly = insights.replace(
        "deno -A tools/issue_pr_insights.ts",
        "cargo test --workspace",
    );
    let (code, report) = json_between(".github/workflows/nightly.yml", &nightly, None);
    assert_eq!(code, 1);
    assert_eq!(
        changes_of(&report),
        [("workflow-removed".into(), "reduction".into(), 1)]
    );
}

#[test]
fn a_job_run_only_for_pushed_tags_gated_no_change() {
    let before = "on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
  deploy:
    needs: [test]
    if: \"always() && needs.test.result == 'success' && startsWith(github.ref, 'refs/tags/')\"
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
      - run: twine check dist/*
";
    let removed = "on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
";
    assert_eq!(
        kinds_between(before, removed),
        (0, vec![("unchecked-job-removed".into(), "review".into())])
    );
    // Run for the main branch too: it checked pushes.
    let on_main = before.replace(
        "startsWith(github.ref, 'refs/tags/')",
        "(github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/'))",
    );
    assert_eq!(
        kinds_between(&on_main, removed),
        (1, vec![("job-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_workflow_called_or_split_out_still_runs_on_the_events_it_lost() {
    const AUDIT: &str = ".github/workflows/audit.yml";
    const PR: &str = ".github/workflows/pr.yml";
    let audit = "name: Dependency audit
on:
  pull_request:
    types: [opened, synchronize]
    branches: [main]
jobs:
  audit:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo audit --deny warnings
";
    let pr = "on:
  pull_request:
jobs:
  fmt:
    runs-on: ubuntu-latest
    steps:
      - run: cargo fmt --check
";
    let reusable = audit.replace(
        "  pull_request:\n    types: [opened, synchronize]\n    branches: [main]\n",
        "  workflow_call:\n",
    );
    let files = [(AUDIT, audit), (PR, pr)];
    // Now called from the pull-request workflow: GitHub runs it on its caller's event.
    let called = |root: &Path| {
        write(root, AUDIT, &reusable);
        write(
            root,
            PR,
            format!("{pr}  audit:\n    uses: ./.github/workflows/audit.yml\n"),
        );
    };
    assert_eq!(kinds_after(&files, called), (0, vec![]));
    // Called only from a nightly workflow: pull requests no longer run it.
    let nightly = |root: &Path| {
        write(root, AUDIT, &reusable);
        write(
            root,
            ".github/workflows/nightly.yml",
            "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  audit:\n    uses: ./.github/workflows/audit.yml\n",
        );
    };
    assert_eq!(
        kinds_after(&files, nightly),
        (1, vec![("trigger-removed".into(), "reduction".into())])
    );

    // The same checks for one release branch split out into their own workflow.
    const RELEASE: &str = ".github/workflows/release.yml";
    let release = "on:
  push:
    branches: [v1]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo test --workspace
  publish:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: cargo publish
";
    let files = [(RELEASE, release)];
    let split = |root: &Path| {
        write(root, RELEASE, release.replace("[v1]", "[main]"));
        write(root, ".github/workflows/release-v1.yml", release);
    };
    assert_eq!(kinds_after(&files, split), (0, vec![]));
    // Split out without its tests: pushes to `v1` are no longer tested.
    let untested = |root: &Path| {
        write(root, RELEASE, release.replace("[v1]", "[main]"));
        write(
            root,
            ".github/workflows/release-v1.yml",
            release.replace("      - run: cargo test --workspace\n", ""),
        );
    };
    assert_eq!(
        kinds_after(&files, untested),
        (1, vec![("trigger-narrowed".into(), "reduction".into())])
    );
}

#[test]
fn a_workflow_of_publishers_removed_is_a_review() {
    let publish = "on:
  push:
    branches: [next]
jobs:
  version-or-publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo login ${{ secrets.CRATES_TOKEN }}
      - uses: example/release-bot@v2
        with:
          command: version-or-publish
";
    let (code, report) = json_between(".github/workflows/publish-next.yml", publish, None);
    assert_eq!(code, 0);
    assert_eq!(
        changes_of(&report),
        [("unchecked-workflow-removed".into(), "review".into(), 1)]
    );
    // A push workflow that also tests keeps its loss.
    let tested = publish.replace(
        "      - run: cargo login",
        "      - run: cargo test --workspace\n      - run: cargo login",
    );
    let (code, _) = json_between(".github/workflows/publish-next.yml", &tested, None);
    assert_eq!(code, 1);
}

#[test]
fn path_filters_of_code_a_github_only_history_cannot_see_are_reviews_unless_the_ci_still_names_it()
{
    // A history that keeps `.github` alone (a mirror of the CI folder): no revision says where
    // the code is, so a folder's filter dropped is decided from what the CI still names.
    const TEST: &str = ".github/workflows/test.yml";
    const DOCS: &str = ".github/workflows/docs.yml";
    let test = "on:
  pull_request:
    paths:
      - 'crates/cli-legacy/**'
      - 'crates/core/**'
      - 'templates/app'
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test --manifest-path crates/cli-legacy/Cargo.toml
      - run: cargo test --manifest-path crates/core/Cargo.toml
";
    let docs = "on:
  pull_request:
    paths:
      - 'site/**'
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: mdbook build
        working-directory: site
";
    let files = [(TEST, test), (DOCS, docs)];
    // The folder renamed everywhere the CI names it, `P` widened to `P/**`, and the docs
    // workflow deleted with the only mention of its folder: each a review, nothing fails.
    let renamed = |root: &Path| {
        write(
            root,
            TEST,
            test.replace("cli-legacy", "cli")
                .replace("'templates/app'", "'templates/app/**'"),
        );
        fs::remove_file(root.join(DOCS)).unwrap();
    };
    assert_eq!(
        kinds_after(&files, renamed),
        (
            0,
            vec![
                ("workflow-removed".into(), "review".into()),
                ("trigger-narrowed".into(), "review".into()),
                ("trigger-narrowed".into(), "review".into()),
            ]
        )
    );
    // A folder the CI still tests dropped from the filter: a loss, code or not.
    let dropped = |root: &Path| {
        write(root, TEST, test.replace("      - 'crates/core/**'\n", ""));
    };
    assert_eq!(
        kinds_after(&files, dropped),
        (1, vec![("trigger-narrowed".into(), "reduction".into())])
    );
    // The docs workflow deleted while another workflow still builds its folder: a loss.
    let still_named = |root: &Path| {
        fs::remove_file(root.join(DOCS)).unwrap();
        write(root, TEST, format!("{test}      - run: mdbook test site\n"));
    };
    assert_eq!(
        kinds_after(&files, still_named),
        (1, vec![("workflow-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_matrix_leg_of_a_cargo_feature_is_decided_by_the_manifests() {
    const CLIPPY: &str = ".github/workflows/clippy.yml";
    let clippy = "on: [pull_request]
jobs:
  clippy:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-24.04, macos-15]
        feature: [default, tray]
        include:
          - feature: default
            flags: ''
          - feature: tray
            flags: --features=tray
    steps:
      - run: cargo clippy --workspace ${{ matrix.flags }} -- -D warnings
";
    let one_leg = clippy.replace("[default, tray]", "[default]").replace(
        "          - feature: tray\n            flags: --features=tray\n",
        "",
    );
    let manifest = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[features]\ndefault = []\ntray = [\"dep:tray-icon\"]\n\n[dependencies]\ntray-icon = { version = \"0.19\", optional = true }\n";
    let files = [(CLIPPY, clippy), ("Cargo.toml", manifest)];
    // The feature deleted from the code with its legs: nothing the code has goes unchecked.
    let deleted = |root: &Path| {
        write(root, CLIPPY, &one_leg);
        write(
            root,
            "Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n",
        );
    };
    assert_eq!(kinds_after(&files, deleted), (0, vec![]));
    // The legs dropped while the code keeps the feature: two losses, one per platform.
    let kept = |root: &Path| {
        write(root, CLIPPY, &one_leg);
    };
    let lost = (
        "matrix-combination-removed".to_string(),
        "reduction".to_string(),
    );
    assert_eq!(kinds_after(&files, kept), (1, vec![lost.clone(), lost]));
    // A history of `.github` alone: no manifest to read. The CI passing the feature nowhere
    // any more is a review; still passing it elsewhere, the legs are a loss.
    let github_only = [(CLIPPY, clippy)];
    let undecided = (
        "matrix-combination-removed".to_string(),
        "review".to_string(),
    );
    assert_eq!(
        kinds_after(&github_only, kept),
        (0, vec![undecided.clone(), undecided])
    );
    let still_passed = |root: &Path| {
        write(
            root,
            CLIPPY,
            format!("{one_leg}      - run: cargo test --features tray\n"),
        );
    };
    assert_eq!(
        kinds_after(&github_only, still_passed),
        (
            1,
            vec![
                ("matrix-combination-removed".into(), "reduction".into()),
                ("matrix-combination-removed".into(), "reduction".into())
            ]
        )
    );
}

#[test]
fn a_job_run_only_for_pushed_refs_moves_to_a_workflow_run_on_those_pushes() {
    const CI_FILE: &str = ".github/workflows/ci.yml";
    const DOCS: &str = ".github/workflows/docs.yml";
    let docs_job = "  docs:
    needs: [test]
    if: needs.test.result == 'success' && (github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/'))
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: uv run pytest --doctest-glob='*.md' docs
      - run: uv run mike deploy --push dev
";
    let ci = format!(
        "on:\n  push:\n    branches: [main]\n    tags: ['**']\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uv run pytest\n{docs_job}"
    );
    let ci_without_docs = ci.replace(docs_job, "");
    let files = [(CI_FILE, ci.as_str())];
    // Its own workflow runs on the pushes the job ran for; it renamed the job and edited a step.
    let moved = |root: &Path| {
        write(root, CI_FILE, &ci_without_docs);
        write(
            root,
            DOCS,
            format!(
                "on:\n  push:\n    branches: [main]\n    tags: ['**']\njobs:\n{}",
                docs_job
                    .replace("  docs:\n    needs: [test]\n", "  publish:\n")
                    .replace("    if: needs.test.result == 'success' && ", "    if: ")
                    .replace("deploy --push dev", "deploy --push --update-aliases dev")
            ),
        );
    };
    // Its `if:` no longer waits for the tests: a review, not a loss.
    assert_eq!(
        kinds_after(&files, moved),
        (0, vec![("condition-changed".into(), "review".into())])
    );
    // Moved into a workflow run only by hand: pushes to main no longer build the docs.
    let by_hand = |root: &Path| {
        write(root, CI_FILE, &ci_without_docs);
        write(
            root,
            DOCS,
            format!("on:\n  workflow_dispatch:\njobs:\n{docs_job}")
                .replace("    needs: [test]\n", ""),
        );
    };
    assert_eq!(
        kinds_after(&files, by_hand),
        (1, vec![("job-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_check_replaced_by_a_make_target_or_script_the_revision_does_not_hold_is_a_review() {
    const LINT: &str = ".github/workflows/lint.yml";
    let lint = "on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make typecheck
      - name: Test in a virtualenv
        run: |
          cd virtualenv
          tox -e py312 -- -k integration
";
    let moved = lint
        .replace("make typecheck", "make test-typecheck")
        .replace(
            "        run: |\n          cd virtualenv\n          tox -e py312 -- -k integration\n",
            "        run: bash ci/test_virtualenv.sh\n",
        );
    let change = |root: &Path| {
        write(root, LINT, &moved);
    };
    // A history of `.github` alone: the Makefile and the script are not there to read.
    assert_eq!(
        kinds_after(&[(LINT, lint)], change),
        (
            0,
            vec![
                ("step-removed".into(), "review".into()),
                ("command-removed".into(), "review".into())
            ]
        )
    );
    // A checkout with its code: guard does not read Makefiles or scripts, the losses stand.
    let with_code = [(LINT, lint), ("Makefile", "typecheck:\n\tpyright\n")];
    assert_eq!(
        kinds_after(&with_code, change),
        (
            1,
            vec![
                ("step-removed".into(), "reduction".into()),
                ("command-removed".into(), "reduction".into())
            ]
        )
    );
}

#[test]
fn a_go_build_tag_dropped_is_undecided_without_the_code() {
    const GO: &str = ".github/workflows/go.yml";
    let go = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: go test -tags=slicelabels ./...
      - run: go vet -tags=slicelabels ./...
";
    let untagged = |root: &Path| {
        write(root, GO, go.replace(" -tags=slicelabels", ""));
    };
    let review = ("flag-removed".to_string(), "review".to_string());
    assert_eq!(
        kinds_after(&[(GO, go)], untagged),
        (0, vec![review.clone(), review])
    );
    // `go vet` still builds with the tag: `go test` without it is a loss.
    let test_untagged = |root: &Path| {
        write(root, GO, go.replace("go test -tags=slicelabels", "go test"));
    };
    assert_eq!(
        kinds_after(&[(GO, go)], test_untagged),
        (1, vec![("flag-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_step_that_built_another_repository_s_checkout_removed_is_a_review() {
    let bench = "on: [pull_request]
jobs:
  bench:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@v4
        with:
          repository: example/fast-core
          path: fast-core
      - name: build the core with debug symbols
        run: |
          pip install maturin
          cd fast-core && make build-prof
      - run: pytest benchmarks --codspeed
";
    let without = bench.replace(
        "      - name: build the core with debug symbols\n        run: |\n          pip install maturin\n          cd fast-core && make build-prof\n",
        "",
    );
    assert_eq!(
        kinds_between(bench, &without),
        (0, vec![("script-changed".into(), "review".into())])
    );
    // The same build in this repository's own folder is a check of this repository.
    let own = bench.replace(
        "cd fast-core && make build-prof",
        "cd core && make build-prof",
    );
    let own_without = own.replace(
        "      - name: build the core with debug symbols\n        run: |\n          pip install maturin\n          cd core && make build-prof\n",
        "",
    );
    assert_eq!(
        kinds_between(&own, &own_without),
        (1, vec![("step-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_build_warm_up_before_a_run_of_the_same_target_builds_nothing_more() {
    let before = "on: [pull_request]
jobs:
  examples:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Warm the build
        run: cargo build --example breakout --features ci_testing
      - name: Run example
        run: xvfb-run cargo run --example breakout --features ci_testing
";
    let without_warm_up = before.replace(
        "      - name: Warm the build\n        run: cargo build --example breakout --features ci_testing\n",
        "",
    );
    // `cargo run` builds the same example with the same features before running it.
    assert_eq!(kinds_between(before, &without_warm_up), (0, vec![]));
    // The run takes the example from a loop: it may build the one the warm-up built.
    let looped = without_warm_up.replace(
        "run: xvfb-run cargo run --example breakout --features ci_testing",
        "run: |\n          for name in breakout alien; do\n            cargo run --example $name --features ci_testing\n          done",
    );
    assert_eq!(
        kinds_between(before, &looped),
        (0, vec![("script-changed".into(), "review".into())])
    );
    // The run builds another example, or without the feature: what the warm-up built is gone.
    for other in [
        "--example alien --features ci_testing",
        "--example breakout",
    ] {
        let narrower = without_warm_up.replace("--example breakout --features ci_testing", other);
        assert_eq!(kinds_between(before, &narrower).0, 1, "{other}");
    }
}

#[test]
fn a_build_of_one_binary_is_covered_by_a_build_of_all_targets_in_another_profile() {
    let before = "on: [pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: cargo build --release --locked --all-targets
      - name: Build the runtime slim
        run: cargo build --profile=release-slim --locked --bin runtime
";
    let reverted = before.replace(
        "      - name: Build the runtime slim\n        run: cargo build --profile=release-slim --locked --bin runtime\n",
        "",
    );
    assert_eq!(kinds_between(before, &reverted), (0, vec![]));
    // Building only the library no longer builds the binary.
    let lib_only = reverted.replace("--all-targets", "--lib");
    assert_eq!(kinds_between(before, &lib_only).0, 1);
}

#[test]
fn a_powershell_cmdlet_named_test_is_no_check() {
    let step = "      - name: Hide extra Pythons
        shell: pwsh
        run: |
          $env:PATH -split \";\" |
            Where-Object { Test-Path \"$_\\python.exe\" } |
            Select-Object -Skip 1 |
            ForEach-Object { Move-Item \"$_\" \"$_.disabled\" }
";
    let before = format!(
        "on: [pull_request]
jobs:
  build:
    runs-on: windows-latest
    steps:
{step}      - run: cargo test --workspace
"
    );
    let after = before.replace(step, "");
    // A script guard cannot read: to review, not a loss.
    assert_eq!(
        kinds_between(&before, &after),
        (0, vec![("script-changed".into(), "review".into())])
    );
    // A script named for a check is still one.
    let script = before.replace(step, "      - run: ./Run-Tests.ps1\n");
    assert_eq!(
        kinds_between(&script, &after),
        (1, vec![("step-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_job_that_publishes_loses_no_check_by_its_builds_or_masks() {
    let before = "on:
  push:
    tags: ['v*']
  pull_request:
jobs:
  release:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-11-arm]
    steps:
      - uses: actions/checkout@v4
      - name: Package
        if: matrix.os != 'windows-11-arm'
        run: ./scripts/package.sh
      - name: Build for ARM64
        if: matrix.os == 'windows-11-arm'
        run: |
          cargo build --release --target aarch64-pc-windows-msvc
          ./scripts/package.sh
      - name: Compare versions
        run: ./scripts/newer_than_latest.sh && ./scripts/upload.sh
      - uses: softprops/action-gh-release@v2
        with:
          files: dist/*
";
    // The packaging script now runs on every leg; the version comparison may fail.
    let after = before
        .replace("        if: matrix.os != 'windows-11-arm'\n", "")
        .replace(
            "      - name: Build for ARM64
        if: matrix.os == 'windows-11-arm'
        run: |
          cargo build --release --target aarch64-pc-windows-msvc
          ./scripts/package.sh
",
            "",
        )
        .replace(
            "./scripts/newer_than_latest.sh && ",
            "(./scripts/newer_than_latest.sh || exit 0) && ",
        );
    assert_eq!(
        kinds_between(before, &after),
        (
            0,
            vec![
                ("script-changed".into(), "review".into()),
                ("script-changed".into(), "review".into())
            ]
        )
    );
    // The same in a job that also tests: the build and the mask are losses.
    let tested = before.replace(
        "      - uses: softprops",
        "      - run: cargo test --workspace\n      - uses: softprops",
    );
    let tested_after = after.replace(
        "      - uses: softprops",
        "      - run: cargo test --workspace\n      - uses: softprops",
    );
    let (code, kinds) = kinds_between(&tested, &tested_after);
    assert_eq!(code, 1);
    assert!(kinds.contains(&("step-removed".into(), "reduction".into())));
    assert!(kinds.contains(&("failure-masked".into(), "reduction".into())));
}

#[test]
fn a_check_known_by_name_replaced_in_place_by_another_is_a_review() {
    let before = "on: [pull_request]
jobs:
  package:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install build
      - name: check tag
        run: ./tests/check_tag.py
      - run: python -m build
";
    let replaced = before.replace(
        "      - name: check tag\n        run: ./tests/check_tag.py\n",
        "      - name: tag matches the version\n        uses: example/check-python-version@v3\n        with:\n          version_file_path: pkg/version.py\n",
    );
    assert_eq!(
        kinds_between(before, &replaced),
        (0, vec![("script-changed".into(), "review".into())])
    );
    // Removed with nothing in its place: a loss.
    let removed = before.replace(
        "      - name: check tag\n        run: ./tests/check_tag.py\n",
        "",
    );
    assert_eq!(
        kinds_between(before, &removed),
        (1, vec![("step-removed".into(), "reduction".into())])
    );
    // A known check replaced by a step named for one is still compared by what it ran.
    let known = before.replace("./tests/check_tag.py", "pytest tests/test_tag.py");
    assert_eq!(kinds_between(&known, &replaced).0, 1);
}

#[test]
fn a_profile_setting_moved_from_the_command_line_into_a_profile_is_a_review() {
    let before = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: |
          cargo nextest run \\
            --cargo-profile ci \\
            --config 'profile.ci.panic=\"abort\"' \\
            --workspace
";
    let profile = before
        .replace("--cargo-profile ci \\", "--cargo-profile ci-abort \\")
        .replace("            --config 'profile.ci.panic=\"abort\"' \\\n", "");
    // The new profile is defined in Cargo.toml, which may set `panic = \"abort\"`.
    let (code, report) = json_between(".github/workflows/checks.yml", before, Some(&profile));
    assert_eq!(code, 0);
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "script-changed");
    let message = changes[0]["message"].as_str().unwrap();
    assert!(
        message.contains("profile.ci.panic=\"abort\"") && message.contains("`ci-abort`"),
        "{message}"
    );
    // Dropped while building with the same profile: the setting is gone.
    let dropped = before.replace("            --config 'profile.ci.panic=\"abort\"' \\\n", "");
    assert_eq!(
        kinds_between(before, &dropped),
        (1, vec![("flag-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_leg_whose_interpreters_another_leg_builds_is_no_loss() {
    let matrix = |legs: &str| {
        format!(
            "on: [pull_request]
jobs:
  wheels:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        include:
{legs}    steps:
      - run: maturin build --release --target ${{{{ matrix.target }}}} --interpreter ${{{{ matrix.interpreter }}}}
"
        )
    };
    let both = "          - target: x86_64
            interpreter: pypy3.11 graalpy3.11 graalpy3.12
          - target: x86_64
            interpreter: graalpy3.11 graalpy3.12
";
    let one = "          - target: x86_64
            interpreter: pypy3.11 graalpy3.11 graalpy3.12
";
    // The duplicate leg's interpreters are all built by the other leg.
    assert_eq!(kinds_between(&matrix(both), &matrix(one)), (0, vec![]));
    // Dropping the wider leg loses pypy3.11.
    let narrower = "          - target: x86_64
            interpreter: graalpy3.11 graalpy3.12
";
    assert_eq!(kinds_between(&matrix(both), &matrix(narrower)).0, 1);
}

#[test]
fn a_check_moved_to_another_job_or_workflow_still_runs_where_it_ran() {
    const CI: &str = ".github/workflows/ci.yml";
    // One matrix job builds and tests on three systems, and lints on two of them.
    let ci = "name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  build:
    if: ${{ !contains(github.event.head_commit.message, '[skip build]') }}
    runs-on: ${{ matrix.runner }}
    strategy:
      matrix:
        include:
          - { os: linux, runner: ubuntu-24.04, task: test }
          - { os: macos, runner: macos-15, task: test }
          - { os: windows, runner: windows-2025, task: test }
          - { os: linux, runner: ubuntu-24.04, task: lint }
          - { os: macos, runner: macos-15, task: lint }
    steps:
      - uses: actions/checkout@v4
      - name: Build
        if: matrix.task == 'test'
        run: cargo build --locked --all-targets
      - name: Test
        if: matrix.task == 'test'
        run: cargo test --locked
      - name: Clippy
        if: matrix.task == 'lint'
        run: cargo clippy --all-targets -- -D warnings
      - name: Format
        if: matrix.task == 'lint' && matrix.os == 'linux'
        run: cargo fmt --all --check
      - name: Commit messages
        if: matrix.task == 'lint' && github.event_name == 'pull_request'
        run: python3 ./scripts/check_commits.py --base origin/main
";
    let lint_job = |legs: &str| {
        format!(
            "  lint:
    if: ${{{{ !contains(github.event.head_commit.message, '[skip build]') }}}}
    runs-on: ${{{{ matrix.runner }}}}
    strategy:
      matrix:
        include:
{legs}    steps:
      - uses: actions/checkout@v4
      - run: cargo clippy --all-targets -- -D warnings
      - if: matrix.os == 'linux'
        run: cargo fmt --all --check
      - if: github.event_name == 'pull_request'
        run: python3 ./scripts/check_commits.py --base origin/main
"
        )
    };
    let both = "          - { os: linux, runner: ubuntu-24.04 }\n          - { os: macos, runner: macos-15 }\n";
    let without_lint_legs = ci
        .replace(
            "          - { os: linux, runner: ubuntu-24.04, task: lint }\n",
            "",
        )
        .replace(
            "          - { os: macos, runner: macos-15, task: lint }\n",
            "",
        );
    let files = [(CI, ci)];

    // The lint legs move out of the matrix into their own job, same legs, same gate.
    let split = |root: &Path| {
        write(root, CI, format!("{without_lint_legs}{}", lint_job(both)));
    };
    assert_eq!(kinds_after(&files, split), (0, vec![]));

    // The new job lints on Linux only: the macOS lint leg is lost, and said so.
    let linux_only = |root: &Path| {
        write(
            root,
            CI,
            format!(
                "{without_lint_legs}{}",
                lint_job("          - { os: linux, runner: ubuntu-24.04 }\n")
            ),
        );
    };
    let (code, report) = report_after(&files, linux_only);
    assert_eq!(code, 1);
    let lost: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "reduction")
        .map(|c| c["subject"].as_str().unwrap())
        .collect();
    assert_eq!(lost, ["os: macos, runner: macos-15, task: lint"]);

    // A gate the old job did not have (`github.repository == …`, unknown here) may keep the new
    // job from running: the legs are lost.
    let gated = |root: &Path| {
        write(
            root,
            CI,
            format!("{without_lint_legs}{}", lint_job(both)).replace(
                "    if: ${{ !contains(github.event.head_commit.message, '[skip build]') }}\n    runs-on: ${{ matrix.runner }}\n    strategy:\n      matrix:\n        include:\n          - { os: linux, runner: ubuntu-24.04 }",
                "    if: github.repository == 'acme/widgets'\n    runs-on: ${{ matrix.runner }}\n    strategy:\n      matrix:\n        include:\n          - { os: linux, runner: ubuntu-24.04 }",
            ),
        );
    };
    assert_eq!(
        kinds_after(&files, gated),
        (
            1,
            vec![
                ("matrix-combination-removed".into(), "reduction".into()),
                ("matrix-combination-removed".into(), "reduction".into())
            ]
        )
    );
}

#[test]
fn matrix_legs_folded_into_one_job_lose_the_versions_they_ran_with() {
    const TYPES: &str = ".github/workflows/types.yml";
    let types = "on: [push, pull_request]
jobs:
  typecheck:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        include:
          - { python: '3.11', mypy: 1.10.1 }
          - { python: '3.12', mypy: 1.11.2 }
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: pip install mypy==${{ matrix.mypy }}
      - run: mypy src
";
    // One job with the latest mypy: the command still runs (through `python -m`), but not with
    // the versions the legs set up. The 3.12 leg's values were its job's usual ones and count as
    // kept (and the Python bump is a review); the 3.11 leg is lost.
    let folded = |root: &Path| {
        write(
            root,
            TYPES,
            "on: [push, pull_request]
jobs:
  typecheck:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.13'
      - run: pip install mypy
      - run: python -m mypy src
",
        );
    };
    assert_eq!(
        kinds_after(&[(TYPES, types)], folded),
        (
            1,
            vec![
                ("matrix-combination-removed".into(), "reduction".into()),
                ("version-loosened".into(), "review".into())
            ]
        )
    );
}

#[test]
fn a_pull_request_check_moved_to_its_own_workflow_is_compared_by_events_and_activity_types() {
    const CI: &str = ".github/workflows/ci.yml";
    const TITLE: &str = ".github/workflows/pr-title.yml";
    let ci = "on:
  push:
    branches: [main]
  pull_request:
jobs:
  check:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm test
      - name: PR title
        if: github.event_name == 'pull_request'
        env:
          TITLE: ${{ github.event.pull_request.title }}
        run: node ./scripts/lint-title.mjs \"$TITLE\"
";
    let without_step = ci
        .split("      - name: PR title")
        .next()
        .unwrap()
        .to_string();
    let title_workflow = |on: &str, run: &str| {
        format!(
            "on:
{on}jobs:
  title:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
      - env:
          TITLE: ${{{{ github.event.pull_request.title }}}}
          HEAD: ${{{{ github.event.pull_request.head.sha }}}}
        run: {run}
"
        )
    };
    let fetched = "node https://raw.githubusercontent.com/acme/widgets/$HEAD/scripts/lint-title.mjs \"$TITLE\"";
    let files = [(CI, ci)];

    // Moved to a workflow run for every pull request (the base branch's copy of the workflow),
    // the script fetched from the pull request's commit: it still runs.
    let moved = |root: &Path| {
        write(root, CI, &without_step);
        write(
            root,
            TITLE,
            title_workflow("  pull_request_target:\n", fetched),
        );
    };
    assert_eq!(kinds_after(&files, moved), (0, vec![]));

    // Run for fewer activity types: no longer when a pull request is reopened. A review that
    // names the new place and the types it lost.
    let fewer_types = |root: &Path| {
        write(root, CI, &without_step);
        write(
            root,
            TITLE,
            title_workflow(
                "  pull_request_target:\n    types: [opened, edited, synchronize]\n",
                fetched,
            ),
        );
    };
    let (code, report) = report_after(&files, fewer_types);
    assert_eq!(code, 0);
    let change = &report["changes"][0];
    assert_eq!(change["kind"], "step-removed");
    assert_eq!(change["severity"], "review");
    assert_eq!(change["before"]["line"], 12);
    assert_eq!(change["after"]["path"], TITLE);
    assert_eq!(change["after"]["line"], 9);
    let message = change["message"].as_str().unwrap();
    assert!(
        message.contains("job `title` of .github/workflows/pr-title.yml")
            && message.contains("`reopened`"),
        "{message}"
    );

    // Moved to a workflow run only for pushes to main: pull requests no longer run it.
    let pushes_only = |root: &Path| {
        write(root, CI, &without_step);
        write(
            root,
            TITLE,
            title_workflow("  push:\n    branches: [main]\n", fetched),
        );
    };
    assert_eq!(
        kinds_after(&files, pushes_only),
        (1, vec![("step-removed".into(), "reduction".into())])
    );

    // Moved, but to Windows: not where it ran.
    let windows = |root: &Path| {
        write(root, CI, &without_step);
        write(
            root,
            TITLE,
            title_workflow("  pull_request:\n", fetched).replace("ubuntu-latest", "windows-latest"),
        );
    };
    assert_eq!(
        kinds_after(&files, windows),
        (1, vec![("step-removed".into(), "reduction".into())])
    );

    // Another workflow already ran the same command before: it runs it with its own settings
    // (another Node, other variables), so the step removed here is still lost.
    let duplicate = title_workflow(
        "  pull_request:\n",
        "node ./scripts/lint-title.mjs \"$TITLE\"",
    );
    let files = [(CI, ci), (TITLE, duplicate.as_str())];
    let removed = |root: &Path| {
        write(root, CI, &without_step);
    };
    assert_eq!(
        kinds_after(&files, removed),
        (1, vec![("step-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_job_checking_through_entry_points_replaced_in_the_needs_of_its_gate_is_a_review() {
    const CI: &str = ".github/workflows/ci.yml";
    let ci = "on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo test
  wasm:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: mymindstorm/setup-emsdk@v14
      - run: make build-wasm
      - run: npm ci
      - run: npm run test
  all-green:
    needs: [test, wasm]
    runs-on: ubuntu-latest
    steps:
      - run: echo ok
";
    let replaced = |successor: &str, needs: &str| {
        ci.replace(
            "  wasm:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: mymindstorm/setup-emsdk@v14\n      - run: make build-wasm\n      - run: npm ci\n      - run: npm run test\n",
            &format!(
                "  {successor}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: PyO3/maturin-action@v1\n        with:\n          target: wasm32-unknown-emscripten\n          args: --release --out dist\n"
            ),
        )
        .replace("needs: [test, wasm]", needs)
    };
    let files = [(CI, ci)];
    // Without the code, what `make build-wasm` and the `test` script ran is unknown: the job
    // the gate now waits for may run as much. A review naming both jobs and the entry points.
    let renamed = |root: &Path| {
        write(
            root,
            CI,
            replaced("wasm-pyodide", "needs: [test, wasm-pyodide]"),
        );
    };
    let (code, report) = report_after(&files, renamed);
    assert_eq!(code, 0);
    let change = &report["changes"][0];
    assert_eq!(change["kind"], "job-removed");
    assert_eq!(change["severity"], "review");
    assert_eq!(change["before"]["line"], 8);
    assert_eq!(change["after"]["line"], 8);
    let message = change["message"].as_str().unwrap();
    assert!(
        message.contains("`wasm-pyodide`") && message.contains("`make build-wasm`, `npm run test`"),
        "{message}"
    );
    // Nothing waits for the new job: no sign it took the old one's place, the loss stands.
    let dropped = |root: &Path| {
        write(root, CI, replaced("wasm-pyodide", "needs: [test]"));
    };
    assert_eq!(
        kinds_after(&files, dropped),
        (1, vec![("job-removed".into(), "reduction".into())])
    );
    // With the code at hand, the loss stands too (guard does not read Makefiles).
    let with_code = |root: &Path| {
        write(
            root,
            CI,
            replaced("wasm-pyodide", "needs: [test, wasm-pyodide]"),
        );
        write(
            root,
            "Makefile",
            "build-wasm:\n\tmaturin build --target wasm32-unknown-emscripten\n",
        );
    };
    assert_eq!(
        kinds_after(&files, with_code),
        (1, vec![("job-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_command_its_tool_rejects_or_a_report_of_it_checks_nothing() {
    let vet = |command: &str| {
        format!(
            "on: [pull_request]
jobs:
  supply-chain:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo install --locked cargo-vet
      - name: audit dependencies
        run: {command}
"
        )
    };
    // `suggestions` is no subcommand of cargo-vet: the old step failed before checking
    // anything, and `cargo vet suggest` prints suggestions.
    assert_eq!(
        kinds_between(
            &vet("cargo vet --locked suggestions"),
            &vet("cargo vet suggest")
        ),
        (0, vec![])
    );
    // The check itself (`cargo vet` runs `check`) replaced by the report is a loss.
    let (code, report) = json_between(
        ".github/workflows/checks.yml",
        &vet("cargo vet --locked"),
        Some(&vet("cargo vet suggest")),
    );
    assert_eq!(code, 1);
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "command-removed");
    assert_eq!(changes[0]["before"]["line"], 9);
    assert_eq!(changes[0]["before"]["column"], 14);
    let message = changes[0]["message"].as_str().unwrap();
    assert!(message.contains("`cargo vet --locked`"), "{message}");
}

#[test]
fn a_cache_of_files_only_removed_steps_used_goes_with_them() {
    let before = "on:
  pull_request:
  push:
    branches: [main]
jobs:
  licenses:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: restore the dependency list of main
        uses: actions/cache/restore@v4
        with:
          path: deps-of-main.txt
          key: deps-of-main
      - name: compare the dependency list with main
        continue-on-error: true
        run: npm ls --all | diff deps-of-main.txt -
      - name: write the dependency list
        if: github.ref == 'refs/heads/main'
        run: npm ls --all > ./deps-of-main.txt
      - name: keep the dependency list for pull requests
        if: github.ref == 'refs/heads/main'
        uses: actions/cache/save@v4
        with:
          path: deps-of-main.txt
          key: deps-of-main
      - run: npx license-checker --failOn GPL
";
    let after = "on:
  pull_request:
  push:
    branches: [main]
jobs:
  licenses:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npx license-checker --failOn GPL
";
    // The cached list served only the removed comparison: no cache finding of its own.
    let (code, report) = json_between(".github/workflows/checks.yml", before, Some(after));
    assert_eq!(code, 0, "{report}");
    assert!(
        changes_of(&report)
            .iter()
            .all(|(kind, severity, _)| kind != "cache-removed" && severity == "review"),
        "{report}"
    );
    // A cache of what the tools read themselves (npm's own cache) removed with those steps
    // is still a loss, named at the removed cache step.
    let npm_cache = before.replace(
        "path: deps-of-main.txt\n          key: deps-of-main\n      - run: npx",
        "path: ~/.npm\n          key: npm\n      - run: npx",
    );
    assert_ne!(npm_cache, before);
    let (code, report) = json_between(".github/workflows/checks.yml", &npm_cache, Some(after));
    assert_eq!(code, 1);
    let lost: Vec<_> = changes_of(&report)
        .into_iter()
        .filter(|(_, severity, _)| severity == "reduction")
        .collect();
    assert_eq!(lost, [("cache-removed".into(), "reduction".into(), 21)]);
}

#[test]
fn a_job_run_only_after_a_publish_removed_is_a_review() {
    let release = |docs_condition: &str| {
        format!(
            "on:
  push:
    branches: [main]
jobs:
  release:
    runs-on: ubuntu-latest
    outputs:
      released: ${{{{ steps.gh.outputs.id != '' }}}}
    steps:
      - uses: actions/checkout@v4
      - run: cargo build --release
      - id: gh
        uses: softprops/action-gh-release@v2
        with:
          files: target/release/tool
  docs:
    needs: release
    if: {docs_condition}
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo doc --no-deps
      - run: ./scripts/push-docs.sh target/doc
"
        )
    };
    let without_docs = |docs_condition: &str| {
        let text = release(docs_condition);
        text[..text.find("  docs:").unwrap()].to_string()
    };
    // Run only once the release job published: it gated no change.
    let published = "needs.release.outputs.released == 'true'";
    let (code, report) = json_between(
        ".github/workflows/release.yml",
        &release(published),
        Some(&without_docs(published)),
    );
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        changes_of(&report),
        [("unchecked-job-removed".into(), "review".into(), 16)]
    );
    let message = report["changes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("after job `release` published"),
        "{message}"
    );
    // Run after the release job whatever it did: its doc build gated every push.
    let always = "always()";
    let (code, report) = json_between(
        ".github/workflows/release.yml",
        &release(always),
        Some(&without_docs(always)),
    );
    assert_eq!(code, 1);
    assert_eq!(
        changes_of(&report),
        [("job-removed".into(), "reduction".into(), 16)]
    );
}

#[test]
fn a_step_that_worked_in_a_folder_the_commit_deletes_goes_with_it() {
    const WORKFLOW: &str = ".github/workflows/js.yml";
    let before = "on: [pull_request]
jobs:
  js:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: yarn install --frozen-lockfile
        working-directory: packages/legacy-cli
      - name: build the legacy cli
        run: yarn build
        working-directory: ./packages/legacy-cli
      - run: yarn test
";
    let after = before.replace(
        "      - run: yarn install --frozen-lockfile
        working-directory: packages/legacy-cli
      - name: build the legacy cli
        run: yarn build
        working-directory: ./packages/legacy-cli
",
        "",
    );
    // A repository with its code: the commit deletes the folder (or keeps it).
    let with_code = |delete_folder: bool| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        write(root, WORKFLOW, before);
        write(
            root,
            "package.json",
            "{\"scripts\": {\"test\": \"jest\"}}\n",
        );
        write(
            root,
            "packages/legacy-cli/package.json",
            "{\"scripts\": {\"build\": \"tsc\"}}\n",
        );
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "base"]);
        write(root, WORKFLOW, &after);
        if delete_folder {
            git(root, &["rm", "-rq", "packages/legacy-cli"]);
        }
        git(root, &["commit", "-qam", "drop the legacy cli"]);
        let (code, report) = json_of_last_commit(root);
        (code, changes_of(&report))
    };
    // Deleted with its code: nothing was left to build.
    assert_eq!(with_code(true), (0, vec![]));
    // The folder stays: its build no longer runs.
    assert_eq!(
        with_code(false),
        (1, vec![("step-removed".into(), "reduction".into(), 9)])
    );
    // A history of `.github` alone, and the new CI names the folder nowhere: a review.
    let (code, report) = json_between(WORKFLOW, before, Some(&after));
    assert_eq!(code, 0);
    assert_eq!(
        changes_of(&report),
        [("step-removed".into(), "review".into(), 9)]
    );
    let message = report["changes"][0]["message"].as_str().unwrap();
    assert!(message.contains("`./packages/legacy-cli`"), "{message}");
    // Still named by the new CI (a job still lints it): the build's removal is a loss.
    let named = after.replace(
        "      - run: yarn test\n",
        "      - run: yarn test\n      - run: yarn lint\n        working-directory: packages/legacy-cli\n",
    );
    assert_eq!(kinds_between(before, &named).0, 1);
}

#[test]
fn a_move_to_another_package_manager_is_compared_by_lockfiles_and_script_bodies() {
    const WORKFLOW: &str = ".github/workflows/js.yml";
    let before = "on:
  pull_request:
    paths: ['**/package.json', '**/yarn.lock', 'packages/**']
jobs:
  lint-api:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: yarn install --frozen-lockfile
        working-directory: packages/api
      - run: yarn lint
        working-directory: packages/api
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: yarn install --frozen-lockfile
      - run: yarn test
";
    let after = "on:
  pull_request:
    paths: ['**/package.json', '**/pnpm-lock.yaml', 'packages/**']
jobs:
  eslint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pnpm install --frozen-lockfile
      - run: pnpm eslint:check
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pnpm install --frozen-lockfile
      - run: pnpm test
";
    // A repository with its code: the migration replaces the lockfile, and the api package's
    // `lint` becomes `eslint:check`, run for every package from the root. `new_lint` is the
    // body of the api package's new script.
    let migrated = |new_lint: &str| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        write(root, WORKFLOW, before);
        write(
            root,
            "package.json",
            "{\"scripts\": {\"test\": \"vitest run\"}}\n",
        );
        write(root, "yarn.lock", "# yarn lockfile v1\n");
        write(
            root,
            "packages/api/package.json",
            "{\"scripts\": {\"lint\": \"eslint --ext ts src\"}}\n",
        );
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "base"]);
        write(root, WORKFLOW, after);
        git(root, &["rm", "-q", "yarn.lock"]);
        write(root, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
        write(
            root,
            "package.json",
            "{\"scripts\": {\"test\": \"vitest run\", \"eslint:check\": \"pnpm -r eslint:check\"}}\n",
        );
        write(
            root,
            "packages/api/package.json",
            format!("{{\"scripts\": {{\"eslint:check\": \"{new_lint}\"}}}}\n"),
        );
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "move to pnpm"]);
        let (code, report) = json_of_last_commit(root);
        let lost: Vec<(String, String, u64)> = changes_of(&report)
            .into_iter()
            .filter(|(_, severity, _)| severity == "reduction")
            .collect();
        (code, lost)
    };
    // The new script still runs eslint: nothing lost; yarn.lock is deleted with the move.
    assert_eq!(migrated("eslint src"), (0, vec![]));
    // The new script runs another tool: the lint job is lost, named at its old line.
    assert_eq!(
        migrated("prettier --check src"),
        (1, vec![("job-removed".into(), "reduction".into(), 5)])
    );
    // A history of `.github` alone: both are reviews naming what changed.
    let (code, report) = json_between(WORKFLOW, before, Some(after));
    assert_eq!(code, 0, "{report}");
    let changes = report["changes"].as_array().unwrap();
    let message_of = |kind: &str| {
        changes
            .iter()
            .find(|c| c["kind"] == kind)
            .map(|c| c["message"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(
        message_of("trigger-narrowed").contains("lockfile of another package manager"),
        "{report}"
    );
    let removed = message_of("job-removed");
    assert!(
        removed.contains("(`lint`)") && removed.contains("(`eslint:check`)"),
        "{removed}"
    );
}

#[test]
fn a_workflow_run_for_another_branch_s_pushes_removed_is_a_review() {
    let release = |branch: &str| {
        format!(
            "on:
  push:
    branches: [{branch}]
  workflow_dispatch:
jobs:
  integration:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: run the integration tests
        run: cargo test --test '*' -- --ignored
  publish:
    needs: integration
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo publish
"
        )
    };
    // The `v1` copy removed, the `main` one kept: pushes to `v1` run `v1`'s own copy.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, ".github/workflows/release.yml", release("main"));
    write(root, ".github/workflows/release-v1.yml", release("v1"));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["rm", "-q", ".github/workflows/release-v1.yml"]);
    git(
        root,
        &["commit", "-qm", "the v1 release workflow lives on v1"],
    );
    let (code, report) = json_of_last_commit(root);
    assert_eq!(code, 0);
    assert_eq!(
        changes_of(&report),
        [("workflow-removed".into(), "review".into(), 1)]
    );
    let message = report["changes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("pushes to `v1`") && message.contains("release.yml (pushes to `main`)"),
        "{message}"
    );
    // With nothing else running its tests, the workflow's removal is a loss.
    let (code, report) = json_between(".github/workflows/release-v1.yml", &release("v1"), None);
    assert_eq!(code, 1);
    assert_eq!(
        changes_of(&report),
        [("workflow-removed".into(), "reduction".into(), 1)]
    );
}

#[test]
fn a_check_the_toolchain_now_runs_in_every_build_removed_is_a_review() {
    let workflow = |toolchain: &str, cfg_job: &str| {
        format!(
            "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@{toolchain}
      - run: cargo test --workspace
{cfg_job}"
        )
    };
    let cfg_job = "  cfg:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@nightly
      - run: cargo check --workspace -Zcheck-cfg
";
    // Cargo checks cfgs in every build from 1.80: the stable test build still checks them.
    let (code, report) = json_between(
        ".github/workflows/checks.yml",
        &workflow("stable", cfg_job),
        Some(&workflow("stable", "")),
    );
    assert_eq!(code, 0);
    assert_eq!(
        changes_of(&report),
        [("job-removed".into(), "review".into(), 9)]
    );
    let message = report["changes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("job `test` runs `cargo test --workspace` on `stable`"),
        "{message}"
    );
    // The remaining build is pinned before 1.80: nothing checks cfgs any more.
    assert_eq!(
        kinds_between(&workflow("1.75.0", cfg_job), &workflow("1.75.0", "")),
        (1, vec![("job-removed".into(), "reduction".into())])
    );
}

#[test]
fn a_workspace_test_split_into_one_run_per_package_is_decided_by_the_union_of_the_runs() {
    const TEST: &str = ".github/workflows/test.yml";
    let whole = "name: test
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-24.04, macos-14]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
      - name: Test
        run: cargo test --workspace --locked --exclude xtask
";
    // One leg per package and platform, each run with the same flags.
    let per_package = |crates: &str, exclude: &str| {
        format!(
            "name: test
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    name: test ${{{{ matrix.crate }}}} on ${{{{ matrix.os }}}}
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-24.04, macos-14]
        crate: [{crates}]
{exclude}    runs-on: ${{{{ matrix.os }}}}
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
      - name: Test ${{{{ matrix.crate }}}}
        run: cargo test --locked -p ${{{{ matrix.crate }}}}
"
        )
    };
    let workspace = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\", \"xtask\"]\nresolver = \"2\"\n",
        ),
        (
            "crates/server/Cargo.toml",
            "[package]\nname = \"server\"\nversion = \"0.1.0\"\n",
        ),
        (
            "crates/client/Cargo.toml",
            "[package]\nname = \"client\"\nversion = \"0.1.0\"\n",
        ),
        (
            "crates/proto/Cargo.toml",
            "[package]\nname = \"proto\"\nversion = \"0.1.0\"\n",
        ),
        (
            "xtask/Cargo.toml",
            "[package]\nname = \"xtask\"\nversion = \"0.1.0\"\n",
        ),
    ];
    let with_code: Vec<(&str, &str)> = std::iter::once((TEST, whole))
        .chain(workspace.iter().copied())
        .collect();
    let split = |crates: &'static str, exclude: &'static str| {
        let text = per_package(crates, exclude);
        move |root: &Path| {
            write(root, TEST, &text);
        }
    };
    // Every member but the excluded one runs, on both platforms: nothing lost.
    let (code, report) = report_after(&with_code, split("server, client, proto", ""));
    assert_eq!((code, changes_of(&report)), (0, vec![]), "{report:#}");

    // One member left out: a loss naming it, where the whole run was and where the runs are.
    let (code, report) = report_after(&with_code, split("server, client", ""));
    assert_eq!(code, 1, "{report:#}");
    let lost: Vec<&serde_json::Value> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "reduction")
        .collect();
    assert_eq!(lost.len(), 1, "{report:#}");
    assert_eq!(lost[0]["kind"], "command-narrowed");
    assert_eq!(lost[0]["subject"], "proto");
    let message = lost[0]["message"].as_str().unwrap();
    assert!(
        message.contains("no longer runs for `proto` on `macos-14`; `proto` on `ubuntu-24.04`"),
        "{message}"
    );
    assert_eq!(lost[0]["before"]["path"], TEST);
    assert_eq!(
        (
            lost[0]["before"]["line"].as_u64(),
            lost[0]["before"]["column"].as_u64()
        ),
        (Some(16), Some(14))
    );
    assert_eq!(lost[0]["after"]["path"], TEST);
    assert!(lost[0]["after"]["line"].as_u64().is_some());

    // A package still tested on Linux but no longer on macOS is lost on macOS.
    let exclude = "        exclude:\n          - os: macos-14\n            crate: proto\n";
    let (code, report) = report_after(&with_code, split("server, client, proto", exclude));
    assert_eq!(code, 1, "{report:#}");
    let message = report["changes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("no longer runs for `proto` on `macos-14`:"),
        "{message}"
    );

    // A history of `.github` alone: the workspace's members are not known. The runs cover
    // every package the CI names, so whether one is left out is for a person: a review.
    let github_only = [(TEST, whole)];
    let (code, report) = report_after(&github_only, split("server, client, proto", ""));
    assert_eq!(code, 0, "{report:#}");
    let kinds = changes_of(&report);
    assert!(
        kinds
            .iter()
            .all(|(kind, severity, _)| kind == "command-narrowed" && severity == "review"),
        "{report:#}"
    );
    let message = report["changes"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("package by package (`client`, `proto`, `server`)"),
        "{message}"
    );
}
