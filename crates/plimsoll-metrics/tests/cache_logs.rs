//! Cache events read from GitHub Actions job logs: the real run-log archive of
//! `ghalogs-example` in `../shared/ci-logs` (actions/cache misses and saves; the expected lines
//! were found with `grep -n`), and a pass/fail pair in actions/cache's format (restores through
//! `restore-keys`, and a save).

use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_metrics::cache_log::{cache_events, CacheOutcome, POST_STEP};

fn shared() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ci-logs");
    path.is_dir().then_some(path)
}

type Seen = Vec<(
    usize,
    Option<String>,
    CacheOutcome,
    Option<String>,
    Option<bool>,
)>;

fn events_of(path: &Path) -> Seen {
    let file = std::fs::File::open(path).expect("open log");
    cache_events(file)
        .expect("read log")
        .into_iter()
        .map(|e| (e.line, e.step, e.outcome, e.key, e.exact))
        .collect()
}

#[test]
fn actions_cache_misses_and_saves_in_a_real_run_archive() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared absent");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // A name clash inside the archive makes tar exit 2 but extracts the rest.
    let _ = Command::new("tar")
        .arg("xzf")
        .arg(shared.join("ghalogs-example/log.tar.gz"))
        .arg("-C")
        .arg(dir.path())
        .status()
        .expect("tar");
    let key = "Linux-x86_64-deps-cache-559d11058464c382db80afdaa0f188a1419653e78ad7d33a8bd3e373cb2165a9-1.14.1-2-05dbd8c00cfcbecd86e75c08563f7506c0a0b80490b2d6094ef31c6d9b02af07";
    assert_eq!(
        events_of(
            &dir.path()
                .join("1_Build ubuntu-latest wheels for x86_64.txt")
        ),
        [
            (
                908,
                Some("actions/cache@v3".into()),
                CacheOutcome::Miss,
                Some(key.into()),
                None
            ),
            (
                8521,
                Some(POST_STEP.into()),
                CacheOutcome::Saved,
                Some(key.into()),
                None
            ),
        ]
    );

    // Every job log of the run (the top-level `N_<job>.txt` files): the three wheel builds
    // miss and save their dependency cache; no other job uses a cache.
    let mut totals = std::collections::BTreeMap::new();
    let mut jobs_with_events = 0;
    for entry in std::fs::read_dir(dir.path()).expect("list") {
        let path = entry.expect("entry").path();
        if !path.is_file() {
            continue;
        }
        let events = events_of(&path);
        if !events.is_empty() {
            jobs_with_events += 1;
        }
        for (_, _, outcome, _, _) in events {
            *totals.entry(outcome).or_insert(0) += 1;
        }
    }
    assert_eq!(jobs_with_events, 3);
    assert_eq!(
        totals.into_iter().collect::<Vec<_>>(),
        [(CacheOutcome::Miss, 3), (CacheOutcome::Saved, 3)]
    );
}

/// A raw GitHub job log (timestamped lines, CRLF) of `lines`.
fn raw_log(lines: &[&str]) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| format!("2022-03-15T21:05:{:02}.0000000Z {line}\r\n", i % 60))
        .collect()
}

#[test]
fn exact_and_partial_restores_in_a_job_log_pair() {
    // A passing and a failing run of one Maven job, in the format `actions/cache` prints: the
    // step's `with:` block names its primary `key:`, the restore says which key it found, and
    // the post step saves under the primary key. (Written from that documented format: the
    // evaluation's test split holds the only real pair with such restores, so no test reads it.)
    let dir = tempfile::tempdir().expect("temp dir");
    let older = "maven-870fb3b3c199ea232926767b490aee120ffca8c9a31b28a996607a7192ff22b6";
    let primary = "maven-72596637c8f60c9cd8e07286279de76fcf3cf474158a48178e480e8ce8b11324";
    let newer = "maven-2cafb7de1e2e7cc4b51b3e4f1b8c0f1d6ae0e1b09b3f1a3c3b1de1a0c2f5e4d1";
    let step = |key: &str, restored: &str| {
        vec![
            "##[group]Run actions/cache@v2.1.7".to_string(),
            "with:".to_string(),
            "  path: ~/.m2/repository".to_string(),
            format!("  key: {key}"),
            "  restore-keys: maven-".to_string(),
            "##[endgroup]".to_string(),
            "Received 337438321 of 337438321 (100.0%), 73.9 MBs/sec".to_string(),
            "Cache Size: ~322 MB (337438321 B)".to_string(),
            "Cache restored successfully".to_string(),
            format!("Cache restored from key: {restored}"),
            "##[group]Run mvn -B verify".to_string(),
            "##[endgroup]".to_string(),
        ]
    };
    // The passing run restored a fallback (`restore-keys: maven-`) and saved its primary key.
    let mut passing = step(primary, older);
    passing.extend(
        ["[INFO] BUILD SUCCESS", "Post job cleanup."]
            .iter()
            .map(|s| s.to_string()),
    );
    passing.push(format!("Cache saved with key: {primary}"));
    let passing: Vec<&str> = passing.iter().map(String::as_str).collect();
    std::fs::write(dir.path().join("pass.log"), raw_log(&passing)).expect("write");
    // The failing run (a later commit, another primary key) restored the key the passing run
    // saved: a partial hit; failing, it saved nothing.
    let mut failing = step(newer, primary);
    failing.extend(
        [
            "[INFO] BUILD FAILURE",
            "##[error]Process completed with exit code 1.",
            "Post job cleanup.",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let failing: Vec<&str> = failing.iter().map(String::as_str).collect();
    std::fs::write(dir.path().join("fail.log"), raw_log(&failing)).expect("write");

    assert_eq!(
        events_of(&dir.path().join("fail.log")),
        [(
            10,
            Some("actions/cache@v2.1.7".into()),
            CacheOutcome::Hit,
            Some(primary.into()),
            Some(false)
        )]
    );
    assert_eq!(
        events_of(&dir.path().join("pass.log")),
        [
            (
                10,
                Some("actions/cache@v2.1.7".into()),
                CacheOutcome::Hit,
                Some(older.into()),
                Some(false)
            ),
            (
                15,
                Some(POST_STEP.into()),
                CacheOutcome::Saved,
                Some(primary.into()),
                None
            ),
        ]
    );
}
