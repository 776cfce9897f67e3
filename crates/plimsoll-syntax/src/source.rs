use std::fmt;
use std::path::{Path, PathBuf};

/// A half-open byte range `start..end` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    pub fn new(start: usize, end: usize) -> Self {
        if start <= end {
            Span { start, end }
        } else {
            Span {
                start: end,
                end: start,
            }
        }
    }

    /// An empty span at `offset`.
    pub fn empty(offset: usize) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// Number of bytes covered.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column. Columns count Unicode scalar values unless said otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Start offsets of every line of a text, for turning byte offsets into lines and columns.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Index the lines of `text`. A line ends at `\n`; a preceding `\r` belongs to the line.
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    /// Number of lines (a trailing newline does not start a new line of its own).
    pub fn line_count(&self) -> usize {
        match self.line_starts.last() {
            Some(&last) if last == self.len && self.line_starts.len() > 1 => {
                self.line_starts.len() - 1
            }
            _ => self.line_starts.len(),
        }
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where the 0-based `line` starts (the text's end for lines past it).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte range of the 0-based `line`, without its line terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// 1-based line and column (in Unicode scalar values) of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// 1-based line and column in UTF-16 code units (SARIF's and LSP's default) of `offset`.
    pub fn line_col_utf16(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = text[start..offset]
            .chars()
            .map(char::len_utf16)
            .sum::<usize>()
            + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of the 0-based `line` and 0-based character column `col` (clamped to the line).
    pub fn offset_of(&self, text: &str, line: usize, col: usize) -> usize {
        let span = self.line_span(text, line);
        let line_text = &text[span.start..span.end];
        if line_text.is_ascii() {
            return span.start + col.min(line_text.len());
        }
        match line_text.char_indices().nth(col) {
            Some((i, _)) => span.start + i,
            None => span.end,
        }
    }
}

/// The largest char boundary at or below `offset`.
pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Why a file's bytes could not be turned into a [`SourceFile`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    /// The bytes hold a NUL, so the file is binary.
    #[error("binary file (NUL byte at offset {offset})")]
    Binary {
        /// Offset of the first NUL byte.
        offset: usize,
    },
    /// The bytes are not UTF-8.
    #[error("invalid UTF-8 at line {line}, column {column} (byte offset {offset})")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
        /// 1-based column (in characters) of that byte.
        column: usize,
    },
    /// The file is larger than the configured limit.
    #[error("file is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Size of the file.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// A text file held in memory with its line index.
///
/// A leading UTF-8 byte-order mark is dropped from [`SourceFile::text`]; offsets are into the text
/// without it, and [`SourceFile::has_bom`] says whether one was there.
#[derive(Clone, Debug)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    lines: LineIndex,
    bom: bool,
}

impl SourceFile {
    /// A source from text already in memory.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        let bom = text.starts_with('\u{feff}');
        if bom {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            text,
            lines,
            bom,
        }
    }

    /// A source from raw bytes: rejects binary content (NUL bytes) and invalid UTF-8 with the
    /// position of the first offending byte.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Self, SourceError> {
        if let Some(offset) = memchr::memchr(0, &bytes) {
            return Err(SourceError::Binary { offset });
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(path, text)),
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&err.as_bytes()[..offset]).into_owned();
                let index = LineIndex::new(&valid);
                let at = index.line_col(&valid, offset);
                Err(SourceError::InvalidUtf8 {
                    offset,
                    line: at.line,
                    column: at.column,
                })
            }
        }
    }

    /// The path the file was read from, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text (without a byte-order mark).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The line index of [`SourceFile::text`].
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// Whether the file began with a UTF-8 byte-order mark.
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// Text covered by `span` (empty when the span is out of range or not on char boundaries).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// 1-based line and column of `offset`.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// 1-based line and UTF-16 column of `offset`.
    pub fn line_col_utf16(&self, offset: usize) -> LineCol {
        self.lines.line_col_utf16(&self.text, offset)
    }

    /// Text of the 0-based `line`, without its terminator.
    pub fn line_text(&self, line: usize) -> &str {
        self.slice(self.lines.line_span(&self.text, line))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_utf16_units() {
        let text = "a: 1\nb: \"é😀x\"\r\nc";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        let x = text.find('x').unwrap();
        assert_eq!(index.line_col(text, x), LineCol { line: 2, column: 7 });
        assert_eq!(
            index.line_col_utf16(text, x),
            LineCol { line: 2, column: 8 }
        );
        assert_eq!(
            index.line_span(text, 1),
            Span::new(5, text.find('\r').unwrap())
        );
        assert_eq!(index.offset_of(text, 1, 6), x);
        assert_eq!(
            index.line_col(text, text.len()),
            LineCol { line: 3, column: 2 }
        );
    }

    #[test]
    fn from_bytes_reports_binary_and_invalid_utf8_positions() {
        assert_eq!(
            SourceFile::from_bytes("f", b"ab\0c".to_vec()).unwrap_err(),
            SourceError::Binary { offset: 2 }
        );
        let err = SourceFile::from_bytes("f", b"ok\nab\xffc".to_vec()).unwrap_err();
        assert_eq!(
            err,
            SourceError::InvalidUtf8 {
                offset: 5,
                line: 2,
                column: 3
            }
        );
        let bom = SourceFile::from_bytes("f", b"\xef\xbb\xbfon: push".to_vec()).unwrap();
        assert!(bom.has_bom());
        assert_eq!(bom.text(), "on: push");
    }
}
