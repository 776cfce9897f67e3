//! Redacting a CI log: CI logs print credentials often (a debug `env` dump, a URL with a
//! password, a key `cat`ed by a script), and a root-cause analysis that quotes them would spread
//! them into pull-request comments.
//!
//! Two parts, because a log is read a line at a time with bounded memory and an analysis keeps
//! only a few of its lines. What only the stream can see is masked as it goes
//! ([`LogRedactor`]): a private key printed over several lines, from its
//! `-----BEGIN … PRIVATE KEY-----` line to its `-----END` line (no line of its body says it is
//! a key), and the end of a line cut at the reader's length limit (a secret cut there is no
//! longer recognisable). Every line that is kept is then searched with every detector
//! ([`redact_kept`]), once: searching each of millions of lines as it streams cost a third of
//! the time of a run. What output meant for others shows is [`MASK`], as GitHub Actions shows
//! its own masked secrets: no prefix, no hash, no length.

use std::borrow::Cow;
use std::sync::OnceLock;

/// What a secret is replaced with in a log.
pub const MASK: &str = "***";

/// How many lines after a `BEGIN … PRIVATE KEY` line are redacted when no `END` line comes:
/// more than the largest key's body (a 16384-bit RSA key is about 200 lines of 64 characters),
/// and few enough that a stray header cannot hide the rest of a log.
const MAX_KEY_LINES: usize = 400;

/// `text` with every credential the detectors find in it, and every password of a URL
/// ([`crate::scanner::url_passwords`]), replaced by [`MASK`].
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let mut found: Vec<_> = crate::scanner().scan(text).iter().map(|m| m.span).collect();
    found.extend(crate::scanner::url_passwords(text));
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    found.sort_unstable_by_key(|span| (span.start, span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in found {
        if span.start < at {
            at = at.max(span.end);
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(MASK);
        at = span.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// `line`, a line an analysis keeps, with its credentials masked ([`redact_text`]); `maybe_cut`
/// says it may have been cut short, so its last word, perhaps the start of a secret no detector
/// recognises any more, is masked too.
pub fn redact_kept(line: &mut String, maybe_cut: bool) {
    if let Cow::Owned(redacted) = redact_text(line) {
        *line = redacted;
    }
    if maybe_cut {
        mask_last_word(line);
    }
}

fn mask_last_word(line: &mut String) {
    let last_word = last_word_start(line);
    if last_word < line.len() && &line[last_word..] != MASK {
        line.replace_range(last_word.., MASK);
    }
}

/// Masks, in the lines of one log in order, what only the stream shows: the body of a private
/// key over several lines, and the end of a line cut at the length limit. The credentials of
/// each line are left to [`redact_kept`], for the lines that are kept.
#[derive(Debug, Default)]
pub struct LogRedactor {
    /// Lines of an open private key block still to redact (0: no block is open).
    key_lines_left: usize,
    /// The previous line ended with a word glued to a line continuation (`…\`): this line's
    /// first word is the rest of it.
    split_word: bool,
}

impl LogRedactor {
    /// A redactor at the start of a log.
    pub fn new() -> LogRedactor {
        LogRedactor::default()
    }

    /// Mask the stream's part of `line`, one line of the log with its decorations (timestamps,
    /// colours, `gh` columns) removed. `truncated` says the line was cut at the reader's length
    /// limit: its last word is masked.
    pub fn redact_line(&mut self, line: &mut String, truncated: bool) {
        if self.key_lines_left > 0 {
            self.key_lines_left -= 1;
            match line.find("-----END") {
                Some(end) => {
                    self.key_lines_left = 0;
                    line.replace_range(..end, MASK);
                }
                None => {
                    line.clear();
                    line.push_str(MASK);
                }
            }
            return;
        }
        if let Some(body) = key_block_opened(line) {
            if body < line.len() {
                line.replace_range(body.., MASK);
            }
            self.key_lines_left = MAX_KEY_LINES;
        }
        // A word cut by a line continuation (`curl -H "token ghp_1a2b\` then `3c4d…"`, as a
        // script splits a long value) is one word to the shell but two to the detectors,
        // which see neither half as a credential: both halves are masked.
        let continues = glued_continuation(line).is_some();
        if std::mem::take(&mut self.split_word) {
            mask_first_word(line);
        }
        if continues {
            // Looked for again: masking the first word moved the offsets, and may have masked
            // the glued word itself (a line that is one word) with its backslash.
            match glued_continuation(line) {
                Some(word) if word < line.len() => line.replace_range(word.., "***\\"),
                Some(_) => {}
                None => line.push('\\'),
            }
            self.split_word = true;
        }
        if truncated {
            mask_last_word(line);
        }
    }
}

/// Where the last word of `line` starts when the line ends with it glued to a line
/// continuation (`abc\`, not `abc \` nor an escaped `abc\\`).
fn glued_continuation(line: &str) -> Option<usize> {
    let body = line.trim_end().strip_suffix('\\')?;
    let last = body.chars().next_back()?;
    if last.is_whitespace() || last == '\\' {
        return None;
    }
    Some(last_word_start(body))
}

/// Where the last word of `text` starts: after its last white space, which may take several
/// bytes (a no-break or ideographic space), or at 0.
fn last_word_start(text: &str) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(at, space)| at + space.len_utf8())
}

/// Mask the first word of `line` (after its indentation).
fn mask_first_word(line: &mut String) {
    let start = line.len() - line.trim_start().len();
    let end = line[start..]
        .find(char::is_whitespace)
        .map_or(line.len(), |space| start + space);
    if start < end {
        line.replace_range(start..end, MASK);
    }
}

/// Where the body of a private key starts when `line` opens a key block that it does not close
/// (`-----BEGIN RSA PRIVATE KEY-----` with no `-----END` after it).
fn key_block_opened(line: &str) -> Option<usize> {
    // Every line of a log is asked: one searcher for the process, not one per call.
    static BEGIN: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let begin = BEGIN
        .get_or_init(|| memchr::memmem::Finder::new("-----BEGIN"))
        .find(line.as_bytes())?;
    let after_begin = &line[begin..];
    let label_end = after_begin.get(10..)?.find("-----")? + 10;
    let label = &after_begin[10..label_end];
    if !label.contains("PRIVATE KEY") {
        return None;
    }
    let body = begin + label_end + 5;
    (!line[body..].contains("-----END")).then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `diagnose` fuzz target: a word after a space of several bytes.
    #[test]
    fn words_after_a_wide_space_are_masked_at_a_character_boundary() {
        let mut redactor = LogRedactor::new();
        let mut line = "token\u{3000}ghp_abc\\".to_string();
        redactor.redact_line(&mut line, false);
        assert_eq!(line, "token\u{3000}***\\");
        let mut cut = "a\u{a0}b".to_string();
        LogRedactor::new().redact_line(&mut cut, true);
        assert_eq!(cut, format!("a\u{a0}{MASK}"));
    }

    /// Found by the `diagnose` fuzz target: a line that both continues a split word and ends
    /// with another one.
    #[test]
    fn a_line_continuing_one_split_word_and_starting_another_is_masked_twice() {
        let mut redactor = LogRedactor::new();
        let mut first = "curl ghp_a\\".to_string();
        redactor.redact_line(&mut first, false);
        let mut second = "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYT\\".to_string();
        redactor.redact_line(&mut second, false);
        assert_eq!(second, "***\\");
        let mut third = "rest and more".to_string();
        redactor.redact_line(&mut third, false);
        assert_eq!(third, format!("{MASK} and more"));
    }

    /// The lines as an analysis that keeps them all shows them.
    fn redact_all(lines: &[&str]) -> Vec<String> {
        let mut redactor = LogRedactor::new();
        lines
            .iter()
            .map(|line| {
                let mut line = line.to_string();
                redactor.redact_line(&mut line, false);
                redact_kept(&mut line, false);
                line
            })
            .collect()
    }

    #[test]
    fn tokens_and_urls_are_masked_in_place() {
        let token = format!("{}{}", "ghp_", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5");
        let password = format!("{}{}", "Zq8vN3", "kR7tW2");
        let line =
            format!("export GH_TOKEN={token} && connect postgres://admin:{password}@db:5432/app");
        let out = redact_all(&[&line]);
        assert_eq!(
            out[0],
            "export GH_TOKEN=*** && connect postgres://admin:***@db:5432/app"
        );
        assert_eq!(redact_text("cargo test"), "cargo test");
    }

    #[test]
    fn a_key_block_is_masked_from_begin_to_end() {
        let out = redact_all(&[
            "$ cat deploy.pem",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
            "QyNTUxOQAAACDq9ZxL3w1fT8e7W4nVb0yP2aK5sM6dR8cJ1hG3uF7iBwAAAJgvYhXlL2IV",
            "-----END OPENSSH PRIVATE KEY-----",
            "error: permission denied",
        ]);
        assert_eq!(
            out,
            [
                "$ cat deploy.pem",
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "***",
                "***",
                "***-----END OPENSSH PRIVATE KEY-----",
                "error: permission denied",
            ]
        );
    }

    #[test]
    fn an_unclosed_block_stops_after_a_bound_and_cut_lines_lose_their_last_word() {
        let mut lines = vec!["-----BEGIN PRIVATE KEY-----"];
        lines.extend(std::iter::repeat_n("QUJD", MAX_KEY_LINES + 1));
        let out = redact_all(&lines);
        assert_eq!(out[MAX_KEY_LINES], "***");
        assert_eq!(out[MAX_KEY_LINES + 1], "QUJD");
        let mut redactor = LogRedactor::new();
        let mut cut = "token is ghp_aB3dE5fG7hI9".to_string();
        redactor.redact_line(&mut cut, true);
        assert_eq!(cut, "token is ***");
        let mut kept = "a context line cut at ghp_aB3dE5fG7hI9".to_string();
        redact_kept(&mut kept, true);
        assert_eq!(kept, "a context line cut at ***");
        assert_eq!(key_block_opened("-----BEGIN PUBLIC KEY-----"), None);
    }

    #[test]
    fn a_word_split_by_a_line_continuation_is_masked_on_both_lines() {
        let out = redact_all(&[
            "curl -H \"Authorization: token ghp_aB3dE5fG7h\\",
            "  I9jK1lM3nO5pQ7rS9tU1vW3xY5\" https://api.github.com \\",
            "  --fail",
        ]);
        assert_eq!(
            out,
            [
                "curl -H \"Authorization: token ***\\",
                "  *** https://api.github.com \\",
                "  --fail",
            ]
        );
    }
}
