//! One fixture and one snapshot per rule: `tests/fixtures/<rule-name>.yml` (a file, classified by
//! content) or `tests/fixtures/<rule-name>/` (a repository, for repository-level rules). The
//! snapshot lists the findings of that rule only, as `line:col-line:col severity message`.

use std::path::PathBuf;

use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::registry;

fn fixture(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let file = dir.join(format!("{name}.yml"));
    if file.exists() {
        file
    } else {
        dir.join(name)
    }
}

/// The findings of `rule` on its fixture, one per line.
fn findings_of(rule: &str) -> String {
    let meta = registry::find(rule).unwrap_or_else(|| panic!("no rule {rule}"));
    let path = fixture(rule);
    assert!(path.exists(), "missing fixture for {rule}");
    let overrides = Overrides {
        isolated: true,
        enable: vec![rule.to_string()],
        ..Overrides::default()
    };
    let settings = Settings::load(&path, &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[path.clone()], &settings).unwrap();
    let mut lines = Vec::new();
    for finding in report.findings.iter().filter(|f| f.rule.name == meta.name) {
        let loc = &finding.location;
        let file = loc.path.strip_prefix(&path).unwrap_or(&loc.path);
        let file = if file.as_os_str().is_empty() {
            String::new()
        } else {
            format!("{} ", file.display())
        };
        lines.push(format!(
            "{file}{}:{}-{}:{} {} {}",
            loc.start.line, loc.start.column, loc.end.line, loc.end.column, finding.severity, finding.message
        ));
    }
    assert!(!lines.is_empty(), "{rule} found nothing in its fixture");
    lines.join("\n")
}

macro_rules! rule_tests {
    ($($test:ident => $rule:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                insta::assert_snapshot!($rule, findings_of($rule));
            }
        )*

        #[test]
        fn every_rule_has_a_fixture_test() {
            let tested = [$($rule),*];
            for meta in registry::all() {
                if meta.name == "parse-error" || meta.name == "unused-suppression" {
                    continue; // covered by tests/engine.rs
                }
                assert!(tested.contains(&meta.name), "rule {} has no fixture test", meta.name);
            }
        }
    };
}

rule_tests! {
    continue_on_error => "continue-on-error",
}
