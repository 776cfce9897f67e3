//! Counts over a report, shared by the renderers.

use std::collections::HashSet;

use plimsoll_check::{CheckReport, Severity};

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
}

impl Summary {
    /// Count the findings of `report` by effective severity and by file.
    pub fn of(report: &CheckReport) -> Summary {
        let mut summary = Summary {
            files_checked: report.files_checked,
            findings: report.findings.len(),
            ..Summary::default()
        };
        let mut files = HashSet::new();
        for finding in &report.findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
            files.insert(finding.location.path.as_path());
        }
        summary.files_with_findings = files.len();
        summary
    }
}
