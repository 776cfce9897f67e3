//! Signature ablation for `bench/diagnose_folds.py`: which lines `diagnose` ranks first with every
//! signature, and with each signature left out in turn, on the logs named on stdin (one path a
//! line). Only the signatures that match some line of a log are left out for it (the others
//! cannot change its ranking). Prints one JSON object per log and variant:
//! `{"path": …, "without": null | "signature.id", "ranked": [line, …]}`.
//!
//! With `--sets`, each stdin line is `path<TAB>id,id,…` instead, and the log is ranked once with
//! all those signatures left out together (`"without": "id,id,…"`).
//!
//! With `--explain` too, each variant's object also has `"explained"`: the first places with
//! their score, signatures and text, for reading a miss.
//!
//! The scoring (which ranked line counts as right) is the evaluation script's; this only ranks.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use plimsoll_diagnose::signatures::SIGNATURES_TOML;
use plimsoll_diagnose::{diagnose, LogSource, Signatures};

/// Ranked places reported per run: the evaluation scores top-1 and top-3.
const PLACES: usize = 3;
/// Ranked places `--explain` shows.
const EXPLAINED_PLACES: usize = 8;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let full = Signatures::builtin();
    // The file's blocks: the header, then one `[[signature]]` each, in the order of `list`.
    let mut blocks: Vec<&str> = SIGNATURES_TOML.split("\n[[signature]]\n").collect();
    let header = blocks.remove(0);
    if blocks.len() != full.list.len() {
        return Err(format!(
            "{} signature blocks for {} signatures: the file's layout changed",
            blocks.len(),
            full.list.len()
        )
        .into());
    }
    let without_all = |skip: &[usize]| -> Result<Signatures, Box<dyn std::error::Error>> {
        let mut text = header.to_string();
        for (index, block) in blocks.iter().enumerate() {
            if !skip.contains(&index) {
                text.push_str("\n[[signature]]\n");
                text.push_str(block);
            }
        }
        Ok(Signatures::parse(&text)?)
    };
    let without = |skip: usize| without_all(&[skip]);
    let sets = std::env::args().any(|a| a == "--sets");
    let explain = std::env::args().any(|a| a == "--explain");
    let mut variants: Vec<Option<Signatures>> = (0..full.list.len()).map(|_| None).collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut matched = Vec::new();
    let mut cleaned = String::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let (path, ids) = line.split_once('\t').unwrap_or((&line, ""));
        let path = PathBuf::from(path);
        let source = LogSource::Path(path.clone());
        let rank = |signatures: &Signatures| -> Vec<usize> {
            diagnose(&source, None, signatures)
                .map(|a| {
                    a.candidates
                        .iter()
                        .take(PLACES)
                        .map(|c| c.line.line)
                        .collect()
                })
                .unwrap_or_default()
        };
        let label = serde_json::to_string(&path.display().to_string())?;
        if sets {
            let skip: Vec<usize> = ids
                .split(',')
                .filter_map(|id| full.list.iter().position(|s| s.id == id))
                .collect();
            let signatures = without_all(&skip)?;
            let ranked = rank(&signatures);
            let ids = serde_json::to_string(ids)?;
            let explained = if explain {
                let places: Vec<serde_json::Value> = diagnose(&source, None, &signatures)
                    .map(|a| {
                        a.candidates
                            .iter()
                            .take(EXPLAINED_PLACES)
                            .map(|c| {
                                serde_json::json!({
                                    "line": c.line.line,
                                    "score": c.score,
                                    "signatures": c.signatures,
                                    "text": c.line.text,
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!(",\"explained\":{}", serde_json::Value::Array(places))
            } else {
                String::new()
            };
            writeln!(
                out,
                "{{\"path\":{label},\"without\":{ids},\"ranked\":{ranked:?}{explained}}}"
            )?;
            continue;
        }
        writeln!(
            out,
            "{{\"path\":{label},\"without\":null,\"ranked\":{:?}}}",
            rank(full)
        )?;
        let bytes = std::fs::read(&path)?;
        let mut present = std::collections::BTreeSet::new();
        for (number, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            plimsoll_diagnose::reader::clean(raw, number == 0, &mut cleaned);
            full.matches(&cleaned, &mut matched);
            present.extend(matched.iter().copied());
        }
        for index in present {
            if variants[index].is_none() {
                variants[index] = Some(without(index)?);
            }
            if let Some(signatures) = &variants[index] {
                let id = serde_json::to_string(&full.list[index].id)?;
                writeln!(
                    out,
                    "{{\"path\":{label},\"without\":{id},\"ranked\":{:?}}}",
                    rank(signatures)
                )?;
            }
        }
    }
    Ok(())
}
