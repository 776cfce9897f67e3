//! `--org`: every repository of an organisation, synced a few at a time, and the figures per
//! repository and across them.
//!
//! The repositories are listed by `GET /orgs/{org}/repos` (paginated); archived and disabled
//! ones are skipped, and one without workflows costs two requests (its sync stops there).
//! Each worker thread has its own database connection (SQLite in WAL mode lets them write in
//! turn) and its own client, all waiting for the one rate limit of the token
//! ([`Client::sharing_limits`]).

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::analysis::Report;
use crate::client::Client;
use crate::error::{MetricsError, Result};
use crate::store::Store;
use crate::sync::{sync, SyncOptions, SyncSummary};

#[derive(Debug, Deserialize)]
struct ApiOrgRepo {
    full_name: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    disabled: bool,
}

/// An organisation's repositories to sync, and how many were skipped (archived, disabled).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgRepositories {
    pub repos: Vec<String>,
    pub skipped: usize,
}

fn check_org(org: &str) -> Result<()> {
    let valid = !org.is_empty()
        && org
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(MetricsError::RepoName(org.to_owned()))
    }
}

/// The repositories of `org` worth syncing, by name.
pub fn org_repositories(client: &mut Client, store: &Store, org: &str) -> Result<OrgRepositories> {
    check_org(org)?;
    let mut found = OrgRepositories::default();
    let mut url = Some(format!("/orgs/{org}/repos?type=all&per_page=100"));
    while let Some(current) = url {
        let page = client.get(&current, store)?;
        let repos: Vec<ApiOrgRepo> = crate::api::parse(&current, &page.body)?;
        for repo in repos {
            if repo.archived || repo.disabled {
                found.skipped += 1;
            } else {
                found.repos.push(repo.full_name);
            }
        }
        url = page.next_url;
    }
    found.repos.sort();
    Ok(found)
}

/// How far an organisation's sync is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgProgress {
    pub done: usize,
    pub total: usize,
    /// The repository just finished.
    pub repo: String,
}

/// Sync each of `repos` into the database at `db` as `template` asks (its `repo` is replaced),
/// at most `jobs` at a time; the results in the order of `repos`. A repository that fails
/// does not stop the others.
pub fn sync_org(
    client: &Client,
    db: &Path,
    repos: &[String],
    template: &SyncOptions,
    jobs: usize,
    progress: &(dyn Fn(&OrgProgress) + Sync),
) -> Vec<(String, Result<SyncSummary>)> {
    let queue: Mutex<VecDeque<usize>> = Mutex::new((0..repos.len()).collect());
    let results: Mutex<Vec<Option<Result<SyncSummary>>>> =
        Mutex::new(repos.iter().map(|_| None).collect());
    let done = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, repos.len().max(1)) {
            scope.spawn(|| {
                let mut client = client.sharing_limits();
                let mut store = Store::open(db);
                loop {
                    let Some(index) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                        return;
                    };
                    let Some(repo) = repos.get(index) else {
                        return;
                    };
                    let outcome = match &mut store {
                        Ok(store) => {
                            let options = SyncOptions {
                                repo: repo.clone(),
                                ..template.clone()
                            };
                            sync(&mut client, store, &options, &mut |_| {})
                        }
                        Err(error) => Err(MetricsError::Transport {
                            url: db.display().to_string(),
                            reason: error.to_string(),
                            attempts: 1,
                        }),
                    };
                    if let Ok(mut results) = results.lock() {
                        if let Some(slot) = results.get_mut(index) {
                            *slot = Some(outcome);
                        }
                    }
                    let finished = done.lock().map(|mut done| {
                        *done += 1;
                        *done
                    });
                    if let Ok(finished) = finished {
                        progress(&OrgProgress {
                            done: finished,
                            total: repos.len(),
                            repo: repo.clone(),
                        });
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    repos
        .iter()
        .cloned()
        .zip(results)
        .map(|(repo, outcome)| {
            let outcome = outcome.unwrap_or_else(|| {
                Err(MetricsError::Transport {
                    url: repo.clone(),
                    reason: "a sync thread stopped".to_owned(),
                    attempts: 1,
                })
            });
            (repo, outcome)
        })
        .collect()
}

/// One repository's line of the organisation's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepoSummary {
    pub repo: String,
    pub workflows: usize,
    /// Run attempts in the window, and how they ended.
    pub attempts: usize,
    pub passed: usize,
    pub failed: usize,
    /// failed / (passed + failed); cancelled and skipped excluded.
    pub failure_rate: Option<f64>,
    pub flaky_jobs: usize,
    pub flaky_tests: usize,
    pub minutes: i64,
    pub billable_minutes: i64,
}

/// The figures of an organisation: each repository's report, and a line per repository with
/// the totals across them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgReport {
    pub version: u32,
    pub org: String,
    pub since: String,
    pub summary: Vec<RepoSummary>,
    pub total: RepoSummary,
    pub repos: Vec<Report>,
}

fn summary_of(report: &Report) -> RepoSummary {
    let (mut attempts, mut passed, mut failed) = (0, 0, 0);
    for w in &report.workflows {
        attempts += w.outcomes.total;
        passed += w.outcomes.passed;
        failed += w.outcomes.failed;
    }
    RepoSummary {
        repo: report.repo.clone(),
        workflows: report.workflows.len(),
        attempts,
        passed,
        failed,
        failure_rate: rate(passed, failed),
        flaky_jobs: report.flaky_jobs.len(),
        flaky_tests: report.tests.flaky_tests.len(),
        minutes: report.total_minutes,
        billable_minutes: report.total_billable_minutes,
    }
}

fn rate(passed: usize, failed: usize) -> Option<f64> {
    (passed + failed > 0).then(|| failed as f64 / (passed + failed) as f64)
}

/// The organisation's report of the repositories' `reports`.
pub fn org_report(org: &str, since: &str, reports: Vec<Report>) -> OrgReport {
    let summary: Vec<RepoSummary> = reports.iter().map(summary_of).collect();
    let mut total = RepoSummary {
        repo: format!("{org} (all)"),
        workflows: 0,
        attempts: 0,
        passed: 0,
        failed: 0,
        failure_rate: None,
        flaky_jobs: 0,
        flaky_tests: 0,
        minutes: 0,
        billable_minutes: 0,
    };
    for line in &summary {
        total.workflows += line.workflows;
        total.attempts += line.attempts;
        total.passed += line.passed;
        total.failed += line.failed;
        total.flaky_jobs += line.flaky_jobs;
        total.flaky_tests += line.flaky_tests;
        total.minutes += line.minutes;
        total.billable_minutes += line.billable_minutes;
    }
    total.failure_rate = rate(total.passed, total.failed);
    OrgReport {
        version: crate::analysis::REPORT_VERSION,
        org: org.to_owned(),
        since: since.to_owned(),
        summary,
        total,
        repos: reports,
    }
}
