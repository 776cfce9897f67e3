//! Conformance with trivy's Kubernetes checks (`../shared/conformance/trivy-checks/cases.jsonl`,
//! next to the workspace; skipped when absent). Each case holds a check's good and bad example
//! manifests. For every check that one of plimsoll's rules covers, the bad examples must get a
//! finding of that rule (with the message naming the same problem) and the good ones must not.
//!
//! Run with `cargo test -p plimsoll-check --test trivy_conformance -- --nocapture` for the table.

use std::path::PathBuf;

use plimsoll_check::config::{Overrides, Settings};

/// trivy check id, the plimsoll rule covering it, and message fragments that say it is the same
/// problem (any of them; empty: any finding of the rule).
const MAPPING: &[(&str, &str, &[&str])] = &[
    ("KSV-0001", "privilege-escalation", &[]),
    ("KSV-0005", "added-capabilities", &["SYS_ADMIN"]),
    (
        "KSV-0011",
        "missing-resources",
        &["cpu limit", "sets no resources"],
    ),
    ("KSV-0012", "pod-runs-as-root", &[]),
    ("KSV-0013", "unpinned-container-image", &[]),
    ("KSV-0014", "writable-root-filesystem", &[]),
    (
        "KSV-0015",
        "missing-resources",
        &["cpu request", "sets no resources"],
    ),
    (
        "KSV-0016",
        "missing-resources",
        &["memory request", "sets no resources"],
    ),
    ("KSV-0017", "privileged-container", &[]),
    (
        "KSV-0018",
        "missing-resources",
        &["memory limit", "sets no resources"],
    ),
    ("KSV-0022", "added-capabilities", &[]),
    ("KSV-0030", "missing-seccomp-profile", &[]),
    ("KSV-0109", "env-secret-literal", &[]),
];

fn cases_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/trivy-checks/cases.jsonl")
}

/// Whether `rule` reports `manifest` (with one of `fragments` in the message).
fn flags(rule: &str, fragments: &[&str], manifest: &str) -> bool {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("case.yaml");
    std::fs::write(&path, manifest).unwrap();
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        enable: vec![rule.to_string()],
        ..Overrides::default()
    };
    let settings = Settings::load(&path, &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[path], &settings).unwrap();
    report.findings.iter().any(|f| {
        f.rule.name == rule
            && (fragments.is_empty() || fragments.iter().any(|s| f.message.contains(s)))
    })
}

#[test]
fn trivy_kubernetes_examples_agree() {
    let path = cases_file();
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipped: ../shared/conformance/trivy-checks absent");
        return;
    };
    let mut rows = Vec::new();
    let mut disagreements = Vec::new();
    let mut unmapped = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        if case["kind"] != "kubernetes" {
            continue;
        }
        let id = case["check"]["id"].as_str().unwrap_or_default();
        let Some((_, rule, fragments)) = MAPPING.iter().find(|(check, _, _)| *check == id) else {
            unmapped.push(id.to_string());
            continue;
        };
        let examples = |key: &str| -> Vec<String> {
            case[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let bad = examples("bad");
        let good = examples("good");
        let bad_flagged = bad.iter().filter(|m| flags(rule, fragments, m)).count();
        let good_flagged = good.iter().filter(|m| flags(rule, fragments, m)).count();
        if bad_flagged != bad.len() || good_flagged != 0 {
            disagreements.push(id.to_string());
        }
        rows.push(format!(
            "| {id} | {} | `{rule}` | {bad_flagged}/{} | {}/{} |",
            case["check"]["long_id"].as_str().unwrap_or_default(),
            bad.len(),
            good.len() - good_flagged,
            good.len()
        ));
    }
    println!("| trivy check | long id | plimsoll rule | bad flagged | good passed |");
    println!("|---|---|---|---:|---:|");
    for row in &rows {
        println!("{row}");
    }
    println!(
        "{} of {} mapped checks agree; not covered by a plimsoll rule: {}",
        rows.len() - disagreements.len(),
        rows.len(),
        unmapped.join(", ")
    );
    assert_eq!(
        rows.len(),
        MAPPING.len(),
        "a mapped check is missing from the cases"
    );
    assert!(disagreements.is_empty(), "disagreements: {disagreements:?}");
}
