//! Root-cause analysis of a failing CI job from its log.
//!
//! The pipeline: [`input`] turns what the user has (a raw GitHub job log, `gh run view --log`
//! output, a run-log archive or its folder, a plain Travis/GitLab/Jenkins log) into a stream of
//! cleaned lines with job and step boundaries; the [`analyzer`] keeps the structure and a bounded
//! set of scored candidate lines per step while streaming; [`diagnose`] picks the failing job and
//! step, ranks the candidates and classifies the failure from the [`signatures`] the best lines
//! match. [`workflow`] maps the failing step to its YAML step and proposes a coverage-preserving
//! patch; [`render`] writes the analysis as Markdown or JSON.

pub mod analyzer;
pub mod calibration;
pub mod class;
pub mod classify;
pub mod diff;
mod fixes;
pub mod flaky;
pub mod gzip;
pub mod history;
pub mod input;
pub mod jobmap;
pub mod matchers;
pub mod outcome;
pub mod passing;
pub mod prefilter;
pub mod reader;
pub mod render;
pub mod signatures;
pub mod tools;
pub mod workflow;
pub mod zip;

use serde::Serialize;

pub use analyzer::{Candidate, Failure, JobLog, LogLine, StepLog};
pub use class::Class;
pub use input::{InputError, LogFormat, LogSource};
pub use passing::PassingRun;
pub use signatures::Signatures;

/// The class decided and why.
#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    /// The class.
    pub class: Class,
    /// 0..1: the accuracy measured for answers given with this much agreeing evidence
    /// (calibrated from `raw_confidence`, see [`calibration`]).
    pub confidence: f32,
    /// 0..1: the share of the evidence that agrees with the class.
    pub raw_confidence: f32,
    /// For an `unknown` class: the classes the evidence and the failing command leave, most
    /// likely first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Class>,
    /// The lines and signatures that decided.
    pub evidence: Vec<Evidence>,
}

/// One piece of evidence for a classification.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// The signature.
    pub signature: String,
    /// The line it matched.
    pub line: usize,
    /// The line's text.
    pub text: String,
}

/// The verdict on a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A failure was found and explained.
    Failed,
    /// The log is of a run whose steps all passed.
    Succeeded,
    /// No failure marker and no error-like line: nothing to explain.
    NoFailureFound,
}

/// The analysis of one log.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// What was read (path or `-`).
    pub source: String,
    /// The form of the log.
    pub format: LogFormat,
    /// What the log says overall.
    pub verdict: Verdict,
    /// Every job and its steps.
    pub jobs: Vec<JobLog>,
    /// The job explained (index into `jobs`).
    pub job: Option<usize>,
    /// Its failing step (index into that job's steps).
    pub step: Option<usize>,
    /// The ranked candidate explanations, best first (the best and runner-ups).
    pub candidates: Vec<Candidate>,
    /// The classification.
    pub classification: Classification,
    /// Lines read.
    pub lines: usize,
    /// Lines cut because they were longer than the reader keeps.
    pub truncated_lines: usize,
    /// Warnings about the input (truncated log, binary content).
    pub notes: Vec<String>,
    /// The workflow file the job is defined in, as the runner's header says (`Job defined at:
    /// owner/repo/.github/workflows/ci.yml@ref`): `.github/workflows/ci.yml`. A reusable
    /// workflow's file may be another repository's.
    pub workflow_file: Option<String>,
}

impl Analysis {
    /// The explained job.
    pub fn failing_job(&self) -> Option<&JobLog> {
        self.jobs.get(self.job?)
    }

    /// The failing step.
    pub fn failing_step(&self) -> Option<&StepLog> {
        self.failing_job()?.steps.get(self.step?)
    }

    /// The best candidate.
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates.first()
    }
}

/// How many ranked candidates an analysis keeps.
pub const REPORTED_CANDIDATES: usize = 5;

/// Analyse one log.
pub fn diagnose(
    source: &LogSource,
    job_filter: Option<&str>,
    signatures: &Signatures,
) -> Result<Analysis, InputError> {
    diagnose_with(source, job_filter, signatures, None, &[])
}

/// Analyse one log, its lines compared with `passing` runs of the same job when given (what
/// they printed too ranks below what is new in this run, [`passing`]), and with the
/// repository's own problem `matchers` besides the shipped ones ([`matchers::from_repository`];
/// they apply where the log registers them).
pub fn diagnose_with(
    source: &LogSource,
    job_filter: Option<&str>,
    signatures: &Signatures,
    passing: Option<&PassingRun>,
    matchers: &[matchers::ProblemMatcher],
) -> Result<Analysis, InputError> {
    let mut analyzer = analyzer::Analyzer::with_matchers(signatures, matchers);
    if let Some(passing) = passing {
        analyzer.compare_with(passing);
    }
    let mut header = RunnerHeader {
        analyzer: &mut analyzer,
        workflow_file: None,
    };
    let read = input::feed(source, &mut header)?;
    let workflow_file = header.workflow_file;
    let reading = analyzer.finish();
    let mut notes = read.notes;
    if let Some(passing) = passing {
        notes.push(format!(
            "compared with {} passing log{} of the job ({} distinct lines): what they printed too \
             ranks below what is new in this run",
            passing.logs(),
            if passing.logs() == 1 { "" } else { "s" },
            passing.distinct_lines()
        ));
        if passing.is_full() {
            notes.push(format!(
                "the passing logs hold more than {} distinct lines: lines past that were not \
                 compared",
                passing::MAX_LINES
            ));
        }
    }
    if reading.lines == 0 {
        return Err(InputError::Empty(source.display()));
    }
    let job = reading.pick_job(job_filter);
    if let (Some(filter), None) = (job_filter, job) {
        let names: Vec<&str> = reading.jobs.iter().map(|j| j.name.as_str()).collect();
        // Job names carry matrix values, which may hold a credential.
        let jobs = plimsoll_secrets::log::redact_text(&names.join(", ")).into_owned();
        return Err(InputError::NoSuchJob {
            job: filter.to_string(),
            jobs,
        });
    }
    let step = job.and_then(|j| reading.failing_step(j));
    let candidates: Vec<Candidate> = job.map(|j| reading.rank(j, signatures)).unwrap_or_default();
    let structured = read.format != LogFormat::Plain;
    let ends_in_errors = structured
        && reading.job_end
        && job.is_some_and(|j| last_step_ends_in_errors(&reading.jobs[j], &candidates));
    let passed_by_its_ci = reading.build_outcome == Some(outcome::BuildOutcome::Passed);
    let verdict = if passed_by_its_ci {
        Verdict::Succeeded
    } else if reading.any_failure() || ends_in_errors {
        Verdict::Failed
    } else if structured && reading.job_end {
        Verdict::Succeeded
    } else if candidates.iter().any(|c| c.score >= 6.0) {
        Verdict::Failed
    } else {
        Verdict::NoFailureFound
    };
    if passed_by_its_ci {
        notes.push(
            "the log ends with its CI system's statement that the build passed: there is no \
             failure to explain"
                .into(),
        );
    } else if verdict == Verdict::Succeeded {
        notes.push("every step of the log passed: there is no failure to explain".into());
    }
    if reading.truncated_lines > 0 {
        notes.push(format!(
            "{} lines were longer than {} bytes and were cut",
            reading.truncated_lines,
            reader::MAX_LINE_BYTES
        ));
    }
    if ends_in_errors && !reading.any_failure() {
        notes.push(
            "the log has no failure marker, but its last step stops on error output right before \
             the job's cleanup: it is taken to have failed (a container action that dies without \
             `##[error]`, or a log cut by the tool that exported it)"
                .into(),
        );
    } else if verdict == Verdict::Failed && step.is_none() && structured {
        notes.push(
            "the log has no failing-step marker (`##[error]Process completed with exit code N.`): \
             it may be truncated; the failing step is taken to be the one holding the best line"
                .into(),
        );
    }
    // Without an exit marker (a truncated log, a container action that dies without
    // `##[error]`, a fragment), the step holding the line that best explains the failure is the
    // best estimate of the failing step; reporting none would hide what the ranking found.
    let step = match (step, candidates.first()) {
        (None, Some(best)) if verdict == Verdict::Failed => Some(best.step),
        (step, _) => step,
    };
    let mut candidates = if verdict == Verdict::Succeeded {
        Vec::new()
    } else {
        candidates
    };
    let failing_step = job
        .zip(step)
        .and_then(|(j, s)| reading.jobs.get(j)?.steps.get(s));
    let command = failing_step.map_or_else(classify::Command::default, |s| classify::Command {
        title: &s.name,
        script: &s.script,
    });
    let classification = classify::classify(&candidates, signatures, command);
    candidates.truncate(REPORTED_CANDIDATES);
    let mut analysis = Analysis {
        source: source.display(),
        format: read.format,
        verdict,
        jobs: reading.jobs,
        job,
        step,
        candidates,
        classification,
        lines: reading.lines,
        truncated_lines: reading.truncated_lines,
        notes,
        workflow_file,
    };
    redact(&mut analysis);
    Ok(analysis)
}

/// Feeds the analyser, and keeps what only the runner's header says: the workflow file the job
/// is defined in.
struct RunnerHeader<'a, 's> {
    analyzer: &'a mut analyzer::Analyzer<'s>,
    workflow_file: Option<String>,
}

impl input::LineSink for RunnerHeader<'_, '_> {
    fn begin_job(&mut self, name: &str) {
        self.analyzer.begin_job(name);
    }

    fn begin_step(&mut self, name: &str, file: &str, line: usize, structural: bool) {
        self.analyzer.begin_step(name, file, line, structural);
    }

    fn push(&mut self, file: &str, number: usize, text: &str, github: bool, truncated: bool) {
        if self.workflow_file.is_none() && github {
            self.workflow_file = text
                .strip_prefix("Job defined at: ")
                .and_then(defined_at_file);
        }
        self.analyzer.push(file, number, text, github, truncated);
    }

    fn error_emphasis(&mut self, emphasised: bool) {
        self.analyzer.error_emphasis(emphasised);
    }
}

/// `.github/workflows/ci.yml` of `owner/repo/.github/workflows/ci.yml@refs/heads/main`.
fn defined_at_file(location: &str) -> Option<String> {
    let at = location.find(".github/workflows/")?;
    let path = location[at..].split('@').next()?.trim();
    let name = path.strip_prefix(".github/workflows/")?;
    let plain = !name.is_empty()
        && !name.contains("..")
        && !name.contains('/')
        && (name.ends_with(".yml") || name.ends_with(".yaml"));
    plain.then(|| path.to_string())
}

/// The analyser reads what the input yields.
impl input::LineSink for analyzer::Analyzer<'_> {
    fn begin_job(&mut self, name: &str) {
        analyzer::Analyzer::begin_job(self, name);
    }

    fn begin_step(&mut self, name: &str, file: &str, line: usize, structural: bool) {
        analyzer::Analyzer::begin_step(self, name, file, line, structural);
    }

    fn push(&mut self, file: &str, number: usize, text: &str, github: bool, truncated: bool) {
        analyzer::Analyzer::push(self, file, number, text, github, truncated);
    }

    fn error_emphasis(&mut self, emphasised: bool) {
        analyzer::Analyzer::error_emphasis(self, emphasised);
    }
}

/// Mask the credentials in every text of `analysis` that comes from the log: the lines it keeps,
/// their context, the echoed scripts, and the job and step names (`gh` columns carry the
/// workflow's job names and matrix values). Done once here, on the few lines kept, rather than
/// on every line read; the stream has masked what only it could see (see [`input::feed`]).
fn redact(analysis: &mut Analysis) {
    use plimsoll_secrets::log::redact_kept;
    // Kept lines are cut to `CONTEXT_CHARS`, perhaps in the middle of a secret.
    let maybe_cut = |text: &str| text.chars().count() >= analyzer::CONTEXT_CHARS;
    for job in &mut analysis.jobs {
        redact_kept(&mut job.name, false);
        for step in &mut job.steps {
            redact_kept(&mut step.name, false);
            for line in &mut step.script {
                redact_kept(line, false);
            }
        }
    }
    for candidate in &mut analysis.candidates {
        for line in std::iter::once(&mut candidate.line)
            .chain(&mut candidate.before)
            .chain(&mut candidate.after)
        {
            let cut = maybe_cut(&line.text);
            redact_kept(&mut line.text, cut);
        }
    }
    for evidence in &mut analysis.classification.evidence {
        let cut = maybe_cut(&evidence.text);
        redact_kept(&mut evidence.text, cut);
    }
    for note in &mut analysis.notes {
        redact_kept(note, false);
    }
}

/// How close to the end of the last step an error line must be for a log without a failure
/// marker to count as failed.
const LAST_STEP_TAIL: usize = 12;

/// The score from which a line at the end of the last step reads as an error: lower than what
/// makes a plain log fail on its own (6), since the position right before cleanup is evidence
/// too; an `error:`/`fatal:`-prefixed line scores above it, a line that merely mentions an
/// error does not.
const LAST_STEP_ERROR_SCORE: f32 = 4.0;

/// Whether the last step that ran (post-job cleanup aside) ends with a line that reads as an
/// error (a well-scored candidate among its last [`LAST_STEP_TAIL`] lines). GitHub skips the
/// remaining steps after a failure, so such a step is where the job stopped; a passing job's
/// last step ends on its own output, and errors earlier in the log (configure probes, retried
/// downloads) do not count.
fn last_step_ends_in_errors(job: &analyzer::JobLog, candidates: &[Candidate]) -> bool {
    let Some((index, last)) = job
        .steps
        .iter()
        .enumerate()
        .rev()
        .find(|(_, step)| !step.name.starts_with("Post "))
    else {
        return false;
    };
    candidates.iter().any(|c| {
        c.step == index
            && c.score >= LAST_STEP_ERROR_SCORE
            && c.line.line + LAST_STEP_TAIL > last.last_line
            && c.line.line <= last.last_line
    })
}

/// Whether several analyses of the same job (reruns) look flaky, and why.
pub fn rerun_verdict(analyses: &[Analysis]) -> Option<String> {
    if analyses.len() < 2 {
        return None;
    }
    let passed = analyses
        .iter()
        .filter(|a| a.verdict == Verdict::Succeeded)
        .count();
    if passed > 0 && passed < analyses.len() {
        return Some(format!(
            "flaky: {passed} of {} runs passed and the others failed with the same configuration",
            analyses.len()
        ));
    }
    let failed: Vec<&Analysis> = analyses
        .iter()
        .filter(|a| a.verdict == Verdict::Failed)
        .collect();
    if failed.len() < 2 {
        return None;
    }
    let steps: Vec<Option<&str>> = failed
        .iter()
        .map(|a| a.failing_step().map(|s| s.name.as_str()))
        .collect();
    let reasons: Vec<Option<String>> = failed
        .iter()
        .map(|a| a.best().map(|c| normalise_reason(&c.line.text)))
        .collect();
    let same_step = steps.windows(2).all(|w| w[0] == w[1]);
    let same_reason = reasons.windows(2).all(|w| w[0] == w[1]);
    Some(match (same_step, same_reason) {
        (true, true) => {
            "deterministic: every run failed in the same step for the same reason".into()
        }
        (true, false) => "flaky: the same step failed for different reasons across runs".into(),
        (false, _) => "flaky: different steps failed across runs".into(),
    })
}

/// A reason without the numbers that change between runs (times, ids, ports).
fn normalise_reason(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::defined_at_file;

    #[test]
    fn the_workflow_file_is_read_from_the_runners_header_and_nothing_else() {
        assert_eq!(
            defined_at_file("google/auto/.github/workflows/ci.yml@refs/pull/1286/merge").as_deref(),
            Some(".github/workflows/ci.yml")
        );
        for hostile in [
            "o/r/.github/workflows/../../../etc/passwd.yml@main",
            "o/r/.github/workflows/sub/ci.yml@main",
            "o/r/.github/workflows/notes.txt@main",
            "o/r/ci.yml@main",
        ] {
            assert_eq!(defined_at_file(hostile), None, "{hostile}");
        }
    }
}
