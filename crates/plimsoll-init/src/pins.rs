//! The pin table: which commit SHA each action is pinned to, the Rust release CI installs when
//! the project pins none, and the versions of the cargo tools CI installs. The table is data
//! (`pins.toml` in this crate, built in); `--update-pins` refreshes it from the actions'
//! repositories with `git ls-remote`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::InitError;

/// The table built into the binary.
pub const BUILT_IN: &str = include_str!("../pins.toml");

/// One action's pin.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct ActionPin {
    /// `owner/repo` (or `owner/repo/path`).
    pub name: String,
    /// The release tag the SHA is, e.g. `v4.2.2`.
    pub version: String,
    /// The full commit SHA.
    pub sha: String,
    /// Whether the SHA was checked against the action's repository.
    pub verified: bool,
}

/// The whole table.
#[derive(Clone, Debug, Deserialize)]
pub struct Pins {
    /// The Rust release CI installs when the project has no `rust-toolchain.toml`.
    #[serde(rename = "rust-stable")]
    pub rust_stable: String,
    /// Runtime (`node`, `python`, `go`) → the release used when the project names none.
    #[serde(default)]
    pub runtimes: BTreeMap<String, String>,
    /// Tool → version: cargo tools for `cargo install --locked --version`, Python's project
    /// tools for pip, wrangler for its action.
    #[serde(default)]
    pub tools: BTreeMap<String, String>,
    /// The actions.
    #[serde(default, rename = "action")]
    pub actions: Vec<ActionPin>,
}

impl Pins {
    /// Parse a table; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Pins, InitError> {
        let pins: Pins = toml::from_str(text).map_err(|err| InitError::Parse {
            path: origin.to_string(),
            message: err.to_string(),
        })?;
        for pin in &pins.actions {
            if !is_full_sha(&pin.sha) {
                return Err(InitError::Parse {
                    path: origin.to_string(),
                    message: format!("the SHA of {} is not 40 hex digits: {}", pin.name, pin.sha),
                });
            }
        }
        Ok(pins)
    }

    /// The pin of `action`.
    pub fn action(&self, action: &str) -> Result<&ActionPin, InitError> {
        self.actions
            .iter()
            .find(|pin| pin.name.eq_ignore_ascii_case(action))
            .ok_or_else(|| InitError::MissingPin(action.to_string()))
    }

    /// `uses:` value for `action`: `owner/repo@sha # version`.
    pub fn uses(&self, action: &str) -> Result<String, InitError> {
        let pin = self.action(action)?;
        Ok(format!("{}@{} # {}", pin.name, pin.sha, pin.version))
    }

    /// The release of `runtime` used when the project names none.
    pub fn runtime(&self, runtime: &str) -> Result<&str, InitError> {
        self.runtimes
            .get(runtime)
            .map(String::as_str)
            .ok_or_else(|| InitError::MissingPin(runtime.to_string()))
    }

    /// The version of tool `tool`.
    pub fn tool(&self, tool: &str) -> Result<&str, InitError> {
        self.tools
            .get(tool)
            .map(String::as_str)
            .ok_or_else(|| InitError::MissingPin(tool.to_string()))
    }
}

fn is_full_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What `--update-pins` did to one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinUpdate {
    /// The action.
    pub name: String,
    /// Version and SHA before.
    pub before: (String, String),
    /// Version and SHA after; equal to `before` when the row was current.
    pub after: (String, String),
}

/// Refresh every action row of the table `text` from `{remote_base}/{owner}/{repo}`: the newest
/// `vX.Y.Z` tag of the same major version (a new major can rename inputs, so it is left to a
/// person), and the commit it points to (an annotated tag is peeled). Rows become
/// `verified = true`. Everything before the first row (comments, Rust and tool versions) is kept
/// as written.
pub fn update(text: &str, remote_base: &str) -> Result<(String, Vec<PinUpdate>), InitError> {
    let pins = Pins::parse(text, "the pin table")?;
    let mut updates = Vec::new();
    let mut rows = Vec::new();
    for pin in &pins.actions {
        let repository: Vec<&str> = pin.name.splitn(3, '/').take(2).collect();
        let url = format!(
            "{}/{}",
            remote_base.trim_end_matches('/'),
            repository.join("/")
        );
        let tags = ls_remote_tags(&url)?;
        let (version, sha) =
            newest_of_major(&tags, &pin.version).ok_or_else(|| InitError::NoRelease {
                action: pin.name.clone(),
                major: major_of(&pin.version).unwrap_or_default(),
                url: url.clone(),
            })?;
        updates.push(PinUpdate {
            name: pin.name.clone(),
            before: (pin.version.clone(), pin.sha.clone()),
            after: (version.clone(), sha.clone()),
        });
        rows.push(ActionPin {
            name: pin.name.clone(),
            version,
            sha,
            verified: true,
        });
    }
    let head = match text.find("[[action]]") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = head.trim_end().to_string();
    out.push('\n');
    for row in &rows {
        out.push_str(&format!(
            "\n[[action]]\nname = \"{}\"\nversion = \"{}\"\nsha = \"{}\"\nverified = {}\n",
            row.name, row.version, row.sha, row.verified
        ));
    }
    Ok((out, updates))
}

/// Tag name → commit SHA at `url`, annotated tags peeled.
fn ls_remote_tags(url: &str) -> Result<BTreeMap<String, String>, InitError> {
    let refs = plimsoll_git::ls_remote(url, &[]).map_err(|err| InitError::Git {
        url: url.to_string(),
        message: match err {
            plimsoll_git::GitError::Failed { stderr, .. } => stderr,
            other => other.to_string(),
        },
    })?;
    Ok(refs.tags)
}

/// `(major, minor, patch)` of a `vX.Y.Z` tag.
fn semver(tag: &str) -> Option<(u64, u64, u64)> {
    let mut parts = tag.strip_prefix('v')?.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((major, minor, patch))
}

fn major_of(version: &str) -> Option<u64> {
    version.strip_prefix('v')?.split('.').next()?.parse().ok()
}

/// The newest `vX.Y.Z` tag of the major version of `current`, and its commit.
fn newest_of_major(tags: &BTreeMap<String, String>, current: &str) -> Option<(String, String)> {
    let major = major_of(current)?;
    tags.iter()
        .filter_map(|(tag, sha)| semver(tag).map(|version| (version, tag, sha)))
        .filter(|((tag_major, _, _), _, _)| *tag_major == major)
        .max_by_key(|(version, _, _)| *version)
        .map(|(_, tag, sha)| (tag.clone(), sha.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_table_parses_and_pins_full_shas() {
        let pins = Pins::parse(BUILT_IN, "pins.toml").unwrap();
        assert!(pins.action("actions/checkout").unwrap().verified);
        assert!(pins
            .uses("actions/checkout")
            .unwrap()
            .contains("@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"));
    }

    #[test]
    fn newest_tag_stays_on_the_major_version() {
        let tags: BTreeMap<String, String> = [
            ("v2.7.0", "a"),
            ("v2.10.1", "b"),
            ("v2.9.9", "c"),
            ("v3.0.0", "d"),
            ("v2", "e"),
            ("v2.11.0-beta", "f"),
        ]
        .into_iter()
        .map(|(t, s)| (t.to_string(), s.to_string()))
        .collect();
        assert_eq!(
            newest_of_major(&tags, "v2.9.2"),
            Some(("v2.10.1".to_string(), "b".to_string()))
        );
    }
}
