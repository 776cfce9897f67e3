//! The fix loop: applies the fixes of one file in passes until nothing more can be fixed.
//!
//! In each pass the fixes are sorted and a fix whose edits overlap one already taken waits for
//! the next pass ([`crate::fix::apply`]); after each pass the text is checked again, so the next
//! pass works from fresh findings and spans. A pass whose result does not parse is undone, and
//! the fixes that break the file on their own are dropped and reported. It stops when no fix is
//! left or after [`MAX_PASSES`].

use std::path::Path;

use crate::finding::Finding;
use crate::fix::{apply, is_applied, Fix};
use crate::settings::Settings;

/// The most passes [`fix_text`] makes over one file: each pass applies the fixes that do not
/// overlap, so a file converges in a few; a fix that brings its finding back must not loop.
pub const MAX_PASSES: usize = 20;

/// A fix that was not applied because the file would no longer parse.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DroppedFix {
    /// The rule whose fix it was.
    pub rule: &'static str,
    /// What the fix does.
    pub message: String,
    /// Why the result was rejected (the parse error).
    pub reason: String,
}

/// What fixing one file did.
#[derive(Clone, Debug, Default)]
pub struct FixedText {
    /// The text after every fix that could be applied.
    pub text: String,
    /// The rules of the fixes applied, one entry per fix.
    pub applied: Vec<&'static str>,
    /// Fixes dropped because their result would not parse.
    pub dropped: Vec<DroppedFix>,
    /// The findings of the final text.
    pub remaining: Vec<Finding>,
    /// Fixes were still being found after [`MAX_PASSES`] passes.
    pub converged: bool,
}

impl FixedText {
    /// Whether the text changed.
    pub fn changed(&self, original: &str) -> bool {
        self.text != original
    }
}

/// The fixes of `findings` that are applied with `unsafe_allowed`, less those in `dropped`.
fn applicable<'f>(findings: &'f [Finding], unsafe_allowed: bool, dropped: &[Fix]) -> Vec<&'f Fix> {
    findings
        .iter()
        .filter_map(|finding| finding.fix.as_ref())
        .filter(|fix| is_applied(fix.applicability, unsafe_allowed))
        .filter(|fix| !dropped.contains(fix))
        .collect()
}

/// The parse error among `findings`, if any.
fn parse_failure(findings: &[Finding]) -> Option<&Finding> {
    findings
        .iter()
        .find(|finding| finding.rule.name == crate::rules::engine::ParseError::META.name)
}

/// Apply the fixes of the findings of `path`, whose text is `text` (without a byte-order mark),
/// until none is left: see the [module documentation](self). A file that does not parse is
/// left as it is.
pub fn fix_text(path: &Path, text: &str, settings: &Settings, unsafe_allowed: bool) -> FixedText {
    let mut current = text.to_string();
    let mut findings = crate::engine::check_text(path, current.clone(), settings);
    let mut outcome = FixedText {
        converged: true,
        ..FixedText::default()
    };
    if parse_failure(&findings).is_some() {
        outcome.text = current;
        outcome.remaining = findings;
        return outcome;
    }
    let mut rejected: Vec<Fix> = Vec::new();
    let mut passes = 0;
    loop {
        let fixes = applicable(&findings, unsafe_allowed, &rejected);
        if fixes.is_empty() {
            break;
        }
        if passes == MAX_PASSES {
            outcome.converged = false;
            break;
        }
        passes += 1;
        let (fixed, taken) = apply(&current, &fixes);
        if taken.is_empty() || fixed == current {
            // Nothing applies (every edit falls outside the text): nothing more will.
            break;
        }
        let after = crate::engine::check_text(path, fixed.clone(), settings);
        if parse_failure(&after).is_none() {
            outcome
                .applied
                .extend(taken.iter().map(|&i| rule_of(&findings, fixes[i])));
            current = fixed;
            findings = after;
            continue;
        }
        // Some fix of the pass breaks the file: find which, on its own, and drop it.
        let mut culprits = 0;
        for &i in &taken {
            let (alone, _) = apply(&current, &[fixes[i]]);
            let checked = crate::engine::check_text(path, alone, settings);
            if let Some(error) = parse_failure(&checked) {
                culprits += 1;
                outcome.dropped.push(DroppedFix {
                    rule: rule_of(&findings, fixes[i]),
                    message: fixes[i].message.clone(),
                    reason: error.message.clone(),
                });
                rejected.push(fixes[i].clone());
            }
        }
        if culprits == 0 {
            // Each parses alone but not together: apply them one pass each from now on.
            if let Some(&first) = taken.first() {
                let (alone, _) = apply(&current, &[fixes[first]]);
                outcome.applied.push(rule_of(&findings, fixes[first]));
                findings = crate::engine::check_text(path, alone.clone(), settings);
                current = alone;
            }
        }
    }
    outcome.text = current;
    outcome.remaining = findings;
    outcome
}

/// The rule of the finding that carries `fix`.
fn rule_of(findings: &[Finding], fix: &Fix) -> &'static str {
    findings
        .iter()
        .find(|finding| finding.fix.as_ref() == Some(fix))
        .map(|finding| finding.rule.name)
        .unwrap_or("")
}
