//! The lock file: per generated file, the generator's inputs and the text it generated, the
//! common ancestor of the next regeneration's three-way merge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::InitError;

/// Where the lock file lives, relative to the project.
pub const PATH: &str = ".github/plimsoll-init.lock";

const HEADER: &str =
    "# Written by `plimsoll init`: what it generated last, per file. The next `plimsoll init`\n\
# merges the changes of a regeneration into each file as edited since; keep this file committed.\n";

/// The lock file's content.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Lock {
    /// Format version.
    pub version: u32,
    /// One entry per generated file, by path.
    #[serde(default, rename = "file")]
    pub files: Vec<LockEntry>,
}

/// What was generated for one file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LockEntry {
    /// The file, relative to the project, `/`-separated.
    pub path: String,
    /// The generator (`ci`, `dependabot`).
    pub generator: String,
    /// The facts of the project it generated from.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// The text it generated.
    pub text: String,
}

impl Lock {
    /// Parse a lock file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Lock, InitError> {
        toml::from_str(text).map_err(|err| InitError::Parse {
            path: origin.to_string(),
            message: err.to_string(),
        })
    }

    /// The entry of `path`.
    pub fn entry(&self, path: &str) -> Option<&LockEntry> {
        self.files.iter().find(|entry| entry.path == path)
    }

    /// Record `entry`, replacing the entry of the same path.
    pub fn record(&mut self, entry: LockEntry) {
        match self.files.iter_mut().find(|e| e.path == entry.path) {
            Some(existing) => *existing = entry,
            None => self.files.push(entry),
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// The lock file's text.
    pub fn render(&self) -> Result<String, InitError> {
        let body = toml::to_string(self).map_err(|err| InitError::Render(err.to_string()))?;
        Ok(format!("{HEADER}{body}"))
    }
}
