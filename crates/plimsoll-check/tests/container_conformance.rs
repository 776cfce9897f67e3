//! Container conformance and real-world robustness (skipped when `../shared` is absent).
//!
//! - `../shared/conformance/trivy-checks/cases.jsonl`: for each trivy Dockerfile check that
//!   matches a plimsoll rule, the bad example is flagged by that rule and the good one is not.
//! - `../shared/corpus/real`: every Dockerfile and Compose file of its `MANIFEST.tsv`, checked in
//!   one run: no crash, and every `parse-error` is listed with its reason.
//!
//! `cargo test -p plimsoll-check --test container_conformance -- --nocapture` prints the tables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plimsoll_check::config::{Overrides, Settings};

fn shared() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    path.is_dir().then_some(path)
}

/// trivy check id → the plimsoll rule that covers it. Where one plimsoll rule covers several
/// aspects, [`ASPECTS`] narrows the comparison to the findings about the trivy check's aspect.
const TRIVY_TO_PLIMSOLL: &[(&str, &str)] = &[
    ("DS-0001", "unpinned-base-image"),
    ("DS-0002", "runs-as-root"),
    ("DS-0005", "add-instead-of-copy"),
    ("DS-0006", "copy-from-own-stage"),
    ("DS-0007", "multiple-cmd-or-entrypoint"),
    ("DS-0008", "invalid-expose-port"),
    ("DS-0009", "relative-workdir"),
    ("DS-0010", "sudo-in-run"),
    ("DS-0012", "duplicate-stage-name"),
    ("DS-0013", "cd-instead-of-workdir"),
    ("DS-0015", "package-cache-not-cleaned"),
    ("DS-0016", "multiple-cmd-or-entrypoint"),
    ("DS-0017", "apt-get-hygiene"),
    ("DS-0019", "package-cache-not-cleaned"),
    ("DS-0020", "package-cache-not-cleaned"),
    ("DS-0021", "apt-get-hygiene"),
    ("DS-0022", "deprecated-maintainer"),
    ("DS-0023", "multiple-cmd-or-entrypoint"),
    ("DS-0024", "package-upgrade"),
];

/// trivy check id → the part of the message of the plimsoll finding for that aspect.
const ASPECTS: &[(&str, &str)] = &[("DS-0017", "installs nothing"), ("DS-0021", "without `-y`")];

fn settings_for(path: &Path, rule: &str) -> Settings {
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        enable: vec![rule.to_string()],
        ..Overrides::default()
    };
    Settings::load(path, &|_| None, &overrides).expect("settings")
}

/// How many findings of `rule` (whose message holds `aspect`) plimsoll reports on a Dockerfile
/// with `text`.
fn count(rule: &str, aspect: &str, text: &str) -> usize {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, text).expect("write");
    let report = plimsoll_check::check(std::slice::from_ref(&path), &settings_for(&path, rule))
        .expect("check");
    report
        .findings
        .iter()
        .filter(|f| f.rule.name == rule && f.message.contains(aspect))
        .count()
}

#[test]
fn trivy_dockerfile_checks_agree() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared is absent");
        return;
    };
    let cases = std::fs::read_to_string(shared.join("conformance/trivy-checks/cases.jsonl"))
        .expect("cases.jsonl");
    let mut rows = Vec::new();
    let mut disagreements = Vec::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("json line");
        if case["kind"] != "dockerfile" {
            continue;
        }
        let id = case["check"]["id"].as_str().unwrap_or("");
        let Some((_, rule)) = TRIVY_TO_PLIMSOLL.iter().find(|(t, _)| *t == id) else {
            rows.push(format!("{id:8} {:28} (no matching plimsoll rule)", ""));
            continue;
        };
        let texts = |key: &str| -> Vec<String> {
            case[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let bad = texts("bad");
        let good = texts("good");
        let aspect = ASPECTS
            .iter()
            .find(|(t, _)| *t == id)
            .map_or("", |(_, a)| a);
        let bad_flagged = bad.iter().filter(|t| count(rule, aspect, t) > 0).count();
        let good_flagged = good.iter().filter(|t| count(rule, aspect, t) > 0).count();
        rows.push(format!(
            "{id:8} {rule:28} bad flagged {bad_flagged}/{}  good flagged {good_flagged}/{}",
            bad.len(),
            good.len()
        ));
        if bad_flagged != bad.len() || good_flagged != 0 {
            disagreements.push(id.to_string());
        }
    }
    println!("trivy check → plimsoll rule:\n{}", rows.join("\n"));
    let matched = TRIVY_TO_PLIMSOLL.len();
    println!(
        "agreement: {}/{matched} matched checks",
        matched - disagreements.len()
    );
    assert!(disagreements.is_empty(), "disagreements: {disagreements:?}");
}

#[test]
fn real_dockerfiles_and_compose_files_check_in_one_run() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared is absent");
        return;
    };
    let corpus = shared.join("corpus/real");
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("manifest");
    let mut files = Vec::new();
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [kind, repo, _, path, ..] = fields.as_slice() {
            if matches!(*kind, "dockerfile" | "compose") {
                files.push(corpus.join(repo.replace('/', "__")).join(path));
            }
        }
    }
    assert!(
        files.len() > 3000,
        "expected the whole set, found {}",
        files.len()
    );
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(&corpus, &|_| None, &overrides).expect("settings");
    let report = plimsoll_check::check(&files, &settings).expect("check");
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut failing_files = std::collections::BTreeSet::new();
    for finding in report
        .findings
        .iter()
        .filter(|f| f.rule.name == "parse-error")
    {
        failing_files.insert(finding.location.path.clone());
        *reasons.entry(finding.message.clone()).or_default() += 1;
    }
    println!(
        "{} Dockerfiles and Compose files, {} checked ({} skipped as generator templates), {} with parse-error",
        files.len(),
        report.files_checked,
        files.len() - report.files_checked,
        failing_files.len()
    );
    for (reason, n) in &reasons {
        println!("  {n:5}  {reason}");
    }
    // Docker builds every file of the corpus; generator templates are skipped, not failed.
    assert!(
        failing_files.is_empty(),
        "parse errors in {failing_files:#?}"
    );
}
