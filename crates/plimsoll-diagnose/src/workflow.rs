//! Mapping the failing step to the workflow, and coverage-preserving patches.
//!
//! A patch adds lines (a setup step before the failing one, a toolchain target, a `permissions`
//! scope, a time bound) or changes one value in place (`fixes`: a pinned tool version, a
//! versioned cache key, a `run:` script wrapped in a bounded retry). Nothing is deleted or
//! disabled, no matrix entry is touched, caching stays on, and `continue-on-error` is never
//! added, so every job, step and matrix entry stays in place.

use plimsoll_actions::{Job, Workflow};
use plimsoll_syntax::yaml;
use plimsoll_syntax::LineIndex;
use serde::Serialize;

use crate::analyzer::JobLog;
use crate::diff::{self, Insertion};
use crate::fixes;
pub use crate::fixes::Change;
use crate::flaky;
use crate::jobmap;
use crate::{Analysis, Class, Signatures};

/// The failing step's place in the workflow.
#[derive(Debug, Clone, Serialize)]
pub struct MappedStep {
    /// The job id.
    pub job: String,
    /// How the job was found: `name` (as GitHub shows it, matrix expanded), `steps`, `only job`.
    pub job_matched_by: &'static str,
    /// 0-based index in the job's steps (absent when only the job was found).
    pub step: Option<usize>,
    /// The step's label (name, action or first script line).
    pub label: Option<String>,
    /// 1-based line of the step in the workflow.
    pub line: Option<usize>,
    /// What matched: `name`, `uses`, `script`.
    pub matched_by: Option<&'static str>,
    /// The matrix entry of the failing job, from the values in its name.
    pub matrix_entry: Option<String>,
}

/// What the workflow says about the failure, and the proposed fix.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Plan {
    /// The workflow file.
    pub workflow: String,
    /// Why no plan could be made (the workflow does not parse, …).
    pub error: Option<String>,
    /// Where the failing step is.
    pub mapped: Option<MappedStep>,
    /// The proposed changes.
    pub changes: Vec<Change>,
    /// Every job, step and matrix entry the patch keeps.
    pub preserved: Vec<String>,
    /// The workflow section before the change.
    pub before: Option<String>,
    /// The same section after it.
    pub after: Option<String>,
    /// A unified diff that `git apply` accepts.
    pub diff: Option<String>,
    /// The patched workflow.
    #[serde(skip)]
    pub patched: Option<String>,
    /// For code bugs: where to look instead of the workflow.
    pub code_location: Option<String>,
}

/// The largest workflow read, as `plimsoll check`'s default `max-file-size`: a workflow in a
/// hostile pull request must not make the analysis slow or large.
pub const MAX_WORKFLOW_SIZE: u64 = plimsoll_syntax::file::DEFAULT_MAX_FILE_SIZE;

/// The text of the workflow at `path` when it is a regular file of at most
/// [`MAX_WORKFLOW_SIZE`] bytes; an error naming the limit when it is larger. Invalid UTF-8 is an
/// error too.
pub fn read(path: &std::path::Path) -> std::io::Result<String> {
    let bytes =
        plimsoll_syntax::file::read_regular(path, MAX_WORKFLOW_SIZE).map_err(|err| match err {
            plimsoll_syntax::file::ReadError::Io(err) => err,
            other => std::io::Error::other(other),
        })?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// How the workflow `text` has the log's job: by its name as GitHub shows it (the matrix
/// expanded), by its steps, or as its only job; `None` when it does not.
pub fn find_job(text: &str, log: &JobLog) -> Option<jobmap::MatchedBy> {
    let lines = LineIndex::new(text);
    let document = yaml::parse(text, &lines).into_single().ok()?;
    let workflow = Workflow::new(&document.root)?;
    let jobs = workflow.jobs();
    jobmap::map_job(&jobs, log).ok().map(|m| m.by)
}

fn indent_of(lines: &LineIndex, offset: usize) -> usize {
    let line = lines.line_of(offset);
    offset - lines.line_start(line)
}

/// Map the analysis onto the workflow and propose a fix.
pub fn plan(analysis: &Analysis, path: &str, text: &str, signatures: &Signatures) -> Plan {
    let mut plan = Plan {
        workflow: path.to_string(),
        ..Plan::default()
    };
    let lines = LineIndex::new(text);
    let document = match yaml::parse(text, &lines).into_single() {
        Ok(document) => document,
        Err(error) => {
            let at = lines.line_col(text, error.offset);
            plan.error = Some(format!(
                "the workflow does not parse ({} at line {}): no patch",
                error.message, at.line
            ));
            return plan;
        }
    };
    let Some(workflow) = Workflow::new(&document.root) else {
        plan.error = Some("the file is not a workflow (no top-level mapping)".into());
        return plan;
    };
    let jobs = workflow.jobs();
    plan.preserved = preserved(&jobs);
    let unnamed = JobLog {
        name: String::new(),
        steps: Vec::new(),
    };
    let log_job = analysis.failing_job().unwrap_or(&unnamed);
    let mapped = match jobmap::map_job(&jobs, log_job) {
        Ok(mapped) => mapped,
        Err(why) => {
            plan.error = Some(why);
            return plan;
        }
    };
    let job = mapped.job;
    let leg = mapped.combination.clone().unwrap_or_default();
    let steps = job.steps();
    let failing = analysis.failing_step();
    let find = |s: &crate::analyzer::StepLog| jobmap::find_step(&steps, &s.name, &s.script, &leg);
    let found = failing.and_then(find).or_else(|| {
        // A runner's hook that failed ran for the step before it, which the workflow has.
        let shown = &analysis.failing_job()?.steps;
        let index = analysis.step?;
        if !jobmap::is_runner_hook(shown.get(index)?) {
            return None;
        }
        shown[..index]
            .iter()
            .rev()
            .find(|s| !jobmap::is_runner_hook(s))
            .and_then(find)
    });
    plan.mapped = Some(MappedStep {
        job: job.id.to_string(),
        job_matched_by: mapped.by.label(),
        step: found.map(|(s, _)| s.index),
        label: found.map(|(s, _)| s.label()),
        line: found.map(|(s, _)| lines.line_col(text, s.node.span.start).line),
        matched_by: found.map(|(_, how)| how),
        matrix_entry: mapped
            .combination
            .as_ref()
            .filter(|leg| !leg.is_empty())
            .map(plimsoll_actions::matrix::describe),
    });
    let class = analysis.classification.class;
    let best = analysis.best();
    let matched: Vec<&crate::signatures::Signature> = analysis
        .candidates
        .iter()
        .take(3)
        .flat_map(|c| c.matched().iter().filter_map(|&i| signatures.list.get(i)))
        .collect();
    let step = found.map(|(s, _)| s);
    let source = fixes::Source {
        text,
        lines: &lines,
    };
    let mut insertions = Vec::new();
    match class {
        Class::MatrixToolchain if fixes::missing_linker(&analysis.candidates).is_none() => {
            match fixes::missing_target(&analysis.candidates) {
                Some(target) => {
                    let (edits, changes) =
                        fixes::add_rust_target(source, job, &leg, step.as_ref(), &target);
                    insertions.extend(edits);
                    plan.changes.extend(changes);
                }
                None => plan.changes.push(Change {
                    summary: "install the matrix leg's target for the toolchain that builds \
                              (`rustup target add` with the leg's target, or the toolchain \
                              action's targets input): no patch"
                        .into(),
                    rationale: "the log does not name the missing target, and a patch with a \
                                made-up one could not run"
                        .into(),
                }),
            }
        }
        Class::MissingDependency | Class::MatrixToolchain => {
            // A missing cross linker names its own package; a signature's list is for what its
            // pattern names.
            let linker = fixes::missing_linker(&analysis.candidates);
            let packages: Vec<String> = match &linker {
                Some(linker) => fixes::linker_package(linker).into_iter().collect(),
                None => matched
                    .iter()
                    .filter(|s| s.class == Some(class) || s.class == Some(Class::MissingDependency))
                    .flat_map(|s| s.packages.iter().cloned())
                    .fold(Vec::new(), |mut all, p| {
                        if !all.contains(&p) {
                            all.push(p);
                        }
                        all
                    }),
            };
            if packages.is_empty() {
                plan.changes.push(Change {
                    summary: match &linker {
                        Some(linker) => format!(
                            "install the linker `{linker}` the log names, in a step before the \
                             failing one: no patch"
                        ),
                        None => "install what the exact log line names as missing, in a step \
                                 before the failing one: no patch"
                            .into(),
                    },
                    rationale: "which system package provides it is not known here, and a patch \
                                with a guessed package could not run"
                        .into(),
                });
                return finish(plan, text, &lines, insertions);
            }
            let rationale = format!(
                "the build needs {} which the runner image lacks; installing it keeps the job on \
                 this OS",
                packages.join(", ")
            );
            match step {
                Some(step) => {
                    let step_name = "Install system dependencies";
                    let at = lines.line_of(step.node.span.start);
                    let column = indent_of(&lines, step.node.span.start);
                    let dash = " ".repeat(column.saturating_sub(2));
                    let key = " ".repeat(column);
                    insertions.push(Insertion::before(
                        at,
                        vec![
                            format!("{dash}- name: {step_name}"),
                            format!("{key}if: runner.os == 'Linux'"),
                            format!(
                                "{key}run: sudo apt-get update && sudo apt-get install -y {}",
                                packages.join(" ")
                            ),
                        ],
                    ));
                    plan.changes.push(Change {
                        summary: format!("add a step `{step_name}` before `{}`", step.label()),
                        rationale,
                    });
                }
                None => plan.changes.push(Change {
                    summary: format!(
                        "install {} (`sudo apt-get install -y {}`) before the failing step: no \
                         patch, since the failing step is not found in the workflow",
                        packages.join(", "),
                        packages.join(" ")
                    ),
                    rationale,
                }),
            }
        }
        Class::Permission => {
            let Some(scope) = matched.iter().find_map(|s| s.scope.clone()) else {
                plan.changes.push(Change {
                    summary: format!(
                        "grant job `{}` the one `permissions:` scope the failing call needs: no \
                         patch",
                        job.id
                    ),
                    rationale: "the log does not say which scope the token lacked (or the \
                                failure is the runner's, not the token's), and granting a \
                                guessed one widens the token for nothing"
                        .into(),
                });
                return finish(plan, text, &lines, insertions);
            };
            let (edits, changes) =
                fixes::grant_scope(source, workflow.permissions(), job, &scope);
            insertions.extend(edits);
            plan.changes.extend(changes);
        }
        Class::Flaky => {
            // What the failing step runs: its `run:` in the workflow, else what the log echoed.
            let script = step
                .and_then(|s| s.run().and_then(yaml::Node::as_str).map(str::to_string))
                .or_else(|| failing.map(|s| s.script.join("\n")))
                .unwrap_or_default();
            let kind = flaky::command_kind(&script);
            let network = fixes::network_failure(&analysis.candidates, signatures);
            let test = flaky::failing_test(&analysis.candidates);
            let fetch = flaky::fetch_command(&script)
                .filter(|_| network && flaky::dependency_download(&analysis.candidates));
            match (step, kind, fetch, test) {
                (Some(step), flaky::CommandKind::Setup, _, _) if network => {
                    match fixes::retry_run(source, job, &step) {
                        Some(edit) => {
                            insertions.push(edit);
                            plan.changes.push(Change {
                                summary: format!(
                                    "retry the script of `{}` up to 3 times, 20 s and 40 s apart",
                                    step.label()
                                ),
                                rationale: "the step only downloads or installs, and the exact \
                                            log line is a network failure, which passes on retry; \
                                            the step still runs on every push and still fails \
                                            when all attempts fail"
                                    .into(),
                            });
                        }
                        None => plan.changes.push(Change {
                            summary: format!(
                                "retry the download in `{}` (its script is not a bash `run:` that \
                                 can be wrapped): no patch",
                                step.label()
                            ),
                            rationale: "the step only downloads or installs and failed on the \
                                        network"
                                .into(),
                        }),
                    }
                }
                (Some(step), _, Some(command), _) => {
                    match fixes::fetch_step(source, job, &step, command) {
                        Some(edit) => {
                            insertions.push(edit);
                            plan.changes.push(Change {
                                summary: format!(
                                    "add a step `Download dependencies` (`{command}`, retried up \
                                     to 3 times) before `{}`",
                                    step.label()
                                ),
                                rationale: format!(
                                    "the network failed while `{}` downloaded its dependencies; \
                                     downloading them first, with a retry, leaves the build and \
                                     its tests to run once, unretried",
                                    step.label()
                                ),
                            });
                        }
                        None => plan.changes.push(Change {
                            summary: format!(
                                "run `{command}` with a bounded retry before `{}`: no patch (the \
                                 step does not run in bash)",
                                step.label()
                            ),
                            rationale: "the network failed while dependencies were downloaded"
                                .into(),
                        }),
                    }
                }
                (_, _, _, Some(test)) => {
                    let (summary, rationale) = flaky::quarantine(&test);
                    plan.changes.push(Change { summary, rationale });
                }
                (_, flaky::CommandKind::Test, _, None) => plan.changes.push(Change {
                    summary: "no retry around the test command: find which test failed (the log \
                              does not name it), track it as flaky in an issue, and use a runner \
                              that reports flaky tests by name"
                        .into(),
                    rationale: "a retry around the whole test run would hide the flaky test".into(),
                }),
                _ => plan.changes.push(Change {
                    summary: "re-run the failed job; no patch, since the failing step is not a \
                              download or install that a retry would fix without hiding \
                              anything"
                        .into(),
                    rationale: "timing and network failures pass on retry; retries belong around \
                                network-bound setup only"
                        .into(),
                }),
            }
        }
        Class::ToolVersion => match fixes::required_version(&analysis.candidates) {
            Some((tool, version)) => {
                let line = best.map_or(0, |c| c.line.line);
                let index = step.map(|s| s.index);
                let (edits, changes) =
                    fixes::pin_tool_version(source, job, index, tool, &version, line);
                insertions.extend(edits);
                plan.changes.extend(changes);
            }
            None => plan.changes.push(Change {
                summary: "pin the tool or toolchain to the version the exact log line asks for (in the setup step's version input)".into(),
                rationale: "the log does not name the version needed, so no patch is generated; pinning (never `latest`) makes the run reproducible and keeps the tool in the pipeline".into(),
            }),
        },
        Class::CacheCorruption => {
            let (edits, changes) = fixes::version_cache_keys(source, job);
            if edits.is_empty() {
                plan.changes.push(Change {
                    summary: "version the cache key (bump `prefix-key` of Swatinem/rust-cache, or prefix `key:` of actions/cache with `v2-`)".into(),
                    rationale: "no cache step of the job has a key to version, so no patch is generated; a new key discards the corrupt entry while keeping caching on".into(),
                });
            }
            insertions.extend(edits);
            plan.changes.extend(changes);
        }
        Class::CodeBug => {
            plan.code_location = best.map(|c| c.line.text.clone());
            plan.changes.push(Change {
                summary: "no workflow change: fix the code the exact log line points at".into(),
                rationale: "the pipeline did its job by failing; changing it would hide a real defect".into(),
            });
        }
        Class::Unknown => plan.changes.push(Change {
            summary: "no patch: the log does not decide the class".into(),
            rationale: "read the exact log line and its runner-ups".into(),
        }),
    }
    finish(plan, text, &lines, insertions)
}

fn finish(mut plan: Plan, text: &str, lines: &LineIndex, insertions: Vec<Insertion>) -> Plan {
    if insertions.is_empty() {
        return plan;
    }
    let path = diff_path(&plan.workflow);
    plan.diff = Some(diff::unified(&path, text, &insertions));
    let patched = diff::apply(text, &insertions);
    let first = insertions.iter().map(|i| i.at).min().unwrap_or(0);
    let added: usize = insertions.iter().map(|i| i.lines.len()).sum();
    let removed: usize = insertions.iter().map(|i| i.replaced).sum();
    let last = insertions
        .iter()
        .map(|i| i.at + i.replaced)
        .max()
        .unwrap_or(0);
    let from = first.saturating_sub(3);
    let to = (last + 3).min(lines.line_count()).max(from);
    plan.before = Some(
        text.lines()
            .skip(from)
            .take(to - from)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    plan.after = Some(
        patched
            .lines()
            .skip(from)
            .take((to - from + added).saturating_sub(removed))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    plan.patched = Some(patched);
    plan
}

/// The path to put in the diff: relative to the repository root.
fn diff_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    if let Some(at) = path.find(".github/") {
        return path[at..].to_string();
    }
    path.trim_start_matches("./").to_string()
}

/// Every job, step and matrix axis of the workflow, for "What is NOT changed".
fn preserved(jobs: &[Job<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    for job in jobs {
        let steps: Vec<String> = job
            .steps()
            .iter()
            .map(|s| format!("`{}`", s.label()))
            .collect();
        out.push(format!("job `{}`: steps {}", job.id, steps.join(", ")));
        if let Some(matrix) = job.matrix() {
            for entry in matrix.value.as_mapping().unwrap_or_default() {
                let values = match &entry.value.kind {
                    yaml::NodeKind::Sequence(items) => items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| "{…}".into())
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => entry.value.as_str().unwrap_or("…").to_string(),
                };
                out.push(format!(
                    "job `{}` matrix `{}`: {}",
                    job.id,
                    entry.key.as_str().unwrap_or("?"),
                    values
                ));
            }
        }
    }
    out
}
