//! Test figures: how long the tests of a run take (the test steps, found by their names, and
//! the JUnit reports' own times), the slowest tests, and the flaky ones.
//!
//! - A *test step* is a step whose name has a word that names testing (`test`, `tests`,
//!   `pytest`, `jest`, `nextest`, `spec`, …) and none that names moving results about
//!   (`upload`, `publish`, `report`, …): "Run tests" and "cargo nextest run" are test steps,
//!   "Upload test results" is not.
//! - A test is one `classname` + `name` of a workflow's JUnit reports.
//! - A *flaky test* failed (or errored) and passed on one commit, whether across attempts of
//!   one run (a re-run), across runs, or within one attempt when the runner retried it
//!   (surefire's and nextest's `flakyFailure`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::junit::TestOutcome;
use crate::model::Job;
use crate::spread::Spread;
use crate::store::StoredTest;

/// Words of a step name that say it runs tests.
const TEST_WORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "unittest",
    "spec",
    "specs",
    "pytest",
    "tox",
    "nox",
    "jest",
    "vitest",
    "mocha",
    "karma",
    "cypress",
    "playwright",
    "rspec",
    "nextest",
    "ctest",
    "phpunit",
    "e2e",
];

/// Words that make a step about test results rather than a test run.
const NOT_TEST_WORDS: &[&str] = &[
    "upload",
    "download",
    "publish",
    "report",
    "reports",
    "results",
    "artifact",
    "artifacts",
    "coverage",
    "cache",
    "setup",
    "install",
];

/// Whether a step's name says it runs tests.
pub fn is_test_step(name: &str) -> bool {
    let lowered = name.to_ascii_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    words.iter().any(|word| TEST_WORDS.contains(word))
        && !words.iter().any(|word| NOT_TEST_WORDS.contains(word))
}

/// Seconds the test steps of an attempt's jobs took, `None` without a timed test step.
pub fn test_step_seconds(jobs: &[&Job]) -> Option<i64> {
    let mut total = None;
    for step in jobs.iter().flat_map(|job| &job.steps) {
        if let (true, Some(start), Some(end)) =
            (is_test_step(&step.name), step.started_at, step.completed_at)
        {
            *total.get_or_insert(0) += (end - start).max(0);
        }
    }
    total
}

/// A test that failed and passed on one commit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlakyTest {
    pub workflow: String,
    pub classname: String,
    pub name: String,
    /// Commits where it both failed and passed.
    pub flaky_commits: usize,
    /// Commits where it passed or failed.
    pub commits: usize,
    /// flaky_commits / commits.
    pub frequency: f64,
    /// Results that were failures (failed or errored).
    pub failures: usize,
    /// Of those commits, the ones where a later attempt of the same run passed it.
    pub passed_on_rerun: usize,
    /// Attempts where the runner's own retry passed it after a failure.
    pub passed_on_retry: usize,
    /// The last failure's message.
    pub last_message: Option<String>,
}

/// A test's times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestTiming {
    pub workflow: String,
    pub classname: String,
    pub name: String,
    /// Milliseconds, since most tests take less than a second.
    pub duration_ms: Spread,
}

/// The test figures of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TestReport {
    /// Run attempts with JUnit results, and the test results they held.
    pub attempts_with_results: usize,
    pub results: usize,
    pub failed_results: usize,
    pub flaky_tests: Vec<FlakyTest>,
    pub slowest_tests: Vec<TestTiming>,
}

/// What is gathered of one test.
#[derive(Default)]
struct TestTally<'a> {
    /// By commit: passed, failed, and the run attempts that failed it.
    commits: BTreeMap<&'a str, (bool, bool)>,
    /// By run: the attempts that failed and that passed it.
    runs: BTreeMap<i64, (Vec<i64>, Vec<i64>)>,
    failures: usize,
    passed_on_retry: usize,
    milliseconds: Vec<i64>,
    last_message: Option<&'a str>,
}

/// The test figures of the kept attempts `runs` (by run id and attempt: their commit and
/// workflow); `top` bounds the lists.
pub fn analyse_tests(
    tests: &[StoredTest],
    runs: &BTreeMap<(i64, i64), (String, String)>,
    top: usize,
) -> TestReport {
    let mut report = TestReport::default();
    let mut tallies: BTreeMap<(&str, &str, &str), TestTally<'_>> = BTreeMap::new();
    let mut attempts = std::collections::BTreeSet::new();
    for test in tests {
        let Some((head_sha, workflow)) = runs.get(&(test.run_id, test.attempt)) else {
            continue;
        };
        attempts.insert((test.run_id, test.attempt));
        report.results += 1;
        let case = &test.case;
        let tally = tallies
            .entry((
                workflow.as_str(),
                case.classname.as_str(),
                case.name.as_str(),
            ))
            .or_default();
        if let Some(seconds) = case.seconds {
            tally.milliseconds.push((seconds * 1000.0).round() as i64);
        }
        let failed = case.outcome.is_failure();
        let passed = case.outcome == TestOutcome::Passed;
        if !failed && !passed {
            continue;
        }
        let seen = tally.commits.entry(head_sha.as_str()).or_default();
        let by_run = tally.runs.entry(test.run_id).or_default();
        if failed {
            report.failed_results += 1;
            tally.failures += 1;
            seen.1 = true;
            by_run.0.push(test.attempt);
            tally.last_message = case.message.as_deref().or(tally.last_message);
        } else {
            seen.0 = true;
            by_run.1.push(test.attempt);
            if case.retried_failures > 0 {
                // The runner saw it fail, retried, and it passed: both outcomes on one commit.
                seen.1 = true;
                tally.passed_on_retry += 1;
            }
        }
    }
    report.attempts_with_results = attempts.len();

    for ((workflow, classname, name), tally) in &tallies {
        let flaky_commits = tally.commits.values().filter(|(p, f)| *p && *f).count();
        if flaky_commits > 0 {
            let passed_on_rerun = tally
                .runs
                .values()
                .filter(|(failed, passed)| {
                    failed
                        .iter()
                        .any(|f| passed.iter().any(|attempt| attempt > f))
                })
                .count();
            report.flaky_tests.push(FlakyTest {
                workflow: (*workflow).to_owned(),
                classname: (*classname).to_owned(),
                name: (*name).to_owned(),
                flaky_commits,
                commits: tally.commits.len(),
                frequency: flaky_commits as f64 / tally.commits.len() as f64,
                failures: tally.failures,
                passed_on_rerun,
                passed_on_retry: tally.passed_on_retry,
                last_message: tally.last_message.map(str::to_owned),
            });
        }
    }
    report.flaky_tests.sort_by(|a, b| {
        b.flaky_commits
            .cmp(&a.flaky_commits)
            .then_with(|| b.frequency.total_cmp(&a.frequency))
            .then_with(|| {
                (&a.workflow, &a.classname, &a.name).cmp(&(&b.workflow, &b.classname, &b.name))
            })
    });
    report.flaky_tests.truncate(top);

    let mut timings: Vec<TestTiming> = tallies
        .into_iter()
        .filter(|(_, tally)| !tally.milliseconds.is_empty())
        .map(|((workflow, classname, name), tally)| TestTiming {
            workflow: workflow.to_owned(),
            classname: classname.to_owned(),
            name: name.to_owned(),
            duration_ms: Spread::of(tally.milliseconds),
        })
        .collect();
    timings.sort_by_key(|t| std::cmp::Reverse(t.duration_ms.p50));
    timings.truncate(top);
    report.slowest_tests = timings;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_steps_are_told_by_their_words() {
        for name in [
            "Run tests",
            "cargo nextest run --profile ci",
            "pytest -q",
            "Test (ubuntu)",
            "npm run test:e2e",
            "Integration-Tests",
        ] {
            assert!(is_test_step(name), "{name}");
        }
        for name in [
            "Upload test results",
            "Set up job",
            "Build",
            "Publish Test Report",
            "Setup test database",
            "latest",
            "contest",
        ] {
            assert!(!is_test_step(name), "{name}");
        }
    }
}
