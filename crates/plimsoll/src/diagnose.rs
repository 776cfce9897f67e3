//! `plimsoll diagnose`: explain a failing CI job from its log, and propose a coverage-preserving
//! fix to its workflow.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use plimsoll_diagnose::history;
use plimsoll_diagnose::jobmap::MatchedBy;
use plimsoll_diagnose::render::{self, Report};
use plimsoll_diagnose::workflow::{self, Plan};
use plimsoll_diagnose::{
    diagnose_with, matchers, rerun_verdict, Analysis, LogSource, PassingRun, Signatures, Verdict,
};

use crate::output;

/// How the analysis is written.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DiagnoseFormat {
    /// The root-cause analysis document.
    Markdown,
    /// The same, as JSON with line numbers.
    Json,
}

/// Arguments of `plimsoll diagnose`.
#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {
    /// Job logs (`-` or none for standard input): a raw GitHub job log, `gh run view --log`
    /// output, a run-log zip or its extracted folder, or a plain CI log; a log may be
    /// gzip-compressed (`job.log.gz`). Several logs of the same job (reruns) are compared for
    /// flakiness.
    #[arg(value_name = "LOG")]
    logs: Vec<PathBuf>,
    /// The workflow file that ran the job, to map the failing step and propose a patch.
    #[arg(long, value_name = "FILE", conflicts_with = "repo")]
    workflow: Option<PathBuf>,
    /// A repository whose `.github/workflows/` holds the workflow: the file the log's header
    /// names, else the one whose job has the log's job name (matrix expanded) or steps; its
    /// problem-matcher files under `.github/` apply where the log registers them.
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// A log of a run of the same job that passed (repeat for several; same forms as LOG, e.g.
    /// `gh run view RUN --log > pass.log`): lines it printed too rank below the lines new in
    /// the failing log, compared after timestamps, durations, counters, hashes and temporary
    /// paths are normalised.
    #[arg(long, value_name = "LOG")]
    passing: Vec<PathBuf>,
    /// The job to explain (default: the first failing one).
    #[arg(long, value_name = "NAME")]
    job: Option<String>,
    /// The `plimsoll metrics` database (default: the one `metrics` uses): when it holds the
    /// job's history, the analysis says whether the job failed the same way before, whether it
    /// is flaky, and which run last passed. Without one, nothing is added.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// The run the failing log is of (its id, as in `gh run view RUN`), to find it in the
    /// history (default: the job's newest stored failure).
    #[arg(long, value_name = "RUN_ID")]
    run: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnoseFormat::Markdown)]
    format: DiagnoseFormat,
    /// Write the analysis to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Run `plimsoll diagnose`: exit 0 when the analysis was written (whatever it found), 2 when the
/// input cannot be analysed.
pub fn run(args: DiagnoseArgs) -> anyhow::Result<ExitCode> {
    let signatures = Signatures::builtin();
    let stdin = [PathBuf::from("-")];
    let logs: &[PathBuf] = if args.logs.is_empty() {
        // Nobody types a CI log: with no log named and a terminal on standard input, waiting
        // silently would look like a hang.
        if std::io::stdin().is_terminal() {
            anyhow::bail!(
                "no log given, and standard input is a terminal: name a log file \
                 (`plimsoll diagnose job.log`), pipe one (`gh run view RUN --log-failed | \
                 plimsoll diagnose`), or pass `-` to paste one (see `plimsoll diagnose --help`)"
            );
        }
        &stdin
    } else {
        &args.logs
    };
    let reads_stdin = |logs: &[PathBuf]| logs.iter().any(|l| l.as_os_str() == "-");
    if reads_stdin(&args.passing) && reads_stdin(logs) {
        anyhow::bail!(
            "standard input (`-`) can be read once: pass the failing log or the passing one as a file"
        );
    }
    let passing = read_passing(&args.passing)?;
    let (repo_matchers, matcher_notes) = match &args.repo {
        Some(repo) => matchers::from_repository(repo),
        None => (Vec::new(), Vec::new()),
    };
    let mut analyses = Vec::new();
    for log in logs {
        let source = source_of(log)?;
        let mut analysis = diagnose_with(
            &source,
            args.job.as_deref(),
            signatures,
            passing.as_ref(),
            &repo_matchers,
        )
        .with_context(|| format!("cannot analyse {}", log.display()))?;
        analysis.notes.extend(matcher_notes.iter().cloned());
        analyses.push(analysis);
    }
    let workflow_path = match (&args.workflow, &args.repo) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(repo)) => find_workflow(repo, analyses.first())?,
        (None, None) => None,
    };
    let plans: Vec<Option<Plan>> = match &workflow_path {
        Some(path) => {
            let text = workflow::read(path)
                .with_context(|| format!("cannot read workflow {}", path.display()))?;
            analyses
                .iter()
                .map(|a| {
                    (a.verdict == Verdict::Failed)
                        .then(|| workflow::plan(a, &path.display().to_string(), &text, signatures))
                })
                .collect()
        }
        None => analyses.iter().map(|_| None).collect(),
    };
    let reruns = rerun_verdict(&analyses);
    let reports: Vec<Report<'_>> = analyses
        .iter()
        .zip(&plans)
        .map(|(analysis, plan)| Report {
            analysis,
            plan: plan.as_ref(),
        })
        .collect();
    let finding = history_of(&args, &analyses);
    let text = match args.format {
        DiagnoseFormat::Markdown => {
            let mut text = render::markdown(&reports, reruns.as_deref());
            if let Some(finding) = &finding {
                text.push_str(&history::markdown(finding, &crate::metrics::web_url()));
            }
            text
        }
        DiagnoseFormat::Json => {
            let text = render::json(&reports, reruns.as_deref())?;
            match &finding {
                Some(finding) => with_history(&text, finding)?,
                None => text,
            }
        }
    };
    output::emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// What the metrics database says about the failing job; `None` without a database, without
/// the job in it, or when it cannot be read (said on stderr): the history is an extra.
fn history_of(args: &DiagnoseArgs, analyses: &[Analysis]) -> Option<history::Finding> {
    let analysis = analyses.iter().find(|a| a.verdict == Verdict::Failed)?;
    let job = args
        .job
        .clone()
        .or_else(|| analysis.failing_job().map(|job| job.name.clone()))
        .filter(|name| !name.is_empty())?;
    let db = args.db.clone().or_else(crate::metrics::default_db)?;
    // Opening would create a database: only an existing one is read.
    if !db.is_file() {
        return None;
    }
    let read = || -> anyhow::Result<Vec<history::PastJob>> {
        let store = plimsoll_metrics::Store::open(&db)?;
        let in_workflow = match &analysis.workflow_file {
            Some(path) => store.job_history(&job, Some(path))?,
            None => Vec::new(),
        };
        // The header may name a reusable workflow's file, stored under its caller's.
        if in_workflow.is_empty() {
            return Ok(store.job_history(&job, None)?);
        }
        Ok(in_workflow)
    };
    match read() {
        Ok(jobs) => history::find(&jobs, args.run),
        Err(error) => {
            let message = format!("{error:#}");
            eprintln!(
                "plimsoll: no history from {}: {}",
                crate::for_stderr(&db.display().to_string(), false),
                crate::for_stderr(&message, false)
            );
            None
        }
    }
}

/// The JSON analysis with the history added as its `history` member.
fn with_history(text: &str, finding: &history::Finding) -> anyhow::Result<String> {
    let mut document: serde_json::Value =
        serde_json::from_str(text).context("cannot read back the JSON analysis")?;
    if let Some(object) = document.as_object_mut() {
        object.insert(
            "history".to_owned(),
            serde_json::to_value(finding).context("cannot write the history as JSON")?,
        );
    }
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}

/// Standard input for `-`, else the path, when it is a file or a folder.
fn source_of(log: &Path) -> anyhow::Result<LogSource> {
    if log.as_os_str() == "-" {
        if std::io::stdin().is_terminal() {
            eprintln!("plimsoll: reading a CI log from standard input; end it with Ctrl-D");
        }
        return Ok(LogSource::Stdin);
    }
    refuse_special(log)?;
    Ok(LogSource::Path(log.to_path_buf()))
}

/// The lines of the passing logs, `None` when there are none.
fn read_passing(logs: &[PathBuf]) -> anyhow::Result<Option<PassingRun>> {
    if logs.is_empty() {
        return Ok(None);
    }
    let mut passing = PassingRun::new();
    for log in logs {
        let source = source_of(log)?;
        passing
            .read(&source)
            .with_context(|| format!("cannot read passing log {}", log.display()))?;
    }
    Ok(Some(passing))
}

/// Refuse a log path that is neither a regular file nor a folder (a run-log archive's): a FIFO
/// would block and a device never end. Standard input is `-`.
fn refuse_special(log: &Path) -> anyhow::Result<()> {
    // A missing log is reported by the reader, like any other unreadable one.
    let Ok(meta) = std::fs::metadata(log) else {
        return Ok(());
    };
    if !meta.is_dir() {
        plimsoll_syntax::file::regular(&meta).with_context(|| {
            format!("cannot read {} (use `-` for standard input)", log.display())
        })?;
    }
    Ok(())
}

/// The workflow in `repo/.github/workflows/` that has the failing job: the file the runner's
/// header names, else the one with the job by its name as GitHub shows it (the matrix expanded)
/// or its steps, else the only workflow.
fn find_workflow(
    repo: &Path,
    analysis: Option<&plimsoll_diagnose::Analysis>,
) -> anyhow::Result<Option<PathBuf>> {
    let dir = repo.join(".github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    // The runner's header names the file; a reusable workflow's may be another repository's, so
    // it is taken when this repository has it and it has the job.
    if let Some(analysis) = analysis {
        if let Some(named) = &analysis.workflow_file {
            let path = repo.join(named);
            if let (Ok(text), Some(job)) = (workflow::read(&path), analysis.failing_job()) {
                if workflow::find_job(&text, job).is_some() {
                    return Ok(Some(path));
                }
            }
        }
    }
    if let Some(job) = analysis.and_then(|a| a.failing_job()) {
        for file in &files {
            let Ok(text) = workflow::read(file) else {
                continue;
            };
            // A workflow's only job would match any log.
            if workflow::find_job(&text, job).is_some_and(|by| by != MatchedBy::OnlyJob) {
                return Ok(Some(file.clone()));
            }
        }
    }
    match files.len() {
        0 => anyhow::bail!("no workflow files in {}", dir.display()),
        1 => Ok(files.pop()),
        _ => {
            eprintln!(
                "plimsoll: no workflow in {} defines the failing job; pass --workflow",
                dir.display()
            );
            Ok(None)
        }
    }
}
