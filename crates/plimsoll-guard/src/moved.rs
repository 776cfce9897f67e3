//! Checks that moved: a step, a matrix leg or a job removed from one job whose checks a job of
//! the new version runs instead, in the same workflow or in any other.
//!
//! Issue 15's principle: compare what runs, not where it is written. A check is lost only when
//! nothing runs it any more where it ran. Where it ran is every pair of
//! - a matrix leg of its job, with the runner that leg gives `runs-on:` (the platform), and
//! - a change event of its workflow,
//!
//! on which the job's and the step's `if:` may hold. For each such pair, some job of the new
//! version must run every command of the check (a command that runs as much, or the same action
//! step) on a runner of the same platform, with `if:`s that hold there, in a workflow that runs on
//! that event (or one of the same activity) for at least the branches, tags and paths the old one
//! selected. The step that runs it there must be new in this version: a check that disappears
//! from one job while another job already ran the same command before (a stable job beside the
//! MSRV job) is still lost, since that other job runs it with its own toolchain and settings.
//!
//! A pull-request check that moved to a workflow run for fewer activity types (`types:`;
//! GitHub's default is `opened`, `synchronize` and `reopened`) still runs on every new commit,
//! but not on the activities it dropped: a review that names them.
//!
//! `if:` is evaluated as far as a matrix leg and an event tell: `matrix.*`, `github.event_name`,
//! literals, `!`, `==`, `!=`, `&&`, `||` and parentheses (strings compare case-insensitively, as
//! GitHub does). Anything else is unknown. An old check whose `if:` may hold is taken to have
//! run; a new job whose `if:` may not hold is not taken to run it, unless the unknown `&&` term is
//! one the old job or step required too (`needs.pre_build.outputs.skip_build != 'true'` on both):
//! it gates both alike.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::elsewhere;
use crate::equivalence;
use crate::location::Location;
use crate::matrix::{Combination, Matrix};
use crate::model::{self, CommandModel, FileKind, FileModel, JobModel, StepModel};

/// What decides whether a check is one and runs as much, handed in by the comparison so this
/// module does not depend on it.
pub struct Judge {
    /// Whether a step checks (a test, lint, build or check action).
    pub checks: fn(&StepModel) -> bool,
    /// Whether a command only prepares (installs, prints, sets variables).
    pub prepares: fn(&CommandModel) -> bool,
    /// Whether the second command runs what the first ran.
    pub runs_as_much: fn(&CommandModel, &CommandModel) -> bool,
    /// The top-level `&&` terms of an `if:`.
    pub and_terms: for<'t> fn(&'t str) -> Vec<&'t str>,
    /// Whether an old filter pattern is selected by one of the new patterns.
    pub matched_by: fn(&str, &[String]) -> bool,
    /// The events that run a workflow on a change of the code.
    pub change_events: &'static [&'static str],
}

/// Where the checks went.
#[derive(Debug)]
pub struct Moved {
    /// The job that runs them now, for messages: "job `lint` of .github/workflows/ci.yml".
    pub to: String,
    /// The step of that job that runs the first of them.
    pub at: Location,
    /// Pull-request activity types the old workflow ran them on and the new one does not.
    pub types_lost: BTreeSet<String>,
}

/// GitHub's activity types for `pull_request` and `pull_request_target` when `types:` is not
/// given ("Events that trigger workflows").
const DEFAULT_PULL_REQUEST_TYPES: &[&str] = &["opened", "synchronize", "reopened"];

/// What was removed from an old job.
pub enum Removed<'a> {
    /// One step.
    Step(&'a StepModel),
    /// Matrix legs.
    Legs(&'a [&'a Combination]),
    /// The whole job.
    Job,
}

/// Where the checks that `removed` took from `job` (of workflow `file`) run in the new version
/// (see the module's documentation); `None` when some place they ran is left without them, or
/// guard cannot tell where they ran.
pub fn checks_moved(
    file: &FileModel,
    job: &JobModel,
    removed: Removed,
    old_models: &BTreeMap<String, FileModel>,
    new_models: &BTreeMap<String, FileModel>,
    judge: &Judge,
) -> Option<Moved> {
    if file.kind != FileKind::Workflow || file.triggers.contains_key("workflow_call") {
        return None;
    }
    let all_legs = combinations(job)?;
    let (steps, legs): (Vec<&StepModel>, Vec<&Combination>) = match removed {
        Removed::Step(step) => (vec![step], all_legs.iter().collect()),
        Removed::Legs(legs) => (job.steps.iter().collect(), legs.to_vec()),
        Removed::Job => (job.steps.iter().collect(), all_legs.iter().collect()),
    };
    // A leg removed is the values its steps read (the versions it sets up, the profile it
    // builds): the new leg must run with all of them. A step removed needs the values it reads
    // and those the job's version inputs read. Values read only by `if:` select steps: the new
    // job's own `if:`s are evaluated instead.
    let whole_legs = steps.len() != 1;
    let checking: Vec<&StepModel> = steps
        .into_iter()
        .filter(|step| (judge.checks)(step))
        .collect();
    let events: Vec<&str> = judge
        .change_events
        .iter()
        .copied()
        .filter(|event| file.triggers.contains_key(*event))
        .collect();
    if checking.is_empty() || events.is_empty() || legs.is_empty() {
        return None;
    }
    let existed = steps_of(old_models);
    let reads = |step: &StepModel| -> Vec<String> {
        step.run
            .iter()
            .chain(step.with.values().map(|(value, _)| value))
            .flat_map(|text| matrix_keys(text))
            .collect()
    };
    let read_by_job: BTreeSet<String> = if whole_legs {
        job.steps.iter().flat_map(reads).collect()
    } else {
        job.steps
            .iter()
            .flat_map(|s| &s.with)
            .filter(|(input, _)| input.contains("version") || input.starts_with("toolchain"))
            .flat_map(|(_, (value, _))| matrix_keys(value))
            .collect()
    };
    let mut moved: Option<Moved> = None;
    for leg in legs {
        for event in &events {
            let trigger = file.triggers.get(*event)?;
            if truth(job.condition.as_ref(), leg, event, &[], judge) == Truth::No {
                continue;
            }
            for step in &checking {
                if truth(step.condition.as_ref(), leg, event, &[], judge) == Truth::No {
                    continue;
                }
                // Terms the old check required: the same test gates the new job alike.
                let given = required_terms(job, step, judge);
                // The check ran here: on this leg's runner, with these of its values.
                let runner = runner_of(job, leg)?;
                let keys: BTreeSet<String> =
                    read_by_job.iter().cloned().chain(reads(step)).collect();
                let place = Place {
                    runner: &runner,
                    leg,
                    keys: &keys,
                    given: &given,
                };
                let host = new_models
                    .values()
                    .filter(|w| w.kind == FileKind::Workflow)
                    .find_map(|w| {
                        let theirs =
                            elsewhere::selects_all_of(w, trigger, judge.matched_by, &["types"])?;
                        let types_lost = types_lost(trigger, theirs)?;
                        let (host, at) = w.jobs.iter().find_map(|there| {
                            runs_there(step, &place, there, &theirs.event, &existed, judge)
                                .map(|at| (there, at))
                        })?;
                        Some(Moved {
                            to: format!("job `{}` of {}", host.id, w.display),
                            at,
                            types_lost,
                        })
                    })?;
                match &mut moved {
                    Some(first) => first.types_lost.extend(host.types_lost),
                    None => moved = Some(host),
                }
            }
        }
    }
    moved
}

/// The packages a cargo command selects: `--workspace` (less its `--exclude`s) or its `-p`s.
#[derive(Debug, Default, PartialEq)]
struct Selection {
    workspace: bool,
    packages: BTreeSet<String>,
    excluded: BTreeSet<String>,
}

impl Selection {
    /// `None` for a command that selects no package by name (the package of the folder it runs
    /// in, or the workspace's default members, which guard does not know).
    fn of(command: &CommandModel) -> Option<Selection> {
        let mut selection = Selection::default();
        for flag in command.flags.iter().map(|f| equivalence::canonical_flag(f)) {
            if flag == "--workspace" {
                selection.workspace = true;
            } else if let Some(package) = flag.strip_prefix("-p ") {
                selection.packages.insert(package.to_string());
            } else if let Some(package) = flag.strip_prefix("--exclude ") {
                selection.excluded.insert(package.to_string());
            }
        }
        // A package given by an expression (`-p ${{ matrix.crate }}`) is known only per leg.
        let expression = |p: &String| p.contains('$');
        if selection.packages.iter().any(expression) || selection.excluded.iter().any(expression) {
            return None;
        }
        (selection.workspace || !selection.packages.is_empty()).then_some(selection)
    }

    fn selects(&self, package: &str) -> bool {
        if self.workspace {
            !self.excluded.contains(package)
        } else {
            self.packages.contains(package)
        }
    }
}

/// Whether a flag picks packages (`-p x`, `--workspace`, `--exclude x`).
pub fn selects_packages(flag: &str) -> bool {
    let flag = equivalence::canonical_flag(flag);
    flag == "--workspace" || flag.starts_with("-p ") || flag.starts_with("--exclude ")
}

/// Whether `new` runs, for the packages it selects, every target `old` ran with every other flag
/// `old` passed: the same targets (`--lib`, `--tests`; none passed runs the defaults, which hold
/// them) and the flags that say how (`--release`, `--features x`), in any spelling.
fn runs_targets_and_flags_of(old: &CommandModel, new: &CommandModel) -> bool {
    let targets = |command: &CommandModel| -> Vec<String> {
        command
            .flags
            .iter()
            .filter(|f| !selects_packages(f) && equivalence::narrows(f))
            .cloned()
            .collect()
    };
    let (was, is) = (targets(old), targets(new));
    let targets_kept =
        is.is_empty() || (!was.is_empty() && was.iter().all(|t| equivalence::still_passed(t, &is)));
    targets_kept
        && old
            .flags
            .iter()
            .filter(|f| !selects_packages(f) && !equivalence::narrows(f))
            .all(|f| equivalence::still_passed(f, &new.flags))
}

/// What the commands new in this version run of an old command that selected packages.
#[derive(Debug)]
pub enum Union {
    /// Wherever it ran, new commands run it for each package it selected.
    Covered,
    /// Packages it ran for that no new command runs it for, by the runner where they ran.
    Missing {
        /// The packages, by runner.
        by_runner: BTreeMap<String, BTreeSet<String>>,
        /// A new run of the same tool where they ran, if any: the nearest place left.
        at: Option<Location>,
    },
    /// It selected the whole workspace, whose members this revision does not list (no root
    /// `Cargo.toml`), and the new commands run it for every package the CI names.
    Undecided {
        /// The packages the new commands run it for, there.
        covered: BTreeSet<String>,
    },
}

/// The packages guard knows of, for a command that selected the workspace.
pub struct Packages<'a> {
    /// The workspace's members read from the new revision's manifests, when it holds them.
    pub members: Option<&'a BTreeSet<String>>,
    /// Packages either version's CI names (`-p x`, `--exclude x`): they exist, manifest or not.
    pub named_in_ci: &'a BTreeSet<String>,
}

/// Whether the new version still runs `command` (of `step`, in `job` of workflow `file`) for
/// every package it selected, wherever it ran: the union of the new commands of the same tool
/// and subcommand, in steps new in this version, that run there (as [`checks_moved`] decides a
/// place: a runner of the same platform, the values the step read, `if:`s that hold, a workflow
/// run on that event for at least as much) with its targets and flags. `cargo test --workspace`
/// is run by `cargo test -p a` and `cargo test -p b` when `a` and `b` are every member. `None`
/// when the command selects no package by name, guard cannot tell where it ran, or some place
/// it ran has no new command of the kind at all (then the comparison with the closest command
/// says what was lost).
pub fn packages_still_run(
    (file, job, step): (&FileModel, &JobModel, &StepModel),
    command: &CommandModel,
    (old_models, new_models): (&BTreeMap<String, FileModel>, &BTreeMap<String, FileModel>),
    packages: &Packages,
    compared_with: &[Location],
    judge: &Judge,
) -> Option<Union> {
    if file.kind != FileKind::Workflow || file.triggers.contains_key("workflow_call") {
        return None;
    }
    let old = Selection::of(command)?;
    let legs = combinations(job)?;
    let existed = steps_of(old_models);
    let keys: BTreeSet<String> = step.run.iter().flat_map(|text| matrix_keys(text)).collect();
    let given = required_terms(job, step, judge);
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut undecided: Option<BTreeSet<String>> = None;
    let mut places: Vec<RunsThere> = Vec::new();
    for leg in &legs {
        for event in judge.change_events {
            let Some(trigger) = file.triggers.get(*event) else {
                continue;
            };
            if truth(job.condition.as_ref(), leg, event, &[], judge) == Truth::No
                || truth(step.condition.as_ref(), leg, event, &[], judge) == Truth::No
            {
                continue;
            }
            let runner = runner_of(job, leg)?;
            let place = Place {
                runner: &runner,
                leg,
                keys: &keys,
                given: &given,
            };
            let same_tool: Vec<CommandModel> = new_models
                .values()
                .filter(|w| w.kind == FileKind::Workflow)
                .filter_map(|w| {
                    let theirs =
                        elsewhere::selects_all_of(w, trigger, judge.matched_by, &["types"])?;
                    Some((w, theirs))
                })
                .flat_map(|(w, theirs)| {
                    w.jobs.iter().flat_map(|there| {
                        commands_there(&place, there, &theirs.event, &existed, judge)
                    })
                })
                .filter(|d| d.runs == command.runs)
                .collect();
            let running: Vec<Selection> = same_tool
                .iter()
                .filter(|d| runs_targets_and_flags_of(command, d))
                .filter_map(Selection::of)
                .collect();
            let run_otherwise: Vec<Selection> =
                same_tool.iter().filter_map(Selection::of).collect();
            // Whether the closest command the job's comparison chose runs here: then what it
            // reported (a flag no longer passed) is about this place.
            let compared_here = same_tool
                .iter()
                .any(|d| compared_with.contains(&d.location));
            let here = same_tool.first().map(|d| d.location.clone());
            places.push(RunsThere {
                runner,
                running,
                run_otherwise,
                compared_here,
                here,
            });
        }
    }
    // Packages named anywhere: in the CI's flags, and in the legs' values the runs select.
    let named: BTreeSet<String> = packages
        .named_in_ci
        .iter()
        .cloned()
        .chain(places.iter().flat_map(|RunsThere { running, .. }| {
            running.iter().flat_map(|s| s.packages.iter().cloned())
        }))
        .collect();
    let mut at = None;
    for RunsThere {
        runner,
        running,
        run_otherwise,
        compared_here,
        here,
    } in &places
    {
        let covered = |package: &str| running.iter().any(|s| s.selects(package));
        let wanted: BTreeSet<&String> = match (old.workspace, packages.members) {
            (false, _) => old.packages.iter().collect(),
            (true, Some(members)) => members.iter().filter(|p| old.selects(p)).collect(),
            (true, None) => named.iter().filter(|p| old.selects(p)).collect(),
        };
        let lost: BTreeSet<String> = wanted
            .iter()
            .filter(|p| !covered(p))
            .map(|p| p.to_string())
            .collect();
        let otherwise = |p: &String| run_otherwise.iter().any(|s| s.selects(p));
        // Packages run there with other targets or flags, by the command the job's comparison
        // chose: the flag it reported lost says more than the package. So does the flag when
        // every run of the tool here selects the same packages (a step edited in place: `--all`
        // became `-p core`, once per leg): no union of runs to name the packages against.
        if *compared_here
            && (lost.iter().any(otherwise)
                || (!lost.is_empty() && run_otherwise.windows(2).all(|w| w[0] == w[1])))
        {
            return None;
        }
        // Compared with a command that runs elsewhere: what runs here is what counts. A package
        // run here with other targets may run part of what it ran: not named as lost.
        let lost: BTreeSet<String> = lost.into_iter().filter(|p| !otherwise(p)).collect();
        if !lost.is_empty() {
            missing.entry(runner.clone()).or_default().extend(lost);
            if at.is_none() {
                at.clone_from(here);
            }
            continue;
        }
        // Nothing here runs it with its targets and flags, and no package is known lost.
        if running.is_empty() {
            return None;
        }
        // A whole workspace run only by naming packages, with no list of the workspace to
        // hold them against: some member may be left out.
        let whole_run = running
            .iter()
            .any(|s| s.workspace && s.excluded.is_subset(&old.excluded));
        if old.workspace && packages.members.is_none() && !whole_run {
            undecided
                .get_or_insert_with(BTreeSet::new)
                .extend(wanted.into_iter().cloned());
        }
    }
    if places.is_empty() {
        return None;
    }
    Some(match undecided {
        _ if !missing.is_empty() => Union::Missing {
            by_runner: missing,
            at,
        },
        Some(covered) => Union::Undecided { covered },
        None => Union::Covered,
    })
}

/// One place an old command ran, and the new commands of its tool there.
struct RunsThere {
    /// The runner.
    runner: String,
    /// Selections of the new commands that run it with its targets and flags.
    running: Vec<Selection>,
    /// Selections of every new command of the tool.
    run_otherwise: Vec<Selection>,
    /// Whether the command the job's comparison chose runs here.
    compared_here: bool,
    /// The first new command of the tool here.
    here: Option<Location>,
}

/// The commands job `there` runs on a leg of the platform and values of `place`, for `event`,
/// in steps new in this version whose `if:` holds there, with the leg's matrix values put in
/// their flags (`-p ${{ matrix.crate }}` is `-p server` on the leg `crate: server`).
fn commands_there(
    place: &Place,
    there: &JobModel,
    event: &str,
    existed: &HashSet<&str>,
    judge: &Judge,
) -> Vec<CommandModel> {
    let Some(legs) = combinations(there) else {
        return Vec::new();
    };
    let given = place.given;
    let mut found = Vec::new();
    for leg in &legs {
        if !hosts(place, there, leg, event, judge) {
            continue;
        }
        found.extend(
            there
                .steps
                .iter()
                .filter(|s| !existed.contains(s.content.as_str()))
                .filter(|s| truth(s.condition.as_ref(), leg, event, given, judge) == Truth::Yes)
                .flat_map(|s| &s.commands)
                .filter(|c| c.quality)
                .map(|c| CommandModel {
                    flags: c.flags.iter().map(|f| with_values(f, leg)).collect(),
                    ..c.clone()
                }),
        );
    }
    found
}

/// `text` with each `${{ matrix.… }}` the leg gives a value replaced by that value.
fn with_values(text: &str, leg: &Combination) -> String {
    let mut resolved = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(end) = rest[start..].find("}}").map(|end| end + start + 2) else {
            break;
        };
        resolved.push_str(&rest[..start]);
        let expression = &rest[start..end];
        match model::matrix_value(expression, leg).filter(|v| !v.is_empty()) {
            Some(value) => resolved.push_str(&value),
            None => resolved.push_str(expression),
        }
        rest = &rest[end..];
    }
    resolved.push_str(rest);
    resolved
}

/// The contents of every step of the old version: a step whose content is among them is not
/// new in this version.
fn steps_of(old_models: &BTreeMap<String, FileModel>) -> HashSet<&str> {
    old_models
        .values()
        .flat_map(|m| &m.jobs)
        .flat_map(|j| &j.steps)
        .map(|s| s.content.as_str())
        .collect()
}

/// The `&&` terms (compacted) the old job's and step's `if:` required: the same test gates a
/// new job alike.
fn required_terms(job: &JobModel, step: &StepModel, judge: &Judge) -> Vec<String> {
    [&job.condition, &step.condition]
        .into_iter()
        .flatten()
        .flat_map(|(text, _)| (judge.and_terms)(text))
        .map(compact)
        .collect()
}

/// The legs a job runs: one empty combination without a matrix; `None` for a matrix known
/// only at run time.
fn combinations(job: &JobModel) -> Option<Vec<Combination>> {
    match &job.matrix {
        Matrix::Combinations(legs) if legs.is_empty() => Some(vec![Combination::new()]),
        Matrix::Combinations(legs) => Some(legs.clone()),
        Matrix::Opaque(_) => None,
    }
}

/// The activity types of `old` that `new` (a trigger of the same activity) no longer selects;
/// `None` when the event has types guard does not know the default of.
fn types_lost(old: &model::TriggerModel, new: &model::TriggerModel) -> Option<BTreeSet<String>> {
    let types = |trigger: &model::TriggerModel| -> Option<BTreeSet<String>> {
        match trigger.filters.get("types") {
            Some((types, _)) => Some(types.iter().cloned().collect()),
            None if matches!(
                trigger.event.as_str(),
                "pull_request" | "pull_request_target"
            ) =>
            {
                Some(
                    DEFAULT_PULL_REQUEST_TYPES
                        .iter()
                        .map(|t| t.to_string())
                        .collect(),
                )
            }
            None => None,
        }
    };
    if !old.filters.contains_key("types") && !new.filters.contains_key("types") {
        return Some(BTreeSet::new());
    }
    let (was, is) = (types(old)?, types(new)?);
    Some(was.difference(&is).cloned().collect())
}

/// Where and how an old check ran.
struct Place<'a> {
    /// The runner its leg resolved to.
    runner: &'a str,
    /// The leg.
    leg: &'a Combination,
    /// The leg's keys whose values a new leg must hold (platform keys aside: the runner says).
    keys: &'a BTreeSet<String>,
    /// The `&&` terms (compacted) of the old job's and step's `if:`.
    given: &'a [String],
}

/// Where job `there` runs every command of the old `step`, on a leg of the platform and values
/// of `place`, for `event`, in a step new in this version.
fn runs_there(
    step: &StepModel,
    place: &Place,
    there: &JobModel,
    event: &str,
    existed: &HashSet<&str>,
    judge: &Judge,
) -> Option<Location> {
    let legs = combinations(there)?;
    let given = place.given;
    legs.iter().find_map(|leg| {
        if !hosts(place, there, leg, event, judge) {
            return None;
        }
        let running: Vec<&StepModel> = there
            .steps
            .iter()
            .filter(|s| !existed.contains(s.content.as_str()))
            .filter(|s| truth(s.condition.as_ref(), leg, event, given, judge) == Truth::Yes)
            .collect();
        let checks: Vec<&CommandModel> = step
            .commands
            .iter()
            .filter(|c| !(judge.prepares)(c))
            .collect();
        if checks.is_empty() {
            // An action step: the same action with the same inputs.
            return running
                .iter()
                .find(|s| s.run.is_none() && s.content == step.content)
                .map(|s| s.location.clone());
        }
        let mut first = None;
        for command in checks {
            let host = running.iter().find(|s| {
                s.commands.iter().any(|d| {
                    (judge.runs_as_much)(command, d) || same_fetched_script(command, d, judge)
                })
            })?;
            first.get_or_insert_with(|| host.location.clone());
        }
        first
    })
}

/// Whether leg `leg` of job `there` runs where `place` is, for `event`: a runner of the same
/// platform, the values the old check read, and a job `if:` that holds there.
fn hosts(place: &Place, there: &JobModel, leg: &Combination, event: &str, judge: &Judge) -> bool {
    let Some(theirs) = runner_of(there, leg) else {
        return false;
    };
    let holds_values = place
        .keys
        .iter()
        .filter(|key| !crate::equivalence::is_platform_key(key))
        .all(|key| {
            place
                .leg
                .get(key)
                .is_none_or(|value| leg.get(key) == Some(value))
        });
    holds_values
        && crate::equivalence::same_platform(place.runner, &theirs)
        && truth(there.condition.as_ref(), leg, event, place.given, judge) == Truth::Yes
}

/// Whether `new` runs the repository script `old` ran, fetched by URL from the repository's
/// raw-content host instead of read from the checkout (`deno run ./tools/x.js` →
/// `deno run https://raw.githubusercontent.com/<owner>/<repo>/$SHA/tools/x.js`): the URL's
/// path after owner, repository and ref is the file's path in the repository.
fn same_fetched_script(old: &CommandModel, new: &CommandModel, judge: &Judge) -> bool {
    let local: Vec<String> = new
        .text
        .split(' ')
        .map(|word| {
            let Some(rest) = word.strip_prefix("https://raw.githubusercontent.com/") else {
                return word.to_string();
            };
            let path: Vec<&str> = rest.splitn(4, '/').collect();
            match path.as_slice() {
                [_owner, _repository, _reference, file] if !file.is_empty() => {
                    format!("./{file}")
                }
                _ => word.to_string(),
            }
        })
        .collect();
    let text = local.join(" ");
    if text == new.text {
        return false;
    }
    let old_text = old
        .text
        .split(' ')
        .map(|w| match w.strip_prefix("./") {
            Some(_) => w.to_string(),
            None if w.contains('/') && !w.contains(':') && !w.starts_with(['/', '$', '-']) => {
                format!("./{w}")
            }
            None => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let rewritten = CommandModel {
        text,
        ..new.clone()
    };
    let old_rewritten = CommandModel {
        text: old_text,
        ..old.clone()
    };
    (judge.runs_as_much)(&old_rewritten, &rewritten)
}

/// The matrix keys (first level) an expression text reads: `key` of `${{ matrix.key.field }}`.
fn matrix_keys(text: &str) -> Vec<String> {
    text.match_indices("matrix.")
        .filter(|(at, _)| {
            !text[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
        })
        .map(|(at, found)| {
            text[at + found.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                .collect::<String>()
        })
        .filter(|key| !key.is_empty())
        .collect()
}

/// `runs-on:` of `job` with the leg's matrix values put in; `None` when it still depends on
/// something a leg does not tell, or the job has none (a reusable workflow call).
fn runner_of(job: &JobModel, leg: &Combination) -> Option<String> {
    let (text, _) = job.runner.as_ref()?;
    let mut resolved = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}")? + start + 2;
        resolved.push_str(&rest[..start]);
        let value = model::matrix_value(&rest[start..end], leg)?;
        if value.is_empty() {
            return None;
        }
        resolved.push_str(&value);
        rest = &rest[end..];
    }
    resolved.push_str(rest);
    (!resolved.contains("${{")).then_some(resolved)
}

/// What can be told of a condition on one leg and event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    Yes,
    No,
    Unknown,
}

/// The truth of `condition` (none: always) on `leg` for `event`, with the `&&` terms in
/// `given` (compacted) taken as true.
fn truth(
    condition: Option<&(String, Location)>,
    leg: &Combination,
    event: &str,
    given: &[String],
    judge: &Judge,
) -> Truth {
    let Some((text, _)) = condition else {
        return Truth::Yes;
    };
    let mut all = Truth::Yes;
    for term in (judge.and_terms)(text) {
        let value = if given.contains(&compact(term)) {
            Truth::Yes
        } else {
            evaluate(term, leg, event)
        };
        all = and(all, value);
    }
    all
}

/// `text` without white space, lower-cased: two spellings of one term compare equal.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::No, _) | (_, Truth::No) => Truth::No,
        (Truth::Yes, Truth::Yes) => Truth::Yes,
        _ => Truth::Unknown,
    }
}

fn or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::Yes, _) | (_, Truth::Yes) => Truth::Yes,
        (Truth::No, Truth::No) => Truth::No,
        _ => Truth::Unknown,
    }
}

fn not(a: Truth) -> Truth {
    match a {
        Truth::Yes => Truth::No,
        Truth::No => Truth::Yes,
        Truth::Unknown => Truth::Unknown,
    }
}

/// A value of an expression, as far as it is known.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Text(String),
    Bool(bool),
    Null,
    Unknown,
}

impl Value {
    fn truth(&self) -> Truth {
        match self {
            Value::Text(text) => {
                if text.is_empty() {
                    Truth::No
                } else {
                    Truth::Yes
                }
            }
            Value::Bool(true) => Truth::Yes,
            Value::Bool(false) | Value::Null => Truth::No,
            Value::Unknown => Truth::Unknown,
        }
    }

    fn of(truth: Truth) -> Value {
        match truth {
            Truth::Yes => Value::Bool(true),
            Truth::No => Value::Bool(false),
            Truth::Unknown => Value::Unknown,
        }
    }
}

/// `==` as GitHub compares: strings case-insensitively; `null` against a word that is no
/// number is false (both convert to numbers, the word to NaN). Other mixed types: unknown.
fn equal(a: &Value, b: &Value) -> Truth {
    let number_like = |t: &str| t.is_empty() || t.trim().parse::<f64>().is_ok();
    match (a, b) {
        (Value::Unknown, _) | (_, Value::Unknown) => Truth::Unknown,
        (Value::Text(x), Value::Text(y)) => {
            if x.eq_ignore_ascii_case(y) {
                Truth::Yes
            } else {
                Truth::No
            }
        }
        (Value::Bool(x), Value::Bool(y)) => {
            if x == y {
                Truth::Yes
            } else {
                Truth::No
            }
        }
        (Value::Null, Value::Null) => Truth::Yes,
        (Value::Null, Value::Text(t)) | (Value::Text(t), Value::Null) if !number_like(t) => {
            Truth::No
        }
        _ => Truth::Unknown,
    }
}

/// The truth of expression `text` on `leg` for `event`.
fn evaluate(text: &str, leg: &Combination, event: &str) -> Truth {
    let Some(tokens) = tokens(text) else {
        return Truth::Unknown;
    };
    let mut reader = Reader {
        tokens,
        at: 0,
        leg,
        event,
        broken: false,
    };
    let value = reader.or();
    if reader.broken || reader.at != reader.tokens.len() {
        return Truth::Unknown;
    }
    value.truth()
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Text(String),
    Word(String),
    Op(&'static str),
}

/// The tokens of an expression; `None` on a character no expression holds where it is.
fn tokens(text: &str) -> Option<Vec<Token>> {
    const OPS: &[&str] = &[
        "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ",", "[", "]",
    ];
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if quoted[i + 1..].starts_with('\'') {
                        value.push('\'');
                        chars.next();
                        continue;
                    }
                    end = Some(i + 1);
                    break;
                }
                value.push(c);
            }
            out.push(Token::Text(value));
            rest = &quoted[end?..];
        } else if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
            out.push(Token::Op(op));
            rest = &rest[op.len()..];
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '*')))
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            out.push(Token::Word(rest[..end].to_string()));
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    Some(out)
}

/// A recursive-descent reader of GitHub's expression grammar, evaluating as it reads.
struct Reader<'a> {
    tokens: Vec<Token>,
    at: usize,
    leg: &'a Combination,
    event: &'a str,
    /// Whether an operand was missing or a parenthesis unclosed: a syntax error, whose value
    /// is not known.
    broken: bool,
}

impl Reader<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, op: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Op(o)) if *o == op);
        if found {
            self.at += 1;
        }
        found
    }

    fn or(&mut self) -> Value {
        let mut value = self.and();
        while self.eat("||") {
            let right = self.and();
            value = Value::of(or(value.truth(), right.truth()));
        }
        value
    }

    fn and(&mut self) -> Value {
        let mut value = self.unary();
        while self.eat("&&") {
            let right = self.unary();
            value = Value::of(and(value.truth(), right.truth()));
        }
        value
    }

    fn unary(&mut self) -> Value {
        if self.eat("!") {
            let inner = self.unary();
            return Value::of(not(inner.truth()));
        }
        let left = self.primary();
        if self.eat("==") {
            let right = self.primary();
            return Value::of(equal(&left, &right));
        }
        if self.eat("!=") {
            let right = self.primary();
            return Value::of(not(equal(&left, &right)));
        }
        for op in ["<=", ">=", "<", ">"] {
            if self.eat(op) {
                self.primary();
                return Value::Unknown;
            }
        }
        left
    }

    fn primary(&mut self) -> Value {
        let Some(token) = self.peek().cloned() else {
            self.broken = true;
            return Value::Unknown;
        };
        self.at += 1;
        let value = match token {
            Token::Op("(") => {
                let inner = self.or();
                if !self.eat(")") {
                    self.broken = true;
                    return Value::Unknown;
                }
                inner
            }
            Token::Op(_) => {
                self.broken = true;
                Value::Unknown
            }
            Token::Text(text) => Value::Text(text),
            Token::Word(word) if word.eq_ignore_ascii_case("startsWith") && self.eat("(") => {
                return self.starts_with();
            }
            Token::Word(word) => self.word(&word),
        };
        // A call (`contains(…)`) or an index (`x[0]`): its value is not known here.
        if matches!(self.peek(), Some(Token::Op("(" | "["))) {
            self.skip_group();
            return Value::Unknown;
        }
        value
    }

    /// `startsWith(a, b)` after its `(`: whether text `a` begins with `b`, ignoring case as
    /// GitHub does; unknown unless both are known texts.
    fn starts_with(&mut self) -> Value {
        let text = self.or();
        if !self.eat(",") {
            self.broken = true;
            return Value::Unknown;
        }
        let prefix = self.or();
        if !self.eat(")") {
            self.broken = true;
            return Value::Unknown;
        }
        match (text, prefix) {
            (Value::Text(text), Value::Text(prefix)) => Value::Bool(
                text.to_ascii_lowercase()
                    .starts_with(&prefix.to_ascii_lowercase()),
            ),
            _ => Value::Unknown,
        }
    }

    /// Skip the argument lists and indexes that follow an operand (`f(a)[0]`).
    fn skip_group(&mut self) {
        while matches!(self.peek(), Some(Token::Op("(" | "["))) {
            let mut depth = 0usize;
            while let Some(token) = self.peek() {
                match token {
                    Token::Op("(" | "[") => depth += 1,
                    Token::Op(")" | "]") => depth = depth.saturating_sub(1),
                    _ => {}
                }
                self.at += 1;
                if depth == 0 {
                    break;
                }
            }
        }
    }

    fn word(&self, word: &str) -> Value {
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            "null" => return Value::Null,
            "github.event_name" => return Value::Text(self.event.to_string()),
            // A pull request's run checks out its merge ref ("Events that trigger workflows":
            // `GITHUB_REF` is `refs/pull/<number>/merge`): never a branch or a tag.
            "github.ref" if self.event == "pull_request" => {
                return Value::Text("refs/pull/<number>/merge".to_string())
            }
            _ => {}
        }
        if word.parse::<f64>().is_ok() {
            return Value::Text(word.to_string());
        }
        if lower.starts_with("matrix.") {
            let first = word["matrix.".len()..].split('.').next().unwrap_or("");
            // A value that is itself an expression is decided at run time.
            if self.leg.get(first).is_some_and(|raw| raw.contains("${{")) {
                return Value::Unknown;
            }
            return match model::matrix_value(&format!("${{{{ {word} }}}}"), self.leg) {
                Some(text) if text.is_empty() => match self.leg.get(first) {
                    Some(_) => Value::Text(text),
                    None => Value::Null,
                },
                Some(text) if text == "true" || text == "false" => Value::Bool(text == "true"),
                Some(text) => Value::Text(text),
                None => Value::Unknown,
            };
        }
        Value::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(pairs: &[(&str, &str)]) -> Combination {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v).to_string()))
            .collect()
    }

    #[test]
    fn conditions_are_evaluated_as_far_as_the_leg_and_event_tell() {
        let lint = leg(&[("job", "lint"), ("os", "linux")]);
        let cond = "!(matrix.skip) && (matrix.job == 'lint' && github.event_name == 'pull_request' && matrix.os == 'linux')";
        assert_eq!(evaluate(cond, &lint, "pull_request"), Truth::Yes);
        assert_eq!(evaluate(cond, &lint, "push"), Truth::No);
        let test = leg(&[("job", "test"), ("os", "linux")]);
        assert_eq!(evaluate(cond, &test, "pull_request"), Truth::No);
        // A skip decided at run time, or a function: unknown.
        let skipped = leg(&[
            ("job", "lint"),
            ("skip", "${{ github.event_name == 'push' }}"),
        ]);
        assert_eq!(evaluate("!(matrix.skip)", &skipped, "push"), Truth::Unknown);
        assert_eq!(
            evaluate(
                "contains(github.ref, 'main') && matrix.job == 'lint'",
                &lint,
                "push"
            ),
            Truth::Unknown
        );
        assert_eq!(
            evaluate(
                "contains(github.ref, 'main') && matrix.job == 'test'",
                &lint,
                "push"
            ),
            Truth::No
        );
        assert_eq!(evaluate("matrix.os == 'Linux'", &lint, "push"), Truth::Yes);
        assert_eq!(evaluate("matrix.wpt", &lint, "push"), Truth::No);
        assert_eq!(
            evaluate("matrix.os == 'linux' ||", &lint, "push"),
            Truth::Unknown
        );
        assert_eq!(evaluate("'it''s' == 'it''s'", &lint, "push"), Truth::Yes);
        // A pull request runs on its merge ref, a push on a branch or a tag: unknown which.
        let no_tags = "!startsWith(github.ref, 'refs/tags/') && matrix.os == 'linux'";
        assert_eq!(evaluate(no_tags, &lint, "pull_request"), Truth::Yes);
        assert_eq!(evaluate(no_tags, &lint, "push"), Truth::Unknown);
        assert_eq!(
            evaluate("github.ref == 'refs/heads/main'", &lint, "pull_request"),
            Truth::No
        );
        assert_eq!(
            evaluate("startsWith('v1.2', 'V1')", &lint, "push"),
            Truth::Yes
        );
        assert_eq!(
            evaluate("startsWith(github.ref, 'refs/tags/'", &lint, "pull_request"),
            Truth::Unknown
        );
    }

    #[test]
    fn runners_take_the_leg_s_values() {
        let nowhere = Location::file(".github/workflows/ci.yml");
        let job_runner = |text: &str| JobModel {
            id: "build".into(),
            name: None,
            location: nowhere.clone(),
            runner: Some((text.into(), nowhere.clone())),
            container: None,
            matrix: Matrix::Combinations(vec![]),
            matrix_location: None,
            steps: vec![],
            continue_on_error: (model::Toggle::Off, None),
            condition: None,
            needs: vec![],
            timeout: None,
            uses: None,
            call_with: None,
            content: String::new(),
            env: BTreeMap::new(),
        };
        let linux = leg(&[("runner", "ubuntu-24.04")]);
        assert_eq!(
            runner_of(&job_runner("${{ matrix.runner }}"), &linux).as_deref(),
            Some("ubuntu-24.04")
        );
        assert_eq!(runner_of(&job_runner("${{ matrix.os }}"), &linux), None);
        assert_eq!(
            runner_of(&job_runner("ubuntu-latest"), &linux).as_deref(),
            Some("ubuntu-latest")
        );
    }
}
