//! `plimsoll check --git-history`: the history search, with a progress bar on a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use plimsoll_check::config::Settings;
use plimsoll_check::history::{scan_history, Progress};
use plimsoll_check::CheckReport;

/// How often the progress bar is redrawn, at most.
const REDRAW: Duration = Duration::from_millis(100);
/// Width of the bar itself, in characters.
const BAR_WIDTH: usize = 30;

/// Search the history of the repository at `repo`; `range` empty means every ref.
pub fn scan(repo: &Path, range: &str, settings: &Settings) -> anyhow::Result<CheckReport> {
    let range = (!range.is_empty()).then_some(range);
    let mut bar = ProgressBar::new(std::io::stderr().is_terminal());
    let report = scan_history(repo, range, settings, &mut |progress| bar.update(progress))
        .with_context(|| format!("searching the git history of {}", repo.display()));
    bar.finish();
    report
}

/// A one-line progress bar on standard error, drawn only when it is a terminal, so that logs
/// and CI output never get carriage returns.
struct ProgressBar {
    enabled: bool,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl ProgressBar {
    fn new(enabled: bool) -> Self {
        ProgressBar {
            enabled,
            last_draw: None,
            drawn: false,
        }
    }

    fn update(&mut self, progress: Progress) {
        if !self.enabled {
            return;
        }
        let due = self.last_draw.is_none_or(|at| at.elapsed() >= REDRAW);
        if !due && progress.done < progress.total {
            return;
        }
        self.last_draw = Some(Instant::now());
        let filled = (BAR_WIDTH * progress.done)
            .checked_div(progress.total)
            .unwrap_or(0)
            .min(BAR_WIDTH);
        let line = format!(
            "\r\x1b[2Ksearching history [{}{}] {}/{} commits",
            "=".repeat(filled),
            " ".repeat(BAR_WIDTH - filled),
            progress.done,
            progress.total
        );
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(line.as_bytes());
        let _ = stderr.flush();
        self.drawn = true;
    }

    fn finish(&mut self) {
        if self.drawn {
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(b"\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}
