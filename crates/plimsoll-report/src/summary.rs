//! Counts over a report, shared by the renderers.

use std::collections::{HashMap, HashSet};

use plimsoll_check::{CheckReport, NonProduction, RuleMeta, Severity};

/// How many findings of each severity a report holds, and in how many files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files checked in the run ([`CheckReport::files_checked`]).
    pub files_checked: usize,
    /// Findings in the report.
    pub findings: usize,
    /// Findings at severity error.
    pub errors: usize,
    /// Findings at severity warning.
    pub warnings: usize,
    /// Findings at severity note.
    pub notes: usize,
    /// Distinct files that have at least one finding.
    pub files_with_findings: usize,
    /// Findings lowered to notes because their file is in a folder of test data.
    pub lowered_test_data: usize,
    /// Findings lowered to notes because their file is in a folder of examples, samples or
    /// documentation.
    pub lowered_examples: usize,
    /// Findings lowered to notes because their file is a fuzzing build image.
    pub lowered_fuzzing_images: usize,
}

impl Summary {
    /// Count the findings of `report` by effective severity and by file.
    pub fn of(report: &CheckReport) -> Summary {
        let mut summary = Summary {
            files_checked: report.files_checked,
            findings: report.findings.len(),
            ..Summary::default()
        };
        // The files with findings are about those whose sources the report keeps: sized up
        // front, the set does not hash every path again each time it grows.
        let mut files = HashSet::with_capacity(report.sources.len());
        // The findings usually come sorted by path: a path is hashed once, not per finding.
        // Compared as bytes, which is cheaper than component by component; two spellings of
        // one path still meet in the set.
        let mut previous: Option<&std::ffi::OsStr> = None;
        for finding in &report.findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
            let path = finding.location.path.as_path();
            if previous != Some(path.as_os_str()) {
                files.insert(path);
                previous = Some(path.as_os_str());
            }
            match finding.lowered {
                Some(NonProduction::TestData) => summary.lowered_test_data += 1,
                Some(NonProduction::Example) => summary.lowered_examples += 1,
                Some(NonProduction::FuzzingImage) => summary.lowered_fuzzing_images += 1,
                None => {}
            }
        }
        summary.files_with_findings = files.len();
        summary
    }
}

/// How many findings one rule has in a report, by severity.
#[derive(Clone, Debug)]
pub struct RuleCount {
    /// The rule.
    pub rule: &'static RuleMeta,
    /// Its findings.
    pub count: usize,
    /// Its findings at each severity (most severe first; severities with none left out).
    pub by_severity: Vec<(Severity, usize)>,
}

/// The findings of `report` counted per rule, the rule with most findings first (ties by rule
/// id), as `ruff check --statistics` does.
pub fn rule_counts(report: &CheckReport) -> Vec<RuleCount> {
    let mut counts: HashMap<&'static str, (&'static RuleMeta, [usize; 3])> = HashMap::new();
    for finding in &report.findings {
        let entry = counts
            .entry(finding.rule.id)
            .or_insert((finding.rule, [0; 3]));
        let slot = match finding.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Note => 2,
        };
        entry.1[slot] += 1;
    }
    let mut rules: Vec<RuleCount> = counts
        .into_values()
        .map(|(rule, by)| RuleCount {
            rule,
            count: by.iter().sum(),
            by_severity: [Severity::Error, Severity::Warning, Severity::Note]
                .into_iter()
                .zip(by)
                .filter(|(_, n)| *n > 0)
                .collect(),
        })
        .collect();
    rules.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.id.cmp(b.rule.id)));
    rules
}
