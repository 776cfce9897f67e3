//! A small lexer for POSIX shell scripts (`run:` steps, `RUN` instructions).
//!
//! It splits a script into simple commands joined by operators (`|`, `||`, `&&`, `;`, newline,
//! `&`), with each word's unquoted text and its byte span in the script. Quotes, escapes, line
//! continuations, comments, `$( )`/backtick substitutions, redirections and here-documents are
//! understood well enough that rules see commands and flags rather than substrings. It never
//! fails: unterminated quotes run to the end of the script.
//!
//! Replace `${{ … }}` with same-length placeholders first ([`crate::expr::mask`]) so GitHub
//! expressions stay single words and spans stay exact.

use crate::Span;

/// A word of a command, with its quotes removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word's text with quoting removed (substitutions are kept verbatim).
    pub text: String,
    /// Bytes of the word in the script, quotes included.
    pub span: Span,
}

/// How a command connects to the one after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `|`: output feeds the next command.
    Pipe,
    /// `||`: the next runs if this one fails.
    Or,
    /// `&&`: the next runs if this one succeeds.
    And,
    /// `;`, a newline, `&`, a bracket or the script's end.
    Sequence,
}

/// A simple command: its words and how it links to the next command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The words, redirections left out.
    pub words: Vec<Word>,
    /// How this command connects to the next.
    pub connector: Connector,
    /// Where [`Command::argv`] starts in `words`, worked out once when the command is lexed:
    /// rules ask for the argv of every command again and again.
    program_at: usize,
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
    "exec", "command", "builtin", "nohup",
];

impl Command {
    /// Bytes from the first word to the last.
    pub fn span(&self) -> Span {
        match (self.words.first(), self.words.last()) {
            (Some(first), Some(last)) => first.span.cover(last.span),
            _ => Span::default(),
        }
    }

    /// The words from the program name on: leading keywords (`if`, `then`, `!`, …), variable
    /// assignments (`FOO=1`), and wrappers (`sudo`, `env`, `time`) are skipped.
    pub fn argv(&self) -> &[Word] {
        self.words.get(self.program_at..).unwrap_or_default()
    }

    /// Where the program name is in `words` (their length when there is none): see
    /// [`Command::argv`].
    fn program_index(words: &[Word]) -> usize {
        let mut after_wrapper = false;
        for (i, word) in words.iter().enumerate() {
            let text = word.text.as_str();
            let is_assignment = is_assignment(text);
            let is_wrapper = matches!(text, "sudo" | "env" | "xargs" | "time" | "nohup");
            let is_wrapper_flag = after_wrapper && text.starts_with('-');
            if !(KEYWORDS.contains(&text) || is_assignment || is_wrapper || is_wrapper_flag) {
                return i;
            }
            after_wrapper = is_wrapper || is_wrapper_flag;
        }
        words.len()
    }

    /// The program run: the first word of [`Command::argv`].
    pub fn program(&self) -> Option<&str> {
        self.argv().first().map(|w| program_name(&w.text))
    }

    /// Whether any argument after the program equals `flag`.
    pub fn has_arg(&self, flag: &str) -> bool {
        self.argv().iter().skip(1).any(|w| w.text == flag)
    }
}

/// The file name of a program path (`/usr/bin/curl` → `curl`).
pub fn program_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether `word` assigns a variable (`FOO=1`): an identifier, then `=`. Scanned byte by byte
/// rather than split at the first `=`: rules ask [`Command::argv`] of every command again and
/// again, and most words are short and hold no `=`.
fn is_assignment(word: &str) -> bool {
    let name = word
        .bytes()
        .take_while(|&b| b == b'_' || b.is_ascii_alphanumeric())
        .count();
    word.as_bytes().get(name) == Some(&b'=') && is_identifier(&word[..name])
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Split `script` into commands.
pub fn parse(script: &str) -> Vec<Command> {
    Lexer::new(script).run()
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    commands: Vec<Command>,
    words: Vec<Word>,
    pending_heredocs: Vec<(String, bool)>,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            commands: Vec::new(),
            words: Vec::new(),
            pending_heredocs: Vec::new(),
        }
    }

    fn run(mut self) -> Vec<Command> {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.bytes.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                b'\n' => {
                    self.pos += 1;
                    self.end_command(Connector::Sequence);
                    self.skip_heredoc_bodies();
                }
                b'#' => {
                    while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b';' => {
                    self.pos += if self.bytes.get(self.pos + 1) == Some(&b';') {
                        2
                    } else {
                        1
                    };
                    self.end_command(Connector::Sequence);
                }
                b'|' => {
                    if self.bytes.get(self.pos + 1) == Some(&b'|') {
                        self.pos += 2;
                        self.end_command(Connector::Or);
                    } else {
                        self.pos += if self.bytes.get(self.pos + 1) == Some(&b'&') {
                            2
                        } else {
                            1
                        };
                        self.end_command(Connector::Pipe);
                    }
                }
                b'&' => {
                    if self.bytes.get(self.pos + 1) == Some(&b'&') {
                        self.pos += 2;
                        self.end_command(Connector::And);
                    } else if self.bytes.get(self.pos + 1) == Some(&b'>') {
                        self.redirection();
                    } else {
                        self.pos += 1;
                        self.end_command(Connector::Sequence);
                    }
                }
                b'(' | b')' => {
                    self.pos += 1;
                    self.end_command(Connector::Sequence);
                }
                b'<' | b'>' => self.redirection(),
                b'0'..=b'9' if self.is_fd_redirection() => self.redirection(),
                _ => self.word(),
            }
        }
        self.end_command(Connector::Sequence);
        self.commands
    }

    fn is_fd_redirection(&self) -> bool {
        let mut i = self.pos;
        while i < self.bytes.len() && self.bytes[i].is_ascii_digit() {
            i += 1;
        }
        matches!(self.bytes.get(i), Some(b'<' | b'>'))
    }

    fn end_command(&mut self, connector: Connector) {
        if !self.words.is_empty() {
            let words = std::mem::take(&mut self.words);
            self.commands.push(Command {
                program_at: Command::program_index(&words),
                words,
                connector,
            });
        } else if connector != Connector::Sequence {
            // `a | b` where `a` was only a redirection: keep the link on the previous command.
            if let Some(last) = self.commands.last_mut() {
                last.connector = connector;
            }
        }
    }

    /// `<`, `>`, `>>`, `2>&1`, `&>`, `<<EOF`, `<<<`: the operator and its target are skipped.
    fn redirection(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        if self.src[self.pos..].starts_with("<<<") {
            self.pos += 3;
        } else if self.src[self.pos..].starts_with("<<") {
            self.pos += 2;
            let strip_tabs = self.bytes.get(self.pos) == Some(&b'-');
            if strip_tabs {
                self.pos += 1;
            }
            self.skip_blanks();
            let start = self.words.len();
            self.word();
            if self.words.len() > start {
                let delimiter = self.words.remove(start).text;
                self.pending_heredocs.push((delimiter, strip_tabs));
            }
            return;
        } else {
            while self.pos < self.bytes.len()
                && matches!(self.bytes[self.pos], b'<' | b'>' | b'&' | b'|')
            {
                self.pos += 1;
            }
        }
        self.skip_blanks();
        if self.pos < self.bytes.len()
            && !matches!(self.bytes[self.pos], b'\n' | b';' | b'|' | b'&')
        {
            let start = self.words.len();
            self.word();
            self.words.truncate(start);
        }
    }

    fn skip_blanks(&mut self) {
        while self.pos < self.bytes.len() && matches!(self.bytes[self.pos], b' ' | b'\t') {
            self.pos += 1;
        }
    }

    fn skip_heredoc_bodies(&mut self) {
        for (delimiter, strip_tabs) in std::mem::take(&mut self.pending_heredocs) {
            while self.pos < self.bytes.len() {
                let line_end = self.src[self.pos..]
                    .find('\n')
                    .map_or(self.bytes.len(), |i| self.pos + i);
                let line = self.src[self.pos..line_end].trim_end_matches('\r');
                let line = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                self.pos = (line_end + 1).min(self.bytes.len());
                if line == delimiter {
                    break;
                }
            }
        }
    }

    fn word(&mut self) {
        let start = self.pos;
        let mut text = String::new();
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'&' | b'<' | b'>' | b'(' | b')' => {
                    break
                }
                b'\\' => {
                    if self.bytes.get(self.pos + 1) == Some(&b'\n') {
                        self.pos += 2;
                        continue;
                    }
                    self.pos += 1;
                    if let Some(c) = self.src[self.pos..].chars().next() {
                        text.push(c);
                        self.pos += c.len_utf8();
                    }
                }
                b'\'' => {
                    self.pos += 1;
                    let end = self.src[self.pos..]
                        .find('\'')
                        .map_or(self.bytes.len(), |i| self.pos + i);
                    text.push_str(&self.src[self.pos..end]);
                    self.pos = (end + 1).min(self.bytes.len());
                }
                b'"' => {
                    self.pos += 1;
                    while self.pos < self.bytes.len() && self.bytes[self.pos] != b'"' {
                        if self.bytes[self.pos] == b'\\' && self.pos + 1 < self.bytes.len() {
                            self.pos += 1;
                            let c = self.src[self.pos..].chars().next().unwrap_or(' ');
                            text.push(c);
                            self.pos += c.len_utf8();
                            continue;
                        }
                        // The characters up to the next quote or backslash, copied at once (a
                        // backslash ending the text is one of them).
                        let end = self.plain_run(self.pos, |b| matches!(b, b'"' | b'\\'));
                        text.push_str(&self.src[self.pos..end]);
                        self.pos = end;
                    }
                    self.pos = (self.pos + 1).min(self.bytes.len());
                }
                b'$' if self.bytes.get(self.pos + 1) == Some(&b'(') => {
                    let end = self.matching(self.pos + 1, b'(', b')');
                    text.push_str(&self.src[self.pos..end]);
                    self.pos = end;
                }
                b'$' if self.bytes.get(self.pos + 1) == Some(&b'{') => {
                    let end = self.matching(self.pos + 1, b'{', b'}');
                    text.push_str(&self.src[self.pos..end]);
                    self.pos = end;
                }
                b'`' => {
                    let end = self.src[self.pos + 1..]
                        .find('`')
                        .map_or(self.bytes.len(), |i| self.pos + 1 + i + 1);
                    text.push_str(&self.src[self.pos..end]);
                    self.pos = end;
                }
                _ => {
                    // The ordinary characters from here, copied at once: every byte the arms
                    // above handle ends the run (a `$` that opens nothing is one of the run).
                    let end = self.plain_run(self.pos, |b| {
                        matches!(
                            b,
                            b' ' | b'\t'
                                | b'\n'
                                | b'\r'
                                | b';'
                                | b'|'
                                | b'&'
                                | b'<'
                                | b'>'
                                | b'('
                                | b')'
                                | b'\\'
                                | b'\''
                                | b'"'
                                | b'$'
                                | b'`'
                        )
                    });
                    text.push_str(&self.src[self.pos..end]);
                    self.pos = end;
                }
            }
        }
        if self.pos > start {
            self.words.push(Word {
                text,
                span: Span::new(start, self.pos),
            });
        } else {
            // An operator byte we do not handle as a word start: step over it.
            self.pos += 1;
        }
    }

    /// Where a run of characters from `from` ends: at the first byte after `from` that `stops`
    /// (or the end). At least one byte long, so the character at `from`, which the caller has
    /// taken as ordinary, is part of it; every byte `stops` is ASCII, so the run ends on a
    /// character boundary.
    fn plain_run(&self, from: usize, stops: impl Fn(u8) -> bool) -> usize {
        let mut end = from + 1;
        while end < self.bytes.len() && !self.src.is_char_boundary(end) {
            end += 1;
        }
        self.bytes[end..]
            .iter()
            .position(|&b| stops(b))
            .map_or(self.bytes.len(), |i| end + i)
    }

    /// Offset just past the bracket closing the one at `open_at`, quotes respected.
    fn matching(&self, open_at: usize, open: u8, close: u8) -> usize {
        let mut depth = 0usize;
        let mut i = open_at;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 1,
                b'\'' if open == b'(' => {
                    i = self.src[i + 1..]
                        .find('\'')
                        .map_or(self.bytes.len(), |j| i + 1 + j);
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(script: &str) -> Vec<(String, Connector)> {
        parse(script)
            .iter()
            .map(|c| (c.program().unwrap_or("").to_string(), c.connector))
            .collect()
    }

    #[test]
    fn splits_lists_and_pipelines() {
        assert_eq!(
            programs("set -e\ncargo test --all || true; curl -sSf https://x | sudo sh\n"),
            vec![
                ("set".into(), Connector::Sequence),
                ("cargo".into(), Connector::Or),
                ("true".into(), Connector::Sequence),
                ("curl".into(), Connector::Pipe),
                ("sh".into(), Connector::Sequence),
            ]
        );
    }

    #[test]
    fn quotes_continuations_and_comments() {
        let script = "cargo clippy \\\n  --all-targets -- -D \"warnings\" # not -A\necho 'a | b'";
        let commands = parse(script);
        assert_eq!(commands.len(), 2);
        let words: Vec<_> = commands[0].words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            words,
            ["cargo", "clippy", "--all-targets", "--", "-D", "warnings"]
        );
        let quoted = &commands[0].words[5];
        assert_eq!(&script[quoted.span.start..quoted.span.end], "\"warnings\"");
        assert_eq!(commands[1].words[1].text, "a | b");
    }

    #[test]
    fn heredocs_and_redirections_are_skipped() {
        let script =
            "cat <<EOF > out.txt\ncargo test || true\nEOF\nmake 2>&1 >/dev/null && echo done";
        assert_eq!(
            programs(script),
            vec![
                ("cat".into(), Connector::Sequence),
                ("make".into(), Connector::And),
                ("echo".into(), Connector::Sequence),
            ]
        );
    }

    #[test]
    fn wrappers_and_assignments_are_not_programs() {
        let commands = parse("RUSTFLAGS=-Dwarnings sudo -E env FOO=1 cargo build");
        assert_eq!(commands[0].program(), Some("cargo"));
        assert!(commands[0].has_arg("build"));
        assert_eq!(
            parse("if ! cargo fmt --check; then exit 1; fi")[0].program(),
            Some("cargo")
        );
    }

    #[test]
    fn words_are_copied_whole_across_quotes_escapes_and_dollars() {
        let words = |script: &str| -> Vec<String> {
            parse(script)
                .into_iter()
                .flat_map(|c| c.words.into_iter().map(|w| w.text))
                .collect()
        };
        assert_eq!(
            words("echo héllo$ a$b ${X}é $(date)x 'q $y'\"r\\\"s\"t\\ u"),
            ["echo", "héllo$", "a$b", "${X}é", "$(date)x", "q $yr\"st u"]
        );
        // A backslash ending the text inside quotes is kept; one before a character escapes it.
        assert_eq!(words("x \"a\\"), ["x", "a\\"]);
        assert_eq!(words("x \"a\\é\""), ["x", "aé"]);
        assert_eq!(words("日本=1 cmd"), ["日本=1", "cmd"]);
        // Assignments: an identifier, then `=`.
        let programs = |script: &str| parse(script)[0].program().map(str::to_string);
        assert_eq!(programs("A_1=x B==y cmd"), Some("cmd".into()));
        assert_eq!(programs("1A=x cmd"), Some("1A=x".into()));
        assert_eq!(programs("=x cmd"), Some("=x".into()));
        assert_eq!(programs("A-B=x cmd"), Some("A-B=x".into()));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_in_bounds(script in "\\PC{0,200}") {
            for command in parse(&script) {
                for word in command.words {
                    proptest::prop_assert!(word.span.end <= script.len());
                    proptest::prop_assert!(script.is_char_boundary(word.span.start));
                }
            }
        }
    }
}
