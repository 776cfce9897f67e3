//! Helping a reader through a long report: test data lowered to notes, `--statistics`, and the
//! summary's most frequent rules; and the small outputs a new user meets first (`rules`,
//! `explain`).

use predicates::prelude::*;

mod common;
use common::{plimsoll, stdout_of, workspace, write};

/// A Dockerfile with two findings (`unpinned-base-image`, an error, and `runs-as-root`): a
/// service image, which names its program (an image naming none is a base, a note).
const UNPINNED_ROOT: &str = "FROM ubuntu:latest\nRUN echo hi\nENTRYPOINT [\"/app\"]\n";

/// The same Dockerfile in production and in five folders of test data (a CI test environment's
/// among them).
fn repository_with_test_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", UNPINNED_ROOT);
    write(dir.path(), "tests/Dockerfile", UNPINNED_ROOT);
    write(dir.path(), "pkg/testdata/Dockerfile", UNPINNED_ROOT);
    write(dir.path(), "web/__fixtures__/app/Dockerfile", UNPINNED_ROOT);
    write(dir.path(), "deploy/e2e-tests/Dockerfile", UNPINNED_ROOT);
    write(dir.path(), "ci/pod/Dockerfile", UNPINNED_ROOT);
    write(dir.path(), ".dockerignore", ".git\n.env*\ntarget\n");
    for folder in [
        "tests",
        "pkg/testdata",
        "web/__fixtures__/app",
        "deploy/e2e-tests",
        "ci/pod",
    ] {
        write(
            dir.path(),
            &format!("{folder}/.dockerignore"),
            ".git\n.env*\ntarget\n",
        );
    }
    dir
}

/// The lines of a human report from its summary line on.
fn summary_of(report: &[u8]) -> String {
    let report = String::from_utf8_lossy(report);
    let lines: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("Found "))
        .collect();
    lines.join("\n")
}

/// `(path, rule, severity)` of every finding of a JSON report.
fn findings_of(json: &[u8]) -> Vec<(String, String, String)> {
    let json: serde_json::Value = serde_json::from_slice(json).unwrap();
    let mut found: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"]["name"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn findings_in_test_data_are_lowered_to_notes_and_the_summary_says_why() {
    let dir = repository_with_test_data();
    let output = stdout_of(dir.path(), &["check", "--isolated", "--format", "json"], 1);
    let found = findings_of(&output);
    let production: Vec<_> = found.iter().filter(|f| f.0 == "Dockerfile").collect();
    assert!(
        production
            .iter()
            .any(|f| f.1 == "unpinned-base-image" && f.2 == "error"),
        "{found:?}"
    );
    let test_data: Vec<_> = found.iter().filter(|f| f.0 != "Dockerfile").collect();
    assert_eq!(test_data.len(), 5 * production.len(), "{found:?}");
    assert!(test_data.iter().all(|f| f.2 == "note"), "{found:?}");
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let lowered = test_data
        .iter()
        .filter(|f| production.iter().any(|p| p.1 == f.1 && p.2 != "note"))
        .count();
    assert_eq!(json["summary"]["lowered_test_data"], lowered);

    let human = stdout_of(dir.path(), &["check", "--isolated"], 1);
    insta::assert_snapshot!("test-data-summary", summary_of(&human));
}

#[test]
fn test_data_folders_are_configurable() {
    let dir = repository_with_test_data();
    // No folder is test data: every copy is reported as in production.
    write(dir.path(), "plimsoll.toml", "test-data = []\n");
    let output = stdout_of(dir.path(), &["check", "--format", "json"], 1);
    let found = findings_of(&output);
    assert!(
        found
            .iter()
            .filter(|f| f.1 == "unpinned-base-image")
            .all(|f| f.2 == "error"),
        "{found:?}"
    );
    // Only the folders listed.
    write(
        dir.path(),
        "plimsoll.toml",
        "test-data = [\"**/testdata\"]\n",
    );
    let output = stdout_of(dir.path(), &["check", "--format", "json"], 1);
    let lowered: Vec<String> = findings_of(&output)
        .into_iter()
        .filter(|f| f.1 == "unpinned-base-image" && f.2 == "note")
        .map(|f| f.0)
        .collect();
    assert_eq!(lowered, ["pkg/testdata/Dockerfile"]);
    // A bad glob is an error at its line.
    write(dir.path(), "plimsoll.toml", "\ntest-data = [\"a/[\"]\n");
    plimsoll(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plimsoll.toml:2:"));
}

#[test]
fn statistics_count_the_findings_of_each_rule() {
    let output = stdout_of(
        &workspace(),
        &["check", "examples/bad", "--isolated", "--statistics"],
        1,
    );
    insta::assert_snapshot!(
        "examples-bad-statistics",
        String::from_utf8(output).unwrap()
    );
    let output = stdout_of(
        &workspace(),
        &[
            "check",
            "examples/bad",
            "--isolated",
            "--statistics",
            "--format",
            "json",
        ],
        1,
    );
    let rules: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let rules = rules.as_array().unwrap();
    let counts: Vec<u64> = rules.iter().map(|r| r["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let full = stdout_of(
        &workspace(),
        &["check", "examples/bad", "--isolated", "--format", "json"],
        1,
    );
    let full: serde_json::Value = serde_json::from_slice(&full).unwrap();
    assert_eq!(
        counts.iter().sum::<u64>(),
        full["summary"]["findings"].as_u64().unwrap()
    );
}

#[test]
fn a_long_report_names_its_most_frequent_rules_and_how_to_turn_one_off() {
    let dir = tempfile::tempdir().unwrap();
    // Four services, each a project whose build context holds its manifest and is copied whole
    // (and so needs a `.dockerignore`).
    let copies_project = UNPINNED_ROOT.replace("ENTRYPOINT", "COPY . /app\nENTRYPOINT");
    for service in ["api", "web", "worker", "cron"] {
        write(
            dir.path(),
            &format!("{service}/Dockerfile"),
            &copies_project,
        );
        write(dir.path(), &format!("{service}/package.json"), "{}\n");
    }
    let summary = summary_of(&stdout_of(dir.path(), &["check", "--isolated"], 1));
    insta::assert_snapshot!("most-frequent-rules", summary);
    // What it advises works.
    let top = summary
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split('`')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    plimsoll(dir.path())
        .args(["check", "--isolated", "--statistics", "--disable", &top])
        .assert()
        .stdout(predicate::str::contains(top.as_str()).not());
    // `--ignore`, as ruff spells it, does the same.
    plimsoll(dir.path())
        .args(["check", "--isolated", "--statistics", "--ignore", &top])
        .assert()
        .stdout(predicate::str::contains(top.as_str()).not());
}

#[test]
fn rules_say_strict_once_and_explain_ends_its_last_line() {
    let output = stdout_of(&workspace(), &["rules"], 0);
    let text = String::from_utf8(output).unwrap();
    let strict: Vec<&str> = text.lines().filter(|l| l.contains("(strict)")).collect();
    assert!(!strict.is_empty());
    assert!(
        strict.iter().all(|l| l.matches("(strict)").count() == 1),
        "{strict:?}"
    );
    let output = stdout_of(&workspace(), &["explain", "missing-timeout"], 0);
    assert!(
        output.ends_with(b"```\n"),
        "{}",
        String::from_utf8_lossy(&output)
    );
}

#[test]
fn missing_timeout_is_one_finding_per_workflow_and_a_suppression_exempts_one_job() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "wf.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n  # plimsoll: ignore[missing-timeout] the linter stops itself\n  lint:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make lint\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n",
    );
    let output = stdout_of(
        dir.path(),
        &["check", "wf.yml", "--isolated", "--format", "json"],
        1,
    );
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let findings: Vec<(String, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"]["name"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [(
            "missing-timeout".to_string(),
            5,
            "2 jobs have no `timeout-minutes`: `build` and `test`; each may run for up to 6 hours"
                .to_string()
        )]
    );
}

#[test]
fn the_repository_own_actions_at_a_branch_are_not_a_third_partys_moving_code() {
    let dir = tempfile::tempdir().unwrap();
    common::git(dir.path(), &["init", "-q"]);
    common::git(
        dir.path(),
        &[
            "remote",
            "add",
            "origin",
            "git@github.com:My-Org/my-repo.git",
        ],
    );
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - uses: my-org/my-repo/.github/actions/setup@main\n      - uses: other-org/my-repo/.github/actions/setup@main\n",
    );
    let output = stdout_of(
        dir.path(),
        &[
            "check",
            ".github/workflows/ci.yml",
            "--isolated",
            "--format",
            "json",
        ],
        1,
    );
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let unpinned: Vec<u64> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"]["name"] == "unpinned-action")
        .map(|f| f["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(unpinned, [10]);
}

#[test]
fn folders_above_a_project_named_from_elsewhere_are_not_its_test_data() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tests/project/Dockerfile", UNPINNED_ROOT);
    write(dir.path(), "tests/project/.dockerignore", ".git\n.env*\n");
    write(dir.path(), "elsewhere/notes.txt", "nothing\n");
    let project = dir.path().join("tests/project");
    let severity_named_from = |cwd: &std::path::Path, target: &str| -> String {
        let output = stdout_of(cwd, &["check", target, "--isolated", "--format", "json"], 1);
        let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"]["name"] == "unpinned-base-image")
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    // Named from outside: `tests/` is where the project sits, not a folder of the project.
    let project_arg = project.display().to_string();
    assert_eq!(
        severity_named_from(&dir.path().join("elsewhere"), &project_arg),
        "error"
    );
    // Named from the folder holding it: `tests/` is the project's test data.
    plimsoll(dir.path())
        .args(["check", "tests/project", "--isolated", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"severity\": \"note\""));
}

/// The same Dockerfile in production, in an example, in documentation and in an archived
/// folder, beside an OSS-Fuzz project's build image.
fn repository_with_examples() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["", "examples/app/", "docs/", "deploy/_archived/"] {
        write(dir.path(), &format!("{folder}Dockerfile"), UNPINNED_ROOT);
        write(
            dir.path(),
            &format!("{folder}.dockerignore"),
            ".git\n.env*\ntarget\n",
        );
    }
    write(
        dir.path(),
        "fuzz/Dockerfile",
        "FROM gcr.io/oss-fuzz-base/base-builder\nRUN git clone --depth 1 https://github.com/acme/app app\nCOPY build.sh $SRC/\n",
    );
    write(dir.path(), "fuzz/.dockerignore", ".git\n.env*\ntarget\n");
    dir
}

#[test]
fn findings_in_examples_and_fuzzing_images_are_lowered_and_the_summary_says_why() {
    let dir = repository_with_examples();
    let output = stdout_of(dir.path(), &["check", "--isolated", "--format", "json"], 1);
    let found = findings_of(&output);
    let severity = |path: &str, rule: &str| {
        found
            .iter()
            .find(|f| f.0 == path && f.1 == rule)
            .map(|f| f.2.clone())
    };
    assert_eq!(
        severity("Dockerfile", "runs-as-root").as_deref(),
        Some("error")
    );
    for example in [
        "examples/app/Dockerfile",
        "docs/Dockerfile",
        "deploy/_archived/Dockerfile",
    ] {
        assert_eq!(
            severity(example, "runs-as-root").as_deref(),
            Some("note"),
            "{found:?}"
        );
    }
    assert_eq!(
        severity("fuzz/Dockerfile", "runs-as-root").as_deref(),
        Some("note"),
        "{found:?}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(json["summary"]["lowered_examples"], 6, "{found:?}");
    assert_eq!(json["summary"]["lowered_fuzzing_images"], 2, "{found:?}");

    let human = stdout_of(dir.path(), &["check", "--isolated"], 1);
    insta::assert_snapshot!("examples-summary", summary_of(&human));
}

#[test]
fn an_example_named_on_the_command_line_or_configured_away_is_checked_as_production() {
    let dir = repository_with_examples();
    let named = stdout_of(
        dir.path(),
        &["check", "--isolated", "--format", "json", "examples/app"],
        1,
    );
    let found = findings_of(&named);
    assert!(
        found
            .iter()
            .any(|f| f.1 == "runs-as-root" && f.2 == "error"),
        "{found:?}"
    );
    write(
        dir.path(),
        "plimsoll.toml",
        "examples = []\ntest-data = []\n",
    );
    let output = stdout_of(dir.path(), &["check", "--format", "json"], 1);
    let found = findings_of(&output);
    assert!(
        found
            .iter()
            .filter(|f| f.1 == "runs-as-root")
            .all(|f| f.2 == "error"),
        "{found:?}"
    );
    assert_eq!(found.iter().filter(|f| f.1 == "runs-as-root").count(), 5);
}
