//! Secrets in git history: `plimsoll check --git-history [REV-RANGE]` searches what every
//! commit added, so that a credential deleted since is still found where it was committed.
//!
//! The history is read from one `git log -p -U0` process, streamed: only the lines a commit
//! added are kept, one file diff at a time (at most `max-file-size` bytes of it, each line cut
//! at [`MAX_LINE`] bytes), and searched by the same detectors as the working tree. Memory stays
//! bounded whatever the number of commits. Merge commits add nothing of their own (`git log`
//! shows no diff for them), and a renamed file adds only what changed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use plimsoll_git::Git;

use plimsoll_syntax::{LineCol, SourceFile};

use crate::discovery::normalize;
use crate::engine::{make_finding, CheckReport};
use crate::rules::secrets::HardcodedSecret;
use crate::secrets::{redact, scanner, secret_hash};
use crate::settings::Settings;
use crate::suppression;

/// The longest diff line read whole; the rest of a longer (minified) line is not searched.
pub const MAX_LINE: usize = 1024 * 1024;

/// Marks the commit header lines of the `git log` output: no diff line starts with it.
const COMMIT_MARK: u8 = 0x01;

/// Why the history could not be searched.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The revision range looks like an option.
    #[error("`{0}` is not a revision range")]
    BadRange(String),
    /// git could not be started.
    #[error("{0}")]
    Spawn(plimsoll_git::GitError),
    /// Reading git's output failed.
    #[error("reading git's output: {0}")]
    Read(std::io::Error),
    /// git failed (not a repository, an unknown revision).
    #[error("git failed: {0}")]
    Git(String),
}

/// How far a history search is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Commits read so far.
    pub done: usize,
    /// Commits to read.
    pub total: usize,
}

/// Search what the commits of `range` (every commit of every ref when `None`) added in the git
/// repository at `repo`. `progress` is called after each commit.
pub fn scan_history(
    repo: &Path,
    range: Option<&str>,
    settings: &Settings,
    progress: &mut dyn FnMut(Progress),
) -> Result<CheckReport, HistoryError> {
    let revisions: Vec<&str> = match range {
        Some(range) if range.starts_with('-') || range.trim().is_empty() => {
            return Err(HistoryError::BadRange(range.to_string()))
        }
        Some(range) => vec![range],
        None => vec!["--all"],
    };
    let mut report = CheckReport::default();
    let Some(severity) = settings.rule_severity(&HardcodedSecret::META) else {
        return Ok(report);
    };
    let git = Git::new(repo).map_err(HistoryError::Spawn)?;
    let total = count_commits(&git, &revisions)?;
    let mut child = git
        .command(["log"])
        .args(["-p", "-U0", "-M", "--no-color"])
        .arg(format!("--format={}%H %aI", char::from(COMMIT_MARK)))
        .args(&revisions)
        .arg("--")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| HistoryError::Spawn(plimsoll_git::spawn_error(e)))?;
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    });
    let Some(stdout) = child.stdout.take() else {
        return Err(HistoryError::Git("no output".into()));
    };
    let mut walker = Walker {
        repo,
        settings,
        severity,
        limit: usize::try_from(settings.max_file_size).unwrap_or(usize::MAX),
        commit: None,
        file: None,
        found: HashMap::new(),
        files: 0,
    };
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut line = Vec::new();
    let mut done = 0;
    let mut hunk = Hunk::default();
    while read_line_capped(&mut reader, &mut line, MAX_LINE).map_err(HistoryError::Read)? {
        if hunk.remaining() {
            hunk.take(&line, &mut walker);
            continue;
        }
        if line.first() == Some(&COMMIT_MARK) {
            walker.flush();
            walker.commit = parse_commit(&line[1..]);
            done += 1;
            progress(Progress {
                done,
                total: total.max(done),
            });
        } else if line.starts_with(b"diff --git ") {
            walker.flush();
        } else if let Some(path) = line.strip_prefix(b"+++ ") {
            walker.start_file(path);
        } else if line.starts_with(b"@@ ") {
            hunk = Hunk::parse(&line);
            if let Some(file) = &mut walker.file {
                file.next_line = hunk.new_start;
            }
        }
    }
    walker.flush();
    let status = child.wait().map_err(HistoryError::Read)?;
    let errors = stderr
        .and_then(|thread| thread.join().ok())
        .unwrap_or_default();
    if !status.success() {
        return Err(HistoryError::Git(errors.trim().to_string()));
    }
    report.files_checked = walker.files;
    report.findings = walker.found.into_values().collect();
    report.findings.sort_by(|a, b| {
        (&a.location.path, a.location.start, &a.message).cmp(&(
            &b.location.path,
            b.location.start,
            &b.message,
        ))
    });
    // A path added with a token in its name is reported too, so its name is masked.
    crate::engine::mask_report_paths(&mut report);
    Ok(report)
}

/// Whether `rev` names a commit in the repository at `repo`.
pub fn is_revision(repo: &Path, rev: &str) -> bool {
    let spec = format!("{rev}^{{commit}}");
    Git::new(repo)
        .and_then(|git| {
            git.output([
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ])
        })
        .is_ok_and(|output| output.status.success())
}

fn count_commits(git: &Git, revisions: &[&str]) -> Result<usize, HistoryError> {
    let output = git
        .command(["rev-list", "--count"])
        .args(revisions)
        .arg("--")
        .output()
        .map_err(|e| HistoryError::Spawn(plimsoll_git::spawn_error(e)))?;
    if !output.status.success() {
        return Err(HistoryError::Git(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0))
}

/// A commit: its id and author date.
struct Commit {
    id: String,
    date: String,
}

fn parse_commit(line: &[u8]) -> Option<Commit> {
    let text = std::str::from_utf8(line).ok()?;
    let (id, date) = text.split_once(' ')?;
    Some(Commit {
        id: id.to_string(),
        date: date.trim().to_string(),
    })
}

/// The lines one commit added to one file, joined, with the line number of each in the file.
struct AddedText {
    path: String,
    text: String,
    line_numbers: Vec<usize>,
    next_line: usize,
    truncated: bool,
}

/// Where the current hunk's lines are: how many old and new lines are still to come.
#[derive(Default)]
struct Hunk {
    new_start: usize,
    old_left: usize,
    new_left: usize,
}

impl Hunk {
    /// `@@ -a[,b] +c[,d] @@`; counts default to 1.
    fn parse(line: &[u8]) -> Hunk {
        let text = String::from_utf8_lossy(line);
        let mut hunk = Hunk::default();
        for part in text.split(' ').skip(1).take(2) {
            let (sign, rest) = part.split_at(part.len().min(1));
            let (start, count) = match rest.split_once(',') {
                Some((start, count)) => (start, count.parse().unwrap_or(0)),
                None => (rest, 1),
            };
            let start = start.parse().unwrap_or(0);
            match sign {
                "-" => hunk.old_left = count,
                "+" => {
                    hunk.new_start = start;
                    hunk.new_left = count;
                }
                _ => {}
            }
        }
        hunk
    }

    fn remaining(&self) -> bool {
        self.old_left > 0 || self.new_left > 0
    }

    /// Consume one line of the hunk body.
    fn take(&mut self, line: &[u8], walker: &mut Walker<'_>) {
        match line.first() {
            Some(b'+') if self.new_left > 0 => {
                self.new_left -= 1;
                walker.add_line(&line[1..]);
            }
            Some(b'-') if self.old_left > 0 => self.old_left -= 1,
            // `\ No newline at end of file` belongs to the line before it.
            Some(b'\\') => {}
            _ => {
                // Not the diff we expected: stop trusting the counts.
                self.old_left = 0;
                self.new_left = 0;
            }
        }
    }
}

struct Walker<'a> {
    repo: &'a Path,
    settings: &'a Settings,
    severity: crate::Severity,
    limit: usize,
    commit: Option<Commit>,
    file: Option<AddedText>,
    /// Findings by (path, detector, secret hash): a secret committed again (a cherry-pick, a
    /// rebased branch) is reported once, at the oldest commit that added it.
    found: HashMap<(PathBuf, String, String), crate::Finding>,
    files: usize,
}

impl Walker<'_> {
    fn start_file(&mut self, header: &[u8]) {
        self.flush();
        let header = String::from_utf8_lossy(header);
        let header = header.trim_end_matches(['\r', '\t']);
        if header == "/dev/null" {
            return;
        }
        let unquoted = unquote(header);
        let path = unquoted.strip_prefix("b/").unwrap_or(&unquoted).to_string();
        if self.settings.is_excluded(&self.repo.join(&path)) {
            return;
        }
        self.file = Some(AddedText {
            path,
            text: String::new(),
            line_numbers: Vec::new(),
            next_line: 1,
            truncated: false,
        });
    }

    fn add_line(&mut self, content: &[u8]) {
        let limit = self.limit;
        let Some(file) = &mut self.file else {
            return;
        };
        let line_number = file.next_line;
        file.next_line += 1;
        if file.text.len() + content.len() + 1 > limit {
            file.truncated = true;
            return;
        }
        if content.contains(&0) {
            return;
        }
        file.text.push_str(&String::from_utf8_lossy(content));
        file.text.push('\n');
        file.line_numbers.push(line_number);
    }

    /// Search the added text of the current file, if any.
    fn flush(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        let Some(commit) = &self.commit else {
            return;
        };
        if file.truncated {
            tracing::info!(
                "{}: the part of commit {} over the size limit was not searched",
                file.path,
                short(&commit.id)
            );
        }
        if file.text.is_empty() {
            return;
        }
        self.files += 1;
        let path = normalize(&self.repo.join(&file.path));
        if self.settings.is_ignored(&path, &HardcodedSecret::META) {
            return;
        }
        let source = SourceFile::new(path.clone(), file.text);
        let mut suppressions = suppression::parse(&source);
        for found in scanner().scan(source.text()) {
            let line = source.lines().line_of(found.span.start);
            if suppression::suppress(
                &mut suppressions,
                HardcodedSecret::META.name,
                HardcodedSecret::META.id,
                line,
            ) {
                continue;
            }
            let secret = source.slice(found.span);
            let message = format!(
                "{}, added in commit {} ({}): `{}` [{}]",
                found.detector.description,
                short(&commit.id),
                commit.date,
                redact(secret),
                found.detector.id
            );
            let mut finding = make_finding(
                &HardcodedSecret::META,
                self.severity,
                &path,
                None,
                None,
                message,
                None,
            );
            let at = |offset: usize| {
                let local = source.line_col(offset);
                let line = file_line(&file.line_numbers, local.line);
                (
                    LineCol {
                        line,
                        column: local.column,
                    },
                    source.line_col_utf16(offset).column,
                )
            };
            let (start, start_utf16) = at(found.span.start);
            finding.location.start = start;
            finding.location.start_utf16 = start_utf16;
            // A point, not the secret's extent, which would tell its length.
            crate::engine::point_at_start(&mut finding.location);
            let key = (path.clone(), found.detector.id.clone(), secret_hash(secret));
            // `git log` lists newer commits first: the last one seen added the secret first.
            self.found.insert(key, finding);
        }
    }
}

/// The line in the file of the 1-based `line` of the added text.
fn file_line(line_numbers: &[usize], line: usize) -> usize {
    line_numbers
        .get(line.saturating_sub(1))
        .or(line_numbers.last())
        .copied()
        .unwrap_or(1)
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// A path as git prints it: C-quoted (`"b/caf\303\251 \"x\""`) when it holds special bytes.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(7),
            Some(b'b') => bytes.push(8),
            Some(b'f') => bytes.push(12),
            Some(b'v') => bytes.push(11),
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    match chars.peek() {
                        Some(&o @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(o - b'0');
                            chars.next();
                        }
                        _ => break,
                    }
                }
                bytes.push(u8::try_from(value).unwrap_or(b'?'));
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Read one line (without its `\n`) into `line`, keeping at most `cap` bytes of it; `false` at
/// the end of the input.
fn read_line_capped(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<bool> {
    line.clear();
    let mut read_any = false;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(read_any);
        }
        read_any = true;
        let (chunk, used, complete) = match available.iter().position(|&b| b == b'\n') {
            Some(newline) => (&available[..newline], newline + 1, true),
            None => (available, available.len(), false),
        };
        let room = cap.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        reader.consume(used);
        if complete {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        let hunk = Hunk::parse(b"@@ -3,2 +5,4 @@ fn main");
        assert_eq!((hunk.new_start, hunk.old_left, hunk.new_left), (5, 2, 4));
        let hunk = Hunk::parse(b"@@ -0,0 +1 @@");
        assert_eq!((hunk.new_start, hunk.old_left, hunk.new_left), (1, 0, 1));
        let hunk = Hunk::parse(b"@@ garbage");
        assert!(!hunk.remaining());
    }

    #[test]
    fn quoted_paths() {
        assert_eq!(unquote("b/plain.txt"), "b/plain.txt");
        assert_eq!(unquote("\"b/caf\\303\\251 \\\"x\\\"\""), "b/café \"x\"");
        assert_eq!(unquote("\"b/tab\\there\""), "b/tab\there");
    }

    #[test]
    fn long_lines_are_cut_not_buffered() {
        let input = format!("{}\nnext\n", "a".repeat(10_000));
        let mut reader = BufReader::with_capacity(64, input.as_bytes());
        let mut line = Vec::new();
        assert!(read_line_capped(&mut reader, &mut line, 100).unwrap());
        assert_eq!(line.len(), 100);
        assert!(read_line_capped(&mut reader, &mut line, 100).unwrap());
        assert_eq!(line, b"next");
        assert!(!read_line_capped(&mut reader, &mut line, 100).unwrap());
    }
}
