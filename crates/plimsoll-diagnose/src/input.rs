//! The forms a log comes in, and feeding each to a [`LineSink`] (the analyser, or a passing
//! run's line set) as jobs, steps and lines.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use plimsoll_secrets::log::LogRedactor;
use serde::Serialize;

use crate::reader::{clean, LineSplitter, RawLine};

/// Where a log comes from.
#[derive(Debug, Clone)]
pub enum LogSource {
    /// A file: a job log or `gh` output (either gzip-compressed or not), or a run-log zip; or a
    /// folder of an extracted archive.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes in memory, with a label for messages (tests, fuzzing).
    Bytes(String, Vec<u8>),
}

impl LogSource {
    /// The name used in messages.
    pub fn display(&self) -> String {
        match self {
            LogSource::Path(path) => path.display().to_string(),
            LogSource::Stdin => "-".into(),
            LogSource::Bytes(label, _) => label.clone(),
        }
    }
}

/// The form of a log, as detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// A GitHub Actions job log as downloaded (timestamps, `##[group]`).
    GithubRaw,
    /// `gh run view --log` / `--log-failed`: `job<TAB>step<TAB>line`.
    GhRunView,
    /// A run-log archive (zip) or its extracted folder.
    GithubArchive,
    /// A log without step markers (Travis, GitLab, Jenkins, …).
    Plain,
}

/// A log that cannot be analysed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Reading failed (the cause is the error's source, so chains print it once).
    #[error("cannot read {path}")]
    Io {
        /// What was read.
        path: String,
        /// Why it failed.
        source: io::Error,
    },
    /// The log has no lines.
    #[error("{0} is empty: there is no log to analyse")]
    Empty(String),
    /// The bytes are not text.
    #[error("{0} is not a text log (binary content); pass the job log, `gh run view --log` output, or the run-log archive")]
    Binary(String),
    /// A folder that is not an extracted run-log archive.
    #[error("{0} holds no `N_job.txt` log files: pass a job log or an extracted run-log archive")]
    NotAnArchive(String),
    /// A zip that does not open.
    #[error("{path} is not a readable run-log archive: {message}")]
    Zip {
        /// The archive.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// `--job` names no job of the log.
    #[error("no job named `{job}` in the log (jobs: {jobs})")]
    NoSuchJob {
        /// The filter.
        job: String,
        /// The jobs found.
        jobs: String,
    },
}

/// What the reader feeds lines to: the analyser, or the line set of a passing run (both
/// implement it where they are defined or used, so this module depends on neither).
pub trait LineSink {
    /// Start a job; lines until the next job belong to it.
    fn begin_job(&mut self, name: &str);
    /// Start a step known from the input's structure (`gh` columns, an archive file).
    fn begin_step(&mut self, name: &str, file: &str, line: usize, structural: bool);
    /// One cleaned line: where it is, its text, whether it carried GitHub decorations, and
    /// whether it was cut at the reader's line limit.
    fn push(&mut self, file: &str, number: usize, text: &str, github: bool, truncated: bool);
    /// Whether the line [`LineSink::push`] gets next was shown in an error's colour
    /// ([`crate::reader::Decorations::error_emphasis`]). Told before the push, apart from it,
    /// so that sinks that do not rank lines (a passing run's line set) need not hear of it.
    fn error_emphasis(&mut self, _emphasised: bool) {}
}

/// What feeding learned about the input.
#[derive(Debug)]
pub struct ReadInfo {
    /// The detected form.
    pub format: LogFormat,
    /// Remarks for the report.
    pub notes: Vec<String>,
}

/// [`plimsoll_syntax::file::open_regular`], its error as an I/O error.
fn open_regular(path: &Path) -> io::Result<(File, u64)> {
    plimsoll_syntax::file::open_regular(path).map_err(io::Error::other)
}

/// Feed every line of `source` to `analyzer`, after its decorations are removed, with what only
/// the stream shows of the credentials it prints masked ([`LogRedactor`]: private keys over
/// several lines, secrets cut at the line limit); [`crate::diagnose`] masks the rest in the
/// lines it keeps.
pub fn feed(source: &LogSource, analyzer: &mut dyn LineSink) -> Result<ReadInfo, InputError> {
    let label = source.display();
    let io_err = |source: io::Error| InputError::Io {
        path: label.clone(),
        source,
    };
    match source {
        LogSource::Path(path) if path.is_dir() => feed_folder(path, analyzer),
        LogSource::Path(path) => {
            let (file, _) = open_regular(path).map_err(io_err)?;
            let mut reader = BufReader::with_capacity(64 * 1024, file);
            if is_zip(&mut reader).map_err(io_err)? {
                return feed_zip(&label, path, analyzer);
            }
            feed_text(&label, UNNAMED_JOB, reader, analyzer)
        }
        LogSource::Stdin => {
            let stdin = io::stdin();
            let reader = BufReader::with_capacity(64 * 1024, stdin.lock());
            feed_text(&label, UNNAMED_JOB, reader, analyzer)
        }
        LogSource::Bytes(label, bytes) if bytes.starts_with(ZIP_MAGIC) => {
            let bytes: std::sync::Arc<[u8]> = bytes.as_slice().into();
            feed_zip(label, &bytes, analyzer)
        }
        LogSource::Bytes(label, bytes) => feed_text(label, UNNAMED_JOB, &bytes[..], analyzer),
    }
}

/// The first bytes of a zip file.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

fn is_zip<R: BufRead>(reader: &mut R) -> io::Result<bool> {
    Ok(reader.fill_buf()?.starts_with(ZIP_MAGIC))
}

/// The name of a job the input does not name. A log file's own name is not its job's: a
/// downloaded log is `fail.log`, `job.txt` or `1_build.txt` whatever job it is of, and taking it
/// as the name maps the log to the wrong job of the workflow. The log can still name its job
/// (`Complete job name:`, `gh`'s columns); a run-log archive names each by its structure.
pub const UNNAMED_JOB: &str = "";

/// `12_Run tests` → `Run tests`.
fn strip_index(name: &str) -> &str {
    match name.split_once('_') {
        Some((number, rest))
            if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest
        }
        _ => name,
    }
}

fn index_of(name: &str) -> usize {
    name.split_once('_')
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Whether the first bytes look like binary data rather than a log.
fn looks_binary(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let nul = head.iter().filter(|&&b| b == 0).count();
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b | 0x08 | 0x0c))
        .count();
    let invalid = match std::str::from_utf8(head) {
        Ok(_) => 0,
        // A multi-byte character cut at the end of the window is not a sign of binary data.
        Err(e) if e.error_len().is_none() => 0,
        Err(_) => String::from_utf8_lossy(head)
            .chars()
            .filter(|&c| c == '\u{FFFD}')
            .count(),
    };
    nul > 0 || (control + invalid) * 10 > head.len()
}

/// Read up to 8 KiB from the start of `reader`, to look at without losing it.
fn read_head<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; 8192];
    let mut filled = 0;
    while filled < head.len() {
        let n = match reader.read(&mut head[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    Ok(head)
}

/// Feed a text log (job log, `gh` output or plain log), inflated first when it is gzip.
fn feed_text<R: Read>(
    label: &str,
    job_name: &str,
    mut reader: R,
    analyzer: &mut dyn LineSink,
) -> Result<ReadInfo, InputError> {
    let io_err = |source: io::Error| InputError::Io {
        path: label.to_string(),
        source,
    };
    let head = read_head(&mut reader).map_err(io_err)?;
    if crate::gzip::is_gzip(&head) {
        let mut inflated = crate::gzip::inflate(
            head.as_slice().chain(reader),
            crate::gzip::MAX_INFLATED_BYTES,
        );
        let head = read_head(&mut inflated).map_err(io_err)?;
        return feed_lines(label, job_name, head, inflated, analyzer);
    }
    feed_lines(label, job_name, head, reader, analyzer)
}

/// Feed the lines of a text log whose first bytes, `head`, were read from `reader` already.
fn feed_lines<R: Read>(
    label: &str,
    job_name: &str,
    head: Vec<u8>,
    reader: R,
    analyzer: &mut dyn LineSink,
) -> Result<ReadInfo, InputError> {
    let io_err = |source: io::Error| InputError::Io {
        path: label.to_string(),
        source,
    };
    if head.starts_with(ZIP_MAGIC) {
        return Err(InputError::Zip {
            path: label.to_string(),
            message: "a run-log zip is read from a file: pass its path instead of piping it".into(),
        });
    }
    if looks_binary(&head) {
        return Err(InputError::Binary(label.to_string()));
    }
    let mut splitter = LineSplitter::new(head.as_slice().chain(reader));
    let mut raw = RawLine::default();
    let mut text = String::new();
    let mut gh_job: Option<String> = None;
    let mut gh_step: Option<String> = None;
    let mut gh_lines = 0usize;
    let mut timestamped = 0usize;
    let mut redactor = LogRedactor::new();
    analyzer.begin_job(job_name);
    while splitter.next_line(&mut raw).map_err(io_err)? {
        let decorations = clean(&raw.bytes, raw.number == 1, &mut text);
        redactor.redact_line(&mut text, raw.truncated);
        if let Some((job, step)) = decorations.gh_columns {
            gh_lines += 1;
            if gh_job.as_deref() != Some(job.as_str()) {
                analyzer.begin_job(&job);
                gh_job = Some(job);
                gh_step = None;
            }
            if gh_step.as_deref() != Some(step.as_str()) {
                let structural = step != "UNKNOWN STEP";
                analyzer.begin_step(&step, label, raw.number, structural);
                gh_step = Some(step);
            }
        }
        let github = decorations.timestamp || text.starts_with("##[");
        if decorations.timestamp {
            timestamped += 1;
        }
        analyzer.error_emphasis(decorations.error_emphasis);
        analyzer.push(label, raw.number, &text, github, raw.truncated);
    }
    let format = if gh_lines > 0 {
        LogFormat::GhRunView
    } else if timestamped > 0 {
        LogFormat::GithubRaw
    } else {
        LogFormat::Plain
    };
    Ok(ReadInfo {
        format,
        notes: Vec::new(),
    })
}

/// Where a file of a run-log archive is.
enum Member {
    /// A file of an extracted folder.
    File(PathBuf),
    /// An entry of a zip.
    Zip(crate::zip::Entry),
}

/// One job of a run-log archive: its whole-job log and its step logs.
struct ArchiveJob {
    name: String,
    log: Option<Member>,
    /// `(N, file name, member)` of each `job/N_step.txt`.
    steps: Vec<(usize, String, Member)>,
}

/// Group an archive's files into jobs, in the order of their `N_` prefixes: `N_job.txt` at the
/// top, `job/N_step.txt` beside it (GitHub writes both; the step files carry the step names).
fn archive_jobs(
    logs: Vec<(String, Member)>,
    steps: Vec<(String, String, Member)>,
) -> Vec<ArchiveJob> {
    let mut logs: Vec<(usize, String, Member)> = logs
        .into_iter()
        .map(|(name, member)| (index_of(&name), name, member))
        .collect();
    logs.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut step_dirs: std::collections::BTreeMap<String, Vec<(usize, String, Member)>> =
        Default::default();
    for (dir, name, member) in steps {
        step_dirs
            .entry(dir)
            .or_default()
            .push((index_of(&name), name, member));
    }
    let mut jobs = Vec::new();
    for (_, name, member) in logs {
        let job = strip_index(name.trim_end_matches(".txt")).to_string();
        let steps = step_dirs.remove(&job).unwrap_or_default();
        jobs.push(ArchiveJob {
            name: job,
            log: Some(member),
            steps,
        });
    }
    for (job, steps) in step_dirs {
        jobs.push(ArchiveJob {
            name: job,
            log: None,
            steps,
        });
    }
    for job in &mut jobs {
        job.steps.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    }
    jobs
}

/// A member opened: its label for messages and reports, and its bytes.
type Opened = (String, Box<dyn Read>);

/// Feed the jobs of an archive; `open` gives a member's label and bytes.
fn feed_archive(
    jobs: Vec<ArchiveJob>,
    open: &dyn Fn(&Member) -> Result<Opened, InputError>,
    analyzer: &mut dyn LineSink,
) -> Result<ReadInfo, InputError> {
    for job in jobs {
        if job.steps.is_empty() {
            if let Some(member) = &job.log {
                let (label, reader) = open(member)?;
                feed_text(&label, &job.name, BufReader::new(reader), analyzer)?;
            }
            continue;
        }
        analyzer.begin_job(&job.name);
        for (_, name, member) in &job.steps {
            let (label, reader) = open(member)?;
            feed_step(
                &label,
                strip_index(name.trim_end_matches(".txt")),
                reader,
                analyzer,
            )?;
        }
    }
    Ok(ReadInfo {
        format: LogFormat::GithubArchive,
        notes: Vec::new(),
    })
}

/// Feed an extracted run-log archive: `N_job.txt` files, and `job/N_step.txt` when present.
fn feed_folder(dir: &Path, analyzer: &mut dyn LineSink) -> Result<ReadInfo, InputError> {
    let io_err = |source: io::Error| InputError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut logs = Vec::new();
    let mut steps = Vec::new();
    let mut dirs = 0usize;
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            dirs += 1;
            for step in std::fs::read_dir(&path).map_err(io_err)? {
                let step = step.map_err(io_err)?;
                let step_name = step.file_name().to_string_lossy().into_owned();
                if step_name.ends_with(".txt") {
                    steps.push((name.clone(), step_name, Member::File(step.path())));
                }
            }
        } else if name.ends_with(".txt") {
            logs.push((name, Member::File(path)));
        }
    }
    if logs.is_empty() && dirs == 0 {
        return Err(InputError::NotAnArchive(dir.display().to_string()));
    }
    let open = |member: &Member| -> Result<Opened, InputError> {
        let Member::File(path) = member else {
            return Err(InputError::NotAnArchive(dir.display().to_string()));
        };
        let label = path.display().to_string();
        // A FIFO or a device among the step files would block or never end.
        let (file, _) = open_regular(path).map_err(|source| InputError::Io {
            path: label.clone(),
            source,
        })?;
        Ok((label, Box::new(file)))
    };
    feed_archive(archive_jobs(logs, steps), &open, analyzer)
}

/// Feed one step file of an archive as one structural step.
fn feed_step<R: Read>(
    label: &str,
    step: &str,
    reader: R,
    analyzer: &mut dyn LineSink,
) -> Result<(), InputError> {
    let io_err = |source: io::Error| InputError::Io {
        path: label.to_string(),
        source,
    };
    analyzer.begin_step(step, label, 1, true);
    let mut splitter = LineSplitter::new(reader);
    let mut raw = RawLine::default();
    let mut text = String::new();
    let mut redactor = LogRedactor::new();
    while splitter.next_line(&mut raw).map_err(io_err)? {
        let decorations = clean(&raw.bytes, raw.number == 1, &mut text);
        redactor.redact_line(&mut text, raw.truncated);
        let github = decorations.timestamp || text.starts_with("##[");
        analyzer.error_emphasis(decorations.error_emphasis);
        analyzer.push(label, raw.number, &text, github, raw.truncated);
    }
    Ok(())
}

/// A zip's bytes, opened once per entry (entries are read one after the other, each as a
/// stream, so nothing is held in memory but the central directory).
trait ZipBytes {
    fn reader(&self) -> io::Result<Box<dyn ReadSeek>>;
}

/// `Read + Seek` as one object type.
trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl ZipBytes for PathBuf {
    fn reader(&self) -> io::Result<Box<dyn ReadSeek>> {
        Ok(Box::new(io::BufReader::new(File::open(self)?)))
    }
}

impl ZipBytes for std::sync::Arc<[u8]> {
    fn reader(&self) -> io::Result<Box<dyn ReadSeek>> {
        Ok(Box::new(io::Cursor::new(self.clone())))
    }
}

/// Feed a run-log zip: the same layout as the extracted folder.
fn feed_zip(
    label: &str,
    zip: &dyn ZipBytes,
    analyzer: &mut dyn LineSink,
) -> Result<ReadInfo, InputError> {
    let zip_err = |error: crate::zip::ZipError| InputError::Zip {
        path: label.to_string(),
        message: error.to_string(),
    };
    let mut reader = zip.reader().map_err(|e| zip_err(e.into()))?;
    let entries = crate::zip::entries(&mut reader).map_err(zip_err)?;
    let mut logs = Vec::new();
    let mut steps = Vec::new();
    for entry in entries {
        if entry.is_dir() || !entry.name.ends_with(".txt") {
            continue;
        }
        let name = entry.name.trim_start_matches("./").to_string();
        match name.split_once('/') {
            None => logs.push((name, Member::Zip(entry))),
            Some((dir, file)) if !file.contains('/') && !dir.is_empty() => {
                steps.push((dir.to_string(), file.to_string(), Member::Zip(entry)));
            }
            Some(_) => {}
        }
    }
    if logs.is_empty() && steps.is_empty() {
        return Err(InputError::Zip {
            path: label.to_string(),
            message: "it holds no `N_job.txt` or `job/N_step.txt` log files".into(),
        });
    }
    let open = |member: &Member| -> Result<Opened, InputError> {
        let Member::Zip(entry) = member else {
            return Err(InputError::NotAnArchive(label.to_string()));
        };
        let reader = zip.reader().map_err(|e| zip_err(e.into()))?;
        let stream = crate::zip::open(reader, entry).map_err(zip_err)?;
        Ok((format!("{label}!/{}", entry.name), stream))
    };
    feed_archive(archive_jobs(logs, steps), &open, analyzer)
}
