//! Command-line arguments and what each subcommand does with them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use plimsoll_check::baseline::Baseline;
use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::registry;
use plimsoll_check::FixAvailability;

use crate::diagnose::DiagnoseArgs;
use crate::fix::Mode;
use crate::output;

/// plimsoll holds CI/CD pipelines, containers and infrastructure to production standards.
#[derive(Parser, Debug)]
#[command(name = "plimsoll", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Audit files against the standards (default target: the current directory).
    Check(Box<CheckArgs>),
    /// List every rule.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule name (`continue-on-error`) or id (`GHA001`).
        rule: String,
    },
    /// Fail a change that lowers CI coverage (exit 1), comparing two versions of the CI files.
    Guard(crate::guard::GuardArgs),
    /// Explain a failing CI job from its log, and propose a coverage-preserving fix.
    Diagnose(DiagnoseArgs),
    /// Generate the project's CI and release workflows, Dockerfile and Dependabot
    /// configuration, or bring them up to date keeping your edits.
    Init(crate::init::InitArgs),
    /// Serve editors as a language server over standard input and output: diagnostics as you
    /// type, each rule's documentation on hover, its fixes as code actions (see the README for
    /// editor set-up).
    Lsp,

    /// CI health from the repository's GitHub Actions run history: durations, queue time,
    /// failure rate, time to recover, slowest steps, flaky jobs and runner minutes.
    Metrics(Box<crate::metrics::MetricsArgs>),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    /// rustc-style snippets.
    Human,
    /// The versioned JSON document described in docs/json-output.md.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories to check (default: the current directory).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, env = "PLIMSOLL_FORMAT")]
    format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Fail (exit 1) on findings at or above this severity: error, warning or note.
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// Strict mode: also enable the strict-only rules (SHA pinning).
    #[arg(long)]
    strict: bool,
    /// Skip paths matching this glob (repeatable).
    #[arg(long, value_name = "GLOB", value_delimiter = ',')]
    exclude: Vec<String>,
    /// Enable a rule by name or id (repeatable; turns strict-only rules on).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    enable: Vec<String>,
    /// Disable a rule by name or id (repeatable; `--ignore` as in ruff).
    #[arg(
        long,
        visible_alias = "ignore",
        value_name = "RULE",
        value_delimiter = ','
    )]
    disable: Vec<String>,
    /// Apply the exclusions to the paths named here too (by default a path named is checked
    /// even when excluded), as pre-commit hooks that pass every changed file need.
    #[arg(long)]
    force_exclude: bool,
    /// Read this configuration file instead of searching for plimsoll.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Read no configuration file.
    #[arg(long)]
    isolated: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print the number of findings of each rule, most first, instead of the findings (as
    /// text, or as JSON with `--format json`); the exit code is the same.
    #[arg(long)]
    statistics: bool,
    /// Apply the safe fixes the findings carry to the files (each written atomically), then
    /// report what remains.
    #[arg(long, conflicts_with_all = ["git_history", "write_baseline"])]
    fix: bool,
    /// With `--fix` or `--diff`, apply the unsafe fixes too (they change behaviour: review them).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the unified diff that `--fix` would apply and write nothing; exit 1 when there is
    /// something to fix.
    #[arg(long, conflicts_with_all = ["fix", "git_history", "write_baseline"])]
    diff: bool,
    /// With `--fix` or `--diff`, resolve action refs for the pinning fix from the cache only
    /// (no `git ls-remote`): a ref not cached gets no fix.
    #[arg(long)]
    offline: bool,
    /// Search git history for secrets instead of the files: what every commit of every ref
    /// added, or of REV-RANGE (`main..HEAD`, `v1.0..`). The first path is the repository; a
    /// folder given as the only argument (`--git-history repo`) is the repository, not a range.
    #[arg(long, value_name = "REV-RANGE", num_args = 0..=1, default_missing_value = "")]
    git_history: Option<String>,
}

/// Run the parsed command line; the exit code says whether findings failed the run.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Guard(args) => crate::guard::run(args),
        Command::Diagnose(args) => crate::diagnose::run(args),
        Command::Init(args) => crate::init::run(args),
        Command::Lsp => match plimsoll_lsp::run_stdio() {
            Ok(()) => Ok(ExitCode::SUCCESS),
            // The protocol's exit code for an editor that leaves without `shutdown`.
            Err(plimsoll_lsp::LspError::ExitWithoutShutdown) => Ok(ExitCode::from(1)),
            Err(err) => Err(err).context("the language server stopped"),
        },

        Command::Metrics(args) => crate::metrics::run(*args),
        Command::Rules { format } => {
            output::emit(&list_rules(format), None)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let meta = registry::find(&rule)
                .with_context(|| format!("unknown rule `{rule}` (see `plimsoll rules`)"))?;
            let text = format!(
                "# {} ({})\n\n{}\n\nDefault severity: {}{}.\n\n{}\n",
                meta.name,
                meta.id,
                meta.summary,
                meta.severity,
                if meta.strict_only {
                    ", strict mode only"
                } else {
                    ""
                },
                meta.documentation()
            );
            output::emit(&text, None)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        fail_on: args.fail_on.clone(),
        strict: args.strict,
        exclude: args.exclude.clone(),
        enable: args.enable.clone(),
        disable: args.disable.clone(),
        config_file: args.config.clone(),
        isolated: args.isolated,
        force_exclude: args.force_exclude,
        test_data: None,
        examples: None,
    };
    let (history_range, named_paths) = history_arguments(&args)?;
    let named = !named_paths.is_empty();
    let paths = if named {
        named_paths
    } else {
        vec![PathBuf::from(".")]
    };
    let first = paths[0].clone();
    let env = |name: &str| std::env::var(name).ok();
    let mut settings = Settings::load(&first, &env, &overrides)?;
    let mut report = match &history_range {
        Some(range) => crate::history::scan(&first, range, &settings)?,
        None => plimsoll_check::check(&paths, &settings)?,
    };
    let mut unpinned = 0;
    if (args.fix || args.diff) && history_range.is_none() {
        let pins = crate::fix::resolve_pins(&report, &settings, args.offline, &env);
        unpinned = pins.failures().count();
        if pins.resolved_count() > 0 {
            settings.github_actions.pins = std::sync::Arc::new(pins);
            // The pinning rules attach their fixes now that the refs are resolved.
            report = plimsoll_check::check(&paths, &settings)?;
        }
    }
    if args.diff {
        let mut summary = crate::fix::Summary::default();
        output::emit_with(None, |out| {
            summary = crate::fix::run(&report, &settings, args.unsafe_fixes, Mode::Diff, out)?;
            Ok(())
        })?;
        summary.unpinned = unpinned;
        eprintln!("plimsoll: {}", diff_summary(&summary));
        std::mem::forget(report);
        return Ok(if summary.fixed > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    let fixed = if args.fix {
        let mut summary = crate::fix::run(
            &report,
            &settings,
            args.unsafe_fixes,
            Mode::Write,
            &mut std::io::sink(),
        )?;
        if summary.fixed > 0 {
            // Report what is left, from the files as they now are.
            report = plimsoll_check::check(&paths, &settings)?;
        }
        summary.unpinned = unpinned;
        Some(summary)
    } else {
        None
    };
    report.config_files = settings.sources.clone();

    if let Some(path) = &args.write_baseline {
        output::write_file(path, Baseline::render(&report.findings).as_bytes())?;
        eprintln!(
            "plimsoll: recorded {} findings in {}",
            report.findings.len(),
            path.display()
        );
        let code = match history_range {
            Some(_) => None,
            None => incomplete(&report, &paths, named)?,
        };
        return Ok(code.unwrap_or(ExitCode::SUCCESS));
    }
    if let Some(path) = &args.baseline {
        let baseline = Baseline::load(path)?;
        let accepted = baseline.filter(&mut report.findings);
        if accepted > 0 {
            tracing::info!("{accepted} findings accepted by the baseline");
        }
    }

    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && args.format == Format::Human
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    output::emit_with(args.output.as_deref(), |out| {
        if args.statistics {
            write_statistics(&report, args.format, out)
        } else {
            write_report(&report, args.format, color, out)
        }
    })?;
    if let Some(summary) = &fixed {
        eprintln!("plimsoll: {}", fix_summary(summary, report.findings.len()));
    }
    // The history search has no named files to miss.
    if history_range.is_none() {
        if let Some(code) = incomplete(&report, &paths, named)? {
            std::mem::forget(report);
            return Ok(code);
        }
    }
    let failed = report
        .findings
        .iter()
        .any(|f| f.severity >= settings.fail_on);
    // The process exits once this returns: freeing every finding and the sources they point
    // into, one by one on this thread, would only delay the exit (2% of a workflow run).
    std::mem::forget(report);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The line `--fix` ends with: how many findings it fixed, how many remain, and how many more
/// `--unsafe-fixes` would fix.
fn fix_summary(summary: &crate::fix::Summary, remaining: usize) -> String {
    let mut line = format!("fixed {}, {remaining} remaining", fixed_where(summary));
    if summary.unsafe_left > 0 {
        line.push_str(&format!(
            " ({} more fixable with `--unsafe-fixes`)",
            summary.unsafe_left
        ));
    }
    line.push_str(&unpinned_note(summary));
    line
}

/// What the summaries add when action refs could not be resolved for the pinning fix.
fn unpinned_note(summary: &crate::fix::Summary) -> String {
    match summary.unpinned {
        0 => String::new(),
        1 => "; 1 action ref could not be resolved to pin it (see above)".to_string(),
        n => format!("; {n} action refs could not be resolved to pin them (see above)"),
    }
}

/// The line `--diff` ends with.
fn diff_summary(summary: &crate::fix::Summary) -> String {
    let mut line = format!("{} would be fixed (nothing written)", fixed_where(summary));
    if summary.unsafe_left > 0 {
        line.push_str(&format!(
            "; {} more with `--unsafe-fixes`",
            summary.unsafe_left
        ));
    }
    line.push_str(&unpinned_note(summary));
    line
}

/// "3 findings in 2 files".
fn fixed_where(summary: &crate::fix::Summary) -> String {
    let plural = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    format!(
        "{} in {}",
        plural(summary.fixed, "finding", "findings"),
        plural(summary.files, "file", "files")
    )
}

/// What a run that left something out says on stderr: each named path it could not check
/// (exit 2), or that it checked no file at all (an error when the paths were `named`, since
/// silence would read as "all clear" while an ignore file or an exclude hid everything).
fn incomplete(
    report: &plimsoll_check::CheckReport,
    paths: &[PathBuf],
    named: bool,
) -> anyhow::Result<Option<ExitCode>> {
    for (path, reason) in &report.unreadable_targets {
        let line = format!("{}: {reason}", path.display());
        eprintln!("plimsoll: error: {}", crate::for_stderr(&line, false));
    }
    if !report.unreadable_targets.is_empty() {
        return Ok(Some(ExitCode::from(2)));
    }
    // Nothing could be read at all: a run error, not a report of findings.
    if report.files_checked == 0 {
        let unreadable: Vec<&plimsoll_check::Finding> = report
            .findings
            .iter()
            .filter(|f| f.rule.name == "unreadable-path")
            .collect();
        for finding in &unreadable {
            let line = format!("{}: {}", finding.location.path.display(), finding.message);
            eprintln!("plimsoll: error: {}", crate::for_stderr(&line, false));
        }
        if !unreadable.is_empty() {
            return Ok(Some(ExitCode::from(2)));
        }
    }
    // A file reported without being read (over the size limit) was still seen.
    if report.files_checked == 0 && report.findings.is_empty() {
        if !report.excluded_targets.is_empty() {
            // `--force-exclude` left out what was named: what was asked, not an error.
            tracing::info!("every path named is excluded (--force-exclude): nothing to check");
            return Ok(None);
        }
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let shown = shown.join(", ");
        if named {
            anyhow::bail!(
                "0 files checked in {shown}: nothing there is a file plimsoll checks, or every \
                 file is ignored or excluded"
            );
        }
        eprintln!(
            "plimsoll: 0 files checked in {}",
            crate::for_stderr(&shown, false)
        );
    }
    Ok(None)
}

/// The revision range of `--git-history` (empty: every ref) and the paths named, telling a
/// folder from a revision when `--git-history FOLDER` is the only argument.
fn history_arguments(args: &CheckArgs) -> anyhow::Result<(Option<String>, Vec<PathBuf>)> {
    let Some(value) = &args.git_history else {
        return Ok((None, args.paths.clone()));
    };
    let as_path = PathBuf::from(value);
    if value.is_empty() || !args.paths.is_empty() || !as_path.is_dir() {
        return Ok((Some(value.clone()), args.paths.clone()));
    }
    if plimsoll_check::history::is_revision(Path::new("."), value) {
        anyhow::bail!(
            "`{value}` is both a folder and a revision: write `--git-history -- {value}` to \
             search the folder's repository, or `--git-history {value} .` for the revision"
        );
    }
    Ok((Some(String::new()), vec![as_path]))
}

/// Write the number of findings of each rule of `report` to `out`: JSON for `--format json`,
/// text otherwise.
fn write_statistics(
    report: &plimsoll_check::CheckReport,
    format: Format,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    match format {
        Format::Json => plimsoll_report::statistics::write_json(report, out)?,
        Format::Human | Format::Sarif | Format::Github => {
            plimsoll_report::statistics::write_text(report, out)?
        }
    }
    Ok(())
}

/// Stream `report` in `format` to `out`.
fn write_report(
    report: &plimsoll_check::CheckReport,
    format: Format,
    color: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    match format {
        Format::Human => plimsoll_report::human::write(
            report,
            &plimsoll_report::human::HumanOptions { color },
            out,
        )?,
        Format::Json => plimsoll_report::json::write(report, version, out)?,
        Format::Sarif => {
            let rules: Vec<_> = registry::all().collect();
            plimsoll_report::sarif::write(report, version, &rules, out)?
        }
        Format::Github => plimsoll_report::github::write(report, out)?,
    }
    Ok(())
}

/// What `plimsoll rules` says of a rule's fixes: nothing for a rule without any.
fn fix_note(fix: FixAvailability) -> &'static str {
    match fix {
        FixAvailability::None => "",
        FixAvailability::Safe => " [fix: safe]",
        FixAvailability::Unsafe => " [fix: unsafe]",
        FixAvailability::Sometimes => " [fix: safe or unsafe]",
    }
}

fn list_rules(format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = registry::all()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id,
                        "name": m.name,
                        "severity": m.severity,
                        "domain": m.domain,
                        "summary": m.summary,
                        "help": m.help,
                        "strict_only": m.strict_only,
                        "fix": m.fix,
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&rules).unwrap_or_default();
            text.push('\n');
            text
        }
        ListFormat::Human => {
            let mut text = String::new();
            for m in registry::all() {
                // Strict-only rules say so in their summary already.
                let strict = if m.strict_only && !m.summary.contains("(strict)") {
                    " (strict)"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "{:<7} {:<28} {:<8} {}{}{}\n",
                    m.id,
                    m.name,
                    m.severity.as_str(),
                    m.summary,
                    strict,
                    fix_note(m.fix)
                ));
            }
            text
        }
    }
}
