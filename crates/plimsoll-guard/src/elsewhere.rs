//! Triggers a workflow loses whose runs another workflow of the new version takes over: coverage
//! is compared across all workflows of both versions, not file by file.
//!
//! Two ways a workflow keeps running on an event it no longer names:
//! - it became a reusable workflow (`on: workflow_call`) and a workflow that runs on that event
//!   calls it (`uses: ./.github/workflows/review.yml`): GitHub runs a called workflow on its
//!   caller's event, so its jobs still run on every pull request the caller runs on;
//! - its jobs run in another workflow that runs on that event (a release workflow for the `1.x`
//!   branch split out of one that ran for `1.x` and now runs for `dev`).
//!
//! The other workflow must select at least what the old trigger selected (every branch, tag and
//! path pattern, no new exclusion): a check moved to a workflow run for fewer branches is still
//! reported.

use std::collections::BTreeMap;

use crate::equivalence;
use crate::inline;
use crate::model::{FileKind, FileModel, JobModel, TriggerModel};

/// Filters that select when a workflow runs: fewer patterns, fewer runs.
const SELECTING: &[&str] = &["branches", "tags", "paths", "types"];
/// Filters that exclude: more patterns, fewer runs.
const EXCLUDING: &[&str] = &["branches-ignore", "tags-ignore", "paths-ignore"];

/// What decides whether runs moved: kept in the comparison, handed in so this module does not
/// depend on it.
pub struct Judge {
    /// Whether a job checks something.
    pub checks: fn(&JobModel) -> bool,
    /// Whether a job of the new version is one of the old version and runs all its checks.
    pub same_job: fn(&JobModel, &JobModel) -> bool,
    /// Whether an old filter pattern is selected by one of the new patterns.
    pub matched_by: fn(&str, &[String]) -> bool,
}

/// Whether the runs of workflow `old` (paired with `new`) on `event`, which `new` no longer
/// names or names for less, are taken over by another workflow of the new version (see the
/// module's documentation).
pub fn runs_taken_over(
    old: &FileModel,
    new: &FileModel,
    event: &str,
    new_models: &BTreeMap<String, FileModel>,
    judge: &Judge,
) -> bool {
    let Some(trigger) = old.triggers.get(event) else {
        return false;
    };
    called_on(new, trigger, new_models, judge)
        || moved_with_jobs(old, new, trigger, new_models, judge)
}

/// Whether `new` is a reusable workflow that a workflow of the new version calls, and that
/// caller runs on `trigger`'s event for at least what `trigger` selected.
fn called_on(
    new: &FileModel,
    trigger: &TriggerModel,
    new_models: &BTreeMap<String, FileModel>,
    judge: &Judge,
) -> bool {
    if !new.triggers.contains_key("workflow_call") {
        return false;
    }
    new_models
        .values()
        .filter(|caller| caller.kind == FileKind::Workflow && caller.key != new.key)
        .filter(|caller| caller.jobs.iter().any(|job| calls(job, &new.key)))
        .any(|caller| runs_for_all_of(caller, trigger, judge))
}

/// Whether `job` calls the reusable workflow at repository path `key`.
fn calls(job: &JobModel, key: &str) -> bool {
    job.uses
        .as_ref()
        .and_then(|(uses, _)| inline::local_key(uses))
        .is_some_and(|called| called == key)
}

/// Whether another workflow of the new version runs on `trigger`'s event for at least what it
/// selected, and holds every job of `old` (every job that checks, when some do): `old`'s runs on
/// that event moved there.
fn moved_with_jobs(
    old: &FileModel,
    new: &FileModel,
    trigger: &TriggerModel,
    new_models: &BTreeMap<String, FileModel>,
    judge: &Judge,
) -> bool {
    let checking: Vec<&JobModel> = old.jobs.iter().filter(|job| (judge.checks)(job)).collect();
    let jobs: Vec<&JobModel> = if checking.is_empty() {
        old.jobs.iter().collect()
    } else {
        checking
    };
    !jobs.is_empty()
        && new_models
            .values()
            .filter(|other| other.kind == FileKind::Workflow && other.key != new.key)
            .filter(|other| runs_for_all_of(other, trigger, judge))
            .any(|other| {
                jobs.iter()
                    .all(|job| other.jobs.iter().any(|there| (judge.same_job)(job, there)))
            })
}

/// Whether `workflow` runs on `trigger`'s event (or one of the same activity) for every branch,
/// tag, path and activity type `trigger` selected, excluding nothing it did not exclude.
fn runs_for_all_of(workflow: &FileModel, trigger: &TriggerModel, judge: &Judge) -> bool {
    selects_all_of(workflow, trigger, judge.matched_by, &[]).is_some()
}

/// `workflow`'s trigger for `trigger`'s event (or one of the same activity) when it selects
/// every branch, tag, path and activity type `trigger` selected, excluding nothing it did not
/// exclude; the filters named in `ignoring` are not compared (the caller weighs them itself).
pub(crate) fn selects_all_of<'w>(
    workflow: &'w FileModel,
    trigger: &TriggerModel,
    matched_by: fn(&str, &[String]) -> bool,
    ignoring: &[&str],
) -> Option<&'w TriggerModel> {
    let event = trigger.event.as_str();
    let theirs = workflow.triggers.get(event).or_else(|| {
        equivalence::same_activity(event).find_map(|other| workflow.triggers.get(other))
    })?;
    let selects = SELECTING
        .iter()
        .filter(|filter| !ignoring.contains(*filter))
        .all(
            |filter| match (trigger.filters.get(*filter), theirs.filters.get(*filter)) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some((before, _)), Some((patterns, _))) => before
                    .iter()
                    .filter(|p| !p.starts_with('!'))
                    .all(|p| matched_by(p, patterns)),
            },
        );
    let excludes_no_more = EXCLUDING.iter().all(|filter| {
        let before: &[String] = trigger.filters.get(*filter).map_or(&[], |f| &f.0);
        theirs
            .filters
            .get(*filter)
            .is_none_or(|(after, _)| after.iter().all(|p| before.contains(p)))
    });
    (selects && excludes_no_more).then_some(theirs)
}
