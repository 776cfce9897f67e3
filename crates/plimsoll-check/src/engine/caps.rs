//! How many findings one file may put in the report.

use std::collections::{BTreeMap, HashMap};

use plimsoll_syntax::SourceFile;

use super::make_finding;
use crate::finding::{Diagnostic, Finding};
use crate::rules::engine::FindingsCapped;
use crate::settings::Settings;

/// Findings of one rule reported per file.
pub const MAX_PER_RULE: usize = 100;
/// Findings reported per file, all rules together.
pub const MAX_PER_FILE: usize = 1000;

/// Keep the first diagnostics of a file (by position) within [`MAX_PER_RULE`] and
/// [`MAX_PER_FILE`]; the count left out, by rule name. A file of 200,000 bad lines then gives
/// a bounded report.
pub(super) fn cap(diagnostics: &mut Vec<Diagnostic>) -> BTreeMap<&'static str, usize> {
    let mut dropped: BTreeMap<&'static str, usize> = BTreeMap::new();
    if diagnostics.len() <= MAX_PER_RULE {
        return dropped;
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.rule.id));
    let mut per_rule: HashMap<&'static str, usize> = HashMap::new();
    let mut kept = 0;
    diagnostics.retain(|diagnostic| {
        let count = per_rule.entry(diagnostic.rule.name).or_default();
        if *count < MAX_PER_RULE && kept < MAX_PER_FILE {
            *count += 1;
            kept += 1;
            true
        } else {
            *dropped.entry(diagnostic.rule.name).or_default() += 1;
            false
        }
    });
    dropped
}

/// One `findings-capped` note per rule that [`cap`] left findings of out, with their count.
pub(super) fn notes(
    dropped: BTreeMap<&'static str, usize>,
    source: &SourceFile,
    settings: &Settings,
) -> Vec<Finding> {
    let Some(severity) = settings.rule_severity(&FindingsCapped::META) else {
        return Vec::new();
    };
    dropped
        .into_iter()
        .map(|(rule, count)| {
            make_finding(
                &FindingsCapped::META,
                severity,
                source.path(),
                Some(source),
                None,
                format!(
                    "{count} more `{rule}` finding{} in this file not reported (at most {MAX_PER_RULE} per rule and {MAX_PER_FILE} per file)",
                    if count == 1 { "" } else { "s" }
                ),
                None,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::engine::{ParseError, UnusedSuppression};
    use plimsoll_syntax::Span;

    fn diagnostic(rule: &'static crate::finding::RuleMeta, at: usize) -> Diagnostic {
        Diagnostic {
            rule,
            span: Span::new(at, at + 1),
            message: String::new(),
            help: None,
            severity: None,
            fix: None,
        }
    }

    #[test]
    fn the_first_findings_of_each_rule_are_kept_and_the_rest_counted() {
        let mut all: Vec<Diagnostic> = (0..5000)
            .rev()
            .map(|at| diagnostic(&ParseError::META, at))
            .chain((0..50).map(|at| diagnostic(&UnusedSuppression::META, at)))
            .collect();
        let dropped = cap(&mut all);
        assert_eq!(all.len(), MAX_PER_RULE + 50);
        assert!(all
            .iter()
            .filter(|d| d.rule.name == ParseError::META.name)
            .all(|d| d.span.start < MAX_PER_RULE));
        assert_eq!(
            dropped.get(ParseError::META.name),
            Some(&(5000 - MAX_PER_RULE))
        );
        assert_eq!(dropped.get(UnusedSuppression::META.name), None);
    }
}
