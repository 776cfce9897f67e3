//! Each failure class on a realistic job log, through the real binary's library: the failing
//! step, the exact line, the class, and for the classes with a patch, a diff that `git apply`
//! accepts in a real repository and that keeps every job, step and matrix entry.

use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_actions::Workflow;
use plimsoll_diagnose::{diagnose, workflow, Class, LogSource, Signatures, Verdict};
use plimsoll_syntax::{yaml, LineIndex};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn analyse(name: &str) -> plimsoll_diagnose::Analysis {
    diagnose(&LogSource::Path(fixture(name)), None, Signatures::builtin()).unwrap()
}

/// Jobs, their step counts by label, and matrix axes of a workflow text.
fn shape(text: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    let lines = LineIndex::new(text);
    let document = yaml::parse(text, &lines).into_single().unwrap();
    let workflow = Workflow::new(&document.root).unwrap();
    workflow
        .jobs()
        .iter()
        .map(|job| {
            let steps = job.steps().iter().map(|s| s.label()).collect();
            let matrix = job
                .matrix()
                .map(|m| {
                    m.value
                        .as_mapping()
                        .unwrap_or_default()
                        .iter()
                        .map(|e| format!("{:?}", e.value.kind))
                        .collect()
                })
                .unwrap_or_default();
            (job.id.to_string(), steps, matrix)
        })
        .collect()
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?} failed");
}

/// Apply the plan's diff with `git apply` in a fresh repository and return the new workflow.
fn apply_in_repo(diff: &str) -> String {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::copy(fixture("ci.yml"), dir.join(".github/workflows/ci.yml")).unwrap();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("fix.patch"), diff).unwrap();
    git(dir, &["apply", "--check", "fix.patch"]);
    git(dir, &["apply", "fix.patch"]);
    std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).unwrap()
}

fn check_patch(log: &str, expected_added: &str) {
    let analysis = analyse(log);
    let text = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    let plan = workflow::plan(
        &analysis,
        ".github/workflows/ci.yml",
        &text,
        Signatures::builtin(),
    );
    let diff = plan.diff.as_deref().expect("a patch");
    assert!(diff.contains(expected_added), "{diff}");
    let patched = apply_in_repo(diff);
    assert_eq!(Some(&patched), plan.patched.as_ref());
    let (before, after) = (shape(&text), shape(&patched));
    assert_eq!(before.len(), after.len());
    for ((job, steps, matrix), (job2, steps2, matrix2)) in before.iter().zip(&after) {
        assert_eq!(job, job2);
        assert_eq!(matrix, matrix2, "matrix of {job} changed");
        // Every old step is still there, in order.
        let mut remaining = steps2.iter();
        for step in steps {
            assert!(remaining.any(|s| s == step), "step {step} of {job} lost");
        }
    }
    assert!(!patched.contains("continue-on-error"));
    assert!(!plan.preserved.is_empty());
}

#[test]
fn missing_system_package_gets_an_install_step_that_git_applies() {
    let analysis = analyse("missing-dependency.log");
    assert_eq!(analysis.verdict, Verdict::Failed);
    assert_eq!(analysis.classification.class, Class::MissingDependency);
    assert_eq!(
        analysis.failing_step().unwrap().name,
        "Run cargo test --workspace --all-features"
    );
    assert!(analysis.best().unwrap().line.text.contains("openssl-sys"));
    check_patch(
        "missing-dependency.log",
        "+        run: sudo apt-get update && sudo apt-get install -y libssl-dev pkg-config",
    );
}

#[test]
fn missing_target_gets_the_target_the_log_names() {
    let analysis = analyse("matrix-toolchain.log");
    assert_eq!(analysis.classification.class, Class::MatrixToolchain);
    // The toolchain action installs it: its `targets` input names the log's target.
    check_patch(
        "matrix-toolchain.log",
        "+        with:\n+          targets: aarch64-unknown-linux-gnu",
    );
    let fixture_workflow = std::fs::read_to_string(fixture("ci.yml")).unwrap();

    // The matrix gives the target: the input takes the matrix variable, so each leg gets its own.
    let with_target_axis = fixture_workflow.replace(
        "        rust: [stable, \"1.80\"]\n",
        "        rust: [stable, \"1.80\"]\n        target: [x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu]\n",
    );
    patch_applies_and_keeps_coverage(
        "matrix-toolchain.log",
        &with_target_axis,
        &["+          targets: ${{ matrix.target }}"],
    );

    // An existing list gets the target added.
    let listed = fixture_workflow.replace(
        "      - uses: dtolnay/rust-toolchain@stable\n",
        "      - uses: dtolnay/rust-toolchain@stable\n        with:\n          targets: wasm32-unknown-unknown\n",
    );
    patch_applies_and_keeps_coverage(
        "matrix-toolchain.log",
        &listed,
        &["+          targets: wasm32-unknown-unknown,aarch64-unknown-linux-gnu"],
    );

    // No toolchain action: `rustup target add` with that target, before the failing step.
    let bare = fixture_workflow.replace("      - uses: dtolnay/rust-toolchain@stable\n", "");
    patch_applies_and_keeps_coverage_adding(
        "matrix-toolchain.log",
        &bare,
        &["+      - name: Add the Rust target\n+        run: rustup target add aarch64-unknown-linux-gnu\n"],
        &["Add the Rust target"],
    );

    // The workflow already asks for it: no patch, and the plan says what is missing instead.
    let asked = fixture_workflow.replace(
        "      - uses: dtolnay/rust-toolchain@stable\n",
        "      - uses: dtolnay/rust-toolchain@stable\n        with:\n          targets: aarch64-unknown-linux-gnu\n",
    );
    let plan = workflow::plan(&analysis, "ci.yml", &asked, Signatures::builtin());
    assert!(plan.diff.is_none(), "{:?}", plan.diff);
    assert!(
        plan.changes[0].summary.contains("already installs"),
        "{:?}",
        plan.changes
    );

    // A log that does not name the target gets no patch with a made-up one.
    let unnamed = std::fs::read_to_string(fixture("matrix-toolchain.log"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains("aarch64"))
        .collect::<Vec<_>>()
        .join("\n");
    let analysis = diagnose(
        &LogSource::Bytes("unnamed.log".into(), unnamed.into_bytes()),
        None,
        Signatures::builtin(),
    )
    .unwrap();
    assert_eq!(analysis.classification.class, Class::MatrixToolchain);
    let plan = workflow::plan(
        &analysis,
        "ci.yml",
        &fixture_workflow,
        Signatures::builtin(),
    );
    assert!(plan.diff.is_none(), "{:?}", plan.diff);
    assert!(
        plan.changes[0].summary.contains("no patch"),
        "{:?}",
        plan.changes
    );
}

#[test]
fn a_missing_cross_linker_gets_the_package_of_the_linker_the_log_names() {
    let log = std::fs::read_to_string(fixture("matrix-toolchain.log"))
        .unwrap()
        .lines()
        .filter(|l| {
            !l.contains("E0463") && !l.contains("target may not") && !l.contains("rustup target")
        })
        .map(|l| {
            l.replace(
                "error: could not compile `cfg-if` (lib) due to 1 previous error",
                "error: linker `arm-linux-gnueabihf-gcc` not found",
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let analysis = diagnose(
        &LogSource::Bytes("linker.log".into(), log.into_bytes()),
        None,
        Signatures::builtin(),
    )
    .unwrap();
    assert_eq!(analysis.classification.class, Class::MatrixToolchain);
    let text = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    let plan = workflow::plan(&analysis, "ci.yml", &text, Signatures::builtin());
    let diff = plan.diff.expect("a patch");
    assert!(
        diff.contains("sudo apt-get install -y gcc-arm-linux-gnueabihf"),
        "{diff}"
    );
    assert!(!diff.contains("aarch64"), "{diff}");
}

#[test]
fn missing_permission_gets_the_scope_on_the_job() {
    let analysis = analyse("permission.log");
    assert_eq!(analysis.classification.class, Class::Permission);
    assert_eq!(analysis.failing_job().unwrap().name, "release");
    check_patch("permission.log", "+      packages: write");
}

#[test]
fn a_permission_failure_that_names_no_scope_gets_no_guessed_one() {
    // The same job, failing on a file permission: no token scope would fix it.
    let log = std::fs::read_to_string(fixture("permission.log"))
        .unwrap()
        .replace(
            "denied: permission_denied: write_package",
            "mkdir: cannot create directory '/opt/app': Permission denied",
        );
    let analysis = diagnose(
        &LogSource::Bytes("permission.log".into(), log.into_bytes()),
        None,
        Signatures::builtin(),
    )
    .unwrap();
    assert_eq!(analysis.classification.class, Class::Permission);
    let text = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    let plan = workflow::plan(&analysis, "ci.yml", &text, Signatures::builtin());
    assert!(plan.diff.is_none(), "{:?}", plan.diff);
    assert!(
        plan.changes[0].summary.contains("no patch"),
        "{:?}",
        plan.changes
    );
}

#[test]
fn each_class_is_recognised_on_its_log() {
    for (log, class, needle) in [
        (
            "code-bug.log",
            Class::CodeBug,
            "panicked at src/lib.rs:42:9",
        ),
        (
            "cache-corruption.log",
            Class::CacheCorruption,
            "incompatible version of rustc",
        ),
        (
            "tool-version.log",
            Class::ToolVersion,
            "requires rustc 1.81 or newer",
        ),
        ("flaky.log", Class::Flaky, ""),
    ] {
        let analysis = analyse(log);
        assert_eq!(analysis.classification.class, class, "{log}");
        assert!(analysis.best().unwrap().line.text.contains(needle), "{log}");
        assert!(!analysis.classification.evidence.is_empty());
    }
}

#[test]
fn a_code_bug_changes_no_workflow_and_names_the_location() {
    let analysis = analyse("code-bug.log");
    let text = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    let plan = workflow::plan(&analysis, "ci.yml", &text, Signatures::builtin());
    assert!(plan.diff.is_none());
    assert!(plan.code_location.unwrap().contains("src/lib.rs:42"));
}

#[test]
fn bad_input_gets_clear_errors() {
    let sigs = Signatures::builtin();
    let empty = diagnose(&LogSource::Bytes("empty".into(), Vec::new()), None, sigs);
    assert!(empty.unwrap_err().to_string().contains("empty"));
    let junk = diagnose(
        &LogSource::Bytes("junk".into(), vec![0, 159, 146, 150, 0, 1, 2, 3]),
        None,
        sigs,
    );
    assert!(junk.unwrap_err().to_string().contains("not a text log"));
    let analysis = analyse("code-bug.log");
    let plan = workflow::plan(&analysis, "x.yml", "jobs: [", sigs);
    assert!(plan.error.unwrap().contains("does not parse"));
}

#[test]
fn a_passing_archive_says_so() {
    let archive = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/ci-logs/ghalogs-example/log.tar.gz");
    if !archive.exists() {
        println!("skipped: ../shared absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .args(["xzf"])
        .arg(&archive)
        .arg("-C")
        .arg(dir.path())
        .status()
        .unwrap();
    let _ = status; // a name clash inside the archive makes tar exit 2 but extracts the rest
    let analysis = diagnose(
        &LogSource::Path(dir.path().to_path_buf()),
        None,
        Signatures::builtin(),
    )
    .unwrap();
    assert_eq!(analysis.verdict, Verdict::Succeeded);
    assert!(analysis.jobs.len() > 10);
}

/// Plan `log` against `workflow`, apply the diff with `git apply` in a fresh repository, check
/// the re-parsed workflow keeps every job, step (by label, in order) and matrix value, and
/// return the patched text.
fn patch_applies_and_keeps_coverage(log: &str, workflow: &str, expected: &[&str]) -> String {
    let analysis = analyse(log);
    let plan = workflow::plan(
        &analysis,
        ".github/workflows/ci.yml",
        workflow,
        Signatures::builtin(),
    );
    let diff = plan
        .diff
        .as_deref()
        .unwrap_or_else(|| panic!("no patch for {log}: {:#?}", plan.changes));
    for needle in expected {
        assert!(diff.contains(needle), "{needle:?} not in\n{diff}");
    }
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join(".github/workflows/ci.yml"), workflow).unwrap();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("fix.patch"), diff).unwrap();
    git(dir, &["apply", "--check", "fix.patch"]);
    git(dir, &["apply", "fix.patch"]);
    let patched = std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).unwrap();
    assert_eq!(Some(&patched), plan.patched.as_ref());
    let (before, after) = (shape(workflow), shape(&patched));
    assert_eq!(before.len(), after.len(), "{patched}");
    for ((job, steps, matrix), (job2, steps2, matrix2)) in before.iter().zip(&after) {
        assert_eq!(job, job2);
        assert_eq!(matrix, matrix2, "matrix of {job} changed");
        assert_eq!(steps, steps2, "steps of {job} changed:\n{patched}");
    }
    for forbidden in ["continue-on-error", "if: false", "if: ${{ false }}"] {
        assert!(!patched.contains(forbidden), "{forbidden}:\n{patched}");
    }
    // Caching stays: every cache step is still there.
    assert_eq!(
        workflow.matches("cache@").count(),
        patched.matches("cache@").count()
    );
    patched
}

/// The `run:` script of step `name` of the first job, decoded.
fn run_of(workflow: &str, name: &str) -> String {
    let lines = LineIndex::new(workflow);
    let document = yaml::parse(workflow, &lines).into_single().unwrap();
    let workflow = Workflow::new(&document.root).unwrap();
    let jobs = workflow.jobs();
    let step = jobs[0]
        .steps()
        .into_iter()
        .find(|s| s.name() == Some(name))
        .unwrap();
    step.run().and_then(|r| r.as_str()).unwrap().to_string()
}

#[test]
fn tool_version_gets_the_setup_step_pinned() {
    let fixture_workflow = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    let patched = patch_applies_and_keeps_coverage(
        "tool-version.log",
        &fixture_workflow,
        &["+        with:\n+          toolchain: \"1.81\""],
    );
    assert!(patched.contains("dtolnay/rust-toolchain@stable\n        with:"));

    // A channel in the version input is pinned in place.
    let channel = fixture_workflow.replace(
        "      - uses: dtolnay/rust-toolchain@stable\n",
        "      - uses: dtolnay/rust-toolchain@master\n        with:\n          toolchain: stable # moving\n",
    );
    patch_applies_and_keeps_coverage(
        "tool-version.log",
        &channel,
        &[
            "-          toolchain: stable # moving",
            "+          toolchain: \"1.81\" # moving",
        ],
    );

    // A version from the matrix is not changed: that would change what the matrix covers.
    let from_matrix = fixture_workflow.replace(
        "      - uses: dtolnay/rust-toolchain@stable\n",
        "      - uses: dtolnay/rust-toolchain@master\n        with:\n          toolchain: ${{ matrix.rust }}\n",
    );
    let plan = workflow::plan(
        &analyse("tool-version.log"),
        "ci.yml",
        &from_matrix,
        Signatures::builtin(),
    );
    assert!(plan.diff.is_none(), "{:?}", plan.diff);
    assert!(
        plan.changes[0].summary.contains("matrix.rust"),
        "{:?}",
        plan.changes
    );
}

#[test]
fn cache_corruption_gets_a_versioned_cache_key() {
    let fixture_workflow = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    patch_applies_and_keeps_coverage(
        "cache-corruption.log",
        &fixture_workflow,
        &["+        with:\n+          prefix-key: \"v1-rust\""],
    );

    // actions/cache: the key and every restore key get the new version prefix.
    let actions_cache = fixture_workflow.replace(
        "      - uses: Swatinem/rust-cache@v2\n",
        "      - uses: actions/cache@v4\n        with:\n          path: target\n          key: v3-${{ runner.os }}-cargo-${{ hashFiles('**/Cargo.lock') }}\n          restore-keys: |\n            v3-${{ runner.os }}-cargo-\n            ${{ runner.os }}-\n",
    );
    let patched = patch_applies_and_keeps_coverage(
        "cache-corruption.log",
        &actions_cache,
        &[
            "+          key: v4-${{ runner.os }}-cargo-${{ hashFiles('**/Cargo.lock') }}",
            "+            v4-${{ runner.os }}-cargo-",
            "+            v2-${{ runner.os }}-",
        ],
    );
    assert!(patched.contains("path: target"));
}

#[test]
fn a_download_that_failed_inside_the_test_command_is_retried_before_it_never_the_tests() {
    let fixture_workflow = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    // `cargo test` failed while cargo downloaded the index: a retried `cargo fetch` goes before
    // it, and the test command itself runs once, as before.
    let patched = patch_applies_and_keeps_coverage_adding(
        "flaky.log",
        &fixture_workflow,
        &[
            "+      - name: Download dependencies",
            "+          for attempt in $(seq 3); do",
            "+              cargo fetch",
        ],
        &["Download dependencies"],
    );
    assert_eq!(
        run_of(&patched, "Test"),
        "cargo test --workspace --all-features"
    );
    assert!(!patched.contains("timeout-minutes: 15"));

    // On Windows' default shell the loop would not run: no patch, the plan says why.
    let windows = fixture_workflow.replace("macos-14", "windows-2022");
    let plan = workflow::plan(
        &analyse("flaky.log"),
        "ci.yml",
        &windows,
        Signatures::builtin(),
    );
    assert!(plan.diff.is_none(), "{:?}", plan.diff);
    assert!(
        plan.changes[0].summary.contains("no patch"),
        "{:?}",
        plan.changes
    );
}

/// As [`patch_applies_and_keeps_coverage`], for a patch that adds the steps `added` (by label)
/// and keeps every other step in order.
fn patch_applies_and_keeps_coverage_adding(
    log: &str,
    workflow: &str,
    expected: &[&str],
    added: &[&str],
) -> String {
    let analysis = analyse(log);
    let plan = workflow::plan(
        &analysis,
        ".github/workflows/ci.yml",
        workflow,
        Signatures::builtin(),
    );
    let diff = plan
        .diff
        .as_deref()
        .unwrap_or_else(|| panic!("no patch for {log}: {:#?}", plan.changes));
    for needle in expected {
        assert!(diff.contains(needle), "{needle:?} not in\n{diff}");
    }
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join(".github/workflows/ci.yml"), workflow).unwrap();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("fix.patch"), diff).unwrap();
    git(dir, &["apply", "--check", "fix.patch"]);
    git(dir, &["apply", "fix.patch"]);
    let patched = std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).unwrap();
    assert_eq!(Some(&patched), plan.patched.as_ref());
    let (before, after) = (shape(workflow), shape(&patched));
    assert_eq!(before.len(), after.len(), "{patched}");
    for ((job, steps, matrix), (job2, steps2, matrix2)) in before.iter().zip(&after) {
        assert_eq!(job, job2);
        assert_eq!(matrix, matrix2, "matrix of {job} changed");
        let kept: Vec<&String> = steps2
            .iter()
            .filter(|s| !added.contains(&s.as_str()))
            .collect();
        assert_eq!(kept, steps.iter().collect::<Vec<_>>(), "{job}:\n{patched}");
    }
    assert!(!patched.contains("continue-on-error"));
    patched
}

/// Run the retry script the patch writes around a download step whose script is `script`, in
/// bash with a `curl` that runs `curl_body` and a `sleep` that does not wait; returns the exit
/// code and the attempts made (lines in the file `attempts`).
fn run_retry_loop(script: &str, curl_body: &str) -> (i32, usize) {
    let fixture_workflow = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    // Named as the log names the step, so the plan finds it whatever the script is.
    let workflow = fixture_workflow.replace(
        "      - name: Test\n        run: cargo test --workspace --all-features\n",
        &format!(
            "      - name: Run cargo test --workspace --all-features\n        run: |\n{}",
            script
                .lines()
                .map(|l| format!("          {l}\n"))
                .collect::<String>()
        ),
    );
    let patched = patch_applies_and_keeps_coverage("flaky.log", &workflow, &["for attempt"]);
    let script = run_of(&patched, "Run cargo test --workspace --all-features");
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("sleep"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::write(bin.join("curl"), format!("#!/bin/bash\n{curl_body}\n")).unwrap();
    for tool in ["sleep", "curl"] {
        Command::new("chmod")
            .arg("+x")
            .arg(bin.join(tool))
            .status()
            .unwrap();
    }
    std::fs::write(dir.path().join("step.sh"), script).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "step.sh"])
        .current_dir(dir.path())
        .env("RUNNER_TEMP", dir.path())
        .env("PATH", path)
        .status()
        .unwrap();
    let attempts = std::fs::read_to_string(dir.path().join("attempts"))
        .map(|t| t.lines().count())
        .unwrap_or(0);
    (status.code().unwrap_or(-1), attempts)
}

#[test]
fn the_retry_loop_retries_a_failing_script_three_times_in_real_bash() {
    if Command::new("bash").arg("--version").output().is_err() {
        println!("skipped: bash is not installed");
        return;
    }
    // A step that only downloads is wrapped whole. Fails twice, passes on the third attempt.
    let download = "curl -fsSLO https://example.invalid/tool.tar.gz";
    assert_eq!(
        run_retry_loop(
            download,
            "echo try >> attempts\ntest \"$(wc -l < attempts)\" -ge 3"
        ),
        (0, 3)
    );
    // Always fails: three attempts, then the step fails.
    assert_eq!(
        run_retry_loop(download, "echo try >> attempts\nexit 1"),
        (1, 3)
    );
    // `set -e` holds inside each attempt: the line after a failure never runs.
    assert_eq!(
        run_retry_loop(
            "curl first\ncurl second",
            "echo \"$1\" >> attempts\ntest \"$1\" != first"
        ),
        (1, 3)
    );
    // A here-document keeps its terminator in place (the script is not indented then).
    assert_eq!(
        run_retry_loop(
            "curl --data-binary @- https://example.invalid <<'END'\ntry\nEND",
            "cat >> attempts\ntest \"$(wc -l < attempts)\" -ge 2"
        ),
        (0, 2)
    );
    // Passes at once: one attempt.
    assert_eq!(run_retry_loop(download, "echo try >> attempts"), (0, 1));
}

/// The plan for `log` (a job log of the fixture workflow's `test` job) when its failure is
/// taken to be flaky, whatever the classifier says: what the flaky patch does with a test.
fn flaky_plan(lines: &[&str]) -> workflow::Plan {
    let mut log = std::fs::read_to_string(fixture("flaky.log"))
        .unwrap()
        .lines()
        .take_while(|l| !l.contains("Updating crates.io index"))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    for line in lines {
        log.push_str(&format!("2024-05-01T10:01:00.0000000Z {line}\n"));
    }
    log.push_str("2024-05-01T10:01:01.0000000Z ##[error]Process completed with exit code 101.\n");
    let mut analysis = diagnose(
        &LogSource::Bytes("flaky-test.log".into(), log.into_bytes()),
        None,
        Signatures::builtin(),
    )
    .unwrap();
    analysis.classification.class = Class::Flaky;
    let text = std::fs::read_to_string(fixture("ci.yml")).unwrap();
    workflow::plan(&analysis, "ci.yml", &text, Signatures::builtin())
}

#[test]
fn a_flaky_test_is_named_and_its_run_is_never_retried() {
    let plan = flaky_plan(&[
        "running 12 tests",
        "test net::tests::reconnects_after_reset ... FAILED",
        "---- net::tests::reconnects_after_reset stdout ----",
        "Error: Os { code: 104, kind: ConnectionReset, message: \"Connection reset by peer\" }",
        "test result: FAILED. 11 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
    ]);
    assert!(plan.diff.is_none(), "{:?}", plan.diff);
    let summary = &plan.changes[0].summary;
    assert!(
        summary.contains("`net::tests::reconnects_after_reset`")
            && summary.contains("cargo nextest run --retries 2"),
        "{summary}"
    );

    // A test run that fails on the network without naming a test: still no retry of the run.
    let plan = flaky_plan(&[
        "running 12 tests",
        "Error: Connection reset by peer (os error 104)",
    ]);
    assert!(plan.diff.is_none(), "{:?}", plan.diff);
    assert!(
        plan.changes[0]
            .summary
            .starts_with("no retry around the test command"),
        "{:?}",
        plan.changes
    );
}
