//! Fixes: what a rule proposes to change so that its finding goes away.
//!
//! A [`Fix`] is data on a finding (as in ruff): byte-range [`Edit`]s of the file's text, a
//! message, and an [`Applicability`]. `plimsoll check --fix` applies the safe ones,
//! `--unsafe-fixes` the others too; the language server offers them as code actions.
//! [`apply`] makes one pass of non-overlapping fixes; the loop that re-checks and repeats until
//! nothing more can be fixed is the `fixer` module, which needs the engine.

use plimsoll_syntax::yaml::Node;
use plimsoll_syntax::Span;

/// Whether applying a fix keeps what the file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The behaviour changes (a default the user may not want, a credential later steps use):
    /// applied only with `--unsafe-fixes`.
    Unsafe,
    /// The behaviour is kept: applied by `--fix`.
    Safe,
}

impl Applicability {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Which fixes a rule can offer, for `plimsoll rules` and the documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    /// The rule offers no fix.
    None,
    /// Its fixes are always safe.
    Safe,
    /// Its fixes are always unsafe.
    Unsafe,
    /// Safe for some findings, unsafe for others.
    Sometimes,
}

impl FixAvailability {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Safe => "safe",
            FixAvailability::Unsafe => "unsafe",
            FixAvailability::Sometimes => "sometimes",
        }
    }
}

/// Replace the bytes of `span` with `replacement` (an insertion when `span` is empty, a
/// deletion when `replacement` is).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Edit {
    /// The byte range of the file's text that is replaced.
    pub span: Span,
    /// What replaces it.
    pub replacement: String,
}

impl Edit {
    /// Replace `span` with `replacement`.
    pub fn replace(span: Span, replacement: impl Into<String>) -> Self {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    /// Insert `text` at byte `offset`.
    pub fn insert(offset: usize, text: impl Into<String>) -> Self {
        Edit::replace(Span::empty(offset), text)
    }

    /// Delete `span`.
    pub fn delete(span: Span) -> Self {
        Edit::replace(span, String::new())
    }
}

/// A change that makes a finding go away: edits applied together, or not at all.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Fix {
    /// Whether it keeps what the file does.
    pub applicability: Applicability,
    /// What it does, in a few words (`add \`--no-cache\``).
    pub message: String,
    /// The edits, sorted by position and not overlapping.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix that keeps the file's behaviour.
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Safe, message, edits)
    }

    /// A fix that changes the file's behaviour.
    pub fn unsafe_edits(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Unsafe, message, edits)
    }

    /// A fix of `applicability`; its edits are sorted by position.
    pub fn new(applicability: Applicability, message: impl Into<String>, edits: Vec<Edit>) -> Self {
        let mut edits = edits;
        edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
        Fix {
            applicability,
            message: message.into(),
            edits,
        }
    }

    /// The smallest span covering every edit.
    pub fn span(&self) -> Option<Span> {
        let first = self.edits.first()?.span;
        Some(
            self.edits
                .iter()
                .fold(first, |all, edit| all.cover(edit.span)),
        )
    }

    /// Whether two of its edits overlap (then it cannot be applied).
    fn overlaps_itself(&self) -> bool {
        self.edits
            .windows(2)
            .any(|pair| pair[1].span.start < pair[0].span.end)
    }

    /// Whether every edit lies inside a text of `len` bytes, on character boundaries of `text`.
    fn fits(&self, text: &str) -> bool {
        self.edits.iter().all(|edit| {
            edit.span.end <= text.len()
                && text.is_char_boundary(edit.span.start)
                && text.is_char_boundary(edit.span.end)
        })
    }
}

/// The line ending of `text`: `\r\n` when its first line ends so, `\n` otherwise. Lines a
/// fix adds end like the file's.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(end) if end > 0 && text.as_bytes()[end - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The byte where the line holding `offset` starts.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |newline| newline + 1)
}

/// The byte just past the line holding `offset`, its line break included (the text's end on
/// the last line).
pub fn next_line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..]
        .find('\n')
        .map_or(text.len(), |newline| offset + newline + 1)
}

/// The indentation (leading spaces and tabs) of the line holding `offset`.
pub fn indentation(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let rest = &text[start..];
    let width = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..width]
}

/// The whole lines holding `span`, line break included, when nothing but blanks precedes it on
/// its first line and nothing but blanks or a comment (`#`) follows it on its last: what a fix
/// deletes to remove a YAML entry or a Dockerfile instruction without leaving a blank line.
pub fn whole_lines(text: &str, span: Span) -> Option<Span> {
    let start = line_start(text, span.start);
    let end = next_line_start(text, span.end.max(span.start));
    let before = &text[start..span.start];
    let after = text.get(span.end..end)?.trim();
    let after_is_blank = after.is_empty() || after.starts_with('#');
    (before.trim().is_empty() && after_is_blank).then(|| Span::new(start, end))
}

/// The column (0-based, in characters) where `node` starts on its line, when only blanks and
/// sequence dashes (`- `) precede it there: the indentation of the entries of a block mapping
/// whose first key is `node`.
fn block_column(text: &str, node: &Node) -> Option<usize> {
    let start = line_start(text, node.span.start);
    let before = text.get(start..node.span.start)?;
    before
        .chars()
        .all(|c| c == ' ' || c == '-')
        .then(|| before.chars().count())
}

/// Where a new line goes after the text ending at `end`: the start of the next line (`end`
/// itself when the text up to it ends a line).
fn after_line(text: &str, end: usize) -> usize {
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\n') {
        end
    } else {
        next_line_start(text, end)
    }
}

/// The edit that adds `lines` as the last entry of the block mapping `mapping`, at the
/// indentation of its entries: `lines[0]` is the entry's first line (`key: value`), the others
/// are indented relative to it. Line endings follow the file's. `None` for a flow mapping
/// (`{a: 1}`), an empty one, or one whose entries do not start their lines.
pub fn append_to_mapping(text: &str, mapping: &Node, lines: &[String]) -> Option<Edit> {
    let entries = mapping.as_mapping()?;
    let first = entries.first()?;
    let last = entries.last()?;
    if text.get(mapping.span.start..)?.starts_with('{') {
        return None;
    }
    let column = block_column(text, &first.key)?;
    let end = last.value.span.end.max(last.key.span.end);
    let at = after_line(text, end);
    let eol = line_ending(text);
    let indent = " ".repeat(column);
    let mut inserted = String::new();
    if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        inserted.push_str(eol);
    }
    for line in lines {
        inserted.push_str(&indent);
        inserted.push_str(line);
        inserted.push_str(eol);
    }
    Some(Edit::insert(at, inserted))
}

/// The edit that adds `lines` as an entry just before the entry whose key is `key`, at its
/// indentation (see [`append_to_mapping`] for `lines`). `None` when `key` does not start its
/// line (a flow mapping, or the first entry of a sequence item, `- key:`).
pub fn insert_before_entry(text: &str, key: &Node, lines: &[String]) -> Option<Edit> {
    let start = line_start(text, key.span.start);
    let before = text.get(start..key.span.start)?;
    if !before.chars().all(|c| c == ' ') {
        return None;
    }
    let eol = line_ending(text);
    let mut inserted = String::new();
    for line in lines {
        inserted.push_str(before);
        inserted.push_str(line);
        inserted.push_str(eol);
    }
    Some(Edit::insert(start, inserted))
}

/// Whether a fix of `applicability` is applied when unsafe fixes are `allowed` or not.
pub fn is_applied(applicability: Applicability, unsafe_allowed: bool) -> bool {
    applicability == Applicability::Safe || unsafe_allowed
}

/// The text with as many of `fixes` applied as do not overlap each other, taken in order of
/// position; and which of `fixes` were applied (their indexes). A fix that overlaps one taken
/// before it, overlaps itself, or falls outside the text is left for a later pass.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| {
        fixes[i]
            .span()
            .map(|span| (span.start, span.end))
            .unwrap_or((usize::MAX, usize::MAX))
    });
    let mut taken: Vec<usize> = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    for i in order {
        let fix = fixes[i];
        if fix.edits.is_empty() || fix.overlaps_itself() || !fix.fits(text) {
            continue;
        }
        // The same fix reported twice (two findings of one rule on one line) is applied once.
        if taken.iter().any(|&t| fixes[t] == fix) {
            taken.push(i);
            continue;
        }
        let clashes = fix.edits.iter().any(|edit| {
            edits.iter().any(|other| {
                edit.span.start < other.span.end && other.span.start < edit.span.end
                    // Two insertions at one offset: their order would be a guess.
                    || edit.span == other.span
                    || (edit.span.is_empty() && other.span.start == edit.span.start)
                    || (other.span.is_empty() && edit.span.start == other.span.start)
            })
        });
        if clashes {
            continue;
        }
        taken.push(i);
        edits.extend(fix.edits.iter());
    }
    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.replacement);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    taken.sort_unstable();
    (out, taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let first = Fix::safe("a", vec![Edit::replace(Span::new(0, 3), "x")]);
        let second = Fix::safe("b", vec![Edit::replace(Span::new(2, 5), "y")]);
        let third = Fix::safe("c", vec![Edit::insert(6, "!")]);
        let (text, taken) = apply("abcdefg", &[&second, &first, &third]);
        assert_eq!(text, "xdef!g");
        assert_eq!(taken, vec![1, 2]);
    }

    #[test]
    fn a_fix_outside_the_text_is_not_applied() {
        let fix = Fix::safe("a", vec![Edit::replace(Span::new(2, 99), "x")]);
        let (text, taken) = apply("abc", &[&fix]);
        assert_eq!(text, "abc");
        assert!(taken.is_empty());
    }

    #[test]
    fn a_fix_reported_twice_is_applied_once() {
        let fix = Fix::safe("a", vec![Edit::insert(1, "-")]);
        let (text, taken) = apply("ab", &[&fix, &fix]);
        assert_eq!(text, "a-b");
        assert_eq!(taken, vec![0, 1]);
    }
}
