//! The streaming analyser: it is fed cleaned lines one at a time, keeps the job/step structure
//! and a bounded set of candidate lines per step, and ranks them once the log is read.
//!
//! Memory does not grow with the log: each step keeps at most [`PER_STEP`] candidates (its
//! strongest and its latest) and its last unmarked line of output, each with a few lines of
//! context (each cut to [`CONTEXT_CHARS`]), a step that ended without failing keeps only its
//! best two, and past [`MAX_SEGMENTS`] steps new step markers stop splitting.

use std::collections::VecDeque;

use serde::Serialize;

use crate::class::Class;
use crate::matchers::MatcherState;
use crate::outcome::{build_outcome, is_bare_result_line, BuildOutcome};
use crate::passing::PassingRun;
use crate::signatures::{Signatures, TestRole};

/// Candidates kept per step while reading.
pub const PER_STEP: usize = 24;
/// Of the candidates kept per step, how many are the step's latest whatever their score.
const KEPT_TAIL: usize = 8;
/// Candidates kept by a step that ended without failing.
const PER_PASSED_STEP: usize = 2;
/// Steps after which markers no longer open new ones.
pub const MAX_SEGMENTS: usize = 5_000;
/// Lines of context kept before and after a candidate.
pub const CONTEXT: usize = 3;
/// Recent lines kept: a candidate's context, and a step's last words with theirs when the
/// failure marker comes a few lines after them.
const RECENT: usize = CONTEXT + 6;
/// Longest context line kept, in characters.
pub const CONTEXT_CHARS: usize = 400;
/// Echoed script lines kept per step (for mapping to the workflow).
const SCRIPT_LINES: usize = 12;
/// Lines between two candidates that make them one block of error output.
const BLOCK_GAP: usize = 3;
/// Signature score a line needs to head a block: a weak line above a stated error (a test's
/// `not ok 6` echo, a word like "error" in a name) does not push the error down.
pub(crate) const BLOCK_HEAD: f32 = 4.0;
/// What a candidate inside a block loses to the block's first line.
const BLOCK_FOLLOWER_PENALTY: f32 = 0.75;
/// The score of a failing step's last line of output when no signature marks it.
const LAST_WORDS: f32 = 1.5;
/// What a candidate loses when the part of the step it was read in ended with a summary of
/// no failures (a test run or build that passed).
const PASSED_PART_PENALTY: f32 = 3.0;
/// What a candidate gains when its tool printed it in red, the colour rustc, cargo, npm, Jest,
/// mocha, RSpec, xUnit and Gradle give their errors (ECMA-48 SGR 31/91). Measured on the
/// training split's repository folds: +1 and +2 gave the same, +0.5 less; a red line that no
/// signature matches stays below the candidate threshold (making it one lowered the figures).
const ERROR_EMPHASIS_BONUS: f32 = 1.0;
/// Lowest score that makes a line a candidate.
const MIN_SCORE: f32 = 1.0;
/// What a go test's `--- FAIL:` line loses when its own subtests failed too: go prints the
/// parent's verdict above the nested subtests' (`--- FAIL: TestA` then `    --- FAIL: TestA/b`),
/// so the parent only sums them up and the subtest's block holds the assertion. More than a
/// block follower's penalty plus the whole span of the position term.
const AGGREGATE_VERDICT_PENALTY: f32 = 2.0;
/// The score of a line an active problem matcher reports as an error: the tool's own
/// declaration that the line is an error, as strong as a specific signature.
pub(crate) const MATCHER_SCORE: f32 = 7.0;

/// A line of the log, located.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogLine {
    /// The file the line is in (the log, or a file of a run-log archive).
    pub file: String,
    /// 1-based line number in that file.
    pub line: usize,
    /// The cleaned text (no timestamp, no colours).
    pub text: String,
}

/// How a step ended, as far as the log says.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Failure {
    /// A non-zero exit code.
    ExitCode {
        /// The code.
        code: i64,
    },
    /// The step or job hit its time limit.
    TimedOut,
    /// The run was cancelled or the runner shut down.
    Cancelled,
    /// An error annotation without an exit line.
    Error,
}

/// A step of a job as found in the log.
#[derive(Debug, Clone, Serialize)]
pub struct StepLog {
    /// The step's title as the log shows it (`Run cargo test`, `Set up job`, `$ make test`).
    pub name: String,
    /// The file its lines are in.
    pub file: String,
    /// First and last line.
    pub first_line: usize,
    /// Last line.
    pub last_line: usize,
    /// How it failed, if it did.
    pub failure: Option<Failure>,
    /// The script lines the runner echoed (GitHub `Run` header), for mapping to the workflow.
    pub script: Vec<String>,
    /// `##[error]` lines in the step.
    pub error_lines: usize,
}

/// A job as found in the log.
#[derive(Debug, Clone, Serialize)]
pub struct JobLog {
    /// Its name (from `gh` columns, the archive, `Complete job name:`, or the file name).
    pub name: String,
    /// Its steps, in order.
    pub steps: Vec<StepLog>,
}

/// A ranked candidate explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The line.
    #[serde(flatten)]
    pub line: LogLine,
    /// Final score (higher explains the failure better).
    pub score: f32,
    /// Ids of the signatures it matched.
    pub signatures: Vec<String>,
    /// The owner of the problem matcher that reported the line as an error, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem_matcher: Option<String>,
    /// Lines before it.
    pub before: Vec<LogLine>,
    /// Lines after it.
    pub after: Vec<LogLine>,
    /// Index of its job and step.
    #[serde(skip)]
    pub job: usize,
    /// Step index in the job.
    #[serde(skip)]
    pub step: usize,
    #[serde(skip)]
    matched: Vec<usize>,
    #[serde(skip)]
    need_after: usize,
    /// The signature score alone, before position and step weigh in.
    #[serde(skip)]
    raw: f32,
    /// The block of error output it belongs to (candidates of one step close together).
    #[serde(skip)]
    block: usize,
    /// The part of its step it was read in: parts end at a test run's or build's summary.
    #[serde(skip)]
    part: usize,
    /// Whether the part it was read in ended with a summary of no failures.
    #[serde(skip)]
    passed_part: bool,
    /// Its part in a test runner's report, with the test it names, if it plays one.
    #[serde(skip)]
    test_report: Option<(TestRole, Option<String>)>,
    /// The failed test's block it was read in, if any (an index into its step's blocks).
    #[serde(skip)]
    failure_block: Option<usize>,
}

impl Candidate {
    /// Indices (in [`Signatures::list`]) of the signatures it matched.
    pub fn matched(&self) -> &[usize] {
        &self.matched
    }

    /// The block of error output it belongs to (candidates of one step close together).
    pub fn block(&self) -> usize {
        self.block
    }
}

struct Segment {
    step: StepLog,
    candidates: Vec<Candidate>,
    in_header: bool,
    pending_after: usize,
    /// The step's latest line of output while no signature marks it, kept as a candidate in
    /// case the step fails: a command's last words before it exits often say why (a script's
    /// own message, the check that tripped) in terms no signature knows.
    /// Its line number; the text is in `last_words_text` (a reused buffer: this changes on
    /// nearly every line, so it must not allocate), the context in the analyser's recent lines.
    last_words: Option<usize>,
    last_words_text: String,
    /// The current part of the step (see [`Candidate::part`]).
    part: usize,
    /// Inside RSpec's `Pending:` list: tests skipped on purpose, numbered like failures.
    in_pending_list: bool,
    /// Where the step is in an `npm ERR!` block.
    npm_block: NpmBlock,
    /// Where the step is in an error's chain of causes.
    causes: CauseChain,
    /// After surefire's `Failed tests:` or `Tests in error:` header: the header's score.
    surefire_list: Option<f32>,
    /// The language ecosystem of the tool the step runs, when its title names one.
    ecosystem: Option<&'static str>,
    /// The failed tests' blocks read in the step.
    failure_blocks: FailureBlocks,
}

/// What the whole read found, before ranking.
pub struct Reading {
    /// Jobs with their steps.
    pub jobs: Vec<JobLog>,
    candidates: Vec<Vec<Vec<Candidate>>>,
    /// Lines read.
    pub lines: usize,
    /// Lines longer than the reader keeps.
    pub truncated_lines: usize,
    /// Lines that carried GitHub decorations (timestamps, `##[` commands).
    pub github_lines: usize,
    /// How the build ended by the last end-of-build line of a plain CI's log
    /// (`Done. Your build exited with 1.`, `Finished: SUCCESS`, …), if it has one.
    pub build_outcome: Option<BuildOutcome>,
    /// Whether the log reaches the runner's end of job (so a log without failures passed,
    /// rather than being cut short).
    pub job_end: bool,
}

/// Feeds lines in, keeps what ranking needs.
pub struct Analyzer<'s> {
    signatures: &'s Signatures,
    jobs: Vec<(JobLog, Vec<Vec<Candidate>>)>,
    current: Option<Segment>,
    before: VecDeque<LogLine>,
    matched: Vec<usize>,
    segments: usize,
    lines: usize,
    truncated_lines: usize,
    github_lines: usize,
    build_outcome: Option<BuildOutcome>,
    job_end: bool,
    /// Split plain logs at `$ command` lines (off when steps come from the input's structure).
    split_on_markers: bool,
    /// The problem matchers registered in the current job.
    matchers: MatcherState<'s>,
    /// Lines left to wait for the end of a plain CI's "command exited" line whose command
    /// spans several lines (`The command "bash -c "` … `" exited with 1.`): the echoed script
    /// in between is the CI's, not the command's output.
    command_echo: usize,
    /// Passing runs of the job to compare each line with (`--passing`).
    passing: Option<&'s PassingRun>,
    /// Whether the line pushed next was shown in an error's colour.
    next_emphasised: bool,
}

impl<'s> Analyzer<'s> {
    /// A fresh analyser.
    pub fn new(signatures: &'s Signatures) -> Self {
        Self::with_matchers(signatures, &[])
    }

    /// A fresh analyser that also knows `matchers` (a repository's problem matchers).
    pub fn with_matchers(
        signatures: &'s Signatures,
        matchers: &'s [crate::matchers::ProblemMatcher],
    ) -> Self {
        Analyzer {
            signatures,
            jobs: Vec::new(),
            current: None,
            before: VecDeque::with_capacity(RECENT + 1),
            matched: Vec::new(),
            segments: 0,
            lines: 0,
            truncated_lines: 0,
            github_lines: 0,
            build_outcome: None,
            job_end: false,
            split_on_markers: true,
            matchers: MatcherState::with(matchers),
            command_echo: 0,
            passing: None,
            next_emphasised: false,
        }
    }

    /// Compare every line with passing runs of the job ([`crate::passing`]).
    pub fn compare_with(&mut self, passing: &'s PassingRun) {
        self.passing = Some(passing);
    }

    /// Whether the line pushed next was shown in an error's colour (red).
    pub fn error_emphasis(&mut self, emphasised: bool) {
        self.next_emphasised = emphasised;
    }

    /// Start a job; lines until the next job belong to it.
    pub fn begin_job(&mut self, name: &str) {
        self.close_segment();
        // A job opened before the input named it (the first `gh` line) takes the name.
        if let Some((job, _)) = self.jobs.last_mut() {
            if job.steps.is_empty() {
                job.name = name.to_string();
                return;
            }
        }
        self.matchers.reset();
        self.jobs.push((
            JobLog {
                name: name.to_string(),
                steps: Vec::new(),
            },
            Vec::new(),
        ));
    }

    /// Name the current job (from `Complete job name:`), unless the input named it already.
    fn rename_job(&mut self, name: &str) {
        if let Some((job, _)) = self.jobs.last_mut() {
            job.name = name.to_string();
        }
    }

    /// Start a step known from the input's structure (`gh` columns, an archive file).
    pub fn begin_step(&mut self, name: &str, file: &str, line: usize, structural: bool) {
        self.split_on_markers = !structural;
        self.open_segment(name, file, line);
    }

    fn open_segment(&mut self, name: &str, file: &str, line: usize) {
        self.close_segment();
        if self.jobs.is_empty() {
            self.begin_job("job");
        }
        self.segments += 1;
        self.before.clear();
        self.matchers.step_started(name);
        self.current = Some(Segment {
            step: StepLog {
                name: truncate(name, 200),
                file: file.to_string(),
                first_line: line,
                last_line: line,
                failure: None,
                script: Vec::new(),
                error_lines: 0,
            },
            candidates: Vec::new(),
            in_header: false,
            pending_after: 0,
            last_words: None,
            last_words_text: String::new(),
            part: 0,
            in_pending_list: false,
            npm_block: NpmBlock::Outside,
            causes: CauseChain::default(),
            surefire_list: None,
            ecosystem: crate::tools::tool_of_command(name, &[])
                .and_then(|tool| crate::tools::ecosystem(tool.family)),
            failure_blocks: FailureBlocks::default(),
        });
    }

    fn close_segment(&mut self) {
        self.close_segment_at(false);
    }

    /// Close the current step; `log_end` when the log ends inside it.
    fn close_segment_at(&mut self, log_end: bool) {
        let Some(mut segment) = self.current.take() else {
            return;
        };
        // A step the log ends in, before the job's end, did not end as far as the log shows
        // (a log cut while the failing command ran): it keeps its candidates.
        let unfinished = log_end && !self.job_end;
        yield_verdicts_to_failure_blocks(&mut segment);
        if segment.step.failure.is_none() && segment.step.error_lines == 0 && !unfinished {
            segment
                .candidates
                .sort_by(|a, b| b.score.total_cmp(&a.score));
            segment.candidates.truncate(PER_PASSED_STEP);
        }
        if let Some((job, candidates)) = self.jobs.last_mut() {
            job.steps.push(segment.step);
            candidates.push(segment.candidates);
        }
    }

    /// Feed one cleaned line.
    pub fn push(&mut self, file: &str, number: usize, text: &str, github: bool, truncated: bool) {
        let emphasised = std::mem::take(&mut self.next_emphasised);
        self.lines += 1;
        if truncated {
            self.truncated_lines += 1;
        }
        if github {
            self.github_lines += 1;
        }
        let may_split = self.segments < MAX_SEGMENTS;
        // The CI's echo of the command a plain log's part runs (`$ make test`): the part's
        // title, not its output, whatever words the command line holds.
        let mut command_echo_line = false;
        if let Some(rest) = text.strip_prefix("##[group]") {
            if let Some(run) = rest.strip_prefix("Run ") {
                if may_split && self.split_on_markers {
                    self.open_segment(&format!("Run {}", run.trim()), file, number);
                }
                if let Some(segment) = &mut self.current {
                    segment.in_header = true;
                }
            }
        } else if text.starts_with("Post job cleanup.") && may_split && self.split_on_markers {
            self.open_segment("Post job cleanup", file, number);
        } else if let Some(name) = text.strip_prefix("Complete job name: ") {
            let name = name.trim().to_string();
            self.rename_job(&name);
        } else if text.starts_with("$ ") && may_split && self.split_on_markers && !github {
            self.open_segment(text.trim(), file, number);
            command_echo_line = true;
        }
        if self.current.is_none() {
            let name = if github { "Set up job" } else { "log" };
            self.open_segment(name, file, number);
        }
        let echo_open = self.command_echo > 0;
        let Some(segment) = self.current.as_mut() else {
            return;
        };
        segment.step.last_line = number;
        let mut line_failure = None;
        if segment.in_header {
            // `echo "::add-matcher::…"` in the script registers a matcher for what follows.
            self.matchers.command(text);
            if text.starts_with("##[endgroup]") {
                segment.in_header = false;
            } else if !text.starts_with("##[group]")
                && !text.starts_with("shell: ")
                && !text.starts_with("env:")
                && !text.starts_with("with:")
                && !text.starts_with("  ")
                && segment.step.script.len() < SCRIPT_LINES
            {
                segment.step.script.push(truncate(text, 300));
            }
        } else {
            line_failure = failure_of(text);
            if !github {
                line_failure = line_failure.or_else(|| command_echo_failure(echo_open, text));
            }
            // A plain log's command may run several tools; one that reports its own non-zero
            // exit marks the part of the log it ran in, when the CI's own marker is missing.
            if line_failure.is_none() && !github && tool_failed(text) {
                line_failure = Some(Failure::Error);
            }
            if text.starts_with("##[error]") {
                segment.step.error_lines += 1;
            }
            if text.starts_with("Cleaning up orphan processes") {
                self.job_end = true;
            }
            if let Some(outcome) = build_outcome(text).filter(|_| !github) {
                self.build_outcome = Some(outcome);
            }
        }
        let header = segment.in_header || text.starts_with("##[endgroup]");

        // After-context for earlier candidates.
        if segment.pending_after > 0 {
            for candidate in &mut segment.candidates {
                if candidate.need_after > 0 {
                    candidate.after.push(context_line(file, number, text));
                    candidate.need_after -= 1;
                    if candidate.need_after == 0 {
                        segment.pending_after -= 1;
                    }
                }
            }
        }

        if !header {
            if text.starts_with("Pending: (Failures listed here are expected") {
                segment.in_pending_list = true;
            } else if segment.in_pending_list && !text.trim().is_empty() && !text.starts_with(' ') {
                // The list's entries are indented; `Failures:`, `Finished in` or any other
                // unindented line ends it.
                segment.in_pending_list = false;
            }
        }
        if !header && !text.trim().is_empty() && !segment.in_pending_list {
            self.signatures.matches(text, &mut self.matched);
            let mut score = if self.matched.is_empty() {
                0.0
            } else {
                self.signatures.score_in(&self.matched, segment.ecosystem)
            };
            let test_report = if self.matched.is_empty() {
                None
            } else {
                self.signatures.test_role(&self.matched, text)
            };
            let failure_block = segment
                .failure_blocks
                .follow(test_report.as_ref(), number, text);
            let problem = if self.matchers.command(text) {
                None
            } else {
                self.matchers.line(text)
            };
            if problem.is_some() && score < MATCHER_SCORE {
                score = MATCHER_SCORE;
            }
            match segment.npm_block.read(text) {
                NpmLine::Message => score = score.max(NPM_MESSAGE_SCORE),
                NpmLine::Relay if score > 0.0 => score -= NPM_RELAY_PENALTY,
                NpmLine::Relay | NpmLine::Other => {}
            }
            let runner_line = echo_open
                || command_echo_line
                || text.starts_with("##[")
                || text.starts_with("travis_")
                || text.starts_with("The command \"")
                || line_failure.is_some();
            if emphasised && !runner_line && score >= MIN_SCORE {
                // The tool itself coloured the line as an error: among lines the signatures
                // already call errors, it is the one the tool meant. Alone it makes no line a
                // candidate (diffs, banners and progress bars are red too).
                score += ERROR_EMPHASIS_BONUS;
            }
            if self.signatures.refers_back(&self.matched) {
                // A summary that counts the errors above it: the first of them explains it.
                raise_counted_diagnostic(segment, score, self.passing);
            }
            let candidates = &segment.candidates;
            let cause = segment.causes.read(text, || {
                candidates
                    .iter()
                    .filter(|c| c.line.line + CAUSE_HEAD_LINES >= number)
                    .map(|c| c.raw)
                    .fold(0.0, f32::max)
            });
            if let Some(shallower) = cause.shallower {
                // A deeper cause follows: the one above it only relays it.
                if let Some(kept) = segment
                    .candidates
                    .iter_mut()
                    .find(|c| c.line.line == shallower.line)
                {
                    kept.score = shallower.score;
                    kept.raw = shallower.score;
                }
            }
            if let Some(header) = segment.surefire_list.take() {
                // The list's first entry names the test and its error; the header only
                // announces the list.
                score = score.max(header + DEEPEST_CAUSE_MARGIN);
            }
            if surefire_failure_list(text) {
                segment.surefire_list = Some(score);
            }
            if let Some(cause_score) = cause.cause_score {
                let own = score;
                score = score.max(cause_score);
                segment.causes.deepest = Some(Cause {
                    line: number,
                    score: own,
                });
            }
            let score = match self.passing {
                Some(passing) => {
                    let own_output = !runner_line && segment.step.failure.is_none();
                    passing.rescore(text, score, own_output)
                }
                None => score,
            };
            if runner_line || segment.step.failure.is_some() {
                // The runner's own lines are not the command's words, and what follows a
                // failure marker is not what led to it.
            } else if score >= MIN_SCORE {
                segment.last_words = None;
            } else if score >= 0.0 {
                segment.last_words = Some(number);
                segment.last_words_text.clear();
                segment.last_words_text.push_str(text);
            }
            // A CI's bare exit line (`ERROR: Job failed: exit code 1`, `Finished: FAILURE`)
            // says that the build failed, never why: the lines above it are the cause.
            let bare_exit_line = matches!(line_failure, Some(Failure::ExitCode { .. }))
                || (!github && is_bare_result_line(text));
            if score >= MIN_SCORE && !bare_exit_line && !command_echo_line {
                let candidate = Candidate {
                    line: LogLine {
                        file: file.to_string(),
                        line: number,
                        text: truncate(text, 2_000),
                    },
                    score,
                    signatures: Vec::new(),
                    problem_matcher: problem.map(|p| p.owner),
                    before: recent_context(&self.before, number),
                    after: Vec::new(),
                    job: 0,
                    step: 0,
                    matched: self.matched.clone(),
                    need_after: CONTEXT,
                    raw: score,
                    block: 0,
                    part: segment.part,
                    passed_part: false,
                    test_report,
                    failure_block,
                };
                insert_bounded(segment, candidate);
            }
        }

        if !header {
            if let Some(passed) = summary_verdict(text) {
                // What a run reports as passing did not fail it: errors its tests logged on
                // purpose, a build's warnings, a retried download before `BUILD SUCCESSFUL`.
                if passed {
                    let part = segment.part;
                    for candidate in &mut segment.candidates {
                        if candidate.part == part {
                            candidate.passed_part = true;
                        }
                    }
                }
                segment.part += 1;
                segment.failure_blocks.close();
            }
        }
        if let Some(failure) = line_failure {
            if segment.step.failure.is_none() {
                if let Some(line) = segment.last_words.take() {
                    let marker = context_line(file, number, text);
                    let candidate =
                        last_words(line, &segment.last_words_text, &self.before, &marker);
                    insert_bounded(segment, candidate);
                }
            }
            if segment.step.failure.is_none()
                || matches!(segment.step.failure, Some(Failure::Error))
            {
                segment.step.failure = Some(failure);
            }
        }
        // Reuse the oldest context line's buffers: no allocation per line read.
        let mut slot = if self.before.len() == RECENT {
            self.before
                .pop_front()
                .unwrap_or_else(|| context_line("", 0, ""))
        } else {
            context_line("", 0, "")
        };
        slot.file.clear();
        slot.file.push_str(file);
        slot.line = number;
        slot.text.clear();
        push_truncated(text, CONTEXT_CHARS, &mut slot.text);
        self.before.push_back(slot);

        // A plain CI's "command exited" line ends the command's segment; `travis_retry`'s
        // "failed. Retrying, 2 of 3." lines are inside the command and do not.
        if !github
            && self.split_on_markers
            && ((text.starts_with("The command \"") && text.contains("\" exited with "))
                || (echo_open && command_echo_end(text).is_some()))
        {
            self.close_segment();
        }
        if !github && text.starts_with("The command \"") && !text.contains("\" exited with ") {
            self.command_echo = COMMAND_ECHO_LINES;
        } else if self.command_echo > 0 {
            self.command_echo -= 1;
            if command_echo_end(text).is_some() {
                self.command_echo = 0;
            }
        }
    }

    /// Stop reading: the structure and the kept candidates.
    pub fn finish(mut self) -> Reading {
        self.close_segment_at(true);
        let mut jobs = Vec::new();
        let mut candidates = Vec::new();
        for (job, kept) in self.jobs {
            jobs.push(job);
            candidates.push(kept);
        }
        Reading {
            jobs,
            candidates,
            lines: self.lines,
            truncated_lines: self.truncated_lines,
            github_lines: self.github_lines,
            build_outcome: self.build_outcome,
            job_end: self.job_end,
        }
    }
}

/// Lines a failed test's block spans at most after its header, when no other header, verdict
/// or summary ends it first.
const FAILURE_BLOCK_SPAN: usize = 60;
/// Failed tests' blocks followed per step: past them, a long run's further failures are not.
const MAX_FAILURE_BLOCKS: usize = 64;
/// Least signature score of the line that explains a failed test's block: a stated error or
/// assertion (`generic.error-word` and above), not a stack frame, a warning or a diff line.
const BLOCK_EXPLANATION_MIN: f32 = 2.0;

/// A failed test's block: the test it reports and the line of its header.
#[derive(Debug)]
struct FailureBlock {
    test: Option<String>,
    header: usize,
}

/// The failed tests' blocks of a step, and the one the step's output is in.
#[derive(Debug, Default)]
struct FailureBlocks {
    blocks: Vec<FailureBlock>,
    /// The open block, the last line it may span, and for a block under its verdict, the
    /// verdict's indentation, which the block's lines exceed.
    open: Option<(usize, usize, Option<usize>)>,
}

impl FailureBlocks {
    /// Follow line `number` (`text`) with its test-report role: the block the line is in, if
    /// any (a header is not in its own block). A header opens a block; a verdict or a summary,
    /// the span running out or the end of the run's part (see [`FailureBlocks::close`]) ends
    /// it, and so does, under a verdict that heads its block, a line indented no deeper than
    /// the verdict (go, Gradle, Pester, TAP and xUnit indent a test's reasons under it; what
    /// comes back to the verdict's margin is the next test or the tool that ran them).
    fn follow(
        &mut self,
        report: Option<&(TestRole, Option<String>)>,
        number: usize,
        text: &str,
    ) -> Option<usize> {
        match report {
            Some((role @ (TestRole::Block | TestRole::VerdictAndBlock), test)) => {
                self.open = None;
                if self.blocks.len() < MAX_FAILURE_BLOCKS {
                    let margin = (*role == TestRole::VerdictAndBlock).then(|| indentation(text));
                    self.open = Some((self.blocks.len(), number + FAILURE_BLOCK_SPAN, margin));
                    self.blocks.push(FailureBlock {
                        test: test.as_deref().map(|t| truncate(t, 200)),
                        header: number,
                    });
                }
                return None;
            }
            Some((TestRole::Verdict | TestRole::Summary | TestRole::Passed, _)) => {
                self.open = None;
                return None;
            }
            None => {}
        }
        let back_at_margin = |margin: Option<usize>| {
            margin.is_some_and(|margin| {
                !text.trim().is_empty() && !is_heading(text) && indentation(text) <= margin
            })
        };
        match self.open {
            Some((block, last, margin)) if number <= last && !back_at_margin(margin) => Some(block),
            _ => {
                self.open = None;
                None
            }
        }
    }

    /// The run's part ended (a summary line): no block stays open past it.
    fn close(&mut self) {
        self.open = None;
    }
}

/// What the line that explains a failed test's block scores over the best verdict or summary
/// that refers to it (as a deeper cause over the error it explains).
const EXPLANATION_MARGIN: f32 = DEEPEST_CAUSE_MARGIN;

/// A test runner's verdicts and summaries yield to the failure blocks they report: the line
/// that explains a block (its first stated error: the assertion, the panic, expected against
/// actual) ranks above every verdict of the same test (matched by name where the verdict and
/// the block give one, else the block the verdict heads) and above the run's summaries and
/// rerun hints, which refer to the step's first explained block.
fn yield_verdicts_to_failure_blocks(segment: &mut Segment) {
    let blocks = &segment.failure_blocks.blocks;
    if blocks.is_empty() {
        return;
    }
    let candidates = &mut segment.candidates;
    // The explaining candidate of each block: its first stated error (a line as strong as a
    // block's head: pytest's `E` line, not the `>` source line above it), else its first line
    // that reads as an error at all. The runners print the assertion, panic or expected against
    // actual first under the header; what follows is its stack trace.
    let mut explanation: Vec<Option<usize>> = vec![None; blocks.len()];
    for (index, candidate) in candidates.iter().enumerate() {
        let Some(block) = candidate.failure_block else {
            continue;
        };
        if candidate.test_report.is_some()
            || candidate.raw < BLOCK_EXPLANATION_MIN
            || is_heading(&candidate.line.text)
        {
            continue;
        }
        let Some(slot) = explanation.get_mut(block) else {
            continue;
        };
        let stated = |c: &Candidate| c.raw >= BLOCK_HEAD;
        let better = match *slot {
            None => true,
            Some(kept) => {
                let kept = &candidates[kept];
                (stated(candidate), std::cmp::Reverse(candidate.line.line))
                    > (stated(kept), std::cmp::Reverse(kept.line.line))
            }
        };
        if better {
            *slot = Some(index);
        }
    }
    let mut least: Vec<Option<f32>> = vec![None; blocks.len()];
    for candidate in candidates.iter() {
        let Some((role, test)) = &candidate.test_report else {
            continue;
        };
        let explained = |b: &usize| explanation[*b].is_some();
        let target = match (role, test) {
            (TestRole::Block | TestRole::Passed, _) => None,
            (TestRole::Verdict | TestRole::VerdictAndBlock, Some(test)) => {
                (0..blocks.len()).filter(explained).find(|&b| {
                    blocks[b]
                        .test
                        .as_deref()
                        .is_some_and(|t| same_test(t, test))
                })
            }
            (TestRole::VerdictAndBlock, None) => (0..blocks.len())
                .filter(explained)
                .find(|&b| blocks[b].header == candidate.line.line),
            (TestRole::Verdict | TestRole::Summary, _) => (0..blocks.len()).find(explained),
        };
        if let Some(block) = target {
            let need = least[block].get_or_insert(candidate.score);
            *need = need.max(candidate.score);
        }
    }
    for (block, need) in least.into_iter().enumerate() {
        let (Some(need), Some(index)) = (need, explanation[block]) else {
            continue;
        };
        let explaining = &mut candidates[index];
        explaining.score = explaining.score.max(need + EXPLANATION_MARGIN);
        explaining.raw = explaining.raw.max(need + EXPLANATION_MARGIN);
    }
}

/// The width of a line's leading blanks, in characters.
fn indentation(text: &str) -> usize {
    text.chars().take_while(|c| c.is_whitespace()).count()
}

/// Whether a line only announces what the lines under it say (`Error Message:`, `Stack Trace:`,
/// `failures:`): a heading of a block, not its message.
fn is_heading(text: &str) -> bool {
    text.trim()
        .strip_suffix(':')
        .is_some_and(|head| head.chars().all(|c| c.is_alphanumeric() || c == ' '))
}

/// Whether two names a test runner prints are of the same test: equal once their separators
/// (`::`, `.`, `/`, ` › `, ` > `, `#`) are one, or one the trailing part of the other
/// (pytest's `TestX.test_y` header and its `tests/x.py::TestX::test_y` verdict, Jest's `● suite
/// › name` block and its `✕ name` verdict).
fn same_test(a: &str, b: &str) -> bool {
    let parts = |name: &str| -> Vec<String> {
        name.replace("::", "\u{1f}")
            .replace(" › ", "\u{1f}")
            .replace(" > ", "\u{1f}")
            .split(['\u{1f}', '.', '/', '#'])
            .map(|part| part.trim().to_string())
            .filter(|part| !part.is_empty())
            .collect()
    };
    let (a, b) = (parts(a), parts(b));
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty() && long.ends_with(&short)
}

/// The least score of the first error-level diagnostic a compiler's summary counts
/// (`aborting due to 2 previous errors`): a stated compiler error, as
/// `generic.compiler-diagnostic` scores one.
const COUNTED_DIAGNOSTIC_SCORE: f32 = 8.0;

/// A summary that counts the diagnostics above it was read, scoring `summary`: the first
/// error-level diagnostic of the same part of the step ranks at least as a stated compiler
/// error and above the summary, whether or not a signature knows its tool. A diagnostic that a
/// passing run of the job printed too did not fail this one: the first new one is raised.
fn raise_counted_diagnostic(segment: &mut Segment, summary: f32, passing: Option<&PassingRun>) {
    let part = segment.part;
    let least = COUNTED_DIAGNOSTIC_SCORE.max(summary + DEEPEST_CAUSE_MARGIN);
    let printed_when_passing =
        |text: &str| passing.is_some_and(|run| matches!(run.seen(text), crate::passing::Seen::Yes));
    if let Some(first) = segment
        .candidates
        .iter_mut()
        .filter(|c| c.part == part)
        .find(|c| is_error_diagnostic(&c.line.text) && !printed_when_passing(&c.line.text))
    {
        first.score = first.score.max(least);
        first.raw = first.raw.max(least);
    }
}

/// Whether a line opens an error-level diagnostic in the shapes compilers share: led by its
/// severity, with or without a code (`error: …`, `error[E0425]: …`, `fatal error: …`,
/// `error TS2304: …`), or by its location in the GNU form (`file.c:3:5: error: …`, GNU Coding
/// Standards, "Formatting Error Messages") or MSBuild's (`File.cs(3,5): error CS0103: …`).
pub fn is_error_diagnostic(text: &str) -> bool {
    let line = text.trim_start();
    let line = line.strip_prefix("##[error]").unwrap_or(line);
    if severity_led(line) || maven_compiler_diagnostic(line) || shell_error(line) {
        return true;
    }
    // A location first: `path:line[:col]: ` or `path(line[,col]): `, then the severity.
    let Some(colon) = line.find(": ") else {
        return false;
    };
    let (location, rest) = (&line[..colon], &line[colon + 2..]);
    if location.contains(char::is_whitespace) {
        return false;
    }
    let gnu = location
        .rsplit(':')
        .take_while(|part| is_number(part))
        .count()
        >= 1;
    let msbuild = location.ends_with(')')
        && location.rfind('(').is_some_and(|open| {
            location[open + 1..location.len() - 1]
                .split(',')
                .all(is_number)
        });
    (gnu || msbuild) && severity_led(rest)
}

/// Whether a line is a compiler diagnostic as Maven logs it: its `[ERROR]` level tag, then the
/// file and `[line,column]` (maven-compiler-plugin: `[ERROR] /src/A.java:[12,5] cannot find
/// symbol`).
fn maven_compiler_diagnostic(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("[ERROR] ") else {
        return false;
    };
    let location = rest.split_whitespace().next().unwrap_or("");
    location
        .strip_suffix(']')
        .and_then(|location| location.rsplit_once(":["))
        .is_some_and(|(file, position)| !file.is_empty() && position.split(',').all(is_number))
}

/// Whether a line is a POSIX shell's own error: bash's `script.sh: line 3: cmd: message`, dash's
/// `/bin/sh: 3: cmd: message`. A shell prints nothing else in that form.
fn shell_error(line: &str) -> bool {
    let Some((program, rest)) = line.split_once(": ") else {
        return false;
    };
    if program.is_empty() || program.contains(char::is_whitespace) {
        return false;
    }
    let number = rest.strip_prefix("line ").unwrap_or(rest);
    let Some((digits, message)) = number.split_once(": ") else {
        return false;
    };
    is_number(digits)
        && (rest.starts_with("line ") || program.ends_with("sh"))
        && !message.trim().is_empty()
}

/// Whether `text` is a decimal number: one digit or more, nothing else (a line or column).
fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` starts with an error severity and its colon: `error:`, `error[E0425]:`,
/// `error TS2304:`, `fatal error:`, in any case.
fn severity_led(text: &str) -> bool {
    let rest = strip_prefix_ignoring_case(text, "fatal error")
        .or_else(|| strip_prefix_ignoring_case(text, "error"));
    let Some(rest) = rest else {
        return false;
    };
    if rest.starts_with(':') {
        return true;
    }
    let code_then_colon = |code: &str, digits: bool| {
        !code.is_empty()
            && code.bytes().all(|b| b.is_ascii_alphanumeric())
            && (!digits || code.bytes().any(|b| b.is_ascii_digit()))
    };
    if let Some(code) = rest.strip_prefix('[') {
        return code
            .split_once("]:")
            .is_some_and(|(code, _)| code_then_colon(code, false));
    }
    if let Some(code) = rest.strip_prefix(' ') {
        return code
            .split_once(':')
            .is_some_and(|(code, _)| code_then_colon(code, true));
    }
    false
}

/// `text` without `prefix`, compared ignoring ASCII case.
fn strip_prefix_ignoring_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.as_bytes().get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| text.get(prefix.len()..))
        .flatten()
}

fn insert_bounded(segment: &mut Segment, candidate: Candidate) {
    segment.pending_after += 1;
    segment.candidates.push(candidate);
    if segment.candidates.len() <= PER_STEP {
        return;
    }
    // Drop the weakest of the older candidates, the later one on ties. The newest
    // [`KEPT_TAIL`] stay whatever their score: the output just before a command fails is where
    // its error usually is, and a long step's strong early noise must not push it out.
    let older = segment.candidates.len() - KEPT_TAIL;
    let mut weakest = 0;
    for (index, kept) in segment.candidates[..older].iter().enumerate() {
        if kept.score <= segment.candidates[weakest].score {
            weakest = index;
        }
    }
    let dropped = segment.candidates.remove(weakest);
    if dropped.need_after > 0 {
        segment.pending_after -= 1;
    }
}

/// The context lines of line `number` among the recent lines: the [`CONTEXT`] before it.
fn recent_context(recent: &VecDeque<LogLine>, number: usize) -> Vec<LogLine> {
    let first = number.saturating_sub(CONTEXT);
    recent
        .iter()
        .filter(|l| l.line >= first && l.line < number)
        .cloned()
        .collect()
}

/// A step's last words (line `number`) as a candidate, when the failure marker `current` is
/// read: its context is what the recent lines and the marker hold; lines after it that are
/// not read yet come as for any candidate.
fn last_words(
    number: usize,
    text: &str,
    recent: &VecDeque<LogLine>,
    current: &LogLine,
) -> Candidate {
    let mut after: Vec<LogLine> = recent
        .iter()
        .filter(|l| l.line > number && l.line <= number + CONTEXT)
        .cloned()
        .collect();
    if current.line <= number + CONTEXT {
        after.push(current.clone());
    }
    Candidate {
        line: LogLine {
            file: current.file.clone(),
            line: number,
            text: truncate(text, 2_000),
        },
        score: LAST_WORDS,
        signatures: Vec::new(),
        problem_matcher: None,
        before: recent_context(recent, number),
        need_after: CONTEXT.saturating_sub(after.len()),
        after,
        job: 0,
        step: 0,
        matched: Vec::new(),
        raw: LAST_WORDS,
        block: 0,
        part: 0,
        passed_part: false,
        test_report: None,
        failure_block: None,
    }
}

fn context_line(file: &str, number: usize, text: &str) -> LogLine {
    LogLine {
        file: file.to_string(),
        line: number,
        text: truncate(text, CONTEXT_CHARS),
    }
}

/// `text` cut to at most `max` characters.
pub fn truncate(text: &str, max: usize) -> String {
    let mut out = String::new();
    push_truncated(text, max, &mut out);
    out
}

/// Append `text` cut to at most `max` characters (and `…` when cut) to `out`.
fn push_truncated(text: &str, max: usize, out: &mut String) {
    // No more bytes than `max` means no more characters: skip the character walk.
    if text.len() <= max {
        out.push_str(text);
        return;
    }
    match text.char_indices().nth(max) {
        Some((at, _)) => {
            out.push_str(&text[..at]);
            out.push('…');
        }
        None => out.push_str(text),
    }
}

/// The failure a line reports, if it is one of the runner's or a CI's terminal lines.
fn failure_of(text: &str) -> Option<Failure> {
    if let Some(message) = text.strip_prefix("##[error]") {
        if let Some(rest) = message.strip_prefix("Process completed with exit code ") {
            let code = rest.trim_end_matches('.').trim().parse().unwrap_or(1);
            return Some(Failure::ExitCode { code });
        }
        if message.contains("has timed out after")
            || message.contains("has exceeded the maximum execution time")
        {
            return Some(Failure::TimedOut);
        }
        if message.starts_with("The operation was canceled")
            || message.contains("received a shutdown signal")
        {
            return Some(Failure::Cancelled);
        }
        return Some(Failure::Error);
    }
    if let Some(rest) = text.strip_prefix("The command \"") {
        let code = rest
            .rsplit_once("\" exited with ")
            .and_then(|(_, code)| code.trim_end_matches('.').trim().parse::<i64>().ok())?;
        return (code != 0).then_some(Failure::ExitCode { code });
    }
    if let Some(rest) = text.strip_prefix("ERROR: Job failed: exit code ") {
        let code = rest.trim().parse().unwrap_or(1);
        return Some(Failure::ExitCode { code });
    }
    if text.starts_with("ERROR: Job failed: execution took longer than") {
        return Some(Failure::TimedOut);
    }
    if let Some(rest) = text.strip_prefix("ERROR: script returned exit code ") {
        let code = rest.trim().parse().unwrap_or(1);
        return Some(Failure::ExitCode { code });
    }
    None
}

/// What a test run's or build's summary line says: `Some(true)` for no failures, `Some(false)`
/// for failures or a summary that cannot tell (it still ends a part), `None` for a line that
/// is no summary. The forms are the runners' own (Maven and Gradle builds, MSBuild, surefire,
/// minitest, RSpec, PHPUnit, pytest, cargo).
fn summary_verdict(text: &str) -> Option<bool> {
    let line = text.trim();
    let line = line.strip_prefix("[INFO] ").unwrap_or(line);
    let line = line.strip_prefix("[info] ").unwrap_or(line);
    let first = *line.as_bytes().first()?;
    if !matches!(
        first,
        b'B' | b'T' | b'O' | b'F' | b'=' | b'0'..=b'9' | b't' | b'['
    ) {
        return None;
    }
    if line.starts_with("BUILD SUCCESS") || line == "Build succeeded." {
        return Some(true);
    }
    if line.starts_with("BUILD FAIL") || line == "Build FAILED." || line.starts_with("FAILURES!") {
        return Some(false);
    }
    if let Some(rest) = line.strip_prefix("test result: ") {
        return Some(rest.starts_with("ok."));
    }
    if line.starts_with("OK (") && line.contains(" test") {
        return Some(true);
    }
    if line.starts_with("Tests run: ") && line.contains("Failures: ") {
        // Surefire's per-class line comes before the class's failures in older versions and
        // after its output in newer ones: it ends a part but cannot say the part passed.
        if line.contains("Time elapsed") {
            return Some(false);
        }
        return Some(line.contains("Failures: 0,") && line.contains("Errors: 0"));
    }
    if first.is_ascii_digit() {
        // minitest `98 runs, 620 assertions, 0 failures, 0 errors, 0 skips`, RSpec
        // `12 examples, 0 failures`.
        if line.contains(" runs, ") && line.contains(" assertions, ") {
            return Some(line.contains(" 0 failures, 0 errors"));
        }
        if line.contains(" examples, ") && line.contains(" failure") {
            return Some(line.contains(" examples, 0 failures"));
        }
        return None;
    }
    if first == b'=' && line.ends_with('=') && line.contains(" in ") {
        // pytest `===== 12 passed, 1 warning in 0.52s =====`.
        if line.contains(" failed") || line.contains(" error") {
            return Some(false);
        }
        if line.contains(" passed") {
            return Some(true);
        }
    }
    None
}

/// The score of the line that states why npm failed (the first message of its `npm ERR!`
/// block, when the error is npm's own rather than a package script's exit).
const NPM_MESSAGE_SCORE: f32 = 8.0;

/// What a script's exit costs each line of npm's report of it: the report only relays the exit
/// (`Failed at the app@1.0.0 lint script.`, `This is probably not a problem with npm.`), the
/// script's output above it says why; as much as a noise signature.
const NPM_RELAY_PENALTY: f32 = 3.0;

/// Where a step is in npm's error report. npm prints an error as one block: `npm ERR! code X`,
/// then metadata (`errno`, `syscall`, `path`, `command`), then the message that explains it,
/// then pointers to its debug log. A script's non-zero exit (`code ELIFECYCLE`, npm 7's
/// `code 1`) is explained above the block, by the script's own output; any other code by the
/// block's first message line (`npm ERR! 404 Not Found - GET https://…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NpmBlock {
    /// Not in a block, or past its message.
    Outside,
    /// After the `code` line of an error npm explains itself, before its message.
    AwaitingMessage,
    /// In the report of a package script's non-zero exit.
    ScriptExit,
}

/// What a line is in npm's error report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NpmLine {
    /// Not part of a report, or a part that neither explains nor relays.
    Other,
    /// The message that explains npm's own error.
    Message,
    /// A line of the report of a script's exit.
    Relay,
}

impl NpmBlock {
    /// Follow `text`; what it is in npm's report.
    fn read(&mut self, text: &str) -> NpmLine {
        let Some(rest) = text
            .strip_prefix("npm ERR! ")
            .or_else(|| text.strip_prefix("npm error "))
        else {
            if !text.starts_with("npm ERR!") && !text.starts_with("npm error") {
                *self = NpmBlock::Outside;
            } else if *self == NpmBlock::ScriptExit {
                return NpmLine::Relay;
            }
            return NpmLine::Other;
        };
        if let Some(code) = rest.strip_prefix("code ") {
            let code = code.trim();
            let script_exit = code == "ELIFECYCLE" || code.bytes().all(|b| b.is_ascii_digit());
            *self = if script_exit {
                NpmBlock::ScriptExit
            } else {
                NpmBlock::AwaitingMessage
            };
            return if script_exit {
                NpmLine::Relay
            } else {
                NpmLine::Other
            };
        }
        if *self == NpmBlock::ScriptExit {
            return NpmLine::Relay;
        }
        let metadata = [
            "errno", "syscall", "path", "command", "signal", "dest", "file",
        ]
        .iter()
        .any(|key| rest.strip_prefix(key).is_some_and(|r| r.starts_with(' ')));
        if *self == NpmBlock::AwaitingMessage && !metadata && !rest.trim().is_empty() {
            *self = NpmBlock::Outside;
            return NpmLine::Message;
        }
        NpmLine::Other
    }
}

/// Whether a line is the header of surefire's list of failed tests in its `Results :` summary
/// (`Failed tests:`, `Tests in error:`), whose entries follow one per line.
fn surefire_failure_list(text: &str) -> bool {
    let line = text.trim();
    let line = line.strip_prefix("[ERROR]").unwrap_or(line).trim();
    matches!(line, "Failed tests:" | "Tests in error:")
}

/// What the deepest cause of an error chain scores over the error it explains (more than
/// the block follower's penalty it pays under that error, so it ranks above it).
const DEEPEST_CAUSE_MARGIN: f32 = 1.5;
/// Lines above a `Caused by:` header searched for the error it explains.
const CAUSE_HEAD_LINES: usize = 6;

/// A cause line kept as a candidate, with the score it had before it was the deepest.
#[derive(Debug, Clone, Copy)]
struct Cause {
    line: usize,
    score: f32,
}

/// An error's chain of causes as Rust's cargo and anyhow print it: the error, then for each
/// cause a bare `Caused by:` header and the cause on the line under it. The last cause is the
/// deepest, the one the others wrap, so it explains the error best (`failed to download` …
/// `Caused by:` … `SSL connect error`). JVM traces print `Caused by: X` inline, but a test run's
/// log is full of traces its tests printed on purpose, so those are left to their signatures.
#[derive(Debug, Clone, Copy, Default)]
struct CauseChain {
    /// After a `Caused by:` header: the score of the error the chain explains.
    awaiting: Option<f32>,
    /// The error's score while inside a chain (its lines so far were causes or headers).
    head: Option<f32>,
    /// The deepest cause so far.
    deepest: Option<Cause>,
}

/// What a line is in a chain of causes.
struct CauseReading {
    /// The score the line takes as the deepest cause so far, if it states one.
    cause_score: Option<f32>,
    /// The previous deepest cause, which the line shows is not the deepest.
    shallower: Option<Cause>,
}

impl CauseChain {
    /// Follow `text`; `head` is the best score among the candidates just above it.
    fn read(&mut self, text: &str, head: impl FnOnce() -> f32) -> CauseReading {
        let line = text.trim();
        let mut reading = CauseReading {
            cause_score: None,
            shallower: None,
        };
        if line == "Caused by:" {
            let head = match self.head {
                Some(head) => head,
                None => head(),
            };
            self.head = Some(head);
            self.awaiting = Some(head);
            return reading;
        }
        if let Some(head) = self.awaiting.take() {
            reading.shallower = self.deepest.take();
            reading.cause_score = Some(head + DEEPEST_CAUSE_MARGIN);
            return reading;
        }
        // Any other line ends the chain.
        self.head = None;
        self.deepest = None;
        reading
    }
}

/// Longest echoed command a multi-line "command exited" line is followed through.
const COMMAND_ECHO_LINES: usize = 200;

/// The failure that ends a multi-line "command exited" line, while one is open.
fn command_echo_failure(open: bool, text: &str) -> Option<Failure> {
    let code = command_echo_end(text).filter(|_| open)?;
    (code != 0).then_some(Failure::ExitCode { code })
}

/// The exit code on the last line of a multi-line "command exited" line (`" exited with 1.`).
fn command_echo_end(text: &str) -> Option<i64> {
    let (_, code) = text.rsplit_once("\" exited with ")?;
    code.trim_end_matches('.').trim().parse().ok()
}

/// Whether a line is a build tool reporting its own non-zero exit (yarn, npm, make).
fn tool_failed(text: &str) -> bool {
    text.starts_with("error Command failed with exit code ")
        || text.starts_with("npm ERR! code ELIFECYCLE")
        || (text.starts_with("make") && text.contains(": *** ") && text.contains(" Error "))
}

impl Reading {
    /// Whether anything in the log says a step or the build failed.
    pub fn any_failure(&self) -> bool {
        self.build_outcome == Some(BuildOutcome::Failed)
            || self
                .jobs
                .iter()
                .flat_map(|j| &j.steps)
                .any(|s| s.failure.is_some())
    }

    /// The job to explain: the one matching `filter` (case-insensitive substring), else the
    /// first with a failing step, else the first.
    pub fn pick_job(&self, filter: Option<&str>) -> Option<usize> {
        if let Some(filter) = filter {
            let filter = filter.to_lowercase();
            return self
                .jobs
                .iter()
                .position(|j| j.name.to_lowercase() == filter)
                .or_else(|| {
                    self.jobs
                        .iter()
                        .position(|j| j.name.to_lowercase().contains(&filter))
                });
        }
        self.jobs
            .iter()
            .position(|j| j.steps.iter().any(|s| is_terminal(s.failure)))
            .or_else(|| {
                self.jobs
                    .iter()
                    .position(|j| j.steps.iter().any(|s| s.failure.is_some()))
            })
            .or(if self.jobs.is_empty() { None } else { Some(0) })
    }

    /// The failing step of job `job`: the first that ended with an exit code, time-out or
    /// cancellation, else the first with an error annotation.
    pub fn failing_step(&self, job: usize) -> Option<usize> {
        let steps = &self.jobs.get(job)?.steps;
        steps
            .iter()
            .position(|s| is_terminal(s.failure))
            .or_else(|| steps.iter().position(|s| s.failure.is_some()))
    }

    /// Rank the candidates of `job`: the failing steps' first, by score and position.
    pub fn rank(&self, job: usize, signatures: &Signatures) -> Vec<Candidate> {
        let Some(steps) = self.jobs.get(job).map(|j| &j.steps) else {
            return Vec::new();
        };
        let Some(kept) = self.candidates.get(job) else {
            return Vec::new();
        };
        let failing = self.failing_step(job);
        let failed_steps: Vec<usize> = steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.failure.is_some())
            .map(|(i, _)| i)
            .collect();
        let plain = self.github_lines == 0;
        let mut pool: Vec<Candidate> = Vec::new();
        for (step_index, candidates) in kept.iter().enumerate() {
            let step = &steps[step_index];
            let in_failing = Some(step_index) == failing;
            let in_failed = failed_steps.contains(&step_index);
            let span = (step.last_line.saturating_sub(step.first_line)).max(1) as f32;
            for candidate in candidates {
                let mut candidate = candidate.clone();
                candidate.job = job;
                candidate.step = step_index;
                let position = (candidate.line.line.saturating_sub(step.first_line)) as f32 / span;
                // The first error usually causes the rest: earlier lines win ties.
                let mut score = candidate.score - 1.0 * position;
                if candidate.passed_part {
                    score -= PASSED_PART_PENALTY;
                }
                if in_failing {
                    score += 6.0;
                } else if in_failed && plain && failing.is_some_and(|f| step_index < f) {
                    // In a plain log a part before the failing command can only have failed
                    // by a tool's own report (npm, yarn, make) while the CI carried on; what
                    // it left broken is what the failing command then trips over, so the
                    // first failure weighs as much as the last.
                    score += 6.0;
                } else if in_failed {
                    score += 3.0;
                } else if failing.is_some() {
                    score -= 2.0;
                }
                candidate.score = score;
                candidate.signatures = candidate
                    .matched
                    .iter()
                    .filter_map(|&i| signatures.list.get(i).map(|s| s.id.clone()))
                    .collect();
                pool.push(candidate);
            }
        }
        yield_to_failed_subtests(&mut pool);
        // A block of error lines is one failure told several times (a compiler error and its
        // notes, a test failure and its assertion, a cascade): the first line of the block
        // starts the story, so lines that follow a stated error closely yield to it on ties.
        pool.sort_by_key(|c| (c.step, c.line.line));
        let mut previous: Option<(usize, usize, f32)> = None;
        let mut block = 0;
        for candidate in &mut pool {
            let here = (candidate.step, candidate.line.line);
            let mut same_block = false;
            if let Some((step, line, head)) = previous {
                same_block = step == here.0 && here.1.saturating_sub(line) <= BLOCK_GAP;
                if same_block && head >= BLOCK_HEAD {
                    candidate.score -= BLOCK_FOLLOWER_PENALTY;
                }
            }
            if !same_block {
                block += 1;
            }
            candidate.block = block;
            previous = Some((here.0, here.1, candidate.raw));
        }
        // The same text again is one candidate with the best score of the repeats. On GitHub it
        // is a retried command, and the last attempt is the one that failed the step; in plain
        // logs repeats are cascades of the first error, so the first stays.
        let keep_last = self.github_lines > 0;
        let mut by_text: std::collections::HashMap<String, usize> = Default::default();
        let mut unique: Vec<Candidate> = Vec::new();
        pool.sort_by_key(|c| (c.step, c.line.line));
        for candidate in pool {
            match by_text.get(&candidate.line.text) {
                Some(&at) if keep_last => {
                    let score = unique[at].score.max(candidate.score);
                    unique[at] = candidate;
                    unique[at].score = score;
                }
                Some(&at) => {
                    unique[at].score = unique[at].score.max(candidate.score);
                }
                None => {
                    by_text.insert(candidate.line.text.clone(), unique.len());
                    unique.push(candidate);
                }
            }
        }
        unique.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.step.cmp(&b.step))
                .then(a.line.line.cmp(&b.line.line))
        });
        diversify(&mut unique);
        unique
    }
}

/// The test a go `--- FAIL: TestName (0.01s)` line names, at any nesting depth.
pub fn go_failed_test(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix("--- FAIL: ")?;
    rest.split_whitespace().next()
}

/// A go test whose subtests failed is reported first and indented least; its subtests' lines
/// explain it, so the parent's verdict gives way to theirs (see [`AGGREGATE_VERDICT_PENALTY`]).
fn yield_to_failed_subtests(pool: &mut [Candidate]) {
    let failed: Vec<(usize, String)> = pool
        .iter()
        .filter_map(|c| go_failed_test(&c.line.text).map(|name| (c.step, format!("{name}/"))))
        .collect();
    if failed.len() < 2 {
        return;
    }
    for candidate in pool.iter_mut() {
        let Some(name) = go_failed_test(&candidate.line.text) else {
            continue;
        };
        let has_failed_subtest = failed.iter().any(|(step, prefix)| {
            *step == candidate.step
                && prefix.len() > name.len() + 1
                && prefix.starts_with(name)
                && prefix.as_bytes().get(name.len()) == Some(&b'/')
        });
        if has_failed_subtest {
            candidate.score -= AGGREGATE_VERDICT_PENALTY;
        }
    }
}

/// Ranked places that go to different blocks of output where the candidates allow.
const DIVERSE_PLACES: usize = 3;

/// Give the first [`DIVERSE_PLACES`] places to different blocks of output: runner-ups that
/// repeat the best line's block (the later lines of one compiler error, one test's failures
/// listed one per line) add little next to the best line of another block, which may hold the
/// failure the best line is not. The line right under the best one is exempt: it is the best
/// line's own message (a test's verdict, then its exception). The best line keeps its place,
/// so does the order within the diverse places and past them (by score).
fn diversify(ranked: &mut [Candidate]) {
    let Some(best) = ranked.first() else {
        return;
    };
    let (best_step, best_line) = (best.step, best.line.line);
    let message = |c: &Candidate| c.step == best_step && c.line.line == best_line + 1;
    for place in 1..DIVERSE_PLACES.min(ranked.len()) {
        let taken =
            |c: &Candidate| !message(c) && ranked[..place].iter().any(|p| p.block == c.block);
        if !taken(&ranked[place]) {
            continue;
        }
        let stated_error = |c: &Candidate| c.raw >= BLOCK_HEAD;
        if let Some(offset) = ranked[place..]
            .iter()
            .position(|c| !taken(c) && stated_error(c))
        {
            ranked[place..=place + offset].rotate_right(1);
        }
    }
}

fn is_terminal(failure: Option<Failure>) -> bool {
    matches!(
        failure,
        Some(Failure::ExitCode { .. } | Failure::TimedOut | Failure::Cancelled)
    )
}

/// Votes of the top candidates for a class.
#[derive(Debug, Clone, Serialize)]
pub struct Vote {
    /// The class.
    pub class: Class,
    /// Its share of the evidence.
    pub weight: f32,
    /// The signatures that voted for it.
    pub signatures: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_step_keeps_its_latest_candidates_past_stronger_early_ones() {
        // A service that is slow to start floods the step with strong network errors; the test
        // that then fails states a weaker error, just before the exit. It must stay a candidate.
        let signatures = Signatures::builtin();
        let mut analyzer = Analyzer::new(signatures);
        let mut lines = vec!["$ npm test".to_string()];
        for attempt in 1..=PER_STEP + 6 {
            lines.push(format!(
                "wait-for-db: connect ECONNREFUSED 127.0.0.1:5432 (attempt {attempt}/30)"
            ));
        }
        lines.push("  1) users can sign up:".into());
        lines.push("     Error: relation \"users\" does not exist".into());
        lines.push("The command \"npm test\" exited with 1.".into());
        for (index, line) in lines.iter().enumerate() {
            analyzer.push("travis.log", index + 1, line, false, false);
        }
        let reading = analyzer.finish();
        let ranked = reading.rank(0, signatures);
        let failing_test = lines.len() - 2;
        assert!(
            ranked.iter().any(|c| c.line.line == failing_test),
            "{:?}",
            ranked.iter().map(|c| c.line.line).collect::<Vec<_>>()
        );
        assert!(ranked.len() <= PER_STEP + 1);
    }

    /// The ranked line numbers of a plain log made of `lines`.
    fn ranked_lines_of(lines: &[&str]) -> Vec<usize> {
        let signatures = Signatures::builtin();
        let mut analyzer = Analyzer::new(signatures);
        for (index, line) in lines.iter().enumerate() {
            analyzer.push("travis.log", index + 1, line, false, false);
        }
        let reading = analyzer.finish();
        reading
            .rank(0, signatures)
            .iter()
            .map(|c| c.line.line)
            .collect()
    }

    #[test]
    fn npms_own_error_is_explained_by_the_first_message_of_its_block() {
        // npm's error report: code, metadata, then the message; the pointers to its debug log
        // and the code line say nothing of the cause.
        let ranked = ranked_lines_of(&[
            "$ npm ci",
            "npm ERR! code E404",
            "npm ERR! 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found",
            "npm ERR! 404",
            "npm ERR! 404  'left-padd@^1.3.0' is not in this registry.",
            "npm ERR! A complete log of this run can be found in:",
            "npm ERR!     /home/travis/.npm/_logs/2019-05-02T10_00_00_000Z-debug.log",
            "The command \"npm ci\" exited with 1.",
        ]);
        assert_eq!(ranked.first(), Some(&3), "{ranked:?}");
    }

    #[test]
    fn a_package_scripts_exit_is_explained_above_npms_block() {
        let ranked = ranked_lines_of(&[
            "$ npm run lint",
            "> app@1.0.0 lint /home/travis/build/octo/app",
            "> eslint src",
            "/home/travis/build/octo/app/src/index.js",
            "  12:5  error  'unused' is assigned a value but never used  no-unused-vars",
            "npm ERR! code ELIFECYCLE",
            "npm ERR! errno 1",
            "npm ERR! app@1.0.0 lint: `eslint src`",
            "npm ERR! Exit status 1",
            "The command \"npm run lint\" exited with 1.",
        ]);
        assert_eq!(ranked.first(), Some(&5), "{ranked:?}");
    }

    #[test]
    fn the_deepest_cause_of_a_cargo_error_explains_it() {
        // cargo and anyhow print each cause under its own `Caused by:` header; the last one
        // is what the others wrap.
        let ranked = ranked_lines_of(&[
            "$ cargo build --locked",
            "error: failed to get `serde` as a dependency of package `app v0.1.0`",
            "",
            "Caused by:",
            "  failed to load source for dependency `serde`",
            "",
            "Caused by:",
            "  [6] Couldn't resolve host name (Could not resolve host: index.crates.io)",
            "The command \"cargo build --locked\" exited with 101.",
        ]);
        assert_eq!(ranked.first(), Some(&8), "{ranked:?}");
        let shallower = ranked.iter().position(|&l| l == 5);
        let head = ranked.iter().position(|&l| l == 2);
        assert!(shallower > head, "{ranked:?}");
    }

    #[test]
    fn surefires_failed_test_list_is_told_by_its_first_entry() {
        let ranked = ranked_lines_of(&[
            "$ mvn -B test",
            "Results :",
            "",
            "Failed tests: ",
            "  ParserTest.parsesEmptyInput:42 expected:<1> but was:<0>",
            "",
            "Tests run: 12, Failures: 1, Errors: 0, Skipped: 0",
            "The command \"mvn -B test\" exited with 1.",
        ]);
        assert_eq!(ranked.first(), Some(&5), "{ranked:?}");
    }

    /// The ranked line numbers of a plain log made of `lines`, read with the built-in
    /// signatures less those whose id starts with one of `left_out` (a tool no signature knows).
    fn ranked_lines_without(lines: &[&str], left_out: &[&str]) -> Vec<usize> {
        let mut blocks = crate::signatures::SIGNATURES_TOML.split("\n[[signature]]\n");
        let mut text = blocks.next().unwrap_or_default().to_string();
        for block in blocks {
            let id = block.lines().next().unwrap_or_default();
            if !left_out
                .iter()
                .any(|prefix| id.starts_with(&format!("id = \"{prefix}")))
            {
                text.push_str("\n[[signature]]\n");
                text.push_str(block);
            }
        }
        let signatures = Signatures::parse(&text).unwrap();
        let mut analyzer = Analyzer::new(&signatures);
        for (index, line) in lines.iter().enumerate() {
            analyzer.push("travis.log", index + 1, line, false, false);
        }
        let reading = analyzer.finish();
        reading
            .rank(0, &signatures)
            .iter()
            .map(|c| c.line.line)
            .collect()
    }

    #[test]
    fn a_compilers_count_of_its_errors_is_explained_by_the_first_error_it_counts() {
        // rustc's own signatures left out: what remains knows `error: ` lines and that the
        // count is a summary, not that `error[E0425]` is rustc's error.
        let log = [
            "$ cargo build --verbose",
            "   Compiling term v0.1.0 (/home/travis/build/octo/term)",
            "error[E0425]: cannot find value `CURSOR` in this scope",
            "  --> src/cursor.rs:70:26",
            "   |",
            "70 |     RasterizedGlyph { c: CURSOR, top: 0 }",
            "   |                          ^^^^^^ not found in this scope",
            "",
            "error: aborting due to previous error",
            "",
            "For more information about this error, try `rustc --explain E0425`.",
            "error: Could not compile `term`.",
            "The command \"cargo build --verbose\" exited with 101.",
        ];
        let ranked = ranked_lines_without(&log, &["rust."]);
        assert_eq!(ranked.first(), Some(&3), "{ranked:?}");
        let summary = ranked.iter().position(|&l| l == 9);
        assert!(summary.is_none_or(|at| at > 0), "{ranked:?}");
    }

    /// The first line of `log` with the built-in signatures, and with the test runners'
    /// report roles (the `test.` data: verdicts, blocks, summaries) left out besides `left_out`.
    fn first_with_and_without_test_roles(log: &[&str], left_out: &[&str]) -> (usize, usize) {
        let with = ranked_lines_without(log, left_out);
        let mut without_roles = left_out.to_vec();
        without_roles.push("test.");
        let without = ranked_lines_without(log, &without_roles);
        (
            with.first().copied().unwrap_or(0),
            without.first().copied().unwrap_or(0),
        )
    }

    #[test]
    fn libtests_verdict_and_rerun_hint_yield_to_the_panic_in_the_tests_block() {
        // rustc's panic signature left out: the block is known by libtest's documented layout
        // (`---- name stdout ----` under `test name ... FAILED`), not by the panic's words.
        let log = [
            "$ cargo test --verbose",
            "running 3 tests",
            "test grid::tests::scrolls_up ... ok",
            "test term::tests::selects_a_line ... FAILED",
            "test term::tests::selects_a_word ... ok",
            "",
            "failures:",
            "",
            "---- term::tests::selects_a_line stdout ----",
            "thread 'term::tests::selects_a_line' panicked at 'assertion failed: requested < self.len', src/grid/storage.rs:195:9",
            "note: Run with `RUST_BACKTRACE=1` environment variable to display a backtrace.",
            "",
            "failures:",
            "    term::tests::selects_a_line",
            "",
            "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
            "",
            "error: test failed, to rerun pass '-p term --lib'",
            "The command \"cargo test --verbose\" exited with 101.",
        ];
        let (with, without) = first_with_and_without_test_roles(&log, &["rust.panic"]);
        assert_eq!(with, 10);
        assert_eq!(without, 4, "the verdict wins without the pairing");
    }

    #[test]
    fn pytests_short_summary_verdict_yields_to_the_assertion_in_the_tests_section() {
        let log = [
            "$ python -m pytest tests",
            "tests/test_parser.py .F.                                                 [100%]",
            "",
            "=================================== FAILURES ===================================",
            "_________________________ TestParser.test_empty_input _________________________",
            "",
            "self = <tests.test_parser.TestParser object at 0x7f>",
            "",
            "    def test_empty_input(self):",
            ">       assert len(parse(\"\")) == 0",
            "E       assert 1 == 0",
            "E        +  where 1 = len([Token(kind='eof')])",
            "",
            "tests/test_parser.py:12: AssertionError",
            "=========================== short test summary info ============================",
            "FAILED tests/test_parser.py::TestParser::test_empty_input - assert 1 == 0",
            "========================= 1 failed, 2 passed in 0.05s ==========================",
            "The command \"python -m pytest tests\" exited with 1.",
        ];
        let (with, without) = first_with_and_without_test_roles(&log, &[]);
        assert_eq!(with, 11, "the first `E` line states the assertion");
        assert_ne!(without, with);
    }

    #[test]
    fn a_jest_verdict_yields_to_the_expectation_in_its_bullet_block() {
        let log = [
            "$ npx jest",
            "FAIL src/parser.test.js",
            "  Parser",
            "    \u{2713} parses a number (3 ms)",
            "    \u{2715} parses an empty file (5 ms)",
            "",
            "  \u{25cf} Parser \u{203a} parses an empty file",
            "",
            "    expect(received).toBe(expected) // Object.is equality",
            "",
            "    Expected: 0",
            "    Received: 1",
            "",
            "Tests:       1 failed, 1 passed, 2 total",
            "The command \"npx jest\" exited with 1.",
        ];
        let (with, without) = first_with_and_without_test_roles(&log, &[]);
        assert_eq!(with, 9);
        assert_eq!(
            without, 5,
            "the `\u{2715}` verdict wins without the pairing"
        );
    }

    #[test]
    fn a_pester_verdict_yields_to_expected_against_actual_and_its_block_ends_at_the_next_test() {
        let log = [
            "$ pwsh -c Invoke-Pester",
            "Describing Get-Sum",
            "    [-] returns the sum 12ms (10ms|2ms)",
            "     Expected 3, but got 4.",
            "     at $sum | Should -Be 3, /home/travis/build/octo/sum/Sum.Tests.ps1:5",
            "    [+] fails on text input when the parameter is missing 4ms (2ms|2ms)",
            "Tests Passed: 1, Failed: 1, Skipped: 0 NotRun: 0",
            "The command \"pwsh -c Invoke-Pester\" exited with 1.",
        ];
        let (with, without) = first_with_and_without_test_roles(&log, &[]);
        assert_eq!(with, 4);
        assert_eq!(without, 3);
    }

    #[test]
    fn a_gradle_verdict_yields_to_the_exception_under_it() {
        let log = [
            "$ ./gradlew test",
            "> Task :test",
            "",
            "com.example.ParserTest > parsesEmptyInput() FAILED",
            "    java.lang.AssertionError: expected:<0> but was:<1>",
            "        at org.junit.Assert.fail(Assert.java:89)",
            "        at com.example.ParserTest.parsesEmptyInput(ParserTest.java:12)",
            "",
            "3 tests completed, 1 failed",
            "",
            "FAILURE: Build failed with an exception.",
            "The command \"./gradlew test\" exited with 1.",
        ];
        let (with, without) = first_with_and_without_test_roles(&log, &[]);
        assert_eq!(with, 5);
        assert_eq!(without, 4);
        // A verdict with nothing indented under it keeps its place: Gradle's own banner under
        // it is at its margin, no line of its block.
        let bare = [
            "$ ./gradlew build",
            "LogDifferTest > testGithubParsing() FAILED",
            "FAILURE: Build failed with an exception.",
            "The command \"./gradlew build\" exited with 1.",
        ];
        assert_eq!(ranked_lines_of(&bare).first(), Some(&2));
    }

    #[test]
    fn an_xunit_verdicts_block_is_its_indented_lines_less_their_headings() {
        // vstest's layout: the reason indented under the verdict, after an `Error Message:`
        // heading at the verdict's margin; the build tool's report below is not the block's.
        let log = [
            "$ dotnet test",
            "  Failed Parser.Tests.ParsesEmptyInput [12 ms]",
            "  Error Message:",
            "   Assert.Equal() Failure",
            "Expected: 0",
            "Actual:   1",
            "  Stack Trace:",
            "     at Parser.Tests.ParsesEmptyInput() in /home/travis/build/octo/Parser.Tests/ParserTests.cs:line 12",
            "Failed!  - Failed:     1, Passed:    11, Skipped:     0, Total:    12",
            "Error: One or more errors occurred.",
            "The command \"dotnet test\" exited with 1.",
        ];
        let ranked = ranked_lines_of(&log);
        assert_eq!(ranked.first(), Some(&4), "{ranked:?}");
    }

    #[test]
    fn test_names_match_across_a_runners_verdict_and_block_forms() {
        assert!(same_test(
            "TestParser.test_empty_input",
            "tests/test_parser.py::TestParser::test_empty_input"
        ));
        assert!(same_test(
            "Parser \u{203a} parses an empty file",
            "parses an empty file"
        ));
        assert!(same_test(
            "term::tests::selects_a_line",
            "term::tests::selects_a_line"
        ));
        assert!(!same_test(
            "term::tests::selects_a_line",
            "term::tests::selects_a_word"
        ));
        assert!(!same_test("TestA", "TestA/b"));
        assert!(is_heading("  Error Message:"));
        assert!(!is_heading("E   AssertionError: assert 1 == 0"));
    }

    #[test]
    fn error_level_diagnostics_are_known_by_their_shape() {
        let diagnostics = [
            "error: linking with `cc` failed: exit status: 1",
            "error[E0425]: cannot find value `x` in this scope",
            "fatal error: too many errors emitted, stopping now",
            "error TS2304: Cannot find name 'describe'.",
            "src/main.c:12:5: error: 'x' undeclared (first use in this function)",
            "src/main.c:12: fatal error: stdio.h: No such file or directory",
            "Main.java:3: error: cannot find symbol",
            "src/app.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
            "Program.cs(7,13): error CS0103: The name 'x' does not exist in the current context",
            "##[error]src/lib.rs:3:5: error: expected `;`",
            "[ERROR] /home/u/app/src/main/java/A.java:[12,5] cannot find symbol",
            "./scripts/install.sh: line 12: cd: vendor: No such file or directory",
            "bash: line 1: protoc: command not found",
            "/bin/sh: 1: cmake: not found",
        ];
        for line in diagnostics {
            assert!(is_error_diagnostic(line), "{line}");
        }
        let others = [
            "error",
            "errors: 0",
            "Error handling was improved in 2.0",
            "src/main.c:12:5: warning: unused variable 'x'",
            "make: *** [all] Error 2",
            "note: error[E0425] was reported above",
            "see src/a.c:3: error: above",
            "error in module: x",
            "[ERROR] Failed to execute goal x:y:1.0:compile (default) on project app: Compilation failure",
            "[ERROR]   symbol:   class Foo",
            "[INFO] /src/A.java:[12,5] deprecated",
            "Tests: 3: passed",
            "bash: line",
        ];
        for line in others {
            assert!(!is_error_diagnostic(line), "{line}");
        }
    }

    #[test]
    fn summary_lines_say_whether_their_run_passed() {
        let passed = [
            "BUILD SUCCESSFUL in 41s",
            "[INFO] BUILD SUCCESS",
            "Build succeeded.",
            "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out",
            "OK (78 tests, 91 assertions)",
            "98 runs, 620 assertions, 0 failures, 0 errors, 0 skips",
            "124 examples, 0 failures",
            "Tests run: 312, Failures: 0, Errors: 0, Skipped: 2",
            "======================== 86 passed, 3 warnings in 4.12s ========================",
        ];
        for line in passed {
            assert_eq!(summary_verdict(line), Some(true), "{line}");
        }
        let failed_or_unclear = [
            "BUILD FAILED in 13s",
            "FAILURES!",
            "test result: FAILED. 11 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
            "1 runs, 1 assertions, 1 failures, 0 errors, 0 skips",
            "124 examples, 2 failures",
            "Tests run: 7, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.096 sec",
            "==================== 1 failed, 85 passed in 4.31s ====================",
        ];
        for line in failed_or_unclear {
            assert_eq!(summary_verdict(line), Some(false), "{line}");
        }
        for line in ["Ran 12 tests in 0.3s", "Build started", "OK", "  98 runs"] {
            assert_eq!(summary_verdict(line), None, "{line}");
        }
    }
}
