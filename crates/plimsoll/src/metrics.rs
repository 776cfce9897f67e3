//! `plimsoll metrics`: sync a repository's GitHub Actions run history into the local database
//! and report its CI health.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use plimsoll_metrics::{render, time, AnalysisOptions, Client, ClientOptions, Store, SyncOptions};

use crate::output;

/// The API of github.com; `GITHUB_API_URL` names another (GitHub Enterprise Server).
const DEFAULT_API_URL: &str = "https://api.github.com";

/// Output formats of `metrics`.
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum MetricsFormat {
    /// Tables, with sparklines for the weekly trends.
    Table,
    /// The versioned JSON report.
    Json,
    /// OpenMetrics text, for Prometheus' textfile collector.
    Openmetrics,
}

/// Arguments of `plimsoll metrics`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The API is $GITHUB_API_URL (default https://api.github.com); the token \
    is $GITHUB_TOKEN, else $GH_TOKEN, else `gh auth token`."
)]
pub struct MetricsArgs {
    /// The repository (default: $GITHUB_REPOSITORY, as GitHub Actions sets it).
    #[arg(long, value_name = "OWNER/NAME", env = "GITHUB_REPOSITORY")]
    repo: Option<String>,
    /// The window: runs created in the last `30d` (`12h`, `2w`…) or since a date
    /// (`2026-11-01`).
    #[arg(long, value_name = "AGE|DATE", default_value = "30d")]
    since: String,
    /// Only the runs of this workflow file (`ci.yml` or `.github/workflows/ci.yml`).
    #[arg(long, value_name = "FILE")]
    workflow: Option<String>,
    /// Only the runs of this branch.
    #[arg(long, value_name = "BRANCH")]
    branch: Option<String>,
    /// Report from the database without asking GitHub.
    #[arg(long)]
    offline: bool,
    /// Also read each completed job's log once, for the cache actions' hits, misses and saves.
    #[arg(long, conflicts_with = "offline")]
    logs: bool,
    /// The database (default: $XDG_CACHE_HOME/plimsoll/metrics.sqlite, else
    /// ~/.cache/plimsoll/metrics.sqlite).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MetricsFormat::Table)]
    format: MetricsFormat,
    /// How many steps the slowest and most-failing lists show.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// The token: `GITHUB_TOKEN`, `GH_TOKEN`, else what the GitHub CLI is logged in with (for the
/// API's host, on GitHub Enterprise Server). `None` sends no token: 60 requests an hour.
fn token(api_url: &str) -> Option<String> {
    if let Some(token) = env("GITHUB_TOKEN").or_else(|| env("GH_TOKEN")) {
        return Some(token);
    }
    let mut command = std::process::Command::new("gh");
    command.args(["auth", "token"]);
    if api_url != DEFAULT_API_URL {
        let host = api_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        command.args(["--hostname", host]);
    }
    let output = command.stderr(std::process::Stdio::null()).output().ok()?;
    let token = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !token.is_empty()).then_some(token)
}

/// Run `plimsoll metrics`.
pub fn run(args: MetricsArgs) -> anyhow::Result<ExitCode> {
    let repo = args
        .repo
        .clone()
        .context("no repository: name one with --repo OWNER/NAME (or set GITHUB_REPOSITORY)")?;
    let now = time::now();
    let since = time::parse_since(&args.since, now).with_context(|| {
        format!(
            "--since `{}`: expected an age (`30d`, `12h`, `2w`) or a date (`2026-11-01`)",
            args.since
        )
    })?;
    let db = match &args.db {
        Some(path) => path.clone(),
        None => Store::default_path(&env)
            .context("no cache folder: set XDG_CACHE_HOME or HOME, or name a database with --db")?,
    };
    let mut store =
        Store::open(&db).with_context(|| format!("cannot use the database {}", db.display()))?;

    if !args.offline {
        let api_url = env("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        let token = token(&api_url);
        if token.is_none() {
            tracing::warn!(
                "no GitHub token (GITHUB_TOKEN, GH_TOKEN or `gh auth login`): unauthenticated \
                 requests are limited to 60 an hour"
            );
        }
        let mut client = Client::new(ClientOptions::new(&api_url, token));
        let options = SyncOptions {
            repo: repo.clone(),
            since,
            workflow: args.workflow.clone(),
            branch: args.branch.clone(),
            now,
            logs: args.logs,
        };
        let on_terminal = std::io::stderr().is_terminal();
        let summary = plimsoll_metrics::sync(&mut client, &mut store, &options, &mut |s| {
            if on_terminal {
                eprint!(
                    "\rsyncing {}: {} runs listed, {} attempts stored, {} requests",
                    crate::for_stderr(&repo, false),
                    s.runs_listed,
                    s.attempts_stored,
                    s.requests.requests
                );
            }
        })
        .with_context(|| format!("cannot sync {repo}"))?;
        if on_terminal {
            eprint!("\r\x1b[2K");
        }
        let counts = summary.requests;
        let logs = if args.logs {
            format!(
                ", {} job logs read ({} no longer kept by GitHub)",
                summary.logs_read, summary.logs_unavailable
            )
        } else {
            String::new()
        };
        eprintln!(
            "plimsoll: synced {}: {} runs listed, {} attempts and {} jobs stored{logs}; {} \
             requests ({} not modified, {} retried, {} rate-limit waits)",
            crate::for_stderr(&repo, false),
            summary.runs_listed,
            summary.attempts_stored,
            summary.jobs_stored,
            counts.requests,
            counts.not_modified,
            counts.retries,
            counts.rate_limit_waits
        );
    }

    let history = store
        .history(&repo, since)
        .with_context(|| format!("cannot read the history of {repo}"))?;
    if history.repo.is_none() {
        anyhow::bail!(
            "{} holds no history of {repo}: run `plimsoll metrics --repo {repo}` without \
             --offline first",
            db.display()
        );
    }
    let report = plimsoll_metrics::analyse(
        &history,
        &AnalysisOptions {
            since,
            workflow: args.workflow.clone(),
            branch: args.branch.clone(),
            top_steps: args.top,
        },
    );
    match args.format {
        MetricsFormat::Table => output::emit(&render::human(&report), args.output.as_deref())?,
        MetricsFormat::Openmetrics => {
            output::emit(&render::openmetrics(&report), args.output.as_deref())?
        }
        MetricsFormat::Json => output::emit_with(args.output.as_deref(), |out| {
            render::json(&report, out).context("cannot write the JSON report")
        })?,
    }
    Ok(ExitCode::SUCCESS)
}
