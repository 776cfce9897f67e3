//! Hangs and memory (issue 13, items 10–14): inputs under the size limit that used to take
//! minutes or gigabytes, files over it that used to be read whole, and input text that reached
//! the output raw. Sizes are chosen so that each run takes a few seconds in the debug profile
//! and would blow the time or memory limit on quadratic or unbounded code.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use super::common;
use super::harness::*;

/// A generous bound: the runs below take seconds in debug builds.
fn limits(memory_mib: u64) -> Limits {
    Limits {
        time: Duration::from_secs(60),
        memory_mib,
    }
}

/// A file of `size` bytes that takes no disk space (all zero bytes).
fn sparse(dir: &Path, rel: &str, size: u64) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    File::create(&path).unwrap().set_len(size).unwrap();
}

fn finished(out: &Outcome) {
    assert!(!out.timed_out, "timed out after {:?}", out.elapsed);
    assert!(
        matches!(out.code, Some(0..=2)),
        "killed or crashed: {:?}\n{}",
        out.code,
        out.stderr
    );
}

#[test]
fn item_10_duplicate_keys_of_huge_mappings_and_workflows_are_found_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut manifest =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n");
    for i in 0..150_000 {
        manifest.push_str(&format!("  k{i}: v\n"));
    }
    manifest.push_str("  k7: again\n");
    common::write(dir.path(), "k8s/cm.yaml", &manifest);
    let mut workflow = String::from("on: push\npermissions: {}\njobs:\n");
    for i in 0..60_000 {
        workflow.push_str(&format!(
            "  j{i}:\n    runs-on: x\n    timeout-minutes: 5\n"
        ));
    }
    workflow.push_str("  j3:\n    runs-on: x\n");
    common::write(dir.path(), ".github/workflows/ci.yml", &workflow);
    // Thousands of findings in one script, each located in the source.
    let mut script = String::from(
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: |\n",
    );
    for _ in 0..20_000 {
        script.push_str(
            "          echo \"${{ github.event.issue.title }}\" ${{ x( }} ::set-output name=a::b\n",
        );
    }
    common::write(dir.path(), ".github/workflows/script.yml", &script);
    let out = run(
        dir.path(),
        &["check", "--isolated", "--format", "json", "."],
        limits(2048),
    );
    finished(&out);
    assert!(out.stdout.contains("more `template-injection` findings"));
    // Kubernetes has no duplicate-key rule (the parse was the quadratic part); the workflow's
    // repeated job is reported once.
    let twice = out.stdout.matches("is written twice").count();
    assert_eq!(twice, 1, "{}", &out.stdout[..out.stdout.len().min(4000)]);
}

#[test]
fn item_11_guard_compares_long_scripts_quickly_and_refuses_oversize_files() {
    let dir = tempfile::tempdir().unwrap();
    let script = |changed: &str| {
        let mut text = String::from(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: |\n",
        );
        for i in 0..20_000 {
            text.push_str(&format!("          tool{i} --flag{i} arg\n"));
        }
        text.push_str(&format!("          {changed}\n"));
        text
    };
    common::write(dir.path(), "old.yml", script("cargo test --all-features"));
    common::write(dir.path(), "new.yml", script("cargo test"));
    let out = run(
        dir.path(),
        &["guard", "--before", "old.yml", "--after", "new.yml"],
        limits(2048),
    );
    finished(&out);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stdout.contains("--all-features"), "{}", out.stdout);

    // A new version over the size limit is not read, and it loses the coverage it hides.
    sparse(dir.path(), "huge.yml", 1 << 30);
    let out = run(
        dir.path(),
        &["guard", "--before", "old.yml", "--after", "huge.yml"],
        limits(512),
    );
    finished(&out);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("larger than the 4 MiB limit"),
        "{}",
        out.stdout
    );
}

#[test]
fn item_12_a_huge_dockerignore_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    // The build copies its whole context, so its ignore file matters and is read.
    common::write(dir.path(), "Dockerfile", "FROM alpine:3.20\nCOPY . /app\n");
    sparse(dir.path(), ".dockerignore", 1 << 30);
    let out = run(dir.path(), &["check", "--isolated", "."], limits(512));
    finished(&out);
    assert!(
        out.stdout
            .contains("over the 4194304-byte limit and was not read"),
        "{}",
        out.stdout
    );
}

/// No raw control character but line breaks, and no line that a runner would take as a
/// workflow command.
fn assert_inert(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{what} holds a raw control character:\n{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("::error::")),
        "{what} starts a workflow command:\n{text}"
    );
}

#[test]
fn item_13_diagnose_bounds_the_workflow_and_escapes_input_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let log: String = [
        "Current runner version: '2.317.0'",
        "##[group]Run cargo test",
        "cargo test",
        "##[endgroup]",
        "error[E0432]: unresolved import \u{1b}]0;owned\u{7}`foo`",
        "##[error]Process completed with exit code 101.",
    ]
    .iter()
    .enumerate()
    .map(|(i, line)| format!("2024-05-01T10:00:{i:02}.0000000Z {line}\r\n"))
    .collect();
    common::write(dir.path(), "job.log", &log);
    sparse(dir.path(), "huge.yml", 1 << 30);
    let out = run(
        dir.path(),
        &["diagnose", "job.log", "--workflow", "huge.yml"],
        limits(512),
    );
    finished(&out);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("limit"), "{}", out.stderr);

    let zip = stored_zip(&[("0_test\n::error::owned\u{1b}[2J.txt", log.as_bytes())]);
    std::fs::write(dir.path().join("logs.zip"), zip).unwrap();
    for format in ["markdown", "json"] {
        let out = run(
            dir.path(),
            &["diagnose", "logs.zip", "--format", format],
            limits(1024),
        );
        finished(&out);
        assert_eq!(out.code, Some(0), "{out:?}");
        assert!(out.stdout.contains("owned"), "{}", out.stdout);
        assert_inert(format, &out.all_output());
    }
    let out = run(
        dir.path(),
        &["diagnose", "logs.zip", "--job", "none"],
        limits(1024),
    );
    assert_inert("an error", &out.all_output());

    // `check --format github` and guard's github format: ESC is not passed through.
    let workflow = "on: push\npermissions: {}\njobs:\n  \"a\\e[31m\":\n    runs-on: x\n    timeout-minutes: 5\n    \"bogus\\e\": 1\n    steps:\n      - run: \"make\\e[2J\"\n";
    let workflow = workflow.replace("\\e", "\\u001b");
    common::write(dir.path(), ".github/workflows/ci.yml", &workflow);
    let out = run(
        dir.path(),
        &["check", "--isolated", "--format", "github", "."],
        limits(1024),
    );
    finished(&out);
    assert!(out.stdout.contains("::"), "{}", out.stdout);
    assert_inert("check --format github", &out.stdout);
    let out = run(dir.path(), &["check", "--isolated", "."], limits(1024));
    assert_inert("check", &out.stdout);
    common::write(dir.path(), "new.yml", "on: push\njobs: {}\n");
    for format in ["github", "human"] {
        let out = run(
            dir.path(),
            &[
                "guard",
                "--before",
                ".github/workflows/ci.yml",
                "--after",
                "new.yml",
                "--format",
                format,
            ],
            limits(1024),
        );
        finished(&out);
        assert_eq!(out.code, Some(1), "{out:?}");
        assert_inert(format, &out.stdout);
    }
}

#[test]
fn item_14_long_lines_and_floods_of_findings_give_a_bounded_report() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "Dockerfile",
        format!("FROM alpine:3.20\n{}", "\\\n".repeat(200_000)),
    );
    let out = run(dir.path(), &["check", "--isolated", "."], limits(1024));
    finished(&out);
    assert!(out.stdout.len() < 200_000, "{} bytes", out.stdout.len());
    assert!(
        out.stdout.contains("199900 more `parse-error` findings"),
        "{}",
        &out.stdout[out.stdout.len().saturating_sub(2000)..]
    );
    let out = run(
        dir.path(),
        &["check", "--isolated", "--format", "json", "."],
        limits(1024),
    );
    assert!(
        out.stdout.contains("findings-capped"),
        "{}",
        out.stdout.len()
    );

    // One minified line of megabytes with a finding every few dozen bytes.
    let dir = tempfile::tempdir().unwrap();
    let steps: Vec<String> = (0..40_000)
        .map(|i| format!("{{run: \"echo ${{{{ github.event.issue.title }}}} {i:0>40}\"}}"))
        .collect();
    common::write(
        dir.path(),
        ".github/workflows/ci.yml",
        format!(
            "on: issues\njobs: {{a: {{runs-on: x, steps: [{}]}}}}\n",
            steps.join(", ")
        ),
    );
    let out = run(dir.path(), &["check", "--isolated", "."], limits(1024));
    finished(&out);
    assert!(out.stdout.len() < 200_000, "{} bytes", out.stdout.len());
    assert!(out.stdout.contains("more `template-injection` findings"));
    assert!(out.stdout.lines().all(|l| l.chars().count() < 400));
}

#[test]
fn text_files_over_the_limit_are_said_not_searched_for_secrets() {
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "export.sql", "-- data\n".repeat(600_000));
    sparse(dir.path(), "image.bin", 6 << 20);
    for format in ["human", "json", "sarif", "github"] {
        let out = run(
            dir.path(),
            &["check", "--isolated", "--format", format, "."],
            limits(1024),
        );
        finished(&out);
        assert_eq!(out.code, Some(0), "{out:?}");
        assert!(
            out.stdout.contains("not searched for secrets"),
            "{format}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("export.sql"),
            "{format}: {}",
            out.stdout
        );
        assert!(
            !out.stdout.contains("image.bin"),
            "{format}: {}",
            out.stdout
        );
    }
}

/// One line of secret-named keys glued together (`aws_secret_access_key=aws_secret_…`): every
/// keyword's window merges into one, where each match of a repetition that runs to the end of
/// the line was searched to its end again: quadratic (20,000 repeats: 18 s in release).
#[test]
fn a_line_of_glued_secret_keys_is_scanned_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "notes.txt",
        format!("{}\n", "aws_secret_access_key=".repeat(40_000)),
    );
    let out = run(dir.path(), &["check", "."], limits(1024));
    finished(&out);
    assert!(out.elapsed < Duration::from_secs(20), "{:?}", out.elapsed);
}
