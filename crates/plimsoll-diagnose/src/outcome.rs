//! The line a CI system writes at the end of a build to say how it ended.
//!
//! A log is read to explain a failure, but not every log handed to `diagnose` is of a failed
//! build: a build archive holds green runs too, and a passing build prints error-looking lines
//! (a retried download, an `error_list` in a tool's echoed arguments, a test's expected
//! exception). Each CI system states the build's result in its own documented words; when the
//! log says the build passed, no line in it is the cause of a failure.

/// How the build ended, by the CI system's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildOutcome {
    /// The CI system says the build passed.
    Passed,
    /// The CI system says the build failed (or errored, or was cancelled).
    Failed,
}

/// The outcome a final status line states, for the CI systems whose logs end with one:
///
/// - Travis CI: `Done. Your build exited with N.` (0 is a pass);
/// - Jenkins: `Finished: SUCCESS` (`FAILURE`, `UNSTABLE`, `ABORTED`, `NOT_BUILT` are not);
/// - GitLab CI: `Job succeeded`, `ERROR: Job failed: …`;
/// - Buildbot (Mozilla's treeherder logs): `results: success (0)`, whose result codes are
///   buildbot's (1 warnings — an orange build —, 2 failure, 4 exception, 5 retry, 6 cancelled);
/// - Taskcluster: `[taskcluster …] Successful task run with exit code: 0 …`, `Unsuccessful
///   task run …`.
///
/// Lines a build step prints itself rarely start with these words; the last one in a log
/// decides, since a build may run another build and print its result first.
pub fn build_outcome(text: &str) -> Option<BuildOutcome> {
    if let Some(rest) = text.strip_prefix("Done. Your build exited with ") {
        let code = rest.trim_end().trim_end_matches('.');
        return Some(match code.parse::<i64>() {
            Ok(0) => BuildOutcome::Passed,
            _ => BuildOutcome::Failed,
        });
    }
    if let Some(result) = text.strip_prefix("Finished: ") {
        return match result.trim_end() {
            "SUCCESS" => Some(BuildOutcome::Passed),
            "FAILURE" | "UNSTABLE" | "ABORTED" | "NOT_BUILT" => Some(BuildOutcome::Failed),
            _ => None,
        };
    }
    if text.trim_end() == "Job succeeded" {
        return Some(BuildOutcome::Passed);
    }
    if text.starts_with("ERROR: Job failed") {
        return Some(BuildOutcome::Failed);
    }
    if let Some(result) = text.strip_prefix("results: ") {
        let result = result.trim_end();
        let (word, code) = result.split_once(' ')?;
        let code = code
            .strip_prefix('(')?
            .strip_suffix(')')?
            .parse::<u8>()
            .ok()?;
        return match (word, code) {
            ("success", 0) => Some(BuildOutcome::Passed),
            ("warnings", 1)
            | ("failure", 2)
            | ("exception", 4)
            | ("retry", 5)
            | ("cancelled", 6) => Some(BuildOutcome::Failed),
            _ => None,
        };
    }
    if let Some(rest) = text.strip_prefix("[taskcluster ") {
        let (_, message) = rest.split_once("] ")?;
        if message.starts_with("Successful task run with exit code: 0 ") {
            return Some(BuildOutcome::Passed);
        }
        if message.starts_with("Unsuccessful task run with exit code: ") {
            return Some(BuildOutcome::Failed);
        }
    }
    None
}

/// Whether `text` is a final status line that states the result and nothing else: true of
/// `Done. Your build exited with 1.` or `ERROR: Job failed: exit code 1`, false of GitLab's
/// `ERROR: Job failed (system failure): …` or `… execution took longer than 1h0m0s seconds`,
/// which say why.
pub fn is_bare_result_line(text: &str) -> bool {
    match text.strip_prefix("ERROR: Job failed") {
        Some(rest) => rest.starts_with(": exit code "),
        None => build_outcome(text).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ci_systems_final_line() {
        let cases = [
            ("Done. Your build exited with 0.", Some(BuildOutcome::Passed)),
            ("Done. Your build exited with 1.", Some(BuildOutcome::Failed)),
            ("Finished: SUCCESS", Some(BuildOutcome::Passed)),
            ("Finished: UNSTABLE", Some(BuildOutcome::Failed)),
            ("Finished: in 3 seconds", None),
            ("Job succeeded", Some(BuildOutcome::Passed)),
            ("ERROR: Job failed: exit code 1", Some(BuildOutcome::Failed)),
            ("results: success (0)", Some(BuildOutcome::Passed)),
            ("results: warnings (1)", Some(BuildOutcome::Failed)),
            ("results: 0", None),
            (
                "[taskcluster 2019-01-01T00:00:00.000Z] Successful task run with exit code: 0 completed in 12.3 seconds",
                Some(BuildOutcome::Passed),
            ),
            (
                "[taskcluster 2019-01-01T00:00:00.000Z] Unsuccessful task run with exit code: 1 completed in 12.3 seconds",
                Some(BuildOutcome::Failed),
            ),
            ("INFO - results: success (0)", None),
        ];
        for (line, expected) in cases {
            assert_eq!(build_outcome(line), expected, "{line}");
        }
    }

    #[test]
    fn a_result_line_that_says_why_is_not_bare() {
        assert!(is_bare_result_line("ERROR: Job failed: exit code 1"));
        assert!(is_bare_result_line("Finished: FAILURE"));
        assert!(!is_bare_result_line(
            "ERROR: Job failed (system failure): prepare environment: timed out waiting for pod to start"
        ));
        assert!(!is_bare_result_line(
            "ERROR: Job failed: execution took longer than 1h0m0s seconds"
        ));
        assert!(!is_bare_result_line("error: could not compile `app`"));
    }
}
