//! `plimsoll init`: generate the project's CI, release and deploy workflows, Dockerfile,
//! Kubernetes manifests and Dependabot configuration, or bring them up to date keeping the user's edits.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use plimsoll_init::lock::{self, Lock};
use plimsoll_init::pins::{self, Pins};
use plimsoll_init::{FilePlan, Kind, Outcome};

use crate::output;

/// Arguments of `plimsoll init`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 done (or, with --check, up to date); 1 when a conflict or \
a file plimsoll did not generate blocked the run (nothing is written), or, with --check, when a \
regeneration would change something; 2 on error."
)]
pub struct InitArgs {
    /// The project's root folder.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Generate only these kinds of file: ci, release, deploy, docker, kubernetes, dependabot.
    /// Without
    /// it: the kinds .github/plimsoll-init.lock records, or, when there is no lock file, every
    /// kind but kubernetes (nothing tells a server from a command-line tool).
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    only: Vec<String>,
    /// Show what would change, as a diff, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write nothing; exit 1 when a regeneration would change something other than your edits.
    #[arg(long, conflicts_with_all = ["dry_run", "force", "update_pins"])]
    check: bool,
    /// Replace a file plimsoll did not generate, or one whose edits conflict with the
    /// regeneration, with the generated text.
    #[arg(long)]
    force: bool,
    /// Read the action → version → SHA table from FILE instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pins: Option<PathBuf>,
    /// Refresh the table --pins names from the actions' repositories (`git ls-remote`): the
    /// newest release of each pinned major version and its commit; generate nothing.
    #[arg(long, requires = "pins")]
    update_pins: bool,
    /// Where --update-pins finds `owner/repo`.
    #[arg(long, value_name = "URL", default_value = "https://github.com")]
    remote_base: String,
}

/// Run `plimsoll init`.
pub fn run(args: InitArgs) -> anyhow::Result<ExitCode> {
    if args.update_pins {
        return update_pins(&args);
    }
    let pins = load_pins(args.pins.as_deref())?;
    let root = &args.path;
    let lock_path = root.join(lock::PATH);
    let old_lock = match std::fs::read_to_string(&lock_path) {
        Ok(text) => Lock::parse(&text, lock::PATH)?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Lock::default(),
        Err(err) => {
            return Err(err).with_context(|| format!("cannot read {}", lock_path.display()))
        }
    };
    let kinds = if args.only.is_empty() {
        plimsoll_init::kinds_to_regenerate(&old_lock)
            .with_context(|| format!("cannot read {}", lock_path.display()))?
    } else {
        args.only
            .iter()
            .map(|name| Kind::parse(name))
            .collect::<Result<Vec<_>, _>>()?
    };
    let project = plimsoll_init::project::read(root)
        .with_context(|| format!("cannot read the project at {}", root.display()))?;
    let (generated, skipped) = plimsoll_init::generate(&project, &pins, &kinds)?;
    let plans = plimsoll_init::plan(root, generated, &old_lock, args.force)?;
    let new_lock = plimsoll_init::updated_lock(&old_lock, &plans);

    let mut report = String::new();
    for reason in &skipped {
        let _ = writeln!(report, "skipped {reason}");
    }
    for plan in &plans {
        let _ = writeln!(report, "{}", status_line(plan, args.force));
        let show_diff = args.dry_run || args.check || plan.blocked();
        if show_diff {
            report.push_str(&plan.diff());
        }
    }
    let lock_stale = new_lock != old_lock;
    let blocked = plans.iter().any(|p| p.blocked() && p.write.is_none());
    let changes = plans.iter().any(FilePlan::changes_file);
    let unverified: Vec<String> = pins
        .actions
        .iter()
        .filter(|pin| !pin.verified && plans.iter().any(|p| p.generated.text.contains(&pin.sha)))
        .map(|pin| format!("{}@{} ({})", pin.name, pin.version, pin.sha))
        .collect();
    for pin in &unverified {
        let _ = writeln!(
            report,
            "note: the pin {pin} was not verified against its repository; run \
             `plimsoll init --update-pins --pins FILE` where github.com is reachable"
        );
    }

    if args.check {
        if lock_stale && !changes && !blocked {
            let _ = writeln!(report, "{} is out of date", lock::PATH);
        }
        let stale = changes || blocked || lock_stale;
        if !stale {
            let _ = writeln!(report, "generated files are up to date");
        }
        output::emit(&report, None)?;
        return Ok(if stale {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    if args.dry_run {
        let _ = writeln!(report, "dry run: nothing written");
    } else if blocked {
        let _ = writeln!(
            report,
            "nothing written: resolve the conflicts above (edit the file to match, or rerun with \
             --force to take the generated text)"
        );
    } else {
        for plan in &plans {
            if let (true, Some(text)) = (plan.changes_file(), &plan.write) {
                let path = root.join(&plan.generated.path);
                create_parent(&path)?;
                output::write_file(&path, text.as_bytes())?;
            }
        }
        if lock_stale {
            create_parent(&lock_path)?;
            output::write_file(&lock_path, new_lock.render()?.as_bytes())?;
        }
    }
    output::emit(&report, None)?;
    Ok(if blocked {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn status_line(plan: &FilePlan, force: bool) -> String {
    let path = &plan.generated.path;
    match &plan.outcome {
        Outcome::Create => format!("create    {path}"),
        Outcome::Update => format!("update    {path} (regenerated, your edits kept)"),
        Outcome::Unchanged => format!("unchanged {path}"),
        Outcome::Conflict(_) if force => {
            format!("replace   {path} (your edits conflicted with the regeneration; --force)")
        }
        Outcome::Conflict(_) => {
            format!("conflict  {path}: your edits and the regeneration change the same lines")
        }
        Outcome::NotOurs if force => format!("replace   {path} (not generated by plimsoll; --force)"),
        Outcome::NotOurs => format!(
            "skip      {path}: it exists and plimsoll init did not generate it (--force replaces it)"
        ),
    }
}

fn create_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}

fn load_pins(path: Option<&Path>) -> anyhow::Result<Pins> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok(Pins::parse(&text, &path.display().to_string())?)
        }
        None => Ok(Pins::parse(pins::BUILT_IN, "the built-in pin table")?),
    }
}

fn update_pins(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let Some(path) = args.pins.as_deref() else {
        anyhow::bail!("--update-pins needs --pins FILE");
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (updated, changes) = pins::update(&text, &args.remote_base)?;
    let mut report = String::new();
    for change in &changes {
        let (before_version, before_sha) = &change.before;
        let (after_version, after_sha) = &change.after;
        if change.before == change.after {
            let _ = writeln!(
                report,
                "verified  {} {after_version} {after_sha}",
                change.name
            );
        } else {
            let _ = writeln!(
                report,
                "updated   {} {before_version} {before_sha} -> {after_version} {after_sha}",
                change.name
            );
        }
    }
    if args.dry_run {
        let _ = writeln!(report, "dry run: nothing written");
    } else if updated != text {
        output::write_file(path, updated.as_bytes())?;
    }
    output::emit(&report, None)?;
    Ok(ExitCode::SUCCESS)
}
