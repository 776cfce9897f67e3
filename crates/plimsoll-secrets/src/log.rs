//! Redacting a CI log as it streams, before anything reads its lines: CI logs print credentials
//! often (a debug `env` dump, a URL with a password, a key `cat`ed by a script), and a
//! root-cause analysis that quotes them would spread them into pull-request comments.
//!
//! Each line is searched with every detector, and a private key printed over several lines is
//! followed from its `-----BEGIN … PRIVATE KEY-----` line to its `-----END` line: a log is
//! read a line at a time with bounded memory, so the block is redacted as it goes rather than
//! found by one search over the whole text. What output meant for others shows is [`MASK`], as
//! GitHub Actions shows its own masked secrets: no prefix, no hash, no length.

use std::borrow::Cow;

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

/// Redacts the lines of one log in order, remembering whether a private key block is open.
#[derive(Debug, Default)]
pub struct LogRedactor {
    /// Lines of an open private key block still to redact (0: no block is open).
    key_lines_left: usize,
}

impl LogRedactor {
    /// A redactor at the start of a log.
    pub fn new() -> LogRedactor {
        LogRedactor::default()
    }

    /// Redact `line`, one line of the log with its decorations (timestamps, colours, `gh`
    /// columns) removed. `truncated` says the line was cut at the reader's length limit: a
    /// secret cut there is no longer recognisable, so its last word is masked too.
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
        if let Cow::Owned(redacted) = redact_text(line) {
            *line = redacted;
        }
        if let Some(body) = key_block_opened(line) {
            if body < line.len() {
                line.replace_range(body.., MASK);
            }
            self.key_lines_left = MAX_KEY_LINES;
        }
        if truncated {
            let last_word = line.rfind(char::is_whitespace).map_or(0, |space| space + 1);
            if last_word < line.len() {
                line.replace_range(last_word.., MASK);
            }
        }
    }
}

/// Where the body of a private key starts when `line` opens a key block that it does not close
/// (`-----BEGIN RSA PRIVATE KEY-----` with no `-----END` after it).
fn key_block_opened(line: &str) -> Option<usize> {
    let begin = line.find("-----BEGIN")?;
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

    fn redact_all(lines: &[&str]) -> Vec<String> {
        let mut redactor = LogRedactor::new();
        lines
            .iter()
            .map(|line| {
                let mut line = line.to_string();
                redactor.redact_line(&mut line, false);
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
        assert_eq!(key_block_opened("-----BEGIN PUBLIC KEY-----"), None);
    }
}
