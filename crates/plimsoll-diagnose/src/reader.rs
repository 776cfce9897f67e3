//! Reading logs line by line with bounded memory, and cleaning each line of the decorations the
//! CI systems add (BOM, timestamps, `gh` columns, ANSI colours).
//!
//! Line numbers are 1-based and count `\n`, `\r\n` and a lone `\r` as one line break each: that is
//! how the labelled data sets count (Java's `readLine`, Python's `splitlines`), and Travis progress
//! bars redraw with a lone `\r`, so treating it as a break keeps each redraw a line of its own.
//! One `\r` is not a break: the one that ends a GitLab section marker. GitLab documents the
//! markers as `\e[0Ksection_start:TIMESTAMP:NAME\r\e[0K` + the header text, and
//! `\e[0Ksection_end:TIMESTAMP:NAME\r\e[0K`: a carriage return and an erase-line, so that the
//! job log shows the header alone, on the marker's line. The marker is dropped as a terminal
//! would erase it, and the header keeps the line number a viewer gives it (`grep -n` on the
//! raw trace, GitLab's job log).

use std::io::{self, Read};

/// Longest line kept, in bytes; the rest of a longer line is skipped (not buffered).
pub const MAX_LINE_BYTES: usize = 8 * 1024;

const CHUNK_BYTES: usize = 64 * 1024;

/// Splits a byte stream into lines without ever holding more than one chunk and one line.
pub struct LineSplitter<R> {
    reader: R,
    chunk: Vec<u8>,
    pos: usize,
    filled: usize,
    eof: bool,
    /// The previous line ended with `\r`: a `\n` right after it belongs to the same break.
    skip_lf: bool,
    number: usize,
}

/// One physical line as read.
#[derive(Debug, Default)]
pub struct RawLine {
    /// 1-based line number.
    pub number: usize,
    /// The bytes, at most [`MAX_LINE_BYTES`].
    pub bytes: Vec<u8>,
    /// Whether bytes beyond [`MAX_LINE_BYTES`] were dropped.
    pub truncated: bool,
}

impl<R: Read> LineSplitter<R> {
    /// A splitter over `reader`.
    pub fn new(reader: R) -> Self {
        LineSplitter {
            reader,
            chunk: vec![0; CHUNK_BYTES],
            pos: 0,
            filled: 0,
            eof: false,
            skip_lf: false,
            number: 0,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        loop {
            match self.reader.read(&mut self.chunk) {
                Ok(n) => {
                    self.pos = 0;
                    self.filled = n;
                    self.eof = n == 0;
                    return Ok(());
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }

    /// Read the next line into `line` (reusing its buffer); `false` at the end of the stream.
    pub fn next_line(&mut self, line: &mut RawLine) -> io::Result<bool> {
        line.bytes.clear();
        line.truncated = false;
        let mut started = false;
        loop {
            if self.pos >= self.filled {
                if self.eof {
                    break;
                }
                self.fill()?;
                if self.eof {
                    break;
                }
            }
            if self.skip_lf {
                self.skip_lf = false;
                if self.chunk[self.pos] == b'\n' {
                    self.pos += 1;
                    continue;
                }
            }
            started = true;
            let rest = &self.chunk[self.pos..self.filled];
            match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(at) => {
                    keep(line, &rest[..at]);
                    if rest[at] == b'\r' && ends_with_gitlab_section_marker(&line.bytes) {
                        line.bytes.clear();
                        line.truncated = false;
                        self.pos += at + 1;
                        continue;
                    }
                    self.skip_lf = rest[at] == b'\r';
                    self.pos += at + 1;
                    self.number += 1;
                    line.number = self.number;
                    return Ok(true);
                }
                None => {
                    keep(line, rest);
                    self.pos = self.filled;
                }
            }
        }
        if started {
            self.number += 1;
            line.number = self.number;
        }
        Ok(started)
    }
}

/// Whether `bytes` end with a GitLab section marker, `section_start:1700000000:step_script` or
/// `section_end:…` (with `[collapsed=true]`-style options), which GitLab ends with `\r\e[0K`.
fn ends_with_gitlab_section_marker(bytes: &[u8]) -> bool {
    const PREFIX: &[u8] = b"section_";
    let Some(at) = bytes.windows(PREFIX.len()).rposition(|w| w == PREFIX) else {
        return false;
    };
    let rest = &bytes[at + PREFIX.len()..];
    let Some(rest) = rest
        .strip_prefix(b"start:")
        .or_else(|| rest.strip_prefix(b"end:"))
    else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let Some(rest) = rest.get(digits..).filter(|_| digits > 0) else {
        return false;
    };
    let Some(name) = rest.strip_prefix(b":") else {
        return false;
    };
    let name_len = name
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    let options = &name[name_len..];
    name_len > 0
        && (options.is_empty()
            || (options.starts_with(b"[")
                && options.ends_with(b"]")
                && !options[1..].contains(&b'[')))
}

fn keep(line: &mut RawLine, bytes: &[u8]) {
    let room = MAX_LINE_BYTES.saturating_sub(line.bytes.len());
    if bytes.len() > room {
        line.truncated = true;
    }
    line.bytes
        .extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// What decorations a line carried, besides its text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Decorations {
    /// `job` and `step` columns of `gh run view --log` output.
    pub gh_columns: Option<(String, String)>,
    /// Whether a GitHub timestamp prefix was removed.
    pub timestamp: bool,
    /// Whether some of the line's text was shown in red, the colour compilers, test runners and
    /// package managers give their errors (see [`strip_ansi`]).
    pub error_emphasis: bool,
}

/// Clean one line: UTF-8 (lossy), no BOM, no `gh` columns, no timestamp, no ANSI sequences.
pub fn clean(bytes: &[u8], first: bool, text: &mut String) -> Decorations {
    let mut bytes = bytes;
    if first {
        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    }
    let mut decorations = Decorations::default();
    if let Some((job, step, rest)) = gh_columns(bytes) {
        decorations.gh_columns = Some((
            String::from_utf8_lossy(job).into_owned(),
            String::from_utf8_lossy(step).into_owned(),
        ));
        bytes = rest;
        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    }
    if let Some(len) = timestamp_len(bytes) {
        decorations.timestamp = true;
        bytes = &bytes[len..];
    }
    text.clear();
    match plain_text(bytes) {
        Some(plain) => text.push_str(plain),
        None => {
            decorations.error_emphasis = strip_ansi(&String::from_utf8_lossy(bytes), text);
        }
    }
    decorations
}

/// `bytes` as text when it holds nothing [`strip_ansi`] would change: valid UTF-8 without
/// control characters (tab aside). Most log lines are, and they skip the per-character walk.
fn plain_text(bytes: &[u8]) -> Option<&str> {
    // 0xC2 leads the C1 controls U+0080..U+009F (and other characters, which then take the
    // slow path: correct, only slower).
    let suspicious = |b: &u8| (*b < 0x20 && *b != b'\t') || *b == 0x7f || *b == 0xc2;
    if bytes.iter().any(suspicious) {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// `job<TAB>step<TAB>rest` when `rest` starts with a GitHub timestamp.
fn gh_columns(bytes: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let first = bytes.iter().position(|&b| b == b'\t')?;
    let after = &bytes[first + 1..];
    let second = after.iter().position(|&b| b == b'\t')?;
    let rest = &after[second + 1..];
    let rest_unbom = rest.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(rest);
    timestamp_len(rest_unbom)?;
    Some((&bytes[..first], &after[..second], rest))
}

/// Length of a `2024-01-02T03:04:05.1234567Z ` prefix (fraction optional, trailing space included).
pub fn timestamp_len(bytes: &[u8]) -> Option<usize> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    if bytes.len() < SHAPE.len() + 1 {
        return None;
    }
    for (expected, &actual) in SHAPE.iter().zip(bytes) {
        let ok = match expected {
            b'd' => actual.is_ascii_digit(),
            other => *other == actual,
        };
        if !ok {
            return None;
        }
    }
    let mut at = SHAPE.len();
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    if bytes.get(at) != Some(&b'Z') {
        return None;
    }
    at += 1;
    match bytes.get(at) {
        Some(b' ') => Some(at + 1),
        None => Some(at),
        _ => None,
    }
}

/// Copy `text` into `out` without ANSI escape sequences (CSI, OSC) and other control characters.
/// Returns whether some visible text of the line was drawn in a red foreground (ECMA-48 SGR 31
/// or 91, or the 256-colour palette's red 1 and 9): rustc, cargo, npm, yarn, jest, mocha, rspec,
/// xUnit and Gradle print their errors and failed tests in red. The colour state starts plain on
/// each line, as those tools set it per line; a red background (a banner) is not an error's
/// colour, and neither are a line's own escape codes without text.
pub fn strip_ansi(text: &str, out: &mut String) -> bool {
    let mut red = false;
    let mut emphasised = false;
    let mut parameters = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            match chars.peek() {
                Some('[') => {
                    chars.next();
                    parameters.clear();
                    // Parameters and intermediates, then one final byte in @..~.
                    for n in chars.by_ref() {
                        if ('@'..='~').contains(&n) {
                            if n == 'm' {
                                red = sgr_red(&parameters, red);
                            }
                            break;
                        }
                        parameters.push(n);
                    }
                }
                Some(']') => {
                    chars.next();
                    while let Some(n) = chars.next() {
                        if n == '\u{7}' {
                            break;
                        }
                        if n == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                Some(_) => {
                    // Any other escape sequence (ECMA-35): intermediate bytes (0x20-0x2F), then
                    // one final byte; `ESC ( B`, which `tput sgr0` prints after a coloured word,
                    // has one intermediate and must not leave its `B` in the text.
                    for n in chars.by_ref() {
                        if !(' '..='/').contains(&n) {
                            break;
                        }
                    }
                }
                None => {}
            }
        } else if c == '\t' || !c.is_control() {
            emphasised |= red && !c.is_whitespace();
            out.push(c);
        }
    }
    emphasised
}

/// Whether the foreground is red after an SGR sequence with `parameters` (`1;31`), given
/// whether it was before: 31 and 91 set red, 38;5;1 and 38;5;9 too, any other foreground
/// colour, 39 (default) and 0 (reset) clear it; other attributes leave it.
fn sgr_red(parameters: &str, red: bool) -> bool {
    let mut red = red;
    let mut codes = parameters.split(';').map(|p| p.parse::<u16>().unwrap_or(0));
    while let Some(code) = codes.next() {
        match code {
            0 | 39 | 30 | 32..=37 | 90 | 92..=97 => red = false,
            31 | 91 => red = true,
            38 => match codes.next() {
                Some(5) => red = matches!(codes.next(), Some(1 | 9)),
                Some(2) => {
                    // A 24-bit colour: its three components are not a palette red.
                    codes.next();
                    codes.next();
                    codes.next();
                    red = false;
                }
                _ => red = false,
            },
            48 => {
                // A background colour's own parameters are not foreground codes.
                match codes.next() {
                    Some(5) => {
                        codes.next();
                    }
                    Some(2) => {
                        codes.next();
                        codes.next();
                        codes.next();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    red
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(usize, String)> {
        let mut splitter = LineSplitter::new(input);
        let mut line = RawLine::default();
        let mut out = Vec::new();
        while splitter.next_line(&mut line).unwrap() {
            out.push((
                line.number,
                String::from_utf8_lossy(&line.bytes).into_owned(),
            ));
        }
        out
    }

    #[test]
    fn a_gitlab_section_markers_carriage_return_is_no_line_break() {
        // GitLab's documented markers, as the runner writes them: a section's end and the next
        // section's start share one line with the header that the job log shows.
        let trace = b"\x1b[0KRunning with gitlab-runner 16.3.0\n\
section_start:1694763179:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the executor\x1b[0;m\n\
Using Shell executor...\n\
section_end:1694763179:prepare_executor\r\x1b[0Ksection_start:1694763180:step_script[collapsed=true]\r\x1b[0KExecuting step\n\
\x1b[0Ksection_end:1694763181:step_script\r\x1b[0K\n\
progress 10%\rprogress 100%\n";
        let got: Vec<(usize, String)> = lines(trace)
            .into_iter()
            .map(|(n, text)| {
                let mut clean_text = String::new();
                clean(text.as_bytes(), false, &mut clean_text);
                (n, clean_text)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "Running with gitlab-runner 16.3.0".into()),
                (2, "Preparing the executor".into()),
                (3, "Using Shell executor...".into()),
                (4, "Executing step".into()),
                (5, "".into()),
                // Any other lone `\r` still ends a line.
                (6, "progress 10%".into()),
                (7, "progress 100%".into()),
            ]
        );
        assert!(!ends_with_gitlab_section_marker(b"section_start::x"));
        assert!(!ends_with_gitlab_section_marker(b"section_start:12:"));
        assert!(!ends_with_gitlab_section_marker(b"my section_end:12:a b"));
    }

    #[test]
    fn counts_lf_crlf_and_lone_cr_as_breaks() {
        let got = lines(b"a\r\nb\rc\nd");
        assert_eq!(
            got,
            vec![
                (1, "a".into()),
                (2, "b".into()),
                (3, "c".into()),
                (4, "d".into())
            ]
        );
        assert_eq!(lines(b"a\n\nb\n").len(), 3);
        assert!(lines(b"").is_empty());
    }

    #[test]
    fn keeps_a_crlf_pair_split_across_chunks_as_one_break() {
        let mut input = vec![b'x'; CHUNK_BYTES - 1];
        input.extend_from_slice(b"\r\nnext\n");
        let got = lines(&input);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], (2, "next".into()));
    }

    #[test]
    fn truncates_huge_lines_without_buffering_them() {
        let mut input = vec![b'y'; 3 * CHUNK_BYTES];
        input.extend_from_slice(b"\nend");
        let mut splitter = LineSplitter::new(&input[..]);
        let mut line = RawLine::default();
        assert!(splitter.next_line(&mut line).unwrap());
        assert!(line.truncated);
        assert_eq!(line.bytes.len(), MAX_LINE_BYTES);
        assert!(splitter.next_line(&mut line).unwrap());
        assert_eq!(line.bytes, b"end");
    }

    #[test]
    fn cleans_bom_timestamp_gh_columns_and_colours() {
        let mut text = String::new();
        let d = clean(
            b"\xEF\xBB\xBF2024-05-01T10:00:00.1234567Z \x1b[36;1mcargo test\x1b[0m",
            true,
            &mut text,
        );
        assert!(d.timestamp);
        assert_eq!(text, "cargo test");
        let d = clean(
            b"build\tRun tests\t2021-12-01T13:01:04.3807878Z FAILED",
            false,
            &mut text,
        );
        assert_eq!(
            d.gh_columns,
            Some(("build".to_string(), "Run tests".to_string()))
        );
        assert_eq!(text, "FAILED");
        let d = clean(b"plain\tline\twith tabs", false, &mut text);
        assert_eq!(d, Decorations::default());
        assert_eq!(text, "plain\tline\twith tabs");
    }

    #[test]
    fn every_escape_sequence_goes_whole_with_its_intermediate_bytes() {
        // libtest through `tput`: `setaf 1`, the word, then `sgr0` = `ESC ( B ESC [ m`.
        let mut text = String::new();
        let d = clean(
            b"test term::tests::selects_a_line ... \x1b[31mFAILED\x1b(B\x1b[m",
            false,
            &mut text,
        );
        assert_eq!(text, "test term::tests::selects_a_line ... FAILED");
        assert!(d.error_emphasis);
        // Character-set designations (`ESC ( 0`, `ESC ) B`), a two-intermediate one
        // (`ESC $ ( B`), a keypad mode (`ESC =`) and a reset (`ESC c`) leave no byte behind.
        clean(
            b"\x1b(0q\x1b(B ok\x1b)B \x1b$(Bdone\x1b=\x1bc.",
            false,
            &mut text,
        );
        assert_eq!(text, "q ok done.");
    }

    fn emphasis_of(line: &[u8]) -> bool {
        let mut text = String::new();
        clean(line, false, &mut text).error_emphasis
    }

    #[test]
    fn a_line_with_text_in_a_red_foreground_is_emphasised_as_an_error() {
        // rustc: bold red `error[E0425]`, then the message in bold white.
        assert!(emphasis_of(
            b"\x1b[1m\x1b[38;5;9merror[E0425]\x1b[0m\x1b[1m: cannot find value `x`\x1b[0m"
        ));
        // xUnit.net: the failed test's line in bold red; mocha's bright red.
        assert!(emphasis_of(
            b"\x1b[m\x1b[31;1m    Tests.Browser.Returns_json [FAIL]"
        ));
        assert!(emphasis_of(
            b"\x1b[91m  1) parser handles empty input:\x1b[0m"
        ));
        // npm colours only its level tag: the line still carries a red word.
        assert!(emphasis_of(b"npm \x1b[31mERR!\x1b[39m code ELIFECYCLE"));
    }

    #[test]
    fn other_colours_banners_and_empty_red_are_not_error_emphasis() {
        // Green passes, yellow warnings, a red background (Cake's white-on-red banner), red
        // switched off before any text, and a 24-bit colour whose first component is 1.
        for line in [
            &b"\x1b[32m  \xe2\x9c\x93 lists users\x1b[0m"[..],
            b"\x1b[33mwarning\x1b[0m: unused variable",
            b"\x1b[41m\x1b[37mError: One or more errors occurred.\x1b[39;49m",
            b"\x1b[31m\x1b[0mplain text after a reset",
            b"\x1b[31m   \x1b[39mspaces only were red",
            b"\x1b[38;2;1;200;0mgreen by 24-bit colour\x1b[0m",
            b"\x1b[48;5;1mred background by palette\x1b[0m",
            b"plain line with no colour at all",
        ] {
            assert!(!emphasis_of(line), "{}", String::from_utf8_lossy(line));
        }
    }
}
