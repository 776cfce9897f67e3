//! Which legs of an old matrix the new matrix still runs.
//!
//! A leg (one combination) is still run when some new combination holds all of its values
//! (it may add values of its own). Failing that, it is still run, as written differently, when
//! a new combination runs on the same platform and differs only where nothing is narrowed:
//! mapping values that gained fields, a value now grouped in a list (`fuzz: a` → `fuzz: [a, b]`),
//! or a key the new matrix dropped whose value was the old matrix's usual one (`rust: stable`,
//! `flags: ""`). A leg is *edited* when a new combination that runs no old leg differs in a
//! version, a runner label of the same platform, or one other value: what it checks may differ,
//! which is worth a review, but it still runs. Any other leg is lost. A new key that skips the
//! leg (`skip: ${{ … }}`) is never an edit.

use std::collections::BTreeMap;

use crate::equivalence::{
    canonical_flag, is_label_key, is_platform_key, is_skip_key, narrowing_added, narrows,
    same_platform, still_passed,
};
use crate::matrix::Combination;
use crate::model;

/// What became of one old leg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leg {
    /// A new combination runs it.
    Kept,
    /// The new combination at this index runs it with these values edited: `(key, old, new)`.
    Edited(usize, Vec<(String, String, String)>),
    /// No new combination runs it.
    Lost,
}

/// The fate of each leg of `old` in `new`.
pub fn match_legs(old: &[Combination], new: &[Combination]) -> Vec<Leg> {
    let new_flat: Vec<Combination> = new.iter().map(flatten).collect();
    let old_flat = rename_keys(old.iter().map(flatten).collect(), &new_flat);
    let usual = usual_values(&old_flat);
    let new_keys: std::collections::BTreeSet<&str> = new_flat
        .iter()
        .flat_map(|c| c.keys().map(String::as_str))
        .collect();
    // New combinations that run no old leg: where an edited leg went.
    let mut free = vec![true; new_flat.len()];
    let mut fates = Vec::with_capacity(old.len());
    let mut pending = Vec::new();
    for (i, leg) in old_flat.iter().enumerate() {
        let mut kept = false;
        for (j, candidate) in new_flat.iter().enumerate() {
            let runs = !adds_skip(leg, candidate)
                && (holds(candidate, leg) || rewritten(leg, candidate, &usual, &new_keys));
            if runs {
                kept = true;
                free[j] = false;
            }
        }
        fates.push(if kept { Leg::Kept } else { Leg::Lost });
        if !kept {
            pending.push(i);
        }
    }
    let raw_keys: std::collections::BTreeSet<&str> = new
        .iter()
        .flat_map(|c| c.keys().map(String::as_str))
        .collect();
    for i in pending {
        let leg = &old_flat[i];
        // Edited field by field, or as one mapping value (a feature mapping whose fields
        // differ from leg to leg).
        let found = new_flat
            .iter()
            .enumerate()
            .filter(|(j, _)| free[*j])
            .find_map(|(j, candidate)| {
                let edited = edits(leg, candidate, &new_keys)
                    .or_else(|| edits(&old[i], &new[j], &raw_keys))?;
                Some((j, edited))
            });
        if let Some((j, edits)) = found {
            free[j] = false;
            fates[i] = Leg::Edited(j, edits);
        }
    }
    fates
}

/// Mapping values spread into dotted keys (`platform: {os: x}` → `platform.os: x`), so a field
/// added to a mapping is an added key, and one field changed is one edited value.
fn flatten(combination: &Combination) -> Combination {
    let mut flat = Combination::new();
    for (key, value) in combination {
        spread(key, value, &mut flat);
    }
    flat
}

fn spread(key: &str, value: &str, flat: &mut Combination) {
    if value.starts_with('{') {
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(value) {
            for (field, inner) in fields {
                spread(&format!("{key}.{field}"), &inner.to_string(), flat);
            }
            return;
        }
    }
    // Spaces around a value separate nothing once it is expanded (`flags: "--features=x "`).
    let value = match serde_json::from_str::<String>(value) {
        Ok(text) if text.trim() != text => {
            serde_json::Value::String(text.trim().to_string()).to_string()
        }
        _ => value.to_string(),
    };
    flat.insert(key.to_string(), value);
}

/// `old` with each key the new matrix renamed under the new name: a key only the old legs have,
/// whose set of values is that of exactly one key only the new legs have (`style: [default,
/// extra]` → `feature: [default, extra]`). The legs it tells apart are the same legs.
fn rename_keys(mut old: Vec<Combination>, new: &[Combination]) -> Vec<Combination> {
    let values = |legs: &[Combination]| {
        let mut by_key: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for leg in legs {
            for (key, value) in leg {
                by_key.entry(key.clone()).or_default().insert(value.clone());
            }
        }
        by_key
    };
    let (was, is) = (values(&old), values(new));
    let mut renames = Vec::new();
    for (key, old_values) in was.iter().filter(|(key, _)| !is.contains_key(*key)) {
        let mut matching = is.iter().filter(|(new_key, new_values)| {
            !was.contains_key(*new_key) && *new_values == old_values
        });
        if let (Some((new_key, _)), None) = (matching.next(), matching.next()) {
            renames.push((key.clone(), new_key.clone()));
        }
    }
    for leg in &mut old {
        for (from, to) in &renames {
            if let Some(value) = leg.remove(from) {
                leg.insert(to.clone(), value);
            }
        }
    }
    old
}

/// Whether `candidate` holds every value of `leg`.
fn holds(candidate: &Combination, leg: &Combination) -> bool {
    leg.iter()
        .all(|(key, value)| candidate.get(key) == Some(value))
}

/// The most frequent value of each key among the old legs.
fn usual_values(legs: &[Combination]) -> BTreeMap<String, String> {
    let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for leg in legs {
        for (key, value) in leg {
            *counts.entry(key).or_default().entry(value).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(key, values)| {
            let (value, _) = values.into_iter().max_by_key(|(_, n)| *n)?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

/// The text of a canonical scalar (`"ubuntu"` → `ubuntu`).
fn text(value: &str) -> String {
    serde_json::from_str::<String>(value).unwrap_or_else(|_| value.to_string())
}

/// Whether a value turns a skip key on (anything but false or empty).
fn truthy(value: &str) -> bool {
    !matches!(text(value).trim(), "" | "false" | "0" | "null")
}

fn adds_skip(leg: &Combination, candidate: &Combination) -> bool {
    candidate
        .iter()
        .any(|(key, value)| !leg.contains_key(key) && is_skip_key(key) && truthy(value))
}

/// `value` is an element of the list `list` (a leg grouped with others).
fn grouped_in(value: &str, list: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(value) else {
        return false;
    };
    list.starts_with('[')
        && serde_json::from_str::<Vec<serde_json::Value>>(list)
            .is_ok_and(|items| items.contains(&value))
}

/// Whether `candidate` runs `leg` as written differently (see the module documentation).
fn rewritten(
    leg: &Combination,
    candidate: &Combination,
    usual: &BTreeMap<String, String>,
    new_keys: &std::collections::BTreeSet<&str>,
) -> bool {
    if adds_skip(leg, candidate) {
        return false;
    }
    leg.iter().all(|(key, value)| match candidate.get(key) {
        Some(now) => {
            now == value
                || grouped_in(value, now)
                || is_label_key(key)
                || (!narrowing_key(key) && list_within(value, now))
                || flags_covered(&text(value), &text(now))
        }
        None => !new_keys.contains(key.as_str()) && usual.get(key) == Some(value),
    })
}

/// A key whose list leaves things out (`skip: [build, test]`, `exclude`): more items run less.
fn narrowing_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    is_skip_key(key) || last.contains("exclude") || last.contains("ignore")
}

/// `old` is a list whose every item `new`, a list, still holds (`steps: [clippy, test]` →
/// `[fmt, clippy, test]`, or spelled as words: `interpreter: graalpy3.11 graalpy3.12` →
/// `pypy3.11 graalpy3.11 graalpy3.12`): the leg runs each thing it ran.
fn list_within(old: &str, new: &str) -> bool {
    let items = |value: &str| serde_json::from_str::<Vec<serde_json::Value>>(value).ok();
    match (items(old), items(new)) {
        (Some(was), Some(is)) => was.iter().all(|item| is.contains(item)),
        _ => words_within(&text(old), &text(new)),
    }
}

/// `old` is a list of two or more words, none a flag, every one of which `new` holds: a list
/// written as a string (a command takes it as that many arguments). Flags are left to
/// [`flags_covered`], which knows which of them narrow.
fn words_within(old: &str, new: &str) -> bool {
    let words =
        |value: &str| -> Vec<String> { value.split_whitespace().map(str::to_string).collect() };
    let (was, is) = (words(old), words(new));
    was.len() > 1
        && !was
            .iter()
            .chain(&is)
            .any(|w| w.starts_with('-') || w.contains("${{"))
        && was.iter().all(|w| is.contains(w))
}

/// `old` and `new` are command-line flags (a leg's options, one of them maybe empty), and `new`
/// runs all that `old` ran: each flag of `old` is still passed (as an alias, or within a wider
/// flag: `--workspace` for `-p nu_plugin_*`) unless dropping it runs more (`--exclude x`), and
/// `new` adds no flag that narrows.
fn flags_covered(old: &str, new: &str) -> bool {
    let flag_like = |value: &str| value.is_empty() || value.starts_with('-');
    if old == new || !flag_like(old) || !flag_like(new) {
        return false;
    }
    let parse = |value: &str| {
        let words: Vec<&str> = std::iter::once("tool")
            .chain(value.split_whitespace())
            .collect();
        model::flags(&words)
    };
    let (was, is) = (parse(old), parse(new));
    let added: Vec<String> = is
        .iter()
        .filter(|f| {
            let canonical = canonical_flag(f);
            !was.iter().any(|w| canonical_flag(w) == canonical)
        })
        .cloned()
        .collect();
    was.iter()
        .all(|flag| narrows(flag) || still_passed(flag, &is))
        && narrowing_added(&was, &added).is_empty()
}

/// The legs with each value a job reads as the name of an environment variable
/// (`${{ env[matrix.target.options] }}`) replaced by that variable's value (`lookup`), so two
/// legs compare by the options they pass, not by the variable's name. `None` when the job reads
/// no variable that way.
pub fn resolve_env_names(
    legs: &[Combination],
    job_text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<Vec<Combination>> {
    let paths: Vec<Vec<&str>> = job_text
        .match_indices("env[matrix.")
        .filter_map(|(at, found)| {
            let rest = &job_text[at + found.len()..];
            let path = &rest[..rest.find(']')?];
            path.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                .then(|| path.split('.').collect())
        })
        .collect();
    if paths.is_empty() {
        return None;
    }
    let resolved = legs
        .iter()
        .map(|leg| {
            let mut leg = leg.clone();
            for path in &paths {
                let Some((first, rest)) = path.split_first() else {
                    continue;
                };
                let Some(raw) = leg.get(*first) else { continue };
                let Ok(mut value) = serde_json::from_str::<serde_json::Value>(raw) else {
                    continue;
                };
                let pointer: String = rest.iter().map(|part| format!("/{part}")).collect();
                let name = value
                    .pointer(&pointer)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string);
                let Some(options) = name.and_then(|name| lookup(&name)) else {
                    continue;
                };
                if let Some(slot) = value.pointer_mut(&pointer) {
                    let words: Vec<&str> = options.split_whitespace().collect();
                    *slot = serde_json::Value::String(words.join(" "));
                    leg.insert((*first).to_string(), value.to_string());
                }
            }
            leg
        })
        .collect();
    Some(resolved)
}

/// The values `candidate` edits in `leg`, when it runs the same leg edited: every difference
/// is a version, a runner label of the same platform, or a key the new matrix dropped, and at
/// most one other value differs. `None` when it is another leg.
fn edits(
    leg: &Combination,
    candidate: &Combination,
    new_keys: &std::collections::BTreeSet<&str>,
) -> Option<Vec<(String, String, String)>> {
    if adds_skip(leg, candidate) {
        return None;
    }
    let mut edits = Vec::new();
    let mut others = 0;
    for (key, value) in leg {
        let now = match candidate.get(key) {
            Some(now) if now == value => continue,
            Some(now) => now,
            None if !new_keys.contains(key.as_str()) => {
                edits.push((key.clone(), text(value), "(key removed)".to_string()));
                others += 1;
                continue;
            }
            None => return None,
        };
        let (was, is) = (text(value), text(now));
        if narrowed(&was, &is) {
            return None;
        }
        if is_platform_key(key) {
            if !same_platform(&was, &is) {
                return None;
            }
        } else if !(is_version(&was) && is_version(&is)) {
            others += 1;
        }
        edits.push((key.clone(), was, is));
    }
    (others <= 1 && !edits.is_empty()).then_some(edits)
}

/// Whether `new` is the expression `old` with a condition joined by `&&` (`${{ a }}` →
/// `${{ a && b }}`): true in fewer runs, so the leg runs less, which is a loss, not an edit.
fn narrowed(old: &str, new: &str) -> bool {
    let inner = |value: &str| -> Option<String> {
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        let inner = value.strip_prefix("${{")?.strip_suffix("}}")?;
        Some(inner.trim().to_string())
    };
    match (inner(old), inner(new)) {
        (Some(was), Some(is)) => is
            .strip_prefix(was.as_str())
            .is_some_and(|rest| rest.trim_start().starts_with("&&")),
        _ => false,
    }
}

/// A version: digits and dots, after an optional word (`3.12`, `pypy3.10`, `1.78.0`, `v20`,
/// `nightly-2025-08-06`).
fn is_version(value: &str) -> bool {
    let digits = value.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 't'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(pairs: &[(&str, &str)]) -> Combination {
        pairs
            .iter()
            .map(|(k, v)| {
                let value = if v.starts_with(['{', '[']) {
                    v.to_string()
                } else {
                    serde_json::Value::String(v.to_string()).to_string()
                };
                (k.to_string(), value)
            })
            .collect()
    }

    #[test]
    fn runner_bumped_on_the_same_platform_is_an_edit() {
        let old = [leg(&[("os", "macos"), ("runner", "macos-13")])];
        let new = [leg(&[("os", "macos"), ("runner", "macos-15-intel")])];
        assert!(matches!(match_legs(&old, &new)[0], Leg::Edited(0, _)));
        let new = [leg(&[("os", "macos"), ("runner", "ubuntu-24.04")])];
        assert_eq!(match_legs(&old, &new), [Leg::Lost]);
    }

    #[test]
    fn a_skip_key_added_loses_the_leg() {
        let old = [leg(&[("runner", "ubicloud-standard-16-arm")])];
        let new = [leg(&[
            (
                "runner",
                "${{ cond && 'ubuntu-24.04' || 'ubicloud-standard-16-arm' }}",
            ),
            ("skip", "${{ cond }}"),
        ])];
        assert_eq!(match_legs(&old, &new), [Leg::Lost]);
    }

    #[test]
    fn mapping_fields_added_and_values_grouped_keep_the_leg() {
        let old = [leg(&[(
            "platform",
            r#"{"os":"ubuntu-latest","toolchain":"1.59.0"}"#,
        )])];
        let new = [leg(&[(
            "platform",
            r#"{"command":"test","os":"ubuntu-latest","toolchain":"1.59.0"}"#,
        )])];
        assert_eq!(match_legs(&old, &new), [Leg::Kept]);
        let old = [leg(&[("fuzz", "a")]), leg(&[("fuzz", "b")])];
        let new = [leg(&[("fuzz", r#"["a","b"]"#)])];
        assert_eq!(match_legs(&old, &new), [Leg::Kept, Leg::Kept]);
    }

    #[test]
    fn a_dropped_key_keeps_only_its_usual_value() {
        let old = [
            leg(&[("feature", "default"), ("os", "linux")]),
            leg(&[("feature", "default"), ("os", "windows")]),
            leg(&[("feature", "extra"), ("os", "linux")]),
        ];
        let new = [leg(&[("os", "linux")]), leg(&[("os", "windows")])];
        assert_eq!(match_legs(&old, &new), [Leg::Kept, Leg::Kept, Leg::Lost]);
    }

    #[test]
    fn a_key_renamed_with_the_same_values_keeps_its_legs() {
        let old = [
            leg(&[("style", "default"), ("flags", "")]),
            leg(&[("style", "extra"), ("flags", "--features=extra ")]),
        ];
        let new = [
            leg(&[("feature", "default"), ("flags", "")]),
            leg(&[("feature", "extra"), ("flags", "--features=extra")]),
        ];
        assert_eq!(match_legs(&old, &new), [Leg::Kept, Leg::Kept]);
    }

    #[test]
    fn a_leg_whose_word_list_another_leg_holds_is_kept() {
        let built = |interpreter: &str| leg(&[("os", "linux"), ("interpreter", interpreter)]);
        let old = [
            built("pypy3.11 graalpy3.11 graalpy3.12"),
            built("graalpy3.11 graalpy3.12"),
        ];
        let new = [built("pypy3.11 graalpy3.11 graalpy3.12")];
        assert_eq!(match_legs(&old, &new), [Leg::Kept, Leg::Kept]);
        // One interpreter no leg builds any more: lost.
        let fewer = [built("pypy3.11 graalpy3.11")];
        assert_ne!(match_legs(&old[1..], &fewer), [Leg::Kept]);
    }

    #[test]
    fn options_a_new_leg_widens_keep_the_leg() {
        assert!(flags_covered(
            "--package nu_plugin_* --all-targets",
            "--workspace --all-targets"
        ));
        assert!(flags_covered("--workspace --exclude a", "--workspace"));
        assert!(flags_covered("", "--all-features"));
        assert!(!flags_covered("--workspace", "--workspace --exclude a"));
        assert!(!flags_covered("--all-targets", "--lib"));
        assert!(!flags_covered("-p a", "--workspace --exclude a"));
        assert!(!flags_covered("MAIN", "--workspace"));
        assert!(list_within(
            r#"["clippy","test"]"#,
            r#"["fmt","clippy","test"]"#
        ));
        assert!(!list_within(r#"["clippy","test"]"#, r#"["fmt","clippy"]"#));
        // More items to skip run less.
        let old = [leg(&[("os", "linux"), ("skip", r#"["build"]"#)])];
        let new = [leg(&[("os", "linux"), ("skip", r#"["build","test"]"#)])];
        assert_ne!(match_legs(&old, &new), [Leg::Kept]);
    }

    #[test]
    fn options_named_by_a_leg_are_resolved_from_the_environment() {
        let legs = [leg(&[(
            "target",
            r#"{"host":"ubuntu-22.04","name":"Plugins","options":"PLUGIN_OPTIONS"}"#,
        )])];
        let env = |name: &str| (name == "PLUGIN_OPTIONS").then(|| "--package  p_* ".to_string());
        let text = "run: cargo test ${{ env[matrix.target.options] }}";
        let resolved = resolve_env_names(&legs, text, env).unwrap();
        assert_eq!(
            resolved[0]["target"],
            r#"{"host":"ubuntu-22.04","name":"Plugins","options":"--package p_*"}"#
        );
        assert!(resolve_env_names(&legs, "run: cargo test", env).is_none());
    }

    #[test]
    fn a_version_dropped_without_a_new_one_is_lost() {
        let old = [leg(&[("python", "3.9")]), leg(&[("python", "3.10")])];
        let new = [leg(&[("python", "3.10")])];
        assert_eq!(match_legs(&old, &new), [Leg::Lost, Leg::Kept]);
        let new = [leg(&[("python", "3.10")]), leg(&[("python", "3.13")])];
        assert!(matches!(match_legs(&old, &new)[0], Leg::Edited(1, _)));
    }
}
