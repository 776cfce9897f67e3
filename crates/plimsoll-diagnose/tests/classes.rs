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
fn missing_target_gets_rustup_target_add() {
    let analysis = analyse("matrix-toolchain.log");
    assert_eq!(analysis.classification.class, Class::MatrixToolchain);
    check_patch("matrix-toolchain.log", "rustup target add");
}

#[test]
fn missing_permission_gets_the_scope_on_the_job() {
    let analysis = analyse("permission.log");
    assert_eq!(analysis.classification.class, Class::Permission);
    assert_eq!(analysis.failing_job().unwrap().name, "release");
    check_patch("permission.log", "+      packages: write");
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
