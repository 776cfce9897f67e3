//! `plimsoll metrics` as users run it: the real binary syncing from a real HTTP server on
//! 127.0.0.1 that answers as GitHub's REST API, then reporting from the database offline, in
//! each format.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;

#[path = "../../plimsoll-metrics/tests/common/mod.rs"]
mod github;

use github::github_server::{GitHubServer, Reply};
use github::history::{self, REPO, SINCE};

/// `plimsoll metrics` against `api_url`, with no token, repository or cache folder from the
/// caller's environment.
fn metrics(dir: &Path, api_url: &str) -> Command {
    let mut cmd = Command::cargo_bin("plimsoll").unwrap();
    cmd.current_dir(dir)
        .arg("metrics")
        .env("NO_COLOR", "1")
        .env("GITHUB_API_URL", api_url)
        .env("GITHUB_TOKEN", "test-token")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_REPOSITORY")
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("HOME", dir);
    cmd
}

/// An address where nothing listens: an offline run must not need it.
const NOWHERE: &str = "http://127.0.0.1:9";

/// Serve the history, and job 1001's log restoring a cache (the other logs have expired).
fn serve_history_and_a_log(server: &GitHubServer) {
    history::serve(server, &history::attempts(), SINCE, 3);
    server.route(
        &format!("/repos/{REPO}/actions/jobs/1001/logs"),
        Reply::text(
            "2026-11-02T10:00:31.0000000Z ##[group]Run actions/cache@v4\n\
             2026-11-02T10:00:31.0000000Z with:\n\
             2026-11-02T10:00:31.0000000Z   key: cargo-a1\n\
             2026-11-02T10:00:31.0000000Z ##[endgroup]\n\
             2026-11-02T10:00:32.0000000Z Cache restored from key: cargo-a1\n",
        ),
    );
}

/// Sync the history with `--logs`.
fn synced(dir: &Path) -> GitHubServer {
    let server = GitHubServer::start();
    serve_history_and_a_log(&server);
    metrics(dir, &server.url)
        .args([
            "--repo",
            REPO,
            "--since",
            "2026-11-01",
            "--logs",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "synced octo/app: 7 runs listed, 8 attempts and 15 jobs stored, 1 job logs read (14 \
             no longer kept by GitHub)",
        ));
    server
}

#[test]
fn sync_then_report_json_from_the_default_database() {
    let dir = tempfile::tempdir().unwrap();
    let server = GitHubServer::start();
    history::serve(&server, &history::attempts(), SINCE, 3);
    let output = metrics(dir.path(), &server.url)
        .args(["--repo", REPO, "--since", "2026-11-01", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("cache/plimsoll/metrics.sqlite").is_file());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["repo"], REPO);
    assert_eq!(report["since"], SINCE);
    let ci = &report["workflows"][0];
    assert_eq!(ci["name"], "CI");
    assert_eq!(ci["outcomes"]["failure_rate"], 0.5);
    assert_eq!(ci["outcomes"]["cancelled_or_skipped"], 1);
    assert_eq!(ci["duration"]["p50"], 400);
    assert_eq!(ci["duration"]["p95"], 540);
    assert_eq!(ci["recovery"]["p50"], 3650);
    assert_eq!(report["flaky_jobs"][0]["job"], "build");
    assert_eq!(report["total_billable_minutes"], 201);
    assert!(report["notes"][1]
        .as_str()
        .unwrap()
        .contains("Cancelled and skipped attempts are excluded"));
}

#[test]
fn offline_table_shows_trends_flaky_jobs_and_runner_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let _server = synced(dir.path());
    let output = metrics(dir.path(), NOWHERE)
        .args(["--repo", REPO, "--since", "2026-11-01", "--offline"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty(), "an offline run does not sync");
    insta::assert_snapshot!("metrics_table", String::from_utf8(output.stdout).unwrap());
}

#[test]
fn openmetrics_output_is_valid_and_ends_with_eof() {
    let dir = tempfile::tempdir().unwrap();
    let _server = synced(dir.path());
    let out_file = dir.path().join("ci.prom");
    metrics(dir.path(), NOWHERE)
        .args(["--repo", REPO, "--since", "2026-11-01", "--offline"])
        .args(["--format", "openmetrics", "--output"])
        .arg(&out_file)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(text.ends_with("\n# EOF\n"));
    assert!(
        text.contains("plimsoll_workflow_failure_ratio{repo=\"octo/app\",workflow=\"CI\"} 0.5\n")
    );
    assert!(text.contains(
        "plimsoll_workflow_run_duration_seconds{repo=\"octo/app\",workflow=\"CI\",quantile=\"0.95\"} 540\n"
    ));
    assert!(text.contains(
        "plimsoll_runner_billable_minutes{repo=\"octo/app\",os=\"windows\",labels=\"windows-latest\"} 78\n"
    ));

    // The format's own rules: metadata before samples, each family once, samples named after
    // a declared family (with _sum/_count for summaries), `# EOF` last and only once.
    let mut declared: Vec<(String, String)> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(
                !declared.iter().any(|(n, _)| n == name),
                "{name} declared twice"
            );
            declared.push((name.to_owned(), kind.to_owned()));
        } else if line.starts_with("# HELP ") || line.starts_with("# UNIT ") {
            let name = line.split(' ').nth(2).unwrap();
            assert_eq!(declared.last().map(|(n, _)| n.as_str()), Some(name));
            if line.starts_with("# UNIT ") {
                assert!(name.ends_with(&format!("_{}", line.split(' ').nth(3).unwrap())));
            }
        } else if *line == "# EOF" {
            assert_eq!(index, lines.len() - 1);
        } else {
            let name = line.split(['{', ' ']).next().unwrap();
            let (family, kind) = declared.last().unwrap();
            let allowed = match kind.as_str() {
                "summary" => [
                    family.clone(),
                    format!("{family}_sum"),
                    format!("{family}_count"),
                ]
                .contains(&name.to_owned()),
                _ => name == family,
            };
            assert!(allowed, "sample {name} outside its family {family}");
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }

    // And the reference parser, where the Python client is installed.
    if let Some(families) = reference_parser_families(&out_file) {
        assert_eq!(families, declared.len());
    }
}

/// How many metric families the OpenMetrics parser of Prometheus' Python client reads in
/// `path` (it fails on invalid text); `None`, said on stdout, where it is not installed.
fn reference_parser_families(path: &Path) -> Option<usize> {
    let parsed = Process::new("python3")
        .args([
            "-c",
            "import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as p\nprint(sum(1 for _ in p(open(sys.argv[1]).read())))",
        ])
        .arg(path)
        .output();
    match parsed {
        Ok(result) if result.status.success() => {
            String::from_utf8_lossy(&result.stdout).trim().parse().ok()
        }
        Ok(result) if String::from_utf8_lossy(&result.stderr).contains("ModuleNotFoundError") => {
            println!("skipped: the OpenMetrics reference parser (python3 prometheus_client) is not installed");
            None
        }
        Ok(result) => panic!(
            "the OpenMetrics parser rejected the output: {}",
            String::from_utf8_lossy(&result.stderr)
        ),
        Err(_) => {
            println!("skipped: python3 is not installed for the OpenMetrics reference parser");
            None
        }
    }
}

#[test]
fn bad_arguments_and_a_missing_history_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    metrics(dir.path(), NOWHERE)
        .args(["--offline"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no repository"));
    metrics(dir.path(), NOWHERE)
        .args(["--repo", REPO, "--since", "a while", "--offline"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since `a while`"));
    metrics(dir.path(), NOWHERE)
        .args(["--repo", REPO, "--offline"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no history of octo/app"));
    metrics(dir.path(), NOWHERE)
        .args(["--repo", "not-a-repo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`not-a-repo` is not a repository"));
    let db_folder_is_a_file = dir.path().join("file");
    std::fs::write(&db_folder_is_a_file, "").unwrap();
    metrics(dir.path(), NOWHERE)
        .args(["--repo", REPO, "--offline", "--db"])
        .arg(db_folder_is_a_file.join("metrics.sqlite"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot use the database"));
}

/// GET `path` from the server at `address`: the status and the body.
fn http_get(address: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_exposes_metrics_health_and_readiness_and_stops_on_sigterm() {
    use std::io::BufRead;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let server = GitHubServer::start();
    serve_history_and_a_log(&server);
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("plimsoll"))
        .args([
            "metrics",
            "serve",
            "--repo",
            REPO,
            "--since",
            "2026-11-01",
            "--logs",
        ])
        .args(["--listen", "127.0.0.1:0", "--interval", "1h"])
        .env("GITHUB_API_URL", &server.url)
        .env("GITHUB_TOKEN", "test-token")
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env_remove("GITHUB_REPOSITORY")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_in, lines) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_in.send(line);
        }
    });
    let first = lines.recv_timeout(Duration::from_secs(20)).unwrap();
    let address = first
        .strip_prefix("plimsoll: serving /metrics, /healthz and /readyz on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first}"))
        .to_owned();

    assert_eq!(http_get(&address, "/healthz"), (200, "ok\n".to_owned()));
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(&address, "/readyz").0 != 200 {
        assert!(Instant::now() < deadline, "never ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, metrics) = http_get(&address, "/metrics");
    assert_eq!(status, 200);
    assert!(metrics
        .contains("plimsoll_workflow_failure_ratio{repo=\"octo/app\",workflow=\"CI\"} 0.5\n"));
    assert!(metrics.contains("plimsoll_metrics_sync_failures_total 0\n"));
    assert!(metrics.ends_with("\n# EOF\n"));
    let served = dir.path().join("served.prom");
    std::fs::write(&served, &metrics).unwrap();
    if let Some(families) = reference_parser_families(&served) {
        assert_eq!(families, metrics.matches("# TYPE ").count());
    }
    assert_eq!(http_get(&address, "/nothing").0, 404);
    dashboard_queries_name_served_metrics(&metrics);

    let pid = child.id().to_string();
    assert!(Process::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    // The child has exited: its stderr ends, and so does the reader thread.
    let rest: Vec<String> = lines.iter().collect();
    assert!(
        rest.iter()
            .any(|line| line.starts_with("plimsoll: synced octo/app: 7 runs listed")),
        "{rest:?}"
    );
    assert_eq!(
        rest.last().map(String::as_str),
        Some("plimsoll: shutting down")
    );
}

/// The chart points of the SVG with `id` in `page`: (series, week, value) of each circle.
fn chart_points(page: &str, id: &str) -> Vec<(String, String, f64)> {
    let start = page.find(&format!("<svg id=\"{id}\"")).unwrap();
    let chart = &page[start..start + page[start..].find("</svg>").unwrap()];
    let attribute = |element: &str, name: &str| -> String {
        let from = element.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        element[from..from + element[from..].find('"').unwrap()].to_owned()
    };
    chart
        .split("<circle ")
        .skip(1)
        .map(|circle| {
            (
                attribute(circle, "data-series"),
                attribute(circle, "data-week"),
                attribute(circle, "data-value").parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn html_report_is_self_contained_and_its_charts_hold_the_weekly_points() {
    let dir = tempfile::tempdir().unwrap();
    let _server = synced(dir.path());
    let page_path = dir.path().join("report.html");
    metrics(dir.path(), NOWHERE)
        .args([
            "--repo",
            REPO,
            "--since",
            "2026-11-01",
            "--offline",
            "--html",
        ])
        .arg(&page_path)
        .assert()
        .success();
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for fetched in ["<script", "src=", "href=", "url(", "@import"] {
        assert!(
            !page.contains(fetched),
            "the page fetches something: {fetched}"
        );
    }
    let point = |series: &str, week: &str, value: f64| (series.to_owned(), week.to_owned(), value);
    assert_eq!(
        chart_points(&page, "duration"),
        [
            point("CI", "2026-11-02", 450.0),
            point("CI", "2026-11-09", 330.0),
            point("Release", "2026-11-09", 720.0),
        ]
    );
    let failures = chart_points(&page, "failure-rate");
    assert_eq!(failures.len(), 3);
    assert!((failures[0].2 - 1.0 / 3.0).abs() < 1e-9 && (failures[1].2 - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(failures[2], point("Release", "2026-11-09", 0.0));
    assert!(page.contains("data-series=\"CI / build\" data-value=\"1\""));
    assert!(
        page.contains("<td>b2b2b2b</td>"),
        "the flaky commit is listed"
    );

    // Rendered by a real browser, where one is installed: no console error, the points drawn.
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|name| {
        Process::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(chromium) = chromium else {
        println!("skipped: no chromium to render the HTML report (apt-get install chromium)");
        return;
    };
    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("metrics-report.png");
    let profile = dir.path().join("chromium-profile");
    let common = |command: &mut Process| {
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--enable-logging=stderr", "--v=0"]);
    };
    let mut dump = Process::new(chromium);
    common(&mut dump);
    let rendered = dump
        .arg("--dump-dom")
        .arg(format!("file://{}", page_path.display()))
        .output()
        .unwrap();
    assert!(rendered.status.success());
    let dom = String::from_utf8_lossy(&rendered.stdout);
    assert_eq!(chart_points(&dom, "duration").len(), 3);
    let log = String::from_utf8_lossy(&rendered.stderr);
    assert!(!log.contains(":CONSOLE("), "console messages: {log}");
    let mut shot = Process::new(chromium);
    common(&mut shot);
    let status = shot
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--window-size=1000,2400")
        .arg(format!("file://{}", page_path.display()))
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 10_000);
    println!("screenshot: {}", screenshot.display());
}

/// Every metric the shipped Grafana dashboard queries is one `serve` exposes.
fn dashboard_queries_name_served_metrics(served: &str) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/grafana/plimsoll-ci-health.json");
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut queries: Vec<String> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|panel| panel["targets"].as_array().unwrap().iter())
        .map(|target| target["expr"].as_str().unwrap().to_owned())
        .collect();
    queries.extend(
        dashboard["templating"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|variable| variable["definition"].as_str().map(str::to_owned)),
    );
    assert!(queries.len() >= 10);
    let samples: std::collections::BTreeSet<&str> = served
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split(['{', ' ']).next())
        .collect();
    for query in &queries {
        let names: Vec<&str> = query
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| word.starts_with("plimsoll_"))
            .collect();
        assert!(!names.is_empty(), "{query}");
        for name in names {
            assert!(
                samples.contains(name),
                "the dashboard queries {name}, which is not served"
            );
        }
    }
}

#[test]
fn an_organisation_is_synced_and_reported_per_repository_and_in_total() {
    let dir = tempfile::tempdir().unwrap();
    let server = GitHubServer::start();
    history::serve_org(&server);
    let output = metrics(dir.path(), &server.url)
        .args(["--org", "octo", "--since", "2026-11-01", "--jobs", "2"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "octo/gone failed: {stderr}");
    assert!(
        stderr.contains("plimsoll: cannot sync octo/gone: GET "),
        "{stderr}"
    );
    assert!(
        stderr.contains("plimsoll: octo/empty: no workflows"),
        "{stderr}"
    );
    assert!(stderr.contains("synced octo/app: 7 runs listed, 8 attempts and 15 jobs stored"));
    assert!(stderr.contains(
        "plimsoll: octo: 2 repositories synced, 1 failed, 2 archived or disabled skipped"
    ));
    assert!(
        !stderr.contains("syncing octo"),
        "no progress line off a terminal"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["org"], "octo");
    assert_eq!(report["repos"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["repos"][0]["repo"], "octo/app");
    assert_eq!(report["total"]["attempts"], 8);
    assert_eq!(report["total"]["failed"], 3);

    // Offline, from the database: the repositories of the organisation synced before.
    metrics(dir.path(), NOWHERE)
        .args(["--org", "octo", "--since", "2026-11-01", "--offline"])
        .args(["--format", "openmetrics"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "plimsoll_workflow_attempts{repo=\"octo/app\",workflow=\"CI\",outcome=\"failed\"} 3",
        ))
        .stdout(predicate::str::ends_with("# EOF\n"));
    metrics(dir.path(), NOWHERE)
        .args(["--org", "octo", "--repo", REPO])
        .assert()
        .code(2);
}
