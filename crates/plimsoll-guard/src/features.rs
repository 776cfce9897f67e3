//! Cargo features a matrix leg builds, and whether the code still has them.
//!
//! A leg that passes `--features x` (`--features=x,y`, `-F x`) checks feature `x`; when a commit
//! deletes the feature from the code (or folds it into the defaults), the leg goes with it and
//! nothing the code still has stops being checked. Whether `x` still exists is in the Cargo
//! manifests: per cargo's manifest format, a package's features are the keys of its
//! `[features]` table, and an optional dependency defines a feature of its name unless a
//! feature enables it as `dep:name`. When the compared revisions hold the code, that decides;
//! when they hold the CI folder alone, it is undecided.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use crate::matrix::Combination;
use crate::snapshot::Snapshot;

/// What a lost matrix leg's features say of the loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The leg checked what the code still has (or named no feature): a loss.
    Lost,
    /// No Cargo manifest of the new version declares the features it built: they went with it.
    Deleted,
    /// The revision holds no manifest, and the new version's CI passes none of its features
    /// anywhere: whether the code still has them is for a person to say.
    Undecided,
}

/// The new version's Cargo features, read when a leg is lost.
pub struct CargoCode<'a> {
    after: &'a Snapshot,
    declared: OnceCell<Option<BTreeSet<String>>>,
    passed_in_ci: OnceCell<BTreeSet<String>>,
}

impl<'a> CargoCode<'a> {
    /// The features of version `after`.
    pub fn new(after: &'a Snapshot) -> Self {
        CargoCode {
            after,
            declared: OnceCell::new(),
            passed_in_ci: OnceCell::new(),
        }
    }

    /// What losing `lost` says, given the new version's legs `legs`: a leg that differs from a
    /// new leg only in values that pass features the new leg does not (the same platform, the
    /// same toolchain, the labels that name those features), lost only those features; their
    /// fate is the leg's. The best fate over the new legs.
    pub fn fate(&self, lost: &Combination, legs: &[Combination]) -> Fate {
        legs.iter()
            .filter_map(|leg| self.fate_beside(lost, leg))
            .min_by_key(|fate| match fate {
                Fate::Deleted => 0,
                Fate::Undecided => 1,
                Fate::Lost => 2,
            })
            .unwrap_or(Fate::Lost)
    }

    /// The fate of `lost` beside the new leg `leg`, when they differ only in features.
    fn fate_beside(&self, lost: &Combination, leg: &Combination) -> Option<Fate> {
        let differing: Vec<&String> = lost
            .iter()
            .filter(|(key, value)| leg.get(*key) != Some(*value))
            .map(|(_, value)| value)
            .collect();
        let theirs = passed(&leg.values().cloned().collect::<Vec<_>>().join(" "));
        let only_lost: BTreeSet<String> = differing
            .iter()
            .flat_map(|value| passed(value))
            .filter(|name| !theirs.contains(name))
            .collect();
        // A dependency's feature (`serde/derive`) is declared by another package.
        if only_lost.is_empty() || only_lost.iter().any(|name| name.contains('/')) {
            return None;
        }
        let about_features = differing
            .iter()
            .all(|value| only_lost.iter().any(|name| mentions(value, name)));
        if !about_features {
            return None;
        }
        Some(match self.declared() {
            Some(declared) if only_lost.iter().all(|name| !declared.contains(name)) => {
                Fate::Deleted
            }
            Some(_) => Fate::Lost,
            None => {
                let in_ci = self.passed_in_ci.get_or_init(|| {
                    self.after
                        .files
                        .keys()
                        .filter_map(|key| self.after.text(key))
                        .flat_map(passed)
                        .collect()
                });
                if only_lost.iter().all(|name| !in_ci.contains(name)) {
                    Fate::Undecided
                } else {
                    Fate::Lost
                }
            }
        })
    }

    /// What a flag that selected code by name (`--features x`, Go's `-tags x`), no longer passed,
    /// says: the code may have dropped what it named. Cargo features are decided by the
    /// manifests; Go build tags are in the sources, which guard does not read, so with the code
    /// at hand the loss stands. Without it, names the new version's CI passes nowhere any more
    /// are undecided.
    pub fn selector_fate(&self, flag: &str) -> Fate {
        let features = passed(flag);
        let tags = build_tags(flag);
        if features.is_empty() == tags.is_empty() || features.iter().any(|n| n.contains('/')) {
            return Fate::Lost;
        }
        if !features.is_empty() {
            if let Some(declared) = self.declared() {
                return if features.iter().all(|name| !declared.contains(name)) {
                    Fate::Deleted
                } else {
                    Fate::Lost
                };
            }
        }
        if self.holds_code() {
            return Fate::Lost;
        }
        let texts = || {
            self.after
                .files
                .keys()
                .filter_map(|key| self.after.text(key))
        };
        let still_passed = if features.is_empty() {
            let in_ci: BTreeSet<String> = texts().flat_map(build_tags).collect();
            tags.iter().any(|tag| in_ci.contains(tag))
        } else {
            let in_ci = self
                .passed_in_ci
                .get_or_init(|| texts().flat_map(passed).collect());
            features.iter().any(|name| in_ci.contains(name))
        };
        if still_passed {
            Fate::Lost
        } else {
            Fate::Undecided
        }
    }

    /// Whether the new version's files are known beyond its CI folder.
    pub fn holds_code(&self) -> bool {
        self.after.knows_code()
    }

    /// The features the new version's manifests declare; `None` when it holds no code.
    fn declared(&self) -> Option<&BTreeSet<String>> {
        self.declared
            .get_or_init(|| {
                self.after.knows_code().then(|| {
                    declared(
                        self.after
                            .manifests
                            .iter()
                            .filter(|(path, _)| crate::snapshot::is_cargo_manifest(path))
                            .map(|(_, text)| text.as_str()),
                    )
                })
            })
            .as_ref()
    }
}

/// The features the Cargo manifests `manifests` declare (every package's, merged).
pub fn declared<'a>(manifests: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut features = BTreeSet::new();
    for text in manifests {
        let Ok(manifest) = text.parse::<toml::Table>() else {
            continue;
        };
        let table = manifest.get("features").and_then(toml::Value::as_table);
        let mut dep_enabled = BTreeSet::new();
        for (name, enables) in table.into_iter().flatten() {
            features.insert(name.clone());
            for item in enables.as_array().into_iter().flatten() {
                if let Some(dep) = item.as_str().and_then(|i| i.strip_prefix("dep:")) {
                    dep_enabled.insert(dep.to_string());
                }
            }
        }
        for (name, dependency) in dependency_tables(&manifest).flat_map(|t| t.iter()) {
            let optional = dependency
                .get("optional")
                .and_then(toml::Value::as_bool)
                .unwrap_or(false);
            if optional && !dep_enabled.contains(name) {
                features.insert(name.clone());
            }
        }
    }
    features
}

/// The dependency tables of a manifest: `[dependencies]`, `[dev-dependencies]`,
/// `[build-dependencies]`, and those of each `[target.'cfg'.…]`.
fn dependency_tables(manifest: &toml::Table) -> impl Iterator<Item = &toml::Table> {
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let targets = manifest
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|targets| targets.values())
        .filter_map(toml::Value::as_table);
    std::iter::once(manifest)
        .chain(targets)
        .flat_map(|table| KINDS.iter().filter_map(|kind| table.get(*kind)))
        .filter_map(toml::Value::as_table)
}

/// The feature names `text` passes to cargo: the values of `--features`, `--features=`, `-F`
/// and `-F=`, split on commas (a quoted `"a b"` is read as `a` alone: fewer names, so fewer
/// legs are taken for feature legs). A feature of a dependency (`serde/derive`) is named by its
/// whole path.
pub fn passed(text: &str) -> BTreeSet<String> {
    flag_values(text, &["--features", "-F"])
}

/// The Go build tags `text` passes: the values of `-tags` and `--tags` (with `=` or as the next
/// word), split on commas.
pub fn build_tags(text: &str) -> BTreeSet<String> {
    flag_values(text, &["-tags", "--tags"])
}

/// The comma-separated values `text` gives the flags `flags`, written `flag=value` or `flag
/// value`, a make or environment assignment around them aside (`GOOPTS=-tags=x`).
fn flag_values(text: &str, flags: &[&str]) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    let mut take_next = false;
    for word in text
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`'))
        .filter(|w| !w.is_empty())
        .map(unassigned)
    {
        let value = if take_next {
            take_next = false;
            Some(word)
        } else if let Some(value) = flags.iter().find_map(|flag| {
            word.strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
        }) {
            Some(value)
        } else {
            take_next = flags.contains(&word);
            None
        };
        for item in value.into_iter().flat_map(|v| v.split(',')) {
            let item = item.trim_matches(|c: char| !is_feature_char(c));
            if !item.is_empty() && !item.starts_with('-') {
                values.insert(item.to_string());
            }
        }
    }
    values
}

/// A word without the variable it assigns to (`GOOPTS=-tags=x` passes `-tags=x` to make's
/// recipe; `CARGO_FLAGS=--features=x` likewise).
fn unassigned(word: &str) -> &str {
    match word.split_once('=') {
        Some((name, value))
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
        {
            value
        }
        _ => word,
    }
}

/// Whether `c` may be part of a feature name (cargo allows letters, digits, `_`, `-`, `+`, and
/// `/` between a dependency and its feature).
fn is_feature_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '.')
}

/// Whether `text` holds the word `word` (bounded by characters that cannot be part of a
/// feature name).
pub fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_feature_char) && !after.is_some_and(is_feature_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_passed_in_every_spelling() {
        let names = passed("cargo test --features=a,b -F c --features 'd,e' --all-features");
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["a", "b", "c", "d", "e"]
        );
    }

    #[test]
    fn features_declared_by_tables_and_optional_dependencies() {
        let manifest = "[package]\nname = \"p\"\n[features]\ndefault = [\"tray\"]\ntray = [\"dep:tray-icon\"]\n[dependencies]\ntray-icon = { version = \"1\", optional = true }\nserde = { version = \"1\", optional = true }\n[target.'cfg(unix)'.dependencies]\nnix = { version = \"1\", optional = true }\n";
        let names = declared([manifest]);
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["default", "nix", "serde", "tray"]
        );
    }

    #[test]
    fn go_build_tags_in_every_spelling() {
        let tags = build_tags("go test --tags=a,b ./... && go build -tags c . GOOPTS=-tags=d");
        assert_eq!(tags.into_iter().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_word_is_not_part_of_a_longer_name() {
        assert!(mentions("--features=dataframe,extra", "extra"));
        assert!(!mentions("--features=extra-tools", "extra"));
    }
}
