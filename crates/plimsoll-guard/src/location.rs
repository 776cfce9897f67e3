use plimsoll_syntax::{SourceFile, Span};
use serde::Serialize;

/// A place in one version of a file: 1-based lines, columns in characters (and in UTF-16 code
/// units for SARIF), end exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The path relative to the repository (or to the compared folder), with `/` separators.
    pub path: String,
    /// First line.
    pub line: usize,
    /// First column, in characters.
    pub column: usize,
    /// Last line.
    pub end_line: usize,
    /// Column just past the end, in characters.
    pub end_column: usize,
    /// First column in UTF-16 code units.
    #[serde(skip)]
    pub column_utf16: usize,
    /// Column just past the end in UTF-16 code units.
    #[serde(skip)]
    pub end_column_utf16: usize,
}

impl Location {
    /// The location of `span` in `source`, named `path`.
    pub fn of(path: &str, source: &SourceFile, span: Span) -> Location {
        let start = source.line_col(span.start);
        let end = source.line_col(span.end);
        let start16 = source.line_col_utf16(span.start);
        let end16 = source.line_col_utf16(span.end);
        Location {
            path: path.to_string(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            column_utf16: start16.column,
            end_column_utf16: end16.column,
        }
    }

    /// The first line of a file, for things that have no narrower place (a file that was
    /// removed, or a file that does not parse at an unknown offset).
    pub fn file(path: &str) -> Location {
        Location {
            path: path.to_string(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            column_utf16: 1,
            end_column_utf16: 1,
        }
    }

    /// `path:line`, for tables and messages.
    pub fn short(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}
