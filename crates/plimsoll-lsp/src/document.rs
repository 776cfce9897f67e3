//! The text of a document open in the editor, kept in step with its edits.

use lsp_types::TextDocumentContentChangeEvent;

use crate::position::Positions;

/// An open document.
pub struct Document {
    /// Its current text.
    pub text: String,
    /// The version the editor gave its last change.
    pub version: i32,
}

impl Document {
    /// Apply the editor's `changes`, in order: each with a range replaces that range, as
    /// incremental sync sends them; one without replaces the whole text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let positions = Positions::new(&self.text);
                    let (a, b) = (positions.offset(range.start), positions.offset(range.end));
                    // A reversed range replaces what lies between its ends.
                    self.text.replace_range(a.min(b)..a.max(b), &change.text);
                }
                None => self.text = change.text,
            }
        }
        self.version = version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: start.0,
                    character: start.1,
                },
                end: Position {
                    line: end.0,
                    character: end.1,
                },
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_after_non_ascii_text_land_where_the_editor_meant() {
        let mut document = Document {
            text: "name: 🚀 日本\nrun: old\n".to_string(),
            version: 1,
        };
        // After `name: 🚀 日本` (6 + 2 + 1 + 2 units): insert; then replace `old` below.
        document.apply(
            vec![edit((0, 11), (0, 11), "!"), edit((1, 5), (1, 8), "new")],
            2,
        );
        assert_eq!(document.text, "name: 🚀 日本!\nrun: new\n");
        assert_eq!(document.version, 2);
        document.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "whole".into(),
            }],
            3,
        );
        assert_eq!(document.text, "whole");
    }

    #[test]
    fn thousands_of_random_edits_keep_the_text_whole_and_positions_round_trip() {
        // xorshift: the same sequence on every run, no dependency.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |bound: u32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            u32::try_from(state % u64::from(bound)).unwrap_or(0)
        };
        let pieces = [
            "a",
            "🚀",
            "日本",
            "\n",
            "\r\n",
            "",
            "é",
            "\u{feff}",
            "  - run: x\n",
        ];
        let mut document = Document {
            text: "name: 🚀\njobs:\n  日本: {}\n".to_string(),
            version: 1,
        };
        for version in 2..3000 {
            let piece = pieces[next(pieces.len() as u32) as usize];
            document.apply(
                vec![edit((next(8), next(12)), (next(8), next(12)), piece)],
                version,
            );
            let positions = Positions::new(&document.text);
            // Every character boundary maps to a position and back, but for the middle of a
            // `\r\n`, which the protocol counts as one line break (it maps to the break's start).
            let bytes = document.text.as_bytes();
            for (offset, _) in document.text.char_indices() {
                if offset > 0 && bytes[offset] == b'\n' && bytes[offset - 1] == b'\r' {
                    continue;
                }
                assert_eq!(positions.offset(positions.position(offset)), offset);
            }
        }
        assert_eq!(document.version, 2999);
    }

    #[test]
    fn a_reversed_or_out_of_range_edit_does_not_panic() {
        let mut document = Document {
            text: "ab\n".to_string(),
            version: 1,
        };
        document.apply(
            vec![edit((0, 2), (0, 0), "X"), edit((7, 7), (9, 9), "Z")],
            2,
        );
        assert_eq!(document.text, "X\nZ");
    }
}
