//! `plimsoll metrics`: sync a repository's GitHub Actions run history into the local database
//! and report its CI health, once or (`metrics serve`) as a Prometheus endpoint.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use plimsoll_metrics::serve::{Exposition, SharedExposition};
use plimsoll_metrics::{
    render, time, AnalysisOptions, Client, ClientOptions, Report, Store, SyncOptions, SyncSummary,
};

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

/// What to sync and analyse, for a report and for `serve` alike.
#[derive(clap::Args, Debug, Clone)]
pub struct Scope {
    /// The repository (default: $GITHUB_REPOSITORY, as GitHub Actions sets it).
    #[arg(long, value_name = "OWNER/NAME", env = "GITHUB_REPOSITORY")]
    repo: Option<String>,
    /// Every repository of this organisation (archived and disabled ones skipped), synced
    /// `--jobs` at a time: the figures per repository, then across them.
    #[arg(long, value_name = "NAME", conflicts_with = "repo")]
    org: Option<String>,
    /// How many repositories of `--org` are synced at once (they share the rate limit).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    jobs: u16,
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
    /// Also read each completed job's log once, for the cache actions' hits, misses and saves.
    #[arg(long)]
    logs: bool,
    /// Also read each completed run's artifacts once (up to 64 MiB each), for the JUnit test
    /// reports they hold: test times, slowest and flaky tests.
    #[arg(long)]
    junit: bool,
    /// The database (default: $XDG_CACHE_HOME/plimsoll/metrics.sqlite, else
    /// ~/.cache/plimsoll/metrics.sqlite).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// How many rows the slowest and most-failing steps and the slowest and flaky tests show.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
}

/// Arguments of `plimsoll metrics`.
#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "The API is $GITHUB_API_URL (default https://api.github.com); the token \
    is $GITHUB_TOKEN, else $GH_TOKEN, else `gh auth token`."
)]
pub struct MetricsArgs {
    #[command(subcommand)]
    command: Option<MetricsCommand>,
    #[command(flatten)]
    scope: Scope,
    /// Report from the database without asking GitHub.
    #[arg(long, conflicts_with_all = ["logs", "junit"])]
    offline: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MetricsFormat::Table)]
    format: MetricsFormat,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the report as one self-contained HTML page with charts (no network needed
    /// to open it).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
enum MetricsCommand {
    /// Keep syncing and serve /metrics (OpenMetrics), /healthz and /readyz until SIGTERM.
    Serve(ServeArgs),
}

/// Arguments of `plimsoll metrics serve`.
#[derive(clap::Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    scope: Scope,
    /// The address to listen on (port 0: any free port, printed on stderr).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9464")]
    listen: String,
    /// Time between syncs (`15m`, `1h`, `90s`).
    #[arg(long, value_name = "AGE", default_value = "15m")]
    interval: String,
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

/// The scope resolved: repository, window start and database.
struct Resolved {
    repo: String,
    since: i64,
    db: PathBuf,
}

/// The database `metrics` uses by default, `None` without a cache folder.
pub(crate) fn default_db() -> Option<PathBuf> {
    Store::default_path(&env)
}

/// The web address of `$GITHUB_API_URL`'s GitHub, for links: `https://github.com`, or a
/// GitHub Enterprise Server's `https://HOST` for `https://HOST/api/v3`.
pub(crate) fn web_url() -> String {
    let api_url = env("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    let api_url = api_url.trim_end_matches('/');
    if api_url == DEFAULT_API_URL {
        return "https://github.com".to_owned();
    }
    api_url
        .strip_suffix("/api/v3")
        .unwrap_or(api_url)
        .to_owned()
}

fn resolve(scope: &Scope, now: i64) -> anyhow::Result<Resolved> {
    let repo = scope
        .repo
        .clone()
        .context("no repository: name one with --repo OWNER/NAME (or set GITHUB_REPOSITORY)")?;
    Ok(Resolved {
        repo,
        since: window_start(scope, now)?,
        db: database(scope)?,
    })
}

/// The start of `--since`'s window.
fn window_start(scope: &Scope, now: i64) -> anyhow::Result<i64> {
    time::parse_since(&scope.since, now).with_context(|| {
        format!(
            "--since `{}`: expected an age (`30d`, `12h`, `2w`) or a date (`2026-11-01`)",
            scope.since
        )
    })
}

/// `--db`, else the default database.
fn database(scope: &Scope) -> anyhow::Result<PathBuf> {
    match &scope.db {
        Some(path) => Ok(path.clone()),
        None => default_db()
            .context("no cache folder: set XDG_CACHE_HOME or HOME, or name a database with --db"),
    }
}

fn open_store(db: &std::path::Path) -> anyhow::Result<Store> {
    Store::open(db).with_context(|| format!("cannot use the database {}", db.display()))
}

/// A client for `$GITHUB_API_URL` with the token found.
fn client() -> Client {
    let api_url = env("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    let token = token(&api_url);
    if token.is_none() {
        tracing::warn!(
            "no GitHub token (GITHUB_TOKEN, GH_TOKEN or `gh auth login`): unauthenticated \
             requests are limited to 60 an hour"
        );
    }
    Client::new(ClientOptions::new(&api_url, token))
}

fn sync_once(
    client: &mut Client,
    store: &mut Store,
    scope: &Scope,
    resolved: &Resolved,
    now: i64,
    progress: &mut dyn FnMut(&SyncSummary),
) -> anyhow::Result<SyncSummary> {
    let options = sync_options(scope, &resolved.repo, resolved.since, now);
    plimsoll_metrics::sync(client, store, &options, progress)
        .with_context(|| format!("cannot sync {}", resolved.repo))
}

fn report(store: &Store, scope: &Scope, resolved: &Resolved) -> anyhow::Result<Report> {
    let repo = &resolved.repo;
    let report =
        plimsoll_metrics::analyse_stored(store, repo, &analysis_options(scope, resolved.since))
            .with_context(|| format!("cannot read the history of {repo}"))?;
    report.with_context(|| {
        format!(
            "{} holds no history of {repo}: run `plimsoll metrics --repo {repo}` without \
             --offline first",
            resolved.db.display()
        )
    })
}

fn analysis_options(scope: &Scope, since: i64) -> AnalysisOptions {
    AnalysisOptions {
        since,
        workflow: scope.workflow.clone(),
        branch: scope.branch.clone(),
        top_steps: scope.top,
    }
}

fn sync_options(scope: &Scope, repo: &str, since: i64, now: i64) -> SyncOptions {
    SyncOptions {
        repo: repo.to_owned(),
        since,
        workflow: scope.workflow.clone(),
        branch: scope.branch.clone(),
        now,
        logs: scope.logs,
        junit: scope.junit,
    }
}

/// `plimsoll metrics --org NAME`: list the organisation's repositories, sync them `--jobs` at
/// a time, and report each and all. Exits 1 when a repository could not be synced (the
/// others are reported).
fn run_org(args: &MetricsArgs, org: &str) -> anyhow::Result<ExitCode> {
    if args.html.is_some() {
        anyhow::bail!("--html writes the page of one repository: use --repo");
    }
    let now = time::now();
    let since = window_start(&args.scope, now)?;
    let db = database(&args.scope)?;
    let store = open_store(&db)?;
    let mut failures = 0;
    let repos = if args.offline {
        store
            .repos_of(org)
            .with_context(|| format!("cannot read the repositories of {org}"))?
    } else {
        let mut client = client();
        let listed = plimsoll_metrics::org::org_repositories(&mut client, &store, org)
            .with_context(|| format!("cannot list the repositories of {org}"))?;
        let template = sync_options(&args.scope, "", since, now);
        let on_terminal = std::io::stderr().is_terminal();
        let shown = crate::for_stderr(org, false);
        let results = plimsoll_metrics::org::sync_org(
            &client,
            &db,
            &listed.repos,
            &template,
            usize::from(args.scope.jobs),
            &|progress| {
                if on_terminal {
                    eprint!(
                        "\r\x1b[2Ksyncing {shown}: {}/{} repositories ({})",
                        progress.done,
                        progress.total,
                        crate::for_stderr(&progress.repo, false)
                    );
                }
            },
        );
        if on_terminal {
            eprint!("\r\x1b[2K");
        }
        for (repo, outcome) in &results {
            match outcome {
                Ok(summary) if summary.no_workflows => {
                    eprintln!("plimsoll: {}: no workflows", crate::for_stderr(repo, false))
                }
                Ok(summary) => eprintln!(
                    "{}",
                    summary_line(repo, summary, args.scope.logs, args.scope.junit)
                ),
                Err(error) => {
                    failures += 1;
                    let message = error.to_string();
                    eprintln!(
                        "plimsoll: cannot sync {}: {}",
                        crate::for_stderr(repo, false),
                        crate::for_stderr(&message, false)
                    );
                }
            }
        }
        eprintln!(
            "plimsoll: {shown}: {} repositories synced, {} failed, {} archived or disabled skipped",
            results.len() - failures,
            failures,
            listed.skipped
        );
        results
            .into_iter()
            .filter(|(_, outcome)| outcome.as_ref().is_ok_and(|s| !s.no_workflows))
            .map(|(repo, _)| repo)
            .collect()
    };
    if repos.is_empty() {
        anyhow::bail!(
            "{} holds no history of a repository of {org}: run `plimsoll metrics --org {org}` \
             without --offline first",
            db.display()
        );
    }
    let options = analysis_options(&args.scope, since);
    let mut reports = Vec::new();
    for repo in &repos {
        let report = plimsoll_metrics::analyse_stored(&store, repo, &options)
            .with_context(|| format!("cannot read the history of {repo}"))?;
        reports.extend(report);
    }
    let report = plimsoll_metrics::org::org_report(org, &time::format_timestamp(since), reports);
    match args.format {
        MetricsFormat::Table => output::emit(&render::human_org(&report), args.output.as_deref())?,
        MetricsFormat::Openmetrics => {
            let reports: Vec<&Report> = report.repos.iter().collect();
            output::emit(&render::openmetrics_of(&reports), args.output.as_deref())?
        }
        MetricsFormat::Json => output::emit_with(args.output.as_deref(), |out| {
            serde_json::to_writer_pretty(&mut *out, &report)
                .context("cannot write the JSON report")?;
            out.write_all(b"\n").context("cannot write the JSON report")
        })?,
    }
    Ok(if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The one-line summary of a sync, for stderr.
fn summary_line(repo: &str, summary: &SyncSummary, logs: bool, junit: bool) -> String {
    let counts = summary.requests;
    let logs = if logs {
        format!(
            ", {} job logs read ({} no longer kept by GitHub)",
            summary.logs_read, summary.logs_unavailable
        )
    } else {
        String::new()
    };
    let junit = if junit {
        format!(
            ", {} artifacts read ({} JUnit reports, {} test results; {} expired or too large)",
            summary.artifacts_read,
            summary.junit_reports,
            summary.test_cases_stored,
            summary.artifacts_skipped
        )
    } else {
        String::new()
    };
    format!(
        "plimsoll: synced {}: {} runs listed, {} attempts and {} jobs stored{logs}{junit}; {} \
         requests ({} not modified, {} retried, {} rate-limit waits)",
        crate::for_stderr(repo, false),
        summary.runs_listed,
        summary.attempts_stored,
        summary.jobs_stored,
        counts.requests,
        counts.not_modified,
        counts.retries,
        counts.rate_limit_waits
    )
}

/// Run `plimsoll metrics`.
pub fn run(args: MetricsArgs) -> anyhow::Result<ExitCode> {
    if let Some(MetricsCommand::Serve(serve_args)) = args.command {
        return serve(serve_args);
    }
    if let Some(org) = args.scope.org.clone() {
        return run_org(&args, &org);
    }
    let now = time::now();
    let resolved = resolve(&args.scope, now)?;
    let mut store = open_store(&resolved.db)?;
    if !args.offline {
        let mut client = client();
        let on_terminal = std::io::stderr().is_terminal();
        let repo = resolved.repo.clone();
        let summary = sync_once(
            &mut client,
            &mut store,
            &args.scope,
            &resolved,
            now,
            &mut |s| {
                if on_terminal {
                    eprint!(
                        "\rsyncing {}: {} runs listed, {} attempts stored, {} requests",
                        crate::for_stderr(&repo, false),
                        s.runs_listed,
                        s.attempts_stored,
                        s.requests.requests
                    );
                }
            },
        )?;
        if on_terminal {
            eprint!("\r\x1b[2K");
        }
        eprintln!(
            "{}",
            summary_line(&repo, &summary, args.scope.logs, args.scope.junit)
        );
    }
    let report = report(&store, &args.scope, &resolved)?;
    if let Some(path) = &args.html {
        output::write_file(path, plimsoll_metrics::html::html(&report).as_bytes())?;
    }
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

/// Set by SIGTERM or SIGINT: the server finishes the request it is answering and exits.
static SHUTDOWN: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn request_shutdown(_signal: libc::c_int) {
    // An atomic store is async-signal-safe; nothing else happens in the handler.
    SHUTDOWN.store(true, Ordering::SeqCst);
}

#[cfg(unix)]
fn on_termination_signals() {
    let handler = request_shutdown as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, handler);
        libc::signal(libc::SIGINT, handler);
    }
}

#[cfg(not(unix))]
fn on_termination_signals() {}

/// `plimsoll metrics serve`: sync every `--interval` on a thread, answer HTTP on this one.
fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let now = time::now();
    // Checked before binding, so a bad argument fails at once.
    resolve(&args.scope, now)?;
    let interval = time::parse_since(&args.interval, 0)
        .map(|back| -back)
        .filter(|seconds| *seconds > 0)
        .with_context(|| {
            format!(
                "--interval `{}`: expected `15m`, `1h`, `90s`",
                args.interval
            )
        })?;
    let listener = std::net::TcpListener::bind(&args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the address listened on")?;
    on_termination_signals();
    eprintln!("plimsoll: serving /metrics, /healthz and /readyz on http://{address}");

    let exposition: SharedExposition = Arc::new(RwLock::new(Exposition::default()));
    let sync_state = exposition.clone();
    let scope = args.scope.clone();
    std::thread::spawn(move || sync_loop(&scope, interval, &sync_state));

    plimsoll_metrics::serve::serve(&listener, &exposition, &SHUTDOWN)
        .context("the HTTP server failed")?;
    // A sync under way is abandoned: each run attempt is stored in its own transaction.
    eprintln!("plimsoll: shutting down");
    Ok(ExitCode::SUCCESS)
}

/// Sync and analyse every `interval` seconds until shutdown, publishing each report.
fn sync_loop(scope: &Scope, interval: i64, exposition: &SharedExposition) {
    let mut client = client();
    while !SHUTDOWN.load(Ordering::SeqCst) {
        let now = time::now();
        let outcome = resolve(scope, now).and_then(|resolved| {
            let mut store = open_store(&resolved.db)?;
            let summary = sync_once(&mut client, &mut store, scope, &resolved, now, &mut |_| {})?;
            eprintln!(
                "{}",
                summary_line(&resolved.repo, &summary, scope.logs, scope.junit)
            );
            report(&store, scope, &resolved)
        });
        match exposition.write() {
            Ok(mut state) => match outcome {
                Ok(report) => {
                    state.metrics = Some(render::openmetrics(&report));
                    state.last_success = Some(now);
                }
                Err(error) => {
                    state.failures += 1;
                    let message = format!("{error:#}");
                    tracing::warn!("sync failed: {}", crate::for_stderr(&message, false));
                }
            },
            Err(_) => return,
        }
        // Slept in short slices, so a shutdown is not held up by the interval.
        let mut slept = Duration::ZERO;
        let interval = Duration::from_secs(interval.unsigned_abs());
        while slept < interval && !SHUTDOWN.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
            slept += Duration::from_millis(200);
        }
    }
}
