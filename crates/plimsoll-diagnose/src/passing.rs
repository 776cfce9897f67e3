//! Comparison with passing runs of the same job (`diagnose --passing LOG`).
//!
//! A line a passing run printed too (a warning, a retried download, an error a test logs on
//! purpose) is not what made this run fail; a line no passing run printed is where the runs
//! differ. Published work on CI logs (CiDiff, LogSage) finds this the strongest single signal
//! when a green log exists, and `gh run view --log` gives one in a command.
//!
//! Lines are compared after what differs between any two runs is normalised away ([`normalise`]:
//! timestamps, durations, counters, ports, hashes, UUIDs, addresses, temporary paths). The
//! passing runs are kept as 64-bit hashes of their normalised lines, so memory grows with their
//! distinct lines, never with their text, and stops growing at [`MAX_LINES`].

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use crate::input::{self, InputError, LineSink, LogSource};

/// Most distinct lines kept from the passing runs (about 16 MiB of hashes): past it, a line not
/// found may have been among the ones not kept, so it is neither promoted nor demoted.
pub const MAX_LINES: usize = 1 << 20;

/// The score a line the passing runs never printed gets when no signature marks it: above a
/// failing step's last words (1.5), since the comparison is stronger evidence than position,
/// and below any line a signature marks as an error.
pub const NEW_LINE_SCORE: f32 = 2.0;

/// What a line the passing runs printed too keeps of its signature score: it stays a candidate,
/// ranked below what is new in this run.
pub const SEEN_LINE_WEIGHT: f32 = 0.25;

/// The normalised lines of one or more passing runs of the job.
#[derive(Debug, Default)]
pub struct PassingRun {
    lines: HashSet<u64>,
    logs: usize,
    full: bool,
    buffer: String,
}

/// Whether a passing run printed a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// It did (after normalising).
    Yes,
    /// No passing run did.
    No,
    /// Not known: the line set stopped at [`MAX_LINES`].
    Unknown,
}

impl PassingRun {
    /// No lines yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read the log `source` (any form [`input::feed`] reads) and add its lines.
    pub fn read(&mut self, source: &LogSource) -> Result<(), InputError> {
        input::feed(source, self)?;
        self.logs += 1;
        Ok(())
    }

    /// How many logs were read.
    pub fn logs(&self) -> usize {
        self.logs
    }

    /// How many distinct normalised lines they hold.
    pub fn distinct_lines(&self) -> usize {
        self.lines.len()
    }

    /// Whether lines were left out at [`MAX_LINES`].
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// Whether a passing run printed `text`.
    pub fn seen(&self, text: &str) -> Seen {
        if self.lines.contains(&key(text)) {
            Seen::Yes
        } else if self.full {
            Seen::Unknown
        } else {
            Seen::No
        }
    }

    /// The score of a line of the failing log, given the passing runs: a line they printed keeps
    /// [`SEEN_LINE_WEIGHT`] of its score; a new line keeps its score, or gets
    /// [`NEW_LINE_SCORE`] when no signature marked it and `may_promote` (the line is the
    /// command's own output, before any failure marker).
    pub fn rescore(&self, text: &str, score: f32, may_promote: bool) -> f32 {
        if text.trim().is_empty() {
            return score;
        }
        match self.seen(text) {
            Seen::Yes => score * SEEN_LINE_WEIGHT,
            Seen::No if may_promote => score.max(NEW_LINE_SCORE),
            Seen::No | Seen::Unknown => score,
        }
    }
}

impl LineSink for PassingRun {
    fn begin_job(&mut self, _name: &str) {}

    fn begin_step(&mut self, _name: &str, _file: &str, _line: usize, _structural: bool) {}

    fn push(&mut self, _file: &str, _number: usize, text: &str, _github: bool, _truncated: bool) {
        if self.full {
            return;
        }
        self.buffer.clear();
        normalise(text, &mut self.buffer);
        let key = hash(&self.buffer);
        if self.lines.len() >= MAX_LINES && !self.lines.contains(&key) {
            self.full = true;
            return;
        }
        self.lines.insert(key);
    }
}

fn hash(normalised: &str) -> u64 {
    // `DefaultHasher::new()` has fixed keys: the same line hashes the same in every run.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    normalised.hash(&mut hasher);
    hasher.finish()
}

fn key(text: &str) -> u64 {
    let mut normalised = String::with_capacity(text.len());
    normalise(text, &mut normalised);
    hash(&normalised)
}

/// Folders whose next path segment is a name made up for one run.
const TEMP_FOLDERS: &[&str] = &["/tmp/", "/temp/", "\\temp\\", "/_temp/", "/t/"];

/// `text` with what differs between two runs of the same job replaced by `#`, appended to
/// `out`:
/// - numbers (`13`, `0.52`, `1.2.3`, `10.0.0.1`): times, durations, counters, ports, versions,
///   addresses. A lone `0` stays: `Failures: 0` and `Failures: 1`, `exit code 0` and `exit
///   code 1` are the difference between passing and failing.
/// - words holding digits that are hexadecimal (`3f9a2c1`, a UUID's parts, `0x7ffd`) or at
///   least 8 characters long (`junit8123456`, build ids): hashes, ids and temporary names;
///   shorter ones keep their letters (`13s`, `v2`, `x86` read `#s`, `v#`, `x#`).
/// - the path segment after a temporary folder (`/tmp/`, `/_temp/`, Windows' `\Temp\`).
/// - whitespace runs, which alignment changes, are one space; ends are trimmed.
pub fn normalise(text: &str, out: &mut String) {
    let start = out.len();
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut space = false;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte.is_ascii_whitespace() {
            space = true;
            at += 1;
            continue;
        }
        if space && out.len() > start {
            out.push(' ');
        }
        space = false;
        let after_temp = at > 0
            && matches!(bytes[at - 1], b'/' | b'\\')
            && TEMP_FOLDERS.iter().any(|folder| {
                out.len() - start >= folder.len()
                    && out[out.len() - folder.len()..].eq_ignore_ascii_case(folder)
            });
        if after_temp && !is_separator(byte) {
            let end = bytes[at..]
                .iter()
                .position(|&b| is_separator(b))
                .map_or(bytes.len(), |n| at + n);
            out.push('#');
            at = end;
            continue;
        }
        if byte.is_ascii_alphanumeric() {
            let end = word_end(bytes, at);
            push_word(&text[at..end], out);
            at = end;
            continue;
        }
        // Any other character, whole (it may be several bytes).
        let width = text[at..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[at..at + width]);
        at += width;
    }
}

fn is_separator(byte: u8) -> bool {
    byte.is_ascii_whitespace() || matches!(byte, b'/' | b'\\' | b'"' | b'\'' | b':' | b')')
}

/// The end of the word starting at `start`: letters and digits, with dots between digits
/// (`0.52s`, `1.2.3`).
fn word_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() {
        let byte = bytes[end];
        let dot_in_number = byte == b'.'
            && end > start
            && bytes[end - 1].is_ascii_digit()
            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if !(byte.is_ascii_alphanumeric() || dot_in_number) {
            break;
        }
        end += 1;
    }
    end
}

fn push_word(word: &str, out: &mut String) {
    if !word.bytes().any(|b| b.is_ascii_digit()) || word == "0" {
        out.push_str(word);
        return;
    }
    let hexadecimal = word.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.');
    if hexadecimal || word.len() >= 8 || word.starts_with("0x") {
        out.push('#');
        return;
    }
    let mut in_number = false;
    for byte in word.bytes() {
        if byte.is_ascii_digit() || (in_number && byte == b'.') {
            if !in_number {
                out.push('#');
                in_number = true;
            }
        } else {
            in_number = false;
            out.push(char::from(byte));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(text: &str) -> String {
        let mut out = String::new();
        normalise(text, &mut out);
        out
    }

    #[test]
    fn what_changes_between_runs_is_normalised_away() {
        for (a, b) in [
            // Durations and counters.
            ("BUILD SUCCESSFUL in 13s", "BUILD SUCCESSFUL in 1s"),
            (
                "==== 12 passed, 1 warning in 0.52s ====",
                "==== 14 passed, 2 warning in 10.03s ====",
            ),
            ("Progress (1): 2.3/4.5 kB", "Progress (3): 4.5/4.5 kB"),
            // Hashes, UUIDs, addresses, ports.
            ("HEAD is now at 3f9a2c1 fix", "HEAD is now at 8be01d7 fix"),
            (
                "request 123e4567-e89b-12d3-a456-426614174000 done",
                "request 9f1c2d3e-0a1b-4c2d-8e3f-001122334455 done",
            ),
            (
                "listening on 127.0.0.1:34567",
                "listening on 127.0.0.1:41237",
            ),
            ("at 0x7ffd5a3c2b10", "at 0x55d0c8a1"),
            // Temporary paths.
            (
                "wrote /tmp/junit8123456789/report.xml",
                "wrote /tmp/junit1029384756/report.xml",
            ),
            ("cd /tmp/tmpabcxyz/build", "cd /tmp/tmpqrsuvw/build"),
            (
                r"C:\Users\RUNNER~1\AppData\Local\Temp\pip-build-x\setup.py",
                r"C:\Users\RUNNER~1\AppData\Local\Temp\pip-build-y\setup.py",
            ),
            // Alignment.
            ("   Compiling  serde v1.0.200", "Compiling serde v1.0.201"),
        ] {
            assert_eq!(normalised(a), normalised(b), "{a:?} / {b:?}");
        }
    }

    #[test]
    fn what_tells_failing_from_passing_is_kept() {
        for (a, b) in [
            (
                "Tests run: 12, Failures: 0, Errors: 0",
                "Tests run: 12, Failures: 1, Errors: 0",
            ),
            (
                "##[error]Process completed with exit code 1.",
                "Process completed with exit code 0.",
            ),
            ("test result: ok. 3 passed", "test result: FAILED. 3 passed"),
            (
                "error: could not compile `app`",
                "error: could not compile `lib`",
            ),
        ] {
            assert_ne!(normalised(a), normalised(b), "{a:?} / {b:?}");
        }
        assert_eq!(normalised("  Done  in 12.5s \t"), "Done in #s");
        assert_eq!(normalised("naïve café 42"), "naïve café #");
    }

    #[test]
    fn lines_of_the_passing_run_are_demoted_and_new_ones_promoted() {
        let mut passing = PassingRun::new();
        for line in [
            "warning: unused variable `x` (took 12 ms)",
            "Downloading https://repo/artifact-1.2.3.jar",
        ] {
            passing.push("pass.log", 1, line, false, false);
        }
        assert_eq!(passing.distinct_lines(), 2);
        assert_eq!(
            passing.seen("warning: unused variable `x` (took 180 ms)"),
            Seen::Yes
        );
        assert_eq!(
            passing.rescore("warning: unused variable `x` (took 3 ms)", 8.0, true),
            2.0
        );
        assert_eq!(passing.rescore("assert 1 == 2", 0.0, true), NEW_LINE_SCORE);
        assert_eq!(passing.rescore("assert 1 == 2", 0.0, false), 0.0);
        assert_eq!(
            passing.rescore("error[E0308]: mismatched types", 9.0, true),
            9.0
        );
        assert_eq!(passing.rescore("   ", 0.0, true), 0.0);
    }
}
