//! `plimsoll guard` on real CI history: the labelled commits of `tests/data/guard-history.tsv`
//! (commit ids of the bundles in `../shared/guard-history`, each read against its diff) are
//! replayed with the real binary, `guard --base <c>^ --head <c>`, in a clone of their bundle.
//!
//! Each row says what the commit really does (`truth`) and what guard does about it
//! (`status`), so both a regression and a fix change the outcome and fail here until the file
//! is updated:
//! - `real` / `artefact` (the snapshot diff really drops coverage): `caught` fails the run
//!   (exit 1), `missed` passes it (exit 0);
//! - `false-alarm`: `fixed` passes (exit 0), `open` still fails (exit 1);
//! - `clean` (read, nothing lost): passes (exit 0).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

mod common;

/// One labelled commit.
struct Label {
    bundle: String,
    commit: String,
    truth: String,
    status: String,
    reason: String,
}

fn labels() -> Vec<Label> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/guard-history.tsv");
    let text = fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 6, "6 tab-separated fields: {line}");
            Label {
                bundle: fields[0].to_string(),
                commit: fields[1].to_string(),
                truth: fields[3].to_string(),
                status: fields[4].to_string(),
                reason: fields[5].to_string(),
            }
        })
        .collect()
}

/// The exit code `guard` must give for a label.
fn expected_exit(label: &Label) -> i32 {
    match (label.truth.as_str(), label.status.as_str()) {
        ("real" | "artefact", "caught") | ("false-alarm", "open") => 1,
        ("real" | "artefact", "missed") | ("false-alarm", "fixed") | ("clean", "silent") => 0,
        (truth, status) => panic!("unknown truth/status {truth}/{status}"),
    }
}

#[test]
fn labelled_real_history_commits() {
    let history = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/guard-history");
    if !history.is_dir() {
        println!("skipped: ../shared/guard-history absent");
        return;
    }
    let labels = labels();
    assert!(
        labels.len() >= 60,
        "the labelled set holds {} commits",
        labels.len()
    );
    let work = tempfile::tempdir().unwrap();
    let mut clones: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut wrong = Vec::new();
    for label in &labels {
        let clone = clones.entry(label.bundle.clone()).or_insert_with(|| {
            let path = work.path().join(&label.bundle);
            let bundle = history.join(format!("{}.bundle", label.bundle));
            let done = Process::new("git")
                .args(["clone", "-q", "-b", "main"])
                .arg(&bundle)
                .arg(&path)
                .output()
                .unwrap();
            assert!(done.status.success(), "cloning {}", bundle.display());
            path
        });
        let output = common::plimsoll(clone)
            .args(["guard", "--base", &format!("{}^", label.commit)])
            .args(["--head", &label.commit])
            .output()
            .unwrap();
        let code = output.status.code().unwrap_or(-1);
        if code != expected_exit(label) {
            wrong.push(format!(
                "{} {} ({} / {}: {}): exit {code}\n{}",
                label.bundle,
                &label.commit[..12],
                label.truth,
                label.status,
                label.reason,
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
