//! JUnit reports from run artifacts: the sync lists each run's artifacts, downloads the zips
//! (through GitHub's redirect to their storage), and stores every test case of the reports in
//! them; the analysis finds the slowest and the flaky tests. The zips are built here from the
//! hand-written reports of `tests/fixtures/junit/`, one per dialect (Maven surefire, pytest,
//! jest-junit, gradle, cargo-nextest), and every figure is checked by hand.

mod common;

use std::io::Write;

use common::github_server::{GitHubServer, Reply};
use common::history::{self, REPO, SINCE};
use common::setup::{client, since, sync_options};
use plimsoll_metrics::junit::{parse_report, TestOutcome};
use plimsoll_metrics::{analyse, AnalysisOptions, Store, SyncOptions};
use serde_json::json;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/junit/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A zip of `files` (path in the zip, fixture name), deflated as `actions/upload-artifact` does.
fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, name) in files {
        writer.start_file(*path, options).expect("zip entry");
        let text = if name.ends_with(".xml") {
            fixture(name)
        } else {
            (*name).to_owned()
        };
        writer.write_all(text.as_bytes()).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

struct Artifact {
    id: i64,
    run_id: i64,
    name: &'static str,
    created: &'static str,
    expired: bool,
    size: i64,
    files: Vec<(&'static str, &'static str)>,
}

fn artifact(
    id: i64,
    run_id: i64,
    created: &'static str,
    files: Vec<(&'static str, &'static str)>,
) -> Artifact {
    Artifact {
        id,
        run_id,
        name: "test-results",
        created,
        expired: false,
        size: 4096,
        files,
    }
}

/// The artifacts of the history of `common::history`, as the table in this file's tests
/// lays them out.
fn artifacts() -> Vec<Artifact> {
    vec![
        artifact(
            501,
            101,
            "2026-11-02T10:05:00Z",
            vec![
                (
                    "target/surefire-reports/TEST-com.example.CartTest.xml",
                    "surefire-TEST-com.example.CartTest.xml",
                ),
                ("reports/pytest.xml", "pytest-junit.xml"),
            ],
        ),
        artifact(
            502,
            102,
            "2026-11-03T10:05:00Z",
            vec![(
                "TEST-com.example.CartTest.xml",
                "surefire-TEST-com.example.CartTest-failed.xml",
            )],
        ),
        artifact(
            503,
            102,
            "2026-11-03T11:05:00Z",
            vec![(
                "TEST-com.example.CartTest.xml",
                "surefire-TEST-com.example.CartTest-rerun.xml",
            )],
        ),
        artifact(
            504,
            103,
            "2026-11-10T09:03:00Z",
            vec![("target/nextest/ci/junit.xml", "nextest-junit.xml")],
        ),
        artifact(
            505,
            105,
            "2026-11-11T08:06:00Z",
            vec![
                ("junit.xml", "jest-junit.xml"),
                (
                    "build/test-results/test/TEST-com.example.PriceTest.xml",
                    "gradle-TEST-com.example.PriceTest.xml",
                ),
                ("pom.xml", "not-a-report-pom.xml"),
                ("build/reports/index.html", "<html></html>"),
            ],
        ),
        artifact(
            506,
            106,
            "2026-11-11T09:06:00Z",
            vec![(
                "build/test-results/test/TEST-com.example.PriceTest.xml",
                "gradle-TEST-com.example.PriceTest-failed.xml",
            )],
        ),
        Artifact {
            expired: true,
            ..artifact(507, 105, "2026-11-11T08:06:30Z", Vec::new())
        },
        Artifact {
            name: "dist",
            size: 100 << 20,
            ..artifact(508, 105, "2026-11-11T08:07:00Z", Vec::new())
        },
        Artifact {
            name: "coverage",
            ..artifact(
                509,
                101,
                "2026-11-02T10:06:00Z",
                vec![("index.html", "<html>coverage</html>")],
            )
        },
    ]
}

fn artifact_json(base: &str, a: &Artifact) -> serde_json::Value {
    json!({
        "id": a.id,
        "node_id": format!("MDg6QXJ0aWZhY3Q{}", a.id),
        "name": a.name,
        "size_in_bytes": a.size,
        "url": format!("{base}/repos/{REPO}/actions/artifacts/{}", a.id),
        "archive_download_url": format!("{base}/repos/{REPO}/actions/artifacts/{}/zip", a.id),
        "expired": a.expired,
        "digest": "sha256:cfc3236bdad15b5898bca8408945c9e19e1917da8704adc20eaa618444290a8c",
        "created_at": a.created,
        "expires_at": "2027-02-01T00:00:00Z",
        "updated_at": a.created,
        "workflow_run": {
            "id": a.run_id,
            "repository_id": 42,
            "head_repository_id": 42,
            "head_branch": "main",
            "head_sha": "0000000000000000000000000000000000000000"
        }
    })
}

/// Serve each run's artifact listing (run 101's in two pages) and each artifact's zip behind
/// a redirect to its storage, as GitHub does.
fn serve_artifacts(server: &GitHubServer, artifacts: &[Artifact]) {
    let base = server.url.as_str();
    for run_id in [101, 102, 103, 104, 105, 106, 107, 201] {
        let listing = format!("/repos/{REPO}/actions/runs/{run_id}/artifacts?per_page=100");
        let of_run: Vec<serde_json::Value> = artifacts
            .iter()
            .filter(|a| a.run_id == run_id)
            .map(|a| artifact_json(base, a))
            .collect();
        if run_id == 101 {
            let (first, second) = of_run.split_at(1);
            server.route(
                &listing,
                Reply::json(&json!({"total_count": 2, "artifacts": first})).header(
                    "Link",
                    &format!("<{base}{listing}&page=2>; rel=\"next\", <{base}{listing}&page=2>; rel=\"last\""),
                ),
            );
            server.route(
                &format!("{listing}&page=2"),
                Reply::json(&json!({"total_count": 2, "artifacts": second})),
            );
        } else {
            server.route(
                &listing,
                Reply::json(&json!({"total_count": of_run.len(), "artifacts": of_run})),
            );
        }
    }
    for a in artifacts {
        server.route(
            &format!("/repos/{REPO}/actions/artifacts/{}/zip", a.id),
            Reply::redirect(&format!("{base}/blobs/artifact-{}.zip", a.id)),
        );
        server.route(
            &format!("/blobs/artifact-{}.zip", a.id),
            Reply::zip(zip_of(&a.files)),
        );
    }
}

fn options() -> SyncOptions {
    SyncOptions {
        junit: true,
        ..sync_options()
    }
}

#[test]
fn each_dialect_reads_into_test_cases() {
    let surefire =
        parse_report(&fixture("surefire-TEST-com.example.CartTest-failed.xml")).expect("surefire");
    assert_eq!(surefire.len(), 3);
    let checkout = &surefire[2];
    assert_eq!(
        (
            checkout.suite.as_str(),
            checkout.classname.as_str(),
            checkout.name.as_str()
        ),
        (
            "com.example.CartTest",
            "com.example.CartTest",
            "testCheckout"
        )
    );
    assert_eq!(checkout.outcome, TestOutcome::Failed);
    assert_eq!(checkout.seconds, Some(2.0));
    assert_eq!(
        checkout.message.as_deref(),
        Some("expected:<200> but was:<500>")
    );

    let pytest = parse_report(&fixture("pytest-junit.xml")).expect("pytest");
    assert_eq!(pytest[1].name, "test_logout[admin]");
    assert_eq!(pytest[1].outcome, TestOutcome::Skipped);
    assert_eq!(pytest[1].suite, "pytest");

    let nextest = parse_report(&fixture("nextest-junit.xml")).expect("nextest");
    let outcomes: Vec<(&str, &str, TestOutcome, u32)> = nextest
        .iter()
        .map(|c| {
            (
                c.suite.as_str(),
                c.name.as_str(),
                c.outcome,
                c.retried_failures,
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("app::config", "tests::parse_config", TestOutcome::Passed, 1),
            ("app::config", "tests::defaults", TestOutcome::Passed, 0),
            ("app::net", "tests::network_timeout", TestOutcome::Failed, 1),
        ]
    );
    assert_eq!(
        nextest[2].message.as_deref(),
        Some("test failure"),
        "the failure's type when it has no message"
    );

    let jest = parse_report(&fixture("jest-junit.xml")).expect("jest");
    assert_eq!(jest.len(), 3);
    assert_eq!(jest[1].seconds, Some(1.2));
    assert_eq!(jest[2].outcome, TestOutcome::Skipped);

    let gradle =
        parse_report(&fixture("gradle-TEST-com.example.PriceTest-failed.xml")).expect("gradle");
    assert_eq!(gradle[1].name, "rejectsNegative()");
    assert_eq!(gradle[1].outcome, TestOutcome::Errored);
    assert_eq!(
        gradle[1].message.as_deref(),
        Some(
            "java.lang.NullPointerException: Cannot invoke \"java.math.BigDecimal.signum()\" \
             because \"amount\" is null"
        )
    );

    assert_eq!(parse_report(&fixture("not-a-report-pom.xml")), None);
}

/// | run/attempt | sha | artifact | reports                       | JUnit total |
/// |-------------|-----|----------|-------------------------------|-------------|
/// | 101/1       | a1  | 501, 509 | surefire (3 pass), pytest     | 2.466 s     |
/// | 102/1       | b2  | 502      | surefire, testCheckout fails  | 2.2 s       |
/// | 102/2       | b2  | 503      | surefire, all pass            | 1.89 s      |
/// | 103/1       | c3  | 504      | nextest: a retry passes, one fails | 30.262 s |
/// | 105/1       | e5  | 505 (507 expired, 508 too big) | jest, gradle (pom.xml skipped) | 1.613 s |
/// | 106/1       | f6  | 506      | gradle, rejectsNegative errors | 0.52 s     |
#[test]
fn junit_artifacts_are_read_once_and_give_flaky_and_slowest_tests() {
    let server = GitHubServer::start();
    history::serve(&server, &history::attempts(), SINCE, 100);
    serve_artifacts(&server, &artifacts());
    let mut store = Store::open_in_memory().expect("store");
    let mut client = client(&server);
    let first =
        plimsoll_metrics::sync(&mut client, &mut store, &options(), &mut |_| {}).expect("sync");
    assert_eq!(first.artifacts_read, 7, "501 to 506 and 509");
    assert_eq!(
        first.artifacts_skipped, 2,
        "507 expired, 508 over the limit"
    );
    assert_eq!(first.junit_reports, 8);
    assert_eq!(first.test_cases_stored, 21);
    let requests = server.requests();
    assert!(requests.iter().any(
        |r| r.target == format!("/repos/{REPO}/actions/runs/101/artifacts?per_page=100&page=2")
    ));
    let blob = requests
        .iter()
        .find(|r| r.target == "/blobs/artifact-501.zip")
        .expect("the redirect to the zip was followed");
    assert_eq!(blob.authorization, None, "the token stays with the API");
    assert!(
        !requests
            .iter()
            .any(|r| r.target.contains("artifact-507") || r.target.contains("artifact-508")),
        "neither the expired nor the large artifact is downloaded"
    );

    // Which attempt each artifact is of: by when it was made.
    let of_102: Vec<(i64, i64, usize)> = store
        .artifacts(102)
        .expect("artifacts")
        .iter()
        .map(|a| (a.id, a.attempt, a.reports))
        .collect();
    assert_eq!(of_102, [(502, 1, 1), (503, 2, 1)]);

    let report = analyse(
        &store.history(REPO, since()).expect("history"),
        &AnalysisOptions {
            since: since(),
            top_steps: 10,
            ..Default::default()
        },
    );
    assert_eq!(
        plimsoll_metrics::analyse_stored(
            &store,
            REPO,
            &AnalysisOptions {
                since: since(),
                top_steps: 10,
                ..Default::default()
            }
        )
        .expect("streamed"),
        Some(report.clone())
    );
    let ci = &report.workflows[0];
    assert_eq!(ci.name, "CI");
    // JUnit totals per attempt, rounded: 2, 2, 2, 30, 2, 1.
    assert_eq!(
        (
            ci.test_time.junit.count,
            ci.test_time.junit.p50,
            ci.test_time.junit.p95
        ),
        (6, Some(2), Some(30))
    );
    // "Run tests" steps of both jobs, per decided attempt: 740, 500, 620, 380, 740, 380.
    assert_eq!(
        (
            ci.test_time.steps.count,
            ci.test_time.steps.p50,
            ci.test_time.steps.p95
        ),
        (6, Some(500), Some(740))
    );
    assert_eq!(report.workflows[1].test_time.junit.count, 0);

    let tests = &report.tests;
    assert_eq!(
        (
            tests.attempts_with_results,
            tests.results,
            tests.failed_results
        ),
        (6, 21, 3)
    );
    let flaky: Vec<(&str, &str, usize, usize, usize, usize, usize)> = tests
        .flaky_tests
        .iter()
        .map(|t| {
            (
                t.classname.as_str(),
                t.name.as_str(),
                t.flaky_commits,
                t.commits,
                t.failures,
                t.passed_on_rerun,
                t.passed_on_retry,
            )
        })
        .collect();
    assert_eq!(
        flaky,
        [
            ("app::config", "tests::parse_config", 1, 1, 0, 0, 1),
            ("com.example.CartTest", "testCheckout", 1, 2, 1, 1, 0),
        ],
        "network_timeout only failed and rejectsNegative() failed on another commit than it passed"
    );
    assert_eq!(tests.flaky_tests[1].frequency, 0.5);
    assert_eq!(
        tests.flaky_tests[1].last_message.as_deref(),
        Some("expected:<200> but was:<500>")
    );
    let slowest: Vec<(&str, Option<i64>)> = tests
        .slowest_tests
        .iter()
        .map(|t| (t.name.as_str(), t.duration_ms.p50))
        .collect();
    assert_eq!(
        slowest,
        [
            ("tests::network_timeout", Some(30_000)),
            ("testCheckout", Some(1_700)),
            ("Cart applies a coupon", Some(1_200)),
            ("test_login", Some(800)),
            ("roundsHalfUp()", Some(400)),
            ("tests::parse_config", Some(250)),
            ("testAdd", Some(120)),
            ("testRemove", Some(70)),
            ("tests::defaults", Some(12)),
            ("rejectsNegative()", Some(10)),
        ]
    );

    // Every output carries them; OpenMetrics only the top lists.
    let text = plimsoll_metrics::render::human(&report);
    assert!(text.contains("Flaky tests"), "{text}");
    assert!(text.contains("CI / com.example.CartTest / testCheckout"));
    let metrics = plimsoll_metrics::render::openmetrics(&report);
    assert!(metrics.contains(
        "plimsoll_test_flaky_commits{repo=\"octo/app\",workflow=\"CI\",test=\"com.example.CartTest::testCheckout\"} 1"
    ), "{metrics}");
    assert!(metrics.contains(
        "plimsoll_workflow_test_seconds{repo=\"octo/app\",workflow=\"CI\",source=\"junit\",quantile=\"0.5\"} 2"
    ), "{metrics}");
    let page = plimsoll_metrics::html::html(&report);
    assert!(page.contains("<h2 id=\"flaky-tests\">Flaky tests</h2>"));
    assert!(page.contains("tests::parse_config"));

    // Run 103 is re-run and its second attempt uploads a passing report: only its artifacts
    // are listed again, and network_timeout turns out flaky, passed on a re-run.
    let mut later = history::attempts();
    later.push(history::rerun_attempt());
    history::serve(&server, &later, "2026-11-10T09:00:00Z", 100);
    let mut with_rerun = artifacts();
    with_rerun.push(artifact(510, 103, "2026-11-12T09:03:00Z", Vec::new()));
    // The re-run's report: nextest's, where network_timeout passes.
    let passing = fixture("nextest-junit.xml")
        .replace("<failure type=\"test failure\">thread 'tests::network_timeout' panicked at src/net.rs:12:5:\ncalled `Result::unwrap()` on an `Err` value: Elapsed(())</failure>", "");
    assert!(!passing.contains("<failure"));
    serve_artifacts(&server, &with_rerun);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("junit.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all(passing.as_bytes()).expect("zip write");
    server.route(
        "/blobs/artifact-510.zip",
        Reply::zip(zip.finish().expect("zip").into_inner()),
    );
    server.clear_log();
    let second =
        plimsoll_metrics::sync(&mut client, &mut store, &options(), &mut |_| {}).expect("sync");
    let artifact_requests: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.target)
        .filter(|t| t.contains("artifact"))
        .collect();
    assert_eq!(
        artifact_requests,
        [
            format!("/repos/{REPO}/actions/runs/103/artifacts?per_page=100"),
            format!("/repos/{REPO}/actions/artifacts/510/zip"),
            "/blobs/artifact-510.zip".to_owned(),
        ]
    );
    assert_eq!((second.artifacts_read, second.test_cases_stored), (1, 3));
    let report = analyse(
        &store.history(REPO, since()).expect("history"),
        &AnalysisOptions {
            since: since(),
            top_steps: 10,
            ..Default::default()
        },
    );
    let timeout = report
        .tests
        .flaky_tests
        .iter()
        .find(|t| t.name == "tests::network_timeout")
        .expect("network_timeout is flaky now");
    assert_eq!(
        (
            timeout.flaky_commits,
            timeout.passed_on_rerun,
            timeout.failures
        ),
        (1, 1, 1)
    );
}
