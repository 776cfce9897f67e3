//! Positions as the protocol counts them (0-based lines, columns in UTF-16 code units, the
//! default and only encoding every client supports) to and from byte offsets of the text.

use lsp_types::{Position, Range};
use plimsoll_syntax::LineIndex;

/// A document's text with its line index, for converting positions both ways.
pub struct Positions<'a> {
    text: &'a str,
    lines: LineIndex,
}

impl<'a> Positions<'a> {
    /// Index `text`.
    pub fn new(text: &'a str) -> Self {
        Positions {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The byte offset of `position`. As the protocol says, a column past the end of its line
    /// means the line's end, and a line past the end of the text means the text's end; a column
    /// inside a character's surrogate pair (an emoji) means the start of that character.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if self.lines.line_start(line) >= self.text.len() {
            return self.text.len();
        }
        let span = self.lines.line_span(self.text, line);
        let wanted = position.character as usize;
        let mut units = 0;
        for (index, character) in self.text[span.start..span.end].char_indices() {
            units += character.len_utf16();
            if units > wanted {
                return span.start + index;
            }
        }
        span.end
    }

    /// The position of byte `offset` (rounded down to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let at = self.lines.line_col_utf16(self.text, offset);
        Position {
            line: saturating_u32(at.line - 1),
            character: saturating_u32(at.column - 1),
        }
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range {
            start: self.position(start),
            end: self.position(end),
        }
    }
}

/// `value` as the protocol's unsigned 32-bit integer: no text an editor holds is that long.
pub fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Whether `position` lies in `range` (its end included, so a cursor just after an empty or
/// one-character finding still hovers it).
pub fn contains(range: &Range, position: Position) -> bool {
    let key = |p: &Position| (p.line, p.character);
    key(&range.start) <= key(&position) && key(&position) <= key(&range.end)
}

/// Whether `a` and `b` share a position (touching ends count: a cursor at a finding's edge
/// asks for its fixes).
pub fn overlaps(a: &Range, b: &Range) -> bool {
    let key = |p: &Position| (p.line, p.character);
    key(&a.start) <= key(&b.end) && key(&b.start) <= key(&a.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn columns_count_utf16_units_of_emoji_and_cjk() {
        // 🚀 is 4 bytes and 2 UTF-16 units; 日本 is 6 bytes and 2 units.
        let text = "a: 🚀x\nb: 日本y\r\nlast";
        let positions = Positions::new(text);
        let x = text.find('x').unwrap_or_default();
        let y = text.find('y').unwrap_or_default();
        assert_eq!(positions.position(x), at(0, 5));
        assert_eq!(positions.offset(at(0, 5)), x);
        assert_eq!(positions.position(y), at(1, 5));
        assert_eq!(positions.offset(at(1, 5)), y);
        assert_eq!(
            positions.offset(at(2, 0)),
            text.find("last").unwrap_or_default()
        );
    }

    #[test]
    fn out_of_range_positions_are_clamped_not_a_panic() {
        let text = "a: 🚀\nb\n";
        let positions = Positions::new(text);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(positions.offset(at(0, 4)), 3);
        // Past the line's end: before its line break.
        assert_eq!(
            positions.offset(at(0, 99)),
            text.find('\n').unwrap_or_default()
        );
        assert_eq!(positions.offset(at(9, 9)), text.len());
        assert_eq!(Positions::new("").offset(at(3, 3)), 0);
        assert_eq!(positions.position(999), at(2, 0));
    }
}
