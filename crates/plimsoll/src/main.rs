//! The `plimsoll` command line: argument parsing and wiring only; the work lives in the
//! `plimsoll-check` and `plimsoll-report` crates.

/// mimalloc: a run allocates and frees millions of small nodes, strings and vectors, and
/// glibc's allocator spent a fifth of the time of a workflow run in them. See [`tune_allocator`]
/// for how its memory is kept bounded.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod diagnose;
mod fix;
mod guard;
mod history;
mod init;
mod metrics;
mod output;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `plimsoll check` scans every file for secrets: the detectors' automaton and the regexes
    // every CI file needs (~3 ms of work) are built on a thread of their own while the
    // arguments are parsed, the settings load and discovery runs (a core would otherwise idle),
    // instead of by the first thread to check a file while the other waits for them. The
    // subcommand is always the first argument (there are no global options). Should no thread
    // start, the scan builds them when first needed.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|command| command == "check")
    {
        let _ = std::thread::Builder::new()
            .name("secrets".into())
            .spawn(plimsoll_check::secrets::scanner::prepare);
    }
    let cli = cli::Cli::parse();
    init_logging();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            let message = format!("{err:#}");
            eprintln!("plimsoll: error: {}", for_stderr(&message, false));
            ExitCode::from(2)
        }
    }
}

/// `text` as it may reach stderr, which a CI job's public log keeps: error messages and log
/// lines quote input (a value of the repository's `plimsoll.toml`, a zip entry, a job name, a
/// path), so the credentials the detectors find in it are masked and no control character
/// (ESC, a line break starting `::error::`) is written raw.
pub(crate) fn for_stderr(text: &str, keep_newlines: bool) -> String {
    let redacted = plimsoll_secrets::log::redact_text(text);
    plimsoll_syntax::text::escape_unsafe(&redacted, keep_newlines).into_owned()
}

/// stderr for one log event: `tracing` formats an event into one buffer and writes it whole,
/// so the event is collected here and written through [`for_stderr`] when dropped.
#[derive(Default)]
struct LogWriter {
    buffer: Vec<u8>,
}

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.buffer);
        // The event's own line break is kept; one inside it (a path named with a line break)
        // is escaped, so it cannot start a workflow command.
        let (event, end) = match text.strip_suffix('\n') {
            Some(event) => (event, "\n"),
            None => (&*text, ""),
        };
        let line = format!("{}{end}", for_stderr(event, false));
        // A log line that cannot be written is dropped, as the default writer would.
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(LogWriter::default)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_target(false)
        .init();
}

/// Keep mimalloc's resident memory near glibc's: by default it commits its arenas eagerly on
/// Linux, which raised a workflow run's peak from 41 MiB to 90 MiB; committing on demand keeps
/// it near 35 MiB.
///
/// Freed pages go back to the system after 10 ms, not at once: purging at once cost a
/// `madvise` and a TLB shootdown across threads per emptied page, and a page fault when the
/// page was used again: 6% of the CPU time of a workflow run (task-clock 161-167 ms -> 149-152
/// ms on the 1,968 workflows of `../shared/corpus/real`), for about 1 MiB more peak there
/// (31 -> 32 MiB) and 6 MiB more on the whole corpus (97 -> 102 MiB).
///
/// The arena takes its commit mode when it is reserved, at the first allocation, so this runs
/// as a constructor, before `main` and before the standard library allocates anything.
#[cfg(target_os = "linux")]
extern "C" fn tune_allocator() {
    // Option numbers of `mi_option_e` in the bundled mimalloc v3 (`mimalloc.h`).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an option only stores a value that mimalloc reads when it next reserves
    // or frees memory; this runs once, on the main thread, before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 10);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;
