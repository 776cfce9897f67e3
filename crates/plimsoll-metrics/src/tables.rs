//! The report's tables (title, header, rows of plain text cells), built in one place for the
//! terminal and the HTML page so a figure cannot read one way in one and another way in the
//! other. Cells hold the report's text as it is: the terminal renderer makes them safe to
//! print, the HTML renderer escapes them.

use crate::analysis::{Report, StepMetrics};
use crate::figures::{duration, sparkline};

/// Where a table is shown. The terminal keeps its headers short so the columns fit a window;
/// the page has the room to spell them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Medium {
    Terminal,
    Html,
}

impl Medium {
    /// Each column's heading for this medium, from `(terminal, html)` pairs.
    fn header(self, headings: &[(&'static str, &'static str)]) -> Vec<&'static str> {
        headings
            .iter()
            .map(|&(terminal, html)| self.pick(terminal, html))
            .collect()
    }

    fn pick(self, terminal: &'static str, html: &'static str) -> &'static str {
        match self {
            Medium::Terminal => terminal,
            Medium::Html => html,
        }
    }
}

pub(crate) struct Table {
    pub title: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// `12.5%`; `-` for none.
pub(crate) fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), |rate| format!("{:.1}%", rate * 100.0))
}

/// A workflow per row. The terminal adds weekly sparklines, where the page draws charts.
pub(crate) fn workflows(report: &Report, medium: Medium) -> Table {
    let title = match medium {
        Medium::Terminal => {
            let weeks = report
                .workflows
                .first()
                .map(|w| {
                    let first = w.weekly.first().map(|w| w.start.as_str()).unwrap_or("");
                    format!("{} weeks from {first}", w.weekly.len())
                })
                .unwrap_or_default();
            format!("Workflows (trend: {weeks})")
        }
        Medium::Html => "Workflows".to_owned(),
    };
    let mut header = medium.header(&[
        ("WORKFLOW", "Workflow"),
        ("ATTEMPTS", "Attempts"),
        ("FAIL", "Failure rate"),
        ("EXCL", "Cancelled or skipped"),
        ("P50", "Duration p50"),
        ("P95", "Duration p95"),
        ("QUEUE", "Queue p50"),
        ("CACHE", "Cache hit rate"),
        ("RECOVER", "Time to recover p50"),
    ]);
    if medium == Medium::Terminal {
        header.extend(["DURATION", "FAILURES"]);
    }
    let rows = report
        .workflows
        .iter()
        .map(|w| {
            let recovery = match (medium, w.recovery.recoveries, w.recovery.still_failing) {
                (Medium::Terminal, 0, true) => "still red".to_owned(),
                (Medium::Terminal, _, true) => format!("{} (red now)", duration(w.recovery.p50)),
                // The page shows the median alone, as it always has: this table is shared to
                // remove duplicated code, not to change the page.
                _ => duration(w.recovery.p50),
            };
            let mut row = vec![
                w.name.clone(),
                w.outcomes.total.to_string(),
                percent(w.outcomes.failure_rate),
                w.outcomes.cancelled_or_skipped.to_string(),
                duration(w.duration.p50),
                duration(w.duration.p95),
                duration(w.queue.p50),
                percent(w.cache.hit_rate),
                recovery,
            ];
            if medium == Medium::Terminal {
                let durations: Vec<Option<f64>> = w
                    .weekly
                    .iter()
                    .map(|week| week.duration_p50.map(|d| d as f64))
                    .collect();
                let failures: Vec<Option<f64>> = w
                    .weekly
                    .iter()
                    .map(|week| week.outcomes.failure_rate)
                    .collect();
                row.extend([sparkline(&durations), sparkline(&failures)]);
            }
            row
        })
        .collect();
    Table {
        title,
        header,
        rows,
    }
}

/// A job of a workflow per row.
pub(crate) fn jobs(report: &Report, medium: Medium) -> Table {
    let rows = report
        .workflows
        .iter()
        .flat_map(|w| {
            w.jobs.iter().map(move |job| {
                vec![
                    w.name.clone(),
                    job.name.clone(),
                    job.outcomes.total.to_string(),
                    percent(job.outcomes.failure_rate),
                    duration(job.duration.p50),
                    duration(job.duration.p95),
                    duration(job.queue.p50),
                ]
            })
        })
        .collect();
    Table {
        title: "Jobs".to_owned(),
        header: medium.header(&[
            ("WORKFLOW", "Workflow"),
            ("JOB", "Job"),
            ("ATTEMPTS", "Attempts"),
            ("FAIL", "Failure rate"),
            ("P50", "p50"),
            ("P95", "p95"),
            ("QUEUE", "Queue p50"),
        ]),
        rows,
    }
}

/// A flaky job per row: workflow, job, `flaky of commits`, frequency, the flaky commits'
/// short SHAs.
pub(crate) fn flaky_jobs(report: &Report, medium: Medium) -> Table {
    let rows = report
        .flaky_jobs
        .iter()
        .map(|flaky| {
            vec![
                flaky.workflow.clone(),
                flaky.job.clone(),
                format!("{} of {}", flaky.flaky_commits, flaky.commits),
                percent(Some(flaky.frequency)),
                flaky
                    .shas
                    .iter()
                    .map(|sha| sha.get(..7).unwrap_or(sha))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    Table {
        title: medium
            .pick("Flaky jobs (failed and passed on one commit)", "Flaky jobs")
            .to_owned(),
        header: medium.header(&[
            ("WORKFLOW", "Workflow"),
            ("JOB", "Job"),
            ("FLAKY COMMITS", "Flaky commits"),
            ("FREQUENCY", "Frequency"),
            ("COMMITS", "Commits"),
        ]),
        rows,
    }
}

/// The slowest steps by median duration.
pub(crate) fn slowest_steps(report: &Report, medium: Medium) -> Table {
    let title = medium.pick("Slowest steps (by p50)", "Slowest steps");
    steps(title, &report.slowest_steps, medium)
}

/// The steps that failed most.
pub(crate) fn most_failing_steps(report: &Report, medium: Medium) -> Table {
    steps("Most failing steps", &report.most_failing_steps, medium)
}

/// A step per row, named `workflow / job / step`.
fn steps(title: &str, steps: &[StepMetrics], medium: Medium) -> Table {
    let rows = steps
        .iter()
        .map(|s| {
            vec![
                format!("{} / {} / {}", s.workflow, s.job, s.step),
                s.duration.count.to_string(),
                s.failures.to_string(),
                duration(s.duration.p50),
                duration(s.duration.p95),
            ]
        })
        .collect();
    Table {
        title: title.to_owned(),
        header: medium.header(&[
            ("STEP", "Step"),
            ("RUNS", "Runs"),
            ("FAILED", "Failed"),
            ("P50", "p50"),
            ("P95", "p95"),
        ]),
        rows,
    }
}

/// A job whose logs were read per row, with its cache events.
pub(crate) fn caches(report: &Report, medium: Medium) -> Table {
    let rows = report
        .workflows
        .iter()
        .flat_map(|w| {
            w.jobs
                .iter()
                .filter(|job| job.cache.jobs_read > 0)
                .map(move |job| {
                    let cache = &job.cache;
                    vec![
                        format!("{} / {}", w.name, job.name),
                        cache.jobs_read.to_string(),
                        format!("{} ({} partial)", cache.hits, cache.partial_hits),
                        cache.misses.to_string(),
                        cache.saves.to_string(),
                        percent(cache.hit_rate),
                    ]
                })
        })
        .collect();
    Table {
        title: "Caches (from the job logs read with --logs)".to_owned(),
        header: medium.header(&[
            ("JOB", "Job"),
            ("LOGS", "Logs read"),
            ("HITS", "Hits"),
            ("MISSES", "Misses"),
            ("SAVES", "Saves"),
            ("HIT RATE", "Hit rate"),
        ]),
        rows,
    }
}

/// A kind of runner (system and labels) per row, with its minutes and what they bill.
pub(crate) fn runner_minutes(report: &Report, medium: Medium) -> Table {
    let rows = report
        .runner_minutes
        .iter()
        .map(|r| {
            // The page names the system alone, as it always has: this table is shared to
            // remove duplicated code, not to change the page.
            let self_hosted = r.self_hosted && medium == Medium::Terminal;
            vec![
                format!(
                    "{}{}",
                    r.os.as_str(),
                    if self_hosted { " (self-hosted)" } else { "" }
                ),
                r.labels.clone(),
                r.jobs.to_string(),
                r.minutes.to_string(),
                r.multiplier.map_or("?".to_owned(), |m| format!("x{m}")),
                r.billable_minutes.map_or("-".to_owned(), |b| b.to_string()),
            ]
        })
        .collect();
    Table {
        title: "Runner minutes".to_owned(),
        header: medium.header(&[
            ("OS", "OS"),
            ("LABELS", "Labels"),
            ("JOBS", "Jobs"),
            ("MINUTES", "Minutes"),
            ("RATE", "Multiplier"),
            ("BILLABLE", "Billable"),
        ]),
        rows,
    }
}

/// A workflow per row: its test time per attempt, from the test steps and from JUnit.
pub(crate) fn test_time(report: &Report, medium: Medium) -> Table {
    let rows = report
        .workflows
        .iter()
        .filter(|w| w.test_time.steps.count > 0 || w.test_time.junit.count > 0)
        .map(|w| {
            let t = &w.test_time;
            vec![
                w.name.clone(),
                t.steps.count.to_string(),
                duration(t.steps.p50),
                duration(t.steps.p95),
                t.junit.count.to_string(),
                duration(t.junit.p50),
                duration(t.junit.p95),
            ]
        })
        .collect();
    Table {
        title: medium
            .pick(
                "Test time per run attempt (test steps; JUnit totals)",
                "Test time per run attempt",
            )
            .to_owned(),
        header: medium.header(&[
            ("WORKFLOW", "Workflow"),
            ("STEP RUNS", "Attempts with test steps"),
            ("STEPS P50", "Test steps p50"),
            ("STEPS P95", "Test steps p95"),
            ("JUNIT RUNS", "Attempts with JUnit reports"),
            ("JUNIT P50", "JUnit total p50"),
            ("JUNIT P95", "JUnit total p95"),
        ]),
        rows,
    }
}

/// A test's milliseconds as text: `850 ms`, `12.4 s`, or a longer duration.
fn milliseconds(value: Option<i64>) -> String {
    match value {
        None => "-".to_owned(),
        Some(ms) if ms < 1000 => format!("{ms} ms"),
        Some(ms) if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        Some(ms) => duration(Some(ms / 1000)),
    }
}

/// The slowest tests by median time.
pub(crate) fn slowest_tests(report: &Report, medium: Medium) -> Table {
    let rows = report
        .tests
        .slowest_tests
        .iter()
        .map(|t| {
            vec![
                format!("{} / {} / {}", t.workflow, t.classname, t.name),
                t.duration_ms.count.to_string(),
                milliseconds(t.duration_ms.p50),
                milliseconds(t.duration_ms.p95),
            ]
        })
        .collect();
    Table {
        title: medium
            .pick("Slowest tests (JUnit, by p50)", "Slowest tests")
            .to_owned(),
        header: medium.header(&[
            ("TEST", "Test"),
            ("RUNS", "Results"),
            ("P50", "p50"),
            ("P95", "p95"),
        ]),
        rows,
    }
}

/// A flaky test per row.
pub(crate) fn flaky_tests(report: &Report, medium: Medium) -> Table {
    let rows = report
        .tests
        .flaky_tests
        .iter()
        .map(|t| {
            vec![
                format!("{} / {} / {}", t.workflow, t.classname, t.name),
                format!("{} of {}", t.flaky_commits, t.commits),
                percent(Some(t.frequency)),
                t.failures.to_string(),
                t.passed_on_rerun.to_string(),
                t.passed_on_retry.to_string(),
                t.last_message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        title: medium
            .pick(
                "Flaky tests (JUnit: failed and passed on one commit)",
                "Flaky tests",
            )
            .to_owned(),
        header: medium.header(&[
            ("TEST", "Test"),
            ("FLAKY COMMITS", "Flaky commits"),
            ("FREQUENCY", "Frequency"),
            ("FAILURES", "Failures"),
            ("RERUN PASSES", "Passed on a re-run"),
            ("RETRY PASSES", "Passed on the runner's retry"),
            ("LAST FAILURE", "Last failure"),
        ]),
        rows,
    }
}
