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
    let report = plimsoll_check::check(std::slice::from_ref(&path), &settings).unwrap();
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
            loc.start.line,
            loc.start.column,
            loc.end.line,
            loc.end.column,
            finding.severity,
            finding.message
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
                if meta.name == "committed-env-file" {
                    continue; // needs a git repository: covered by tests/secrets.rs
                }
                assert!(tested.contains(&meta.name) || REPOSITORY_RULES.contains(&meta.name), "rule {} has no fixture test", meta.name);
            }
        }
    };
}

rule_tests! {
    continue_on_error => "continue-on-error",
    always_false_condition => "always-false-condition",
    swallowed_failure => "swallowed-failure",
    unpinned_action => "unpinned-action",
    action_not_pinned_to_sha => "action-not-pinned-to-sha",
    unpinned_image => "unpinned-image",
    cargo_install_unlocked => "cargo-install-unlocked",
    curl_pipe_shell => "curl-pipe-shell",
    missing_permissions => "missing-permissions",
    write_all_permissions => "write-all-permissions",
    template_injection => "template-injection",
    untrusted_checkout => "untrusted-checkout",
    hardcoded_secret => "hardcoded-secret",
    missing_timeout => "missing-timeout",
    missing_rust_cache => "missing-rust-cache",
    missing_concurrency => "missing-concurrency",
    clippy_warnings_allowed => "clippy-warnings-allowed",
    deprecated_action => "deprecated-action",
    deprecated_workflow_command => "deprecated-workflow-command",
    unknown_key => "unknown-key",
    invalid_event => "invalid-event",
    invalid_needs => "invalid-needs",
    duplicate_step_id => "duplicate-step-id",
    empty_matrix => "empty-matrix",
    invalid_expression => "invalid-expression",
}

/// Repository-level rules, tested together on two repositories: one with no gates, one gated.
const REPOSITORY_RULES: &[&str] = &[
    "toolchain-not-pinned",
    "missing-format-check",
    "missing-lint-gate",
    "missing-test-gate",
    "missing-security-audit",
    "missing-dependency-updates",
];

fn repository_findings(repo: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(repo);
    let overrides = Overrides {
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(&root, &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(std::slice::from_ref(&root), &settings).unwrap();
    report
        .findings
        .iter()
        .filter(|f| REPOSITORY_RULES.contains(&f.rule.name))
        .map(|f| {
            let path = f
                .location
                .path
                .strip_prefix(&root)
                .unwrap_or(&f.location.path);
            format!(
                "{}:{}:{} {} {}",
                path.display(),
                f.location.start.line,
                f.location.start.column,
                f.rule.name,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn repository_rules_fire_on_an_ungated_rust_project() {
    let text = repository_findings("repo-bare");
    for rule in REPOSITORY_RULES {
        assert!(text.contains(rule), "{rule} did not fire:\n{text}");
    }
    insta::assert_snapshot!("repository-bare", text);
}

#[test]
fn repository_rules_accept_a_gated_rust_project() {
    insta::assert_snapshot!("repository-gated", repository_findings("repo-gated"));
}
