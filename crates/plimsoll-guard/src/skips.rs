//! Tests newly skipped in code: `#[ignore]` in Rust, pytest and unittest skips, `it.skip` and
//! `xit` (and `.only`, which skips every other test) in JavaScript, `t.Skip` in Go.
//!
//! A marker counts as new when the new version of a file has more lines with that exact text
//! than the old one: moving a skipped test, or re-indenting it, is not a new skip.

use std::collections::HashMap;
use std::path::Path;

use plimsoll_syntax::{SourceFile, Span};

use crate::location::Location;
use crate::snapshot::{code_text, read_inside, walk, CodeChange};
use crate::GuardError;

/// One newly skipped test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSkip {
    /// The marker found (`#[ignore]`, `it.skip`).
    pub marker: &'static str,
    /// The line that holds it, trimmed.
    pub text: String,
    /// Where it is in the new version.
    pub location: Location,
    /// Where the test it skips was in the old version, when guard finds it there.
    pub before: Option<Location>,
}

const RUST: &[&str] = &["#[ignore"];
const PYTHON: &[&str] = &[
    "@pytest.mark.skip",
    "pytest.skip(",
    "@unittest.skip",
    "self.skipTest(",
];
const SCRIPT: &[&str] = &[
    "it.skip(",
    "test.skip(",
    "describe.skip(",
    "xit(",
    "xtest(",
    "xdescribe(",
    "it.only(",
    "test.only(",
    "describe.only(",
    "fit(",
    "fdescribe(",
];
const GO: &[&str] = &["t.Skip(", "t.Skipf(", "t.SkipNow(", "b.Skip(", "b.Skipf("];

fn markers_for(path: &str) -> &'static [&'static str] {
    let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension {
        "rs" => RUST,
        "py" => PYTHON,
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts" => SCRIPT,
        "go" => GO,
        _ => &[],
    }
}

/// Whether guard looks for skipped tests in `path`.
pub fn is_code_file(path: &str) -> bool {
    !markers_for(path).is_empty()
}

/// The marker on `line`, if it is code (not a comment) holding one.
fn marker_of(line: &str, markers: &[&'static str]) -> Option<&'static str> {
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") || (trimmed.starts_with('#') && !trimmed.starts_with("#[")) {
        return None;
    }
    markers.iter().copied().find(|marker| {
        trimmed.match_indices(marker).any(|(at, _)| {
            // `xit(` must not match `exit(`; `fit(` not `profit(`.
            at == 0
                || !trimmed[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}

/// Skips present in the new version of `change` and not in the old one.
pub fn new_skips(change: &CodeChange) -> Vec<NewSkip> {
    let markers = markers_for(&change.path);
    let Some(after) = &change.after else {
        return Vec::new();
    };
    // A file this change adds held no test that ran before: none of its skips loses one.
    if change.before.is_none() {
        return Vec::new();
    }
    if markers.is_empty() || !markers.iter().any(|m| after.contains(m)) {
        return Vec::new();
    }
    let mut old: HashMap<&str, usize> = HashMap::new();
    for line in change.before.as_deref().unwrap_or("").lines() {
        if marker_of(line, markers).is_some() {
            *old.entry(line.trim()).or_default() += 1;
        }
    }
    let source = SourceFile::new(&change.path, after.as_str());
    let before = change.before.as_deref().unwrap_or("");
    let lines: Vec<&str> = after.split_inclusive('\n').collect();
    let mut found = Vec::new();
    let mut offset = 0;
    for (i, line) in lines.iter().enumerate() {
        if let Some(marker) = marker_of(line, markers) {
            let text = line.trim();
            // A test (or module of tests) this very change adds never ran: skipping it loses
            // nothing.
            // A skip called inside a test's body (`t.Skip()`, `pytest.skip()`) skips the
            // function around it.
            let name = skipped_name(&lines[i..]).or_else(|| enclosing_function(&lines[..i]));
            let added_here = name.is_some_and(|name| !mentions(before, name));
            match old.get_mut(text) {
                Some(count) if *count > 0 => *count -= 1,
                _ if added_here => {}
                _ => {
                    let start = offset + (line.len() - line.trim_start().len());
                    let span = Span::new(start, start + text.len());
                    found.push(NewSkip {
                        marker: marker.trim_end_matches('('),
                        text: text.to_string(),
                        location: Location::of(&change.path, &source, span),
                        before: name.and_then(|name| declared_at(&change.path, before, name)),
                    });
                }
            }
        }
        offset += line.len();
    }
    found
}

/// The name of the function, class or module a skip marker applies to: the first
/// `fn`/`def`/`func`/`class`/`mod`/`describe`/`it`/`test` on the marker's line or the few lines
/// after it.
fn skipped_name<'a>(lines: &[&'a str]) -> Option<&'a str> {
    const DECLARATIONS: &[&str] = &[
        "fn ",
        "def ",
        "func ",
        "class ",
        "mod ",
        ".skip(",
        "test(",
        "it(",
        "describe(",
    ];
    lines.iter().take(4).find_map(|line| {
        DECLARATIONS.iter().find_map(|keyword| {
            let at = line.find(keyword)?;
            let rest = &line[at + keyword.len()..];
            // `it('name'`, `.skip("name"`: a call names its test by its first, quoted argument.
            if keyword.ends_with('(') && !rest.starts_with(['\'', '"', '`']) {
                return None;
            }
            let rest = rest.trim_start_matches(['\'', '"', '`', ' ']);
            let end = rest
                .find(|c: char| {
                    !(c.is_alphanumeric() || c == '_' || c == ' ' && keyword.ends_with('('))
                })
                .unwrap_or(rest.len());
            let name = rest[..end].trim();
            (!name.is_empty()).then_some(name)
        })
    })
}

/// The name of the function whose body the lines before a marker end in: the nearest
/// `func Name(` (Go) or `def name(` (Python) above it, within a test's usual length.
fn enclosing_function<'a>(lines: &[&'a str]) -> Option<&'a str> {
    lines.iter().rev().take(40).find_map(|line| {
        let trimmed = line.trim_start();
        let rest = trimmed
            .strip_prefix("func ")
            .or_else(|| trimmed.strip_prefix("def "))
            .or_else(|| trimmed.strip_prefix("async def "))?;
        let end = rest.find('(')?;
        let name = rest[..end].trim();
        (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
    })
}

/// Where the old version `text` of the file at `path` declares the test `name`: the first line
/// naming it as a whole word, from its first non-blank character.
fn declared_at(path: &str, text: &str, name: &str) -> Option<Location> {
    let source = SourceFile::new(path, text);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if mentions(line, name) {
            let start = offset + (line.len() - line.trim_start().len());
            let span = Span::new(start, start + line.trim().len());
            return Some(Location::of(path, &source, span));
        }
        offset += line.len();
    }
    None
}

/// Whether `text` names `name` as a whole word.
fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

/// Source files that differ between two folders, for the test-skip scan. (It lives here, not
/// in `snapshot`, so that `snapshot` does not import `skips` back.)
pub fn code_changes_between(before: &Path, after: &Path) -> Result<Vec<CodeChange>, GuardError> {
    if !before.is_dir() || !after.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<String> = walk(before)?;
    paths.extend(walk(after)?);
    paths.sort();
    paths.dedup();
    let read =
        |root: &Path, relative: &str| -> Option<String> { code_text(read_inside(root, relative)) };
    let mut changes = Vec::new();
    for path in paths {
        if !is_code_file(&path) {
            continue;
        }
        let old = read(before, &path);
        let new = read(after, &path);
        if old != new {
            changes.push(CodeChange {
                path,
                before: old,
                after: new,
            });
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_markers_count() {
        let change = CodeChange {
            path: "src/lib.rs".into(),
            before: Some("#[test]\n#[ignore]\nfn a() {}\n#[test]\nfn b() {}\n".into()),
            after: Some("#[test]\n#[ignore]\nfn a() {}\n#[test]\n    #[ignore = \"slow\"]\nfn b() {}\n// #[ignore]\n#[test]\n#[ignore]\nfn new_here() {}\n".into()),
        };
        let skips = new_skips(&change);
        assert_eq!(skips.len(), 1);
        assert_eq!(skips[0].location.line, 5);
        assert_eq!(skips[0].location.column, 5);
        let js = CodeChange {
            path: "a.test.js".into(),
            before: Some("it('x', () => {})\n".into()),
            after: Some("process.exit(1)\nxit('x', () => {})\nxit('new', () => {})\n".into()),
        };
        assert_eq!(new_skips(&js).len(), 1);
    }
}
