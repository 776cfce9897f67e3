//! The report as a terminal table with weekly sparklines, as JSON, and as OpenMetrics text
//! (for Prometheus' textfile collector).

use std::fmt::Write as _;
use std::io::Write;

use unicode_width::UnicodeWidthStr;

use crate::analysis::{Report, Spread};
use crate::tables::{self, Medium, Table};

/// Text from the API (workflow, job and step names) as it may reach a terminal: no control
/// character written raw.
fn safe(text: &str) -> String {
    plimsoll_syntax::text::escape_unsafe(text, false).into_owned()
}

/// Rows of cells, left-aligned in columns two spaces apart.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            text.push_str(cell);
            if index + 1 < cells.len() {
                text.push_str(&" ".repeat(width - cell.width() + 2));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// The report as terminal text.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: runs created since {} (default branch {})",
        safe(&report.repo),
        report.since,
        safe(&report.default_branch)
    );
    if report.workflows.is_empty() {
        out.push_str("\nNo runs in the window: sync first, or widen --since.\n");
        return out;
    }
    table_with_title(&mut out, &tables::workflows(report, Medium::Terminal), None);
    table_with_title(&mut out, &tables::jobs(report, Medium::Terminal), None);

    // One line per flaky job reads better than a table of five columns, two of them counts.
    let flaky = tables::flaky_jobs(report, Medium::Terminal);
    let _ = writeln!(out, "\n{}", flaky.title);
    if flaky.rows.is_empty() {
        out.push_str("none\n");
    }
    for row in safe_rows(&flaky.rows) {
        // The five cells `tables::flaky_jobs` builds, read back into a sentence.
        if let [workflow, job, of_commits, frequency, shas] = row.as_slice() {
            let _ = writeln!(
                out,
                "{workflow} / {job}: {of_commits} commits ({frequency}): {shas}"
            );
        }
    }

    table_with_title(
        &mut out,
        &tables::slowest_steps(report, Medium::Terminal),
        None,
    );
    table_with_title(
        &mut out,
        &tables::most_failing_steps(report, Medium::Terminal),
        Some("none"),
    );
    let junit_hint = "no JUnit reports read: sync with --junit";
    table_with_title(
        &mut out,
        &tables::test_time(report, Medium::Terminal),
        Some("no test steps or JUnit reports"),
    );
    table_with_title(
        &mut out,
        &tables::slowest_tests(report, Medium::Terminal),
        Some(junit_hint),
    );
    let flaky_tests_empty = if report.tests.results == 0 {
        junit_hint
    } else {
        "none"
    };
    table_with_title(
        &mut out,
        &tables::flaky_tests(report, Medium::Terminal),
        Some(flaky_tests_empty),
    );
    table_with_title(
        &mut out,
        &tables::caches(report, Medium::Terminal),
        Some("no job logs read: sync with --logs"),
    );
    table_with_title(
        &mut out,
        &tables::runner_minutes(report, Medium::Terminal),
        None,
    );
    let _ = writeln!(
        out,
        "total: {} minutes, {} billable",
        report.total_minutes, report.total_billable_minutes
    );
    out.push_str("\nNotes\n");
    for note in &report.notes {
        let _ = writeln!(out, "- {note}");
    }
    out
}

/// An organisation's report as terminal text: a line per repository with the totals, then
/// each repository's report.
pub fn human_org(report: &crate::org::OrgReport) -> String {
    let mut out = format!(
        "{}: {} repositories, runs created since {}\n",
        safe(&report.org),
        report.repos.len(),
        report.since
    );
    let rows: Vec<Vec<String>> = report
        .summary
        .iter()
        .chain(std::iter::once(&report.total))
        .map(|line| {
            vec![
                line.repo.clone(),
                line.workflows.to_string(),
                line.attempts.to_string(),
                line.failed.to_string(),
                tables::percent(line.failure_rate),
                line.flaky_jobs.to_string(),
                line.flaky_tests.to_string(),
                line.minutes.to_string(),
                line.billable_minutes.to_string(),
            ]
        })
        .collect();
    let _ = writeln!(out, "\nRepositories");
    table(
        &mut out,
        &[
            "REPOSITORY",
            "WORKFLOWS",
            "ATTEMPTS",
            "FAILED",
            "FAIL RATE",
            "FLAKY JOBS",
            "FLAKY TESTS",
            "MINUTES",
            "BILLABLE",
        ],
        &safe_rows(&rows),
    );
    for repo in &report.repos {
        let _ = writeln!(out, "\n{}", "=".repeat(40));
        out.push_str(&human(repo));
    }
    out
}

/// Cells with text from the API made safe to print.
fn safe_rows(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| row.iter().map(|cell| safe(cell)).collect())
        .collect()
}

/// A blank line, the table's title, and the table; `when_empty` instead of a table without
/// rows, when given.
fn table_with_title(out: &mut String, table: &Table, when_empty: Option<&str>) {
    let _ = writeln!(out, "\n{}", table.title);
    match when_empty {
        Some(message) if table.rows.is_empty() => {
            let _ = writeln!(out, "{message}");
        }
        _ => self::table(out, &table.header, &safe_rows(&table.rows)),
    }
}

/// The report as pretty JSON.
pub fn json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

/// A label value as OpenMetrics writes it: `\`, `"` and line feeds escaped.
fn label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}=\"{}\"", label_value(value)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// A number as OpenMetrics writes it.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Writes metric families, each with its metadata before its samples.
struct Families {
    text: String,
}

impl Families {
    fn family(&mut self, name: &str, kind: &str, unit: Option<&str>, help: &str) {
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
        if let Some(unit) = unit {
            let _ = writeln!(self.text, "# UNIT {name} {unit}");
        }
        let _ = writeln!(self.text, "# HELP {name} {help}");
    }

    fn sample(&mut self, name: &str, pairs: &[(&str, &str)], value: f64) {
        let _ = writeln!(self.text, "{name}{} {}", labels(pairs), number(value));
    }

    fn summary(&mut self, name: &str, pairs: &[(&str, &str)], spread: &Spread) {
        for (quantile, value) in [("0.5", spread.p50), ("0.95", spread.p95)] {
            if let Some(value) = value {
                let mut with_quantile = pairs.to_vec();
                with_quantile.push(("quantile", quantile));
                self.sample(name, &with_quantile, value as f64);
            }
        }
        self.sample(&format!("{name}_sum"), pairs, spread.sum as f64);
        self.sample(&format!("{name}_count"), pairs, spread.count as f64);
    }
}

/// Each item of each report's list, with its report's repository.
fn each<'a, T: 'a>(
    reports: &'a [&'a Report],
    list: impl Fn(&'a Report) -> &'a Vec<T> + 'a,
) -> impl Iterator<Item = (&'a str, &'a T)> + 'a {
    reports.iter().flat_map(move |report| {
        list(report)
            .iter()
            .map(move |item| (report.repo.as_str(), item))
    })
}

/// The report as OpenMetrics text, ending in `# EOF`. Label sets are bounded by the
/// repository's workflows, job names and runner labels.
pub fn openmetrics(report: &Report) -> String {
    openmetrics_of(&[report])
}

/// The reports of several repositories (an organisation's) as one OpenMetrics text: each
/// family once, with every repository's samples.
pub fn openmetrics_of(reports: &[&Report]) -> String {
    let mut families = Families {
        text: String::new(),
    };
    let f = &mut families;

    f.family(
        "plimsoll_workflow_run_duration_seconds",
        "summary",
        Some("seconds"),
        "Run attempt duration, run_started_at to the last job's end; cancelled and skipped attempts excluded.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        f.summary(
            "plimsoll_workflow_run_duration_seconds",
            &[("repo", repo), ("workflow", &w.name)],
            &w.duration,
        );
    }
    f.family(
        "plimsoll_workflow_queue_seconds",
        "summary",
        Some("seconds"),
        "Job queue time (started_at - created_at) of the workflow's jobs.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        f.summary(
            "plimsoll_workflow_queue_seconds",
            &[("repo", repo), ("workflow", &w.name)],
            &w.queue,
        );
    }
    f.family(
        "plimsoll_workflow_attempts",
        "gauge",
        None,
        "Run attempts in the window by outcome (failed: failure, timed_out, startup_failure).",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        let o = &w.outcomes;
        for (outcome, count) in [
            ("passed", o.passed),
            ("failed", o.failed),
            ("cancelled_or_skipped", o.cancelled_or_skipped),
            ("other", o.other),
        ] {
            f.sample(
                "plimsoll_workflow_attempts",
                &[("repo", repo), ("workflow", &w.name), ("outcome", outcome)],
                count as f64,
            );
        }
    }
    f.family(
        "plimsoll_workflow_failure_ratio",
        "gauge",
        Some("ratio"),
        "failed / (passed + failed) run attempts; cancelled and skipped excluded.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        if let Some(rate) = w.outcomes.failure_rate {
            f.sample(
                "plimsoll_workflow_failure_ratio",
                &[("repo", repo), ("workflow", &w.name)],
                rate,
            );
        }
    }
    f.family(
        "plimsoll_workflow_time_to_recover_seconds",
        "gauge",
        Some("seconds"),
        "Median time from the first failing attempt to the next passing one on the default branch.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        if let Some(p50) = w.recovery.p50 {
            f.sample(
                "plimsoll_workflow_time_to_recover_seconds",
                &[("repo", repo), ("workflow", &w.name)],
                p50 as f64,
            );
        }
    }
    f.family(
        "plimsoll_workflow_cache_events",
        "gauge",
        None,
        "Cache restores (hit), misses and saves in the job logs read (--logs).",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        if w.cache.jobs_read == 0 {
            continue;
        }
        for (outcome, count) in [
            ("hit", w.cache.hits),
            ("miss", w.cache.misses),
            ("saved", w.cache.saves),
        ] {
            f.sample(
                "plimsoll_workflow_cache_events",
                &[("repo", repo), ("workflow", &w.name), ("outcome", outcome)],
                count as f64,
            );
        }
    }
    f.family(
        "plimsoll_workflow_cache_hit_ratio",
        "gauge",
        Some("ratio"),
        "Cache restores / (restores + misses) in the job logs read.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        if let Some(rate) = w.cache.hit_rate {
            f.sample(
                "plimsoll_workflow_cache_hit_ratio",
                &[("repo", repo), ("workflow", &w.name)],
                rate,
            );
        }
    }
    f.family(
        "plimsoll_job_duration_seconds",
        "summary",
        Some("seconds"),
        "Job duration, started_at to completed_at; cancelled and skipped jobs excluded.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        for job in &w.jobs {
            f.summary(
                "plimsoll_job_duration_seconds",
                &[("repo", repo), ("workflow", &w.name), ("job", &job.name)],
                &job.duration,
            );
        }
    }
    f.family(
        "plimsoll_job_failure_ratio",
        "gauge",
        Some("ratio"),
        "failed / (passed + failed) jobs; cancelled and skipped excluded.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        for job in &w.jobs {
            if let Some(rate) = job.outcomes.failure_rate {
                f.sample(
                    "plimsoll_job_failure_ratio",
                    &[("repo", repo), ("workflow", &w.name), ("job", &job.name)],
                    rate,
                );
            }
        }
    }
    f.family(
        "plimsoll_job_flaky_commits",
        "gauge",
        None,
        "Commits on which the job both failed and passed.",
    );
    for (repo, flaky) in each(reports, |report| &report.flaky_jobs) {
        f.sample(
            "plimsoll_job_flaky_commits",
            &[
                ("repo", repo),
                ("workflow", &flaky.workflow),
                ("job", &flaky.job),
            ],
            flaky.flaky_commits as f64,
        );
    }
    f.family(
        "plimsoll_workflow_test_seconds",
        "summary",
        Some("seconds"),
        "Test time per run attempt: source=steps sums the steps named for tests, source=junit the JUnit reports' test times.",
    );
    for (repo, w) in each(reports, |report| &report.workflows) {
        for (source, spread) in [("steps", &w.test_time.steps), ("junit", &w.test_time.junit)] {
            if spread.count > 0 {
                f.summary(
                    "plimsoll_workflow_test_seconds",
                    &[("repo", repo), ("workflow", &w.name), ("source", source)],
                    spread,
                );
            }
        }
    }
    // Tests are many: only the report's top lists (--top) become series, so the label sets
    // stay bounded.
    f.family(
        "plimsoll_test_flaky_commits",
        "gauge",
        None,
        "Commits on which a JUnit test both failed and passed (the top flaky tests only).",
    );
    for (repo, t) in each(reports, |report| &report.tests.flaky_tests) {
        let test = format!("{}::{}", t.classname, t.name);
        f.sample(
            "plimsoll_test_flaky_commits",
            &[("repo", repo), ("workflow", &t.workflow), ("test", &test)],
            t.flaky_commits as f64,
        );
    }
    f.family(
        "plimsoll_test_duration_seconds",
        "gauge",
        Some("seconds"),
        "Median JUnit time of the slowest tests (the top ones only).",
    );
    for (repo, t) in each(reports, |report| &report.tests.slowest_tests) {
        if let Some(p50) = t.duration_ms.p50 {
            let test = format!("{}::{}", t.classname, t.name);
            f.sample(
                "plimsoll_test_duration_seconds",
                &[("repo", repo), ("workflow", &t.workflow), ("test", &test)],
                p50 as f64 / 1000.0,
            );
        }
    }
    f.family(
        "plimsoll_runner_minutes",
        "gauge",
        None,
        "Job minutes (each job rounded up to a minute) by runner system and labels.",
    );
    for (repo, r) in each(reports, |report| &report.runner_minutes) {
        f.sample(
            "plimsoll_runner_minutes",
            &[("repo", repo), ("os", r.os.as_str()), ("labels", &r.labels)],
            r.minutes as f64,
        );
    }
    f.family(
        "plimsoll_runner_billable_minutes",
        "gauge",
        None,
        "Job minutes times GitHub's per-OS multiplier (Linux 1, Windows 2, macOS 10, self-hosted 0).",
    );
    for (repo, r) in each(reports, |report| &report.runner_minutes) {
        if let Some(billable) = r.billable_minutes {
            f.sample(
                "plimsoll_runner_billable_minutes",
                &[("repo", repo), ("os", r.os.as_str()), ("labels", &r.labels)],
                billable as f64,
            );
        }
    }
    families.text.push_str("# EOF\n");
    families.text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_quotes_backslashes_and_newlines() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
