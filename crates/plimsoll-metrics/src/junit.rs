//! JUnit XML test reports, as the test runners that write them document the format, and the
//! artifact zips GitHub serves them in.
//!
//! One reader serves the common dialects, because they share one structure: a `testsuites`
//! root (or a lone `testsuite`), `testsuite` elements that may nest (surefire's and
//! jest-junit's aggregated reports, gradle's `--tests` suites), and `testcase` elements with
//! `name`, `classname` and `time` (seconds, a decimal) holding at most one of `failure`,
//! `error` or `skipped`:
//! - Maven surefire/failsafe (`TEST-*.xml`): re-runs of a failing test
//!   (`rerunFailingTestsCount`) add `rerunFailure`/`rerunError` beside the final `failure`,
//!   or `flakyFailure`/`flakyError` in a test that passed in the end;
//! - cargo-nextest (`junit.xml`): the same `flakyFailure` and `rerunFailure` elements for its
//!   retries;
//! - pytest (`--junitxml`), jest-junit, gradle: the plain structure.
//!
//! An XML file whose root is not `testsuites` or `testsuite` is not a test report and is
//! skipped, whatever its name.

use std::io::{Read, Seek};

use serde::Serialize;

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    Passed,
    /// An assertion failed (`failure`).
    Failed,
    /// The test could not run to its end (`error`): also a failure for flakiness.
    Errored,
    Skipped,
}

impl TestOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            TestOutcome::Passed => "passed",
            TestOutcome::Failed => "failed",
            TestOutcome::Errored => "errored",
            TestOutcome::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "passed" => TestOutcome::Passed,
            "failed" => TestOutcome::Failed,
            "errored" => TestOutcome::Errored,
            "skipped" => TestOutcome::Skipped,
            _ => return None,
        })
    }

    /// Failed or errored.
    pub fn is_failure(self) -> bool {
        matches!(self, TestOutcome::Failed | TestOutcome::Errored)
    }
}

/// One `testcase` of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestCase {
    /// The innermost `testsuite`'s name.
    pub suite: String,
    /// `classname`, else the suite's name: with `name`, what identifies the test.
    pub classname: String,
    pub name: String,
    pub outcome: TestOutcome,
    /// `time`, in seconds.
    pub seconds: Option<f64>,
    /// The runner retried the test within the attempt and it failed at least once
    /// (`flakyFailure`/`flakyError` in a passed test, `rerunFailure`/`rerunError` in a failed
    /// one).
    pub retried_failures: u32,
    /// The failure's `message` (or `type`), first line, for a look at what broke.
    pub message: Option<String>,
}

/// The longest message kept: enough to recognise the failure.
const MESSAGE_LIMIT: usize = 300;

/// A report's `time`: a decimal number of seconds. Surefire on some locales groups thousands
/// with a comma (`1,234.5`), which is dropped.
fn seconds(text: &str) -> Option<f64> {
    let cleaned: String = text.chars().filter(|c| *c != ',').collect();
    cleaned
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
}

fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|line| !line.is_empty())?;
    Some(line.chars().take(MESSAGE_LIMIT).collect())
}

/// The test cases of one JUnit XML document; `None` when it is not XML or not a test report.
pub fn parse_report(xml: &str) -> Option<Vec<TestCase>> {
    let options = roxmltree::ParsingOptions {
        // Reports written by Java runners often carry a DOCTYPE-free prolog only, but some
        // tools add one; entities are not used by any dialect.
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(xml, options).ok()?;
    let root = document.root_element();
    if !matches!(root.tag_name().name(), "testsuites" | "testsuite") {
        return None;
    }
    let mut cases = Vec::new();
    collect(root, "", &mut cases);
    Some(cases)
}

fn collect(node: roxmltree::Node<'_, '_>, suite: &str, cases: &mut Vec<TestCase>) {
    let suite = if node.tag_name().name() == "testsuite" {
        node.attribute("name").unwrap_or(suite)
    } else {
        suite
    };
    for child in node.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "testsuite" | "testsuites" => collect(child, suite, cases),
            "testcase" => cases.push(test_case(child, suite)),
            _ => {}
        }
    }
}

fn test_case(node: roxmltree::Node<'_, '_>, suite: &str) -> TestCase {
    let mut outcome = TestOutcome::Passed;
    let mut retried_failures = 0;
    let mut message = None;
    for child in node.children().filter(roxmltree::Node::is_element) {
        let found = match child.tag_name().name() {
            "failure" => Some(TestOutcome::Failed),
            "error" => Some(TestOutcome::Errored),
            "skipped" => Some(TestOutcome::Skipped),
            "flakyFailure" | "flakyError" | "rerunFailure" | "rerunError" => {
                retried_failures += 1;
                None
            }
            _ => None,
        };
        if let Some(found) = found {
            // A failure outweighs a skip; the first failure's message is kept.
            if outcome == TestOutcome::Passed || (found.is_failure() && !outcome.is_failure()) {
                outcome = found;
                message = child
                    .attribute("message")
                    .or_else(|| child.attribute("type"))
                    .and_then(first_line)
                    .or_else(|| child.text().and_then(first_line));
            }
        }
    }
    let name = node.attribute("name").unwrap_or_default().to_owned();
    TestCase {
        suite: suite.to_owned(),
        classname: node
            .attribute("classname")
            .filter(|c| !c.is_empty())
            .unwrap_or(suite)
            .to_owned(),
        name,
        outcome,
        seconds: node.attribute("time").and_then(seconds),
        retried_failures,
        message: if outcome.is_failure() { message } else { None },
    }
}

/// The most bytes one report in an artifact may inflate to: a report past it is skipped, so a
/// zip bomb cannot exhaust memory.
pub const REPORT_SIZE_LIMIT: u64 = 64 << 20;

/// What an artifact zip held.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ArtifactReports {
    /// Test reports found (XML files with a `testsuites`/`testsuite` root).
    pub reports: usize,
    pub cases: Vec<TestCase>,
}

/// The test cases of every JUnit report in an artifact zip; `None` when it is not a zip.
pub fn read_artifact<R: Read + Seek>(zip: R) -> Option<ArtifactReports> {
    let mut archive = zip::ZipArchive::new(zip).ok()?;
    let mut found = ArtifactReports::default();
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index(index) else {
            continue;
        };
        let is_xml = entry
            .name()
            .is_ok_and(|name| name.to_ascii_lowercase().ends_with(".xml"));
        if !entry.is_file() || !is_xml || entry.size() > REPORT_SIZE_LIMIT {
            continue;
        }
        let mut bytes = Vec::new();
        if entry
            .take(REPORT_SIZE_LIMIT + 1)
            .read_to_end(&mut bytes)
            .is_err()
            || bytes.len() as u64 > REPORT_SIZE_LIMIT
        {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Some(cases) = parse_report(&text) {
            found.reports += 1;
            found.cases.extend(cases);
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_grouped_thousands_and_nonsense() {
        assert_eq!(seconds("1,234.5"), Some(1234.5));
        assert_eq!(seconds("0.003"), Some(0.003));
        assert_eq!(seconds("-1"), None);
        assert_eq!(seconds("NaN"), None);
        assert_eq!(seconds(""), None);
    }

    #[test]
    fn a_document_that_is_not_a_report_is_skipped() {
        assert_eq!(parse_report("<project><modelVersion/></project>"), None);
        assert_eq!(parse_report("not xml <"), None);
        assert_eq!(parse_report("<testsuites/>"), Some(Vec::new()));
    }
}
