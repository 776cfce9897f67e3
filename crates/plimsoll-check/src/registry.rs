//! Every rule, registered in one place.

use crate::finding::RuleMeta;
use crate::rule::Rule;
use crate::rules::engine::*;
use crate::rules::github_actions::*;

/// All rules, in id order.
pub static RULES: &[&dyn Rule] = &[
    // engine
    &ParseError,
    &UnusedSuppression,
    // github-actions
    &ContinueOnError,
];

/// The rule with this name or id.
pub fn find(name_or_id: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .map(|rule| rule.meta())
        .find(|meta| meta.name == name_or_id || meta.id.eq_ignore_ascii_case(name_or_id))
}

/// Every rule's metadata, in registry order.
pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|rule| rule.meta())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for meta in all() {
            assert!(ids.insert(meta.id), "duplicate id {}", meta.id);
            assert!(names.insert(meta.name), "duplicate name {}", meta.name);
            assert!(
                meta.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                meta.name
            );
            for section in ["## What it does", "## Why is this bad?", "## Example", "## Use instead"] {
                assert!(meta.doc.contains(section), "{} lacks `{section}`", meta.name);
            }
        }
    }
}
