//! `# plimsoll: allow-reduction[<what>] reason`: a reduction made on purpose.

use plimsoll_syntax::{SourceFile, Span};

use crate::location::Location;

/// The marker; the comment leader (`#`, `//`) in front of it does not matter.
pub const MARKER: &str = "plimsoll: allow-reduction[";

/// One `allow-reduction` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    /// What it accepts: a reduction kind (`job-removed`), a subject (`lint`), or
    /// `kind:subject` (`job-removed:lint`).
    pub what: String,
    /// Why; a comment without a reason accepts nothing.
    pub reason: String,
    /// Where the comment is.
    pub location: Location,
}

/// Every `allow-reduction` comment of `source`.
pub fn parse(display: &str, source: &SourceFile) -> Vec<Allow> {
    let text = source.text();
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(at) = line.find(MARKER) {
            let rest = &line[at + MARKER.len()..];
            if let Some(close) = rest.find(']') {
                let start = offset + at;
                let end = offset + line.trim_end().len();
                found.push(Allow {
                    what: rest[..close].trim().to_string(),
                    reason: rest[close + 1..].trim().to_string(),
                    location: Location::of(display, source, Span::new(start, end.max(start))),
                });
            }
        }
        offset += line.len();
    }
    found
}

impl Allow {
    /// Whether this comment accepts a change of `kind` about `subject`.
    pub fn accepts(&self, kind: &str, subject: &str) -> bool {
        if self.reason.is_empty() {
            return false;
        }
        let what = self.what.as_str();
        what == kind
            || what == subject
            || what
                .split_once(':')
                .is_some_and(|(k, s)| k.trim() == kind && s.trim() == subject)
    }
}
