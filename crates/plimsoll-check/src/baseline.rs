//! Baselines: record today's findings so that a repository adopting plimsoll fails only on new
//! ones. Findings are matched by fingerprint (rule, file, the text of the offending line and the
//! message), not by line number, so they survive lines moving.
//!
//! A baseline is committed for everyone to read, and its fingerprints are unkeyed hashes: they
//! are computed over the line with its credentials masked and the message without the keyed
//! hashes of redacted secrets, which the file does not hold either, so neither confirms a guess
//! at a secret, and both stay the same from run to run.

use std::collections::HashMap;
use std::path::Path;

use crate::finding::Finding;

/// The largest baseline read: far above what the findings caps let a run record (a few hundred
/// bytes per finding), far below what would exhaust a runner's memory.
const MAX_BASELINE_SIZE: u64 = 256 * 1024 * 1024;

/// Version of the baseline file format. Version 2 fingerprints lines with their credentials
/// masked and messages without the keyed hash: a version 1 file matches few secret findings and
/// its fingerprints over unmasked lines can confirm a guess at a credential, so it is refused
/// with a request to record it again rather than read.
pub const BASELINE_VERSION: u32 = 2;

/// A problem with a baseline file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read baseline {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: plimsoll_syntax::file::ReadError,
    },
    /// The file is not a baseline.
    #[error("{path}:{line}:{column}: not a plimsoll baseline: {message}")]
    Format {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<BaselineEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineEntry {
    fingerprint: String,
    rule: String,
    path: String,
    message: String,
}

/// Fingerprints of accepted findings, with how many of each.
#[derive(Debug, Default)]
pub struct Baseline {
    counts: HashMap<String, usize>,
}

impl Baseline {
    /// Read a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        // `--baseline` may name anything: a FIFO would block forever and `/dev/zero` never
        // ends, so only a regular file of bounded size is read.
        let read_error = |source| BaselineError::Read {
            path: path.display().to_string(),
            source,
        };
        let bytes =
            plimsoll_syntax::file::read_regular(path, MAX_BASELINE_SIZE).map_err(read_error)?;
        let text = String::from_utf8(bytes).map_err(|err| {
            read_error(plimsoll_syntax::file::ReadError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                err.utf8_error(),
            )))
        })?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|e| BaselineError::Format {
                path: path.display().to_string(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        if file.version != BASELINE_VERSION {
            return Err(BaselineError::Format {
                path: path.display().to_string(),
                line: 1,
                column: 1,
                message: format!(
                    "version {} (this plimsoll reads {BASELINE_VERSION}); record it again with \
                     `plimsoll check --write-baseline {}`, and drop the old file from history if \
                     it fingerprinted lines holding credentials",
                    file.version,
                    path.display()
                ),
            });
        }
        let mut counts = HashMap::new();
        for entry in file.findings {
            *counts.entry(entry.fingerprint).or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// The baseline file's text for `findings`.
    pub fn render(findings: &[Finding]) -> String {
        let file = BaselineFile {
            version: BASELINE_VERSION,
            findings: findings
                .iter()
                .map(|f| BaselineEntry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.name.to_string(),
                    path: f.location.path.display().to_string().replace('\\', "/"),
                    message: crate::secrets::without_hashes(&f.message).into_owned(),
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Drop the findings the baseline accepts; returns how many were dropped.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let mut remaining = self.counts.clone();
        let before = findings.len();
        findings.retain(|f| match remaining.get_mut(&f.fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        before - findings.len()
    }
}

/// A 64-bit FNV-1a hash, as 16 hex digits: stable across runs, platforms and versions.
pub fn stable_hash(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
