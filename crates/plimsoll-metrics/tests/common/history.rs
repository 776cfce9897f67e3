//! A small hand-made run history of `octo/app`, served as GitHub's REST API documents it
//! (shapes as in the `workflow-run` and `job` examples of GitHub's OpenAPI description), with
//! the figures it should give worked out by hand in `tests/sync.rs`.
//!
//! CI (`ci.yml`, jobs `build` on ubuntu-latest and `test-windows` on windows-latest) and
//! Release (`release.yml`, job `publish` on macos-14):
//!
//! | run | attempt | branch  | sha | created (UTC)    | conclusion | build (s) | test-windows (s) |
//! |-----|---------|---------|-----|------------------|------------|-----------|------------------|
//! | 101 | 1       | main    | a1  | 11-02 10:00      | success    | 300 ok    | 480 ok           |
//! | 102 | 1       | main    | b2  | 11-03 10:00      | failure    | 180 fail  | 360 ok           |
//! | 102 | 2       | main    | b2  | (started 11:00)  | success    | 240 ok    | 420 ok           |
//! | 103 | 1       | main    | c3  | 11-10 09:00      | failure    | 120 fail  | 300 ok           |
//! | 104 | 1       | main    | d4  | 11-10 12:00      | cancelled  | 30 canc.  | 30 canc.         |
//! | 105 | 1       | main    | e5  | 11-11 08:00      | success    | 300 ok    | 480 ok           |
//! | 106 | 1       | feature | f6  | 11-11 09:00      | failure    | 180 fail  | 240 ok           |
//! | 201 | 1       | main    | e5  | 11-11 08:00      | success    | publish: 600 ok               |
//!
//! and, for the incremental sync, 107 (main, g7, 11-12 10:00, success, 240 and 360) and a
//! second, passing attempt of 103 (started 11-12 09:00).

use plimsoll_metrics::time::{format_timestamp, parse_timestamp};
use serde_json::{json, Value};

use super::github_server::{GitHubServer, Reply};

pub const REPO: &str = "octo/app";
pub const SINCE: &str = "2026-11-01T00:00:00Z";

pub struct JobSpec {
    pub id: i64,
    pub name: &'static str,
    pub label: &'static str,
    /// Queue time in seconds after the attempt started.
    pub queued: i64,
    pub seconds: i64,
    pub conclusion: &'static str,
}

pub struct AttemptSpec {
    pub run_id: i64,
    pub attempt: i64,
    pub workflow_id: i64,
    pub branch: &'static str,
    pub sha: &'static str,
    pub created: &'static str,
    pub started: &'static str,
    pub conclusion: &'static str,
    pub jobs: Vec<JobSpec>,
}

fn at(text: &str) -> i64 {
    parse_timestamp(text).expect("fixture timestamp")
}

fn sha(short: &str) -> String {
    short.repeat(20)
}

fn ci_jobs(
    first_id: i64,
    build: (i64, i64, &'static str),
    windows: (i64, i64, &'static str),
) -> Vec<JobSpec> {
    vec![
        JobSpec {
            id: first_id,
            name: "build",
            label: "ubuntu-latest",
            queued: build.0,
            seconds: build.1,
            conclusion: build.2,
        },
        JobSpec {
            id: first_id + 1,
            name: "test-windows",
            label: "windows-latest",
            queued: windows.0,
            seconds: windows.1,
            conclusion: windows.2,
        },
    ]
}

/// Every attempt of the first sync, oldest first.
pub fn attempts() -> Vec<AttemptSpec> {
    let ci = |run_id, attempt, branch, sha, created, started, conclusion, jobs| AttemptSpec {
        run_id,
        attempt,
        workflow_id: 11,
        branch,
        sha,
        created,
        started,
        conclusion,
        jobs,
    };
    vec![
        ci(
            101,
            1,
            "main",
            "a1",
            "2026-11-02T10:00:00Z",
            "2026-11-02T10:00:00Z",
            "success",
            ci_jobs(1001, (30, 300, "success"), (60, 480, "success")),
        ),
        ci(
            102,
            1,
            "main",
            "b2",
            "2026-11-03T10:00:00Z",
            "2026-11-03T10:00:00Z",
            "failure",
            ci_jobs(2001, (20, 180, "failure"), (40, 360, "success")),
        ),
        ci(
            102,
            2,
            "main",
            "b2",
            "2026-11-03T10:00:00Z",
            "2026-11-03T11:00:00Z",
            "success",
            ci_jobs(2003, (10, 240, "success"), (30, 420, "success")),
        ),
        ci(
            103,
            1,
            "main",
            "c3",
            "2026-11-10T09:00:00Z",
            "2026-11-10T09:00:00Z",
            "failure",
            ci_jobs(3001, (30, 120, "failure"), (30, 300, "success")),
        ),
        ci(
            104,
            1,
            "main",
            "d4",
            "2026-11-10T12:00:00Z",
            "2026-11-10T12:00:00Z",
            "cancelled",
            ci_jobs(4001, (30, 30, "cancelled"), (30, 30, "cancelled")),
        ),
        ci(
            105,
            1,
            "main",
            "e5",
            "2026-11-11T08:00:00Z",
            "2026-11-11T08:00:00Z",
            "success",
            ci_jobs(5001, (60, 300, "success"), (30, 480, "success")),
        ),
        ci(
            106,
            1,
            "feature",
            "f6",
            "2026-11-11T09:00:00Z",
            "2026-11-11T09:00:00Z",
            "failure",
            ci_jobs(6001, (30, 180, "failure"), (30, 240, "success")),
        ),
        AttemptSpec {
            run_id: 201,
            attempt: 1,
            workflow_id: 12,
            branch: "main",
            sha: "e5",
            created: "2026-11-11T08:00:00Z",
            started: "2026-11-11T08:00:00Z",
            conclusion: "success",
            jobs: vec![JobSpec {
                id: 7001,
                name: "publish",
                label: "macos-14",
                queued: 120,
                seconds: 600,
                conclusion: "success",
            }],
        },
    ]
}

/// The run that arrives between the first and the second sync.
pub fn new_attempt() -> AttemptSpec {
    AttemptSpec {
        run_id: 107,
        attempt: 1,
        workflow_id: 11,
        branch: "main",
        sha: "g7",
        created: "2026-11-12T10:00:00Z",
        started: "2026-11-12T10:00:00Z",
        conclusion: "success",
        jobs: ci_jobs(8001, (30, 240, "success"), (30, 360, "success")),
    }
}

/// Run 103 re-run after the first sync: its second attempt passes.
pub fn rerun_attempt() -> AttemptSpec {
    AttemptSpec {
        run_id: 103,
        attempt: 2,
        workflow_id: 11,
        branch: "main",
        sha: "c3",
        created: "2026-11-10T09:00:00Z",
        started: "2026-11-12T09:00:00Z",
        conclusion: "success",
        jobs: ci_jobs(9001, (30, 120, "success"), (30, 300, "success")),
    }
}

/// When an attempt ended: its last job's end.
fn attempt_end(spec: &AttemptSpec) -> i64 {
    let started = at(spec.started);
    spec.jobs
        .iter()
        .map(|job| started + job.queued + job.seconds)
        .max()
        .unwrap_or(started)
}

pub fn run_json(base: &str, spec: &AttemptSpec) -> Value {
    let (name, path) = if spec.workflow_id == 11 {
        ("CI", ".github/workflows/ci.yml")
    } else {
        ("Release", ".github/workflows/release.yml")
    };
    json!({
        "id": spec.run_id,
        "name": name,
        "node_id": format!("WFR_{}", spec.run_id),
        "check_suite_id": spec.run_id * 10,
        "head_branch": spec.branch,
        "head_sha": sha(spec.sha),
        "path": format!("{path}@{}", spec.branch),
        "run_number": spec.run_id - 100,
        "event": "push",
        "display_title": "Update README.md",
        "status": "completed",
        "conclusion": spec.conclusion,
        "workflow_id": spec.workflow_id,
        "url": format!("{base}/repos/{REPO}/actions/runs/{}", spec.run_id),
        "html_url": format!("https://github.com/{REPO}/actions/runs/{}", spec.run_id),
        "pull_requests": [],
        "created_at": spec.created,
        "updated_at": format_timestamp(attempt_end(spec) + 5),
        "run_attempt": spec.attempt,
        "run_started_at": spec.started,
        "actor": {"login": "octocat", "id": 1, "type": "User", "site_admin": false},
        "jobs_url": format!("{base}/repos/{REPO}/actions/runs/{}/jobs", spec.run_id),
    })
}

pub fn job_json(base: &str, spec: &AttemptSpec, job: &JobSpec) -> Value {
    let created = at(spec.started);
    let started = created + job.queued;
    let completed = started + job.seconds;
    let tests = match job.conclusion {
        "failure" => "failure",
        "cancelled" => "cancelled",
        _ => "success",
    };
    let step = |number: i64, name: &str, from: i64, to: i64, conclusion: &str| {
        json!({
            "name": name,
            "status": "completed",
            "conclusion": conclusion,
            "number": number,
            "started_at": format_timestamp(from),
            "completed_at": format_timestamp(to),
        })
    };
    json!({
        "id": job.id,
        "run_id": spec.run_id,
        "run_url": format!("{base}/repos/{REPO}/actions/runs/{}", spec.run_id),
        "run_attempt": spec.attempt,
        "node_id": format!("J_{}", job.id),
        "head_sha": sha(spec.sha),
        "url": format!("{base}/repos/{REPO}/actions/jobs/{}", job.id),
        "html_url": format!("https://github.com/{REPO}/actions/runs/{}/job/{}", spec.run_id, job.id),
        "status": "completed",
        "conclusion": job.conclusion,
        "created_at": format_timestamp(created),
        "started_at": format_timestamp(started),
        "completed_at": format_timestamp(completed),
        "name": job.name,
        "steps": [
            step(1, "Set up job", started, started + 10, "success"),
            step(2, "Run tests", started + 10, completed - 10, tests),
            step(3, "Complete job", completed - 10, completed, "success"),
        ],
        "check_run_url": format!("{base}/repos/{REPO}/check-runs/{}", job.id),
        "labels": [job.label],
        "runner_id": 1,
        "runner_name": "GitHub Actions 1",
        "runner_group_id": 1,
        "runner_group_name": "GitHub Actions",
        "workflow_name": if spec.workflow_id == 11 { "CI" } else { "Release" },
        "head_branch": spec.branch,
    })
}

pub fn jobs_target(spec: &AttemptSpec) -> String {
    format!(
        "/repos/{REPO}/actions/runs/{}/attempts/{}/jobs?per_page=100",
        spec.run_id, spec.attempt
    )
}

pub fn runs_target(created_from: &str) -> String {
    format!("/repos/{REPO}/actions/runs?created=%3E%3D{created_from}&per_page=100")
}

/// Serve the repository and its two workflows.
pub fn serve_repo(server: &GitHubServer) {
    let base = server.url.as_str();
    server.route(
        &format!("/repos/{REPO}"),
        Reply::json(&json!({
            "id": 42,
            "node_id": "R_42",
            "name": "app",
            "full_name": REPO,
            "private": false,
            "owner": {"login": "octo", "id": 7, "type": "Organization"},
            "html_url": format!("https://github.com/{REPO}"),
            "default_branch": "main",
        }))
        .header("ETag", "\"repo-v1\""),
    );
    let workflow = |id: i64, name: &str, file: &str| {
        json!({
            "id": id,
            "node_id": format!("W_{id}"),
            "name": name,
            "path": format!(".github/workflows/{file}"),
            "state": "active",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "url": format!("{base}/repos/{REPO}/actions/workflows/{id}"),
            "html_url": format!("https://github.com/{REPO}/blob/main/.github/workflows/{file}"),
            "badge_url": format!("https://github.com/{REPO}/workflows/{name}/badge.svg"),
        })
    };
    server.route(
        &format!("/repos/{REPO}/actions/workflows?per_page=100"),
        Reply::json(&json!({
            "total_count": 2,
            "workflows": [workflow(11, "CI", "ci.yml"), workflow(12, "Release", "release.yml")],
        }))
        .header("ETag", "W/\"workflows-v1\""),
    );
}

/// Serve the repository, its workflows, and the runs listed newest first from `from`, in
/// pages of `page_size`; each attempt's jobs; earlier attempts by their own URL. Run 101's
/// jobs come one per page, so job pagination is exercised too.
pub fn serve(server: &GitHubServer, attempts: &[AttemptSpec], from: &str, page_size: usize) {
    serve_repo(server);
    let base = server.url.as_str();

    // The list shows each run once, as its latest attempt, newest run first.
    let mut latest: Vec<&AttemptSpec> = attempts
        .iter()
        .filter(|spec| {
            !attempts
                .iter()
                .any(|other| other.run_id == spec.run_id && other.attempt > spec.attempt)
        })
        .filter(|spec| at(spec.created) >= at(from))
        .collect();
    latest.sort_by_key(|spec| {
        (
            std::cmp::Reverse(at(spec.created)),
            std::cmp::Reverse(spec.run_id),
        )
    });
    let first = runs_target(from);
    let pages: Vec<&[&AttemptSpec]> = latest.chunks(page_size.max(1)).collect();
    let page_count = pages.len().max(1);
    for index in 0..page_count {
        let target = if index == 0 {
            first.clone()
        } else {
            format!("{first}&page={}", index + 1)
        };
        let runs: Vec<Value> = pages
            .get(index)
            .map(|page| page.iter().map(|spec| run_json(base, spec)).collect())
            .unwrap_or_default();
        let mut reply = Reply::json(&json!({"total_count": latest.len(), "workflow_runs": runs}))
            .with_content_etag();
        let mut links = Vec::new();
        if index + 1 < page_count {
            links.push(format!("<{base}{first}&page={}>; rel=\"next\"", index + 2));
            links.push(format!("<{base}{first}&page={page_count}>; rel=\"last\""));
        }
        if index > 0 {
            links.push(format!("<{base}{first}&page={index}>; rel=\"prev\""));
            links.push(format!("<{base}{first}&page=1>; rel=\"first\""));
        }
        if !links.is_empty() {
            reply = reply.header("Link", &links.join(", "));
        }
        server.route(&target, reply);
    }

    for spec in attempts {
        let jobs: Vec<Value> = spec
            .jobs
            .iter()
            .map(|job| job_json(base, spec, job))
            .collect();
        let target = jobs_target(spec);
        if spec.run_id == 101 {
            let count = jobs.len();
            for (index, job) in jobs.into_iter().enumerate() {
                let page_target = if index == 0 {
                    target.clone()
                } else {
                    format!("{target}&page={}", index + 1)
                };
                let mut reply =
                    Reply::json(&json!({"total_count": count, "jobs": [job]})).with_content_etag();
                if index + 1 < count {
                    reply = reply.header(
                        "Link",
                        &format!("<{base}{target}&page={}>; rel=\"next\"", index + 2),
                    );
                }
                server.route(&page_target, reply);
            }
        } else {
            server.route(
                &target,
                Reply::json(&json!({"total_count": jobs.len(), "jobs": jobs})).with_content_etag(),
            );
        }
        server.route(
            &format!(
                "/repos/{REPO}/actions/runs/{}/attempts/{}",
                spec.run_id, spec.attempt
            ),
            Reply::json(&run_json(base, spec)),
        );
    }
}

/// A large history made up: `runs` CI runs on main, one every `spacing` seconds from `SINCE`,
/// each with `jobs` jobs of 3 steps; every seventh run failed.
pub fn many_attempts(runs: usize, jobs: usize, spacing: i64) -> Vec<AttemptSpec> {
    const LABELS: [&str; 3] = ["ubuntu-latest", "windows-latest", "macos-14"];
    const NAMES: [&str; 6] = ["build", "test-1", "test-2", "test-3", "lint", "docs"];
    let start = at(SINCE);
    (0..runs)
        .map(|index| {
            let run_id = 100_000 + index as i64;
            // Leaked: the specs hold `&'static str`, and a test or benchmark makes them once.
            let created: &'static str =
                Box::leak(format_timestamp(start + index as i64 * spacing).into_boxed_str());
            let failed = index % 7 == 3;
            AttemptSpec {
                run_id,
                attempt: 1,
                workflow_id: 11,
                branch: "main",
                sha: "ab",
                created,
                started: created,
                conclusion: if failed { "failure" } else { "success" },
                jobs: (0..jobs)
                    .map(|job| JobSpec {
                        id: run_id * 10 + job as i64,
                        name: NAMES[job % NAMES.len()],
                        label: LABELS[job % LABELS.len()],
                        queued: 5 + (index % 11) as i64,
                        seconds: 60 + ((index * 37 + job * 13) % 600) as i64,
                        conclusion: if failed && job == 0 {
                            "failure"
                        } else {
                            "success"
                        },
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Percent-decode a query value.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&value[index + 1..index + 3], 16) {
                out.push(byte);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Answer the runs listing and the jobs of `attempts` as GitHub does for any query: the
/// `created` filter (`>=T` or `A..B`, both ends inclusive), pages of `per_page`, and at most
/// 1,000 results for a filtered query (`total_count` still counts them all).
pub fn serve_dynamically(server: &GitHubServer, attempts: Vec<AttemptSpec>) {
    use std::collections::HashMap;
    let base = server.url.clone();
    let mut latest: Vec<(i64, Value)> = attempts
        .iter()
        .filter(|spec| {
            !attempts
                .iter()
                .any(|o| o.run_id == spec.run_id && o.attempt > spec.attempt)
        })
        .map(|spec| (at(spec.created), run_json(&base, spec)))
        .collect();
    latest.sort_by_key(|(created, run)| {
        (
            std::cmp::Reverse(*created),
            std::cmp::Reverse(run["id"].as_i64()),
        )
    });
    let jobs: HashMap<String, String> = attempts
        .iter()
        .map(|spec| {
            let list: Vec<Value> = spec
                .jobs
                .iter()
                .map(|job| job_json(&base, spec, job))
                .collect();
            (
                jobs_target(spec),
                json!({"total_count": list.len(), "jobs": list}).to_string(),
            )
        })
        .collect();
    let runs_path = format!("/repos/{REPO}/actions/runs?");
    server.handle(Box::new(move |target: &str| {
        if let Some(body) = jobs.get(target) {
            return Some(Reply {
                body: body.clone(),
                ..Reply::json(&Value::Null)
            });
        }
        let query = target.strip_prefix(&runs_path)?;
        let mut created = None;
        let mut per_page = 30usize;
        let mut page = 1usize;
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=')?;
            match name {
                "created" => created = Some(decode(value)),
                "per_page" => per_page = value.parse().ok()?,
                "page" => page = value.parse().ok()?,
                _ => {}
            }
        }
        let (from, to) = match created.as_deref() {
            Some(filter) => match filter.strip_prefix(">=") {
                Some(from) => (parse_timestamp(from)?, i64::MAX),
                None => {
                    let (from, to) = filter.split_once("..")?;
                    (parse_timestamp(from)?, parse_timestamp(to)?)
                }
            },
            None => (i64::MIN, i64::MAX),
        };
        let matching: Vec<&Value> = latest
            .iter()
            .filter(|(created, _)| *created >= from && *created <= to)
            .map(|(_, run)| run)
            .collect();
        let reachable = if created.is_some() {
            matching.len().min(1000)
        } else {
            matching.len()
        };
        let start = (page - 1) * per_page;
        let end = (start + per_page).min(reachable);
        let runs: Vec<&Value> = matching
            .get(start.min(end)..end)
            .unwrap_or_default()
            .to_vec();
        let mut reply = Reply::json(&json!({"total_count": matching.len(), "workflow_runs": runs}));
        if end < reachable {
            let first = match target.find("&page=") {
                Some(at) => &target[..at],
                None => target,
            };
            reply = reply.header(
                "Link",
                &format!("<{base}{first}&page={}>; rel=\"next\"", page + 1),
            );
        }
        Some(reply)
    }));
}

/// A repository of organisation `octo` as `GET /orgs/{org}/repos` lists it.
fn org_repo(name: &str, archived: bool, disabled: bool) -> serde_json::Value {
    json!({
        "id": name.len(),
        "name": name,
        "full_name": format!("octo/{name}"),
        "private": false,
        "archived": archived,
        "disabled": disabled,
        "default_branch": "main",
    })
}

/// Serve organisation `octo`: `app` (the history), `old` (archived), `empty` (no workflows), in
/// one page, then `frozen` (disabled) and `gone` (404 everywhere) in a second.
pub fn serve_org(server: &GitHubServer) {
    serve(server, &attempts(), SINCE, 100);
    let base = server.url.clone();
    let first = "/orgs/octo/repos?type=all&per_page=100";
    server.route(
        first,
        Reply::json(&json!([
            org_repo("app", false, false),
            org_repo("old", true, false),
            org_repo("empty", false, false),
        ]))
        .header("Link", &format!("<{base}{first}&page=2>; rel=\"next\"")),
    );
    server.route(
        &format!("{first}&page=2"),
        Reply::json(&json!([
            org_repo("frozen", false, true),
            org_repo("gone", false, false),
        ])),
    );
    server.route(
        "/repos/octo/empty",
        Reply::json(&json!({"id": 77, "full_name": "octo/empty", "default_branch": "main"})),
    );
    server.route(
        "/repos/octo/empty/actions/workflows?per_page=100",
        Reply::json(&json!({"total_count": 0, "workflows": []})),
    );
    // octo/gone answers 404 everywhere (the server's default).
}
