//! Local composite actions and same-repository reusable workflows, followed: their steps are
//! part of every job that uses them, in both versions, so steps moved into one
//! (`uses: ./.github/actions/setup`, `uses: ./.github/workflows/plan.yml`) are not removed.

use std::collections::BTreeMap;

use crate::model::{FileKind, FileModel, StepModel};
use crate::version;

/// How deep a composite action calling another is followed (GitHub allows 10).
const MAX_DEPTH: usize = 4;

/// `models` with each job's steps followed by the steps of the local actions they use, and a
/// job that calls a reusable workflow of the same repository given that workflow's steps.
pub fn inline_local(models: BTreeMap<String, FileModel>) -> BTreeMap<String, FileModel> {
    let mut out = models.clone();
    for model in out.values_mut().filter(|m| m.kind == FileKind::Workflow) {
        for job in &mut model.jobs {
            let mut steps = Vec::with_capacity(job.steps.len());
            if let Some(called) = job
                .uses
                .as_ref()
                .and_then(|(uses, _)| local_file(&models, uses, FileKind::Workflow))
            {
                for inner in &called.jobs {
                    for step in &inner.steps {
                        push_inlined(&models, step, &called.key, &mut steps, 1);
                    }
                }
            }
            for step in &job.steps {
                steps.push(step.clone());
                expand(&models, step, &mut steps, 1);
            }
            job.steps = steps;
        }
    }
    out
}

/// Append the steps of the local action `step` uses, if any.
fn expand(
    models: &BTreeMap<String, FileModel>,
    step: &StepModel,
    steps: &mut Vec<StepModel>,
    depth: usize,
) {
    let Some(action) = step
        .uses
        .as_ref()
        .and_then(|(uses, _)| local_file(models, uses, FileKind::Action))
    else {
        return;
    };
    for inner in action.jobs.iter().flat_map(|j| &j.steps) {
        push_inlined(models, inner, &action.key, steps, depth);
    }
}

fn push_inlined(
    models: &BTreeMap<String, FileModel>,
    step: &StepModel,
    from: &str,
    steps: &mut Vec<StepModel>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut inlined = step.clone();
    inlined.inlined_from = Some(from.to_string());
    steps.push(inlined);
    expand(models, step, steps, depth + 1);
}

/// The model a local `uses: ./path` names: `path/action.yml` (or `.yaml`) for an action, the
/// file itself for a workflow.
fn local_file<'m>(
    models: &'m BTreeMap<String, FileModel>,
    uses: &str,
    kind: FileKind,
) -> Option<&'m FileModel> {
    let path = local_path(uses)?;
    let found = match kind {
        FileKind::Workflow => models.get(path),
        FileKind::Action => ["action.yml", "action.yaml"]
            .iter()
            .find_map(|name| models.get(&format!("{path}/{name}"))),
    };
    found.filter(|m| m.kind == kind)
}

/// The key of the local action or workflow `uses` names, as [`StepModel::inlined_from`] holds it.
pub fn local_key(uses: &str) -> Option<String> {
    local_path(uses).map(str::to_string)
}

/// The repository path of a local `uses:`: `./path`, or `$/path` (the same repository at the
/// caller's commit).
fn local_path(uses: &str) -> Option<&str> {
    let target = version::uses_target(uses);
    let path = target
        .strip_prefix("./")
        .or_else(|| target.strip_prefix("$/"))?;
    Some(path.trim_end_matches('/'))
}
