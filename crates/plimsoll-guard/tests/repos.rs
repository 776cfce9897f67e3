//! Every reduction kind and every non-reduction, each on a real git repository built in a
//! temporary folder: the old version is committed, the new version committed on top, and guard
//! compares the two commits.

use std::path::Path;
use std::process::Command;

use plimsoll_guard::{guard_git, GuardReport, Severity};

const CI: &str = ".github/workflows/ci.yml";

const BASE: &str = r#"name: CI
on:
  push:
    branches: [main, 'release/**']
    paths-ignore: ['docs/**']
  pull_request:
    types: [opened, synchronize]
  schedule:
    - cron: '0 3 * * 1'
  workflow_dispatch:
jobs:
  test:
    name: Test
    runs-on: ubuntu-22.04
    container: rust:1.80.0
    timeout-minutes: 30
    strategy:
      matrix:
        os: [linux, windows]
        toolchain: [stable, beta]
        include:
          - os: linux
            toolchain: nightly
    steps:
      - uses: actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3
      - uses: dtolnay/rust-toolchain@1.80.0
      - uses: Swatinem/rust-cache@v2
      - name: Test
        run: cargo test --all-features --workspace
      - name: Lint
        run: cargo clippy --all-targets -- -D warnings
      - name: Format
        run: cargo fmt --check
  node:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with:
          node-version: 20.11.1
          cache: npm
      - run: npm ci
      - run: npm test
  deploy:
    needs: [test, node]
    runs-on: ubuntu-latest
    if: github.ref == 'refs/heads/main'
    steps:
      - run: ./deploy.sh
"#;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn write_all(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
}

/// Commit `before`, replace it with `after` in a second commit, and guard base..HEAD.
fn guard(before: &[(&str, &str)], after: &[(&str, &str)]) -> GuardReport {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write_all(root, before);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    let base = git(root, &["rev-parse", "HEAD"]);
    for (path, _) in before {
        let _ = std::fs::remove_file(root.join(path));
    }
    write_all(root, after);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "change", "--allow-empty"]);
    guard_git(root, Some(&base), Some("HEAD")).expect("guard runs")
}

/// The kinds found when `BASE` is edited by `edits` (each `from` must occur).
fn kinds_after(edits: &[(&str, &str)]) -> Vec<String> {
    let mut after = BASE.to_string();
    for (from, to) in edits {
        assert!(after.contains(from), "`{from}` is not in the workflow");
        after = after.replacen(from, to, 1);
    }
    kinds(&guard(&[(CI, BASE)], &[(CI, &after)]))
}

fn kinds(report: &GuardReport) -> Vec<String> {
    report
        .changes
        .iter()
        .map(|c| match c.severity {
            Severity::Reduction => c.kind.as_str().to_string(),
            Severity::Review => format!("review:{}", c.kind.as_str()),
            Severity::Accepted => format!("accepted:{}", c.kind.as_str()),
        })
        .collect()
}

// ---- reductions ----

#[test]
fn workflow_removed() {
    let report = guard(&[(CI, BASE), ("README.md", "x")], &[("README.md", "x")]);
    assert_eq!(kinds(&report), ["workflow-removed"]);
    assert!(report.failed());
    assert!(report
        .notes
        .iter()
        .any(|n| n.contains(".github folder is gone")));
    let change = &report.changes[0];
    assert_eq!(change.before.as_ref().map(|l| l.path.as_str()), Some(CI));
    assert!(change.after.is_none());
}

#[test]
fn job_removed() {
    let node = "  node:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20.11.1\n          cache: npm\n      - run: npm ci\n      - run: npm test\n";
    let report = {
        let after = BASE.replacen(node, "", 1);
        guard(&[(CI, BASE)], &[(CI, &after)])
    };
    assert_eq!(kinds(&report), ["job-removed"]);
    let change = &report.changes[0];
    assert_eq!(change.subject, "node");
    assert_eq!(change.before.as_ref().map(|l| l.line), Some(34));
    // The nearest surviving place in the new version: `jobs:`.
    assert_eq!(change.after.as_ref().map(|l| l.line), Some(11));
}

#[test]
fn step_removed() {
    assert_eq!(
        kinds_after(&[("      - name: Format\n        run: cargo fmt --check\n", "")]),
        ["step-removed"]
    );
}

#[test]
fn matrix_combination_removed_from_an_axis() {
    assert_eq!(
        kinds_after(&[("toolchain: [stable, beta]", "toolchain: [stable]")]),
        ["matrix-combination-removed", "matrix-combination-removed"]
    );
}

#[test]
fn matrix_combination_removed_from_include_and_by_exclude() {
    assert_eq!(
        kinds_after(&[(
            "        include:\n          - os: linux\n            toolchain: nightly\n",
            ""
        )]),
        ["matrix-combination-removed"]
    );
    assert_eq!(
        kinds_after(&[(
            "        include:",
            "        exclude:\n          - os: windows\n            toolchain: beta\n        include:"
        )]),
        ["matrix-combination-removed"]
    );
}

#[test]
fn trigger_removed() {
    assert_eq!(
        kinds_after(&[("  workflow_dispatch:\n", "")]),
        ["trigger-removed"]
    );
}

#[test]
fn branch_filter_narrowed() {
    assert_eq!(
        kinds_after(&[("branches: [main, 'release/**']", "branches: [main]")]),
        ["trigger-narrowed"]
    );
    assert_eq!(
        kinds_after(&[(
            "paths-ignore: ['docs/**']",
            "paths-ignore: ['docs/**', 'src/**']"
        )]),
        ["trigger-narrowed"]
    );
    assert_eq!(
        kinds_after(&[("types: [opened, synchronize]", "types: [opened]")]),
        ["trigger-narrowed"]
    );
    assert_eq!(
        kinds_after(&[(
            "  pull_request:\n    types: [opened, synchronize]\n",
            "  pull_request:\n    types: [opened, synchronize]\n    branches: [main]\n"
        )]),
        ["trigger-narrowed"]
    );
}

#[test]
fn schedule_removed() {
    assert_eq!(
        kinds_after(&[("  schedule:\n    - cron: '0 3 * * 1'\n", "")]),
        ["trigger-removed"]
    );
    assert_eq!(
        kinds_after(&[(
            "    - cron: '0 3 * * 1'\n",
            "    - cron: '0 3 * * 1'\n    - cron: '0 4 * * *'\n"
        )]),
        Vec::<String>::new()
    );
    let two = BASE.replacen(
        "    - cron: '0 3 * * 1'\n",
        "    - cron: '0 3 * * 1'\n    - cron: '0 4 * * *'\n",
        1,
    );
    assert_eq!(
        kinds(&guard(&[(CI, &two)], &[(CI, BASE)])),
        ["schedule-removed"]
    );
}

#[test]
fn command_removed() {
    assert_eq!(
        kinds_after(&[(
            "run: cargo clippy --all-targets -- -D warnings",
            "run: echo skipped"
        )]),
        ["command-removed"]
    );
}

#[test]
fn flag_removed() {
    assert_eq!(
        kinds_after(&[(
            "cargo test --all-features --workspace",
            "cargo test --workspace"
        )]),
        ["flag-removed"]
    );
    assert_eq!(kinds_after(&[("-- -D warnings", "")]), ["flag-removed"]);
    // `-Dwarnings` is the same flag as `-D warnings`.
    assert_eq!(
        kinds_after(&[("-- -D warnings", "-- -Dwarnings")]),
        Vec::<String>::new()
    );
}

#[test]
fn continue_on_error_added() {
    assert_eq!(
        kinds_after(&[(
            "    timeout-minutes: 30\n",
            "    timeout-minutes: 30\n    continue-on-error: true\n"
        )]),
        ["continue-on-error-added"]
    );
    assert_eq!(
        kinds_after(&[(
            "        run: cargo fmt --check\n",
            "        run: cargo fmt --check\n        continue-on-error: true\n"
        )]),
        ["continue-on-error-added"]
    );
}

#[test]
fn always_false_if_added() {
    assert_eq!(
        kinds_after(&[(
            "      - name: Lint\n",
            "      - name: Lint\n        if: ${{ false }}\n"
        )]),
        ["if-false-added"]
    );
    assert_eq!(
        kinds_after(&[("if: github.ref == 'refs/heads/main'", "if: false")]),
        ["if-false-added"]
    );
}

/// Text around an expression makes a non-empty string, which the runner takes as true: the step
/// still runs, so nothing is lost.
#[test]
fn an_expression_with_text_around_it_is_not_always_false() {
    assert!(kinds_after(&[(
        "      - name: Lint\n",
        "      - name: Lint\n        if: \"${{ false }} \"\n"
    )])
    .is_empty());
    assert!(kinds_after(&[(
        "      - name: Lint\n",
        "      - name: Lint\n        if: |\n          ${{ false }}\n"
    )])
    .is_empty());
}

#[test]
fn failures_masked() {
    assert_eq!(
        kinds_after(&[("run: cargo fmt --check", "run: cargo fmt --check || true")]),
        ["failure-masked"]
    );
    assert_eq!(
        kinds_after(&[(
            "run: cargo fmt --check",
            "run: |\n          set +e\n          cargo fmt --check"
        )]),
        ["failure-masked"]
    );
}

#[test]
fn cache_removed() {
    assert_eq!(
        kinds_after(&[("          cache: npm\n", "")]),
        ["cache-removed"]
    );
    // One change, one finding: the removed `rust-cache` step is the caching lost, named with
    // both places.
    let after = BASE.replacen("      - uses: Swatinem/rust-cache@v2\n", "", 1);
    let report = guard(&[(CI, BASE)], &[(CI, &after)]);
    assert_eq!(kinds(&report), ["cache-removed"]);
    let change = &report.changes[0];
    assert!(
        change.message.contains("step `Swatinem/rust-cache@v2`"),
        "{}",
        change.message
    );
    assert!(change.before.is_some() && change.after.is_some());
}

/// Messages say what the workflow says: no `${{ … }}` placeholders, no package "no longer
/// passed" that another run of the command still passes, no dated nightly called moving.
#[test]
fn messages_quote_the_workflow() {
    let with_expr = BASE.replacen(
        "run: cargo test --all-features --workspace",
        "run: cargo test --features ${{ matrix.os }} --workspace",
        1,
    );
    let after = with_expr.replacen("--features ${{ matrix.os }} ", "", 1);
    let report = guard(&[(CI, &with_expr)], &[(CI, &after)]);
    assert_eq!(kinds(&report), ["flag-removed"]);
    assert!(report.changes[0]
        .message
        .contains("`--features ${{ matrix.os }}`"));
    // Two runs of one command for two packages; the closest run to the first is the second's.
    let two = BASE.replacen(
        "run: cargo test --all-features --workspace",
        "run: |\n          cargo test -p tokio --release --all-features --locked\n          cargo test --package=tokio-util --release --all-features",
        1,
    );
    let swapped = two
        .replacen(
            "-p tokio --release --all-features --locked",
            "-p tokio --release --all-features",
            1,
        )
        .replacen(
            "--package=tokio-util --release --all-features",
            "-p tokio-util --release --all-features --locked",
            1,
        );
    let report = guard(&[(CI, &two)], &[(CI, &swapped)]);
    assert_eq!(kinds(&report), ["flag-removed"]);
    assert!(report.changes[0]
        .message
        .contains("no longer passes `--locked`"));
    let dated = |v: &str| {
        BASE.replacen(
            "dtolnay/rust-toolchain@1.80.0",
            "dtolnay/rust-toolchain@master",
            1,
        )
        .replacen(
            "      - uses: Swatinem/rust-cache@v2\n",
            &format!(
                "        with:\n          toolchain: {v}\n      - uses: Swatinem/rust-cache@v2\n"
            ),
            1,
        )
    };
    let (old, new) = (dated("1.80.0"), dated("nightly-2025-08-06"));
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &new)])),
        Vec::<String>::new()
    );
    let new = dated("nightly");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &new)])),
        ["review:version-loosened"]
    );
}

#[test]
fn versions_loosened() {
    let cases: &[(&str, &str)] = &[
        (
            "actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3",
            "actions/checkout@v4",
        ),
        (
            "dtolnay/rust-toolchain@1.80.0",
            "dtolnay/rust-toolchain@stable",
        ),
        ("node-version: 20.11.1", "node-version: 20"),
        ("container: rust:1.80.0", "container: rust:latest"),
        ("runs-on: ubuntu-22.04", "runs-on: ubuntu-latest"),
        ("actions/setup-node@v4", "actions/setup-node@main"),
    ];
    for (from, to) in cases {
        assert_eq!(
            kinds_after(&[(from, to)]),
            ["review:version-loosened"],
            "{from} → {to}"
        );
    }
}

#[test]
fn tests_newly_skipped_in_code() {
    let files: &[(&str, &str, &str)] = &[
        (
            "src/lib.rs",
            "#[test]\nfn a() {}\n",
            "#[test]\n#[ignore]\nfn a() {}\n",
        ),
        (
            "tests/test_a.py",
            "def test_a():\n    pass\n",
            "@pytest.mark.skip(reason='flaky')\ndef test_a():\n    pass\n",
        ),
        (
            "web/a.test.js",
            "it('works', () => {})\n",
            "it.skip('works', () => {})\nxit('other', () => {})\n",
        ),
        (
            "pkg/a_test.go",
            "func TestA(t *testing.T) {\n}\n",
            "func TestA(t *testing.T) {\n\tt.Skip(\"later\")\n}\n",
        ),
    ];
    for (path, before, after) in files {
        let report = guard(&[(CI, BASE), (path, before)], &[(CI, BASE), (path, after)]);
        let found = kinds(&report);
        assert!(
            !found.is_empty() && found.iter().all(|k| k == "test-skipped"),
            "{path}: {found:?}"
        );
        let at = report.changes[0]
            .after
            .as_ref()
            .expect("a place in the new version");
        assert_eq!(at.path, *path);
    }
    // A test this very change adds never ran: skipping it is not "newly skipped" (a module of
    // ignored tests added with the code it tests, a new ignored test in an existing file).
    let report = guard(
        &[("src/lib.rs", "fn a() {}\n")],
        &[
            (
                "src/lib.rs",
                "fn a() {}\n#[test]\n#[ignore]\nfn slow_roundtrip() {}\n",
            ),
            (
                "tests/net.rs",
                "#[ignore]\nmod net {\n    #[test]\n    fn connects() {}\n}\n",
            ),
        ],
    );
    assert!(report.changes.is_empty(), "{:?}", kinds(&report));
    // An existing skip that moves is not new.
    let report = guard(
        &[("src/lib.rs", "#[ignore]\nfn a() {}\nfn b() {}\n")],
        &[("src/lib.rs", "fn b() {}\n#[ignore]\nfn a() {}\n")],
    );
    assert!(report.changes.is_empty(), "{:?}", kinds(&report));
}

#[test]
fn unparsable_new_version_is_a_reduction() {
    let report = guard(&[(CI, BASE)], &[(CI, "on: push\njobs: [\n")]);
    assert_eq!(kinds(&report), ["workflow-unparsable"]);
    assert!(report.changes[0].after.is_some());
}

#[test]
fn binary_new_version_is_a_reduction_and_binary_old_version_is_not_compared() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write_all(root, &[(CI, BASE)]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    std::fs::write(root.join(CI), b"\x00\x01binary").expect("write");
    git(root, &["commit", "-qam", "binary"]);
    let report = guard_git(root, Some("HEAD~1"), Some("HEAD")).expect("guard");
    assert_eq!(kinds(&report), ["workflow-unparsable"]);
    let report = guard_git(root, Some("HEAD"), Some("HEAD~1")).expect("guard");
    assert_eq!(kinds(&report), ["review:not-compared"]);
}

// ---- not reductions ----

#[test]
fn identical_versions_report_nothing() {
    assert_eq!(kinds_after(&[]), Vec::<String>::new());
}

#[test]
fn renamed_step_and_job_with_the_same_content() {
    assert_eq!(
        kinds_after(&[("      - name: Format\n", "      - name: Check formatting\n")]),
        Vec::<String>::new()
    );
    assert_eq!(
        kinds_after(&[
            ("  node:\n", "  javascript:\n"),
            ("needs: [test, node]", "needs: [test, javascript]")
        ]),
        Vec::<String>::new()
    );
}

#[test]
fn reordered_jobs_steps_and_triggers() {
    let after = BASE
        .replacen("      - name: Lint\n        run: cargo clippy --all-targets -- -D warnings\n", "", 1)
        .replacen("      - name: Test\n", "      - name: Lint\n        run: cargo clippy --all-targets -- -D warnings\n      - name: Test\n", 1)
        .replacen("  workflow_dispatch:\n", "", 1)
        .replacen("on:\n", "on:\n  workflow_dispatch:\n", 1);
    assert_eq!(
        kinds(&guard(&[(CI, BASE)], &[(CI, &after)])),
        Vec::<String>::new()
    );
}

#[test]
fn matrix_values_moved_between_include_and_axes() {
    let all_include = "        include:\n          - {os: linux, toolchain: stable}\n          - {os: linux, toolchain: beta}\n          - {os: windows, toolchain: stable}\n          - {os: windows, toolchain: beta}\n          - {os: linux, toolchain: nightly}\n";
    assert_eq!(
        kinds_after(&[(
            "        os: [linux, windows]\n        toolchain: [stable, beta]\n        include:\n          - os: linux\n            toolchain: nightly\n",
            all_include
        )]),
        Vec::<String>::new()
    );
}

#[test]
fn anchors_instead_of_repeated_text() {
    let repeated = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test --workspace\n      - run: cargo clippy -- -D warnings\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test --workspace\n      - run: cargo clippy -- -D warnings\n";
    let anchored = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: &checks\n      - run: cargo test --workspace\n      - run: cargo clippy -- -D warnings\n  b:\n    runs-on: ubuntu-latest\n    steps: *checks\n";
    assert_eq!(
        kinds(&guard(&[(CI, repeated)], &[(CI, anchored)])),
        Vec::<String>::new()
    );
}

#[test]
fn job_split_into_two() {
    let one = "on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test --workspace\n      - run: cargo clippy -- -D warnings\n";
    let two = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test --workspace\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo clippy -- -D warnings\n";
    assert_eq!(
        kinds(&guard(&[(CI, one)], &[(CI, two)])),
        Vec::<String>::new()
    );
    // Keeping the job and moving some steps to a new one is a split too.
    let kept = "on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test --workspace\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo clippy -- -D warnings\n";
    assert_eq!(
        kinds(&guard(&[(CI, one)], &[(CI, kept)])),
        Vec::<String>::new()
    );
    // A split that drops a step is not: the job is compared with the new job holding most of
    // its steps, which lacks the step.
    let lossy = two.replacen("      - run: cargo clippy -- -D warnings\n", "", 1);
    assert_eq!(
        kinds(&guard(&[(CI, one)], &[(CI, &lossy)])),
        ["step-removed"]
    );
}

#[test]
fn moved_workflow_file_and_widened_triggers() {
    let report = guard(&[(CI, BASE)], &[(".github/workflows/main.yml", BASE)]);
    assert_eq!(kinds(&report), Vec::<String>::new());
    assert_eq!(
        kinds_after(&[("    branches: [main, 'release/**']\n", "")]),
        Vec::<String>::new()
    );
    // Upgrades within one pin strength are not loosening.
    assert_eq!(
        kinds_after(&[("actions/setup-node@v4", "actions/setup-node@v5")]),
        Vec::<String>::new()
    );
}

#[test]
fn a_command_moved_to_another_step() {
    assert_eq!(
        kinds_after(&[
            ("      - name: Format\n        run: cargo fmt --check\n", ""),
            (
                "run: cargo test --all-features --workspace",
                "run: cargo test --all-features --workspace && cargo fmt --check"
            ),
        ]),
        Vec::<String>::new()
    );
}

// ---- review ----

#[test]
fn unclear_changes_ask_for_review() {
    assert_eq!(
        kinds_after(&[(
            "  deploy:\n    needs: [test, node]\n    runs-on: ubuntu-latest",
            "  deploy:\n    needs: [test, node]\n    runs-on: macos-latest"
        )]),
        ["review:runner-changed"]
    );
    assert_eq!(
        kinds_after(&[(
            "if: github.ref == 'refs/heads/main'",
            "if: github.ref == 'refs/heads/prod'"
        )]),
        ["review:condition-changed"]
    );
    assert_eq!(
        kinds_after(&[("needs: [test, node]", "needs: [node]")]),
        ["review:needs-removed"]
    );
    assert_eq!(
        kinds_after(&[(
            "      - run: ./deploy.sh\n",
            "      - run: ./deploy.sh\n        continue-on-error: ${{ matrix.experimental }}\n"
        )]),
        ["review:condition-changed"]
    );
    let named = |script: &str| {
        format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: Ship\n        run: {script}\n")
    };
    assert_eq!(
        kinds(&guard(
            &[(CI, &named("./deploy.sh"))],
            &[(CI, &named("./release.sh"))]
        )),
        ["review:script-changed"]
    );
    // An unnamed step replaced by another: a script guard cannot read is listed to review; one
    // named for a check (`./lint.sh`), or running a quality command, is a step removed.
    assert_eq!(
        kinds_after(&[(
            "    steps:\n      - run: ./deploy.sh",
            "    steps:\n      - run: ./release.sh"
        )]),
        ["review:script-changed"]
    );
    assert_eq!(
        kinds(&guard(
            &[(CI, &named("./scripts/lint.sh"))],
            &[(CI, &named("echo done").replace("name: Ship", "name: Done"))]
        )),
        ["step-removed"]
    );
    let opaque = |m: &str| {
        format!("on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix: ${{{{ fromJSON({m}) }}}}\n    steps:\n      - run: make\n")
    };
    assert_eq!(
        kinds(&guard(&[(CI, &opaque("a"))], &[(CI, &opaque("b"))])),
        ["review:matrix-changed"]
    );
}

/// A file that does not parse hides whatever changed in it: in either version it fails the run
/// (until fixed, or accepted by a comment), never a silent pass.
#[test]
fn a_parse_error_in_either_version_fails() {
    let report = guard(&[(CI, "on: push\njobs: [\n")], &[(CI, BASE)]);
    assert_eq!(kinds(&report), ["workflow-unparsable"]);
    assert!(report.changes[0].before.is_some());
    assert!(report.failed());
    // A new workflow that does not parse runs nothing either.
    let other = ".github/workflows/other.yml";
    let report = guard(&[(CI, BASE)], &[(CI, BASE), (other, "on: push\njobs: [\n")]);
    assert_eq!(kinds(&report), ["workflow-unparsable"]);
    assert!(report.failed());
    // The same broken bytes on both sides: nothing changed there.
    let broken = [(CI, BASE), (other, "on: push\njobs: [\n")];
    assert!(kinds(&guard(&broken, &broken)).is_empty());
    // A flow sequence closed at its key's column parses (GitHub runs it), so a job removed in
    // it is seen.
    let flow = BASE.replace(
        "    branches: [main, 'release/**']\n",
        "    branches: [\n      main,\n      'release/**'\n  ]\n",
    );
    let deploy = flow.find("  deploy:").expect("deploy job");
    let report = guard(&[(CI, &flow)], &[(CI, &flow[..deploy])]);
    assert_eq!(kinds(&report), ["job-removed"]);
}

// ---- accepted ----

#[test]
fn allow_reduction_comment_accepts_and_is_listed() {
    let after = format!(
        "# plimsoll: allow-reduction[flag-removed] --all-features breaks on windows until #12\n{}",
        BASE.replacen("--all-features ", "", 1)
    );
    let report = guard(&[(CI, BASE)], &[(CI, &after)]);
    assert_eq!(kinds(&report), ["accepted:flag-removed"]);
    assert!(!report.failed());
    let accepted = report.changes[0].accepted.as_ref().expect("accepted");
    assert_eq!(
        accepted.reason,
        "--all-features breaks on windows until #12"
    );
    assert_eq!(accepted.location.line, 1);

    // By subject: the job id.
    let after = BASE.replacen(
        "  deploy:\n",
        "  # plimsoll: allow-reduction[deploy] deployments moved to Argo\n  deploy:\n",
        1,
    );
    let report = guard(
        &[(CI, BASE)],
        &[(
            CI,
            &after.replacen(
                "    if: github.ref == 'refs/heads/main'\n",
                "    if: false\n",
                1,
            ),
        )],
    );
    assert_eq!(kinds(&report), ["accepted:if-false-added"]);

    // Without a reason it accepts nothing, and says so.
    let after = format!(
        "# plimsoll: allow-reduction[flag-removed]\n{}",
        BASE.replacen("--all-features ", "", 1)
    );
    let report = guard(&[(CI, BASE)], &[(CI, &after)]);
    assert_eq!(
        kinds(&report),
        ["flag-removed", "review:allow-without-reason"]
    );
}

#[test]
fn composite_actions_in_the_repository() {
    let action = "name: setup\nruns:\n  using: composite\n  steps:\n    - run: cargo test --all-features\n      shell: bash\n";
    let report = guard(
        &[(".github/actions/setup/action.yml", action)],
        &[(
            ".github/actions/setup/action.yml",
            &action.replacen(" --all-features", "", 1),
        )],
    );
    assert_eq!(kinds(&report), ["flag-removed"]);
}

#[test]
fn reusable_workflow_calls() {
    let caller = |r: &str| {
        format!("on: push\njobs:\n  call:\n    uses: org/ci/.github/workflows/rust.yml@{r}\n    with:\n      features: all\n")
    };
    assert_eq!(
        kinds(&guard(
            &[(CI, &caller("8f4b7f84864484a7bf31766abe9204da3cbe65b3"))],
            &[(CI, &caller("main"))]
        )),
        ["review:version-loosened"]
    );
    let changed = caller("v1").replacen("features: all", "features: none", 1);
    assert_eq!(
        kinds(&guard(&[(CI, &caller("v1"))], &[(CI, &changed)])),
        ["review:call-changed"]
    );
}

#[test]
fn working_tree_against_the_merge_base_with_the_default_branch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write_all(root, &[(CI, BASE)]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["checkout", "-qb", "feature"]);
    std::fs::write(
        root.join(CI),
        BASE.replacen("  workflow_dispatch:\n", "", 1),
    )
    .expect("write");
    let report = guard_git(root, None, None).expect("guard");
    assert_eq!(kinds(&report), ["trigger-removed"]);
    assert!(report.before.starts_with("merge base"));
    assert_eq!(report.after, "the working tree");
}

// ---- real false alarms (rewritten minimally from real histories) ----

/// A workflow renamed by git and edited on the way (`title.yml` → `pr.yml` with its job renamed)
/// is the same workflow: compared job by job, not reported as removed.
#[test]
fn a_workflow_renamed_and_edited_is_compared_not_removed() {
    let title = ".github/workflows/title.yml";
    let pr = ".github/workflows/pr.yml";
    let old = "name: lint PR title\non:\n  pull_request_target:\n    types: [opened, edited, synchronize]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npx commitlint --from HEAD~1\n      - run: deno run ./tools/verify_pr_title.js\n";
    let new = old
        .replace("name: lint PR title", "name: pr")
        .replace("  check:\n", "  lint-title:\n");
    let report = guard(&[(title, old)], &[(pr, &new)]);
    assert_eq!(kinds(&report), Vec::<String>::new());
    // Dropping a command on the way is still seen.
    let dropped = old
        .replace("name: lint PR title", "name: pr")
        .replace("      - run: deno run ./tools/verify_pr_title.js\n", "");
    let report = guard(&[(title, old)], &[(pr, &dropped)]);
    assert_eq!(kinds(&report), ["step-removed"]);
}

/// A stale-issue bot or an issue labeller checks no code: removing it is listed, not failed.
/// A workflow whose every job was already disabled loses nothing either.
#[test]
fn removing_a_workflow_that_checks_nothing_does_not_fail() {
    let stale = ".github/workflows/stale.yml";
    let bot = "name: Stale Check\non:\n  schedule:\n    - cron: '30 1 * * *'\njobs:\n  stale:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/stale@v9\n        with:\n          days-before-stale: 60\n";
    let report = guard(&[(CI, BASE), (stale, bot)], &[(CI, BASE)]);
    assert_eq!(kinds(&report), ["review:unchecked-workflow-removed"]);
    assert!(!report.failed());
    let triage = ".github/workflows/triage.yml";
    let labeller = "on:\n  issues:\n    types: [opened]\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/github-script@v7\n        with:\n          script: console.log('label')\n";
    let report = guard(&[(CI, BASE), (triage, labeller)], &[(CI, BASE)]);
    assert_eq!(kinds(&report), ["review:unchecked-workflow-removed"]);
    let bench = ".github/workflows/bench.yml";
    let disabled = "on: push\njobs:\n  bench:\n    if: false\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo bench\n";
    let report = guard(&[(CI, BASE), (bench, disabled)], &[(CI, BASE)]);
    assert_eq!(kinds(&report), ["review:unchecked-workflow-removed"]);
    // A scheduled workflow with scripts may be a test run guard cannot read (`remove weekly
    // beta job`, `remove wpt_epoch job`): still a removal.
    let weekly = "on:\n  schedule:\n    - cron: '0 12 * * 1'\n  workflow_dispatch:\njobs:\n  beta:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: dtolnay/rust-toolchain@beta\n      - run: cargo run -p ci -- test\n";
    let report = guard(&[(CI, BASE), (bench, weekly)], &[(CI, BASE)]);
    assert_eq!(kinds(&report), ["workflow-removed"]);
    // A scheduled workflow that runs tests is coverage.
    let nightly = "on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test --release\n";
    let report = guard(&[(CI, BASE), (bench, nightly)], &[(CI, BASE)]);
    assert_eq!(kinds(&report), ["workflow-removed"]);
}

/// A job moved into another workflow (`test-fastapi` from `ci.yml` into a new
/// `integration.yml`) still runs: compared there, not reported as removed.
#[test]
fn a_job_moved_to_another_workflow_is_compared_there() {
    let integration = ".github/workflows/integration.yml";
    let deploy = BASE.find("  deploy:").expect("deploy job");
    let ci_without = &BASE[..deploy];
    let moved = format!(
        "name: Integration\non:\n  push:\njobs:\n{}",
        &BASE[deploy..]
    );
    let report = guard(&[(CI, BASE)], &[(CI, ci_without), (integration, &moved)]);
    // The moved job no longer waits for jobs of the other workflow: worth a look only.
    assert!(!report.failed(), "{:?}", kinds(&report));
    // What the move dropped is still seen (a deploy script, which checks nothing guard knows
    // of: to review).
    let dropped = moved.replace("      - run: ./deploy.sh\n", "      - run: echo skipped\n");
    let report = guard(&[(CI, BASE)], &[(CI, ci_without), (integration, &dropped)]);
    assert!(
        kinds(&report).contains(&"review:script-changed".to_string()),
        "{:?}",
        kinds(&report)
    );
}

/// A matrix value edited in one combination (`target_rustflags: '--exclude=x'` → `''` for the
/// same target) still runs that leg: listed to review, not failed. A leg dropped, or moved to
/// another platform, is still a reduction.
#[test]
fn a_matrix_value_edited_is_a_review_not_a_lost_combination() {
    let matrix = |flags: &str, os: &str| {
        format!("on: push\njobs:\n  build:\n    runs-on: ${{{{ matrix.os }}}}\n    strategy:\n      matrix:\n        include:\n          - target: x86_64-unknown-linux-gnu\n            os: ubuntu-22.04\n            target_rustflags: ''\n          - target: armv7-unknown-linux-gnueabihf\n            os: {os}\n            target_rustflags: '{flags}'\n    steps:\n      - run: cargo build --target ${{{{ matrix.target }}}} ${{{{ matrix.target_rustflags }}}}\n")
    };
    let old = matrix("--exclude=nu-cmd-dataframe", "ubuntu-22.04");
    let report = guard(
        &[(CI, &old)],
        &[(CI, &matrix("--exclude=nu-cmd-polars", "ubuntu-22.04"))],
    );
    assert_eq!(kinds(&report), ["review:matrix-changed"]);
    assert!(
        report.changes[0].message.contains(
            "with `target_rustflags: --exclude=nu-cmd-polars` instead of `--exclude=nu-cmd-dataframe`"
        ),
        "{}",
        report.changes[0].message
    );
    // The exclusion dropped: the leg runs more, nothing to review.
    let report = guard(&[(CI, &old)], &[(CI, &matrix("", "ubuntu-22.04"))]);
    assert_eq!(kinds(&report), Vec::<String>::new());
    let report = guard(
        &[(CI, &old)],
        &[(CI, &matrix("--exclude=nu-cmd-dataframe", "macos-14"))],
    );
    assert_eq!(kinds(&report), ["matrix-combination-removed"]);
    // A condition narrowed with `&&` (WPT only with a label on pull requests) runs the leg less.
    let gated = |condition: &str| {
        matrix("--exclude=x", "ubuntu-22.04").replace(
            "          - target: x86_64-unknown-linux-gnu\n",
            &format!("          - target: x86_64-unknown-linux-gnu\n            wpt: '${{{{ {condition} }}}}'\n"),
        )
    };
    let (was, is) = (
        gated("!cancelled()"),
        gated("!cancelled() && contains(github.event.pull_request.labels.*.name, ''ci-wpt'')"),
    );
    assert_eq!(
        kinds(&guard(&[(CI, &was)], &[(CI, &is)])),
        ["matrix-combination-removed"]
    );
    let one_leg = old.replace("          - target: armv7-unknown-linux-gnueabihf\n            os: ubuntu-22.04\n            target_rustflags: '--exclude=nu-cmd-dataframe'\n", "");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &one_leg)])),
        ["matrix-combination-removed"]
    );
}

// ---- false alarms of real history (crates/plimsoll/tests/data/guard-history.tsv) ----

/// A matrix leg whose runner label moves within its platform (deno: `ubuntu-22.04` →
/// `ubuntu-24.04`, `macos-13` → `macos-15-intel`, a self-hosted label chosen by an expression)
/// still runs: a review. A `skip:` key added to the leg, or a move to another system, loses it.
#[test]
fn a_runner_label_edited_within_its_platform_is_not_a_lost_leg() {
    let matrix = |runner: &str, extra: &str| {
        format!("on: push\njobs:\n  build:\n    runs-on: ${{{{ matrix.runner }}}}\n    strategy:\n      matrix:\n        include:\n          - os: macos\n            arch: x86_64\n            runner: {runner}\n            job: test\n{extra}          - os: linux\n            arch: x86_64\n            runner: ubuntu-22.04\n            job: lint\n    steps:\n      - run: cargo test\n")
    };
    let old = matrix("macos-13", "");
    for runner in [
        "macos-15-intel",
        "'${{ github.ref == ''refs/heads/main'' && ''self-hosted'' || ''macos-13'' }}'",
    ] {
        let report = guard(&[(CI, &old)], &[(CI, &matrix(runner, ""))]);
        assert_eq!(kinds(&report), ["review:matrix-changed"], "{runner}");
        assert!(report.changes[0].message.contains("instead of `macos-13`"));
    }
    let skipped = matrix(
        "macos-13",
        "            skip: '${{ github.event_name == ''pull_request'' }}'\n",
    );
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &skipped)])),
        ["matrix-combination-removed"]
    );
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &matrix("ubuntu-24.04", ""))])),
        ["matrix-combination-removed"]
    );
}

/// Matrix entries written as mappings that gain fields (tauri: `cross: false, command: test`),
/// and values grouped into lists run by a loop (prometheus's fuzz targets), keep every leg.
#[test]
fn matrix_mappings_extended_and_values_grouped_keep_their_legs() {
    let platforms = |extra: &str| {
        format!("on: push\njobs:\n  test:\n    runs-on: ${{{{ matrix.platform.os }}}}\n    strategy:\n      matrix:\n        platform:\n          - {{ target: x86_64-pc-windows-msvc, os: windows-latest{extra} }}\n          - {{ target: x86_64-unknown-linux-gnu, os: ubuntu-latest{extra} }}\n    steps:\n      - run: cargo test --target ${{{{ matrix.platform.target }}}}\n")
    };
    let report = guard(
        &[(CI, &platforms(""))],
        &[(CI, &platforms(", cross: false, command: test"))],
    );
    assert_eq!(kinds(&report), Vec::<String>::new());
    let fuzz = |values: &str| {
        format!("on: push\njobs:\n  fuzzing:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        fuzz_test: {values}\n    steps:\n      - run: go test -fuzz=${{{{ matrix.fuzz_test }}}} ./fuzzing\n")
    };
    let report = guard(
        &[(CI, &fuzz("[FuzzA, FuzzB, FuzzC]"))],
        &[(CI, &fuzz("[[FuzzA, FuzzB], [FuzzC]]"))],
    );
    assert!(!report
        .changes
        .iter()
        .any(|c| c.kind == plimsoll_guard::Kind::MatrixCombinationRemoved));
    let report = guard(
        &[(CI, &fuzz("[FuzzA, FuzzB, FuzzC]"))],
        &[(CI, &fuzz("[[FuzzA, FuzzB]]"))],
    );
    assert_eq!(kinds(&report)[0], "matrix-combination-removed");
}

/// Steps that only prepare (checkout, setup and auth actions, installers, echo to
/// `GITHUB_OUTPUT`) check nothing: removing them is silent. Per-path caches replaced by one
/// cache action keep the job cached.
#[test]
fn steps_that_only_prepare_are_not_coverage() {
    let job = |steps: &str| {
        format!("on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n{steps}      - run: cargo test\n")
    };
    let old = job("      - uses: actions/checkout@v4\n      - uses: google-github-actions/auth@v2\n        with:\n          project_id: p\n      - uses: google-github-actions/setup-gcloud@v2\n      - run: pip install -U twine\n      - name: Set Outputs of Short SHA\n        run: echo \"sha=$(git rev-parse --short HEAD)\" >> $GITHUB_OUTPUT\n      - uses: actions/cache@v4\n        with:\n          path: ~/.cargo/registry\n          key: registry\n      - uses: actions/cache@v4\n        with:\n          path: target\n          key: target\n");
    let new = job("      - uses: actions/checkout@v4\n      - uses: Swatinem/rust-cache@v2\n");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &new)])),
        Vec::<String>::new()
    );
    // A step that checks is still a loss.
    let linted = job("      - uses: golangci/golangci-lint-action@v6\n");
    assert_eq!(
        kinds(&guard(&[(CI, &linted)], &[(CI, &job(""))])),
        ["step-removed"]
    );
}

/// A job renamed and edited (nushell: `all` → `release`) is compared with its new version; a job
/// merged into another as a new step running the same command (deno's `check-lsp-tracing`) and
/// a step moved to a new job (prometheus's 32-bit tests, with `-parallel=1` added) still run.
#[test]
fn jobs_renamed_merged_and_steps_moved_still_run() {
    let steps = "      - uses: actions/checkout@v4\n      - name: Build\n        run: cargo build --release\n      - name: Test\n        run: cargo test --release\n";
    let old = format!(
        "on: push\njobs:\n  all:\n    name: All\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
    );
    let new = format!("on: push\njobs:\n  release:\n    name: Release\n    runs-on: ubuntu-latest\n    steps:\n{steps}      - name: Publish\n        run: ./publish.sh\n");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &new)])),
        Vec::<String>::new()
    );
    let dropped = new.replace(
        "        run: cargo test --release\n",
        "        run: echo no tests\n",
    );
    assert!(
        kinds(&guard(&[(CI, &old)], &[(CI, &dropped)])).contains(&"command-removed".to_string())
    );

    let two = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo build --all-targets\n  check-tracing:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo check -p deno --features=lsp-tracing\n";
    let merged = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo build --all-targets\n      - name: Check tracing build\n        run: cargo check -p deno --features=lsp-tracing\n";
    assert_eq!(
        kinds(&guard(&[(CI, two)], &[(CI, merged)])),
        Vec::<String>::new()
    );
    let not_merged = merged.replace("--features=lsp-tracing", "");
    assert_eq!(
        kinds(&guard(&[(CI, two)], &[(CI, &not_merged)])),
        ["job-removed"]
    );

    let one = "on: push\njobs:\n  more:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test -race ./tsdb/\n      - run: GOARCH=386 go test ./...\n";
    let split = "on: push\njobs:\n  more:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test -race ./tsdb/\n  test_go_386:\n    runs-on: ubuntu-latest\n    steps:\n      - run: GOARCH=386 go test -parallel=1 ./...\n";
    assert_eq!(
        kinds(&guard(&[(CI, one)], &[(CI, split)])),
        Vec::<String>::new()
    );
}

/// A command kept with only another subcommand (tauri: `cargo vet --locked` commented out while
/// `cargo vet suggest --locked` stays) no longer runs; paths joined into one command
/// (prometheus: two `go test -race <pkg>` lines merged) still do.
#[test]
fn a_subcommand_added_is_another_command_paths_joined_are_not() {
    let job = |steps: &str| {
        format!("on: push\njobs:\n  vet:\n    runs-on: ubuntu-latest\n    steps:\n{steps}")
    };
    let old = job("      - run: cargo vet suggest --locked\n      - name: Invoke cargo-vet\n        run: cargo vet --locked\n");
    let new = job("      - run: cargo vet suggest --locked\n");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &new)])),
        ["step-removed"]
    );
    let old = job(
        "      - run: go test -race ./cmd/prometheus\n      - run: go test -race ./prompb/client\n",
    );
    let new = job("      - run: go test -race ./cmd/prometheus ./prompb/client\n");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &new)])),
        Vec::<String>::new()
    );
}

/// Flags compared by meaning (`--all` is `--workspace`, `--all-features` passes every
/// `--features x`, a wrapper's own flags are not the tool's), a narrowing flag dropped runs more
/// (prometheus: `go test -skip …` → `go test`), a value edited is a review, and flags added that
/// narrow a command (`--lib --tests --bins` drops the doctests) are a loss.
#[test]
fn flags_by_meaning_and_flags_that_narrow() {
    let job = |run: &str| {
        format!(
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n"
        )
    };
    let same = |a: &str, b: &str| kinds(&guard(&[(CI, &job(a))], &[(CI, &job(b))]));
    assert_eq!(
        same("cargo test --all", "cargo test --workspace"),
        Vec::<String>::new()
    );
    assert_eq!(
        same(
            "cargo clippy --features x -- -D warnings",
            "cargo clippy --all-features -- --deny warnings"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        same(
            "cargo check --all-targets",
            "cargo hack check --all-targets --each-feature"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        same(
            "uv run --no-project --no-sync pytest tests",
            "uv run --no-sync pytest tests"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        same("go test -skip ${SKIP} ./...", "go test ./..."),
        Vec::<String>::new()
    );
    assert_eq!(
        same(
            "go test -fuzz=FuzzA -fuzztime=5m ./f",
            "go test -fuzz=FuzzA -fuzztime=4m ./f"
        ),
        ["review:script-changed"]
    );
    assert_eq!(
        same(
            "cargo test --workspace",
            "cargo test --workspace --lib --tests --bins"
        ),
        ["command-narrowed"]
    );
    assert_eq!(
        same("pytest tests", "pytest -k 'not slow' tests"),
        ["command-narrowed"]
    );
    assert_eq!(
        same("cargo test -p a", "cargo test -p a -p b"),
        Vec::<String>::new()
    );
    let report = guard(
        &[(CI, &job("cargo test"))],
        &[(CI, &job("cargo test --lib"))],
    );
    let change = &report.changes[0];
    assert!(change
        .message
        .contains("now passes `--lib`: it runs less than `cargo test`"));
    assert_eq!(
        (
            change.before.as_ref().map(|l| l.line),
            change.after.as_ref().map(|l| l.line)
        ),
        (Some(6), Some(6))
    );
}

/// A `tags` filter added to a `push` that filters branches adds runs for tags (prometheus:
/// "Also run CI on release tags"): it narrows nothing.
#[test]
fn tags_added_to_a_branch_push_widen_it() {
    let on = |filters: &str| {
        format!("on:\n  push:\n{filters}jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n")
    };
    let branches = on("    branches: [main, 'release-*']\n");
    let both = on("    branches: [main, 'release-*']\n    tags: ['v*']\n");
    assert_eq!(
        kinds(&guard(&[(CI, &branches)], &[(CI, &both)])),
        Vec::<String>::new()
    );
    let tags_only = on("    tags: ['v*']\n");
    assert_eq!(
        kinds(&guard(&[(CI, &branches)], &[(CI, &tags_only)]))[0],
        "trigger-narrowed"
    );
}

/// `set +e` that lets a script read an exit status (`PIPESTATUS`, `$?`) and then exit with it
/// fails the step as before: not masking. One that lets the failure pass still is.
#[test]
fn set_plus_e_to_read_the_exit_status_is_not_masking() {
    let job = |run: &str| {
        format!(
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n{run}"
        )
    };
    let old = job("          cargo test 2>&1 | tee log.txt\n");
    let captured = job("          set +e\n          cargo test 2>&1 | tee log.txt\n          status=${PIPESTATUS[0]}\n          grep -q 'error' log.txt && echo found\n          exit $status\n");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &captured)])),
        Vec::<String>::new()
    );
    let swallowed =
        job("          set +e\n          cargo test 2>&1 | tee log.txt\n          echo done\n");
    assert_eq!(
        kinds(&guard(&[(CI, &old)], &[(CI, &swallowed)])),
        ["failure-masked"]
    );
}

/// Action inputs that turn a gate or a cache off are losses (`fail_ci_if_error: false`,
/// `cache: false`, `rustflags: ''` on setup-rust-toolchain, whose default denies warnings);
/// turning them on, or keeping `-D warnings`, is not.
#[test]
fn action_inputs_that_turn_a_gate_or_cache_off() {
    let step = |uses: &str, with: &str| {
        format!("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {uses}\n{with}      - run: cargo test\n")
    };
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "codecov/codecov-action@v5",
            "        with:\n          fail_ci_if_error: true\n",
            "        with:\n          fail_ci_if_error: false\n",
            &["gate-weakened"],
        ),
        (
            "actions/setup-go@v5",
            "",
            "        with:\n          cache: false\n",
            &["cache-removed"],
        ),
        (
            "actions-rust-lang/setup-rust-toolchain@v1",
            "",
            "        with:\n          rustflags: ''\n",
            &["gate-weakened"],
        ),
        (
            "actions-rust-lang/setup-rust-toolchain@v1",
            "",
            "        with:\n          rustflags: -D warnings -C debuginfo=0\n",
            &[],
        ),
        (
            "codecov/codecov-action@v5",
            "        with:\n          fail_ci_if_error: false\n",
            "        with:\n          fail_ci_if_error: true\n",
            &[],
        ),
    ];
    for (uses, before, after, expected) in cases {
        let report = guard(&[(CI, &step(uses, before))], &[(CI, &step(uses, after))]);
        assert_eq!(kinds(&report), *expected, "{uses}: {after}");
    }
    let report = guard(
        &[(CI, &step("codecov/codecov-action@v5", ""))],
        &[(
            CI,
            &step(
                "codecov/codecov-action@v5",
                "        with:\n          fail_ci_if_error: false\n",
            ),
        )],
    );
    assert_eq!(report.changes[0].after.as_ref().map(|l| l.line), Some(8));
    assert!(report.changes[0].message.contains("instead of `(not set)`"));
}

/// Steps moved into a local composite action (`uses: ./.github/actions/setup`) or a job moved
/// into a same-repository reusable workflow (uv's planner in `plan.yml`) still run: the action's
/// and the workflow's steps are part of the job, in both versions. A check dropped from the
/// action on the way is still a loss, reported once (in the action's file).
#[test]
fn local_composite_actions_and_reusable_workflows_are_followed() {
    let inline = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo fmt --check\n      - run: cargo clippy -- -D warnings\n      - run: cargo test\n";
    let using = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/lint\n      - run: cargo test\n";
    let action = |steps: &str| format!("name: lint\nruns:\n  using: composite\n  steps:\n{steps}");
    let both = "    - run: cargo fmt --check\n      shell: bash\n    - run: cargo clippy -- -D warnings\n      shell: bash\n";
    let lint = ".github/actions/lint/action.yml";
    let report = guard(&[(CI, inline)], &[(CI, using), (lint, &action(both))]);
    assert_eq!(kinds(&report), Vec::<String>::new());
    let fmt_only = "    - run: cargo fmt --check\n      shell: bash\n";
    let report = guard(&[(CI, inline)], &[(CI, using), (lint, &action(fmt_only))]);
    assert_eq!(kinds(&report), ["step-removed"]);
    assert!(report.changes[0]
        .message
        .contains("cargo clippy -- -D warnings"));
    // Dropped later from the action: reported in the action's file, not in every job using it.
    let report = guard(
        &[(CI, using), (lint, &action(both))],
        &[(CI, using), (lint, &action(fmt_only))],
    );
    assert_eq!(kinds(&report), ["step-removed"]);
    assert_eq!(
        report.changes[0].before.as_ref().map(|l| l.path.as_str()),
        Some(lint)
    );

    let plan = ".github/workflows/plan.yml";
    let caller = "on: push\njobs:\n  plan:\n    uses: ./.github/workflows/plan.yml\n";
    let called = "on: workflow_call\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo fmt --check\n      - run: cargo clippy -- -D warnings\n      - run: cargo test\n";
    let job = inline.replace("  test:", "  plan:");
    let report = guard(&[(CI, &job)], &[(CI, caller), (plan, called)]);
    assert!(!report.failed(), "{:?}", kinds(&report));
    // `$/path` names the same repository at the caller's commit, like `./path`.
    let dollar = caller.replace("./.github", "$/.github");
    let report = guard(
        &[(CI, caller), (plan, called)],
        &[(CI, &dollar), (plan, called)],
    );
    assert!(!report.failed(), "{:?}", report.changes);
}

/// One change is reported once: two old commands narrowed into the same new one (deno's
/// `cargo test --lib` and `--tests` lines replaced by one `--exclude` run) give one finding.
#[test]
fn one_change_is_reported_once() {
    let job = |run: &str| {
        format!(
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n{run}"
        )
    };
    let old = job("          cargo test --locked\n          cargo test --locked\n");
    let new = job("          cargo test --locked --skip slow\n");
    let report = guard(&[(CI, &old)], &[(CI, &new)]);
    assert_eq!(kinds(&report), ["command-narrowed"]);
}

/// An environment variable that made warnings fail (`RUSTFLAGS: -Dwarnings`), unset or
/// weakened at the workflow or job level, is a loss named with both places; an unrelated
/// variable (`CARGO_INCREMENTAL`) or the same flags respelled are not.
#[test]
fn environment_that_weakens_a_gate() {
    let wf = |env: &str, job_env: &str| {
        format!("on: push\n{env}jobs:\n  t:\n    runs-on: ubuntu-latest\n{job_env}    steps:\n      - run: cargo test\n")
    };
    let strict = wf(
        "env:\n  RUSTFLAGS: -Dwarnings\n  CARGO_INCREMENTAL: 0\n",
        "",
    );
    let cases: &[(String, &[&str])] = &[
        (wf("env:\n  CARGO_INCREMENTAL: 0\n", ""), &["gate-weakened"]),
        (
            wf(
                "env:\n  RUSTFLAGS: -Dwarnings\n",
                "    env:\n      RUSTFLAGS: ''\n",
            ),
            &["gate-weakened"],
        ),
        (
            wf("env:\n  RUSTFLAGS: -D warnings -C debuginfo=0\n", ""),
            &[],
        ),
        (wf("env:\n  RUSTFLAGS: -Dwarnings\n", ""), &[]),
    ];
    for (after, expected) in cases {
        let report = guard(&[(CI, &strict)], &[(CI, after)]);
        assert_eq!(kinds(&report), *expected, "{after}");
    }
    let report = guard(
        &[(CI, &strict)],
        &[(
            CI,
            &wf(
                "env:\n  RUSTFLAGS: -Dwarnings\n",
                "    env:\n      RUSTFLAGS: ''\n",
            ),
        )],
    );
    let change = &report.changes[0];
    assert_eq!(change.before.as_ref().map(|l| l.line), Some(3));
    assert_eq!(change.after.as_ref().map(|l| l.line), Some(8));
}

/// A matrix value `rustflags: ""` that overrides the workflow's `RUSTFLAGS: -Dwarnings` (the
/// issue's missed case): warnings no longer fail that leg.
#[test]
fn a_matrix_value_that_overrides_a_strict_variable() {
    let wf = |legs: &str| {
        format!("on: push\nenv:\n  RUSTFLAGS: -Dwarnings\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        include:\n{legs}    steps:\n      - run: cargo build --target ${{{{ matrix.target }}}}\n        env:\n          RUSTFLAGS: ${{{{ matrix.rustflags }}}}\n")
    };
    let old =
        wf("          - target: x86_64-unknown-linux-gnu\n            rustflags: -Dwarnings\n");
    let new = wf("          - target: x86_64-unknown-linux-gnu\n            rustflags: -Dwarnings\n          - target: armv7-unknown-linux-gnueabihf\n            rustflags: ''\n");
    let report = guard(&[(CI, &old)], &[(CI, &new)]);
    assert_eq!(kinds(&report), ["gate-weakened"]);
    assert!(report.changes[0]
        .message
        .contains("overrides `RUSTFLAGS: -Dwarnings`"));
    assert_eq!(report.changes[0].before.as_ref().map(|l| l.line), Some(3));
}
