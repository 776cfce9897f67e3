//! Which job, matrix leg and step of the workflow a log is of.
//!
//! GitHub shows a job by its `name:` with the matrix values filled in (`name: JDK ${{
//! matrix.java }}` runs as `JDK 8`, `JDK 11`), or, when the name does not use the matrix, by the
//! name or id followed by the leg's values (`test (ubuntu-24.04, stable)`). So the workflow's
//! names are expanded over the matrix by GitHub's rules ([`plimsoll_actions::matrix`], the
//! expansion `guard` uses) and compared with the name the log gives. A log that names no job (a
//! downloaded raw log is `fail.log` whatever job it is of) is mapped by its steps: the job whose
//! step names and scripts the log's steps show.

use plimsoll_actions::matrix::{self, Combination, Matrix, Piece};
use plimsoll_actions::{Job, Step};
use plimsoll_syntax::yaml::Node;

use crate::analyzer::{JobLog, StepLog};

/// How the log's job was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// The job's name (or id) as GitHub shows it for one matrix leg.
    Name,
    /// The log's steps are this job's.
    Steps,
    /// The workflow has one job.
    OnlyJob,
}

impl MatchedBy {
    /// The word used in reports.
    pub fn label(self) -> &'static str {
        match self {
            MatchedBy::Name => "name",
            MatchedBy::Steps => "steps",
            MatchedBy::OnlyJob => "only job",
        }
    }
}

/// The job a log is of.
#[derive(Debug, Clone)]
pub struct MappedJob<'j, 'a> {
    /// The job.
    pub job: &'j Job<'a>,
    /// Its matrix leg, when the log's job name tells which.
    pub combination: Option<Combination>,
    /// How it was found.
    pub by: MatchedBy,
}

/// A name as GitHub may show it, and the leg it is of.
type Shown = (Vec<Piece>, Option<Combination>);

fn text(value: String) -> Vec<Piece> {
    vec![Piece::Text(value)]
}

/// `pieces` followed by ` (values)`.
fn with_values(mut pieces: Vec<Piece>, values: Option<&[String]>) -> Vec<Piece> {
    let suffix = |pieces: &mut Vec<Piece>, text: String| match pieces.last_mut() {
        Some(Piece::Text(last)) => last.push_str(&text),
        _ => pieces.push(Piece::Text(text)),
    };
    match values {
        Some(values) => suffix(&mut pieces, format!(" ({})", values.join(", "))),
        None => {
            suffix(&mut pieces, " (".into());
            pieces.push(Piece::Unknown);
            pieces.push(Piece::Text(")".into()));
        }
    }
    pieces
}

/// The matrix's own axes, in the order written.
fn axis_order<'a>(job: &Job<'a>) -> Vec<&'a str> {
    job.matrix()
        .and_then(|m| m.value.as_mapping())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.key.as_str())
        .filter(|k| *k != "include" && *k != "exclude")
        .collect()
}

/// The legs of the job's matrix: `None` when it has none, an empty list when it is computed at
/// run time (`fromJSON(…)`), or too large to expand.
pub fn legs(job: &Job<'_>) -> Option<Vec<Combination>> {
    let matrix = job.matrix()?;
    Some(match matrix::expand(matrix.value) {
        Matrix::Combinations(combinations) => combinations,
        Matrix::Opaque(_) => Vec::new(),
    })
}

/// Every name GitHub may show for the job, with the leg each is of.
fn shown_names(job: &Job<'_>) -> Vec<Shown> {
    let template = job.node.get_str("name");
    let base = |combination: &Combination| match template {
        Some(name) => matrix::interpolate(name, combination),
        None => text(job.id.to_string()),
    };
    let uses_matrix = template.is_some_and(|name| name.contains("matrix"));
    let mut shown = Vec::new();
    match legs(job) {
        None => shown.push((base(&Combination::new()), None)),
        Some(legs) if legs.is_empty() => {
            // Values known only at run time: any values.
            let pieces = base(&Combination::new());
            if !uses_matrix {
                shown.push((with_values(pieces.clone(), None), None));
            }
            shown.push((pieces, None));
        }
        Some(legs) => {
            let order = axis_order(job);
            for leg in legs {
                let pieces = base(&leg);
                if uses_matrix || leg.is_empty() {
                    shown.push((pieces, Some(leg)));
                } else {
                    let values = matrix::listed_values(&leg, &order);
                    shown.push((with_values(pieces.clone(), Some(&values)), Some(leg)));
                    // The bare name (an export that drops the values) does not tell the leg.
                    shown.push((pieces, None));
                }
            }
        }
    }
    shown
}

/// The values two legs agree on (`None`, an unknown leg, agrees on nothing).
fn shared(a: Option<Combination>, b: Option<Combination>) -> Option<Combination> {
    let (a, b) = (a?, b?);
    let common: Combination = a
        .into_iter()
        .filter(|(key, value)| b.get(key) == Some(value))
        .collect();
    (!common.is_empty()).then_some(common)
}

fn is_exact(pieces: &[Piece]) -> bool {
    pieces.iter().all(|p| matches!(p, Piece::Text(_)))
}

/// The job (and leg) of `jobs` whose shown name is `name`: a name known in full wins over one
/// with parts known only at run time.
fn by_name<'j, 'a>(jobs: &'j [Job<'a>], name: &str) -> Option<MappedJob<'j, 'a>> {
    let mut loose = None;
    for job in jobs {
        // Several legs can show the same name (`JDK ${{ matrix.java }}` over java × os): the
        // leg is then what they share.
        let mut exact: Option<Option<Combination>> = None;
        for (pieces, combination) in shown_names(job) {
            if !matrix::matches(&pieces, name) {
                continue;
            }
            if is_exact(&pieces) {
                exact = Some(match exact {
                    None => combination,
                    Some(earlier) => shared(earlier, combination),
                });
            } else if loose.is_none() {
                loose = Some(MappedJob {
                    job,
                    combination,
                    by: MatchedBy::Name,
                });
            }
        }
        if let Some(combination) = exact {
            return Some(MappedJob {
                job,
                combination,
                by: MatchedBy::Name,
            });
        }
    }
    loose.or_else(|| {
        // A job's id is what GitHub shows for a caller of a reusable workflow and in some
        // exports, whatever its `name:`.
        jobs.iter().find(|j| j.id == name).map(|job| MappedJob {
            job,
            combination: None,
            by: MatchedBy::Name,
        })
    })
}

/// Whether the log's step is the runner running a script file of its own rather than a step of
/// the workflow: a `Run` header naming only a quoted absolute path, with no script under it
/// (`Run '/home/runner/hook-extensions/wrapper.js'`, the container hook a self-hosted runner
/// runs each step through). It runs for the step the log showed before it.
pub fn is_runner_hook(step: &StepLog) -> bool {
    step.script.is_empty()
        && step
            .name
            .strip_prefix("Run '")
            .and_then(|rest| rest.strip_suffix('\''))
            .is_some_and(|path| {
                !path.contains('\'') && (path.starts_with('/') || path.get(1..3) == Some(":\\"))
            })
}

/// Steps every job has, which tell nothing about which job a log is of.
fn is_runner_step(name: &str) -> bool {
    name == "Set up job"
        || name == "Complete job"
        || name == "Post job cleanup"
        || name.starts_with("Post ")
        || name == "log"
}

/// The job whose steps the log's steps are, when one job matches more of them than any other.
fn by_steps<'j, 'a>(jobs: &'j [Job<'a>], log: &JobLog) -> Option<MappedJob<'j, 'a>> {
    let mut best: Option<(usize, &'j Job<'a>)> = None;
    let mut tied = false;
    for job in jobs {
        let steps = job.steps();
        let legs = legs(job).unwrap_or_default();
        let found = log
            .steps
            .iter()
            .filter(|s| !is_runner_step(&s.name))
            .filter(|s| {
                // A step found by its action alone (`actions/checkout`) is in most jobs.
                let one_leg = |leg: &Combination| {
                    find_step(&steps, &s.name, &s.script, leg).is_some_and(|(_, how)| how != "uses")
                };
                one_leg(&Combination::new()) || legs.iter().any(one_leg)
            })
            .count();
        match best {
            Some((count, _)) if found == count => tied = true,
            Some((count, _)) if found < count => {}
            _ if found > 0 => {
                best = Some((found, job));
                tied = false;
            }
            _ => {}
        }
    }
    let (_, job) = best.filter(|_| !tied)?;
    Some(MappedJob {
        job,
        combination: None,
        by: MatchedBy::Steps,
    })
}

/// The job of `jobs` the log's job is: by the name the log gives, else by its steps, else the
/// only job. `Err` says why none was found.
pub fn map_job<'j, 'a>(jobs: &'j [Job<'a>], log: &JobLog) -> Result<MappedJob<'j, 'a>, String> {
    let name = log.name.trim();
    if !name.is_empty() {
        if let Some(found) = by_name(jobs, name) {
            return Ok(found);
        }
        // A job of a reusable workflow is shown as `caller / callee (values)`, each level of
        // nesting adding a part; the workflow the log names (`Job defined at:`) is the callee's,
        // so its job is the name's last parts.
        for (at, separator) in name.match_indices(" / ") {
            if let Some(found) = by_name(jobs, &name[at + separator.len()..]) {
                return Ok(found);
            }
        }
    }
    if let Some(found) = by_steps(jobs, log) {
        return Ok(found);
    }
    if let [only] = jobs {
        return Ok(MappedJob {
            job: only,
            combination: None,
            by: MatchedBy::OnlyJob,
        });
    }
    Err(if name.is_empty() {
        "the log does not name its job and its steps match no single job of the workflow".into()
    } else {
        format!(
            "no job of the workflow is shown as `{name}` (names expanded over their matrix) or \
             has the log's steps"
        )
    })
}

fn first_script_line(step: &Step<'_>) -> Option<String> {
    let run = step.run()?.as_str()?;
    run.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// Find the workflow step the log's step is: by name, by `uses`, or by the echoed script, each
/// with the leg's matrix values filled in (values the leg does not give match anything).
pub fn find_step<'a>(
    steps: &[Step<'a>],
    log_name: &str,
    script: &[String],
    leg: &Combination,
) -> Option<(Step<'a>, &'static str)> {
    let name = log_name.strip_prefix("Post ").unwrap_or(log_name);
    // A template made only of run-time values (`name: ${{ matrix.title }}` without the leg)
    // would match every step.
    let shows = |template: &str, text: &str| {
        let pieces = matrix::interpolate(template, leg);
        let known = pieces
            .iter()
            .any(|p| matches!(p, Piece::Text(t) if !t.trim().is_empty()));
        known && matrix::matches(&pieces, text)
    };
    if let Some(step) = steps
        .iter()
        .find(|s| s.name().is_some_and(|n| shows(n, name)))
    {
        return Some((*step, "name"));
    }
    let run = name.strip_prefix("Run ").unwrap_or(name).trim();
    if let Some(step) = steps.iter().find(|s| {
        s.uses_node()
            .and_then(Node::as_str)
            .is_some_and(|u| shows(u, run))
    }) {
        return Some((*step, "uses"));
    }
    // The same action at another ref: a log of a run before or after the workflow's pin was
    // bumped (`aws-actions/configure-aws-credentials@8df5847…` for `…@67fbcbb… # v1.7.0`). Only
    // when one step of the job uses that action, since the ref no longer tells two apart.
    if let Some((action, _)) = run.split_once('@').filter(|(a, r)| {
        a.contains('/') && !a.contains(char::is_whitespace) && !r.contains(char::is_whitespace)
    }) {
        let same_action = |s: &&Step<'a>| {
            s.uses_node()
                .and_then(Node::as_str)
                .and_then(|u| u.split_once('@'))
                .is_some_and(|(a, _)| a == action)
        };
        if let [step] = steps.iter().filter(same_action).collect::<Vec<_>>()[..] {
            return Some((*step, "uses"));
        }
    }
    let echoed: Vec<&str> = std::iter::once(run)
        .chain(script.iter().map(|s| s.trim()))
        .filter(|l| !l.is_empty())
        .collect();
    steps
        .iter()
        .find(|s| first_script_line(s).is_some_and(|first| echoed.iter().any(|e| shows(&first, e))))
        .map(|s| (*s, "script"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::StepLog;
    use plimsoll_actions::Workflow;
    use plimsoll_syntax::LineIndex;

    const WORKFLOW: &str = r#"on: push
jobs:
  build:
    name: "JDK ${{ matrix.java }}"
    runs-on: ubuntu-latest
    strategy:
      matrix:
        java: [8, 11]
    steps:
      - uses: actions/checkout@v4
      - run: mvn -B verify
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-24.04, macos-14]
        node: [20]
        include:
          - os: ubuntu-24.04
            experimental: true
    steps:
      - uses: actions/checkout@v4
      - name: Test on ${{ matrix.os }}
        run: npm test
  lint:
    name: Lint on JDK ${{ matrix.java }}
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        java: [8, 11]
        os: [ubuntu-24.04, windows-2022]
    steps:
      - run: mvn -B checkstyle:check
  deploy:
    name: Deploy ${{ github.ref_name }}
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ./deploy.sh
"#;

    fn log(name: &str, steps: &[(&str, &[&str])]) -> JobLog {
        JobLog {
            name: name.into(),
            steps: steps
                .iter()
                .map(|(name, script)| StepLog {
                    name: (*name).into(),
                    file: "fail.log".into(),
                    first_line: 1,
                    last_line: 2,
                    failure: None,
                    script: script.iter().map(|s| s.to_string()).collect(),
                    error_lines: 0,
                })
                .collect(),
        }
    }

    /// The job id, how it was found and the leg, for `log`.
    fn mapped(log: &JobLog) -> Result<(String, &'static str, String), String> {
        let lines = LineIndex::new(WORKFLOW);
        let document = plimsoll_syntax::yaml::parse(WORKFLOW, &lines)
            .into_single()
            .map_err(|e| e.message)?;
        let workflow = Workflow::new(&document.root).ok_or("no workflow")?;
        let jobs = workflow.jobs();
        let found = map_job(&jobs, log)?;
        Ok((
            found.job.id.to_string(),
            found.by.label(),
            found
                .combination
                .map(|c| matrix::describe(&c))
                .unwrap_or_default(),
        ))
    }

    #[test]
    fn a_templated_name_is_found_with_its_matrix_leg() {
        assert_eq!(
            mapped(&log("JDK 11", &[])),
            Ok(("build".into(), "name", "java: 11".into()))
        );
        assert!(mapped(&log("JDK 17", &[])).is_err());
        // Two legs show `Lint on JDK 11`: the leg is what they share.
        assert_eq!(
            mapped(&log("Lint on JDK 11", &[])),
            Ok(("lint".into(), "name", "java: 11".into()))
        );
        // The bare id of a matrix job: the job, leg unknown.
        assert_eq!(
            mapped(&log("test", &[])),
            Ok(("test".into(), "name", String::new()))
        );
    }

    #[test]
    fn a_name_without_the_matrix_is_followed_by_the_legs_values() {
        assert_eq!(
            mapped(&log("test (macos-14, 20)", &[])),
            Ok(("test".into(), "name", "node: 20, os: macos-14".into()))
        );
        // `include` adds its keys to the leg, listed after the matrix's own.
        assert_eq!(
            mapped(&log("test (ubuntu-24.04, 20, true)", &[])),
            Ok((
                "test".into(),
                "name",
                "experimental: true, node: 20, os: ubuntu-24.04".into()
            ))
        );
        // Values known only at run time match any text.
        assert_eq!(
            mapped(&log("Deploy v1.2.0", &[])),
            Ok(("deploy".into(), "name", String::new()))
        );
    }

    #[test]
    fn a_reusable_workflows_job_is_found_under_its_callers_name() {
        // `linux-test / test (macos-14, 20)`: the caller's job, then the callee's as shown.
        assert_eq!(
            mapped(&log("linux-test / test (macos-14, 20)", &[])),
            Ok(("test".into(), "name", "node: 20, os: macos-14".into()))
        );
        // Nested callers add parts; a name with ` / ` of its own is still tried whole first.
        assert_eq!(
            mapped(&log("pull / jdk-tests / JDK 8", &[])),
            Ok(("build".into(), "name", "java: 8".into()))
        );
        assert!(mapped(&log("pull / nothing here", &[])).is_err());
    }

    #[test]
    fn a_hook_the_runner_runs_for_a_step_is_not_a_step() {
        let step = |name: &str, script: &[&str]| StepLog {
            name: name.into(),
            file: "log".into(),
            first_line: 1,
            last_line: 1,
            failure: None,
            script: script.iter().map(|s| s.to_string()).collect(),
            error_lines: 0,
        };
        assert!(is_runner_hook(&step(
            "Run '/home/runner/hook-extensions/wrapper.js'",
            &[]
        )));
        assert!(is_runner_hook(&step(
            "Run 'C:\\actions\\hooks\\index.js'",
            &[]
        )));
        // A user's script echoes its lines; a relative path is the repository's.
        assert!(!is_runner_hook(&step(
            "Run '/opt/ci/run.sh'",
            &["'/opt/ci/run.sh'"]
        )));
        assert!(!is_runner_hook(&step("Run 'scripts/x.sh'", &[])));
        assert!(!is_runner_hook(&step("Run npm test", &[])));
    }

    #[test]
    fn a_log_that_names_no_job_is_found_by_its_steps() {
        let steps: &[(&str, &[&str])] = &[
            ("Set up job", &[]),
            ("Run actions/checkout@v4", &[]),
            ("Run npm test", &["npm test"]),
            ("Post job cleanup", &[]),
        ];
        assert_eq!(
            mapped(&log("", steps)),
            Ok(("test".into(), "steps", String::new()))
        );
        // Through a templated step name, as `gh` and archives show steps.
        assert_eq!(
            mapped(&log("", &[("Test on macos-14", &[])])),
            Ok(("test".into(), "steps", String::new()))
        );
        // A checkout is in every job: it tells nothing.
        let err = mapped(&log("", &[("Run actions/checkout@v4", &[])])).unwrap_err();
        assert!(err.contains("does not name its job"), "{err}");
    }
}
