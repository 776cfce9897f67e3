//! CI health from the stored history: per workflow and job, over the window and week by
//! week.
//!
//! Definitions (the report's `notes` repeats them for its readers):
//! - every run attempt counts: a re-run is a second attempt, not a replacement of the first;
//! - an attempt or job *passes* on `success` and *fails* on `failure`, `timed_out` or
//!   `startup_failure`; `cancelled` and `skipped` ones are left out of failure rates and
//!   durations (and counted as excluded), as are unfinished ones and `neutral`,
//!   `action_required` and `stale`;
//! - a run attempt's duration is from `run_started_at` to the last `completed_at` of its jobs;
//!   a job's queue time is `started_at − created_at`;
//! - percentiles are nearest-rank: p50 of 1, 2, 3, 4 is 2;
//! - time to recover: on the default branch, from the end of the first failing attempt after
//!   a pass (or the window's start) to the end of the next passing one;
//! - a flaky job failed and passed on one commit (`head_sha`), across attempts or runs.

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::spread::Spread;

use crate::cache_log::{CacheEvent, CacheOutcome};
use crate::model::{Job, RunAttempt, Workflow};
use crate::runners::{runner_kind, RunnerOs};
use crate::store::{History, Store, StoredTest};
use crate::test_metrics::{analyse_tests, test_step_seconds, TestReport};
use crate::time::{format_date, format_timestamp, week_start, WEEK};

/// The report's format version, for `--format json` readers.
pub const REPORT_VERSION: u32 = 1;

/// The definitions behind the figures, written into every report.
pub const NOTES: &[&str] = &[
    "Every run attempt counts; re-runs are attempts of their own.",
    "Failure rate = failed / (passed + failed); failed is failure, timed_out or startup_failure. \
     Cancelled and skipped attempts are excluded from failure rates and durations.",
    "Run duration: run_started_at to the last job's completed_at. Queue time: a job's \
     started_at - created_at. Percentiles are nearest-rank.",
    "Time to recover: on the default branch, end of the first failing attempt to the end of \
     the next passing one.",
    "Flaky job: one commit where the job both failed and passed, across attempts or runs.",
    "Runner minutes: each job rounded up to a whole minute; billable = minutes x GitHub's \
     per-OS multiplier (Linux 1, Windows 2, macOS 10; self-hosted 0).",
    "Cache hit rate = restores / (restores + misses), from the cache actions' own log lines in \
     the job logs read (--logs); a partial hit restored a fallback key (restore-keys).",
    "Test time: per run attempt, the steps named for tests (\"Run tests\", \"pytest\", \
     \"cargo nextest run\"; not \"Upload test results\"), and the sum of the JUnit reports' \
     test times in its artifacts (--junit).",
    "Flaky test: one commit where a test (classname + name, per workflow) both failed and \
     passed, across attempts or runs, or passed on its runner's own retry (flakyFailure).",
];

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    /// Runs created at or after this (Unix seconds).
    pub since: i64,
    /// Only the runs of this workflow file (`ci.yml` or its path).
    pub workflow: Option<String>,
    /// Only the runs of this branch.
    pub branch: Option<String>,
    /// How many steps the slowest and most-failing lists hold.
    pub top_steps: usize,
}

/// How an attempt or job ended, for rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    /// Cancelled or skipped: excluded, and said so.
    CancelledOrSkipped,
    /// Unfinished, neutral, action_required, stale.
    Other,
}

fn outcome(status: &str, conclusion: Option<&str>) -> Outcome {
    if status != "completed" {
        return Outcome::Other;
    }
    match conclusion {
        Some("success") => Outcome::Passed,
        Some("failure" | "timed_out" | "startup_failure") => Outcome::Failed,
        Some("cancelled" | "skipped") => Outcome::CancelledOrSkipped,
        _ => Outcome::Other,
    }
}

impl Outcome {
    fn decided(self) -> bool {
        matches!(self, Outcome::Passed | Outcome::Failed)
    }
}

/// Passed and failed counts, and what was left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Outcomes {
    /// Every attempt (or job) in the window.
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Cancelled or skipped: not in the failure rate.
    pub cancelled_or_skipped: usize,
    /// Unfinished, neutral, action_required or stale: not in the failure rate.
    pub other: usize,
    /// failed / (passed + failed); `None` with neither.
    pub failure_rate: Option<f64>,
}

impl Outcomes {
    fn add(&mut self, outcome: Outcome) {
        self.total += 1;
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::CancelledOrSkipped => self.cancelled_or_skipped += 1,
            Outcome::Other => self.other += 1,
        }
        let decided = self.passed + self.failed;
        self.failure_rate = (decided > 0).then(|| self.failed as f64 / decided as f64);
    }
}

/// Cache use read from job logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CacheStats {
    /// Jobs whose log was read.
    pub jobs_read: usize,
    pub hits: usize,
    /// Hits on the primary key, and on a fallback key (`restore-keys`, a partial match).
    pub exact_hits: usize,
    pub partial_hits: usize,
    pub misses: usize,
    pub saves: usize,
    /// hits / (hits + misses); `None` with neither.
    pub hit_rate: Option<f64>,
}

impl CacheStats {
    fn add(&mut self, events: &[CacheEvent]) {
        self.jobs_read += 1;
        for event in events {
            match event.outcome {
                CacheOutcome::Hit => {
                    self.hits += 1;
                    match event.exact {
                        Some(true) => self.exact_hits += 1,
                        Some(false) => self.partial_hits += 1,
                        None => {}
                    }
                }
                CacheOutcome::Miss => self.misses += 1,
                CacheOutcome::Saved => self.saves += 1,
            }
        }
        let looked_up = self.hits + self.misses;
        self.hit_rate = (looked_up > 0).then(|| self.hits as f64 / looked_up as f64);
    }
}

/// One week of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// The Monday (UTC) the week starts.
    pub start: String,
    pub outcomes: Outcomes,
    pub duration_p50: Option<i64>,
}

/// Time to recover on the default branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    pub branch: String,
    /// How many red spells ended green in the window.
    pub recoveries: usize,
    pub p50: Option<i64>,
    pub max: Option<i64>,
    /// The branch's last decided attempt failed.
    pub still_failing: bool,
}

/// The metrics of one job (by name) of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobMetrics {
    pub name: String,
    pub outcomes: Outcomes,
    pub duration: Spread,
    pub queue: Spread,
    pub cache: CacheStats,
}

/// The metrics of one workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkflowMetrics {
    pub name: String,
    pub path: String,
    pub outcomes: Outcomes,
    pub duration: Spread,
    pub queue: Spread,
    pub recovery: Recovery,
    pub cache: CacheStats,
    pub test_time: TestTime,
    pub weekly: Vec<Week>,
    pub jobs: Vec<JobMetrics>,
}

/// How long a workflow's tests take per run attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestTime {
    /// The test steps' durations summed per attempt (steps found by their names).
    pub steps: Spread,
    /// The JUnit reports' test times summed per attempt, where its artifacts held reports.
    pub junit: Spread,
}

/// A job that failed and passed on one commit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlakyJob {
    pub workflow: String,
    pub job: String,
    /// Commits with both outcomes.
    pub flaky_commits: usize,
    /// Commits where the job passed or failed.
    pub commits: usize,
    /// flaky_commits / commits.
    pub frequency: f64,
    /// The flaky commits, for a look at their runs.
    pub shas: Vec<String>,
}

/// A step of a job, by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepMetrics {
    pub workflow: String,
    pub job: String,
    pub step: String,
    pub failures: usize,
    pub duration: Spread,
}

/// Runner time on one kind of runner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerMinutes {
    pub os: RunnerOs,
    pub self_hosted: bool,
    /// The job's `runs-on` labels, joined with `, `.
    pub labels: String,
    pub jobs: usize,
    /// Job minutes, each job rounded up to a whole minute.
    pub minutes: i64,
    /// GitHub's multiplier; `None` when the labels do not tell the billing.
    pub multiplier: Option<u32>,
    pub billable_minutes: Option<i64>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub version: u32,
    pub repo: String,
    pub default_branch: String,
    pub since: String,
    pub workflow_filter: Option<String>,
    pub branch_filter: Option<String>,
    pub notes: Vec<String>,
    pub workflows: Vec<WorkflowMetrics>,
    pub flaky_jobs: Vec<FlakyJob>,
    pub slowest_steps: Vec<StepMetrics>,
    pub most_failing_steps: Vec<StepMetrics>,
    pub runner_minutes: Vec<RunnerMinutes>,
    pub total_minutes: i64,
    pub total_billable_minutes: i64,
    /// JUnit figures: the slowest and the flaky tests (`--junit`).
    pub tests: TestReport,
}

fn matches_workflow(filter: Option<&str>, workflow: Option<&Workflow>) -> bool {
    let Some(filter) = filter else {
        return true;
    };
    let file = filter.rsplit('/').next().unwrap_or(filter);
    workflow.is_some_and(|w| w.path.rsplit('/').next() == Some(file))
}

/// What is gathered of one job name while its attempts are walked.
#[derive(Default)]
struct JobTally {
    outcomes: Outcomes,
    durations: Vec<i64>,
    queue: Vec<i64>,
    cache: CacheStats,
    /// By commit: whether the job passed and whether it failed there.
    commits: BTreeMap<String, (bool, bool)>,
}

/// What is gathered of one workflow while its attempts are walked.
#[derive(Default)]
struct WorkflowTally {
    name: String,
    path: String,
    outcomes: Outcomes,
    durations: Vec<i64>,
    queue: Vec<i64>,
    weekly: BTreeMap<i64, (Outcomes, Vec<i64>)>,
    cache: CacheStats,
    jobs: BTreeMap<String, JobTally>,
    step_test_seconds: Vec<i64>,
    junit_test_seconds: Vec<i64>,
    /// The decided attempts on the default branch: start, run id, attempt, outcome, end.
    on_default_branch: Vec<(i64, i64, i64, Outcome, i64)>,
}

/// When an attempt ended: its last job's end, else its last update.
fn attempt_end(run: &RunAttempt, jobs: &[Job]) -> i64 {
    jobs.iter()
        .filter_map(|job| job.completed_at)
        .max()
        .unwrap_or(run.updated_at)
}

fn attempt_start(run: &RunAttempt) -> i64 {
    run.run_started_at.unwrap_or(run.created_at)
}

fn seconds_between(start: Option<i64>, end: Option<i64>) -> Option<i64> {
    match (start, end) {
        (Some(start), Some(end)) if end >= start => Some(end - start),
        _ => None,
    }
}

/// The figures gathered one run attempt at a time, so a history need not be held whole:
/// [`Analyser::add`] each attempt with its jobs, in any order, then [`Analyser::finish`].
/// Only the figures' own inputs are kept (durations for percentiles, per-commit outcomes).
pub struct Analyser<'h> {
    options: &'h AnalysisOptions,
    workflows: BTreeMap<i64, &'h Workflow>,
    default_branch: String,
    cache_events: &'h BTreeMap<i64, Vec<CacheEvent>>,
    tests: &'h [StoredTest],
    /// The JUnit test time of each attempt with results.
    junit_seconds: BTreeMap<(i64, i64), f64>,
    /// The commit and workflow of each attempt with JUnit results.
    test_runs: BTreeMap<(i64, i64), (String, String)>,
    tallies: BTreeMap<i64, WorkflowTally>,
    steps: BTreeMap<(String, String, String), (usize, Vec<i64>)>,
    runners: BTreeMap<(RunnerOs, bool, String), (usize, i64)>,
    weeks: Option<(i64, i64)>,
}

impl<'h> Analyser<'h> {
    /// An analysis of the history whose repository, workflows, cache events and JUnit results
    /// are these; the attempts come with [`Analyser::add`].
    pub fn new(history: &'h History, options: &'h AnalysisOptions) -> Self {
        let mut junit_seconds: BTreeMap<(i64, i64), f64> = BTreeMap::new();
        for test in &history.tests {
            *junit_seconds
                .entry((test.run_id, test.attempt))
                .or_default() += test.case.seconds.unwrap_or(0.0);
        }
        Analyser {
            options,
            workflows: history.workflows.iter().map(|w| (w.id, w)).collect(),
            default_branch: history
                .repo
                .as_ref()
                .map(|repo| repo.default_branch.clone())
                .unwrap_or_default(),
            cache_events: &history.cache_events,
            tests: &history.tests,
            junit_seconds,
            test_runs: BTreeMap::new(),
            tallies: BTreeMap::new(),
            steps: BTreeMap::new(),
            runners: BTreeMap::new(),
            weeks: None,
        }
    }

    /// Whether the options keep `run`.
    fn keeps(&self, run: &RunAttempt) -> bool {
        run.created_at >= self.options.since
            && matches_workflow(
                self.options.workflow.as_deref(),
                self.workflows.get(&run.workflow_id).copied(),
            )
            && self
                .options
                .branch
                .as_deref()
                .is_none_or(|branch| run.head_branch.as_deref() == Some(branch))
    }

    /// Count one run attempt with its jobs (and their steps).
    pub fn add(&mut self, run: &RunAttempt, jobs: &[Job]) {
        if !self.keeps(run) {
            return;
        }
        let week = week_start(run.created_at);
        self.weeks = Some(match self.weeks {
            Some((first, last)) => (first.min(week), last.max(week)),
            None => (week, week),
        });
        let tally = self.tallies.entry(run.workflow_id).or_insert_with(|| {
            let (name, path) = match self.workflows.get(&run.workflow_id) {
                Some(w) => (w.name.clone(), w.path.clone()),
                None => (run.name.clone(), String::new()),
            };
            WorkflowTally {
                name,
                path,
                ..WorkflowTally::default()
            }
        });
        if self.junit_seconds.contains_key(&(run.run_id, run.attempt)) {
            self.test_runs.insert(
                (run.run_id, run.attempt),
                (run.head_sha.clone(), tally.name.clone()),
            );
        }
        let result = outcome(&run.status, run.conclusion.as_deref());
        tally.outcomes.add(result);
        let in_week = tally.weekly.entry(week).or_default();
        in_week.0.add(result);
        if result.decided() {
            let end = attempt_end(run, jobs);
            let duration = (end - attempt_start(run)).max(0);
            tally.durations.push(duration);
            in_week.1.push(duration);
            let job_refs: Vec<&Job> = jobs.iter().collect();
            tally.step_test_seconds.extend(test_step_seconds(&job_refs));
            if run.head_branch.as_deref() == Some(self.default_branch.as_str()) {
                tally.on_default_branch.push((
                    attempt_start(run),
                    run.run_id,
                    run.attempt,
                    result,
                    end,
                ));
            }
        }
        if let Some(seconds) = self.junit_seconds.get(&(run.run_id, run.attempt)) {
            tally.junit_test_seconds.push(seconds.round() as i64);
        }
        for job in jobs {
            if let Some(seconds) = seconds_between(job.started_at, job.completed_at) {
                let kind = runner_kind(&job.labels);
                let row = self
                    .runners
                    .entry((kind.os, kind.self_hosted, job.labels.join(", ")))
                    .or_default();
                row.0 += 1;
                row.1 += (seconds + 59) / 60;
            }
            let job_result = outcome(&job.status, job.conclusion.as_deref());
            if !tally.jobs.contains_key(&job.name) {
                tally.jobs.insert(job.name.clone(), JobTally::default());
            }
            let Some(row) = tally.jobs.get_mut(&job.name) else {
                continue;
            };
            row.outcomes.add(job_result);
            if let Some(wait) = seconds_between(job.created_at, job.started_at) {
                tally.queue.push(wait);
                row.queue.push(wait);
            }
            if let Some(events) = self.cache_events.get(&job.id) {
                tally.cache.add(events);
                row.cache.add(events);
            }
            if !job_result.decided() {
                continue;
            }
            if let Some(took) = seconds_between(job.started_at, job.completed_at) {
                row.durations.push(took);
            }
            if !row.commits.contains_key(&run.head_sha) {
                row.commits.insert(run.head_sha.clone(), (false, false));
            }
            if let Some(seen) = row.commits.get_mut(&run.head_sha) {
                match job_result {
                    Outcome::Passed => seen.0 = true,
                    _ => seen.1 = true,
                }
            }
            for step in &job.steps {
                let step_result = outcome(&step.status, step.conclusion.as_deref());
                if !step_result.decided() {
                    continue;
                }
                let key = (tally.name.clone(), job.name.clone(), step.name.clone());
                let entry = self.steps.entry(key).or_default();
                if step_result == Outcome::Failed {
                    entry.0 += 1;
                }
                if let Some(took) = seconds_between(step.started_at, step.completed_at) {
                    entry.1.push(took);
                }
            }
        }
    }

    /// The report of the attempts added.
    pub fn finish(self, repo: &str) -> Report {
        let options = self.options;
        let weeks: Vec<i64> = match self.weeks {
            Some((first, last)) => (0..=(last - first) / WEEK)
                .map(|i| first + i * WEEK)
                .collect(),
            None => Vec::new(),
        };
        let mut workflow_metrics = Vec::new();
        let mut flaky_jobs = Vec::new();
        for (_, tally) in self.tallies {
            for (job, row) in &tally.jobs {
                let flaky: Vec<String> = row
                    .commits
                    .iter()
                    .filter(|(_, (passed, failed))| *passed && *failed)
                    .map(|(sha, _)| sha.clone())
                    .collect();
                if !flaky.is_empty() {
                    flaky_jobs.push(FlakyJob {
                        workflow: tally.name.clone(),
                        job: job.clone(),
                        flaky_commits: flaky.len(),
                        commits: row.commits.len(),
                        frequency: flaky.len() as f64 / row.commits.len() as f64,
                        shas: flaky,
                    });
                }
            }
            let mut weekly = tally.weekly;
            let weekly: Vec<Week> = weeks
                .iter()
                .map(|start| {
                    let (outcomes, durations) = weekly.remove(start).unwrap_or_default();
                    Week {
                        start: format_date(*start),
                        outcomes,
                        duration_p50: Spread::of(durations).p50,
                    }
                })
                .collect();
            workflow_metrics.push(WorkflowMetrics {
                recovery: recovery(tally.on_default_branch, &self.default_branch),
                cache: tally.cache,
                test_time: TestTime {
                    steps: Spread::of(tally.step_test_seconds),
                    junit: Spread::of(tally.junit_test_seconds),
                },
                name: tally.name,
                path: tally.path,
                outcomes: tally.outcomes,
                duration: Spread::of(tally.durations),
                queue: Spread::of(tally.queue),
                weekly,
                jobs: tally
                    .jobs
                    .into_iter()
                    .map(|(name, row)| JobMetrics {
                        name,
                        outcomes: row.outcomes,
                        duration: Spread::of(row.durations),
                        queue: Spread::of(row.queue),
                        cache: row.cache,
                    })
                    .collect(),
            });
        }
        flaky_jobs.sort_by(|a, b| {
            b.flaky_commits
                .cmp(&a.flaky_commits)
                .then_with(|| (&a.workflow, &a.job).cmp(&(&b.workflow, &b.job)))
        });

        let step_rows: Vec<StepMetrics> = self
            .steps
            .into_iter()
            .map(
                |((workflow, job, step), (failures, durations))| StepMetrics {
                    workflow,
                    job,
                    step,
                    failures,
                    duration: Spread::of(durations),
                },
            )
            .collect();
        let mut slowest_steps = step_rows.clone();
        slowest_steps.sort_by_key(|s| std::cmp::Reverse(s.duration.p50));
        slowest_steps.truncate(options.top_steps);
        let mut most_failing_steps: Vec<StepMetrics> =
            step_rows.into_iter().filter(|s| s.failures > 0).collect();
        most_failing_steps.sort_by_key(|s| std::cmp::Reverse(s.failures));
        most_failing_steps.truncate(options.top_steps);

        let runner_minutes = runner_minutes(self.runners);
        Report {
            version: REPORT_VERSION,
            repo: repo.to_owned(),
            default_branch: self.default_branch,
            since: format_timestamp(options.since),
            workflow_filter: options.workflow.clone(),
            branch_filter: options.branch.clone(),
            notes: NOTES.iter().map(|note| (*note).to_owned()).collect(),
            workflows: workflow_metrics,
            flaky_jobs,
            slowest_steps,
            most_failing_steps,
            total_minutes: runner_minutes.iter().map(|r| r.minutes).sum(),
            total_billable_minutes: runner_minutes
                .iter()
                .filter_map(|r| r.billable_minutes)
                .sum(),
            runner_minutes,
            tests: analyse_tests(self.tests, &self.test_runs, options.top_steps),
        }
    }
}

/// Analyse `history` (held whole) as `options` asks.
pub fn analyse(history: &History, options: &AnalysisOptions) -> Report {
    let mut jobs_by_attempt: BTreeMap<(i64, i64), Vec<Job>> = BTreeMap::new();
    for job in &history.jobs {
        jobs_by_attempt
            .entry((job.run_id, job.attempt))
            .or_default()
            .push(job.clone());
    }
    let mut analyser = Analyser::new(history, options);
    for run in &history.runs {
        let jobs = jobs_by_attempt
            .get(&(run.run_id, run.attempt))
            .map(Vec::as_slice)
            .unwrap_or_default();
        analyser.add(run, jobs);
    }
    let repo = history
        .repo
        .as_ref()
        .map(|repo| repo.full_name.clone())
        .unwrap_or_default();
    analyser.finish(&repo)
}

/// Analyse the history of `full_name` in `store` as `options` asks, streaming its attempts:
/// memory holds the figures' inputs, not the history. `None` when the store has no such
/// repository.
pub fn analyse_stored(
    store: &Store,
    full_name: &str,
    options: &AnalysisOptions,
) -> crate::error::Result<Option<Report>> {
    let base = store.history_without_runs(full_name, options.since)?;
    let Some(repo) = base.repo.clone() else {
        return Ok(None);
    };
    let mut analyser = Analyser::new(&base, options);
    store.for_each_attempt(repo.id, options.since, &mut |run, jobs| {
        analyser.add(run, jobs);
    })?;
    Ok(Some(analyser.finish(&repo.full_name)))
}

/// Time to recover from a workflow's decided attempts on `branch` (start, run id, attempt,
/// outcome, end).
fn recovery(mut attempts: Vec<(i64, i64, i64, Outcome, i64)>, branch: &str) -> Recovery {
    attempts.sort_by_key(|&(start, run_id, attempt, _, _)| (start, run_id, attempt));
    let mut red_since = None;
    let mut spells = Vec::new();
    for (_, _, _, result, end) in attempts {
        match (result, red_since) {
            (Outcome::Failed, None) => red_since = Some(end),
            (Outcome::Passed, Some(red)) => {
                spells.push((end - red).max(0));
                red_since = None;
            }
            _ => {}
        }
    }
    let longest = spells.iter().copied().max();
    let spread = Spread::of(spells);
    Recovery {
        branch: branch.to_owned(),
        recoveries: spread.count,
        p50: spread.p50,
        max: longest,
        still_failing: red_since.is_some(),
    }
}

/// Runner minutes by system and labels, from the jobs and minutes counted of each.
fn runner_minutes(rows: BTreeMap<(RunnerOs, bool, String), (usize, i64)>) -> Vec<RunnerMinutes> {
    rows.into_iter()
        .map(|((os, self_hosted, labels), (jobs, minutes))| {
            let multiplier = crate::runners::RunnerKind { os, self_hosted }.multiplier();
            RunnerMinutes {
                os,
                self_hosted,
                labels,
                jobs,
                minutes,
                multiplier,
                billable_minutes: multiplier.map(|m| minutes * i64::from(m)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelled_and_skipped_are_excluded_from_the_rate() {
        let mut outcomes = Outcomes::default();
        for (status, conclusion) in [
            ("completed", Some("success")),
            ("completed", Some("failure")),
            ("completed", Some("cancelled")),
            ("completed", Some("skipped")),
            ("in_progress", None),
            ("completed", Some("timed_out")),
        ] {
            outcomes.add(outcome(status, conclusion));
        }
        assert_eq!(outcomes.total, 6);
        assert_eq!(outcomes.cancelled_or_skipped, 2);
        assert_eq!(outcomes.other, 1);
        assert_eq!(outcomes.failure_rate, Some(2.0 / 3.0));
    }
}
