//! The sync against a real HTTP server on 127.0.0.1 answering as GitHub's REST API, with the
//! failures GitHub documents (pagination, ETag 304s, primary and secondary rate limits, a 502,
//! a time-out), then the figures of the stored history, checked by hand.

mod common;

use std::time::{Duration, Instant};

use common::github_server::{GitHubServer, Reply};
use common::history::{self, REPO, SINCE};
use common::setup::{client, since, sync_options};
use plimsoll_metrics::time::parse_timestamp;
use plimsoll_metrics::{analyse, AnalysisOptions, MetricsError, Store, SyncOptions};

fn epoch_now() -> i64 {
    plimsoll_metrics::time::now()
}

#[test]
fn sync_survives_githubs_failures_stores_every_attempt_and_then_fetches_only_whats_new() {
    let server = GitHubServer::start();
    let attempts = history::attempts();
    history::serve(&server, &attempts, SINCE, 4);
    let workflows = format!("/repos/{REPO}/actions/workflows?per_page=100");
    let runs_page_2 = format!("{}&page=2", history::runs_target(SINCE));
    let jobs_of = |run_id: i64| {
        history::jobs_target(attempts.iter().find(|a| a.run_id == run_id).expect("run"))
    };
    // Primary rate limit spent, resetting in a second.
    let reset = epoch_now() + 1;
    server.once(
        &workflows,
        Reply::error(403, "API rate limit exceeded for user ID 1.")
            .header("x-ratelimit-limit", "5000")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset.to_string()),
    );
    // A secondary rate limit with Retry-After, a 502, and a reply slower than the time-out.
    server.once(
        &jobs_of(105),
        Reply::error(403, "You have exceeded a secondary rate limit.").header("retry-after", "1"),
    );
    server.once(&runs_page_2, Reply::error(502, "Server Error"));
    server.once(
        &jobs_of(103),
        Reply::json(&serde_json::json!({"total_count": 0, "jobs": []}))
            .delayed(Duration::from_secs(3)),
    );

    let folder = tempfile::tempdir().expect("temp dir");
    let db = folder.path().join("cache/plimsoll/metrics.sqlite");
    let mut store = Store::open(&db).expect("open store");
    let mut client = client(&server);
    let mut progress_calls = 0;
    let summary = plimsoll_metrics::sync(&mut client, &mut store, &sync_options(), &mut |_| {
        progress_calls += 1
    })
    .expect("first sync");

    assert_eq!(summary.runs_listed, 7);
    assert_eq!(progress_calls, 7);
    assert_eq!(summary.attempts_stored, 8, "7 runs, one with two attempts");
    assert_eq!(summary.jobs_stored, 15);
    assert!(!summary.truncated);
    // repo 1, workflows 2 (403, 200), runs 1 + 2 (502, 200), jobs of 8 attempts with 101's on
    // two pages, 105's after a 403 and 103's after a time-out: 11, run 102's attempt 1: 1.
    assert_eq!(summary.requests.requests, 18, "{:#?}", server.requests());
    assert_eq!(summary.requests.retries, 2);
    assert_eq!(summary.requests.rate_limit_waits, 2);
    assert_eq!(summary.requests.not_modified, 0);

    let log = server.requests();
    assert!(log
        .iter()
        .all(|r| r.authorization.as_deref() == Some("Bearer test-token")));
    let times_of = |target: &str| -> Vec<(Instant, u16)> {
        log.iter()
            .filter(|r| r.target == target)
            .map(|r| (r.at, r.status))
            .collect()
    };
    let workflow_requests = times_of(&workflows);
    assert_eq!(
        workflow_requests.iter().map(|r| r.1).collect::<Vec<_>>(),
        [403, 200]
    );
    // No retry before the reset (x-ratelimit-reset is rounded down to the second).
    assert!(workflow_requests[1].0 - workflow_requests[0].0 >= Duration::from_millis(900));
    let secondary = times_of(&jobs_of(105));
    assert_eq!(
        secondary.iter().map(|r| r.1).collect::<Vec<_>>(),
        [403, 200]
    );
    assert!(secondary[1].0 - secondary[0].0 >= Duration::from_secs(1));
    assert_eq!(
        times_of(&runs_page_2)
            .iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        [502, 200]
    );
    let timed_out = times_of(&jobs_of(103));
    assert_eq!(
        timed_out.len(),
        2,
        "the slow reply timed out and was asked again"
    );
    assert!(timed_out[1].0 - timed_out[0].0 >= Duration::from_secs(1));

    // Responses are kept for conditional requests only where they will be asked for again.
    let kept = |store: &Store, target: &str| {
        store
            .cached_response(&format!("{}{target}", server.url))
            .expect("read")
            .is_some()
    };
    assert!(kept(&store, &format!("/repos/{REPO}")));
    assert!(kept(&store, &history::runs_target(SINCE)));
    assert!(
        !kept(&store, &jobs_of(105)),
        "a completed attempt's jobs are not asked for again"
    );

    // What was stored.
    assert_eq!(store.schema_version().expect("version"), 3);
    let stored = store.history(REPO, since()).expect("history");
    assert_eq!(
        stored.repo.as_ref().map(|r| r.default_branch.as_str()),
        Some("main")
    );
    assert_eq!(stored.workflows.len(), 2);
    assert_eq!(stored.runs.len(), 8);
    assert_eq!(stored.jobs.len(), 15);
    assert_eq!(stored.jobs.iter().map(|j| j.steps.len()).sum::<usize>(), 45);
    let first_attempt = store
        .run_attempt(102, 1)
        .expect("read")
        .expect("attempt 1 stored");
    assert_eq!(first_attempt.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        first_attempt.run_started_at,
        parse_timestamp("2026-11-03T10:00:00Z")
    );
    let failed_build = stored.jobs.iter().find(|j| j.id == 2001).expect("job 2001");
    assert_eq!((failed_build.run_id, failed_build.attempt), (102, 1));
    assert_eq!(failed_build.labels, ["ubuntu-latest"]);
    assert_eq!(failed_build.steps[1].name, "Run tests");
    assert_eq!(failed_build.steps[1].conclusion.as_deref(), Some("failure"));
    assert_eq!(
        failed_build.steps[1]
            .completed_at
            .zip(failed_build.steps[1].started_at)
            .map(|(e, s)| e - s),
        Some(160)
    );

    // The incremental sync: run 107 is new and run 103 was re-run (attempt 2); the repository
    // and workflows answer 304. Runs are listed from a day before the newest one seen.
    let mut later = history::attempts();
    later.push(history::new_attempt());
    later.push(history::rerun_attempt());
    server.clear_log();
    let relisted_from = "2026-11-10T09:00:00Z";
    history::serve(&server, &later, relisted_from, 100);
    let second = plimsoll_metrics::sync(&mut client, &mut store, &sync_options(), &mut |_| {})
        .expect("second sync");
    let targets: Vec<(String, u16)> = server
        .requests()
        .into_iter()
        .map(|r| (r.target, r.status))
        .collect();
    assert_eq!(
        targets,
        [
            (format!("/repos/{REPO}"), 304),
            (workflows.clone(), 304),
            (history::runs_target(relisted_from), 200),
            (history::jobs_target(&history::new_attempt()), 200),
            (history::jobs_target(&history::rerun_attempt()), 200),
        ],
        "only what is new since the last sync is fetched"
    );
    assert_eq!(
        second.runs_listed, 6,
        "103 to 107, listed again from a day before the cursor"
    );
    assert_eq!(second.attempts_stored, 2);
    assert_eq!(second.jobs_stored, 4);
    assert_eq!(
        second.requests.not_modified - summary.requests.not_modified,
        2
    );
    let stored = store.history(REPO, since()).expect("history");
    assert_eq!(stored.runs.len(), 10);
    assert!(
        !kept(&store, &history::runs_target(SINCE)),
        "the old cursor's listing is dropped"
    );
    assert!(!kept(&store, &runs_page_2));
    assert!(kept(&store, &history::runs_target(relisted_from)));
    let rerun = store
        .run_attempt(103, 2)
        .expect("read")
        .expect("re-run stored");
    assert_eq!(rerun.conclusion.as_deref(), Some("success"));
    assert_eq!(
        store
            .run_attempt(103, 1)
            .expect("read")
            .and_then(|a| a.conclusion),
        Some("failure".to_owned()),
        "the first attempt is kept"
    );
}

#[test]
fn figures_of_the_history_match_the_hand_checked_numbers() {
    let server = GitHubServer::start();
    history::serve(&server, &history::attempts(), SINCE, 100);
    let mut store = Store::open_in_memory().expect("store");
    plimsoll_metrics::sync(
        &mut client(&server),
        &mut store,
        &sync_options(),
        &mut |_| {},
    )
    .expect("sync");
    let options = AnalysisOptions {
        since: since(),
        top_steps: 3,
        ..AnalysisOptions::default()
    };
    let report = analyse(&store.history(REPO, since()).expect("history"), &options);
    assert_eq!(
        plimsoll_metrics::analyse_stored(&store, REPO, &options).expect("streamed"),
        Some(report.clone()),
        "streamed from the database, the figures are those of the history held whole"
    );
    for filtered in [
        AnalysisOptions {
            branch: Some("feature".to_owned()),
            ..options.clone()
        },
        AnalysisOptions {
            workflow: Some("release.yml".to_owned()),
            ..options.clone()
        },
    ] {
        assert_eq!(
            plimsoll_metrics::analyse_stored(&store, REPO, &filtered).expect("streamed"),
            Some(analyse(
                &store.history(REPO, since()).expect("history"),
                &filtered
            ))
        );
    }

    assert_eq!(report.repo, REPO);
    assert_eq!(report.workflows.len(), 2);
    let ci = &report.workflows[0];
    assert_eq!(
        (ci.name.as_str(), ci.path.as_str()),
        ("CI", ".github/workflows/ci.yml")
    );
    // 7 attempts: 3 passed, 3 failed, 1 cancelled (excluded).
    assert_eq!(
        (ci.outcomes.total, ci.outcomes.passed, ci.outcomes.failed),
        (7, 3, 3)
    );
    assert_eq!(ci.outcomes.cancelled_or_skipped, 1);
    assert_eq!(ci.outcomes.failure_rate, Some(0.5));
    // Durations 270, 330, 400, 450, 510, 540 (the cancelled one left out).
    assert_eq!(
        (
            ci.duration.count,
            ci.duration.p50,
            ci.duration.p95,
            ci.duration.sum
        ),
        (6, Some(400), Some(540), 2500)
    );
    // Queue times of 14 jobs: 10, 20, nine of 30, 40, 60, 60.
    assert_eq!(
        (ci.queue.count, ci.queue.p50, ci.queue.p95),
        (14, Some(30), Some(60))
    );
    // Main: 102.1 red 10:06:40 -> 102.2 green 11:07:30 (3650 s); 103 red 11-10 09:05:30 ->
    // 105 green 11-11 08:08:30 (82980 s); 106 is on a feature branch.
    assert_eq!(ci.recovery.recoveries, 2);
    assert_eq!(
        (ci.recovery.p50, ci.recovery.max),
        (Some(3650), Some(82_980))
    );
    assert!(!ci.recovery.still_failing);
    let weeks: Vec<(&str, usize, usize, Option<i64>)> = ci
        .weekly
        .iter()
        .map(|w| {
            (
                w.start.as_str(),
                w.outcomes.total,
                w.outcomes.failed,
                w.duration_p50,
            )
        })
        .collect();
    assert_eq!(
        weeks,
        [
            ("2026-11-02", 3, 1, Some(450)),
            ("2026-11-09", 4, 2, Some(330))
        ]
    );

    let build = &ci.jobs[0];
    assert_eq!(build.name, "build");
    assert_eq!(
        (
            build.outcomes.failed,
            build.outcomes.passed,
            build.outcomes.failure_rate
        ),
        (3, 3, Some(0.5))
    );
    assert_eq!(
        (build.duration.p50, build.duration.p95),
        (Some(180), Some(300))
    );
    let windows = &ci.jobs[1];
    assert_eq!(windows.outcomes.failure_rate, Some(0.0));
    assert_eq!(
        (windows.duration.p50, windows.duration.p95),
        (Some(360), Some(480))
    );

    let release = &report.workflows[1];
    assert_eq!(
        (release.duration.p50, release.queue.p50),
        (Some(720), Some(120))
    );
    assert_eq!(
        release.weekly[0].outcomes.total, 0,
        "weeks line up across workflows"
    );

    assert_eq!(report.flaky_jobs.len(), 1);
    let flaky = &report.flaky_jobs[0];
    assert_eq!(
        (flaky.workflow.as_str(), flaky.job.as_str()),
        ("CI", "build")
    );
    assert_eq!((flaky.flaky_commits, flaky.commits), (1, 5));
    assert_eq!(flaky.shas, ["b2".repeat(20)]);

    let slowest: Vec<(&str, &str, Option<i64>)> = report
        .slowest_steps
        .iter()
        .map(|s| (s.job.as_str(), s.step.as_str(), s.duration.p50))
        .collect();
    assert_eq!(
        slowest,
        [
            ("publish", "Run tests", Some(580)),
            ("test-windows", "Run tests", Some(340)),
            ("build", "Run tests", Some(160))
        ]
    );
    assert_eq!(report.most_failing_steps.len(), 1);
    assert_eq!(
        (
            report.most_failing_steps[0].step.as_str(),
            report.most_failing_steps[0].failures
        ),
        ("Run tests", 3)
    );

    let minutes: Vec<(&str, &str, i64, Option<i64>)> = report
        .runner_minutes
        .iter()
        .map(|r| {
            (
                r.os.as_str(),
                r.labels.as_str(),
                r.minutes,
                r.billable_minutes,
            )
        })
        .collect();
    assert_eq!(
        minutes,
        [
            ("linux", "ubuntu-latest", 23, Some(23)),
            ("windows", "windows-latest", 39, Some(78)),
            ("macos", "macos-14", 10, Some(100)),
        ]
    );
    assert_eq!(
        (report.total_minutes, report.total_billable_minutes),
        (72, 201)
    );

    // Filters: the feature branch alone, and the Release workflow alone.
    let feature = analyse(
        &store.history(REPO, since()).expect("history"),
        &AnalysisOptions {
            since: since(),
            branch: Some("feature".into()),
            top_steps: 3,
            ..Default::default()
        },
    );
    assert_eq!(feature.workflows.len(), 1);
    assert_eq!(feature.workflows[0].outcomes.failed, 1);
    let release_only = analyse(
        &store.history(REPO, since()).expect("history"),
        &AnalysisOptions {
            since: since(),
            workflow: Some(".github/workflows/release.yml".into()),
            top_steps: 3,
            ..Default::default()
        },
    );
    assert_eq!(
        release_only
            .workflows
            .iter()
            .map(|w| w.name.as_str())
            .collect::<Vec<_>>(),
        ["Release"]
    );
}

#[test]
fn a_client_error_is_not_retried() {
    let server = GitHubServer::start();
    server.route("/repos/octo/gone", Reply::error(404, "Not Found"));
    server.route(
        "/repos/octo/private",
        Reply::error(403, "Resource not accessible by integration"),
    );
    let mut store = Store::open_in_memory().expect("store");
    let mut client = client(&server);
    for (repo, status) in [("octo/gone", 404), ("octo/private", 403)] {
        let options = SyncOptions {
            repo: repo.to_owned(),
            ..sync_options()
        };
        let error = plimsoll_metrics::sync(&mut client, &mut store, &options, &mut |_| {})
            .expect_err("a 4xx fails the sync");
        match error {
            MetricsError::Http {
                status: got,
                ref message,
                ..
            } => {
                assert_eq!(got, status);
                assert!(!message.is_empty());
            }
            other => panic!("unexpected error {other}"),
        }
    }
    assert_eq!(server.requests().len(), 2, "one request each, no retry");
}

#[test]
fn persistent_server_errors_give_up_after_the_retries() {
    let server = GitHubServer::start();
    server.route(
        &format!("/repos/{REPO}"),
        Reply::error(503, "Service Unavailable"),
    );
    let mut store = Store::open_in_memory().expect("store");
    let error = plimsoll_metrics::sync(
        &mut client(&server),
        &mut store,
        &sync_options(),
        &mut |_| {},
    )
    .expect_err("503 forever");
    assert!(
        matches!(error, MetricsError::Transport { attempts: 4, .. }),
        "{error}"
    );
    assert_eq!(server.requests().len(), 4, "the first try and 3 retries");
}

#[test]
fn a_database_of_a_newer_schema_is_refused_and_an_empty_one_migrated() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("metrics.sqlite");
    std::fs::write(&path, b"").expect("empty database file");
    drop(Store::open(&path).expect("an empty file is migrated"));
    assert_eq!(
        Store::open(&path)
            .expect("reopen")
            .schema_version()
            .expect("version"),
        3
    );
    set_user_version(&path, 99);
    match Store::open(&path) {
        Err(MetricsError::NewerSchema {
            found: 99,
            known: 3,
        }) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}

/// Set the database's `user_version` through the file format itself: the header's 4-byte
/// big-endian field at offset 60 (<https://www.sqlite.org/fileformat.html>), so the test needs
/// no second SQLite binding. The store checkpoints its write-ahead log when it closes.
fn set_user_version(path: &std::path::Path, version: u32) {
    let mut bytes = std::fs::read(path).expect("read database");
    bytes[60..64].copy_from_slice(&version.to_be_bytes());
    std::fs::write(path, bytes).expect("write header");
}

#[test]
fn githubs_published_examples_parse_into_the_stored_model() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let runs = std::fs::read_to_string(fixtures.join("octokit-workflow-run-paginated.json"))
        .expect("runs example");
    let list: plimsoll_metrics::api::RunList =
        plimsoll_metrics::api::parse("example", &runs).expect("runs parse");
    let run = list.workflow_runs.into_iter().next().expect("one run");
    let run = run.into_model("example", 1).expect("run model");
    assert_eq!(
        (run.run_id, run.attempt, run.workflow_id),
        (30433642, 1, 159038)
    );
    assert_eq!(
        run.created_at,
        parse_timestamp("2020-01-22T19:33:08Z").expect("time")
    );
    let jobs =
        std::fs::read_to_string(fixtures.join("octokit-job-paginated.json")).expect("jobs example");
    let list: plimsoll_metrics::api::JobList =
        plimsoll_metrics::api::parse("example", &jobs).expect("jobs parse");
    let job = list
        .jobs
        .into_iter()
        .next()
        .expect("one job")
        .into_model("example", 1)
        .expect("job model");
    assert_eq!(job.steps.len(), 10);
    // Step times carry a -08:00 offset; the job's are UTC: both land on the same instant.
    assert_eq!(job.steps[0].started_at, job.started_at);
    assert_eq!(job.labels, ["self-hosted", "foo", "bar"]);
    assert_eq!(
        plimsoll_metrics::runners::runner_kind(&job.labels).multiplier(),
        Some(0)
    );
}

#[test]
fn unfinished_runs_are_fetched_again_and_filters_choose_the_listing() {
    use serde_json::json;
    let server = GitHubServer::start();
    history::serve(&server, &[], SINCE, 100);
    // The repository answer spends the primary limit: the next request waits for its reset.
    let reset = epoch_now() + 1;
    server.once(
        &format!("/repos/{REPO}"),
        Reply::json(&json!({"id": 42, "full_name": REPO, "default_branch": "main"}))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset.to_string()),
    );
    let spec = history::AttemptSpec {
        run_id: 301,
        attempt: 1,
        workflow_id: 12,
        branch: "main",
        sha: "h8",
        created: "2026-11-05T10:00:00Z",
        started: "2026-11-05T10:00:00Z",
        conclusion: "success",
        jobs: vec![history::JobSpec {
            id: 9901,
            name: "publish",
            label: "macos-14",
            queued: 60,
            seconds: 600,
            conclusion: "success",
        }],
    };
    let listing = |from: &str| {
        format!(
            "/repos/{REPO}/actions/workflows/release.yml/runs?created=%3E%3D{from}&per_page=100&branch=main"
        )
    };
    let mut running = history::run_json(&server.url, &spec);
    running["status"] = json!("in_progress");
    running["conclusion"] = json!(null);
    let mut running_job = history::job_json(&server.url, &spec, &spec.jobs[0]);
    running_job["status"] = json!("in_progress");
    running_job["conclusion"] = json!(null);
    running_job["completed_at"] = json!(null);
    server.route(
        &listing(SINCE),
        Reply::json(&json!({"total_count": 1, "workflow_runs": [running]})),
    );
    server.route(
        &history::jobs_target(&spec),
        Reply::json(&json!({"total_count": 1, "jobs": [running_job]})).with_content_etag(),
    );
    let options = SyncOptions {
        workflow: Some(".github/workflows/release.yml".to_owned()),
        branch: Some("main".to_owned()),
        ..sync_options()
    };
    let mut store = Store::open_in_memory().expect("store");
    let mut client = client(&server);
    let first =
        plimsoll_metrics::sync(&mut client, &mut store, &options, &mut |_| {}).expect("sync");
    assert_eq!(
        first.requests.rate_limit_waits, 1,
        "waited for the reset after a 200"
    );
    let log = server.requests();
    assert!(log[1].at - log[0].at >= Duration::from_millis(900));
    let stored = store.run_attempt(301, 1).expect("read").expect("stored");
    assert_eq!(
        (stored.status.as_str(), stored.conclusion.as_deref()),
        ("in_progress", None)
    );
    let job = &store.history(REPO, since()).expect("history").jobs[0];
    assert_eq!(
        (job.status.as_str(), job.completed_at),
        ("in_progress", None)
    );
    let jobs_url = format!("{}{}", server.url, history::jobs_target(&spec));
    assert!(
        store.cached_response(&jobs_url).expect("read").is_some(),
        "an unfinished attempt's jobs are kept for a conditional request"
    );

    // It completed since: listed again from a day before it (the cursor stayed on it), and its
    // jobs fetched again.
    let relisted_from = "2026-11-04T10:00:00Z";
    server.route(
        &listing(relisted_from),
        Reply::json(
            &json!({"total_count": 1, "workflow_runs": [history::run_json(&server.url, &spec)]}),
        ),
    );
    server.route(
        &history::jobs_target(&spec),
        Reply::json(&json!({"total_count": 1, "jobs": [history::job_json(&server.url, &spec, &spec.jobs[0])]}))
            .with_content_etag(),
    );
    let second =
        plimsoll_metrics::sync(&mut client, &mut store, &options, &mut |_| {}).expect("sync");
    assert_eq!(
        (
            second.runs_listed,
            second.attempts_stored,
            second.jobs_stored
        ),
        (1, 1, 1)
    );
    let stored = store.run_attempt(301, 1).expect("read").expect("stored");
    assert_eq!(stored.conclusion.as_deref(), Some("success"));
    assert!(
        store.cached_response(&jobs_url).expect("read").is_none(),
        "completed: dropped"
    );
    let report = analyse(
        &store.history(REPO, since()).expect("history"),
        &AnalysisOptions {
            since: since(),
            top_steps: 3,
            ..Default::default()
        },
    );
    assert_eq!(report.workflows[0].duration.p50, Some(660));
}

#[test]
fn job_logs_are_read_once_for_their_cache_events() {
    let server = GitHubServer::start();
    history::serve(&server, &history::attempts(), SINCE, 100);
    let log_url = |job: i64| format!("/repos/{REPO}/actions/jobs/{job}/logs");
    // As GitHub does: a redirect to the log's storage, which gets no token.
    server.route(
        &log_url(1001),
        Reply::redirect(&format!("{}/blobs/job-1001.txt", server.url)),
    );
    server.route(
        "/blobs/job-1001.txt",
        Reply::text(
            "2026-11-02T10:00:31.0000000Z ##[group]Run actions/cache@v4\n\
             2026-11-02T10:00:31.0000000Z with:\n\
             2026-11-02T10:00:31.0000000Z   path: ~/.cargo\n\
             2026-11-02T10:00:31.0000000Z   key: cargo-a1\n\
             2026-11-02T10:00:31.0000000Z ##[endgroup]\n\
             2026-11-02T10:00:32.0000000Z Cache not found for input keys: cargo-a1\n\
             2026-11-02T10:05:20.0000000Z Post job cleanup.\n\
             2026-11-02T10:05:21.0000000Z Cache saved successfully\n\
             2026-11-02T10:05:21.0000000Z Cache saved with key: cargo-a1\n",
        ),
    );
    server.route(
        &log_url(1002),
        Reply::text(
            "2026-11-02T10:01:01.0000000Z ##[group]Run Swatinem/rust-cache@v2\n\
             2026-11-02T10:01:01.0000000Z ##[endgroup]\n\
             2026-11-02T10:01:02.0000000Z Restored from cache key \"v0-rust-x\" full match: true.\n",
        ),
    );
    server.route(
        &log_url(2001),
        Reply::text(
            "2026-11-03T10:00:21.0000000Z ##[group]Run actions/cache@v4\n\
             2026-11-03T10:00:21.0000000Z with:\n\
             2026-11-03T10:00:21.0000000Z   key: cargo-b2\n\
             2026-11-03T10:00:21.0000000Z   restore-keys: cargo-\n\
             2026-11-03T10:00:21.0000000Z ##[endgroup]\n\
             2026-11-03T10:00:22.0000000Z Cache restored from key: cargo-a1\n",
        ),
    );
    server.route(&log_url(2002), Reply::error(410, "Gone"));
    // Every other job's log answers 404: expired.
    let options = SyncOptions {
        logs: true,
        ..sync_options()
    };
    let mut store = Store::open_in_memory().expect("store");
    let mut client = client(&server);
    let first =
        plimsoll_metrics::sync(&mut client, &mut store, &options, &mut |_| {}).expect("sync");
    assert_eq!((first.logs_read, first.logs_unavailable), (3, 12));
    let log = server.requests();
    let blob = log
        .iter()
        .find(|r| r.target == "/blobs/job-1001.txt")
        .expect("the redirect was followed");
    assert_eq!(blob.authorization, None, "the token stays with the API");

    server.clear_log();
    history::serve(&server, &history::attempts(), "2026-11-10T09:00:00Z", 100);
    let second =
        plimsoll_metrics::sync(&mut client, &mut store, &options, &mut |_| {}).expect("sync");
    assert_eq!((second.logs_read, second.logs_unavailable), (0, 0));
    assert!(
        server
            .requests()
            .iter()
            .all(|r| !r.target.ends_with("/logs")),
        "a log is read once, an unavailable one not asked for again"
    );

    let report = analyse(
        &store.history(REPO, since()).expect("history"),
        &AnalysisOptions {
            since: since(),
            top_steps: 3,
            ..Default::default()
        },
    );
    let ci = &report.workflows[0].cache;
    assert_eq!(
        (ci.jobs_read, ci.hits, ci.exact_hits, ci.partial_hits),
        (3, 2, 1, 1)
    );
    assert_eq!((ci.misses, ci.saves), (1, 1));
    assert_eq!(ci.hit_rate, Some(2.0 / 3.0));
    let build = &report.workflows[0].jobs[0].cache;
    assert_eq!((build.jobs_read, build.hit_rate), (2, Some(0.5)));
    let windows = &report.workflows[0].jobs[1].cache;
    assert_eq!((windows.jobs_read, windows.hit_rate), (1, Some(1.0)));
    assert_eq!(report.workflows[1].cache.jobs_read, 0);
}

#[test]
fn a_window_with_more_runs_than_github_lists_is_split() {
    // 1,500 runs a minute apart: GitHub lists at most 1,000 for one filtered query, so the
    // window is halved once (750 and 750).
    let server = GitHubServer::start();
    history::serve_repo(&server);
    history::serve_dynamically(&server, history::many_attempts(1500, 1, 60));
    let options = SyncOptions {
        now: parse_timestamp(SINCE).expect("since") + 1500 * 60,
        ..sync_options()
    };
    let mut store = Store::open_in_memory().expect("store");
    let summary = plimsoll_metrics::sync(&mut client(&server), &mut store, &options, &mut |_| {})
        .expect("sync");
    assert!(!summary.truncated);
    assert_eq!(summary.windows_split, 1, "{summary:?}");
    assert_eq!(summary.attempts_stored, 1500, "every run once");
    assert_eq!(summary.runs_listed, 1500);
    assert_eq!(
        store.history(REPO, since()).expect("history").runs.len(),
        1500
    );
}

#[test]
fn a_rate_limit_reset_too_far_ahead_fails_instead_of_waiting() {
    let server = GitHubServer::start();
    history::serve(&server, &history::attempts(), SINCE, 100);
    server.once(
        &format!("/repos/{REPO}"),
        Reply::json(&serde_json::json!({"id": 42, "full_name": REPO, "default_branch": "main"}))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &i64::MAX.to_string()),
    );
    let mut store = Store::open_in_memory().expect("store");
    let started = Instant::now();
    let error = plimsoll_metrics::sync(
        &mut client(&server),
        &mut store,
        &sync_options(),
        &mut |_| {},
    )
    .expect_err("no waiting for ever");
    assert!(matches!(error, MetricsError::RateLimited { .. }), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.requests().len(), 1);
}
