//! The real Kubernetes manifests and Terraform files of `../shared/corpus/real` (listed in its
//! `MANIFEST.tsv`; skipped when absent) in one run, as files named on the command line: no
//! crash, and every file plimsoll cannot read is accounted for. Run with `-- --nocapture` to see
//! the counts and reasons.

use std::collections::BTreeMap;
use std::path::PathBuf;

use plimsoll_check::config::{Overrides, Settings};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// Files of `kind` in the manifest.
fn files(kind: &str) -> Option<Vec<PathBuf>> {
    let root = corpus();
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).ok()?;
    Some(
        manifest
            .lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                (fields.first() == Some(&kind))
                    .then(|| root.join(fields[1].replace('/', "__")).join(fields[3]))
            })
            .collect(),
    )
}

/// Check `paths` with every rule; returns (files checked, unreadable-file findings by reason).
fn run(paths: &[PathBuf]) -> (usize, BTreeMap<String, Vec<String>>) {
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(&corpus(), &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(paths, &settings).unwrap();
    let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for finding in &report.findings {
        if matches!(finding.rule.name, "parse-error" | "invalid-manifest") {
            let reason = finding
                .message
                .split(';')
                .next()
                .unwrap_or_default()
                .to_string();
            let path = finding
                .location
                .path
                .strip_prefix(corpus())
                .unwrap_or(&finding.location.path);
            reasons
                .entry(format!("{}: {reason}", finding.rule.name))
                .or_default()
                .push(format!(
                    "{}:{}",
                    path.display(),
                    finding.location.start.line
                ));
        }
    }
    (report.files_checked, reasons)
}

fn print(kind: &str, total: usize, checked: usize, reasons: &BTreeMap<String, Vec<String>>) {
    println!("{kind}: {total} files, {checked} checked as {kind}");
    for (reason, places) in reasons {
        println!("  {} x {reason}", places.len());
        for place in places {
            println!("      {place}");
        }
    }
}

#[test]
fn real_kubernetes_manifests_are_read() {
    let Some(paths) = files("k8s") else {
        println!("skipped: ../shared/corpus/real absent");
        return;
    };
    let (checked, reasons) = run(&paths);
    print("k8s", paths.len(), checked, &reasons);
    assert_eq!(checked, paths.len());
    // Four files have a multi-line flow scalar or flow sequence indented no deeper than its
    // parent key, which YAML 1.2 forbids (saphyr rejects them; PyYAML is lenient), and one
    // document is a template of variables with no `kind`: see the printed list.
    let unreadable: usize = reasons.values().map(Vec::len).sum();
    assert!(unreadable <= 5, "{reasons:#?}");
}

#[test]
fn real_terraform_files_are_read() {
    let Some(paths) = files("terraform") else {
        println!("skipped: ../shared/corpus/real absent");
        return;
    };
    let (checked, reasons) = run(&paths);
    print("terraform", paths.len(), checked, &reasons);
    assert_eq!(checked, paths.len());
    assert!(reasons.is_empty(), "{reasons:#?}");
}
