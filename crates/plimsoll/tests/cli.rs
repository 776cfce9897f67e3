//! The real binary on real files: exit codes, formats, configuration layers, suppressions,
//! baselines and bad input.

use std::fs;
use std::path::PathBuf;

use predicates::prelude::*;

mod common;
use common::{plimsoll, write};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const BOUNDED_WORKFLOW: &str = "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - run: make test\n";

#[test]
fn the_bad_example_fails_with_findings_and_the_clean_one_passes() {
    let output = plimsoll(&workspace())
        .args(["check", "examples/bad"])
        // A fixed key, for the same redacted forms in every run of the test.
        .env("PLIMSOLL_SECRET_KEY", "plimsoll-tests")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    insta::assert_snapshot!("examples-bad-human", text);
    plimsoll(&workspace())
        .args(["check", "examples/clean"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn this_repository_passes_its_own_audit() {
    plimsoll(&workspace())
        .args(["check", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn json_output_is_versioned_and_located() {
    let output = plimsoll(&workspace())
        .args(["check", "examples/bad", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(json["version"], 1);
    let findings = json["findings"].as_array().unwrap();
    let injection = findings
        .iter()
        .find(|f| f["rule"]["name"] == "template-injection")
        .expect("template injection in examples/bad");
    assert_eq!(
        injection["path"],
        "examples/bad/.github/workflows/pr-comment.yml"
    );
    assert_eq!(injection["start"]["line"], 18);
    assert_eq!(injection["start"]["column"], 42);
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    plimsoll(&workspace())
        .args(["check", "examples/bad", "--format", "sarif", "--output"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn fail_on_and_environment_layers_decide_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // Only a warning (no timeout) and a note (no concurrency group): fails at `warning`.
    write(dir.path(), "wf.yml", b"on: pull_request\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n");
    plimsoll(dir.path())
        .args(["check", "wf.yml"])
        .assert()
        .code(1);
    plimsoll(dir.path())
        .args(["check", "wf.yml", "--fail-on", "error"])
        .assert()
        .code(0);
    plimsoll(dir.path())
        .args(["check", "wf.yml"])
        .env("PLIMSOLL_FAIL_ON", "error")
        .assert()
        .code(0);
    // Flags beat the environment.
    plimsoll(dir.path())
        .args(["check", "wf.yml", "--fail-on", "note"])
        .env("PLIMSOLL_FAIL_ON", "error")
        .assert()
        .code(1);
    // plimsoll.toml, then plimsoll.<env>.toml.
    write(dir.path(), "plimsoll.toml", b"fail-on = \"error\"\n");
    plimsoll(dir.path())
        .args(["check", "wf.yml"])
        .assert()
        .code(0);
    write(dir.path(), "plimsoll.strict.toml", b"fail-on = \"note\"\n");
    plimsoll(dir.path())
        .args(["check", "wf.yml"])
        .env("PLIMSOLL_ENV", "strict")
        .assert()
        .code(1);
    plimsoll(dir.path())
        .args([
            "check",
            "wf.yml",
            "--disable",
            "missing-timeout,missing-concurrency",
            "--fail-on",
            "note",
        ])
        .assert()
        .code(0);
    plimsoll(dir.path())
        .args([
            "check",
            "wf.yml",
            "--disable",
            "missing-timeout",
            "--disable",
            "missing-concurrency",
            "--fail-on",
            "note",
        ])
        .assert()
        .code(0);
}

#[test]
fn configuration_errors_name_file_line_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "wf.yml", BOUNDED_WORKFLOW.as_bytes());
    write(
        dir.path(),
        "plimsoll.toml",
        b"fail-on = \"warning\"\nfial-on = \"error\"\n",
    );
    plimsoll(dir.path())
        .args(["check", "wf.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "plimsoll.toml:2:1: unknown field `fial-on`",
        ));
    write(
        dir.path(),
        "plimsoll.toml",
        b"[rules]\nmissing-timeout = \"loud\"\n",
    );
    plimsoll(dir.path())
        .args(["check", "wf.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "plimsoll.toml:2:19: `loud` is not a rule setting",
        ));
    write(
        dir.path(),
        "plimsoll.toml",
        b"[rules]\nno-such-rule = \"off\"\n",
    );
    plimsoll(dir.path())
        .args(["check", "wf.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "plimsoll.toml:2:1: unknown rule `no-such-rule`",
        ));
}

#[test]
fn usage_errors_and_missing_paths_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    plimsoll(dir.path())
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    plimsoll(dir.path())
        .args(["check", "does-not-exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does-not-exist: no such file or directory",
        ));
    plimsoll(dir.path())
        .args(["explain", "nope"])
        .assert()
        .code(2);
}

#[test]
fn bad_input_is_reported_with_positions_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let wf = ".github/workflows";
    write(
        dir.path(),
        &format!("{wf}/broken.yml"),
        b"on: push\njobs:\n  t:\n    steps: [ { run: x }\n",
    );
    write(
        dir.path(),
        &format!("{wf}/binary.yml"),
        b"on: push\0\x01\x02",
    );
    write(
        dir.path(),
        &format!("{wf}/latin1.yml"),
        b"name: caf\xe9\non: push\n",
    );
    write(dir.path(), &format!("{wf}/empty.yml"), b"");
    write(dir.path(), &format!("{wf}/scalar.yml"), b"just a string\n");
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for name in "bcdefghij".chars() {
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
        prev = name;
    }
    write(dir.path(), &format!("{wf}/bomb.yml"), bomb.as_bytes());
    write(
        dir.path(),
        &format!("{wf}/deep.yml"),
        "[".repeat(3_000).as_bytes(),
    );
    write(
        dir.path(),
        &format!("{wf}/big.yml"),
        format!("on: push\n#{}\n", "x".repeat(5000)).as_bytes(),
    );
    // A BOM and CRLF line endings are fine.
    write(
        dir.path(),
        &format!("{wf}/crlf.yml"),
        format!("\u{feff}{}", BOUNDED_WORKFLOW.replace('\n', "\r\n")).as_bytes(),
    );
    let output = plimsoll(dir.path())
        .args([
            "check",
            ".",
            "--format",
            "json",
            "--isolated",
            "--disable",
            "missing-dependency-updates",
        ])
        .env("PLIMSOLL_MAX_FILE_SIZE", "4096")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let mut seen = Vec::new();
    for f in json["findings"].as_array().unwrap() {
        let path = f["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        seen.push(format!(
            "{path}:{}:{} {}: {}",
            f["start"]["line"],
            f["start"]["column"],
            f["rule"]["name"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        ));
    }
    insta::assert_snapshot!("bad-input", seen.join("\n"));
    assert_eq!(json["summary"]["files_checked"], 9);
}

#[test]
fn suppressions_silence_findings_and_unused_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "wf.yml",
        b"on: push\npermissions:\n  contents: read\njobs:\n  # plimsoll: ignore[missing-timeout] short job, bounded by the runner\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make # plimsoll: ignore[continue-on-error] stale\n",
    );
    plimsoll(dir.path())
        .args(["check", "wf.yml", "--isolated"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("unused-suppression")
                .and(predicate::str::contains("missing-timeout").not()),
        );
}

#[test]
fn a_baseline_accepts_known_findings_even_after_lines_move() {
    let dir = tempfile::tempdir().unwrap();
    let unbounded = "on: push\npermissions:\n  contents: read\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n";
    write(dir.path(), "wf.yml", unbounded.as_bytes());
    plimsoll(dir.path())
        .args([
            "check",
            "wf.yml",
            "--isolated",
            "--write-baseline",
            "baseline.json",
        ])
        .assert()
        .code(0);
    plimsoll(dir.path())
        .args([
            "check",
            "wf.yml",
            "--isolated",
            "--baseline",
            "baseline.json",
        ])
        .assert()
        .code(0);
    // Lines move: still accepted.
    write(
        dir.path(),
        "wf.yml",
        format!("# a comment\n\n{unbounded}").as_bytes(),
    );
    plimsoll(dir.path())
        .args([
            "check",
            "wf.yml",
            "--isolated",
            "--baseline",
            "baseline.json",
        ])
        .assert()
        .code(0);
    // A new finding is not (a new job without a limit changes the workflow's finding).
    write(
        dir.path(),
        "wf.yml",
        format!("{unbounded}  other:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n")
            .as_bytes(),
    );
    plimsoll(dir.path())
        .args([
            "check",
            "wf.yml",
            "--isolated",
            "--baseline",
            "baseline.json",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "2 jobs have no `timeout-minutes`: `t` and `other`",
        ));
}

/// Version 1 baselines fingerprinted lines with their credentials in them: they are refused with
/// a request to record them again, never silently read.
#[test]
fn a_version_1_baseline_is_refused_with_a_request_to_record_it_again() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "wf.yml",
        b"on: push\npermissions:\n  contents: read\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n",
    );
    write(dir.path(), "old.json", br#"{"version": 1, "findings": []}"#);
    plimsoll(dir.path())
        .args(["check", "wf.yml", "--isolated", "--baseline", "old.json"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("version 1 (this plimsoll reads 2)")
                .and(predicate::str::contains("--write-baseline old.json")),
        );
}

#[test]
fn explicit_files_are_classified_by_content() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "templates/ci-template.yaml",
        b"on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n",
    );
    write(dir.path(), "notes.yml", b"title: not a workflow\n");
    plimsoll(dir.path())
        .args([
            "check",
            "templates/ci-template.yaml",
            "notes.yml",
            "--isolated",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("missing-timeout"));
}

#[test]
fn rules_and_explain_describe_every_rule() {
    let output = plimsoll(&workspace())
        .args(["rules", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let rules: serde_json::Value = serde_json::from_slice(&output).unwrap();
    assert!(rules
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "template-injection"));
    plimsoll(&workspace())
        .args(["explain", "GHA012"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Why is this bad?"));
}

#[test]
fn bad_dockerfiles_are_reported_with_positions_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "no-from/Dockerfile", b"RUN echo hi\n");
    write(
        dir.path(),
        "heredoc/Dockerfile",
        b"FROM alpine:3.20\nUSER 1000\nRUN <<EOF\necho never closed\n",
    );
    write(dir.path(), "binary/Dockerfile", b"FROM alpine\0\x01\x02");
    // A BOM and CRLF line endings: the finding is at the right line and column.
    write(
        dir.path(),
        "crlf/Dockerfile",
        "\u{feff}FROM alpine:3.20\r\nRUN apk add \\\r\n    curl\r\nUSER 1000\r\n".as_bytes(),
    );
    // A 10 MB `RUN`, above the default size limit: a finding, not a crash.
    let mut huge = String::from("FROM alpine:3.20\nUSER 1000\nRUN true");
    while huge.len() < 10 * 1024 * 1024 {
        huge.push_str(" \\\n && echo 0123456789abcdef0123456789abcdef");
    }
    huge.push('\n');
    write(dir.path(), "huge/Dockerfile", huge.as_bytes());
    let output = plimsoll(dir.path())
        .args(["check", ".", "--format", "json", "--isolated"])
        .args([
            "--disable",
            "missing-dockerignore,missing-dependency-updates",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let seen: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {}: {}",
                f["path"].as_str().unwrap(),
                f["start"]["line"],
                f["start"]["column"],
                f["rule"]["name"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!("bad-dockerfiles", seen.join("\n"));

    // With the limit raised, the 10 MB `RUN` is parsed and checked like any other.
    plimsoll(dir.path())
        .args(["check", "huge/Dockerfile", "--isolated"])
        .env("PLIMSOLL_MAX_FILE_SIZE", "20000000")
        .assert()
        .code(0);
}
