//! What the run history says about a failing job: whether it failed the same way before,
//! whether it is flaky, and which run of it last passed, to compare the log with (`--passing`).
//!
//! The history is the jobs `plimsoll metrics` stored (one [`PastJob`] per job of a run
//! attempt); this module only reads it, so it works on any list of them.
//! - The failure explained is the stored failed job of the run asked for, else the newest
//!   stored failure of that job (same name, same workflow file when the log names it).
//! - *The same way*: an earlier failed attempt of the job whose first failing step has the
//!   same name, or whose run attempt failed some of the same JUnit tests.
//! - *Flaky*: the job passed on the same commit (another attempt or run).
//! - *Last green*: the newest passing attempt of the job on the same branch.

use serde::Serialize;

/// One job of one run attempt, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastJob {
    pub repo: String,
    pub workflow: String,
    pub workflow_path: String,
    pub run_id: i64,
    pub attempt: i64,
    pub job_id: i64,
    pub job: String,
    pub head_sha: String,
    pub head_branch: Option<String>,
    /// When the run was created (Unix seconds), and its day (`2026-11-10`, UTC).
    pub created_at: i64,
    pub created: String,
    pub conclusion: Option<String>,
    /// The name of its first failing step.
    pub failing_step: Option<String>,
    /// The JUnit tests its run attempt failed (`classname::name`), where reports were read.
    pub failed_tests: Vec<String>,
}

impl PastJob {
    pub fn failed(&self) -> bool {
        matches!(
            self.conclusion.as_deref(),
            Some("failure" | "timed_out" | "startup_failure")
        )
    }

    pub fn passed(&self) -> bool {
        self.conclusion.as_deref() == Some("success")
    }

    /// Failed the way `other` did: the same failing step, or some of the same failed tests.
    fn fails_like(&self, other: &PastJob) -> bool {
        self.failed()
            && ((self.failing_step.is_some() && self.failing_step == other.failing_step)
                || self
                    .failed_tests
                    .iter()
                    .any(|test| other.failed_tests.contains(test)))
    }
}

/// How many earlier failures the finding lists.
const LISTED: usize = 5;

/// What the history says about one failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The stored failure explained.
    pub current: PastJob,
    /// `run` when it is the run asked for, `latest` when it is the newest stored failure.
    pub identified_by: &'static str,
    /// Attempts of the job that ran before this failure.
    pub attempts_considered: usize,
    /// How many of those failed the same way, and the newest of them.
    pub same_failures: usize,
    pub recent_same_failures: Vec<PastJob>,
    /// The failed tests of this failure that failed before too.
    pub repeated_tests: Vec<String>,
    /// A passing attempt of the job on the same commit: the failure is flaky.
    pub passed_on_same_commit: Option<PastJob>,
    /// The newest passing attempt of the job on the same branch.
    pub last_green: Option<PastJob>,
}

/// What `jobs` (the stored attempts of one job name, any order) say about its failure in
/// run `run` (else the newest failure); `None` without a stored failure to explain.
pub fn find(jobs: &[PastJob], run: Option<i64>) -> Option<Finding> {
    let newest_first = |a: &&PastJob, b: &&PastJob| {
        (b.created_at, b.run_id, b.attempt).cmp(&(a.created_at, a.run_id, a.attempt))
    };
    let mut failures: Vec<&PastJob> = jobs
        .iter()
        .filter(|job| job.failed() && run.is_none_or(|run| job.run_id == run))
        .collect();
    failures.sort_by(newest_first);
    let current = *failures.first()?;
    let mut same_job: Vec<&PastJob> = jobs
        .iter()
        .filter(|job| {
            job.repo == current.repo
                && job.workflow_path == current.workflow_path
                && job.job_id != current.job_id
        })
        .collect();
    same_job.sort_by(newest_first);
    // "Before" is what ran before this failure: a later one is not its history.
    let key = |job: &PastJob| (job.created_at, job.run_id, job.attempt);
    let earlier: Vec<&PastJob> = same_job
        .iter()
        .copied()
        .filter(|job| key(job) < key(current))
        .collect();
    let same: Vec<&PastJob> = earlier
        .iter()
        .copied()
        .filter(|job| job.fails_like(current))
        .collect();
    let mut repeated_tests: Vec<String> = current
        .failed_tests
        .iter()
        .filter(|test| same.iter().any(|job| job.failed_tests.contains(test)))
        .cloned()
        .collect();
    repeated_tests.dedup();
    Some(Finding {
        current: current.clone(),
        identified_by: if run.is_some() { "run" } else { "latest" },
        attempts_considered: earlier.len(),
        same_failures: same.len(),
        recent_same_failures: same.iter().take(LISTED).map(|job| (*job).clone()).collect(),
        repeated_tests,
        passed_on_same_commit: same_job
            .iter()
            .find(|job| job.passed() && job.head_sha == current.head_sha)
            .map(|job| (*job).clone()),
        last_green: same_job
            .iter()
            .find(|job| job.passed() && job.head_branch == current.head_branch)
            .map(|job| (*job).clone()),
    })
}

/// The web page of a job: `web` is `https://github.com` or a GitHub Enterprise Server's URL.
pub fn job_url(web: &str, job: &PastJob) -> String {
    format!(
        "{web}/{}/actions/runs/{}/job/{}",
        job.repo, job.run_id, job.job_id
    )
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

fn attempt(job: &PastJob) -> String {
    format!("run {} attempt {}", job.run_id, job.attempt)
}

/// The finding as a Markdown section; `web` makes the links.
pub fn markdown(finding: &Finding, web: &str) -> String {
    let current = &finding.current;
    let mut out = format!(
        "\n## History\n\nFrom the metrics database: {} / {} / job `{}`, failed in {} on {} \
         (commit {}{}).\n\n",
        current.repo,
        current.workflow,
        current.job,
        attempt(current),
        current.created,
        short(&current.head_sha),
        if finding.identified_by == "latest" {
            ", the newest stored failure of this job"
        } else {
            ""
        },
    );
    match finding.recent_same_failures.first() {
        Some(last) => {
            let how = match &current.failing_step {
                Some(step) => format!("step `{step}` failed"),
                None => "the same tests failed".to_owned(),
            };
            out.push_str(&format!(
                "- **Failed the same way before**: {} of {} earlier attempts ({how}); last in {} \
                 on {}: {}\n",
                finding.same_failures,
                finding.attempts_considered,
                attempt(last),
                last.created,
                job_url(web, last)
            ));
        }
        None => out.push_str(&format!(
            "- **New failure**: none of the {} stored attempts of this job before it failed this way.\n",
            finding.attempts_considered
        )),
    }
    if !finding.repeated_tests.is_empty() {
        out.push_str(&format!(
            "- Tests that failed before too: {}\n",
            finding
                .repeated_tests
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(passed) = &finding.passed_on_same_commit {
        out.push_str(&format!(
            "- **Flaky**: the same commit {} passed in {}: {}\n",
            short(&current.head_sha),
            attempt(passed),
            job_url(web, passed)
        ));
    }
    match &finding.last_green {
        Some(green) => out.push_str(&format!(
            "- **Last green** on `{}`: {} on {}, {}\n\n  Compare with its log:\n\n  \
             ```sh\n  gh run view {} --repo {} --job {} --log > passing.log\n  \
             plimsoll diagnose FAILING.log --passing passing.log\n  ```\n",
            current.head_branch.as_deref().unwrap_or("?"),
            attempt(green),
            green.created,
            job_url(web, green),
            green.run_id,
            green.repo,
            green.job_id
        )),
        None => out.push_str(&format!(
            "- No stored green run of this job on `{}`.\n",
            current.head_branch.as_deref().unwrap_or("?")
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(run_id: i64, attempt: i64, sha: &str, conclusion: &str, step: Option<&str>) -> PastJob {
        PastJob {
            repo: "octo/app".to_owned(),
            workflow: "CI".to_owned(),
            workflow_path: ".github/workflows/ci.yml".to_owned(),
            run_id,
            attempt,
            job_id: run_id * 10 + attempt,
            job: "build".to_owned(),
            head_sha: sha.repeat(20),
            head_branch: Some("main".to_owned()),
            created_at: 1_790_000_000 + run_id * 3600,
            created: "2026-09-21".to_owned(),
            conclusion: Some(conclusion.to_owned()),
            failing_step: step.map(str::to_owned),
            failed_tests: Vec::new(),
        }
    }

    #[test]
    fn the_newest_failure_is_compared_with_the_others() {
        let jobs = [
            job(1, 1, "a1", "success", None),
            job(2, 1, "b2", "failure", Some("Run tests")),
            job(3, 1, "c3", "failure", Some("Lint")),
            job(4, 1, "d4", "failure", Some("Run tests")),
            job(4, 2, "d4", "success", None),
        ];
        let finding = find(&jobs, None).expect("a failure");
        assert_eq!(
            (finding.current.run_id, finding.identified_by),
            (4, "latest")
        );
        assert_eq!((finding.same_failures, finding.attempts_considered), (1, 3));
        assert_eq!(finding.recent_same_failures[0].run_id, 2);
        assert_eq!(
            finding.passed_on_same_commit.as_ref().map(|j| j.attempt),
            Some(2)
        );
        assert_eq!(finding.last_green.as_ref().map(|j| j.run_id), Some(4));
        let run_3 = find(&jobs, Some(3)).expect("run 3 failed");
        assert_eq!(
            (run_3.same_failures, run_3.passed_on_same_commit),
            (0, None)
        );
        assert_eq!(find(&jobs[..1], None), None);
    }
}
