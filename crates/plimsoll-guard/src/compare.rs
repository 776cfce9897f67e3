//! Comparing two versions: what coverage the new one lost.
//!
//! Files are paired by path, then (for a moved file) by equal content, then by equal `name:`.
//! Jobs are paired by id, then by equal content (a renamed job), then by equal `name:`; a job
//! whose steps all reappear in new jobs with the same runner and matrix was split, which is not
//! a loss. Steps are paired by `id`, equal content, `name`, and the action they use; commands
//! are compared across the whole job, so moving a command to another step is not a loss either.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::allow::Allow;
use crate::elsewhere;
use crate::equivalence;
use crate::features::{self, CargoCode};
use crate::inline;
use crate::legs::{self, Leg};
use crate::location::Location;
use crate::matrix::{describe, Combination, Matrix};
use crate::model::{
    self, always_false, FileKind, FileModel, JobModel, StepModel, Toggle, TriggerModel,
};
use crate::moved;
use crate::skips;
use crate::snapshot::{CodeChange, FileContent, Snapshot};
use crate::version::{self, Pin};

/// What kind of change a [`Change`] is. Its kebab-case name is what an
/// `allow-reduction[<what>]` comment names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A workflow or composite action file is gone.
    WorkflowRemoved,
    /// The new version of a workflow does not parse: it runs nothing.
    WorkflowUnparsable,
    /// A job is gone.
    JobRemoved,
    /// A step is gone.
    StepRemoved,
    /// A matrix combination is no longer run.
    MatrixCombinationRemoved,
    /// An event no longer triggers the workflow.
    TriggerRemoved,
    /// A branch, tag, path or type filter runs the workflow in fewer cases.
    TriggerNarrowed,
    /// A schedule is gone.
    ScheduleRemoved,
    /// A test, lint, format or build command no longer runs.
    CommandRemoved,
    /// A flag of a quality command is gone (`--all-features`, `-D warnings`).
    FlagRemoved,
    /// A flag added to a quality command makes it run less (`--lib`, `-p one`, `--skip x`).
    CommandNarrowed,
    /// An action input now turns a check or gate off (`fail_ci_if_error: false`, `rustflags`
    /// without `-D warnings`).
    GateWeakened,
    /// `continue-on-error: true` was added.
    ContinueOnErrorAdded,
    /// An `if:` that is always false was added.
    IfFalseAdded,
    /// `|| true`, `set +e` or the like now swallows a failure.
    FailureMasked,
    /// Caching is gone.
    CacheRemoved,
    /// A test is newly skipped in code.
    TestSkipped,
    /// Review: a pinned version was loosened (SHA → tag, tag → branch, exact → `stable`). What
    /// runs may drift, but nothing stops running.
    VersionLoosened,
    /// Review: the runner changed.
    RunnerChanged,
    /// Review: the container changed.
    ContainerChanged,
    /// Review: an `if:` or `continue-on-error` expression changed.
    ConditionChanged,
    /// Review: a job no longer waits for another.
    NeedsRemoved,
    /// Review: a matrix that cannot be expanded statically changed.
    MatrixChanged,
    /// Review: a script no longer runs a command that is not a known quality command.
    ScriptChanged,
    /// Review: a reusable workflow call or an action changed target or inputs.
    CallChanged,
    /// Review: a schedule's times changed.
    ScheduleChanged,
    /// Review: a workflow that checked nothing (a bot, or every job disabled) was removed.
    UncheckedWorkflowRemoved,
    /// Review: a job that runs no known check (it publishes, deploys, or runs scripts guard
    /// cannot read) was removed.
    UncheckedJobRemoved,
    /// Review: a file could not be compared (the old version does not parse, binary files,
    /// submodules).
    NotCompared,
    /// Review: an `allow-reduction` comment without a reason.
    AllowWithoutReason,
}

impl Kind {
    /// The kebab-case name (`job-removed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::WorkflowRemoved => "workflow-removed",
            Kind::WorkflowUnparsable => "workflow-unparsable",
            Kind::JobRemoved => "job-removed",
            Kind::StepRemoved => "step-removed",
            Kind::MatrixCombinationRemoved => "matrix-combination-removed",
            Kind::TriggerRemoved => "trigger-removed",
            Kind::TriggerNarrowed => "trigger-narrowed",
            Kind::ScheduleRemoved => "schedule-removed",
            Kind::CommandRemoved => "command-removed",
            Kind::FlagRemoved => "flag-removed",
            Kind::CommandNarrowed => "command-narrowed",
            Kind::GateWeakened => "gate-weakened",
            Kind::ContinueOnErrorAdded => "continue-on-error-added",
            Kind::IfFalseAdded => "if-false-added",
            Kind::FailureMasked => "failure-masked",
            Kind::CacheRemoved => "cache-removed",
            Kind::VersionLoosened => "version-loosened",
            Kind::TestSkipped => "test-skipped",
            Kind::RunnerChanged => "runner-changed",
            Kind::ContainerChanged => "container-changed",
            Kind::ConditionChanged => "condition-changed",
            Kind::NeedsRemoved => "needs-removed",
            Kind::MatrixChanged => "matrix-changed",
            Kind::ScriptChanged => "script-changed",
            Kind::CallChanged => "call-changed",
            Kind::ScheduleChanged => "schedule-changed",
            Kind::UncheckedWorkflowRemoved => "unchecked-workflow-removed",
            Kind::UncheckedJobRemoved => "unchecked-job-removed",
            Kind::NotCompared => "not-compared",
            Kind::AllowWithoutReason => "allow-without-reason",
        }
    }

    /// Whether this kind is a loss (else it asks for a review).
    pub fn is_reduction(self) -> bool {
        self <= Kind::TestSkipped
    }
}

/// How a change weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Accepted by an `allow-reduction` comment: listed, does not fail.
    Accepted,
    /// Neither clearly equivalent nor clearly a loss: a warning.
    Review,
    /// Coverage dropped: fails the run.
    Reduction,
}

/// An `allow-reduction` comment that accepted a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    /// The comment's reason.
    pub reason: String,
    /// Where the comment is.
    pub location: Location,
}

/// One difference between the versions that matters for coverage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What kind.
    pub kind: Kind,
    /// Reduction, review, or accepted reduction.
    pub severity: Severity,
    /// What the change is about: a job id, a step label, a combination, a flag.
    pub subject: String,
    /// One sentence.
    pub message: String,
    /// Where it was in the old version.
    pub before: Option<Location>,
    /// Where it is (or the nearest surviving place) in the new version.
    pub after: Option<Location>,
    /// The comment that accepted it, for an accepted reduction.
    pub accepted: Option<Acceptance>,
}

/// The outcome of comparing two versions.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GuardReport {
    /// The old version (`main`, a folder).
    pub before: String,
    /// The new version.
    pub after: String,
    /// Workflow and action files in the old and new versions.
    pub files: (usize, usize),
    /// The changes: reductions first, then reviews, then accepted ones; by path and line within.
    pub changes: Vec<Change>,
    /// Facts worth a line in the report (a deleted `.github/` folder, submodules).
    pub notes: Vec<String>,
    /// Workflows of the old version guard read, and their jobs: the coverage it checked.
    pub checked: Checked,
}

/// What a run checked, for its summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// Workflow files of the old version that parsed.
    pub workflows: usize,
    /// Their jobs.
    pub jobs: usize,
}

impl GuardReport {
    /// Changes of `severity`.
    pub fn of(&self, severity: Severity) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.severity == severity)
    }

    /// Whether coverage dropped (a reduction that no comment accepted).
    pub fn failed(&self) -> bool {
        self.of(Severity::Reduction).next().is_some()
    }
}

struct Sink<'a> {
    changes: Vec<Change>,
    /// The new version's Cargo features, for the legs that built one.
    cargo: CargoCode<'a>,
    /// Both versions, for the folders removed steps worked in.
    versions: (&'a Snapshot, &'a Snapshot),
}

impl Sink<'_> {
    /// Push a change of a kind that is a loss when decided, as a review: guard cannot decide it.
    fn push_review(
        &mut self,
        kind: Kind,
        subject: impl Into<String>,
        message: impl Into<String>,
        before: Option<&Location>,
        after: Option<&Location>,
    ) {
        self.push(kind, subject, message, before, after);
        if let Some(change) = self.changes.last_mut() {
            change.severity = Severity::Review;
        }
    }

    fn push(
        &mut self,
        kind: Kind,
        subject: impl Into<String>,
        message: impl Into<String>,
        before: Option<&Location>,
        after: Option<&Location>,
    ) {
        self.changes.push(Change {
            kind,
            severity: if kind.is_reduction() {
                Severity::Reduction
            } else {
                Severity::Review
            },
            subject: subject.into(),
            message: message.into(),
            before: before.cloned(),
            after: after.cloned(),
            accepted: None,
        });
    }
}

/// Compare the CI files of two snapshots, and the changed source files for new test skips.
pub fn compare(before: &Snapshot, after: &Snapshot, code: &[CodeChange]) -> GuardReport {
    let mut sink = Sink {
        changes: Vec::new(),
        cargo: CargoCode::new(after),
        versions: (before, after),
    };
    let mut notes = Vec::new();
    if before.has_github_dir && !after.has_github_dir {
        notes.push(format!(
            "the .github folder is gone in {}: every workflow it held no longer runs",
            after.label
        ));
    }
    for submodule in after.submodules.iter().chain(&before.submodules) {
        let note = format!("{submodule} is a git submodule: its files are not compared");
        if !notes.contains(&note) {
            notes.push(note);
        }
    }

    // Local composite actions and reusable workflows are part of the jobs that use them.
    let old_models = inline::inline_local(models(before, after, None, &mut sink));
    let new_models = inline::inline_local(models(after, before, Some(&old_models), &mut sink));
    let unparsable_new: HashSet<&str> = after
        .files
        .keys()
        .filter(|key| !new_models.contains_key(key.as_str()))
        .map(String::as_str)
        .collect();

    // Pair files: by path, then moved with equal content, then by `name:`.
    let mut pairs: Vec<(&FileModel, &FileModel)> = Vec::new();
    let mut new_used: HashSet<&str> = HashSet::new();
    let mut unpaired: Vec<&FileModel> = Vec::new();
    for (key, old) in &old_models {
        match new_models.get(key) {
            Some(new) => {
                pairs.push((old, new));
                new_used.insert(key);
            }
            None if unparsable_new.contains(key.as_str()) => {}
            None => unpaired.push(old),
        }
    }
    let mut removed = Vec::new();
    for old in unpaired {
        let candidate = |same: &dyn Fn(&FileModel) -> bool| {
            new_models
                .values()
                .find(|new| {
                    !new_used.contains(new.key.as_str())
                        && !old_models.contains_key(&new.key)
                        && new.kind == old.kind
                        && same(new)
                })
                .map(|new| new.key.clone())
        };
        let found = candidate(&|new| new.content == old.content)
            .or_else(|| candidate(&|new| old.name.is_some() && new.name == old.name))
            .or_else(|| candidate(&|new| renamed(old, new)));
        match found.and_then(|key| new_models.get(&key)) {
            Some(new) => {
                new_used.insert(new.key.as_str());
                pairs.push((old, new));
            }
            None => removed.push(old),
        }
    }
    // Jobs that are new where they are: a job removed from one workflow may have moved there.
    let paired_new: HashSet<&str> = pairs.iter().map(|(_, new)| new.key.as_str()).collect();
    let workflows_by_name: HashMap<&str, &FileModel> = new_models
        .values()
        .filter(|m| m.kind == FileKind::Workflow)
        .filter_map(|m| Some((m.name.as_deref()?, m)))
        .collect();
    let mut moved_in: Vec<MovedJob> = Vec::new();
    for (old, new) in &pairs {
        let ids: HashSet<&str> = old.jobs.iter().map(|j| j.id.as_str()).collect();
        moved_in.extend(
            new.jobs
                .iter()
                .filter(|j| !ids.contains(j.id.as_str()))
                .map(|job| MovedJob {
                    job,
                    events: change_events(new, &workflows_by_name, WORKFLOW_RUN_CHAIN),
                }),
        );
    }
    for new in new_models
        .values()
        .filter(|m| !paired_new.contains(m.key.as_str()))
    {
        let events = change_events(new, &workflows_by_name, WORKFLOW_RUN_CHAIN);
        moved_in.extend(new.jobs.iter().map(|job| MovedJob {
            job,
            events: events.clone(),
        }));
    }
    let selected = PathsSelected::new(before, after);
    for old in removed {
        // Every job that checks moved to another workflow (`ci-examples.yml`'s jobs now in
        // `ci.yml`): they still run, the file that held them is what went.
        let checking: Vec<&JobModel> = old.jobs.iter().filter(|j| job_checks(j)).collect();
        if old.kind == FileKind::Workflow
            && !checking.is_empty()
            && checking.iter().all(|job| {
                moved_in
                    .iter()
                    .any(|new| same_job(job, new.job) && new.runs_on_the_changes_of(old, job))
            })
        {
            continue;
        }
        if let Some(why) = runs_for_branches_checked_elsewhere(old, new_models.values()) {
            sink.push_review(
                Kind::WorkflowRemoved,
                old.key.clone(),
                format!("workflow {} was removed; {why}", old.display),
                Some(&old.location),
                None,
            );
            continue;
        }
        let what = match old.kind {
            FileKind::Workflow => "workflow",
            FileKind::Action => "composite action",
        };
        let why = runs_no_check(old)
            .or_else(|| {
                selected
                    .only_deleted_code(old)
                    .then_some("ran only for changes to files this version deletes")
            })
            .or_else(|| {
                // As for one job removed: a workflow of publishers and bots checked nothing.
                (old.kind == FileKind::Workflow
                    && !old.jobs.is_empty()
                    && old.jobs.iter().all(runs_only_non_checks))
                .then_some("only ran actions that check nothing guard knows of and set-up commands")
            });
        if why.is_none() && selected.only_undecided_code(old) {
            sink.push_review(
                Kind::WorkflowRemoved,
                old.key.clone(),
                format!(
                    "{what} {} was removed; it ran only for changes to files that the new version's CI names nowhere, and this revision holds no code to tell whether they were deleted",
                    old.display
                ),
                Some(&old.location),
                None,
            );
            continue;
        }
        let (kind, message) = match why {
            Some(why) => (
                Kind::UncheckedWorkflowRemoved,
                format!("{what} {} was removed; it {why}", old.display),
            ),
            None => (
                Kind::WorkflowRemoved,
                format!("{what} {} was removed", old.display),
            ),
        };
        sink.push(kind, old.key.clone(), message, Some(&old.location), None);
    }
    for (old, new) in &pairs {
        let from = sink.changes.len();
        compare_files(old, new, &moved_in, &selected, &mut sink);
        drop_runs_taken_over(&mut sink.changes, from, old, new, &new_models);
        // An action's steps are modelled as one job, `runs`: name the action instead.
        if new.kind == FileKind::Action {
            let action = format!("composite action `{}`", new.display);
            for change in &mut sink.changes[from..] {
                change.message = change.message.replace("job `runs`", &action);
            }
        }
    }

    let mut code_allows: HashMap<String, Vec<Allow>> = HashMap::new();
    for change in code {
        let found = skips::new_skips(change);
        if found.is_empty() {
            continue;
        }
        if let Some(text) = &change.after {
            let source = plimsoll_syntax::SourceFile::new(&change.path, text.as_str());
            code_allows.insert(
                change.path.clone(),
                crate::allow::parse(&change.path, &source),
            );
        }
        for skip in found {
            sink.push(
                Kind::TestSkipped,
                skip.marker,
                format!("a test is newly skipped: `{}`", skip.text),
                skip.before.as_ref(),
                Some(&skip.location),
            );
        }
    }

    let workflows = old_models.values().filter(|m| m.kind == FileKind::Workflow);
    let checked = Checked {
        workflows: workflows.clone().count(),
        jobs: workflows.map(|m| m.jobs.len()).sum(),
    };
    let mut changes = sink.changes;
    follow_moved_checks(&mut changes, &old_models, &new_models);
    follow_packages_run_elsewhere(&mut changes, &old_models, &new_models, after);
    review_on_demand_losses(&mut changes, &old_models);
    accept(&mut changes, &new_models, &code_allows);
    changes.sort_by(|a, b| {
        let place = |c: &Change| {
            c.after
                .as_ref()
                .or(c.before.as_ref())
                .map(|l| (l.path.clone(), l.line, l.column))
        };
        b.severity
            .cmp(&a.severity)
            .then_with(|| place(a).cmp(&place(b)))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.message.cmp(&b.message))
    });
    // One change, one finding: the same loss found through two old commands or steps (two
    // `cargo test` lines narrowed the same way into one) is one line of the report.
    changes.dedup_by(|a, b| {
        a.kind == b.kind && a.message == b.message && a.after == b.after && a.severity == b.severity
    });
    let mut report = GuardReport {
        before: before.label.clone(),
        after: after.label.clone(),
        files: (before.files.len(), after.files.len()),
        changes,
        notes,
        checked,
    };
    scrub_secrets(&mut report, before, after, code);
    report
}

/// Steps, matrix legs and jobs reported removed whose checks a job of the new version runs
/// instead, where they ran ([`moved`]): forgotten, or a review when the new workflow runs them
/// for fewer pull-request activity types.
fn follow_moved_checks(
    changes: &mut Vec<Change>,
    old_models: &BTreeMap<String, FileModel>,
    new_models: &BTreeMap<String, FileModel>,
) {
    let judge = moved_judge();
    let jobs = || {
        old_models
            .values()
            .flat_map(|file| file.jobs.iter().map(move |job| (file, job)))
    };
    changes.retain_mut(|change| {
        if change.severity != Severity::Reduction {
            return true;
        }
        let Some(before) = change.before.as_ref() else {
            return true;
        };
        let moved = match change.kind {
            Kind::StepRemoved => jobs().find_map(|(file, job)| {
                let step = job.steps.iter().find(|s| &s.location == before)?;
                let removed = moved::Removed::Step(step);
                moved::checks_moved(file, job, removed, old_models, new_models, &judge)
            }),
            Kind::JobRemoved => {
                jobs()
                    .find(|(_, job)| &job.location == before)
                    .and_then(|(file, job)| {
                        let removed = moved::Removed::Job;
                        moved::checks_moved(file, job, removed, old_models, new_models, &judge)
                    })
            }
            Kind::MatrixCombinationRemoved => jobs()
                .filter(|(_, job)| job.matrix_location.as_ref() == Some(before))
                .find_map(|(file, job)| {
                    let Matrix::Combinations(legs) = &job.matrix else {
                        return None;
                    };
                    let leg = legs.iter().find(|leg| describe(leg) == change.subject)?;
                    let removed = moved::Removed::Legs(&[leg]);
                    moved::checks_moved(file, job, removed, old_models, new_models, &judge)
                }),
            _ => None,
        };
        let Some(moved) = moved else {
            return true;
        };
        if moved.types_lost.is_empty() {
            return false;
        }
        change.severity = Severity::Review;
        change.message = format!(
            "{}; its checks now run in {}, but no longer for pull requests {}",
            change.message,
            moved.to,
            moved
                .types_lost
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        change.after = Some(moved.at);
        true
    });
}

/// What decides, for [`moved`], whether a check is one and runs as much.
fn moved_judge() -> moved::Judge {
    moved::Judge {
        checks: |step| matches!(weight(step), Weight::Checks),
        prepares,
        runs_as_much,
        and_terms: |text| top_level(unwrap_parentheses(text), "&&"),
        matched_by,
        change_events: CHANGE_EVENTS,
    }
}

/// At most this many packages are named in one message; the rest are counted.
const PACKAGES_NAMED: usize = 8;

/// `--workspace` no longer passed, or `-p` packages passed instead, reported against the one
/// new command closest to the old: decided instead by the union of the new commands that run
/// where the old one ran ([`moved::packages_still_run`]). Run for every package: forgotten;
/// packages left out somewhere: one loss naming them and the runner; a workspace run package by
/// package where the revision holds no `Cargo.toml` to list its members: one review.
fn follow_packages_run_elsewhere(
    changes: &mut Vec<Change>,
    old_models: &BTreeMap<String, FileModel>,
    new_models: &BTreeMap<String, FileModel>,
    after: &Snapshot,
) {
    // A package flag that "may" be passed by matrix values is decided too: per leg, below.
    let narrowing = |c: &Change| {
        (c.severity == Severity::Reduction
            && matches!(c.kind, Kind::FlagRemoved | Kind::CommandNarrowed))
            || (c.kind == Kind::ScriptChanged
                && c.severity == Severity::Review
                && moved::selects_packages(&c.subject))
    };
    let mut places: Vec<Location> = Vec::new();
    for change in changes.iter().filter(|c| narrowing(c)) {
        if let Some(before) = &change.before {
            if !places.contains(before) {
                places.push(before.clone());
            }
        }
    }
    if places.is_empty() {
        return;
    }
    // Cargo's package flags: other tools' `--exclude` names paths (`rsync --exclude .git*`).
    let named_in_ci: BTreeSet<String> = commands_of(old_models)
        .chain(commands_of(new_models))
        .filter(|(_, _, _, command)| {
            matches!(command.key.split(' ').next(), Some("cargo" | "cross"))
        })
        .flat_map(|(_, _, _, command)| &command.flags)
        .filter_map(|flag| {
            let flag = equivalence::canonical_flag(flag);
            let package = flag
                .strip_prefix("-p ")
                .or_else(|| flag.strip_prefix("--exclude "))?;
            (!package.contains('$')).then(|| package.to_string())
        })
        .collect();
    let members = crate::workspace::members(after);
    let packages = moved::Packages {
        members: members.as_ref(),
        named_in_ci: &named_in_ci,
    };
    let judge = moved_judge();
    for before in places {
        let Some((file, job, step, command)) =
            commands_of(old_models).find(|(_, _, _, c)| c.quality && c.location == before)
        else {
            continue;
        };
        let compared_with: Vec<Location> = changes
            .iter()
            .filter(|c| narrowing(c) && c.before.as_ref() == Some(&before))
            .filter_map(|c| c.after.clone())
            .collect();
        let Some(union) = moved::packages_still_run(
            (file, job, step),
            command,
            (old_models, new_models),
            &packages,
            &compared_with,
            &judge,
        ) else {
            continue;
        };
        let Some(first) = changes
            .iter()
            .position(|c| narrowing(c) && c.before.as_ref() == Some(&before))
        else {
            continue;
        };
        let after_location = changes[first].after.clone();
        let replacement = match union {
            moved::Union::Covered => None,
            moved::Union::Missing { by_runner, at } => {
                let lost: BTreeSet<&String> = by_runner.values().flatten().collect();
                let where_ = by_runner
                    .iter()
                    .map(|(runner, lost)| format!("{} on `{runner}`", named(lost.iter())))
                    .collect::<Vec<_>>()
                    .join("; ");
                Some(Change {
                    kind: Kind::CommandNarrowed,
                    severity: Severity::Reduction,
                    subject: lost.into_iter().cloned().collect::<Vec<_>>().join(" "),
                    message: format!(
                        "{} in job `{}` no longer runs for {where_}: no command new in this version runs it there for them with its targets and flags",
                        described(command),
                        job.id
                    ),
                    before: Some(before.clone()),
                    after: at.or(after_location),
                    accepted: None,
                })
            }
            moved::Union::Undecided { covered } => Some(Change {
                kind: Kind::CommandNarrowed,
                severity: Severity::Review,
                subject: command.key.clone(),
                message: format!(
                    "{} in job `{}` is now run package by package ({}) where it ran; whether they are every member of the workspace is in its Cargo.toml, which this revision does not hold: check none is left out",
                    described(command),
                    job.id,
                    named(covered.iter())
                ),
                before: Some(before.clone()),
                after: after_location,
                accepted: None,
            }),
        };
        let mut index = 0;
        changes.retain(|c| {
            index += 1;
            index - 1 == first || !(narrowing(c) && c.before.as_ref() == Some(&before))
        });
        match replacement {
            Some(change) => changes[first] = change,
            None => {
                changes.remove(first);
            }
        }
    }
}

/// Every command of every job of `models`, with its workflow, job and step.
fn commands_of(
    models: &BTreeMap<String, FileModel>,
) -> impl Iterator<Item = (&FileModel, &JobModel, &StepModel, &model::CommandModel)> {
    models
        .values()
        .flat_map(|file| file.jobs.iter().map(move |job| (file, job)))
        .flat_map(|(file, job)| job.steps.iter().map(move |step| (file, job, step)))
        .flat_map(|(file, job, step)| {
            step.commands
                .iter()
                .map(move |command| (file, job, step, command))
        })
}

/// Package names for a message: the first few, then how many more.
fn named<'p>(packages: impl ExactSizeIterator<Item = &'p String>) -> String {
    let total = packages.len();
    let mut text = packages
        .take(PACKAGES_NAMED)
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if total > PACKAGES_NAMED {
        text.push_str(&format!(" and {} more", total - PACKAGES_NAMED));
    }
    text
}

/// A command that selected packages, shortened for a message: its excluded packages counted
/// (`cargo test --workspace --lib`, 45 packages excluded).
fn described(command: &model::CommandModel) -> String {
    let excluded = command
        .flags
        .iter()
        .filter(|f| f.starts_with("--exclude "))
        .count();
    let shown: Vec<&str> = std::iter::once(command.key.as_str())
        .chain(
            command
                .flags
                .iter()
                .filter(|f| !f.starts_with("--exclude "))
                .map(String::as_str),
        )
        .collect();
    match excluded {
        0 => format!("`{}`", shown.join(" ")),
        1 => format!("`{}` (one package excluded)", shown.join(" ")),
        n => format!("`{}` ({n} packages excluded)", shown.join(" ")),
    }
}

/// Forget the triggers `old` lost (in `changes[from..]`) whose runs another workflow of the new
/// version takes over: it calls `new` as a reusable workflow, or holds `old`'s jobs, on the same
/// event for at least as much ([`elsewhere`]).
fn drop_runs_taken_over(
    changes: &mut Vec<Change>,
    from: usize,
    old: &FileModel,
    new: &FileModel,
    new_models: &BTreeMap<String, FileModel>,
) {
    let judge = elsewhere::Judge {
        checks: job_checks,
        same_job: runs_every_check_of,
        matched_by,
    };
    let mut index = 0;
    changes.retain(|change| {
        index += 1;
        let lost_trigger = matches!(change.kind, Kind::TriggerRemoved | Kind::TriggerNarrowed)
            && change.severity == Severity::Reduction;
        index <= from
            || !lost_trigger
            || !elsewhere::runs_taken_over(old, new, &change.subject, new_models, &judge)
    });
}

/// Whether `new` is `old` (renamed, edited: [`same_job`]) and still runs every step of it that
/// checks, as written or with its commands run as much.
fn runs_every_check_of(old: &JobModel, new: &JobModel) -> bool {
    same_job(old, new)
        && old
            .steps
            .iter()
            .filter(|step| matches!(weight(step), Weight::Checks))
            .all(|step| {
                new.steps.iter().any(|there| {
                    there.content == step.content
                        || (step.run.is_some()
                            && step.commands.iter().all(|c| {
                                prepares(c) || there.commands.iter().any(|d| runs_as_much(c, d))
                            }))
                })
            })
}

/// Whether `new` is `old` moved to another path and edited (a git rename): most of its steps,
/// or most of its job ids, are `old`'s. Pairing them compares the two job by job, so what the
/// edit dropped is still reported; not pairing them reports the whole workflow as removed.
fn renamed(old: &FileModel, new: &FileModel) -> bool {
    let ids: HashSet<&str> = new.jobs.iter().map(|j| j.id.as_str()).collect();
    let shared_jobs = old
        .jobs
        .iter()
        .filter(|j| ids.contains(j.id.as_str()))
        .count();
    if !old.jobs.is_empty() && shared_jobs * 2 > old.jobs.len() {
        return true;
    }
    let steps = |model: &'_ FileModel| -> Vec<String> {
        model
            .jobs
            .iter()
            .flat_map(|j| &j.steps)
            .map(|s| s.content.clone())
            .collect()
    };
    let mut now: HashMap<String, usize> = HashMap::new();
    let new_steps = steps(new);
    for content in &new_steps {
        *now.entry(content.clone()).or_default() += 1;
    }
    let old_steps = steps(old);
    let mut shared = 0;
    for content in &old_steps {
        if let Some(count) = now.get_mut(content).filter(|c| **c > 0) {
            *count -= 1;
            shared += 1;
        }
    }
    // As git's rename detection: at least half of the content is the same.
    !old_steps.is_empty() && shared * 2 > old_steps.len().max(new_steps.len())
}

/// Events that run a workflow on code: only a workflow they trigger can check a change.
const CODE_EVENTS: &[&str] = &["push", "pull_request", "merge_group", "workflow_call"];

/// Why removing workflow `old` loses no coverage, if it does not: every job was already
/// disabled (an always-false `if:`), or no code event triggers it and it runs no test, lint,
/// format or build command (an issue labeller, a stale-issue closer, a triage bot).
fn runs_no_check(old: &FileModel) -> Option<&'static str> {
    if old.kind != FileKind::Workflow {
        return None;
    }
    let disabled = |job: &model::JobModel| {
        job.condition
            .as_ref()
            .is_some_and(|(condition, _)| model::always_false(condition))
    };
    if !old.jobs.is_empty() && old.jobs.iter().all(disabled) {
        return Some("was already disabled (every job has an always-false `if:`)");
    }
    let on_code = old
        .triggers
        .keys()
        .any(|e| CODE_EVENTS.contains(&e.as_str()));
    let steps = || old.jobs.iter().flat_map(|j| &j.steps);
    let checks = steps().flat_map(|s| &s.commands).any(|c| c.quality);
    let calls = old.jobs.iter().any(|j| j.uses.is_some());
    if on_code || checks || calls || old.triggers.is_empty() {
        return None;
    }
    // Guard does not know every way a script tests (`cargo run -p ci`, `./wpt run`): a
    // scheduled or manual workflow with scripts may be a nightly test run. Only one that
    // answers issues and comments, or only calls actions, is recognisably a bot.
    let bot_events = old
        .triggers
        .keys()
        .all(|e| BOT_EVENTS.contains(&e.as_str()));
    let actions_only = steps().all(|s| s.run.is_none());
    if bot_events || actions_only {
        return Some(
            "ran no check (it answers issues, comments or pull request activity, or only calls \
             actions, and runs no test, lint or build command)",
        );
    }
    // A workflow run only on a schedule, by hand or on issue activity gates no change: its
    // coverage is the checks it runs. With none that guard knows (no test, lint or build
    // command, no check action, no script named for a check), whether its scripts test is for
    // a person to say.
    let gates_no_change = old.triggers.keys().all(|e| {
        SCHEDULED_EVENTS.contains(&e.as_str())
            || (BOT_EVENTS.contains(&e.as_str()) && e != "pull_request_target")
    });
    let no_known_check = steps().all(|s| !matches!(weight(s), Weight::Checks));
    (gates_no_change && no_known_check).then_some(
        "ran only on a schedule, by hand or on issue activity, gating no change, and runs no \
         known check (no test, lint or build command, no check action)",
    )
}

/// Events that run a workflow at a time or on request, never for a change of the code.
const SCHEDULED_EVENTS: &[&str] = &["schedule", "workflow_dispatch", "repository_dispatch"];

/// Turn into reviews the removal, or the narrowed triggers, of a workflow that gates no change:
/// one the old version ran only by hand, on a dispatch, on a release or on a pushed tag (a
/// release build, an on-demand benchmark) checked no pull request or branch push, so running it
/// on fewer occasions, or never, is worth a look but blocks nothing. What such a workflow still
/// runs keeps mattering to whoever starts it: a step or cache it drops stays a loss. A workflow
/// with any other event (a push to a branch, a pull request, a schedule, a call from another
/// workflow) keeps every loss.
fn review_on_demand_losses(changes: &mut [Change], old_models: &BTreeMap<String, FileModel>) {
    let on_demand: HashMap<&str, Vec<&str>> = old_models
        .values()
        .filter(|m| m.kind == FileKind::Workflow && !m.triggers.is_empty())
        .filter(|m| m.triggers.values().all(runs_on_demand))
        .map(|m| {
            (
                m.display.as_str(),
                m.triggers.keys().map(String::as_str).collect(),
            )
        })
        .collect();
    for change in changes.iter_mut() {
        let Some(events) = change
            .before
            .as_ref()
            .and_then(|before| on_demand.get(before.path.as_str()))
        else {
            continue;
        };
        let runs_less_often = matches!(
            change.kind,
            Kind::WorkflowRemoved | Kind::TriggerRemoved | Kind::TriggerNarrowed
        );
        if change.severity != Severity::Reduction || !runs_less_often {
            continue;
        }
        change.severity = Severity::Review;
        change.message = format!(
            "{} (the workflow ran only on {}: it gated no pull request or branch push)",
            change.message,
            events.join(", ")
        );
    }
}

/// Whether `trigger` runs a workflow only on demand or for a release: by hand, on a dispatch
/// or a published release, or on a push that its filters limit to tags.
fn runs_on_demand(trigger: &TriggerModel) -> bool {
    match trigger.event.as_str() {
        "workflow_dispatch" | "repository_dispatch" | "release" => true,
        "push" => {
            trigger.filters.contains_key("tags")
                && !trigger.filters.contains_key("branches")
                && !trigger.filters.contains_key("branches-ignore")
        }
        _ => false,
    }
}

/// Events about issues, comments, labels and reviews: what bots answer, not code changes.
const BOT_EVENTS: &[&str] = &[
    "issues",
    "issue_comment",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "discussion",
    "discussion_comment",
    "label",
    "milestone",
    "project",
    "project_card",
    "project_column",
    "fork",
    "watch",
];

/// Remove from `report` every credential of the compared files: a removed step is named by its
/// command, which may hold a token, and the report is posted where anyone reads it. Secrets are
/// replaced by their bare redacted form (`ghp_…`): no hash, which would only link findings.
fn scrub_secrets(
    report: &mut GuardReport,
    before: &Snapshot,
    after: &Snapshot,
    code: &[CodeChange],
) {
    // The paths too: a workflow file named with a token is quoted in every location.
    let texts = [before, after]
        .into_iter()
        .flat_map(|snapshot| {
            snapshot
                .files
                .keys()
                .filter_map(|key| snapshot.text(key))
                .chain(snapshot.files.keys().map(String::as_str))
        })
        .chain(
            code.iter()
                .flat_map(|c| [c.before.as_deref(), c.after.as_deref()])
                .flatten(),
        );
    let scrubber = plimsoll_secrets::Scrubber::of_texts(texts);
    if scrubber.is_empty() {
        return;
    }
    let scrub = |text: &mut String| {
        if let std::borrow::Cow::Owned(clean) =
            scrubber.scrub_with(text, plimsoll_secrets::redact::redact_bare)
        {
            *text = clean;
        }
    };
    for change in &mut report.changes {
        scrub(&mut change.subject);
        scrub(&mut change.message);
        for location in [&mut change.before, &mut change.after]
            .into_iter()
            .flatten()
        {
            scrub(&mut location.path);
        }
        if let Some(accepted) = &mut change.accepted {
            scrub(&mut accepted.reason);
        }
    }
    report.notes.iter_mut().for_each(scrub);
}

/// Models of a snapshot's files; files without one are reported, unless the other version
/// holds the very same bytes (nothing changed there). `old` is given for the new version: a new
/// file that does not parse loses coverage only where the old one parsed; elsewhere it is
/// reported for review.
fn models(
    snapshot: &Snapshot,
    other: &Snapshot,
    old: Option<&BTreeMap<String, FileModel>>,
    sink: &mut Sink,
) -> BTreeMap<String, FileModel> {
    let is_new = old.is_some();
    let mut found = BTreeMap::new();
    for (key, file) in &snapshot.files {
        let version = if is_new { "new" } else { "old" };
        // Two files too large to read cannot be told equal.
        let unchanged = file.content != FileContent::TooLarge
            && other.files.get(key).map(|f| &f.content) == Some(&file.content);
        let mut parse_error = false;
        let failure = match &file.content {
            FileContent::Text(text) => match model::build(key, &file.display, text) {
                Ok(model) => {
                    found.insert(key.clone(), model);
                    continue;
                }
                Err(failure) => {
                    parse_error = true;
                    (
                        format!(
                            "the {version} version of {} does not parse: {}",
                            file.display, failure.message
                        ),
                        failure.location,
                    )
                }
            },
            FileContent::Binary => (
                format!("the {version} version of {} is a binary file", file.display),
                Location::file(&file.display),
            ),
            FileContent::TooLarge => (
                format!(
                    "the {version} version of {} is larger than the {} MiB limit",
                    file.display,
                    crate::snapshot::MAX_FILE_SIZE / (1024 * 1024)
                ),
                Location::file(&file.display),
            ),
            FileContent::Submodule => continue,
        };
        if unchanged {
            continue;
        }
        if let Some(old) = old {
            // Before: the working version it replaces, when there was one.
            sink.push(
                Kind::WorkflowUnparsable,
                key.clone(),
                format!("{}: it runs nothing", failure.0),
                old.get(key).map(|model| &model.location),
                Some(&failure.1),
            );
            if !old.contains_key(key) && !parse_error {
                // A binary or oversized file with no working version to lose: worth a look,
                // not a failure. A parse error always fails: GitHub runs nothing of the file,
                // and guard cannot see what it was meant to run.
                if let Some(change) = sink.changes.last_mut() {
                    change.severity = Severity::Review;
                }
            }
        } else if parse_error {
            // The old version does not parse, so guard cannot tell what the new one lost:
            // saying nothing would pass every removal in it. It fails until fixed or accepted.
            sink.push(
                Kind::WorkflowUnparsable,
                key.clone(),
                format!(
                    "{}: what the new version removed cannot be compared",
                    failure.0
                ),
                Some(&failure.1),
                None,
            );
        } else {
            sink.push(
                Kind::NotCompared,
                key.clone(),
                format!("{}; not compared", failure.0),
                Some(&failure.1),
                None,
            );
        }
    }
    found
}

/// Mark reductions that an `allow-reduction` comment of the new version accepts, and report
/// comments that give no reason.
fn accept(
    changes: &mut Vec<Change>,
    new_models: &BTreeMap<String, FileModel>,
    code_allows: &HashMap<String, Vec<Allow>>,
) {
    let by_display: HashMap<&str, &FileModel> = new_models
        .values()
        .map(|model| (model.display.as_str(), model))
        .collect();
    let all_workflow_allows: Vec<&Allow> = new_models.values().flat_map(|m| &m.allows).collect();
    for change in changes.iter_mut() {
        if change.severity != Severity::Reduction {
            continue;
        }
        let candidates: Vec<&Allow> = match &change.after {
            Some(after) => by_display
                .get(after.path.as_str())
                .map(|model| model.allows.iter().collect())
                .or_else(|| code_allows.get(&after.path).map(|a| a.iter().collect()))
                .unwrap_or_default(),
            None => all_workflow_allows.clone(),
        };
        if let Some(allow) = candidates
            .into_iter()
            .find(|allow| allow.accepts(change.kind.as_str(), &change.subject))
        {
            change.severity = Severity::Accepted;
            change.accepted = Some(Acceptance {
                reason: allow.reason.clone(),
                location: allow.location.clone(),
            });
        }
    }
    let without_reason = new_models
        .values()
        .flat_map(|m| &m.allows)
        .chain(code_allows.values().flatten())
        .filter(|allow| allow.reason.is_empty());
    let mut extra = Vec::new();
    for allow in without_reason {
        extra.push(Change {
            kind: Kind::AllowWithoutReason,
            severity: Severity::Review,
            subject: allow.what.clone(),
            message: format!(
                "`allow-reduction[{}]` gives no reason, so it accepts nothing",
                allow.what
            ),
            before: None,
            after: Some(allow.location.clone()),
            accepted: None,
        });
    }
    changes.extend(extra);
}

fn compare_files(
    old: &FileModel,
    new: &FileModel,
    moved_in: &[MovedJob],
    selected: &PathsSelected,
    sink: &mut Sink,
) {
    if old.content == new.content {
        return;
    }
    let from = sink.changes.len();
    compare_triggers(old, new, selected, sink);
    // A workflow that runs no check (a labeller, a notifier: only actions that check nothing,
    // no script, no call) checks no change however rarely it runs.
    if !runs_checks(old) {
        for change in &mut sink.changes[from..] {
            change.severity = Severity::Review;
            change.message = format!("{} (the workflow runs no check)", change.message);
        }
    }
    let tested = PackagesTested::of(new, old);

    // Pair jobs: by id, then renamed with equal content, then by `name:`.
    let new_ids: HashSet<&str> = new.jobs.iter().map(|j| j.id.as_str()).collect();
    let old_ids: HashSet<&str> = old.jobs.iter().map(|j| j.id.as_str()).collect();
    let added: Vec<&JobModel> = new
        .jobs
        .iter()
        .filter(|j| !old_ids.contains(j.id.as_str()))
        .collect();
    let new_by_id: HashMap<&str, &JobModel> = new.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
    let mut added_by_content = FirstFree::new(
        added
            .iter()
            .enumerate()
            .map(|(i, a)| (i, a.content.as_str())),
    );
    let mut added_by_name = FirstFree::new(
        added
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((i, a.name.as_deref()?))),
    );
    let mut taken = vec![false; added.len()];
    let mut renamed: HashMap<&str, &str> = HashMap::new();
    let mut pairs: Vec<(&JobModel, &JobModel)> = Vec::new();
    let mut lost: Vec<&JobModel> = Vec::new();
    for job in &old.jobs {
        if let Some(same) = new_by_id.get(job.id.as_str()) {
            pairs.push((job, same));
            continue;
        }
        if let Some(i) = added_by_content.first(&job.content, &taken) {
            taken[i] = true;
            renamed.insert(&job.id, &added[i].id);
            continue;
        }
        match job
            .name
            .as_deref()
            .and_then(|name| added_by_name.first(name, &taken))
        {
            Some(i) => {
                taken[i] = true;
                renamed.insert(&job.id, &added[i].id);
                pairs.push((job, added[i]));
            }
            None => lost.push(job),
        }
    }
    // Steps of jobs that did not exist before: where a split job's steps went.
    let pool: Vec<&JobModel> = added
        .iter()
        .zip(&taken)
        .filter(|(_, taken)| !**taken)
        .map(|(a, _)| *a)
        .collect();
    let mut pool_by_step: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, other) in pool.iter().enumerate() {
        for step in &other.steps {
            let hosts = pool_by_step.entry(step.content.as_str()).or_default();
            if hosts.last() != Some(&i) {
                hosts.push(i);
            }
        }
    }
    let mut pool_taken = vec![false; pool.len()];
    for job in lost {
        // A job that never ran (`if: false`) loses nothing when it goes.
        if job
            .condition
            .as_ref()
            .is_some_and(|(condition, _)| always_false(condition))
        {
            continue;
        }
        if split_into(job, &pool, &pool_by_step) {
            continue;
        }
        // Renamed and edited: most of its steps are those of one new job.
        if let Some(i) = (0..pool.len()).find(|&i| !pool_taken[i] && same_job(job, pool[i])) {
            pool_taken[i] = true;
            compare_jobs(job, pool[i], &pool, &tested, &renamed, &new_ids, sink);
            continue;
        }
        // Merged into other jobs: each of its steps is there, or runs its commands there.
        if merged_into(job, &new.jobs, &old.jobs) {
            continue;
        }
        // Moved to another workflow (same id, same content, or same name there): compared
        // with it there, so what the move dropped is still reported.
        let moved = moved_in
            .iter()
            .filter(|other| {
                !std::ptr::eq(other.job, job)
                    && !new.jobs.iter().any(|j| std::ptr::eq(j, other.job))
                    && (!job_checks(job) || other.runs_on_the_changes_of(old, job))
            })
            .map(|other| other.job)
            .find(|other| {
                other.id == job.id
                    || other.content == job.content
                    || (job.name.is_some() && other.name == job.name)
                    || same_job(job, other)
            });
        if let Some(other) = moved {
            let ids: HashSet<&str> = HashSet::new();
            // Its new workflow's other jobs are not at hand: no package counts as tested there.
            let tested = PackagesTested::default();
            compare_jobs(job, other, &[], &tested, &HashMap::new(), &ids, sink);
            continue;
        }
        // A job whose `if:` requires a tag ref runs for pushed tags only (a release): like a
        // workflow run only for releases, it gated no pull request or branch push.
        let unchecked = if runs_only_for_tags(job) {
            Some("it ran only for pushed tags (its `if:` requires `refs/tags/`): it gated no pull request or branch push".to_string())
        } else if let Some(publisher) = runs_only_after_publishing(job, old) {
            Some(format!("it ran only after job `{publisher}` published (its `if:` requires an output of that job): it gated no change, which was published before it ran"))
        } else if runs_only_non_checks(job) {
            Some(
                "it only ran actions that check nothing guard knows of and set-up commands"
                    .to_string(),
            )
        } else {
            None
        };
        // It ran a check the toolchain now runs in every build.
        if let Some(why) = built_in_check_removed(job, new) {
            sink.push_review(
                Kind::JobRemoved,
                job.id.clone(),
                format!("job `{}` was removed from {}; {why}", job.id, old.display),
                Some(&job.location),
                Some(&new.jobs_location),
            );
            continue;
        }
        // Its checks are package scripts the new workflow no longer runs, while it runs
        // scripts the old one did not: what each runs is in `package.json`.
        match scripts_renamed(job, old, new, sink.versions) {
            Some(ScriptsRenamed::Covered) => continue,
            Some(ScriptsRenamed::Undecided(message)) => {
                sink.push_review(
                    Kind::JobRemoved,
                    job.id.clone(),
                    format!(
                        "job `{}` was removed from {}; {message}",
                        job.id, old.display
                    ),
                    Some(&job.location),
                    Some(&new.jobs_location),
                );
                continue;
            }
            None => {}
        }
        if let Some(why) = unchecked {
            sink.push(
                Kind::UncheckedJobRemoved,
                job.id.clone(),
                format!("job `{}` was removed from {}; {why}", job.id, old.display),
                Some(&job.location),
                Some(&new.jobs_location),
            );
            continue;
        }
        // Replaced where other jobs wait for it (`needs:`) by a new job, and checking only
        // through entry points whose contents this revision does not hold: undecided.
        if let Some((successor, entries)) = replaced_by_successor(job, old, new, &pool, sink) {
            sink.push_review(
                Kind::JobRemoved,
                job.id.clone(),
                format!(
                    "job `{}` was removed from {}; job `{}` took its place in the `needs:` of the jobs that waited for it, and it checked through {}, whose contents this revision does not hold: check the new jobs run as much",
                    job.id, old.display, successor.id, entries
                ),
                Some(&job.location),
                Some(&successor.location),
            );
            continue;
        }
        sink.push(
            Kind::JobRemoved,
            job.id.clone(),
            format!("job `{}` was removed from {}", job.id, old.display),
            Some(&job.location),
            Some(&new.jobs_location),
        );
    }
    for (old_job, new_job) in pairs {
        compare_jobs(old_job, new_job, &pool, &tested, &renamed, &new_ids, sink);
    }
}

/// The new job of `new` (among `added`) that took the removed `job`'s place: each job of `new`
/// that waited for `job` (`needs:`) in `old` waits for it instead, and one job at least did. With
/// it, the entry points (`make` goals, repository scripts, `package.json` scripts) through which
/// `job` checked, when every check of `job` was one and the revision holds no code: what they ran
/// is in files guard cannot read, so whether the new jobs run as much is undecided.
fn replaced_by_successor<'n>(
    job: &JobModel,
    old: &FileModel,
    new: &'n FileModel,
    added: &[&'n JobModel],
    sink: &Sink,
) -> Option<(&'n JobModel, String)> {
    if sink.cargo.holds_code() {
        return None;
    }
    let mut entries: Vec<String> = Vec::new();
    for step in job
        .steps
        .iter()
        .filter(|s| matches!(weight(s), Weight::Checks))
    {
        for command in step.commands.iter().filter(|c| !prepares(c)) {
            let entry = command.runs.starts_with("package script ")
                || (runs_repository_entry_point(&command.text) && may_check(&command.text));
            if !entry {
                return None;
            }
            entries.push(format!("`{}`", command.text));
        }
    }
    if entries.is_empty() {
        return None;
    }
    let waited: Vec<&str> = old
        .jobs
        .iter()
        .filter(|j| j.needs.iter().any(|n| n == &job.id))
        .map(|j| j.id.as_str())
        .collect();
    if waited.is_empty() {
        return None;
    }
    let successor = added.iter().copied().find(|candidate| {
        waited.iter().all(|id| {
            new.jobs.iter().any(|j| {
                j.id == *id
                    && j.needs.iter().any(|n| n == &candidate.id)
                    && !j.needs.iter().any(|n| n == &job.id)
            })
        })
    })?;
    Some((successor, entries.join(", ")))
}

/// Whether every path the cache step `step` of `old` holds (its `path` input, one per line) is
/// named by a removed step of `old` that does not cache, and by no step of `new`: the cache
/// held files those steps wrote or read (`cargo tree > tree.txt`, then `diff tree.txt …`), not
/// the build's. A path named nowhere (`~/.cargo/registry`, `target/`: read by the tools
/// themselves) keeps the cache a loss of its own.
fn caches_only_what_removed_steps_used(
    step: &StepModel,
    old: &JobModel,
    new: &JobModel,
    partner: &[Option<usize>],
) -> bool {
    let Some((paths, _)) = step.with.get("path") else {
        return false;
    };
    let words_of = |script: &str| -> HashSet<String> {
        script
            .split(|c: char| c.is_whitespace() || "<>()|;&\"'`=".contains(c))
            .map(normal_path)
            .filter(|w| !w.is_empty())
            .collect()
    };
    let mut removed_words: HashSet<String> = HashSet::new();
    for (other, _) in old
        .steps
        .iter()
        .zip(partner)
        .filter(|(other, p)| p.is_none() && !other.caches)
    {
        removed_words.extend(other.run.as_deref().map(words_of).unwrap_or_default());
    }
    let new_words: HashSet<String> = new
        .steps
        .iter()
        .filter_map(|s| s.run.as_deref())
        .flat_map(words_of)
        .collect();
    let mut paths = paths
        .lines()
        .map(normal_path)
        .filter(|p| !p.is_empty())
        .peekable();
    paths.peek().is_some()
        && paths.all(|path| removed_words.contains(&path) && !new_words.contains(&path))
}

/// A path as written in a cache input or a script, compared: no `./` before, no `/` after.
fn normal_path(path: &str) -> String {
    let path = path.trim();
    let path = path.strip_prefix("./").unwrap_or(path);
    path.trim_end_matches('/').to_string()
}

/// Why the removed `job` may lose nothing: its checks are one the toolchain runs in every build
/// from a version on (data `built_in_checks`: a command naming `cfg-check`), and a job of the
/// workflow `new` still builds with such a toolchain. Whether those builds cover the same code
/// and fail on its findings is for a person: a review naming them.
fn built_in_check_removed(job: &JobModel, new: &FileModel) -> Option<String> {
    let commands: Vec<&model::CommandModel> = job
        .steps
        .iter()
        .flat_map(|s| &s.commands)
        .filter(|c| !prepares(c))
        .collect();
    let check = commands.first().and_then(|_| {
        equivalence::built_in_check(commands.iter().flat_map(|c| c.text.split(' ')))
    })?;
    // Every check the job ran is that one (named by it), not a test suite beside it.
    if !commands
        .iter()
        .all(|c| equivalence::built_in_check(c.text.split(' ')).is_some())
    {
        return None;
    }
    let toolchain_of = |other: &JobModel| -> Option<String> {
        other.steps.iter().find_map(|step| {
            let (uses, _) = step.uses.as_ref()?;
            let (target, reference) = uses.split_once('@').unwrap_or((uses, ""));
            check
                .toolchain_actions
                .iter()
                .filter(|(action, _)| action.eq_ignore_ascii_case(target))
                .find_map(|(_, input)| {
                    let name = if input.is_empty() {
                        reference.to_string()
                    } else {
                        step.with.get(input)?.0.clone()
                    };
                    check.runs_in(&name).then_some(name)
                })
        })
    };
    let builds: Vec<String> = new
        .jobs
        .iter()
        .filter_map(|other| {
            let toolchain = toolchain_of(other)?;
            let build = other
                .steps
                .iter()
                .flat_map(|s| &s.commands)
                .find(|c| check.builds.contains(&c.key))?;
            Some(format!(
                "job `{}` runs `{}` on `{toolchain}`",
                other.id, build.text
            ))
        })
        .collect();
    if builds.is_empty() {
        return None;
    }
    let shown = builds.len().min(3);
    let more = match builds.len() - shown {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "it ran `{}`, a check the toolchain runs in every build from {} on ({}), and {}{more}: check those builds cover the same code and fail on its findings",
        commands.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("`, `"),
        check.since,
        check.reports,
        builds[..shown].join(", ")
    ))
}

/// What became of the package scripts a removed job ran.
enum ScriptsRenamed {
    /// Each runs, by its `package.json` body, a tool that a script new in the workflow runs too.
    Covered,
    /// The revisions hold no `package.json` to tell: a review, with why.
    Undecided(String),
}

const SCRIPT: &str = "package script ";

/// Whether the checks of `job` (removed from `old`) that no job of `new` runs are all
/// `package.json` scripts, and `new` runs scripts `old` did not (`yarn lint` gone, `pnpm
/// eslint:check` new): a script is compared by what its body runs, read from the `package.json`
/// files of each revision (following scripts that run scripts). `None` when that is not the
/// case, or the bodies show a tool no longer run.
fn scripts_renamed(
    job: &JobModel,
    old: &FileModel,
    new: &FileModel,
    (before, after): (&Snapshot, &Snapshot),
) -> Option<ScriptsRenamed> {
    let runs_of = |workflow: &FileModel| -> HashSet<String> {
        workflow
            .jobs
            .iter()
            .flat_map(|j| &j.steps)
            .flat_map(|s| &s.commands)
            .map(|c| c.runs.clone())
            .collect()
    };
    let (old_runs, new_runs) = (runs_of(old), runs_of(new));
    let gone: BTreeSet<&str> = job
        .steps
        .iter()
        .flat_map(|s| &s.commands)
        .filter(|c| c.quality && !new_runs.contains(&c.runs))
        .map(|c| c.runs.as_str())
        .collect();
    let added: BTreeSet<&str> = new_runs
        .iter()
        .filter(|r| r.starts_with(SCRIPT) && !old_runs.contains(*r))
        .map(String::as_str)
        .collect();
    if gone.is_empty() || added.is_empty() || !gone.iter().all(|r| r.starts_with(SCRIPT)) {
        return None;
    }
    let names = |runs: &BTreeSet<&str>| {
        runs.iter()
            .map(|r| format!("`{}`", r.trim_start_matches(SCRIPT)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !(before.knows_code() && after.knows_code()) {
        return Some(ScriptsRenamed::Undecided(format!(
            "the package scripts it ran ({}) run nowhere now, and the workflow runs new ones ({}), whose contents are in package.json, which this revision does not hold: check they run as much",
            names(&gone),
            names(&added)
        )));
    }
    // Each revision's manifests are parsed once, however many scripts are followed in them.
    let (scripts_before, scripts_after) = (package_scripts(before), package_scripts(after));
    let now: BTreeSet<String> = added
        .iter()
        .flat_map(|r| script_tools(&scripts_after, r.trim_start_matches(SCRIPT)))
        .collect();
    gone.iter()
        .all(|r| {
            let was = script_tools(&scripts_before, r.trim_start_matches(SCRIPT));
            !was.is_empty() && was.is_subset(&now)
        })
        .then_some(ScriptsRenamed::Covered)
}

/// The `scripts` table of each `package.json` of `version` that parses.
fn package_scripts(version: &Snapshot) -> Vec<serde_json::Value> {
    version
        .manifests
        .iter()
        .filter(|(path, _)| path.ends_with("package.json"))
        .filter_map(|(_, text)| serde_json::from_str::<serde_json::Value>(text).ok())
        .filter_map(|mut manifest| manifest.get_mut("scripts").map(serde_json::Value::take))
        .collect()
}

/// The tools (command keys: `eslint`, `tsc`) the `package.json` script `name` runs in any
/// package (`scripts`, from [`package_scripts`]), following scripts that run scripts (`pnpm -r
/// eslint:check`).
fn script_tools(scripts: &[serde_json::Value], name: &str) -> BTreeSet<String> {
    let mut tools = BTreeSet::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut pending = vec![name.to_string()];
    while let Some(script) = pending.pop() {
        if !seen.insert(script.clone()) || seen.len() > MAX_SCRIPTS_FOLLOWED {
            continue;
        }
        for package_scripts in scripts {
            let Some(body) = package_scripts[script.as_str()].as_str() else {
                continue;
            };
            for command in body.split(['&', ';', '|']) {
                let words: Vec<&str> = command.split_whitespace().collect();
                let runs = model::what_runs(&words).0;
                match runs.strip_prefix(SCRIPT) {
                    Some(next) => pending.push(next.to_string()),
                    None if !runs.is_empty() => {
                        tools.insert(runs);
                    }
                    None => {}
                }
            }
        }
    }
    tools
}

/// Why removing the workflow `old` may lose nothing, when it ran on change only for pushes to
/// some branches (`push` with `branches`, beside on-demand events) and each of its jobs that
/// checks is a job (most steps alike) of a new workflow run on pushes to other branches: a
/// per-branch copy (`release-v1.yml` for `v1`, `release.yml` for `main`). GitHub runs a push
/// workflow from the pushed commit, so those branches run their own copy: the removal loses
/// nothing unless this revision is (or is merged into) one of them, which guard cannot tell.
fn runs_for_branches_checked_elsewhere<'n>(
    old: &FileModel,
    new_models: impl Iterator<Item = &'n FileModel> + Clone,
) -> Option<String> {
    let push = old.triggers.get("push")?;
    let (branches, _) = push.filters.get("branches")?;
    let on_demand_only = old
        .triggers
        .keys()
        .all(|event| event == "push" || matches!(event.as_str(), "workflow_dispatch"));
    if old.kind != FileKind::Workflow
        || !on_demand_only
        || branches.is_empty()
        || branches.iter().any(|b| b.starts_with('!'))
    {
        return None;
    }
    let checking: Vec<&JobModel> = old.jobs.iter().filter(|j| job_checks(j)).collect();
    if checking.is_empty() {
        return None;
    }
    let mut elsewhere: BTreeSet<String> = BTreeSet::new();
    for job in checking {
        let (file, others) = new_models.clone().find_map(|file| {
            let theirs = &file.triggers.get("push")?.filters.get("branches")?.0;
            let other_branches = !theirs.is_empty()
                && !theirs
                    .iter()
                    .any(|b| b.starts_with('!') || branches.contains(b));
            (other_branches && file.jobs.iter().any(|j| same_job(job, j))).then_some((file, theirs))
        })?;
        elsewhere.insert(format!(
            "{} (pushes to `{}`)",
            file.display,
            others.join("`, `")
        ));
    }
    let branches = branches.join("`, `");
    Some(format!(
        "it ran only on pushes to `{branches}`, and its checking jobs run in {} for other branches: GitHub runs a push workflow from the pushed commit, so pushes to `{branches}` run that branch's own copy; a loss only if this revision is of `{branches}` or merged into it",
        elsewhere.into_iter().collect::<Vec<_>>().join(", ")
    ))
}

/// Whether `job` runs only actions that are not checks and scripts that only prepare (a bot, a
/// publisher), and is not named for a check (`test`, `check-license`, `lint` are checks,
/// whatever they run).
fn runs_only_non_checks(job: &JobModel) -> bool {
    let checks_nothing = publishes_only(job)
        || job.steps.iter().all(|s| match weight(s) {
            Weight::Nothing => true,
            Weight::Unknown => s.run.is_none(),
            Weight::Checks => false,
        });
    let named_check = [Some(job.id.as_str()), job.name.as_deref()]
        .into_iter()
        .flatten()
        .any(equivalence::names_check);
    checks_nothing && !named_check && job.uses.is_none() && !job.steps.is_empty()
}

/// Whether `job` publishes (a step uses a publishing action, or runs a command that publishes)
/// and runs no check: its scripts build what it publishes, so what it stops building or where
/// is no coverage lost.
fn publishes_only(job: &JobModel) -> bool {
    publishes(job)
        && !job.steps.iter().any(|step| {
            step.commands
                .iter()
                .any(|c| c.quality && !c.key.ends_with(" build"))
                || step
                    .uses
                    .as_ref()
                    .is_some_and(|(uses, _)| equivalence::action_checks(version::uses_target(uses)))
        })
}

/// Whether a step of `job` uses a publishing action or runs a command that publishes.
fn publishes(job: &JobModel) -> bool {
    job.steps.iter().any(|step| {
        step.uses
            .as_ref()
            .is_some_and(|(uses, _)| equivalence::is_publish_action(version::uses_target(uses)))
            || step
                .commands
                .iter()
                .any(|c| equivalence::checks_nothing(&c.key))
    })
}

/// The job of `workflow` that publishes and whose output `job` requires to run: one `&&` term
/// of its `if:` (no `||` in that term) reads `needs.<publisher>.outputs.…`, so `job` runs only
/// once `<publisher>` has published (documents or announces the release), after the change it
/// could have gated was already out.
fn runs_only_after_publishing<'w>(job: &JobModel, workflow: &'w FileModel) -> Option<&'w str> {
    let (condition, _) = job.condition.as_ref()?;
    let lowered = condition.to_ascii_lowercase();
    let lowered = lowered
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}");
    top_level(lowered, "&&").iter().find_map(|term| {
        let term = unwrap_parentheses(term);
        if top_level(term, "||").len() > 1 {
            return None;
        }
        workflow
            .jobs
            .iter()
            .filter(|other| job.needs.iter().any(|n| n.eq_ignore_ascii_case(&other.id)))
            .find(|other| {
                term.contains(&format!("needs.{}.outputs.", other.id.to_ascii_lowercase()))
                    && publishes(other)
            })
            .map(|other| other.id.as_str())
    })
}

/// Whether a workflow may check something: a step that checks or runs a script, or a call to
/// another workflow.
fn runs_checks(workflow: &FileModel) -> bool {
    workflow.jobs.iter().any(|job| {
        job.uses.is_some()
            || job.steps.iter().any(|step| match weight(step) {
                Weight::Checks => true,
                Weight::Unknown => step.run.is_some(),
                Weight::Nothing => false,
            })
    })
}

/// Whether every step of `job` reappears in jobs new in this version that run on the same
/// runner and cover its matrix: the job was split, not removed.
fn split_into(
    job: &JobModel,
    pool: &[&JobModel],
    pool_by_step: &HashMap<&str, Vec<usize>>,
) -> bool {
    if job.steps.is_empty() || pool.is_empty() {
        return false;
    }
    // Whether each new job could have taken this job's steps, decided once per new job.
    let mut hosts: HashMap<usize, bool> = HashMap::new();
    job.steps.iter().all(|step| {
        pool_by_step
            .get(step.content.as_str())
            .is_some_and(|holders| {
                // Bounded: past it the job reads as removed, which fails the gate rather than
                // letting a hostile workflow make it quadratic.
                holders.iter().take(MAX_SPLIT_HOSTS).any(|&i| {
                    *hosts.entry(i).or_insert_with(|| {
                        let other = pool[i];
                        other.runner.as_ref().map(|r| &r.0) == job.runner.as_ref().map(|r| &r.0)
                            && matrix_covers(&other.matrix, &job.matrix)
                    })
                })
            })
    })
}

/// Whether `job` runs only when the workflow runs for a tag: its `if:` is a conjunction (no
/// `||`, no negation of the test) one of whose terms is `startsWith(github.ref, 'refs/tags/')`,
/// which GitHub's `github.ref` makes true for tag pushes and releases only.
fn runs_only_for_tags(job: &JobModel) -> bool {
    job.condition.as_ref().is_some_and(|(condition, _)| {
        let lowered = condition.to_ascii_lowercase().replace('"', "'");
        !lowered.contains("||")
            && lowered.split("&&").any(|term| {
                let term = term.trim().trim_start_matches('(').trim_end_matches(')');
                term.starts_with("startswith(github.ref,") && term.contains("'refs/tags/")
            })
    })
}

/// Whether `job` runs only for pushed branches and tags: its `if:` holds, as one of its
/// `&&` terms, a test of `github.ref` against `refs/heads/…` or `refs/tags/…` (or an `||` of
/// such tests). GitHub sets `github.ref` to `refs/pull/<n>/merge` for a pull request, so such a
/// job never runs for one.
fn runs_only_for_pushed_refs(job: &JobModel) -> bool {
    let Some((condition, _)) = &job.condition else {
        return false;
    };
    let lowered = condition.to_ascii_lowercase().replace('"', "'");
    let lowered = lowered
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}");
    top_level(lowered, "&&").iter().any(|term| {
        let alternatives = top_level(unwrap_parentheses(term), "||");
        !alternatives.is_empty()
            && alternatives.iter().all(|test| {
                let test = unwrap_parentheses(test);
                let compact: String = test.chars().filter(|c| !c.is_whitespace()).collect();
                compact.starts_with("github.ref=='refs/heads/")
                    || compact.starts_with("github.ref=='refs/tags/")
                    || compact.starts_with("startswith(github.ref,'refs/tags/')")
                    || compact.starts_with("startswith(github.ref,'refs/heads/')")
            })
    })
}

/// `text` split on `separator` outside parentheses and quotes.
fn top_level<'t>(text: &'t str, separator: &str) -> Vec<&'t str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ if !quoted && depth == 0 && text[i..].starts_with(separator) => {
                parts.push(text[start..i].trim());
                i += separator.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(text[start..].trim());
    parts
}

/// How a selection expression changed (pytest's `-k` and `-m`: names joined by `and`, `or`,
/// `not` and parentheses): `Some(true)` when the new one selects at least what the old one did
/// (`not slow` → `not slow or network`, `a and b` → `a`), `Some(false)` when at most
/// (`not slow` → `not slow and not network`), `None` when guard cannot tell.
fn selects_at_least(old: &str, new: &str) -> Option<bool> {
    let normal = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (old, new) = (normal(old), normal(new));
    let parts = |text: &str, separator: &str| -> BTreeSet<String> {
        top_level(unwrap_parentheses(text), separator)
            .into_iter()
            .map(|part| unwrap_parentheses(part).to_string())
            .collect()
    };
    if old == new {
        return Some(true);
    }
    let (any_old, any_new) = (parts(&old, " or "), parts(&new, " or "));
    let (all_old, all_new) = (parts(&old, " and "), parts(&new, " and "));
    if any_old.is_subset(&any_new) || all_new.is_subset(&all_old) {
        Some(true)
    } else if any_new.is_subset(&any_old) || all_old.is_subset(&all_new) {
        Some(false)
    } else {
        None
    }
}

/// `text` without the parentheses that wrap all of it.
fn unwrap_parentheses(text: &str) -> &str {
    let mut text = text.trim();
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        // `(a) || (b)` is not wrapped whole: inside, a `)` closes before its `(`.
        let mut depth = 0i32;
        if inner.chars().any(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth < 0
        }) {
            break;
        }
        text = inner.trim();
    }
    text
}

/// The folder and repository of another repository's checkout (`actions/checkout` with
/// `repository:` and `path:`) in which every command of `step` runs (its script starts with
/// `cd <path>`, or runs `cd <path> && …` through a shell): such a step builds or tests foreign
/// code, so removing it loses none of this repository's coverage.
fn foreign_checkout_built(step: &StepModel, job: &JobModel) -> Option<(String, String)> {
    let run = step.run.as_deref()?;
    job.steps.iter().find_map(|checkout| {
        let (uses, _) = checkout.uses.as_ref()?;
        if version::uses_target(uses) != "actions/checkout" {
            return None;
        }
        let repository = &checkout.with.get("repository")?.0;
        let path = checkout.with.get("path")?.0.trim_end_matches('/');
        let own = repository.contains("github.repository") || repository.is_empty();
        let path = path.trim_start_matches("./");
        if own || path.is_empty() || path.contains("${{") {
            return None;
        }
        // Where the script enters the checkout (`cd fast-core`, also inside `bash -c "…"`):
        // the commands before only prepare, and it enters no other folder after.
        let at = [format!("cd {path}"), format!("cd ./{path}")]
            .iter()
            .filter_map(|cd| {
                run.match_indices(cd.as_str())
                    .find(|(at, _)| {
                        let rest = &run[at + cd.len()..];
                        let before = run[..*at].chars().next_back();
                        (rest.is_empty() || rest.starts_with([' ', ';', '&', '/', '"', '\'']))
                            && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                    .map(|(at, _)| at + cd.len())
            })
            .min()?;
        let prepared_before = step
            .commands
            .iter()
            .filter(|c| {
                run.find(c.text.as_str())
                    .is_some_and(|found| found + c.text.len() < at)
                    && !c.text.contains(&format!("cd {path}"))
            })
            .all(|c| {
                // `uv pip install x`: the setup entries name a program and its subcommand.
                let subcommand: Vec<&str> = c.text.split(' ').take(2).collect();
                prepares(c) || (!c.quality && equivalence::is_setup_command(&subcommand.join(" ")))
            });
        let stays = !run[at..].contains("cd ");
        (prepared_before && stays).then(|| (path.to_string(), repository.clone()))
    })
}

/// A command of `new` that runs a repository entry point `old` did not run (a `make` goal, a
/// script of the repository), when the compared revision holds no code: what it runs is in a
/// Makefile or a script guard cannot read, so a check `old` ran in its place is undecided, a
/// review. With the code at hand, the loss stands.
fn undecided_entry_point<'j>(
    old: &JobModel,
    new: &'j JobModel,
    sink: &Sink,
) -> Option<&'j model::CommandModel> {
    if sink.cargo.holds_code() {
        return None;
    }
    let ran: HashSet<&str> = old
        .steps
        .iter()
        .flat_map(|s| &s.commands)
        .map(|c| c.text.as_str())
        .collect();
    new.steps
        .iter()
        .flat_map(|s| &s.commands)
        .filter(|c| !ran.contains(c.text.as_str()))
        .find(|c| runs_repository_entry_point(&c.text) && may_check(&c.text))
}

/// Whether a repository entry point may stand for a check: its words name one
/// (`nu scripts/test_virtualenv.nu`, `make test-pyright`), or it runs a build tool's goal or
/// task (`make`, the Gradle and Maven wrappers `./gradlew`, `./mvnw`) not known to check
/// nothing (`make release`, `gradlew publish`). `./publish.sh` stands for no check.
fn may_check(command: &str) -> bool {
    if equivalence::script_names_check(command) {
        return true;
    }
    let mut words = command.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let tool = program.rsplit('/').next().unwrap_or(program);
    if !matches!(
        tool,
        "make" | "gmake" | "gradlew" | "mvnw" | "just" | "task"
    ) {
        return false;
    }
    let key = words
        .find(|word| !word.starts_with('-'))
        .map_or_else(|| tool.to_string(), |goal| format!("{tool} {goal}"));
    !equivalence::checks_nothing(&key)
}

/// Whether `command` runs a `make` target or a script file of the repository: a program given
/// as a relative path (`./ci/test.sh`, `scripts/check`), or an interpreter given one
/// (`bash ci/test.sh`, `nu scripts/test.nu`, `python tools/check.py`).
fn runs_repository_entry_point(command: &str) -> bool {
    const INTERPRETERS: &[&str] = &[
        "bash",
        "sh",
        "zsh",
        "nu",
        "python",
        "python3",
        "node",
        "pwsh",
        "powershell",
        "ruby",
        "perl",
    ];
    let mut words = command.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let relative_path = |word: &str| {
        !word.starts_with('-')
            && !word.starts_with('/')
            && !word.contains("://")
            && !word.contains('$')
            && (word.starts_with("./") || word.contains('/'))
    };
    match program {
        // With no target, make runs the Makefile's default goal.
        "make" | "gmake" => true,
        // Task runners whose recipes are files of the repository: `just lint` (a justfile),
        // `task test` (a Taskfile), and cargo's `xtask` convention (an alias running the
        // repository's own `xtask` package) and cargo-make (`Makefile.toml`).
        "just" | "task" => true,
        "cargo" => matches!(words.next(), Some("xtask" | "make")),
        _ if INTERPRETERS.contains(&program) => words.next().is_some_and(relative_path),
        _ => relative_path(program),
    }
}

/// Whether a job checks something: it calls a workflow, or one of its steps checks.
fn job_checks(job: &JobModel) -> bool {
    job.uses.is_some()
        || job
            .steps
            .iter()
            .any(|s| matches!(weight(s), Weight::Checks))
}

/// Whether `new` is `old` renamed and edited: at least half of `old`'s steps are in `new`
/// (the same content, or the same name), on the same platform.
/// A job that is new where it is (it may have moved there), with the change events on which
/// the workflow now holding it runs.
struct MovedJob<'a> {
    job: &'a JobModel,
    /// `None`: a reusable workflow, whose callers decide when it runs.
    events: Option<BTreeSet<&'a str>>,
}

impl MovedJob<'_> {
    /// Whether it runs on every change event `old` ran on (or on an event of the same
    /// activity): a check moved into a scheduled or manual workflow no longer checks changes.
    /// A job whose `if:` admits only branch or tag refs ran on pushes alone.
    fn runs_on_the_changes_of(&self, old: &FileModel, job: &JobModel) -> bool {
        let Some(events) = &self.events else {
            return true;
        };
        let pushes_only = runs_only_for_pushed_refs(job);
        CHANGE_EVENTS
            .iter()
            .filter(|event| old.triggers.contains_key(**event))
            .filter(|event| !pushes_only || matches!(**event, "push" | "merge_group"))
            .all(|event| {
                events.contains(event)
                    || equivalence::same_activity(event).any(|other| events.contains(other))
            })
    }
}

/// Events that run a workflow on a change of the code.
const CHANGE_EVENTS: &[&str] = &["push", "pull_request", "pull_request_target", "merge_group"];

/// How many `workflow_run` links GitHub follows from a workflow triggered by a change.
const WORKFLOW_RUN_CHAIN: usize = 3;

/// The change events on which `file` runs: its own, and through `workflow_run` those of the
/// workflows (named by `name:`) it follows; `None` for a reusable workflow.
fn change_events<'a>(
    file: &'a FileModel,
    workflows_by_name: &HashMap<&str, &'a FileModel>,
    links_left: usize,
) -> Option<BTreeSet<&'a str>> {
    if file.triggers.contains_key("workflow_call") {
        return None;
    }
    let mut events: BTreeSet<&str> = file
        .triggers
        .keys()
        .map(String::as_str)
        .filter(|event| CHANGE_EVENTS.contains(event))
        .collect();
    if let (Some(trigger), Some(left)) =
        (file.triggers.get("workflow_run"), links_left.checked_sub(1))
    {
        let followed = trigger
            .filters
            .get("workflows")
            .map(|(names, _)| names.as_slice());
        for name in followed.unwrap_or_default() {
            if let Some(upstream) = workflows_by_name.get(name.as_str()) {
                if let Some(theirs) = change_events(upstream, workflows_by_name, left) {
                    events.extend(theirs);
                }
            }
        }
    }
    Some(events)
}

fn same_job(old: &JobModel, new: &JobModel) -> bool {
    if old.steps.is_empty() {
        return false;
    }
    let contents: HashSet<&str> = new.steps.iter().map(|s| s.content.as_str()).collect();
    let names: HashSet<&str> = new.steps.iter().filter_map(|s| s.name.as_deref()).collect();
    let shared = old
        .steps
        .iter()
        .filter(|s| {
            contents.contains(s.content.as_str())
                || s.name.as_deref().is_some_and(|n| names.contains(n))
        })
        .count();
    let runner = |job: &JobModel| job.runner.as_ref().map(|r| r.0.clone()).unwrap_or_default();
    shared * 2 >= old.steps.len()
        && (runner(old) == runner(new) || equivalence::same_platform(&runner(old), &runner(new)))
}

/// Whether every step of `old` that checks is in one of `jobs`, or runs all its commands there
/// (with perhaps more arguments), in steps and commands new in this version (`before` holds the
/// old version's jobs): the job was merged into them. Steps that were already there run with
/// their own job's environment and matrix, not the removed job's.
fn merged_into(old: &JobModel, jobs: &[JobModel], before: &[JobModel]) -> bool {
    let existed: HashSet<&str> = before
        .iter()
        .filter(|j| !std::ptr::eq(*j, old))
        .flat_map(|j| &j.steps)
        .map(|s| s.content.as_str())
        .collect();
    let steps: Vec<&StepModel> = jobs
        .iter()
        .flat_map(|j| &j.steps)
        .filter(|s| !existed.contains(s.content.as_str()))
        .collect();
    let contents: HashSet<&str> = steps.iter().map(|s| s.content.as_str()).collect();
    let commands: Vec<&model::CommandModel> = steps.iter().flat_map(|s| &s.commands).collect();
    let checking: Vec<&StepModel> = old
        .steps
        .iter()
        .filter(|s| matches!(weight(s), Weight::Checks))
        .collect();
    !checking.is_empty()
        && checking.iter().all(|step| {
            contents.contains(step.content.as_str())
                || (step.run.is_some()
                    && step
                        .commands
                        .iter()
                        .all(|c| prepares(c) || commands.iter().any(|d| runs_as_much(c, d))))
        })
}

/// Scripts followed from one (`lint` runs `lint:js`, which runs …): past it, no more are read.
const MAX_SCRIPTS_FOLLOWED: usize = 32;

/// New jobs holding one step that are tried as the host of a removed job's step, at most.
const MAX_SPLIT_HOSTS: usize = 256;

/// Items indexed by a key and handed out in order: [`FirstFree::first`] is the first item of a
/// key not taken yet. Taking is for good, so each key's list is walked once in all, and pairing
/// n items costs n lookups rather than n² comparisons.
struct FirstFree<'k> {
    lists: HashMap<&'k str, (Vec<usize>, usize)>,
}

impl<'k> FirstFree<'k> {
    fn new(items: impl Iterator<Item = (usize, &'k str)>) -> Self {
        let mut lists: HashMap<&'k str, (Vec<usize>, usize)> = HashMap::new();
        for (index, key) in items {
            let list = &mut lists.entry(key).or_default().0;
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
        FirstFree { lists }
    }

    fn first(&mut self, key: &str, taken: &[bool]) -> Option<usize> {
        let (list, cursor) = self.lists.get_mut(key)?;
        while let Some(&index) = list.get(*cursor) {
            if !taken.get(index).copied().unwrap_or(true) {
                return Some(index);
            }
            *cursor += 1;
        }
        None
    }
}

fn matrix_covers(new: &Matrix, old: &Matrix) -> bool {
    match (old, new) {
        (Matrix::Combinations(old), Matrix::Combinations(new)) => {
            old.iter().all(|combination| covered(combination, new))
        }
        (old, new) => old == new,
    }
}

/// Whether some combination of `new` runs `combination` (it may add values of its own).
fn covered(combination: &Combination, new: &[Combination]) -> bool {
    new.iter().any(|candidate| {
        combination
            .iter()
            .all(|(key, value)| candidate.get(key) == Some(value))
    })
}

/// Filters that select when the workflow runs (fewer patterns: fewer runs).
const SELECTING: &[&str] = &["branches", "tags", "paths", "types", "workflows"];
/// Filters that exclude (more patterns: fewer runs).
const EXCLUDING: &[&str] = &["branches-ignore", "tags-ignore", "paths-ignore"];

fn compare_triggers(old: &FileModel, new: &FileModel, selected: &PathsSelected, sink: &mut Sink) {
    let on = new.on_location.as_ref().unwrap_or(&new.location);
    for (event, trigger) in &old.triggers {
        // `pull_request_target` replaced by `pull_request`: the same pull requests run it.
        let now = new.triggers.get(event).or_else(|| {
            equivalence::same_activity(event)
                .find(|other| !old.triggers.contains_key(*other))
                .and_then(|other| new.triggers.get(other))
        });
        let Some(now) = now else {
            sink.push(
                Kind::TriggerRemoved,
                event.clone(),
                format!("{} no longer runs on `{event}`", old.display),
                Some(&trigger.location),
                Some(on),
            );
            continue;
        };
        for filter in SELECTING {
            let was = trigger.filters.get(*filter);
            let is = now.filters.get(*filter);
            // `push` with `branches` runs for no tag: a `tags` filter added to it adds runs
            // for tags (and the reverse), it narrows nothing.
            let other = match *filter {
                "tags" => Some("branches"),
                "branches" => Some("tags"),
                _ => None,
            };
            let widens = event == "push"
                && other.is_some_and(|o| {
                    trigger.filters.contains_key(o) && now.filters.get(o) == trigger.filters.get(o)
                });
            match (was, is) {
                (None, Some(_)) if widens => {}
                (None, Some((patterns, at))) => sink.push(
                    Kind::TriggerNarrowed,
                    event.clone(),
                    format!("`{event}` now runs only for {filter} {}", list(patterns)),
                    Some(&trigger.location),
                    Some(at),
                ),
                (Some((before, before_at)), Some((after, at))) => {
                    let dropped = before
                        .iter()
                        .filter(|p| !p.starts_with('!') && !matched_by(p, after));
                    let mut lost: Vec<String> = Vec::new();
                    let mut undecided: Vec<(&String, &str)> = Vec::new();
                    for pattern in dropped {
                        // Branch and tag names are not files.
                        let loss = if *filter == "paths" {
                            selected.loss(pattern, after)
                        } else {
                            PathLoss::Lost
                        };
                        match loss {
                            PathLoss::Lost => lost.push(pattern.clone()),
                            PathLoss::Undecided(why) => undecided.push((pattern, why)),
                            PathLoss::Kept => {}
                        }
                    }
                    for (pattern, why) in undecided {
                        sink.push_review(
                            Kind::TriggerNarrowed,
                            event.clone(),
                            format!(
                                "`{event}` {filter}: no longer for `{pattern}`, {why}; this revision holds no code to tell which"
                            ),
                            Some(before_at),
                            Some(at),
                        );
                    }
                    let excluded: Vec<String> = after
                        .iter()
                        .filter(|p| p.starts_with('!') && !before.contains(p))
                        .cloned()
                        .collect();
                    if !lost.is_empty() || !excluded.is_empty() {
                        let mut parts = Vec::new();
                        if !lost.is_empty() {
                            parts.push(format!("no longer for {}", list(&lost)));
                        }
                        if !excluded.is_empty() {
                            parts.push(format!("now excludes {}", list(&excluded)));
                        }
                        sink.push(
                            Kind::TriggerNarrowed,
                            event.clone(),
                            format!("`{event}` {filter}: {}", parts.join(", ")),
                            Some(before_at),
                            Some(at),
                        );
                    }
                }
                _ => {}
            }
        }
        for filter in EXCLUDING {
            let before: &[String] = trigger.filters.get(*filter).map_or(&[], |f| &f.0);
            if let Some((after, at)) = now.filters.get(*filter) {
                let added: Vec<String> = after
                    .iter()
                    .filter(|p| !before.contains(p))
                    .cloned()
                    .collect();
                if !added.is_empty() {
                    sink.push(
                        Kind::TriggerNarrowed,
                        event.clone(),
                        format!("`{event}` now ignores {filter} {}", list(&added)),
                        trigger
                            .filters
                            .get(*filter)
                            .map(|f| &f.1)
                            .or(Some(&trigger.location)),
                        Some(at),
                    );
                }
            }
        }
        // `push` with only a `tags` filter no longer runs for branch pushes, and the reverse.
        if event == "push" {
            let has = |t: &crate::model::TriggerModel, key: &str| t.filters.contains_key(key);
            for (kind, other) in [("branches", "tags"), ("tags", "branches")] {
                let ran_for = !has(trigger, other)
                    || has(trigger, kind)
                    || has(trigger, &format!("{kind}-ignore"));
                let runs_for =
                    !has(now, other) || has(now, kind) || has(now, &format!("{kind}-ignore"));
                if ran_for && !runs_for {
                    sink.push(
                        Kind::TriggerNarrowed,
                        event.clone(),
                        format!("`push` no longer runs for pushed {kind}"),
                        Some(&trigger.location),
                        Some(&now.location),
                    );
                }
            }
        }
        let crons_after: Vec<&str> = now.crons.iter().map(|c| c.0.as_str()).collect();
        let gone: Vec<&(String, Location)> = trigger
            .crons
            .iter()
            .filter(|c| !crons_after.contains(&c.0.as_str()))
            .collect();
        let added = now
            .crons
            .iter()
            .filter(|c| !trigger.crons.iter().any(|b| b.0 == c.0))
            .count();
        for (cron, at) in gone {
            let (kind, message) = if added == 0 {
                (
                    Kind::ScheduleRemoved,
                    format!("the schedule `{cron}` was removed"),
                )
            } else {
                (
                    Kind::ScheduleChanged,
                    format!("the schedule `{cron}` was replaced; check it runs as often"),
                )
            };
            sink.push(kind, cron.clone(), message, Some(at), Some(&now.location));
        }
    }
}

/// What the path filters of the two versions can select: the CI files the new version no
/// longer holds, and, when both versions are commits whose files are known, every file of each.
struct PathsSelected<'a> {
    /// Files of the old version the new one no longer holds (a workflow renamed or deleted).
    gone: HashSet<&'a str>,
    before: &'a Snapshot,
    after: &'a Snapshot,
    /// Files new in the new version, by git object id: where an old file moved.
    added_by_object: std::cell::OnceCell<HashMap<&'a str, Vec<&'a str>>>,
}

impl<'a> PathsSelected<'a> {
    fn new(before: &'a Snapshot, after: &'a Snapshot) -> Self {
        PathsSelected {
            gone: before
                .files
                .keys()
                .filter(|key| !after.files.contains_key(*key))
                .map(String::as_str)
                .collect(),
            before,
            after,
            added_by_object: std::cell::OnceCell::new(),
        }
    }

    /// What dropping the path pattern `pattern` from a filter that now holds `patterns` loses:
    /// [`PathsSelected::still_lost`] when the files of both versions are known. When they are
    /// not (a history of `.github` alone), whether the files it selected still exist is in code
    /// guard cannot see: the pattern is undecided, a review, when the new version's CI files
    /// name its folder nowhere (the folder went or was renamed with every reference to it), or
    /// when a pattern without wildcards `P` became `P/**` (a fix if `P` is a folder, which no
    /// file path equals; a loss if it is a file). A pattern whose folder the new CI still names
    /// (a job still builds it) stays lost.
    fn loss(&self, pattern: &str, patterns: &[String]) -> PathLoss {
        if !self.still_lost(pattern, patterns) {
            return PathLoss::Kept;
        }
        if self.before.knows_code() && self.after.knows_code() {
            return PathLoss::Lost;
        }
        let folder_now_selected = !pattern.contains(['*', '?', '['])
            && patterns
                .iter()
                .any(|p| p.strip_suffix("/**") == Some(pattern.trim_end_matches('/')));
        if another_managers_lockfile(pattern, patterns) {
            PathLoss::Undecided(
                "now the lockfile of another package manager in its place: the project changed manager, so the old lockfile was deleted (no loss) or kept (a loss)",
            )
        } else if folder_now_selected {
            PathLoss::Undecided(
                "now `/**` under it: a fix if it is a folder (no file path equals a folder), a loss if it is a file",
            )
        } else if folder_of(pattern).is_some_and(|folder| !self.after_names(folder)) {
            PathLoss::Undecided(
                "whose folder the new version's CI names nowhere: its files were deleted or moved (no loss), or kept (a loss)",
            )
        } else {
            PathLoss::Lost
        }
    }

    /// Whether a CI file of the new version names the path `folder` (as a whole path part:
    /// `tooling/cli` is not named by `tooling/cli.rs`).
    fn after_names(&self, folder: &str) -> bool {
        ci_names(self.after, folder)
    }

    /// Whether dropping the path pattern `pattern` from a filter that now holds `patterns`
    /// stops the workflow running for changes to a file the new version holds. Not when the
    /// pattern named a CI file the new version no longer holds, nor, when both versions' files
    /// are known, when every file it matched in the old version is deleted or moved to where
    /// `patterns` select it (a folder renamed with its filters), or it matched no file at all
    /// (GitHub matches a pattern against whole file paths: `tooling/app`, a folder, matches
    /// none of its files, `tooling/app/**` all of them).
    fn still_lost(&self, pattern: &str, patterns: &[String]) -> bool {
        if self.gone.contains(pattern) {
            return false;
        }
        if !(self.before.knows_code() && self.after.knows_code()) {
            return true;
        }
        let added = self.added_by_object.get_or_init(|| {
            let mut added: HashMap<&str, Vec<&str>> = HashMap::new();
            for (path, object) in &self.after.tree {
                if !object.is_empty() && !self.before.tree.contains_key(path) {
                    added
                        .entry(object.as_str())
                        .or_default()
                        .push(path.as_str());
                }
            }
            added
        });
        self.before
            .tree
            .iter()
            .filter(|(path, _)| path_matches(pattern, path))
            .any(|(path, object)| {
                // Still there, or moved out of what the filter selects now.
                self.after.tree.contains_key(path)
                    || added.get(object.as_str()).is_some_and(|moved| {
                        !moved.iter().any(|to| {
                            patterns
                                .iter()
                                .filter(|p| !p.starts_with('!'))
                                .any(|p| path_matches(p, to))
                        })
                    })
            })
    }

    /// Whether every change event `old` (a workflow the new version removes) ran on was
    /// filtered by paths whose loss is undecided ([`PathsSelected::loss`]): files in folders the
    /// new version's CI names nowhere, in a revision that holds no code.
    fn only_undecided_code(&self, old: &FileModel) -> bool {
        every_change_event_filtered(old, |patterns| {
            patterns
                .iter()
                .filter(|p| !p.starts_with('!'))
                .map(|p| self.loss(p, &[]))
                .try_fold(false, |undecided, loss| match loss {
                    PathLoss::Lost => None,
                    PathLoss::Kept => Some(undecided),
                    PathLoss::Undecided(_) => Some(true),
                })
                .unwrap_or(false)
        })
    }

    /// Whether every change event `old` (a workflow the new version removes) ran on was
    /// filtered by paths that selected only files the new version deletes: with its code gone,
    /// it would run for nothing.
    fn only_deleted_code(&self, old: &FileModel) -> bool {
        every_change_event_filtered(old, |patterns| {
            patterns
                .iter()
                .filter(|p| !p.starts_with('!'))
                .all(|p| !self.still_lost(p, &[]))
        })
    }
}

/// Whether a CI file of `version` names the path `folder` (as a whole path part:
/// `tooling/cli` is not named by `tooling/cli.rs`).
fn ci_names(version: &Snapshot, folder: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    version.files.keys().any(|key| {
        version.text(key).is_some_and(|text| {
            text.match_indices(folder).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + folder.len()..].chars().next();
                !before.is_some_and(part) && !after.is_some_and(part)
            })
        })
    })
}

/// What became of the folder a removed step worked in (its `working-directory:`, relative to
/// the checkout): `Some(true)` when the new version no longer holds it (deleted or moved with
/// the code, so the step had nothing left to build or check), `Some(false)` when it is still
/// there or may be, `None` when a history of `.github` alone cannot tell and the new version's
/// CI names the folder nowhere (a review).
fn folder_gone(versions: (&Snapshot, &Snapshot), folder: &str) -> Option<bool> {
    let folder = folder
        .strip_prefix("./")
        .unwrap_or(folder)
        .trim_end_matches('/');
    // Only a plain relative folder: `${{ … }}`, `$HOME`, `..` or `/` say nothing here.
    if folder.is_empty()
        || folder == "."
        || folder.starts_with('/')
        || folder.contains(['$', '~', '*'])
        || folder.split('/').any(|part| part == "..")
    {
        return Some(false);
    }
    let (before, after) = versions;
    if before.knows_code() && after.knows_code() {
        let prefix = format!("{folder}/");
        let held = |version: &Snapshot| version.tree.keys().any(|p| p.starts_with(&prefix));
        return Some(held(before) && !held(after));
    }
    if ci_names(after, folder) {
        Some(false)
    } else {
        None
    }
}

/// Whether `old` runs on some change event and each of them has a `paths` filter whose
/// patterns `selects` accepts.
fn every_change_event_filtered(old: &FileModel, selects: impl Fn(&[String]) -> bool) -> bool {
    let mut events = CHANGE_EVENTS
        .iter()
        .filter_map(|event| old.triggers.get(*event))
        .peekable();
    events.peek().is_some()
        && events.all(|trigger| {
            trigger
                .filters
                .get("paths")
                .is_some_and(|(patterns, _)| selects(patterns))
        })
}

/// What dropping a path pattern from a filter loses.
enum PathLoss {
    /// Files the new version holds no longer run the workflow.
    Lost,
    /// Nothing: the files it selected went, moved to where the filter selects them, or never
    /// existed.
    Kept,
    /// The revision does not hold the files to tell, for the reason given: a review.
    Undecided(&'static str),
}

/// The folder whose files a path pattern with wildcards selects: its part before the first
/// wildcard, up to the last `/` (`tooling/cli.js/**` → `tooling/cli.js`). None for a pattern
/// naming one file (`docs/schema.json`): a file is often named in a filter and nowhere else, so
/// the rest of the CI not naming it says nothing of whether it still exists.
fn folder_of(pattern: &str) -> Option<&str> {
    let at = pattern.find(['*', '?', '['])?;
    pattern[..at]
        .rsplit_once('/')
        .map(|(folder, _)| folder)
        .filter(|folder| !folder.is_empty())
}

/// Whether `pattern` names a package manager's lockfile (`**/yarn.lock`) and `patterns` name,
/// in the same place, the lockfile of another manager of the same language
/// (`**/pnpm-lock.yaml`; data `lockfiles`): the filter follows a change of manager.
fn another_managers_lockfile(pattern: &str, patterns: &[String]) -> bool {
    let (place, file) = pattern.rsplit_once('/').unwrap_or(("", pattern));
    equivalence::other_lockfiles(file).any(|other| {
        patterns.iter().any(|p| {
            let (p_place, p_file) = p.rsplit_once('/').unwrap_or(("", p));
            p_place == place && p_file == other
        })
    })
}

/// Whether the path filter pattern `pattern` selects the file `path`.
fn path_matches(pattern: &str, path: &str) -> bool {
    pattern == path || glob_match(pattern.as_bytes(), path.as_bytes())
}

fn list(patterns: &[String]) -> String {
    patterns
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the (old) pattern `pattern` is still selected by one of `patterns`, read as globs.
fn matched_by(pattern: &str, patterns: &[String]) -> bool {
    patterns
        .iter()
        .filter(|p| !p.starts_with('!'))
        .any(|glob| glob == pattern || glob_match(glob.as_bytes(), pattern.as_bytes()))
}

/// GitHub filter globs: `*` matches within a path segment, `**` across, `?` one character.
fn glob_match(glob: &[u8], text: &[u8]) -> bool {
    match glob.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) if rest.first() == Some(&b'*') => {
            let rest = &rest[1..];
            (0..=text.len()).any(|i| glob_match(rest, &text[i..]))
        }
        Some((b'*', rest)) => (0..=text.len())
            .take_while(|&i| i == 0 || text[i - 1] != b'/')
            .any(|i| glob_match(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && text[0] != b'/' && glob_match(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob_match(rest, &text[1..]),
    }
}

/// What one version of a workflow tests across its jobs, which run together on the same event:
/// the packages each command selects with `-p` (a package excluded from one job's run and
/// tested by another job's is still tested: `--workspace --exclude x` beside `-p x`), and the
/// checks of its new steps (a step moved to another job still runs).
#[derive(Default)]
struct PackagesTested<'a> {
    selected: HashSet<(&'a str, &'a str)>,
    /// Commands of steps new in this version, in any job of the workflow: where a step moved
    /// to another job now runs.
    added: Vec<&'a model::CommandModel>,
}

impl<'a> PackagesTested<'a> {
    fn of(workflow: &'a FileModel, before: &FileModel) -> Self {
        // New to its job: the job's old version (same id) did not have the step.
        let added = workflow
            .jobs
            .iter()
            .flat_map(|job| {
                let existed: HashSet<&str> = before
                    .job(&job.id)
                    .map(|old| old.steps.iter().map(|s| s.content.as_str()).collect())
                    .unwrap_or_default();
                job.steps
                    .iter()
                    .filter(move |step| !existed.contains(step.content.as_str()))
            })
            .flat_map(|step| &step.commands)
            .filter(|command| command.quality)
            .collect();
        let selected = workflow
            .jobs
            .iter()
            .flat_map(|job| &job.steps)
            .flat_map(|step| &step.commands)
            .flat_map(|command| {
                command
                    .flags
                    .iter()
                    .filter_map(|flag| flag.strip_prefix("-p "))
                    .map(|package| (command.key.as_str(), package))
            })
            .collect();
        PackagesTested { selected, added }
    }

    /// Whether a run of command `key` in the workflow selects `package`.
    fn contains(&self, key: &str, package: &str) -> bool {
        self.selected.contains(&(key, package))
    }
}

fn compare_jobs(
    old: &JobModel,
    new: &JobModel,
    pool: &[&JobModel],
    tested: &PackagesTested,
    renamed: &HashMap<&str, &str>,
    new_ids: &HashSet<&str>,
    sink: &mut Sink,
) {
    // A variable that made a gate strict (`RUSTFLAGS: -Dwarnings`), unset or weakened at the
    // workflow or job level: checked before the job's own text, which may not have changed.
    for rule in &equivalence::knowledge().env {
        let Some((was, before)) = old.env.get(&rule.input) else {
            continue;
        };
        if rule.is_off(Some(was)) {
            continue;
        }
        // A job that runs none of the programs reading the variable (`npm run build` beside a
        // workflow-wide `RUSTFLAGS`) lost nothing by it.
        if !may_read_env(old, &rule.programs) {
            continue;
        }
        let now = new.env.get(&rule.input);
        if now.is_none_or(|(is, _)| rule.is_off(Some(is))) {
            let is = now.map_or("(unset)", |(is, _)| is.as_str());
            sink.push(
                Kind::GateWeakened,
                rule.input.clone(),
                format!(
                    "job `{}` sets `{}: {is}` instead of `{was}`: what failed the job before may now pass",
                    new.id, rule.input
                ),
                Some(before),
                Some(now.map_or(&new.location, |(_, at)| at)),
            );
        }
    }
    if old.content == new.content {
        return;
    }
    legs_weakened(old, new, sink);
    let job = &new.id;
    // Runner and container.
    match (&old.runner, &new.runner) {
        (Some((was, before)), Some((is, after))) if was != is => {
            let loosened = version::of_runner(was)
                .zip(version::of_runner(is))
                .filter(|(w, i)| i < w);
            match loosened {
                Some((w, i)) => sink.push(
                    Kind::VersionLoosened,
                    is.clone(),
                    format!(
                        "job `{job}` runs on `{is}` ({}) instead of `{was}` ({})",
                        i.describe(),
                        w.describe()
                    ),
                    Some(before),
                    Some(after),
                ),
                None => sink.push(
                    Kind::RunnerChanged,
                    job.clone(),
                    format!("job `{job}` runs on `{is}` instead of `{was}`"),
                    Some(before),
                    Some(after),
                ),
            }
        }
        _ => {}
    }
    match (&old.container, &new.container) {
        (Some((was, before)), Some((is, after))) if was != is => {
            let (w, i) = (version::of_image(was), version::of_image(is));
            if i < w && same_image(was, is) {
                sink.push(
                    Kind::VersionLoosened,
                    is.clone(),
                    format!(
                        "job `{job}` runs in `{is}` ({}) instead of `{was}` ({})",
                        i.describe(),
                        w.describe()
                    ),
                    Some(before),
                    Some(after),
                );
            } else {
                sink.push(
                    Kind::ContainerChanged,
                    job.clone(),
                    format!("job `{job}` runs in `{is}` instead of `{was}`"),
                    Some(before),
                    Some(after),
                );
            }
        }
        (Some((was, before)), None) => sink.push(
            Kind::ContainerChanged,
            job.clone(),
            format!("job `{job}` no longer runs in the container `{was}`"),
            Some(before),
            Some(&new.location),
        ),
        _ => {}
    }
    // Matrix.
    let matrix_before = old.matrix_location.as_ref().unwrap_or(&old.location);
    let matrix_after = new.matrix_location.as_ref().unwrap_or(&new.location);
    match (&old.matrix, &new.matrix) {
        (Matrix::Combinations(was), Matrix::Combinations(is)) => {
            // Legs that pass options through an environment variable they name
            // (`${{ env[matrix.target.options] }}`), compared by the options too: a leg whose
            // options the new legs still pass is kept.
            let value_of = |job: &JobModel| {
                let env = job.env.clone();
                move |name: &str| env.get(name).map(|(value, _)| value.clone())
            };
            let resolved = legs::resolve_env_names(was, &old.content, value_of(old))
                .zip(legs::resolve_env_names(is, &new.content, value_of(new)))
                .map(|(was, is)| legs::match_legs(&was, &is));
            let fates = legs::match_legs(was, is)
                .into_iter()
                .enumerate()
                .map(|(i, fate)| match (fate, resolved.as_ref().and_then(|r| r.get(i))) {
                    (Leg::Lost, Some(Leg::Kept)) => Leg::Kept,
                    (fate, _) => fate,
                });
            for (combination, fate) in was.iter().zip(fates) {
                match fate {
                    Leg::Kept => {}
                    // The same leg on the same platform with values edited (a version bumped,
                    // a runner label of the same system, a feature list): what it checks may
                    // differ, but it still runs.
                    Leg::Edited(_, edits) => {
                        let edited = edits
                            .iter()
                            .map(|(key, from, to)| {
                                let shown = |v: &str| if v.is_empty() { "\"\"".to_string() } else { v.to_string() };
                                format!("`{key}: {}` instead of `{}`", shown(to), shown(from))
                            })
                            .collect::<Vec<_>>()
                            .join(", ");
                        sink.push(
                            Kind::MatrixChanged,
                            describe(combination),
                            format!(
                                "job `{job}` runs the matrix combination {{{}}} with {edited}",
                                describe(combination)
                            ),
                            Some(matrix_before),
                            Some(matrix_after),
                        );
                    }
                    // A leg of a job that only builds what it publishes checked nothing.
                    Leg::Lost if publishes_only(old) => sink.push(
                        Kind::MatrixChanged,
                        describe(combination),
                        format!(
                            "job `{job}` no longer runs the matrix combination {{{}}}; the job publishes and runs no check",
                            describe(combination)
                        ),
                        Some(matrix_before),
                        Some(matrix_after),
                    ),
                    Leg::Lost => match sink.cargo.fate(combination, is) {
                        features::Fate::Lost => sink.push(
                            Kind::MatrixCombinationRemoved,
                            describe(combination),
                            format!(
                                "job `{job}` no longer runs the matrix combination {{{}}}",
                                describe(combination)
                            ),
                            Some(matrix_before),
                            Some(matrix_after),
                        ),
                        // The code no longer has what the leg built.
                        features::Fate::Deleted => {}
                        features::Fate::Undecided => sink.push_review(
                            Kind::MatrixCombinationRemoved,
                            describe(combination),
                            format!(
                                "job `{job}` no longer runs the matrix combination {{{}}}, whose Cargo features the new version's CI passes nowhere; this revision holds no Cargo.toml to tell whether the code deleted them (no loss) or still has them (a loss)",
                                describe(combination)
                            ),
                            Some(matrix_before),
                            Some(matrix_after),
                        ),
                    },
                }
            }
        }
        (was, is) if was != is => sink.push(
            Kind::MatrixChanged,
            job.clone(),
            format!(
                "the matrix of job `{job}` changed and cannot be expanded statically: check it runs the same combinations"
            ),
            Some(matrix_before),
            Some(matrix_after),
        ),
        _ => {}
    }
    compare_failure_settings(
        &format!("job `{job}`"),
        job,
        (&old.continue_on_error, &new.continue_on_error),
        (&old.condition, &new.condition),
        (&old.location, &new.location),
        sink,
    );
    // Needs.
    let needs_now: HashSet<&str> = new.needs.iter().map(String::as_str).collect();
    for need in &old.needs {
        let mapped = renamed.get(need.as_str()).copied().unwrap_or(need.as_str());
        if !needs_now.contains(mapped) && new_ids.contains(mapped) {
            sink.push(
                Kind::NeedsRemoved,
                job.clone(),
                format!("job `{job}` no longer waits for `{mapped}`: it may run even when `{mapped}` fails"),
                Some(&old.location),
                Some(&new.location),
            );
        }
    }
    // Reusable workflow call.
    match (&old.uses, &new.uses) {
        (Some((was, before)), Some((is, after))) if was != is => {
            uses_changed(&format!("job `{job}`"), was, is, before, after, sink)
        }
        (Some((was, before)), None) => sink.push(
            Kind::CallChanged,
            job.clone(),
            format!("job `{job}` no longer calls `{was}`"),
            Some(before),
            Some(&new.location),
        ),
        _ => {}
    }
    if old.uses.is_some() && new.uses.is_some() && old.call_with != new.call_with {
        sink.push(
            Kind::CallChanged,
            job.clone(),
            format!("job `{job}` calls its workflow with other inputs"),
            Some(&old.location),
            Some(&new.location),
        );
    }
    compare_steps(old, new, pool, tested, sink);
}

/// Whether `flag`, a flag that turns warnings into errors (`-D warnings`), dropped from a
/// command of `step` is still in force because the step's script fails on any warning in the
/// output it saved (`… | tee log` then `! grep -q '^warning' log`, or `grep … && exit 1`).
fn fails_on_warnings(flag: &str, step: &StepModel) -> bool {
    if equivalence::canonical_flag(flag) != "-D warnings" {
        return false;
    }
    let Some(run) = step.run.as_deref() else {
        return false;
    };
    // The script's whitespace is folded: its lines are one.
    let greps_warnings = run.contains("grep") && run.to_ascii_lowercase().contains("warning");
    greps_warnings
        && ["! grep", "then exit 1", "&& exit 1", "&& false"]
            .iter()
            .any(|fails| run.contains(fails))
}

/// Whether a step of `job` may run one of `programs` (all programs when none is listed): it runs
/// one, or runs what guard cannot see into (a repository script or task, an action that is not
/// a setup or cache action).
fn may_read_env(job: &JobModel, programs: &[String]) -> bool {
    if programs.is_empty() {
        return true;
    }
    job.uses.is_some()
        || job.steps.iter().any(|step| {
            step.uses.as_ref().is_some_and(|(uses, _)| {
                let target = version::uses_target(uses);
                !equivalence::is_setup_action(target) && !equivalence::is_cache_action(target)
            }) || step.commands.iter().any(|command| {
                let program = command.key.split(' ').next().unwrap_or("");
                programs.iter().any(|p| p == program) || runs_repository_entry_point(&command.text)
            })
        })
}

/// Matrix legs that set a variable named like a strict gate's (`rustflags: ""` beside a
/// workflow's `RUSTFLAGS: -Dwarnings`) to a value that turns it off, where no old leg did: the
/// leg overrides the gate (warnings no longer fail it).
fn legs_weakened(old: &JobModel, new: &JobModel, sink: &mut Sink) {
    let (Matrix::Combinations(was), Matrix::Combinations(is)) = (&old.matrix, &new.matrix) else {
        return;
    };
    for rule in &equivalence::knowledge().env {
        if !may_read_env(new, &rule.programs) {
            continue;
        }
        let Some((strict, before)) = old.env.get(&rule.input) else {
            continue;
        };
        if rule.is_off(Some(strict)) {
            continue;
        }
        fn find_off<'c>(
            combination: &'c Combination,
            rule: &equivalence::InputRule,
        ) -> Option<(&'c String, &'c String)> {
            combination.iter().find(|(key, value)| {
                key.eq_ignore_ascii_case(&rule.input)
                    && rule.is_off(Some(
                        &serde_json::from_str::<String>(value)
                            .unwrap_or_else(|_| value.to_string()),
                    ))
            })
        }
        let off = |combination| find_off(combination, rule);
        if was.iter().any(|c| off(c).is_some()) {
            continue;
        }
        // One change, one finding: a value every leg takes (`rustflags: [""]`) is named once,
        // with the legs it weakens.
        let weakened: Vec<(&Combination, (&String, &String))> = is
            .iter()
            .filter_map(|combination| off(combination).map(|found| (combination, found)))
            .collect();
        let Some((first, (key, value))) = weakened.first().copied() else {
            continue;
        };
        let legs = if weakened.len() == 1 {
            format!("the matrix combination {{{}}}", describe(first))
        } else {
            let all: Vec<String> = weakened
                .iter()
                .map(|(combination, _)| format!("{{{}}}", describe(combination)))
                .collect();
            format!("{} matrix combinations ({})", all.len(), all.join(", "))
        };
        sink.push(
            Kind::GateWeakened,
            describe(first),
            format!(
                "job `{}` runs {legs}, whose `{key}: {value}` overrides `{}: {strict}`: what failed the leg before may now pass",
                new.id, rule.input
            ),
            Some(before),
            Some(new.matrix_location.as_ref().unwrap_or(&new.location)),
        );
    }
}

fn same_image(a: &str, b: &str) -> bool {
    let name = |image: &str| {
        let image = image.split('@').next().unwrap_or(image);
        match image.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => name.to_string(),
            _ => image.to_string(),
        }
    };
    name(a) == name(b)
}

fn uses_changed(
    what: &str,
    was: &str,
    is: &str,
    before: &Location,
    after: &Location,
    sink: &mut Sink,
) {
    let target = version::uses_target(is);
    if version::uses_target(was) != target {
        sink.push(
            Kind::CallChanged,
            target.to_string(),
            format!("{what} uses `{is}` instead of `{was}`"),
            Some(before),
            Some(after),
        );
        return;
    }
    if let (Some(w), Some(i)) = (version::of_uses(was), version::of_uses(is)) {
        if i < w {
            sink.push(
                Kind::VersionLoosened,
                target.to_string(),
                format!(
                    "{what} now uses `{is}` ({}) instead of `{was}` ({})",
                    i.describe(),
                    w.describe()
                ),
                Some(before),
                Some(after),
            );
        }
    }
}

/// `continue-on-error` and where it is written.
type FailureSetting = (Toggle, Option<Location>);
/// An `if:` and where it is written.
type Condition = Option<(String, Location)>;
/// The keys by which a pass pairs steps: an old step pairs with a new one sharing a key.
type StepKeys = dyn for<'s> Fn(&'s StepModel) -> Vec<&'s str>;

/// New commands of one program compared flag by flag with an old one, at most.
const MAX_FLAG_CANDIDATES: usize = 64;

/// The new step paired with each old one, pass by pass: the same `id`, the same content, the
/// same `name`, the same action, then a shared command. Each old step takes the first new step
/// not taken yet that shares a key.
fn pair_steps(old: &[StepModel], new: &[StepModel]) -> Vec<Option<usize>> {
    let passes: [&StepKeys; 5] = [
        &|s| s.id.iter().map(String::as_str).collect(),
        &|s| vec![s.content.as_str()],
        &|s| s.name.iter().map(String::as_str).collect(),
        &|s| {
            s.uses
                .iter()
                .map(|(uses, _)| version::uses_target(uses))
                .collect()
        },
        &|s| match s.run {
            Some(_) => s.commands.iter().map(|c| c.runs.as_str()).collect(),
            None => Vec::new(),
        },
    ];
    let mut taken = vec![false; new.len()];
    let mut partner: Vec<Option<usize>> = vec![None; old.len()];
    for keys in passes {
        let mut index = FirstFree::new(
            new.iter()
                .enumerate()
                .flat_map(|(j, step)| keys(step).into_iter().map(move |key| (j, key))),
        );
        for (i, step) in old.iter().enumerate() {
            if partner[i].is_some() {
                continue;
            }
            let first = keys(step)
                .into_iter()
                .filter_map(|key| index.first(key, &taken))
                .min();
            if let Some(j) = first {
                taken[j] = true;
                partner[i] = Some(j);
            }
        }
    }
    partner
}

fn compare_failure_settings(
    what: &str,
    subject: &str,
    continue_on_error: (&FailureSetting, &FailureSetting),
    condition: (&Condition, &Condition),
    at: (&Location, &Location),
    sink: &mut Sink,
) {
    let (was, is) = continue_on_error;
    let after = is.1.as_ref().unwrap_or(at.1);
    let before = was.1.as_ref().unwrap_or(at.0);
    match (&was.0, &is.0) {
        (Toggle::Off | Toggle::Expression(_), Toggle::On) => sink.push(
            Kind::ContinueOnErrorAdded,
            subject,
            format!(
                "{what} now sets `continue-on-error: true`: its failures no longer fail the run"
            ),
            Some(before),
            Some(after),
        ),
        (Toggle::Off, Toggle::Expression(e)) => sink.push(
            Kind::ConditionChanged,
            subject,
            format!("{what} now sets `continue-on-error: {e}`: check which runs may fail unseen"),
            Some(before),
            Some(after),
        ),
        (Toggle::Expression(a), Toggle::Expression(b)) if a != b => sink.push(
            Kind::ConditionChanged,
            subject,
            format!("{what}: `continue-on-error` changed from `{a}` to `{b}`"),
            Some(before),
            Some(after),
        ),
        _ => {}
    }
    let (was, is) = condition;
    if let Some((text, after)) = is {
        let before = was.as_ref().map_or(at.0, |w| &w.1);
        let was_text = was.as_ref().map(|w| w.0.as_str());
        if always_false(text) && !was_text.is_some_and(always_false) {
            sink.push(
                Kind::IfFalseAdded,
                subject,
                format!("{what} now has `if: {text}`: it never runs"),
                Some(before),
                Some(after),
            );
        } else if was_text != Some(text.as_str()) && !always_false(text) {
            let message = match was_text {
                Some(old) => format!("{what}: `if:` changed from `{old}` to `{text}`"),
                None => format!("{what} now runs only `if: {text}`"),
            };
            sink.push(
                Kind::ConditionChanged,
                subject,
                message,
                Some(before),
                Some(after),
            );
        }
    }
}

/// What a removed step weighs.
enum Weight {
    /// It runs a test, lint, build or check: removing it is a loss.
    Checks,
    /// Guard cannot tell (an unknown action or script): a change to review.
    Unknown,
    /// It prepares (checks out, installs, authenticates, prints): nothing is lost.
    Nothing,
}

fn weight(step: &StepModel) -> Weight {
    if let Some((uses, _)) = &step.uses {
        let target = version::uses_target(uses);
        return if equivalence::is_setup_action(target) {
            Weight::Nothing
        } else if equivalence::action_checks(target) {
            Weight::Checks
        } else {
            Weight::Unknown
        };
    }
    let mut unknown = false;
    for command in &step.commands {
        if command.quality {
            return Weight::Checks;
        }
        if prepares(command) {
            continue;
        }
        // A script named for what it checks (`./tools/lint.js`, `setup.ts --check`).
        if equivalence::script_names_check(&command.text) {
            return Weight::Checks;
        }
        unknown = true;
    }
    if unknown {
        Weight::Unknown
    } else {
        Weight::Nothing
    }
}

/// Whether a command only prepares or reports: a shell built-in, or an installer.
fn prepares(command: &model::CommandModel) -> bool {
    let program = command.key.split(' ').next().unwrap_or("");
    !command.quality
        && (command.key.is_empty()
            || TRIVIAL.contains(&program)
            || equivalence::is_setup_command(&command.key))
}

/// Whether `new` runs what `old` ran: the same command with every word of `old` (flags,
/// packages, paths), and maybe more flags and paths. Another bare word may be a subcommand
/// (`cargo vet` → `cargo vet suggest`, which reports and never fails): not the same command.
fn runs_as_much(old: &model::CommandModel, new: &model::CommandModel) -> bool {
    // The tool's words: `uvx ruff check .` and `uv run ruff check .` run the same, as do
    // `yarn build` and `pnpm run build`, and `npx prettier@3.9.0` runs prettier.
    let tool_words = |text: &str| -> HashSet<String> {
        let words: Vec<&str> = text.split(' ').collect();
        model::what_runs(&words).1.into_iter().collect()
    };
    let had = tool_words(&old.text);
    let has = tool_words(&new.text);
    // A word missing as written may be the value of a flag still passed in another form
    // (`--features a` within `--features b,a`).
    let passed_as_flag = |word: &str| {
        old.flags.iter().any(|f| {
            (f == word
                || f.split_once(' ').is_some_and(|(name, value)| {
                    name == word
                        || value == word
                        || word.strip_suffix(value).is_some_and(|w| w.ends_with('='))
                }))
                && equivalence::still_passed(f, &new.flags)
        })
    };
    // A word added as a flag's value (`tls` of `--features tls`) is no subcommand.
    let flag_value = |word: &str| {
        new.flags
            .iter()
            .any(|f| f.split_once(' ').is_some_and(|(_, v)| v == word))
    };
    old.runs == new.runs
        && had.iter().all(|w| has.contains(w) || passed_as_flag(w))
        && has
            .iter()
            .filter(|w| !had.contains(*w))
            .all(|w| w.starts_with('-') || w.contains(['/', '=', '$']) || flag_value(w))
}

/// The `profile.<name>.<key>=<value>` setting `old` passes with `--config` (cargo's option to
/// override a configuration value) and the profile `new` builds with instead, when `new` no
/// longer passes the setting and names another profile (`--profile`, or `--cargo-profile` of
/// cargo-nextest).
fn profile_setting_moved(
    old: &model::CommandModel,
    new: &model::CommandModel,
) -> Option<(String, String)> {
    let value_of = |text: &str, names: &[&str]| -> Vec<String> {
        let words: Vec<&str> = text.split(' ').collect();
        words
            .iter()
            .enumerate()
            .filter_map(|(i, word)| {
                names.iter().find_map(|name| {
                    if word == name {
                        words.get(i + 1).map(|v| v.to_string())
                    } else {
                        word.strip_prefix(name)
                            .and_then(|rest| rest.strip_prefix('='))
                            .map(str::to_string)
                    }
                })
            })
            // The shell's quotes around the whole value, not those inside it.
            .map(|v| {
                let quoted = |q: char| v.len() > 1 && v.starts_with(q) && v.ends_with(q);
                match ['\'', '"'].into_iter().find(|q| quoted(*q)) {
                    Some(_) => v[1..v.len() - 1].to_string(),
                    None => v,
                }
            })
            .collect()
    };
    const PROFILE: &[&str] = &["--profile", "--cargo-profile"];
    let settings = value_of(&old.text, &["--config"]);
    let setting = settings
        .iter()
        .find(|s| s.starts_with("profile.") && !value_of(&new.text, &["--config"]).contains(s))?;
    let was = value_of(&old.text, PROFILE);
    let is = value_of(&new.text, PROFILE);
    let profile = is.into_iter().find(|p| !was.contains(p))?;
    Some((setting.clone(), profile))
}

/// Whether `new` holds a whole-word matrix expression `old` does not (`${{ matrix.args }}`),
/// which may stand for flags.
fn holds_matrix_words(new: &model::CommandModel, old: &model::CommandModel) -> bool {
    new.text
        .split(' ')
        .zip(new.text.split(' ').skip(1))
        .any(|(open, path)| {
            open == "${{" && path.starts_with("matrix.") && !old.text.contains(path)
        })
}

/// Whether `old`, a command that only compiles its tests (a cache warm-up, `cargo test
/// --no-run`), is covered by `new`, the same command that runs them: compiling is all the
/// warm-up checked, and running the tests compiles them first.
fn builds_what_warm_up_built(old: &model::CommandModel, new: &model::CommandModel) -> bool {
    old.runs == new.runs
        && equivalence::compiles_only(&old.flags)
        && !equivalence::compiles_only(&new.flags)
}

/// Whether a build a removed step ran is built again by a command of the job that builds the
/// same first and then runs it ([`equivalence::run_that_builds`]: a `cargo build --example x`
/// warm-up before `cargo run --example x`).
enum BuiltByRun {
    /// A run passes every flag the build passed and selects no less.
    Yes,
    /// A run would, if a value it takes from a shell variable is the one built (`--example
    /// $name` in a loop): the run named.
    Maybe(String),
    No,
}

fn built_by_run(
    old: &model::CommandModel,
    commands_now: &HashMap<&str, Vec<&model::CommandModel>>,
) -> BuiltByRun {
    let Some(runs) = equivalence::run_that_builds(&old.runs) else {
        return BuiltByRun::No;
    };
    let tool_words = |text: &str| -> Vec<String> {
        let words: Vec<&str> = text.split(' ').collect();
        model::what_runs(&words).1
    };
    let own: Vec<&str> = old.runs.split(' ').collect();
    let mut found = BuiltByRun::No;
    for run in commands_now.get(runs).into_iter().flatten() {
        // Targets named by bare words (`--example name`): the run must name them too.
        let has = tool_words(&run.text);
        let missing = tool_words(&old.text)
            .into_iter()
            .any(|w| !w.starts_with('-') && !own.contains(&w.as_str()) && !has.contains(&w));
        let from_variable = has.iter().any(|w| w.contains('$'));
        if missing && !from_variable {
            continue;
        }
        let added: Vec<String> = run
            .flags
            .iter()
            .filter(|f| !old.flags.contains(f))
            .cloned()
            .collect();
        let mut variable = false;
        let passes_all = old.flags.iter().all(|flag| {
            if equivalence::still_passed(flag, &run.flags) {
                return true;
            }
            let name = equivalence::flag_name(flag);
            let by_variable = run
                .flags
                .iter()
                .any(|f| equivalence::flag_name(f) == name && f[name.len()..].contains('$'));
            variable |= by_variable;
            by_variable
        });
        // Selecting flags the build did not pass (`-p one`) build less than it built.
        let narrower = added
            .iter()
            .filter(|f| {
                !old.flags
                    .iter()
                    .any(|o| equivalence::flag_name(o) == equivalence::flag_name(f))
            })
            .any(|f| !equivalence::narrowing_added(&old.flags, std::slice::from_ref(f)).is_empty());
        if !passes_all || narrower {
            continue;
        }
        if !variable && !missing {
            return BuiltByRun::Yes;
        }
        found = BuiltByRun::Maybe(run.text.clone());
    }
    found
}

/// Why a removed step that checks is a change to review rather than a loss, if it is one:
/// - a build the job runs again through a command that builds first and takes its target
///   from a shell variable ([`built_by_run`]);
/// - the job publishes and runs no check, and the step only builds (what it publishes) or
///   checks by its name alone (a script named `check_tag.py`);
/// - the step checks by its name alone, and a new step between the same neighbours checks
///   too (a tag-check script replaced by a tag-check action): guard cannot compare two checks
///   it knows only by name.
fn removal_undecided(
    step: &StepModel,
    old: &JobModel,
    new: &JobModel,
    partner: &[Option<usize>],
    index: usize,
    commands_now: &HashMap<&str, Vec<&model::CommandModel>>,
) -> Option<String> {
    if !matches!(weight(step), Weight::Checks) {
        return None;
    }
    let checking: Vec<&model::CommandModel> =
        step.commands.iter().filter(|c| !prepares(c)).collect();
    let maybe_built: Vec<String> = checking
        .iter()
        .filter_map(|c| match built_by_run(c, commands_now) {
            BuiltByRun::Maybe(run) => Some(run),
            _ => None,
        })
        .collect();
    if !maybe_built.is_empty()
        && checking
            .iter()
            .all(|c| !c.quality || !matches!(built_by_run(c, commands_now), BuiltByRun::No))
    {
        return Some(format!(
            "`{}` builds what it built if it runs the same target: check it does",
            maybe_built.join("`, `")
        ));
    }
    let acts = step
        .uses
        .as_ref()
        .is_some_and(|(uses, _)| equivalence::action_checks(version::uses_target(uses)));
    let named_only = !acts && step.commands.iter().all(|c| !c.quality);
    let builds_only = !acts
        && step.commands.iter().any(|c| c.quality)
        && step
            .commands
            .iter()
            .all(|c| !c.quality || c.key.ends_with(" build"));
    if (named_only || builds_only) && publishes_only(old) && publishes_only(new) {
        return Some(
            "the job publishes and runs no check: what the step built or checked by its name is what the job publishes"
                .to_string(),
        );
    }
    if !named_only {
        return None;
    }
    let paired: HashSet<usize> = partner.iter().flatten().copied().collect();
    let from = partner[..index]
        .iter()
        .rev()
        .flatten()
        .next()
        .map_or(0, |j| j + 1);
    let to = partner[index + 1..]
        .iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or(new.steps.len());
    let replaced_by = new
        .steps
        .get(from..to.max(from))
        .unwrap_or_default()
        .iter()
        .enumerate()
        .find(|(offset, now)| {
            !paired.contains(&(from + offset)) && matches!(weight(now), Weight::Checks)
        })
        .map(|(_, now)| now.label.clone())?;
    Some(format!(
        "step `{replaced_by}` in its place checks too: guard knows neither check but by its name, so check it checks as much"
    ))
}

/// Programs that prepare or report rather than check: dropping them is not worth a review.
const TRIVIAL: &[&str] = &[
    "echo", "printf", "cd", "pwd", "ls", "cat", "mkdir", "rm", "cp", "mv", "export", "set", "true",
    ":", "sleep", "source", ".", "exit", "test", "[", "[[", "which", "env", "tee", "chmod",
    "touch", "shopt", "unset", "date", "df", "du", "git", "curl", "wget", "tar",
];

fn compare_steps(
    old: &JobModel,
    new: &JobModel,
    pool: &[&JobModel],
    tested: &PackagesTested,
    sink: &mut Sink,
) {
    let job = &new.id;
    let partner = pair_steps(&old.steps, &new.steps);
    let pool_steps: Vec<&StepModel> = pool.iter().flat_map(|j| &j.steps).collect();
    let everywhere: Vec<&StepModel> = new.steps.iter().chain(pool_steps.iter().copied()).collect();
    let contents_now: HashSet<&str> = everywhere.iter().map(|s| s.content.as_str()).collect();
    let mut commands_now: HashMap<&str, Vec<&model::CommandModel>> = HashMap::new();
    let mut texts_now: HashSet<&str> = HashSet::new();
    for command in everywhere.iter().flat_map(|s| &s.commands) {
        commands_now.entry(&command.runs).or_default().push(command);
        texts_now.insert(&command.text);
    }
    let pool_names: HashSet<&str> = pool_steps
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    // The job loses caching when no step of it (or of the jobs split off it) caches any more.
    let caching_lost = !new.steps.iter().any(|s| s.caches) && !pool_steps.iter().any(|s| s.caches);
    let mut cache_reported = false;
    let entry_point = std::cell::OnceCell::new();
    let mut removed_steps: HashSet<usize> = HashSet::new();
    let mut caches_of_removed_steps: HashSet<usize> = HashSet::new();
    // Steps read from a local action the new job still uses are compared in the action's own
    // file: reporting them here too would report one change in every job that uses it.
    let still_used = |step: &StepModel| {
        step.inlined_from.as_deref().is_some_and(|from| {
            let uses_it = |uses: &str| {
                inline::local_key(uses)
                    .is_some_and(|key| from == key || from.starts_with(&format!("{key}/")))
            };
            new.uses.as_ref().is_some_and(|(u, _)| uses_it(u))
                || new
                    .steps
                    .iter()
                    .filter_map(|s| s.uses.as_ref())
                    .any(|(u, _)| uses_it(u))
        })
    };
    for (i, step) in old.steps.iter().enumerate() {
        let Some(j) = partner[i] else {
            if still_used(step) {
                removed_steps.insert(i);
                continue;
            }
            // Moved to a job split off this one, or merged into other steps that run the same
            // commands (with more arguments, perhaps).
            let moved = contents_now.contains(step.content.as_str())
                || step.name.as_deref().is_some_and(|n| pool_names.contains(n));
            // Or moved to another job of the workflow, where it is a new step.
            let merged = !step.commands.is_empty()
                && step.commands.iter().all(|c| {
                    prepares(c)
                        || commands_now.get(c.runs.as_str()).is_some_and(|now| {
                            now.iter()
                                .any(|d| runs_as_much(c, d) || builds_what_warm_up_built(c, d))
                        })
                        || tested.added.iter().any(|d| runs_as_much(c, d))
                        || matches!(built_by_run(c, &commands_now), BuiltByRun::Yes)
                });
            // The job still caches with another step (per-path caches merged into one).
            let cache_replaced = step.caches && !caching_lost;
            if moved || merged || cache_replaced {
                continue;
            }
            // A cache of files only removed steps wrote or read (a report kept between runs
            // to compare with) goes with them: those steps are reported on their own.
            if step.caches
                && caching_lost
                && caches_only_what_removed_steps_used(step, old, new, &partner)
            {
                removed_steps.insert(i);
                caches_of_removed_steps.insert(i);
                continue;
            }
            if step.caches && caching_lost && !cache_reported {
                // One change, one finding: what no longer runs is the caching.
                removed_steps.insert(i);
                cache_reported = true;
                sink.push(
                    Kind::CacheRemoved,
                    job.clone(),
                    format!(
                        "step `{}` of job `{job}` was removed: the job no longer caches",
                        step.label
                    ),
                    Some(&step.location),
                    Some(&new.location),
                );
                continue;
            }
            removed_steps.insert(i);
            if let Some(foreign) = foreign_checkout_built(step, old) {
                sink.push(
                    Kind::ScriptChanged,
                    step.label.clone(),
                    format!(
                        "step `{}` of job `{job}` was removed; it ran in `{}`, a checkout of another repository ({}): it built or checked that code, not this repository's",
                        step.label, foreign.0, foreign.1
                    ),
                    Some(&step.location),
                    Some(&new.location),
                );
                continue;
            }
            if let Some(why) = removal_undecided(step, old, new, &partner, i, &commands_now) {
                sink.push(
                    Kind::ScriptChanged,
                    step.label.clone(),
                    format!("step `{}` of job `{job}` was removed; {why}", step.label),
                    Some(&step.location),
                    Some(&new.location),
                );
                continue;
            }
            // A step that worked in a folder the new version no longer holds went with it.
            if let Some(folder) = step
                .working_directory
                .as_deref()
                .filter(|_| matches!(weight(step), Weight::Checks))
            {
                match folder_gone(sink.versions, folder) {
                    Some(true) => continue,
                    Some(false) => {}
                    None => {
                        sink.push_review(
                            Kind::StepRemoved,
                            step.label.clone(),
                            format!(
                                "step `{}` of job `{job}` was removed; it ran in `{folder}`, which the new version's CI names nowhere: the folder was deleted or moved (no loss), or kept (a loss); this revision holds no code to tell which",
                                step.label
                            ),
                            Some(&step.location),
                            Some(&new.location),
                        );
                        continue;
                    }
                }
            }
            match weight(step) {
                Weight::Checks => {
                    // Which entry point may stand for the removed checks is the same for every
                    // step of the job: looked for once, at the first removed check.
                    match *entry_point.get_or_init(|| undecided_entry_point(old, new, sink)) {
                        Some(entry) => sink.push_review(
                            Kind::StepRemoved,
                            step.label.clone(),
                            format!(
                                "step `{}` of job `{job}` was removed; the job now runs `{}`, whose contents this revision does not hold: check it runs as much",
                                step.label, entry.text
                            ),
                            Some(&step.location),
                            Some(&entry.location),
                        ),
                        None => sink.push(
                            Kind::StepRemoved,
                            step.label.clone(),
                            format!("step `{}` of job `{job}` was removed", step.label),
                            Some(&step.location),
                            Some(&new.location),
                        ),
                    }
                }
                Weight::Unknown => sink.push(
                    if step.uses.is_some() {
                        Kind::CallChanged
                    } else {
                        Kind::ScriptChanged
                    },
                    step.label.clone(),
                    format!(
                        "step `{}` of job `{job}` was removed; it runs no known check: make sure it checked nothing",
                        step.label
                    ),
                    Some(&step.location),
                    Some(&new.location),
                ),
                Weight::Nothing => {}
            }
            continue;
        };
        let now = &new.steps[j];
        if step.content == now.content {
            continue;
        }
        let what = format!("step `{}` of job `{job}`", now.label);
        if let (Some((was, before)), Some((is, after))) = (&step.uses, &now.uses) {
            if was != is {
                uses_changed(&format!("job `{job}`"), was, is, before, after, sink);
            }
        }
        for (input, (value, after)) in &now.with {
            let is_version = input.contains("version") || input.starts_with("toolchain");
            let Some((old_value, before)) = step.with.get(input).filter(|_| is_version) else {
                continue;
            };
            let (w, i): (Pin, Pin) = (version::of_version(old_value), version::of_version(value));
            if i < w {
                sink.push(
                    Kind::VersionLoosened,
                    input.clone(),
                    format!(
                        "{what}: `{input}: {value}` ({}) instead of `{old_value}` ({})",
                        i.describe(),
                        w.describe()
                    ),
                    Some(before),
                    Some(after),
                );
            }
        }
        if let Some((uses, _)) = &now.uses {
            for rule in equivalence::input_rules(version::uses_target(uses)) {
                let was = step.with.get(&rule.input);
                let Some((value, after)) = now.with.get(&rule.input) else {
                    continue;
                };
                if rule.is_off(Some(value)) && !rule.is_off(was.map(|w| w.0.as_str())) {
                    let (kind, effect) = if rule.is_cache() {
                        // One change, one finding: the job-level "no longer caches" is this.
                        cache_reported = true;
                        (Kind::CacheRemoved, "it no longer caches")
                    } else {
                        (
                            Kind::GateWeakened,
                            "what failed the job before may now pass",
                        )
                    };
                    let before = was.map_or(&step.location, |w| &w.1);
                    let old_value = was.map_or("(not set)", |w| w.0.as_str());
                    let value = if value.is_empty() {
                        "\"\""
                    } else {
                        value.as_str()
                    };
                    sink.push(
                        kind,
                        rule.input.clone(),
                        format!(
                            "{what} sets `{}: {value}` instead of `{old_value}`: {effect}",
                            rule.input
                        ),
                        Some(before),
                        Some(after),
                    );
                }
            }
        }
        compare_failure_settings(
            &what,
            &now.label,
            (&step.continue_on_error, &now.continue_on_error),
            (&step.condition, &now.condition),
            (&step.location, &now.location),
            sink,
        );
        for command in &step.commands {
            let program = command.key.split(' ').next().unwrap_or("");
            if command.quality || TRIVIAL.contains(&program) || command.key.is_empty() {
                continue;
            }
            if !commands_now.contains_key(command.runs.as_str()) {
                sink.push(
                    Kind::ScriptChanged,
                    command.key.clone(),
                    format!("{what} no longer runs `{}`", command.text),
                    Some(&command.location),
                    Some(&now.location),
                );
            }
        }
    }
    // Quality commands and their flags, across the job (and jobs split off it).
    for (i, step) in old.steps.iter().enumerate() {
        if removed_steps.contains(&i) {
            continue;
        }
        let after = partner[i].map_or(&new.location, |j| &new.steps[j].location);
        for command in step.commands.iter().filter(|c| c.quality) {
            // Bounded: thousands of one command each with other flags would otherwise cost
            // thousands of comparisons for each of them.
            // The same tool running a report or a subcommand it rejects (`cargo vet` →
            // `cargo vet suggest`) is no run of the check.
            let candidates: Vec<&model::CommandModel> = commands_now
                .get(command.runs.as_str())
                .map_or(&[][..], |c| &c[..c.len().min(MAX_FLAG_CANDIDATES)])
                .iter()
                .copied()
                .filter(|d| d.quality || d.key != command.key)
                .collect();
            // A warm-up that only compiled is covered by a run of the same command, whatever
            // it selects: its flags say what to build, not what is checked.
            if candidates
                .iter()
                .any(|d| builds_what_warm_up_built(command, d))
            {
                continue;
            }
            // A script renamed to a variant of itself (`yarn build` → `yarn build:release`):
            // what the new one runs is in the package's manifest, which guard does not read.
            let variant = || {
                commands_now.values().flatten().find(|d| {
                    d.runs
                        .strip_prefix(command.runs.as_str())
                        .is_some_and(|rest| {
                            rest.starts_with([':', '-', '_']) && !rest.contains(' ')
                        })
                })
            };
            // Moved to a job where it is new: it still runs.
            if candidates.is_empty() && tested.added.iter().any(|d| runs_as_much(command, d)) {
                continue;
            }
            if candidates.is_empty() {
                match built_by_run(command, &commands_now) {
                    BuiltByRun::Yes => continue,
                    BuiltByRun::Maybe(run) => {
                        sink.push(
                            Kind::ScriptChanged,
                            command.key.clone(),
                            format!(
                                "job `{job}` no longer runs `{}`; `{run}` builds what it built if it runs the same target: check it does",
                                command.text
                            ),
                            Some(&command.location),
                            Some(after),
                        );
                        continue;
                    }
                    BuiltByRun::No => {}
                }
                if let Some(now) = variant() {
                    sink.push(
                        Kind::ScriptChanged,
                        command.key.clone(),
                        format!(
                            "job `{job}` runs `{}` instead of `{}`: check it runs as much",
                            now.text, command.text
                        ),
                        Some(&command.location),
                        Some(&now.location),
                    );
                    continue;
                }
            }
            if candidates.is_empty() {
                if let Some(entry) = undecided_entry_point(old, new, sink) {
                    sink.push_review(
                        Kind::CommandRemoved,
                        command.key.clone(),
                        format!(
                            "job `{job}` no longer runs `{}`; it now runs `{}`, whose contents this revision does not hold: check it runs as much",
                            command.text, entry.text
                        ),
                        Some(&command.location),
                        Some(&entry.location),
                    );
                    continue;
                }
            }
            let Some(best) = candidates.iter().max_by_key(|d| {
                // The same packages first: they say which run of the command it is.
                let packages = |flags: &[String]| -> Vec<String> {
                    flags
                        .iter()
                        .filter(|f| f.starts_with("-p "))
                        .cloned()
                        .collect()
                };
                let same_packages = packages(&command.flags) == packages(&d.flags);
                let shared = command.flags.iter().filter(|f| d.flags.contains(f)).count();
                // Then the flags it still passes in another form (`--profile x` as
                // `--release`), the flags it passes with other values, and the run in the
                // step that is still there: `cargo test --all` edited into `cargo test -p
                // core` is compared with that command, not with a `cargo test -p tokio` beside.
                let passed = command
                    .flags
                    .iter()
                    .filter(|f| equivalence::still_passed(f, &d.flags))
                    .count();
                let named = command
                    .flags
                    .iter()
                    .filter(|f| {
                        let name = equivalence::flag_name(f);
                        d.flags.iter().any(|g| equivalence::flag_name(g) == name)
                    })
                    .count();
                let in_step = partner[i]
                    .is_some_and(|j| new.steps[j].commands.iter().any(|c| std::ptr::eq(c, **d)));
                (same_packages, shared, passed, named, in_step)
            }) else {
                sink.push(
                    Kind::CommandRemoved,
                    command.key.clone(),
                    format!("job `{job}` no longer runs `{}`", command.text),
                    Some(&command.location),
                    Some(after),
                );
                continue;
            };
            // Flags added that make it run less, unless another run of the command runs it
            // without them.
            // A package excluded here and tested by another run in this job or another job
            // of the workflow (`--workspace --exclude x` beside `-p x`) is still tested.
            let selected_elsewhere = |flag: &String| {
                flag.strip_prefix("--exclude ").is_some_and(|package| {
                    tested.contains(&command.key, package)
                        || candidates.iter().any(|c| {
                            c.flags
                                .iter()
                                .any(|f| f.strip_prefix("-p ") == Some(package))
                        })
                })
            };
            let narrowing = |candidate: &model::CommandModel| -> Vec<String> {
                let added: Vec<String> = candidate
                    .flags
                    .iter()
                    .filter(|f| !command.flags.contains(f) && !selected_elsewhere(f))
                    .cloned()
                    .collect();
                equivalence::narrowing_added(&command.flags, &added)
                    .into_iter()
                    .cloned()
                    .collect()
            };
            let added = narrowing(best);
            let narrowed = !added.is_empty() && candidates.iter().all(|c| !narrowing(c).is_empty());
            // A wide flag replaced by a narrower one (`--workspace` → `-p core`) is one change,
            // reported once as the narrowing.
            let narrowed_from = |flag: &String| {
                narrowed
                    && added
                        .iter()
                        .any(|a| equivalence::still_passed(a, std::slice::from_ref(flag)))
            };
            // The step that runs the closest command: its environment and script.
            let best_step = everywhere
                .iter()
                .copied()
                .find(|step| step.commands.iter().any(|c| std::ptr::eq(c, *best)));
            // A package still passed to another run of the same command is still checked:
            // `-p x` is not "no longer passed" because the closest command tests another.
            let still_selected = |flag: &str| {
                flag.starts_with("-p ")
                    && candidates.iter().any(|c| c.flags.iter().any(|f| f == flag))
            };
            for flag in command.flags.iter().filter(|f| {
                !best.flags.contains(f)
                    && !still_selected(f)
                    && !equivalence::still_passed(f, &best.flags)
                    // Dropping `-skip x`, `-k expr` or `--lib` runs more, not less.
                    && !equivalence::narrows(f)
                    && !narrowed_from(f)
                    && !equivalence::passed_by_environment(
                        f,
                        command.key.split(' ').next().unwrap_or(""),
                        best_step.map_or(&new.env, |step| &step.env),
                    )
                    && !best_step.is_some_and(|step| fails_on_warnings(f, step))
            }) {
                let name = equivalence::flag_name(flag);
                // A flag passed several times (`-D warnings -D clippy::x`) is a list: a value
                // missing from it is removed, not replaced by the others.
                let repeated = |flags: &[String]| {
                    flags
                        .iter()
                        .filter(|f| equivalence::flag_name(f) == name)
                        .count()
                        > 1
                };
                let list = repeated(&command.flags) || repeated(&best.flags);
                // A profile setting given on the command line (`--config
                // 'profile.ci.panic="abort"'`) dropped where the command now builds with another
                // profile: that profile is defined in the manifest, which may set it.
                if let Some((setting, profile)) = profile_setting_moved(command, best) {
                    sink.push(
                        Kind::ScriptChanged,
                        flag.clone(),
                        format!(
                            "`{}` in job `{job}` no longer passes `--config {setting}`; it builds with the profile `{profile}` instead, whose settings are in Cargo.toml: check it sets the same",
                            command.key
                        ),
                        Some(&command.location),
                        Some(&best.location),
                    );
                    continue;
                }
                // A list that only lost items (`tox -e py,lint,type` → `-e py`) no longer
                // runs them. (Cargo features and build tags go through the code's fate below.)
                if let Some(missing) = best.flags.iter().find_map(|now| {
                    let selector = matches!(name, "--features" | "-F" | "--tags" | "-tags");
                    (!selector && equivalence::flag_name(now) == name)
                        .then(|| equivalence::list_items_dropped(flag, now))
                        .flatten()
                }) {
                    sink.push(
                        Kind::FlagRemoved,
                        flag.clone(),
                        format!(
                            "`{}` in job `{job}` no longer passes `{name} {missing}`: it runs `{}`",
                            command.key, best.text
                        ),
                        Some(&command.location),
                        Some(&best.location),
                    );
                    continue;
                }
                match best.flags.iter().find(|f| {
                    equivalence::flag_name(f) == name && name != flag.as_str() && !list
                }) {
                    // The same flag with another value (`-fuzztime=5m` → `4m`).
                    Some(now) => sink.push(
                        Kind::ScriptChanged,
                        flag.clone(),
                        format!(
                            "`{}` in job `{job}` passes `{now}` instead of `{flag}`",
                            command.key
                        ),
                        Some(&command.location),
                        Some(&best.location),
                    ),
                    // The command now takes words from the matrix, which may pass the flag
                    // in some legs: guard cannot tell.
                    None if holds_matrix_words(best, command) => sink.push(
                        Kind::ScriptChanged,
                        flag.clone(),
                        format!(
                            "`{}` in job `{job}` may no longer pass `{flag}`: it now takes arguments from the matrix (`{}`)",
                            command.key, best.text
                        ),
                        Some(&command.location),
                        Some(&best.location),
                    ),
                    None => match sink.cargo.selector_fate(flag) {
                        features::Fate::Lost => sink.push(
                            Kind::FlagRemoved,
                            flag.clone(),
                            format!("`{}` in job `{job}` no longer passes `{flag}`", command.key),
                            Some(&command.location),
                            Some(&best.location),
                        ),
                        // The code no longer has the feature it selected.
                        features::Fate::Deleted => {}
                        features::Fate::Undecided => sink.push_review(
                            Kind::FlagRemoved,
                            flag.clone(),
                            format!(
                                "`{}` in job `{job}` no longer passes `{flag}`, which the new version's CI passes nowhere; this revision holds no code to tell whether the code dropped what it selects (no loss) or still has it (a loss)",
                                command.key
                            ),
                            Some(&command.location),
                            Some(&best.location),
                        ),
                    },
                }
            }
            // A selection expression edited (`-m 'not slow'` → `-m 'not slow and not net'`).
            for flag in &command.flags {
                let name = equivalence::flag_name(flag);
                let Some(value) = flag.strip_prefix(name).map(str::trim) else {
                    continue;
                };
                let Some(now) = best.flags.iter().find(|f| {
                    equivalence::is_expression_flag(name)
                        && !value.is_empty()
                        && equivalence::flag_name(f) == name
                        && *f != flag
                        && !command.flags.contains(f)
                }) else {
                    continue;
                };
                let now_value = now[name.len()..].trim();
                match selects_at_least(value, now_value) {
                    Some(true) => {}
                    Some(false) => sink.push(
                        Kind::CommandNarrowed,
                        now.clone(),
                        format!(
                            "`{}` in job `{job}` now passes `{now}` instead of `{flag}`: it selects less than `{}`",
                            command.key, command.text
                        ),
                        Some(&command.location),
                        Some(&best.location),
                    ),
                    None => sink.push(
                        Kind::ScriptChanged,
                        now.clone(),
                        format!(
                            "`{}` in job `{job}` passes `{now}` instead of `{flag}`: check it selects as much",
                            command.key
                        ),
                        Some(&command.location),
                        Some(&best.location),
                    ),
                }
            }
            if narrowed {
                let list = added
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                sink.push(
                    Kind::CommandNarrowed,
                    added.join(" "),
                    format!(
                        "`{}` in job `{job}` now passes {list}: it runs less than `{}`",
                        command.key, command.text
                    ),
                    Some(&command.location),
                    Some(&best.location),
                );
            }
        }
    }
    // Failures swallowed.
    let mut masks_before: HashMap<&str, usize> = HashMap::new();
    for (text, _) in old.steps.iter().flat_map(|s| &s.masks) {
        *masks_before.entry(text.as_str()).or_default() += 1;
    }
    for (text, at) in new.steps.iter().flat_map(|s| &s.masks) {
        // A shell utility let fail (`rm -rf … || true` to free disk space) masks no check.
        if text.contains(" || ") && TRIVIAL.contains(&text.split(' ').next().unwrap_or("")) {
            continue;
        }
        match masks_before.get_mut(text.as_str()) {
            Some(count) if *count > 0 => *count -= 1,
            // A job none of whose steps is a known check (it runs scripts guard cannot read),
            // or one that publishes and only builds what it publishes: what the mask lets pass
            // may check nothing.
            _ if (!job_checks(old) && !job_checks(new))
                || (publishes_only(old) && publishes_only(new)) =>
            {
                sink.push(
                Kind::ScriptChanged,
                text.clone(),
                    format!(
                        "job `{job}` now runs `{text}`: its failure no longer fails the job, which runs no known check: make sure it checked nothing"
                    ),
                    None,
                    Some(at),
                )
            }
            _ => sink.push(
                Kind::FailureMasked,
                text.clone(),
                format!("job `{job}` now runs `{text}`: the failure no longer fails the job"),
                None,
                Some(at),
            ),
        }
    }
    // Caching.
    if let Some((_, cache)) = old
        .steps
        .iter()
        .enumerate()
        .find(|(i, s)| s.caches && !caches_of_removed_steps.contains(i))
    {
        if caching_lost && !cache_reported {
            sink.push(
                Kind::CacheRemoved,
                job.clone(),
                format!("job `{job}` no longer caches (was `{}`)", cache.label),
                Some(&cache.location),
                Some(&new.location),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(b"release/**", b"release/1.0/x"));
        assert!(glob_match(b"release/*", b"release/1.0"));
        assert!(!glob_match(b"release/*", b"release/1.0/x"));
        assert!(glob_match(b"**", b"main"));
        assert!(matched_by("release/*", &["release/**".to_string()]));
    }
}
