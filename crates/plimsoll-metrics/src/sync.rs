//! Bring the store up to date with a repository's workflow runs: every attempt of every run
//! created in the window, with its jobs and their steps.
//!
//! Incremental: the runs are listed newest first from the scope's cursor (the newest run
//! created at the last sync, or the oldest one that had not completed then) less a day for
//! re-runs ([`RERUN_LOOKBACK`]), and a run whose latest attempt is stored, completed and not
//! updated since is not asked about again.
//! Completed attempts never change, so only new attempts and unfinished ones are fetched.

use crate::api::{self, ApiRun, JobList, RunList, WorkflowList};
use crate::cache_log::cache_events;
use crate::client::Client;
use crate::error::{MetricsError, Result};
use crate::junit::read_artifact;
use crate::model::{Job, Repo};
use crate::store::{ArtifactRead, Store, SyncState};
use crate::time::format_timestamp;

/// How far before the cursor an incremental sync lists again: a re-run keeps its run's
/// `created_at`, so a run re-run since the last sync is found only by listing it again. Most
/// re-runs follow their failure within hours; the unchanged runs this lists cost no further
/// request.
pub const RERUN_LOOKBACK: i64 = crate::time::DAY;

/// The most results GitHub's run listing returns for a query filtered by `created` or
/// `branch` ("List workflow runs for a repository": "up to 1,000 results for each search").
pub const LIST_LIMIT: i64 = 1000;

/// What to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// `owner/name`.
    pub repo: String,
    /// Runs created at or after this (Unix seconds).
    pub since: i64,
    /// Only the runs of this workflow file (`ci.yml` or `.github/workflows/ci.yml`).
    pub workflow: Option<String>,
    /// Only the runs of this branch.
    pub branch: Option<String>,
    /// The time the sync is made (Unix seconds).
    pub now: i64,
    /// Also read each completed job's log once, for its cache events.
    pub logs: bool,
    /// Also read each completed run's artifacts once, for the JUnit reports they hold.
    pub junit: bool,
}

/// What a sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncSummary {
    /// Runs listed, unchanged ones included.
    pub runs_listed: u64,
    /// Run attempts fetched and stored (new or updated).
    pub attempts_stored: u64,
    /// Jobs stored with those attempts.
    pub jobs_stored: u64,
    /// Listings split because their window held more runs than GitHub lists for one query.
    pub windows_split: u64,
    /// The repository has no workflows (GitHub Actions never ran): nothing more was asked.
    pub no_workflows: bool,
    /// Some second held more runs than GitHub lists for one query: runs were missed.
    pub truncated: bool,
    /// Job logs read (`logs`), and those GitHub no longer had (expired or deleted).
    pub logs_read: u64,
    pub logs_unavailable: u64,
    /// Artifacts downloaded (`junit`), the JUnit reports they held and their test cases;
    /// artifacts not downloaded (expired, or larger than [`JUNIT_ARTIFACT_LIMIT`]).
    pub artifacts_read: u64,
    pub junit_reports: u64,
    pub test_cases_stored: u64,
    pub artifacts_skipped: u64,
    pub requests: crate::client::RequestCounts,
}

/// The workflow file name the API takes as the workflow's id.
fn workflow_file(workflow: &str) -> &str {
    workflow.rsplit('/').next().unwrap_or(workflow)
}

/// A query value with the characters a URL query cannot hold raw percent-encoded.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:/".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The sync state's key: runs of one workflow or branch are a different listing.
fn scope(options: &SyncOptions) -> String {
    format!(
        "workflow={};branch={}",
        options
            .workflow
            .as_deref()
            .map(workflow_file)
            .unwrap_or("*"),
        options.branch.as_deref().unwrap_or("*")
    )
}

fn split_repo(repo: &str) -> Result<(&str, &str)> {
    match repo.split_once('/') {
        Some((owner, name))
            if !owner.is_empty()
                && !name.is_empty()
                && !name.contains('/')
                && repo
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b)) =>
        {
            Ok((owner, name))
        }
        _ => Err(MetricsError::RepoName(repo.to_owned())),
    }
}

/// Sync `options.repo` into `store`; `progress` hears of each run stored.
pub fn sync(
    client: &mut Client,
    store: &mut Store,
    options: &SyncOptions,
    progress: &mut dyn FnMut(&SyncSummary),
) -> Result<SyncSummary> {
    let (owner, name) = split_repo(&options.repo)?;
    let base = format!("/repos/{owner}/{name}");
    let mut summary = SyncSummary::default();

    let page = client.get(&base, store)?;
    let repo: Repo = api::parse::<api::ApiRepo>(&base, &page.body)?.into_model();
    store.save_repo(&repo)?;

    let mut url = Some(format!("{base}/actions/workflows?per_page=100"));
    let mut workflows = 0;
    while let Some(current) = url {
        let page = client.get(&current, store)?;
        let list: WorkflowList = api::parse(&current, &page.body)?;
        for workflow in list.workflows {
            workflows += 1;
            store.save_workflow(&workflow.into_model(repo.id))?;
        }
        url = page.next_url;
    }
    if workflows == 0 {
        // No workflow has ever run: there are no runs to list.
        summary.no_workflows = true;
        summary.requests = client.counts;
        return Ok(summary);
    }

    let scope = scope(options);
    let previous = store.sync_state(repo.id, &scope)?;
    // An earlier window than last time lists again from its start.
    let from = match previous {
        Some(state) if state.window_start <= options.since => {
            (state.cursor - RERUN_LOOKBACK).max(options.since)
        }
        _ => options.since,
    };
    let listing = match &options.workflow {
        Some(workflow) => format!(
            "{base}/actions/workflows/{}/runs",
            encode_query_value(workflow_file(workflow))
        ),
        None => format!("{base}/actions/runs"),
    };
    let branch_query = options
        .branch
        .as_ref()
        .map(|branch| format!("&branch={}", encode_query_value(branch)))
        .unwrap_or_default();

    let mut newest_created = from;
    let mut oldest_unfinished: Option<i64> = None;
    let mut listed_urls: Vec<String> = Vec::new();
    // Windows of creation times still to list, each with its end (`None`: open-ended). A
    // window holding more runs than GitHub lists for one query is split in two.
    let mut windows: Vec<(i64, Option<i64>)> = vec![(from, None)];
    'windows: while let Some((start, end)) = windows.pop() {
        let filter = match end {
            None => format!(">={}", format_timestamp(start)),
            Some(end) => format!("{}..{}", format_timestamp(start), format_timestamp(end)),
        };
        let mut url = Some(format!(
            "{listing}?created={}&per_page=100{branch_query}",
            encode_query_value(&filter)
        ));
        let mut first_page = true;
        while let Some(current) = url {
            let page = client.get(&current, store)?;
            listed_urls.push(client.absolute_url(&current));
            let list: RunList = api::parse(&current, &page.body)?;
            if first_page && list.total_count > LIST_LIMIT {
                let last = end.unwrap_or(options.now);
                if last > start {
                    let middle = start + (last - start) / 2;
                    windows.push((middle + 1, end));
                    windows.push((start, Some(middle)));
                    summary.windows_split += 1;
                    continue 'windows;
                }
                // More runs created in one second than one query lists.
                summary.truncated = true;
            }
            first_page = false;
            for run in list.workflow_runs {
                summary.runs_listed += 1;
                let created = crate::time::parse_timestamp(&run.created_at).unwrap_or(from);
                newest_created = newest_created.max(created);
                if run.status.as_deref() != Some("completed") {
                    oldest_unfinished = Some(oldest_unfinished.map_or(created, |o| o.min(created)));
                }
                sync_run(client, store, &base, &repo, &current, run, &mut summary)?;
                summary.requests = client.counts;
                progress(&summary);
            }
            url = page.next_url;
        }
    }
    // Listings of earlier cursors are not asked for again: only this sync's are kept.
    store.forget_responses_except(&client.absolute_url(&format!("{listing}?")), &listed_urls)?;
    if summary.truncated {
        tracing::warn!(
            "more runs were created in one second than GitHub lists for one query (1,000)"
        );
    }
    if options.logs {
        sync_logs(
            client,
            store,
            &base,
            repo.id,
            options,
            &mut summary,
            progress,
        )?;
    }
    if options.junit {
        sync_junit(
            client,
            store,
            &base,
            repo.id,
            options,
            &mut summary,
            progress,
        )?;
    }
    store.save_sync_state(
        repo.id,
        &scope,
        &SyncState {
            window_start: previous
                .map_or(options.since, |state| state.window_start.min(options.since)),
            cursor: oldest_unfinished.map_or(newest_created, |o| o.min(newest_created)),
            synced_at: options.now,
        },
    )?;
    summary.requests = client.counts;
    Ok(summary)
}

/// Store run `run` (its latest attempt as listed) and every earlier attempt not stored
/// complete, each with its jobs.
fn sync_run(
    client: &mut Client,
    store: &mut Store,
    base: &str,
    repo: &Repo,
    list_url: &str,
    run: ApiRun,
    summary: &mut SyncSummary,
) -> Result<()> {
    let run_id = run.id;
    let latest = run.attempt();
    let listed = run.into_model(list_url, repo.id)?;
    let unchanged = store
        .run_attempt(run_id, latest)?
        .is_some_and(|stored| stored.is_completed() && stored.updated_at == listed.updated_at);
    if unchanged {
        return Ok(());
    }
    for attempt in 1..latest {
        let stored_complete = store
            .run_attempt(run_id, attempt)?
            .is_some_and(|stored| stored.is_completed());
        if stored_complete {
            continue;
        }
        let url = format!("{base}/actions/runs/{run_id}/attempts/{attempt}");
        let page = client.get_uncached(&url)?;
        let earlier = api::parse::<ApiRun>(&url, &page.body)?.into_model(&url, repo.id)?;
        let jobs = attempt_jobs(
            client,
            store,
            base,
            run_id,
            attempt,
            !earlier.is_completed(),
        )?;
        store.save_attempt(&earlier, &jobs)?;
        summary.attempts_stored += 1;
        summary.jobs_stored += jobs.len() as u64;
    }
    let unfinished = !listed.is_completed();
    let jobs = attempt_jobs(client, store, base, run_id, latest, unfinished)?;
    store.save_attempt(&listed, &jobs)?;
    summary.attempts_stored += 1;
    summary.jobs_stored += jobs.len() as u64;
    Ok(())
}

/// Read the log of every completed job not read yet, keeping only its cache events. A log
/// GitHub no longer has (404, 410) is recorded as unavailable, not asked for again.
fn sync_logs(
    client: &mut Client,
    store: &mut Store,
    base: &str,
    repo_id: i64,
    options: &SyncOptions,
    summary: &mut SyncSummary,
    progress: &mut dyn FnMut(&SyncSummary),
) -> Result<()> {
    for job_id in store.jobs_without_logs(repo_id, options.since)? {
        let url = format!("{base}/actions/jobs/{job_id}/logs");
        match client.get_uncached(&url) {
            Ok(page) => {
                let events = cache_events(page.body.as_bytes()).unwrap_or_default();
                store.save_job_log(job_id, Some(&events), options.now)?;
                summary.logs_read += 1;
            }
            Err(MetricsError::Http {
                status: 404 | 410, ..
            }) => {
                store.save_job_log(job_id, None, options.now)?;
                summary.logs_unavailable += 1;
            }
            Err(other) => return Err(other),
        }
        summary.requests = client.counts;
        progress(summary);
    }
    Ok(())
}

/// The largest artifact downloaded for JUnit reports: test reports are small, and a larger
/// artifact is a build output not worth the transfer.
pub const JUNIT_ARTIFACT_LIMIT: i64 = 64 << 20;

/// The attempt an artifact belongs to: the latest one started at or before the artifact was
/// created. GitHub lists a run's artifacts without their attempt; re-run jobs upload theirs
/// after the new attempt started.
fn artifact_attempt(starts: &[(i64, i64)], created: Option<i64>, latest: i64) -> i64 {
    let Some(created) = created else {
        return latest;
    };
    starts
        .iter()
        .filter(|(_, started)| *started <= created)
        .map(|(attempt, _)| *attempt)
        .max()
        .unwrap_or(latest)
}

/// List the artifacts of every completed run not listed since its latest attempt, and read
/// the JUnit reports of each artifact not read yet. Expired and oversized artifacts are
/// recorded as not read, and not asked for again.
fn sync_junit(
    client: &mut Client,
    store: &mut Store,
    base: &str,
    repo_id: i64,
    options: &SyncOptions,
    summary: &mut SyncSummary,
    progress: &mut dyn FnMut(&SyncSummary),
) -> Result<()> {
    for (run_id, latest) in store.runs_without_artifacts(repo_id, options.since)? {
        let starts = store.attempt_starts(run_id)?;
        let mut url = Some(format!(
            "{base}/actions/runs/{run_id}/artifacts?per_page=100"
        ));
        while let Some(current) = url {
            let page = client.get_uncached(&current)?;
            let list: api::ArtifactList = api::parse(&current, &page.body)?;
            for artifact in list.artifacts {
                if store.artifact_known(artifact.id)? {
                    continue;
                }
                let created = artifact
                    .created_at
                    .as_deref()
                    .and_then(crate::time::parse_timestamp);
                let mut read = ArtifactRead {
                    id: artifact.id,
                    run_id,
                    attempt: artifact_attempt(&starts, created, latest),
                    name: artifact.name,
                    read: false,
                    reports: 0,
                };
                let mut cases = Vec::new();
                if artifact.expired || artifact.size_in_bytes > JUNIT_ARTIFACT_LIMIT {
                    summary.artifacts_skipped += 1;
                } else {
                    let zip_url = format!("{base}/actions/artifacts/{}/zip", artifact.id);
                    match client.get_binary(&zip_url) {
                        Ok(bytes) => {
                            let found =
                                read_artifact(std::io::Cursor::new(bytes)).unwrap_or_default();
                            read.read = true;
                            read.reports = found.reports;
                            cases = found.cases;
                            summary.artifacts_read += 1;
                            summary.junit_reports += found.reports as u64;
                            summary.test_cases_stored += cases.len() as u64;
                        }
                        // Expired or deleted since it was listed.
                        Err(MetricsError::Http {
                            status: 404 | 410, ..
                        }) => summary.artifacts_skipped += 1,
                        Err(other) => return Err(other),
                    }
                }
                store.save_artifact(&read, &cases, options.now)?;
                summary.requests = client.counts;
                progress(summary);
            }
            url = page.next_url;
        }
        store.save_artifact_listing(run_id, latest, options.now)?;
    }
    Ok(())
}

/// Every job of one attempt, across pages. Only an unfinished attempt's pages are kept for
/// conditional requests: a completed attempt is never asked for again.
fn attempt_jobs(
    client: &mut Client,
    store: &Store,
    base: &str,
    run_id: i64,
    attempt: i64,
    unfinished: bool,
) -> Result<Vec<Job>> {
    let mut jobs = Vec::new();
    let mut url = Some(format!(
        "{base}/actions/runs/{run_id}/attempts/{attempt}/jobs?per_page=100"
    ));
    while let Some(current) = url {
        let page = if unfinished {
            client.get(&current, store)?
        } else {
            client.get_uncached(&current)?
        };
        let list: JobList = api::parse(&current, &page.body)?;
        for job in list.jobs {
            jobs.push(job.into_model(&current, attempt)?);
        }
        url = page.next_url;
    }
    if !unfinished {
        // Pages kept while the attempt ran are not needed any more.
        let prefix = client.absolute_url(&format!(
            "{base}/actions/runs/{run_id}/attempts/{attempt}/jobs"
        ));
        store.forget_responses_except(&prefix, &[])?;
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names_are_owner_slash_name() {
        assert_eq!(split_repo("octo/app").ok(), Some(("octo", "app")));
        assert!(split_repo("octo").is_err());
        assert!(split_repo("octo/app/x").is_err());
        assert!(split_repo("/app").is_err());
        assert!(split_repo("octo/a?b").is_err());
    }

    #[test]
    fn an_artifact_belongs_to_the_attempt_running_when_it_was_made() {
        let starts = [(1, 1000), (2, 5000)];
        assert_eq!(artifact_attempt(&starts, Some(1200), 2), 1);
        assert_eq!(artifact_attempt(&starts, Some(5000), 2), 2);
        assert_eq!(artifact_attempt(&starts, None, 2), 2);
        assert_eq!(artifact_attempt(&starts, Some(10), 2), 2);
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value(">=2026-11-01T00:00:00Z"),
            "%3E%3D2026-11-01T00:00:00Z"
        );
        assert_eq!(encode_query_value("feature/a b&c"), "feature/a%20b%26c");
        assert_eq!(workflow_file(".github/workflows/ci.yml"), "ci.yml");
    }
}
