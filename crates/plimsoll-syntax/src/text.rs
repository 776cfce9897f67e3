//! Text from input made safe to print: nothing a terminal or a CI runner would act on.

use std::borrow::Cow;

/// Whether `c` must not reach output as is: control characters (ESC starts terminal
/// sequences, a line break can start a `::error::` workflow command on the next line, C1
/// controls act as 8-bit escapes), and the bidirectional overrides and isolates that make text
/// read differently from how it is stored.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as a visible escape (`\n`, `\r`, `\u{1b}`);
/// tabs are kept, and so are line breaks when `keep_newlines` (multi-line text whose lines are
/// printed with a prefix of ours).
pub fn escape_unsafe(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let escaped = |c: char| is_unsafe(c) && c != '\t' && !(keep_newlines && c == '\n');
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !escaped(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(
            escape_unsafe("a\u{1b}[31m\nb\r\u{9b}\u{202e}\tc", false),
            "a\\u{1b}[31m\\nb\\r\\u{9b}\\u{202e}\tc"
        );
        assert_eq!(escape_unsafe("a\nb\u{7}", true), "a\nb\\u{7}");
        assert!(matches!(escape_unsafe("plain é", false), Cow::Borrowed(_)));
    }
}
