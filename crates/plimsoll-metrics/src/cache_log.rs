//! Cache hits, misses and saves, read from a job log's own lines: the ones the cache actions
//! print through GitHub's `@actions/cache` toolkit.
//!
//! - `actions/cache` (and `actions/cache/restore`, `…/save`): `Cache restored from key: K`,
//!   `Cache not found for input keys: K, …`, `Cache saved with key: K`;
//! - the `setup-*` actions' `cache:` input (`actions/setup-node`, `setup-python`, `setup-go`,
//!   `setup-java`): `Cache restored from key: K`, `<manager> cache is not found` or
//!   `Cache is not found`, `Cache saved with the key: K`;
//! - `Swatinem/rust-cache`: `Restored from cache key "K" full match: true.` (a partial match
//!   restores a fallback key) and `No cache found.`;
//! - the toolkit itself, whichever action calls it: `Cache saved successfully`, counted as a
//!   save when no `Cache saved with … key` line names it.
//!
//! Lines are read as `plimsoll diagnose` reads them (raw job logs with timestamps, or `gh run
//! view --log` columns, ANSI colours removed); the step is the one the log's `##[group]Run`
//! line or `gh` column names.

use std::io::Read;

use plimsoll_diagnose::reader::{clean, LineSplitter, RawLine};
use serde::Serialize;

/// What a cache action reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheOutcome {
    /// A cache was restored (`exact` says whether the primary key matched, where the action
    /// tells).
    Hit,
    Miss,
    Saved,
}

impl CacheOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheOutcome::Hit => "hit",
            CacheOutcome::Miss => "miss",
            CacheOutcome::Saved => "saved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "hit" => Some(CacheOutcome::Hit),
            "miss" => Some(CacheOutcome::Miss),
            "saved" => Some(CacheOutcome::Saved),
            _ => None,
        }
    }
}

/// One cache event of a job log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheEvent {
    /// 1-based line of the log.
    pub line: usize,
    /// The step that printed it, where the log tells.
    pub step: Option<String>,
    pub outcome: CacheOutcome,
    /// The key restored or saved, or the keys looked up.
    pub key: Option<String>,
    /// For a hit: whether it was the primary key (`Swatinem/rust-cache` says; for
    /// `actions/cache` it is the step's `key:` input, when the log shows it).
    pub exact: Option<bool>,
}

/// The step name given to a raw log's post steps.
pub const POST_STEP: &str = "(post job cleanup)";

/// The outcome and key a cleaned log line reports, if it is a cache action's line.
fn classify(text: &str) -> Option<(CacheOutcome, Option<String>, Option<bool>)> {
    let text = text.trim_end();
    let key = |rest: &str| Some(rest.trim().to_owned()).filter(|key| !key.is_empty());
    if let Some(rest) = text.strip_prefix("Cache restored from key:") {
        return Some((CacheOutcome::Hit, key(rest), None));
    }
    if let Some(rest) = text.strip_prefix("Restored from cache key \"") {
        let (restored, tail) = rest.split_once('"')?;
        let exact = match tail.trim().trim_end_matches('.') {
            "full match: true" => Some(true),
            "full match: false" => Some(false),
            _ => None,
        };
        return Some((CacheOutcome::Hit, key(restored), exact));
    }
    if let Some(rest) = text.strip_prefix("Cache not found for input keys:") {
        return Some((CacheOutcome::Miss, key(rest), None));
    }
    if text == "No cache found." || text == "Cache is not found" {
        return Some((CacheOutcome::Miss, None, None));
    }
    // `npm cache is not found`, `pip cache is not found`, `gradle cache is not found`: one word
    // naming the package manager.
    if let Some(manager) = text.strip_suffix(" cache is not found") {
        if !manager.is_empty() && !manager.contains(char::is_whitespace) {
            return Some((CacheOutcome::Miss, None, None));
        }
    }
    if let Some(rest) = text
        .strip_prefix("Cache saved with key:")
        .or_else(|| text.strip_prefix("Cache saved with the key:"))
    {
        return Some((CacheOutcome::Saved, key(rest), None));
    }
    None
}

/// The step a `##[group]Run …` line starts: the action or command it names.
fn step_of_group(text: &str) -> Option<&str> {
    text.strip_prefix("##[group]Run ").map(str::trim)
}

/// A step's primary `key:` input, as the `with:` block of its `##[group]Run` header prints it.
fn key_input(text: &str) -> Option<&str> {
    text.strip_prefix("  key: ").map(str::trim)
}

/// The cache events of one job log. A log that cannot be read ends the list where it failed.
pub fn cache_events(reader: impl Read) -> std::io::Result<Vec<CacheEvent>> {
    let mut lines = LineSplitter::new(reader);
    let mut raw = RawLine::default();
    let mut text = String::new();
    let mut events: Vec<CacheEvent> = Vec::new();
    let mut step: Option<String> = None;
    let mut primary_key: Option<String> = None;
    let mut in_header = false;
    // A toolkit `Cache saved successfully` not yet named by a `Cache saved with … key` line.
    let mut unnamed_save: Option<(usize, Option<String>)> = None;
    let mut first = true;
    while lines.next_line(&mut raw)? {
        let decorations = clean(&raw.bytes, first, &mut text);
        first = false;
        if let Some((_, gh_step)) = &decorations.gh_columns {
            if step.as_deref() != Some(gh_step.as_str()) {
                step = Some(gh_step.clone());
                primary_key = None;
            }
        }
        if let Some(group) = step_of_group(&text) {
            if let Some((line, step)) = unnamed_save.take() {
                events.push(save_without_key(line, step));
            }
            if decorations.gh_columns.is_none() {
                step = Some(group.to_owned());
            }
            primary_key = None;
            in_header = true;
            continue;
        }
        // A post step (where `actions/cache` saves) starts with this line and no group; the
        // log does not say which action's post step it is.
        if text == "Post job cleanup." {
            if decorations.gh_columns.is_none() {
                step = Some(POST_STEP.to_owned());
            }
            primary_key = None;
            continue;
        }
        if text == "##[endgroup]" {
            in_header = false;
            continue;
        }
        if in_header {
            if let Some(key) = key_input(&text) {
                primary_key = Some(key.to_owned());
            }
            continue;
        }
        if text == "Cache saved successfully" {
            if let Some((line, step)) = unnamed_save.replace((raw.number, step.clone())) {
                events.push(save_without_key(line, step));
            }
            continue;
        }
        let Some((outcome, key, mut exact)) = classify(&text) else {
            continue;
        };
        if outcome == CacheOutcome::Saved {
            unnamed_save = None;
        }
        if outcome == CacheOutcome::Hit && exact.is_none() {
            if let (Some(primary), Some(restored)) = (&primary_key, &key) {
                exact = Some(primary == restored);
            }
        }
        events.push(CacheEvent {
            line: raw.number,
            step: step.clone(),
            outcome,
            key,
            exact,
        });
    }
    if let Some((line, step)) = unnamed_save {
        events.push(save_without_key(line, step));
    }
    Ok(events)
}

fn save_without_key(line: usize, step: Option<String>) -> CacheEvent {
    CacheEvent {
        line,
        step,
        outcome: CacheOutcome::Saved,
        key: None,
        exact: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(log: &str) -> Vec<(usize, CacheOutcome, Option<String>, Option<bool>)> {
        cache_events(log.as_bytes())
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.line, e.outcome, e.key, e.exact))
            .collect()
    }

    #[test]
    fn each_actions_lines_are_read() {
        let log = "\
2024-01-02T03:04:05.0000000Z ##[group]Run actions/cache@v4
2024-01-02T03:04:05.0000000Z with:
2024-01-02T03:04:05.0000000Z   path: ~/.npm
2024-01-02T03:04:05.0000000Z   key: npm-abc
2024-01-02T03:04:05.0000000Z   restore-keys: npm-
2024-01-02T03:04:05.0000000Z ##[endgroup]
2024-01-02T03:04:06.0000000Z Cache restored from key: npm-old
2024-01-02T03:04:07.0000000Z ##[group]Run Swatinem/rust-cache@v2
2024-01-02T03:04:07.0000000Z ##[endgroup]
2024-01-02T03:04:08.0000000Z Restored from cache key \"v0-rust-x\" full match: true.
2024-01-02T03:04:09.0000000Z ##[group]Run actions/setup-node@v4
2024-01-02T03:04:09.0000000Z ##[endgroup]
2024-01-02T03:04:10.0000000Z npm cache is not found
2024-01-02T03:04:11.0000000Z No cache found.
2024-01-02T03:04:12.0000000Z Post job cleanup.
2024-01-02T03:04:13.0000000Z Cache saved successfully
2024-01-02T03:04:13.0000000Z Cache saved with key: npm-abc
2024-01-02T03:04:14.0000000Z Cache saved successfully
";
        assert_eq!(
            events(log),
            [
                (7, CacheOutcome::Hit, Some("npm-old".into()), Some(false)),
                (10, CacheOutcome::Hit, Some("v0-rust-x".into()), Some(true)),
                (13, CacheOutcome::Miss, None, None),
                (14, CacheOutcome::Miss, None, None),
                (17, CacheOutcome::Saved, Some("npm-abc".into()), None),
                (18, CacheOutcome::Saved, None, None),
            ]
        );
    }

    #[test]
    fn other_lines_that_mention_caches_are_not_events() {
        let log = "echo Cache restored from key: x\nthe build cache is not found anywhere\nCache Size: ~5 MB (5254372 B)\n";
        assert!(events(log).is_empty());
    }
}
