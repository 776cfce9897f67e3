//! The `plimsoll metrics` benchmark: a sync of 10,000 runs and 50,000 jobs from a GitHub API
//! served on 127.0.0.1 (the test server, which lists at most 1,000 runs per filtered query as
//! GitHub does), then the analysis of 100,000 runs (500,000 jobs) stored in SQLite.
//!
//! `cargo run --release -p plimsoll-metrics --example metrics_bench [SYNC_RUNS] [ANALYSED_RUNS]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::github_server::GitHubServer;
use common::history::{self, REPO, SINCE};
use plimsoll_metrics::model::{Job, Repo, RunAttempt, Step, Workflow};
use plimsoll_metrics::time::parse_timestamp;
use plimsoll_metrics::{
    analyse_stored, AnalysisOptions, Client, ClientOptions, Store, SyncOptions,
};

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kb| kb.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let sync_runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let analysed_runs: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let since = parse_timestamp(SINCE).unwrap_or_default();
    let folder = tempfile::tempdir().expect("temp dir");

    // 1. Sync.
    let server = GitHubServer::start();
    history::serve_repo(&server);
    let spacing = 60;
    history::serve_dynamically(&server, history::many_attempts(sync_runs, 5, spacing));
    let db = folder.path().join("sync.sqlite");
    let mut store = Store::open(&db).expect("store");
    let mut options = ClientOptions::new(&server.url, Some("bench".to_owned()));
    options.timeout = Duration::from_secs(30);
    let mut client = Client::new(options);
    let sync_options = SyncOptions {
        repo: REPO.to_owned(),
        since,
        workflow: None,
        branch: None,
        now: since + sync_runs as i64 * spacing,
        logs: false,
        junit: false,
    };
    let started = Instant::now();
    let summary =
        plimsoll_metrics::sync(&mut client, &mut store, &sync_options, &mut |_| {}).expect("sync");
    let took = started.elapsed();
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(folder.path().join("sync.sqlite-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "sync: {} runs, {} jobs, {} requests ({} listings split) in {:.2} s ({:.0} runs/s); database {:.1} MiB",
        summary.attempts_stored,
        summary.jobs_stored,
        summary.requests.requests,
        summary.windows_split,
        took.as_secs_f64(),
        summary.attempts_stored as f64 / took.as_secs_f64(),
        size as f64 / (1 << 20) as f64
    );
    let started = Instant::now();
    let second = plimsoll_metrics::sync(&mut client, &mut store, &sync_options, &mut |_| {})
        .expect("second sync");
    println!(
        "incremental sync with nothing new: {} requests, {} runs listed, {} stored in {:.2} s",
        second.requests.requests - summary.requests.requests,
        second.runs_listed,
        second.attempts_stored,
        started.elapsed().as_secs_f64()
    );
    drop(store);
    drop(server);

    // 2. Analysis of a large history written straight into the store.
    let db = folder.path().join("analysis.sqlite");
    let mut store = Store::open(&db).expect("store");
    store
        .save_repo(&Repo {
            id: 42,
            full_name: REPO.to_owned(),
            default_branch: "main".to_owned(),
        })
        .expect("repo");
    for (id, name) in [(11, "CI"), (12, "Release"), (13, "Docs")] {
        store
            .save_workflow(&Workflow {
                id,
                repo_id: 42,
                name: name.to_owned(),
                path: format!(".github/workflows/{}.yml", name.to_lowercase()),
                state: "active".to_owned(),
            })
            .expect("workflow");
    }
    let started = Instant::now();
    let labels = ["ubuntu-latest", "windows-latest", "macos-14"];
    let names = ["build", "test-1", "test-2", "lint", "docs"];
    for index in 0..analysed_runs {
        let created = since + index * 25;
        let failed = index % 7 == 3;
        let run = RunAttempt {
            run_id: 1_000_000 + index,
            attempt: 1,
            repo_id: 42,
            workflow_id: 11 + index % 3,
            name: "CI".to_owned(),
            head_branch: Some(if index % 4 == 0 { "feature" } else { "main" }.to_owned()),
            head_sha: format!("{:040x}", index / 2),
            event: "push".to_owned(),
            status: "completed".to_owned(),
            conclusion: Some(if failed { "failure" } else { "success" }.to_owned()),
            created_at: created,
            updated_at: created + 900,
            run_started_at: Some(created),
        };
        let jobs: Vec<Job> = (0..5)
            .map(|job| {
                let started_at = created + 5 + index % 11;
                let completed_at = started_at + 60 + (index * 37 + job * 13) % 600;
                Job {
                    id: (1_000_000 + index) * 10 + job,
                    run_id: run.run_id,
                    attempt: 1,
                    name: names[job as usize].to_owned(),
                    status: "completed".to_owned(),
                    conclusion: Some(
                        if failed && job == 0 {
                            "failure"
                        } else {
                            "success"
                        }
                        .to_owned(),
                    ),
                    created_at: Some(created),
                    started_at: Some(started_at),
                    completed_at: Some(completed_at),
                    labels: vec![labels[job as usize % 3].to_owned()],
                    runner_name: None,
                    steps: (1..=3)
                        .map(|number| Step {
                            number,
                            name: ["Set up job", "Run tests", "Complete job"][number as usize - 1]
                                .to_owned(),
                            status: "completed".to_owned(),
                            conclusion: Some("success".to_owned()),
                            started_at: Some(started_at),
                            completed_at: Some(completed_at),
                        })
                        .collect(),
                }
            })
            .collect();
        store.save_attempt(&run, &jobs).expect("save");
    }
    println!(
        "store: {} runs with 5 jobs and 15 steps each written in {:.2} s",
        analysed_runs,
        started.elapsed().as_secs_f64()
    );
    let before = peak_mib();
    let started = Instant::now();
    // Streamed from the database, as `plimsoll metrics` analyses: one attempt at a time.
    let report = analyse_stored(
        &store,
        REPO,
        &AnalysisOptions {
            since,
            top_steps: 10,
            ..AnalysisOptions::default()
        },
    )
    .expect("analysis")
    .expect("the repository is stored");
    let analysed = started.elapsed();
    let table = plimsoll_metrics::render::human(&report);
    let ci = report.workflows.first();
    println!(
        "analysis (streamed): {} run attempts, {} jobs: {:.2} s, {} workflows, {} weeks, {} table lines; peak RSS {:.0} MiB (before {:.0})",
        ci.map_or(0, |w| w.outcomes.total),
        ci.map_or(0, |w| w.jobs.iter().map(|j| j.outcomes.total).sum::<usize>()),
        analysed.as_secs_f64(),
        report.workflows.len(),
        ci.map_or(0, |w| w.weekly.len()),
        table.lines().count(),
        peak_mib(),
        before
    );
}
