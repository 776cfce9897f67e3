//! Every behaviour issue 15 names, through the real `plimsoll guard` binary on real git
//! repositories: the false-alarm kinds 1–7, the misses, the folder inputs, the messages and the
//! "what to change" list, with the same kinds in Node, Python and Go projects. Each case writes
//! a realistic workflow, commits it, edits it as a maintainer would, commits again, and reads
//! guard's JSON report between the two commits.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

mod common;
use common::{committed_change, git, plimsoll, write};

const CI: &str = ".github/workflows/ci.yml";

/// One change of a report: kind, severity, `path:line` before and after, message.
#[derive(Debug)]
struct Found {
    kind: String,
    severity: String,
    before: String,
    after: String,
    message: String,
}

fn place(location: &serde_json::Value) -> String {
    match (location["path"].as_str(), location["line"].as_u64()) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        _ => "-".to_string(),
    }
}

/// Guard's exit code and changes between the commit of `before` and the commit of `after`
/// (files written over the first tree; a file given as `None` is deleted).
fn guard_between(before: &[(&str, &str)], after: &[(&str, Option<&str>)]) -> (i32, Vec<Found>) {
    let dir = committed_change(before, |root| {
        for (path, text) in after {
            match text {
                Some(text) => {
                    write(root, path, text);
                }
                None => fs::remove_file(root.join(path)).unwrap(),
            }
        }
    });
    report_of_last_commit(dir.path())
}

fn report_of_last_commit(root: &Path) -> (i32, Vec<Found>) {
    let out = plimsoll(root)
        .args([
            "guard", "--base", "HEAD~1", "--head", "HEAD", "--format", "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Found {
            kind: c["kind"].as_str().unwrap().to_string(),
            severity: c["severity"].as_str().unwrap().to_string(),
            before: place(&c["before"]),
            after: place(&c["after"]),
            message: c["message"].as_str().unwrap().to_string(),
        })
        .collect();
    (out.status.code().unwrap(), found)
}

/// Guard between `before` and `after` as the one workflow `ci.yml`.
fn edit(before: &str, after: &str) -> (i32, Vec<Found>) {
    guard_between(&[(CI, before)], &[(CI, Some(after))])
}

/// `before` with `from` replaced by `to` (which must be there), compared by guard.
fn edit_one(before: &str, from: &str, to: &str) -> (i32, Vec<Found>) {
    assert!(before.contains(from), "{from:?} is not in the workflow");
    edit(before, &before.replacen(from, to, 1))
}

fn kinds(found: &[Found]) -> Vec<(&str, &str)> {
    found
        .iter()
        .map(|f| (f.kind.as_str(), f.severity.as_str()))
        .collect()
}

/// A Rust project's CI as many repositories write it.
const RUST_CI: &str = "name: CI
on:
  push:
    branches: [main]
  pull_request:
env:
  RUSTFLAGS: -Dwarnings
  CARGO_INCREMENTAL: 0
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      fail-fast: true
      matrix:
        os: [ubuntu-latest, windows-latest]
        rust: [stable, nightly-2025-08-06]
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@master
        with:
          toolchain: ${{ matrix.rust }}
      - uses: Swatinem/rust-cache@v2
      - run: cargo build --all --all-targets
      - run: cargo test --all
      - run: cargo test -p tokio -p tokio-util --features full
      - run: cargo check --all-features --locked
      - run: cargo clippy --all-targets -- -D warnings
  python:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest -m \"not slow\" tests/
      - run: |
          set -o pipefail
          cargo test --workspace 2>&1 | tee test.log
";

// ----- Kind 1: a matrix value edited, or a version bumped inside a combination -----

#[test]
fn kind1_a_matrix_value_edited_is_a_review_never_a_removed_combination() {
    let before = "on: [pull_request]
jobs:
  features:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        include:
          - os: ubuntu-latest
            exclude_features: \"nightly,unstable\"
          - os: windows-latest
            exclude_features: nightly
    steps:
      - uses: taiki-e/install-action@cargo-hack
      - run: cargo hack check --feature-powerset --exclude-features ${{ matrix.exclude_features }}
  pgo:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        pgo: [clap-rs/clap, serde-rs/serde]
    steps:
      - run: cargo run --release -- pgo ${{ matrix.pgo }}
";
    let after = before
        .replace("\"nightly,unstable\"", "\"nightly,unstable,wasm\"")
        .replace("[clap-rs/clap,", "[clap-rs/clap@v4.5.36,");
    let (code, found) = edit(before, &after);
    assert_eq!(code, 0, "{found:#?}");
    assert_eq!(
        kinds(&found),
        [("matrix-changed", "review"), ("matrix-changed", "review")]
    );
    assert!(found[0]
        .message
        .contains("with `exclude_features: nightly,unstable,wasm` instead of `nightly,unstable`"));
    // Both locations: the matrix of each version.
    assert_eq!(found[0].before, ".github/workflows/ci.yml:6");
    assert_eq!(found[0].after, ".github/workflows/ci.yml:6");
    assert!(found[1]
        .message
        .contains("with `pgo: clap-rs/clap@v4.5.36` instead of `clap-rs/clap`"));
}

// ----- Kind 2: steps moved into a local composite action, merged, or replaced -----

const SETUP_ACTION: &str = ".github/actions/setup/action.yml";

#[test]
fn kind2_steps_moved_into_a_local_composite_action_are_followed_in_both_revisions() {
    let before = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
      - uses: Swatinem/rust-cache@v2
      - run: cargo fmt --all -- --check
      - run: cargo test --workspace
";
    let after = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/setup
      - run: cargo test --workspace
";
    let action = "name: Setup
description: toolchain, cache and the format check
runs:
  using: composite
  steps:
    - uses: dtolnay/rust-toolchain@stable
    - uses: Swatinem/rust-cache@v2
    - run: cargo fmt --all -- --check
      shell: bash
    - run: cargo doc --no-deps
      shell: bash
";
    let (code, found) = guard_between(
        &[(CI, before)],
        &[(CI, Some(after)), (SETUP_ACTION, Some(action))],
    );
    assert_eq!((code, kinds(&found)), (0, vec![]), "{found:#?}");

    // With the action in both revisions, a check it drops is one loss, at the action's line,
    // named as the action's (not as a job called `runs`).
    let fewer = action.replace("    - run: cargo doc --no-deps\n      shell: bash\n", "");
    let (code, found) = guard_between(
        &[(CI, after), (SETUP_ACTION, action)],
        &[(SETUP_ACTION, Some(&fewer))],
    );
    assert_eq!(code, 1);
    assert_eq!(kinds(&found), [("step-removed", "reduction")]);
    assert_eq!(found[0].before, format!("{SETUP_ACTION}:10"));
    assert!(
        found[0]
            .message
            .contains("of composite action `.github/actions/setup/action.yml`"),
        "{}",
        found[0].message
    );
}

#[test]
fn kind2_steps_merged_and_per_artifact_downloads_replaced_by_one_pattern() {
    let before = "on: [pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        target: [linux, windows]
    steps:
      - run: cargo build --release
      - uses: actions/upload-artifact@v4
        with:
          name: bin-${{ matrix.target }}
          path: target/release/app
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          name: bin-linux
          path: dist/linux
      - uses: actions/download-artifact@v4
        with:
          name: bin-windows
          path: dist/windows
      - name: Format
        run: cargo fmt --check
      - name: Clippy
        run: cargo clippy --all-targets -- -D warnings
";
    let after = before
        .replace(
            "          name: bin-linux\n          path: dist/linux\n      - uses: actions/download-artifact@v4\n          name: bin-windows\n          path: dist/windows\n",
            "",
        )
        .replace(
            "      - uses: actions/download-artifact@v4\n        with:\n          name: bin-linux\n          path: dist/linux\n      - uses: actions/download-artifact@v4\n        with:\n          name: bin-windows\n          path: dist/windows\n",
            "      - uses: actions/download-artifact@v4\n        with:\n          pattern: bin-*\n          path: dist\n",
        )
        .replace(
            "      - name: Format\n        run: cargo fmt --check\n      - name: Clippy\n        run: cargo clippy --all-targets -- -D warnings\n",
            "      - name: Lint\n        run: |\n          cargo fmt --check\n          cargo clippy --all-targets -- -D warnings\n",
        );
    assert!(after.contains("pattern: bin-*") && after.contains("name: Lint"));
    let (code, found) = edit(before, &after);
    assert_eq!((code, kinds(&found)), (0, vec![]), "{found:#?}");
}

// ----- Kind 3: a flag or command replaced by an equivalent or a superset -----

#[test]
fn kind3_equivalent_and_wider_commands_lose_nothing() {
    for (from, to) in [
        ("cargo test --all\n", "cargo test --workspace\n"),
        (
            "cargo build --all --all-targets",
            "cargo build --workspace --all-targets",
        ),
        (
            "cargo check --all-features --locked",
            "cargo hack check --all-features --locked",
        ),
        // pytest's `-m` now also selects the integration tests.
        ("-m \"not slow\"", "-m \"not slow or integration\""),
        ("-m \"not slow\"", "-m \"(not slow)\""),
        // Clippy's driver reads RUSTFLAGS, which the workflow sets to `-Dwarnings`.
        (
            "cargo clippy --all-targets -- -D warnings",
            "cargo clippy --all-targets",
        ),
        ("-- -D warnings", "-- --deny=warnings"),
    ] {
        let (code, found) = edit_one(RUST_CI, from, to);
        assert_eq!(
            (code, kinds(&found)),
            (0, vec![]),
            "{from} → {to}: {found:#?}"
        );
    }
}

#[test]
fn kind3_a_narrower_or_other_selection_expression_is_caught_or_reviewed() {
    let (code, found) = edit_one(
        RUST_CI,
        "-m \"not slow\"",
        "-m \"not slow and not network\"",
    );
    assert_eq!(code, 1);
    assert_eq!(kinds(&found), [("command-narrowed", "reduction")]);
    assert_eq!(found[0].before, ".github/workflows/ci.yml:33");
    assert_eq!(found[0].after, ".github/workflows/ci.yml:33");
    assert!(found[0]
        .message
        .contains("now passes `-m not slow and not network` instead of `-m not slow`"));
    // Another expression altogether: guard cannot tell, a person can.
    let (code, found) = edit_one(RUST_CI, "-m \"not slow\"", "-m \"slow\"");
    assert_eq!(
        (code, kinds(&found)),
        (0, vec![("script-changed", "review")])
    );
    // A cargo feature renamed: what it selects is in Cargo.toml, which this revision lacks.
    let (code, found) = edit_one(RUST_CI, "--features full", "--features all");
    assert_eq!(
        (code, kinds(&found)),
        (0, vec![("script-changed", "review")])
    );
    // `-D warnings` dropped where nothing else denies warnings is a loss.
    let without_rustflags = RUST_CI.replace("  RUSTFLAGS: -Dwarnings\n", "");
    let (code, found) = edit_one(
        &without_rustflags,
        "cargo clippy --all-targets -- -D warnings",
        "cargo clippy --all-targets",
    );
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("flag-removed", "reduction")])
    );
    assert!(found[0].message.contains("no longer passes `-D warnings`"));
}

#[test]
fn kind3_deny_warnings_replaced_by_the_environment_or_a_wrapper_that_fails_on_any_warning() {
    let without_rustflags = RUST_CI.replace("  RUSTFLAGS: -Dwarnings\n", "");
    let clippy = "      - run: cargo clippy --all-targets -- -D warnings\n";
    for to in [
        // The step's own RUSTFLAGS: clippy's driver reads it.
        "      - run: cargo clippy --all-targets\n        env:\n          RUSTFLAGS: \"-D warnings\"\n",
        // A wrapper failing on any warning the output holds.
        "      - run: |\n          cargo clippy --all-targets 2>&1 | tee clippy.log\n          ! grep -q '^warning' clippy.log\n",
        "      - run: |\n          cargo clippy --all-targets 2>&1 | tee clippy.log\n          if grep -qi warning clippy.log; then exit 1; fi\n",
    ] {
        let (code, found) = edit_one(&without_rustflags, clippy, to);
        assert_eq!((code, kinds(&found)), (0, vec![]), "{to}: {found:#?}");
    }
    // Saving the output without failing on it is no gate.
    let (code, found) = edit_one(
        &without_rustflags,
        clippy,
        "      - run: |\n          cargo clippy --all-targets 2>&1 | tee clippy.log\n          grep -c warning clippy.log\n",
    );
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("flag-removed", "reduction")])
    );
}

#[test]
fn kind3_a_check_replaced_by_a_repository_task_runner_is_a_review_without_the_code() {
    // `cargo xtask clippy`, `just lint`: what they run is in the repository's own code, which a
    // history of `.github` alone does not hold; guard cannot tell whether it fails on warnings.
    for to in ["cargo xtask clippy", "just lint"] {
        let (code, found) = edit_one(RUST_CI, "cargo clippy --all-targets -- -D warnings", to);
        assert_eq!(code, 0, "{to}: {found:#?}");
        assert!(
            found.iter().all(|f| f.severity == "review") && !found.is_empty(),
            "{to}: {found:#?}"
        );
        assert!(found.iter().any(|f| f
            .message
            .contains(&format!("now runs `{to}`, whose contents"))));
    }
    // With the code at hand the loss stands: guard does not read the task's recipe.
    let (code, found) = guard_between(
        &[(CI, RUST_CI), ("src/lib.rs", "pub fn a() {}\n")],
        &[(
            CI,
            Some(&RUST_CI.replace(
                "cargo clippy --all-targets -- -D warnings",
                "cargo xtask clippy",
            )),
        )],
    );
    assert_eq!(code, 1, "{found:#?}");
}

// ----- Kind 4: failure masking misread -----

#[test]
fn kind4_set_e_reading_pipestatus_and_a_mask_already_in_the_base_mask_nothing_new() {
    let (code, found) = edit_one(
        RUST_CI,
        "          set -o pipefail\n          cargo test --workspace 2>&1 | tee test.log\n",
        "          set +e\n          cargo test --workspace --all-features 2>&1 | tee test.log\n          status=${PIPESTATUS[0]}\n          exit $status\n",
    );
    assert_eq!((code, kinds(&found)), (0, vec![]), "{found:#?}");
    let masked = RUST_CI.replace("cargo test --all\n", "cargo test --all || true\n");
    let (code, found) = edit_one(
        &masked,
        "cargo test --all || true\n",
        "cargo test --all --no-fail-fast || true\n",
    );
    assert_eq!((code, kinds(&found)), (0, vec![]), "{found:#?}");
    // A new mask is a loss, at its line.
    let (code, found) = edit_one(RUST_CI, "cargo test --all\n", "cargo test --all || true\n");
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("failure-masked", "reduction")])
    );
    assert_eq!(found[0].after, ".github/workflows/ci.yml:25");
}

// ----- Kind 5: tests "newly skipped" that never ran -----

#[test]
fn kind5_an_ignored_test_in_a_module_this_commit_adds_never_ran() {
    let lib = "pub fn a() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
    let (code, found) = guard_between(
        &[(CI, RUST_CI), ("src/lib.rs", lib)],
        &[
            ("src/lib.rs", Some(&lib.replace("pub fn a() {}\n", "pub fn a() {}\nmod net;\n"))),
            (
                "src/net.rs",
                Some("pub fn fetch() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    #[ignore = \"needs network\"]\n    fn fetches() {}\n}\n"),
            ),
            ("tests/slow.rs", Some("#[test]\n#[ignore]\nfn slow() {}\n")),
            ("tests/test_new.py", Some("import pytest\n\n@pytest.mark.skip(reason=\"wip\")\ndef test_new():\n    pass\n")),
            ("pkg/x_test.go", Some("package pkg\n\nimport \"testing\"\n\nfunc TestNew(t *testing.T) {\n\tt.Skip(\"later\")\n}\n")),
        ],
    );
    assert_eq!((code, kinds(&found)), (0, vec![]), "{found:#?}");
    // A test that ran before and is now ignored is a loss, at the new attribute.
    let (code, found) = guard_between(
        &[(CI, RUST_CI), ("src/lib.rs", lib)],
        &[(
            "src/lib.rs",
            Some(&lib.replace("    fn t()", "    #[ignore]\n    fn t()")),
        )],
    );
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("test-skipped", "reduction")])
    );
    // Both locations: the test as it ran, and the attribute that skips it now.
    assert_eq!(found[0].before, "src/lib.rs:5");
    assert_eq!(found[0].after, "src/lib.rs:5");
    // A Go test skipped from inside its body: the function it stops.
    let go = "package pkg\n\nimport \"testing\"\n\nfunc TestFetch(t *testing.T) {\n\tif fetch() != nil {\n\t\tt.Fatal(\"no\")\n\t}\n}\n";
    let (code, found) = guard_between(
        &[(CI, RUST_CI), ("pkg/fetch_test.go", go)],
        &[(
            "pkg/fetch_test.go",
            Some(&go.replace("{\n\tif", "{\n\tt.Skip(\"flaky\")\n\tif")),
        )],
    );
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("test-skipped", "reduction")])
    );
    assert_eq!(found[0].before, "pkg/fetch_test.go:5");
    assert_eq!(found[0].after, "pkg/fetch_test.go:6");
}

// ----- Kind 6: renamed, already disabled, and bot workflows -----

#[test]
fn kind6_renamed_disabled_and_bot_workflows_removed_are_no_loss() {
    let stale = "name: Close stale issues
on:
  schedule:
    - cron: \"30 1 * * *\"
jobs:
  stale:
    runs-on: ubuntu-latest
    permissions:
      issues: write
      pull-requests: write
    steps:
      - uses: actions/stale@v9
        with:
          days-before-stale: 60
";
    let labeler = "name: Labeler
on:
  pull_request_target:
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/labeler@v5
";
    let triage = "name: Triage
on:
  issues:
    types: [opened]
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: gh issue edit ${{ github.event.issue.number }} --add-label triage
        env:
          GH_TOKEN: ${{ github.token }}
";
    let automerge = "name: Dependabot auto-merge
on: pull_request
jobs:
  dependabot:
    runs-on: ubuntu-latest
    if: github.actor == 'dependabot[bot]'
    steps:
      - uses: dependabot/fetch-metadata@v2
        id: metadata
      - run: gh pr merge --auto --squash \"$PR_URL\"
        env:
          PR_URL: ${{ github.event.pull_request.html_url }}
";
    let disabled = "name: Bench
on:
  push:
    branches: [main]
jobs:
  bench:
    if: false
    runs-on: ubuntu-latest
    steps:
      - run: cargo bench --workspace
";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, CI, RUST_CI);
    for (name, text) in [
        ("stale", stale),
        ("labeler", labeler),
        ("triage", triage),
        ("automerge", automerge),
        ("bench", disabled),
    ] {
        write(root, &format!(".github/workflows/{name}.yml"), text);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["mv", CI, ".github/workflows/tests.yml"]);
    write(
        root,
        ".github/workflows/tests.yml",
        RUST_CI.replace("name: CI", "name: Tests"),
    );
    for name in ["stale", "labeler", "triage", "automerge", "bench"] {
        git(
            root,
            &["rm", "-q", &format!(".github/workflows/{name}.yml")],
        );
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "rename CI, drop the bots"]);
    let (code, found) = report_of_last_commit(root);
    assert_eq!(code, 0, "{found:#?}");
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(found
        .iter()
        .all(|f| f.kind == "unchecked-workflow-removed" && f.severity == "review"));
    assert!(found
        .iter()
        .any(|f| f.message.contains("it was already disabled")));
    // The labeler runs on `pull_request_target`: it is not said to run on no pull request.
    let labeler = found
        .iter()
        .find(|f| f.before == ".github/workflows/labeler.yml:1")
        .unwrap();
    assert!(
        labeler
            .message
            .contains("it ran no check (it answers issues, comments or pull request activity"),
        "{}",
        labeler.message
    );
}

// ----- Kind 7: one change reported once -----

#[test]
fn kind7_a_rust_cache_step_removed_is_one_finding() {
    let (code, found) = edit_one(RUST_CI, "      - uses: Swatinem/rust-cache@v2\n", "");
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("cache-removed", "reduction")])
    );
    assert_eq!(found[0].before, ".github/workflows/ci.yml:23");
    // A wide flag replaced by a narrow one is one narrowing, named against its own command.
    let (code, found) = edit_one(RUST_CI, "cargo test --all\n", "cargo test -p core\n");
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("command-narrowed", "reduction")])
    );
    assert_eq!(
        found[0].message,
        "`cargo test` in job `test` now passes `-p core`: it runs less than `cargo test --all`"
    );
    assert_eq!(found[0].before, ".github/workflows/ci.yml:25");
    assert_eq!(found[0].after, ".github/workflows/ci.yml:25");
}

// ----- The misses -----

#[test]
fn missed_rustflags_emptied_by_a_matrix_value_and_doctests_dropped_are_caught() {
    let (code, found) = edit_one(
        RUST_CI,
        "        rust: [stable, nightly-2025-08-06]\n",
        "        rust: [stable, nightly-2025-08-06]\n        rustflags: [\"\"]\n",
    );
    // One value given to every leg is one finding, naming the four legs.
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("gate-weakened", "reduction")]),
        "{found:#?}"
    );
    assert!(found[0].message.contains("runs 4 matrix combinations ("));
    assert!(found[0]
        .message
        .contains("whose `rustflags: \"\"` overrides `RUSTFLAGS: -Dwarnings`"));
    assert_eq!(found[0].before, ".github/workflows/ci.yml:7");
    let (code, found) = edit_one(
        RUST_CI,
        "cargo test --all\n",
        "cargo test --all --lib --tests --bins\n",
    );
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("command-narrowed", "reduction")])
    );
    assert!(found[0]
        .message
        .contains("now passes `--lib`, `--tests`, `--bins`"));
}

/// Flow sequences over several lines whose `]` closes at the key's indentation (valid YAML).
const FLOW_CI: &str = "name: CI
on:
  pull_request:
    branches: [
      main,
      'release/**'
    ]
permissions: {
  contents: read
}
jobs:
  test:
    runs-on: ${{ matrix.os }}
    timeout-minutes: 20
    strategy:
      matrix:
        os: [
          ubuntu-latest,
          windows-latest,
          macos-latest
        ]
    steps:
      - uses: actions/checkout@v4
      - run: cargo test --workspace
";

#[test]
fn missed_a_multi_line_flow_sequence_parses_in_guard_and_in_check() {
    let (code, found) = edit_one(FLOW_CI, "          macos-latest\n", "");
    assert_eq!(code, 1, "{found:#?}");
    assert_eq!(kinds(&found), [("matrix-combination-removed", "reduction")]);
    assert!(found[0].message.contains("{os: macos-latest}"));
    // `check` reads the same file without a parse error.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), CI, FLOW_CI);
    plimsoll(dir.path())
        .args(["check", "."])
        .assert()
        .stdout(predicate::str::contains("parse").not())
        .stdout(predicate::str::contains("GHA000").not());
}

// ----- Folder inputs and the summary line -----

#[test]
fn before_and_after_files_always_end_with_one_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "old/ci.yml", RUST_CI);
    write(root, "new/ci.yml", RUST_CI);
    plimsoll(root)
        .args(["guard", "--before", "old/ci.yml", "--after", "new/ci.yml"])
        .assert()
        .code(0)
        .stdout("checked 1 workflow, 2 jobs: nothing lost (old/ci.yml → new/ci.yml)\n");
    write(
        root,
        "new/ci.yml",
        RUST_CI
            .replace("  python:\n", "  py:\n")
            .replace("      - run: pytest -m \"not slow\" tests/\n", ""),
    );
    plimsoll(root)
        .args(["guard", "--before", "old", "--after", "new"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("step-removed"))
        .stdout(predicate::str::contains(
            "checked 1 workflow, 2 jobs: 1 reduction, 0 to review, 0 accepted (old → new)",
        ));
}

#[test]
fn a_workflow_that_does_not_parse_in_either_revision_fails_the_run() {
    let broken = "on: push\njobs:\n  test: [\n";
    let (code, found) = edit(broken, RUST_CI);
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("workflow-unparsable", "reduction")])
    );
    assert_eq!(found[0].before, ".github/workflows/ci.yml:4");
    assert!(found[0].message.contains("the old version of"));
    let (code, found) = edit(RUST_CI, broken);
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("workflow-unparsable", "reduction")])
    );
    assert_eq!(found[0].before, ".github/workflows/ci.yml:1");
    assert_eq!(found[0].after, ".github/workflows/ci.yml:4");
}

// ----- Messages -----

#[test]
fn messages_name_what_is_really_lost() {
    // `-p tokio` split from `-p tokio-util` into two commands is still passed.
    let (code, found) = edit_one(
        RUST_CI,
        "      - run: cargo test -p tokio -p tokio-util --features full\n",
        "      - run: cargo test -p tokio --features full\n      - run: cargo test --package tokio-util --features full\n",
    );
    assert_eq!((code, kinds(&found)), (0, vec![]), "{found:#?}");
    // A matrix expression is shown as written, never as the lexer's placeholder.
    let features = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        features: [\"\", serde, \"serde,rayon\"]
    steps:
      - run: cargo test --no-default-features --features \"${{ matrix.features }}\"
";
    let (code, found) = edit_one(features, " --features \"${{ matrix.features }}\"", "");
    assert_eq!(code, 1);
    assert_eq!(
        found[0].message,
        "`cargo test` in job `test` no longer passes `--features ${{ matrix.features }}`"
    );
    assert!(!found[0].message.contains("__"));
    // A dated nightly is a pin: bumping it is no loss; moving to `nightly` is a review that
    // calls the old one exact.
    let pinned = "on: [pull_request]
jobs:
  miri:
    runs-on: ubuntu-latest
    steps:
      - uses: dtolnay/rust-toolchain@master
        with:
          toolchain: nightly-2025-08-06
      - run: cargo miri test
";
    let (code, found) = edit_one(pinned, "nightly-2025-08-06", "nightly-2025-09-10");
    assert_eq!((code, kinds(&found)), (0, vec![]));
    let (code, found) = edit_one(pinned, "nightly-2025-08-06", "nightly");
    assert_eq!(
        (code, kinds(&found)),
        (0, vec![("version-loosened", "review")])
    );
    assert!(found[0]
        .message
        .contains("instead of `nightly-2025-08-06` (an exact version)"));
    assert!(!found[0].message.contains("`nightly-2025-08-06` (a moving"));
}

// ----- What to change: narrowing flags, gates, inputs -----

#[test]
fn flags_that_narrow_environment_that_weakens_a_gate_and_inputs_that_turn_a_check_off() {
    for (from, to, flag) in [
        ("cargo test --all\n", "cargo test --all --lib\n", "`--lib`"),
        (
            "cargo test --all\n",
            "cargo test --all -- --skip slow_\n",
            "`--skip slow_`",
        ),
        (
            "pytest -m \"not slow\" tests/",
            "pytest -m \"not slow\" -k \"not db\" tests/",
            "`-k not db`",
        ),
        (
            "cargo test --all\n",
            "cargo test --all --exclude bench-utils\n",
            "`--exclude bench-utils`",
        ),
    ] {
        let (code, found) = edit_one(RUST_CI, from, to);
        assert_eq!(
            (code, kinds(&found)),
            (1, vec![("command-narrowed", "reduction")]),
            "{to}"
        );
        assert!(found[0].message.contains(flag), "{}", found[0].message);
    }
    // RUSTFLAGS unset at the workflow level: every job building Rust may now pass on warnings.
    let (code, found) = edit_one(RUST_CI, "  RUSTFLAGS: -Dwarnings\n", "");
    assert_eq!(code, 1);
    assert!(found
        .iter()
        .all(|f| f.kind == "gate-weakened" && f.before == ".github/workflows/ci.yml:7"));
    // CARGO_INCREMENTAL changes speed, not what fails.
    let (code, found) = edit_one(
        RUST_CI,
        "  CARGO_INCREMENTAL: 0\n",
        "  CARGO_INCREMENTAL: 1\n",
    );
    assert_eq!((code, kinds(&found)), (0, vec![]));
    let (code, found) = edit_one(RUST_CI, "  CARGO_INCREMENTAL: 0\n", "");
    assert_eq!((code, kinds(&found)), (0, vec![]));
    // Inputs that turn a check or a cache off.
    let node = "on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm test
      - uses: codecov/codecov-action@v5
        with:
          fail_ci_if_error: true
";
    let (code, found) = edit_one(node, "fail_ci_if_error: true", "fail_ci_if_error: false");
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("gate-weakened", "reduction")])
    );
    assert_eq!(found[0].before, ".github/workflows/ci.yml:13");
    let (code, found) = edit_one(node, "          cache: npm\n", "");
    assert_eq!(
        (code, kinds(&found)),
        (1, vec![("cache-removed", "reduction")])
    );
}

#[test]
fn a_rust_gate_unset_weakens_only_the_jobs_that_build_rust() {
    let before = "on: [pull_request]
env:
  RUSTFLAGS: -Dwarnings
  RUSTDOCFLAGS: -Dwarnings
jobs:
  rust:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test --workspace
  site:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
      - run: npm ci
      - run: npm run build
  scripted:
    runs-on: ubuntu-latest
    steps:
      - run: ./ci/check.sh
";
    let after = before.replace(
        "env:\n  RUSTFLAGS: -Dwarnings\n  RUSTDOCFLAGS: -Dwarnings\n",
        "",
    );
    let (code, found) = edit(before, &after);
    assert_eq!(code, 1);
    let jobs: Vec<&str> = found
        .iter()
        .map(|f| {
            assert_eq!(
                (f.kind.as_str(), f.severity.as_str()),
                ("gate-weakened", "reduction")
            );
            f.message.split('`').nth(1).unwrap_or("")
        })
        .collect();
    // `cargo test` reads both; a repository script may run cargo; `npm run build` reads neither.
    assert_eq!(jobs, ["rust", "rust", "scripted", "scripted"], "{found:#?}");
}

// ----- Variants in Node, Python and Go projects -----

const POLYGLOT_CI: &str = "name: CI
on:
  pull_request:
  push:
    branches: [main]
jobs:
  node:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci
      - run: npm test
      - run: npx jest --ci
  python:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: [\"3.10\", \"3.11\", \"3.12\"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: pip install tox
      - run: tox -e py,lint,type
  go:
    runs-on: ubuntu-latest
    needs: [node]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: '1.22'
      - run: go test -race ./...
      - run: go vet ./...
";

#[test]
fn variants_narrowing_flags_of_node_python_and_go_test_runners() {
    for (from, to) in [
        (
            "- run: npm test\n",
            "- run: npm test -- --testPathIgnorePatterns=e2e\n",
        ),
        ("npx jest --ci", "npx jest --ci --onlyChanged"),
        ("npx jest --ci", "npx jest --ci --testNamePattern unit"),
        ("go test -race ./...", "go test -race -run TestUnit ./..."),
        ("go test -race ./...", "go test -race -short ./..."),
        (
            "go test -race ./...",
            "go test -race -skip TestIntegration ./...",
        ),
        ("tox -e py,lint,type", "tox -e py"),
    ] {
        let (code, found) = edit_one(POLYGLOT_CI, from, to);
        assert_eq!(code, 1, "{to}: {found:#?}");
        assert_eq!(found.len(), 1, "{to}: {found:#?}");
        assert_eq!(found[0].severity, "reduction");
        assert!(
            matches!(found[0].kind.as_str(), "command-narrowed" | "flag-removed"),
            "{to}: {found:#?}"
        );
    }
    // tox environments in another order, or one more: the same checks run.
    for to in [
        "tox -e lint,type,py",
        "tox -e py,lint,type,docs",
        "tox run -e py,lint,type",
    ] {
        let (code, found) = edit_one(POLYGLOT_CI, "tox -e py,lint,type", to);
        assert_eq!((code, kinds(&found)), (0, vec![]), "{to}: {found:#?}");
    }
}

#[test]
fn variants_job_settings_that_lose_coverage_and_those_that_do_not() {
    // Failures that no longer fail the run, and a job that never runs: losses.
    for (from, to, kind) in [
        (
            "  node:\n    runs-on: ubuntu-latest\n",
            "  node:\n    runs-on: ubuntu-latest\n    continue-on-error: true\n",
            "continue-on-error-added",
        ),
        (
            "      - run: go vet ./...\n",
            "      - run: go vet ./...\n        continue-on-error: true\n",
            "continue-on-error-added",
        ),
        (
            "  python:\n",
            "  python:\n    if: false\n",
            "if-false-added",
        ),
    ] {
        let (code, found) = edit_one(POLYGLOT_CI, from, to);
        assert_eq!(
            (code, kinds(&found)),
            (1, vec![(kind, "reduction")]),
            "{to}"
        );
    }
    // A `needs:` gate removed: the job may run when the other failed, a review.
    let (code, found) = edit_one(POLYGLOT_CI, "    needs: [node]\n", "");
    assert_eq!(
        (code, kinds(&found)),
        (0, vec![("needs-removed", "review")])
    );
    // Scheduling settings are not coverage.
    for (from, to) in [
        (
            "  go:\n    runs-on: ubuntu-latest\n",
            "  go:\n    runs-on: ubuntu-latest\n    timeout-minutes: 15\n",
        ),
        (
            "    strategy:\n      matrix:\n",
            "    strategy:\n      fail-fast: false\n      max-parallel: 2\n      matrix:\n",
        ),
    ] {
        let (code, found) = edit_one(POLYGLOT_CI, from, to);
        assert_eq!((code, kinds(&found)), (0, vec![]), "{to}");
    }
    let (code, found) = edit_one(RUST_CI, "fail-fast: true", "fail-fast: false");
    assert_eq!((code, kinds(&found)), (0, vec![]));
    let (code, found) = edit_one(RUST_CI, "timeout-minutes: 30", "timeout-minutes: 10");
    assert_eq!((code, kinds(&found)), (0, vec![]));
}

#[test]
fn variants_matrix_include_and_exclude_edits_that_keep_every_combination() {
    let before = "on: [pull_request]
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest, macos-latest]
        node: [18, 20]
        exclude:
          - os: macos-latest
            node: 18
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: ${{ matrix.node }}
      - run: npm test
";
    let after = "on: [pull_request]
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        node: [18, 20]
        include:
          - os: macos-latest
            node: 20
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: ${{ matrix.node }}
      - run: npm test
";
    let (code, found) = edit(before, after);
    assert_eq!((code, kinds(&found)), (0, vec![]), "{found:#?}");
    // Dropping one really loses it.
    let (code, found) = edit_one(
        after,
        "          - os: macos-latest\n            node: 20\n",
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(kinds(&found), [("matrix-combination-removed", "reduction")]);
    assert!(found[0].message.contains("{node: 20, os: macos-latest}"));
}
