//! Cache events read from real GitHub Actions job logs in `../shared/ci-logs`: the run-log
//! archive of `ghalogs-example` (actions/cache misses and saves) and the CiDiff pair
//! `google_auto_693` (actions/cache restores through `restore-keys`, and a save). The expected lines were
//! found with `grep -n` in the logs.

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

#[test]
fn exact_and_partial_restores_in_a_real_job_log_pair() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared absent");
        return;
    };
    let case = shared.join("cidiff/google_auto_693");
    let primary = "maven-72596637c8f60c9cd8e07286279de76fcf3cf474158a48178e480e8ce8b11324";
    // The failing run (a later commit: its `key:` input is maven-2cafb7…) restored the key the
    // passing run had saved, through `restore-keys: maven-`: a partial hit; failing, it saved
    // nothing.
    assert_eq!(
        events_of(&case.join("fail.log")),
        [(
            564,
            Some("actions/cache@v2.1.7".into()),
            CacheOutcome::Hit,
            Some(primary.into()),
            Some(false)
        )]
    );
    // The passing run restored a fallback (`restore-keys: maven-`) and saved the primary key.
    assert_eq!(
        events_of(&case.join("pass.log")),
        [
            (
                546,
                Some("actions/cache@v2.1.7".into()),
                CacheOutcome::Hit,
                Some(
                    "maven-870fb3b3c199ea232926767b490aee120ffca8c9a31b28a996607a7192ff22b6".into()
                ),
                Some(false)
            ),
            (
                3861,
                Some(POST_STEP.into()),
                CacheOutcome::Saved,
                Some(primary.into()),
                None
            ),
        ]
    );
}
