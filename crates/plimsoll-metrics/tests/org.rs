//! `--org`: the organisation's repositories listed (archived and disabled skipped), synced
//! two at a time from a real HTTP server on 127.0.0.1, a repository without workflows stopped
//! after its workflow listing, a failing one reported without stopping the others; and the
//! clients of one sync waiting for one rate limit.

mod common;

use std::time::{Duration, Instant};

use common::github_server::{GitHubServer, Reply};
use common::history::{serve_org, REPO, SINCE};
use common::setup::{client, since, sync_options};
use plimsoll_metrics::org::{org_report, org_repositories, sync_org};
use plimsoll_metrics::{analyse, AnalysisOptions, Store};
use serde_json::json;

#[test]
fn an_organisation_is_listed_synced_in_parallel_and_summed() {
    let server = GitHubServer::start();
    serve_org(&server);
    let folder = tempfile::tempdir().expect("temp dir");
    let db = folder.path().join("metrics.sqlite");
    let store = Store::open(&db).expect("store");
    let mut listing_client = client(&server);
    let listed = org_repositories(&mut listing_client, &store, "octo").expect("listed");
    assert_eq!(listed.repos, ["octo/app", "octo/empty", "octo/gone"]);
    assert_eq!(listed.skipped, 2, "archived and disabled");

    let seen = std::sync::Mutex::new(Vec::new());
    let results = sync_org(
        &listing_client,
        &db,
        &listed.repos,
        &sync_options(),
        2,
        &|progress| {
            seen.lock()
                .expect("progress")
                .push((progress.done, progress.total));
        },
    );
    let mut seen = seen.into_inner().expect("progress");
    seen.sort_unstable();
    assert_eq!(seen, [(1, 3), (2, 3), (3, 3)]);
    let outcomes: Vec<(&str, Option<(bool, u64)>)> = results
        .iter()
        .map(|(repo, outcome)| {
            (
                repo.as_str(),
                outcome
                    .as_ref()
                    .ok()
                    .map(|s| (s.no_workflows, s.attempts_stored)),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("octo/app", Some((false, 8))),
            ("octo/empty", Some((true, 0))),
            ("octo/gone", None),
        ]
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.target.starts_with("/repos/octo/empty/actions/runs")),
        "no runs are listed for a repository without workflows"
    );

    assert_eq!(
        store.repos_of("octo").expect("repos"),
        ["octo/app", "octo/empty"]
    );
    let options = AnalysisOptions {
        since: since(),
        top_steps: 5,
        ..Default::default()
    };
    let reports = ["octo/app", "octo/empty"]
        .iter()
        .map(|repo| analyse(&store.history(repo, since()).expect("history"), &options))
        .collect();
    let report = org_report("octo", SINCE, reports);
    // octo/app: CI 7 attempts (3 failed, 3 passed, 1 cancelled), Release 1 passed.
    let app = &report.summary[0];
    assert_eq!(app.repo, REPO);
    assert_eq!(
        (app.workflows, app.attempts, app.passed, app.failed),
        (2, 8, 4, 3)
    );
    assert_eq!(report.summary[1].attempts, 0);
    assert_eq!(report.total.attempts, 8);
    assert_eq!(report.total.failure_rate, Some(3.0 / 7.0));
    assert_eq!(report.total.minutes, app.minutes);
    let text = plimsoll_metrics::render::human_org(&report);
    assert!(text.contains("octo (all)"), "{text}");
    let reports: Vec<&plimsoll_metrics::Report> = report.repos.iter().collect();
    let metrics = plimsoll_metrics::render::openmetrics_of(&reports);
    assert_eq!(
        metrics
            .matches("# TYPE plimsoll_workflow_attempts gauge")
            .count(),
        1,
        "each family once"
    );
    assert!(metrics.ends_with("# EOF\n"));
}

#[test]
fn clients_of_one_sync_wait_for_the_same_rate_limit() {
    let server = GitHubServer::start();
    let reset = plimsoll_metrics::time::now() + 1;
    server.route(
        "/spent",
        Reply::json(&json!({}))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset.to_string()),
    );
    server.route("/other", Reply::json(&json!({})));
    let mut first = client(&server);
    let mut second = first.sharing_limits();
    first.get_uncached("/spent").expect("spent");
    let asked = Instant::now();
    second.get_uncached("/other").expect("other");
    assert!(
        asked.elapsed() >= Duration::from_millis(900),
        "the second client waited for the reset the first one was told of"
    );
    assert_eq!(second.counts.rate_limit_waits, 1);
}
