//! Every fix, safe and unsafe, applied to every file of `../shared/corpus/real` that has one
//! (in memory: the corpus is never written; skipped when absent): each fixed file still parses,
//! holds no fix left, no rule finds more in it than before, and fixing it again changes nothing.
//! Run with `-- --nocapture` to see the counts.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::fixer::fix_text;
use plimsoll_syntax::SourceFile;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// How many findings of each rule `findings` hold.
fn by_rule(findings: &[plimsoll_check::Finding]) -> HashMap<&'static str, usize> {
    let mut counts = HashMap::new();
    for finding in findings {
        *counts.entry(finding.rule.name).or_insert(0) += 1;
    }
    counts
}

#[test]
fn fixing_the_real_corpus_keeps_every_file_parsing_and_converges() {
    let root = corpus();
    if !root.is_dir() {
        eprintln!(
            "skipped: {} is absent (the shared corpus of real files)",
            root.display()
        );
        return;
    }
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(&root, &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(std::slice::from_ref(&root), &settings).unwrap();
    let mut paths: Vec<&PathBuf> = report
        .findings
        .iter()
        .filter(|finding| finding.fix.is_some())
        .map(|finding| &finding.location.path)
        .collect();
    paths.dedup();
    assert!(!paths.is_empty(), "no fix anywhere in the corpus");
    let mut fixed_by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut changed = 0;
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let source = SourceFile::from_bytes(path.to_path_buf(), bytes).unwrap();
        let before = plimsoll_check::engine::check_text(path, source.text().to_string(), &settings);
        let fixed = fix_text(path, source.text(), &settings, true);
        let name = path.display();
        assert!(fixed.converged, "{name}: did not converge");
        assert!(fixed.dropped.is_empty(), "{name}: {:?}", fixed.dropped);
        for finding in &fixed.remaining {
            assert_ne!(
                finding.rule.name, "parse-error",
                "{name}: no longer parses: {}",
                finding.message
            );
            assert!(
                finding.fix.is_none(),
                "{name}: a fix of {} is left",
                finding.rule.name
            );
        }
        let (before, after) = (by_rule(&before), by_rule(&fixed.remaining));
        for (rule, count) in &after {
            assert!(
                *count <= before.get(rule).copied().unwrap_or(0),
                "{name}: {rule} finds more after fixing ({count})"
            );
        }
        if fixed.changed(source.text()) {
            changed += 1;
        }
        let again = fix_text(path, &fixed.text, &settings, true);
        assert_eq!(again.text, fixed.text, "{name}: a second fix changed it");
        for rule in fixed.applied {
            *fixed_by_rule.entry(rule).or_insert(0) += 1;
        }
    }
    eprintln!("{changed} of {} files with fixes changed", paths.len());
    for (rule, count) in fixed_by_rule {
        eprintln!("{count:>6} {rule}");
    }
}
