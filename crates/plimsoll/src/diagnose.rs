//! `plimsoll diagnose`: explain a failing CI job from its log, and propose a coverage-preserving
//! fix to its workflow.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use plimsoll_diagnose::render::{self, Report};
use plimsoll_diagnose::workflow::{self, Plan};
use plimsoll_diagnose::{diagnose_with, matchers, rerun_verdict, LogSource, Signatures, Verdict};

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
    /// Job logs (`-` for standard input): a raw GitHub job log, `gh run view --log` output, a
    /// run-log zip or its extracted folder, or a plain CI log. Several logs of the same job
    /// (reruns) are compared for flakiness.
    #[arg(default_value = "-", value_name = "LOG")]
    logs: Vec<PathBuf>,
    /// The workflow file that ran the job, to map the failing step and propose a patch.
    #[arg(long, value_name = "FILE", conflicts_with = "repo")]
    workflow: Option<PathBuf>,
    /// A repository whose `.github/workflows/` holds the workflow (found by the job's name);
    /// its problem-matcher files under `.github/` apply where the log registers them.
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// The job to explain (default: the first failing one).
    #[arg(long, value_name = "NAME")]
    job: Option<String>,
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
    let (repo_matchers, matcher_notes) = match &args.repo {
        Some(repo) => matchers::from_repository(repo),
        None => (Vec::new(), Vec::new()),
    };
    let mut analyses = Vec::new();
    for log in &args.logs {
        let source = if log.as_os_str() == "-" {
            LogSource::Stdin
        } else {
            refuse_special(log)?;
            LogSource::Path(log.clone())
        };
        let mut analysis = diagnose_with(&source, args.job.as_deref(), signatures, &repo_matchers)
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
    let text = match args.format {
        DiagnoseFormat::Markdown => render::markdown(&reports, reruns.as_deref()),
        DiagnoseFormat::Json => render::json(&reports, reruns.as_deref())?,
    };
    output::emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
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

/// The workflow in `repo/.github/workflows/` that defines the failing job: by job id or `name:`,
/// else the only workflow.
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
    let job_name = analysis
        .and_then(|a| a.failing_job())
        .map(|j| j.name.clone());
    if let Some(job_name) = job_name {
        for file in &files {
            let Ok(text) = workflow::read(file) else {
                continue;
            };
            if workflow::defines_job(&text, &job_name) {
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
