//! `plimsoll guard`: fail a change that lowers CI coverage.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use plimsoll_guard::render;

use crate::output;

/// Output formats of `guard`.
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum GuardFormat {
    /// A before/after table of what was lost.
    Human,
    /// A versioned JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations on the lines of the new version.
    Github,
}

/// Arguments of `plimsoll guard`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Exit status: 0 when coverage does not drop, 1 when it does, 2 on error.")]
pub struct GuardArgs {
    /// A folder of the repository to guard (with --base/--head).
    #[arg(default_value = ".", conflicts_with_all = ["before", "after"])]
    path: PathBuf,
    /// The old revision (default: the merge base of HEAD with the default branch).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// The new revision (default: the working tree).
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    /// The old version as a workflow file or a checkout folder (needs --after).
    #[arg(long, value_name = "FILE|DIR", requires = "after", conflicts_with_all = ["base", "head"])]
    before: Option<PathBuf>,
    /// The new version as a workflow file or a checkout folder (needs --before).
    #[arg(long, value_name = "FILE|DIR", requires = "before")]
    after: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GuardFormat::Human)]
    format: GuardFormat,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Run `plimsoll guard`.
pub fn run(args: GuardArgs) -> anyhow::Result<ExitCode> {
    let report = match (&args.before, &args.after) {
        (Some(before), Some(after)) => plimsoll_guard::guard_paths(before, after)?,
        _ => plimsoll_guard::guard_git(&args.path, args.base.as_deref(), args.head.as_deref())?,
    };
    let version = env!("CARGO_PKG_VERSION");
    let text = match args.format {
        GuardFormat::Human => render::human(&report),
        GuardFormat::Json => render::json(&report, version).context("cannot render JSON")?,
        GuardFormat::Sarif => render::sarif(&report, version).context("cannot render SARIF")?,
        GuardFormat::Github => render::github(&report),
    };
    output::emit(&text, args.output.as_deref())?;
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
