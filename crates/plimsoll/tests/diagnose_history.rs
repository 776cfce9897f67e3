//! `plimsoll diagnose` with the history `plimsoll metrics` stored: the real binary syncs the
//! hand-made history of `octo/app` from a real HTTP server on 127.0.0.1, then diagnoses a log of
//! its `build` job and says whether it failed the same way before, whether it is flaky, and which
//! run last passed. Without a database it adds nothing.
//!
//! The `build` job of CI in that history (`tests/common/history.rs` of plimsoll-metrics):
//! 101/1 a1 main pass; 102/1 b2 main fail ("Run tests"); 102/2 b2 main pass; 103/1 c3 main fail
//! ("Run tests"); 104/1 d4 cancelled; 105/1 e5 main pass (job 5001); 106/1 f6 feature fail
//! ("Run tests").

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

#[path = "../../plimsoll-metrics/tests/common/mod.rs"]
mod github;

use github::github_server::GitHubServer;
use github::history::{self, REPO, SINCE};

/// `plimsoll` in `dir` with no token, repository, API or cache folder from the caller.
fn plimsoll(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plimsoll").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_API_URL")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_REPOSITORY")
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("HOME", dir);
    cmd
}

/// A raw GitHub log of job `build` failing in its test step.
fn build_log() -> String {
    [
        "2026-11-10T09:00:31.0000000Z Current runner version: '2.321.0'",
        "2026-11-10T09:00:31.0000000Z Complete job name: build",
        "2026-11-10T09:00:32.0000000Z ##[group]Run cargo test --workspace",
        "2026-11-10T09:00:32.0000000Z cargo test --workspace",
        "2026-11-10T09:00:32.0000000Z ##[endgroup]",
        "2026-11-10T09:02:10.0000000Z test tests::checkout ... FAILED",
        "2026-11-10T09:02:10.0000000Z thread 'tests::checkout' panicked at src/cart.rs:42:9:",
        "2026-11-10T09:02:10.0000000Z assertion `left == right` failed",
        "2026-11-10T09:02:11.0000000Z test result: FAILED. 11 passed; 1 failed",
        "2026-11-10T09:02:11.0000000Z ##[error]Process completed with exit code 101.",
    ]
    .join("\n")
        + "\n"
}

/// Sync the history into `dir/metrics.sqlite` with the real binary.
fn synced_database(dir: &Path) -> std::path::PathBuf {
    let server = GitHubServer::start();
    history::serve(&server, &history::attempts(), SINCE, 100);
    let db = dir.join("metrics.sqlite");
    plimsoll(dir)
        .env("GITHUB_API_URL", &server.url)
        .env("GITHUB_TOKEN", "test-token")
        .args(["metrics", "--repo", REPO, "--since", "2026-11-01", "--db"])
        .arg(&db)
        .args(["--format", "json"])
        .assert()
        .success();
    db
}

fn diagnose(dir: &Path, extra: &[&str]) -> String {
    let output = plimsoll(dir)
        .args(["diagnose", "job.log"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_history_says_how_the_job_failed_before_and_where_it_last_passed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("job.log"), build_log()).unwrap();
    let without = diagnose(dir.path(), &[]);
    assert!(
        !without.contains("## History"),
        "no database, nothing added"
    );
    let db = synced_database(dir.path());
    let db = db.to_str().unwrap();

    // Run 103: run 102's first attempt failed in the same step before; 105 passed on main.
    let text = diagnose(dir.path(), &["--db", db, "--run", "103"]);
    assert!(
        text.starts_with(&without),
        "the history comes after the analysis"
    );
    let history = &text[without.len()..];
    assert!(
        history.contains(
            "From the metrics database: octo/app / CI / job `build`, failed in run 103 attempt 1 \
             on 2026-11-10 (commit c3c3c3c)."
        ),
        "{history}"
    );
    assert!(
        history.contains(
            "- **Failed the same way before**: 1 of 3 earlier attempts (step `Run tests` failed); \
         last in run 102 attempt 1 on 2026-11-03: \
         https://github.com/octo/app/actions/runs/102/job/2001"
        ),
        "{history}"
    );
    assert!(!history.contains("**Flaky**"), "{history}");
    assert!(
        history.contains(
            "- **Last green** on `main`: run 105 attempt 1 on 2026-11-11, \
         https://github.com/octo/app/actions/runs/105/job/5001"
        ),
        "{history}"
    );
    assert!(history.contains("gh run view 105 --repo octo/app --job 5001 --log > passing.log"));

    // Run 102: its first failure was new, and its second attempt passed on the same commit.
    let text = diagnose(dir.path(), &["--db", db, "--run", "102"]);
    assert!(text.contains(
        "- **New failure**: none of the 1 stored attempts of this job before it failed this way."
    ), "{text}");
    assert!(
        text.contains(
            "- **Flaky**: the same commit b2b2b2b passed in run 102 attempt 2: \
         https://github.com/octo/app/actions/runs/102/job/2003"
        ),
        "{text}"
    );

    // No run named: the newest stored failure, 106 on the feature branch, never green there.
    let output = plimsoll(dir.path())
        .args(["diagnose", "job.log", "--format", "json", "--db", db])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let history = &json["history"];
    assert_eq!(history["identified_by"], "latest");
    assert_eq!(history["current"]["run_id"], 106);
    assert_eq!(history["current"]["failing_step"], "Run tests");
    assert_eq!(
        (
            history["same_failures"].as_u64(),
            history["attempts_considered"].as_u64()
        ),
        (Some(2), Some(6))
    );
    assert_eq!(history["recent_same_failures"][0]["run_id"], 103);
    assert_eq!(history["last_green"], Value::Null);
    assert_eq!(json["logs"][0]["failing_job"], "build");

    // A job the database does not know, and a database that is not there: nothing added.
    std::fs::write(
        dir.path().join("job.log"),
        build_log().replace("job name: build", "job name: lint"),
    )
    .unwrap();
    let other = diagnose(dir.path(), &["--db", db]);
    assert!(!other.contains("## History"), "{other}");
    std::fs::write(dir.path().join("job.log"), build_log()).unwrap();
    let missing = diagnose(dir.path(), &["--db", "nowhere.sqlite"]);
    assert_eq!(missing, without);
    assert!(!dir.path().join("nowhere.sqlite").exists(), "not created");
}
