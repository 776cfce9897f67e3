//! Classification of a failure from the block of output that explains it and the command that
//! failed, rather than from the first signature that matched.
//!
//! A generic error line ("ERROR: …", an exception's class) says that something failed; a cause
//! stated in the same block (an HTTP 503 from `git fetch`, `dns error`, `class file has wrong
//! version`, `owned by someone else`) says why. So the lines of the best candidate's block, its
//! context included, vote first; a cause stated there outweighs the symptoms around it, and the
//! runner-ups outside the block vote with less weight. When the evidence is weak the class is
//! `unknown` with the candidate classes, most likely first; the failing command decides the
//! likely classes when no line does (a package install that fails without saying why is a setup
//! or network failure, a test run a code bug). A package manager reports missing what it could
//! not download: a missing-dependency or version answer after a network failure in the same
//! step is the network's.

use std::collections::BTreeMap;

use crate::analyzer::{Candidate, LogLine};
use crate::calibration;
use crate::signatures::Signatures;
use crate::tools::{self, ToolKind};
use crate::{Class, Classification, Evidence};

/// Each class's summed vote and the evidence behind it.
type Votes = BTreeMap<Class, (f32, Vec<Evidence>)>;
/// The classes with their votes, strongest first.
type Ranked = Vec<(Class, f32, Vec<Evidence>)>;

/// How many ranked lines outside the best block vote.
const OUTSIDE_VOTERS: usize = 5;
/// What a vote from outside the best block counts, before its rank decay.
const OUTSIDE_WEIGHT: f32 = 0.5;
/// What a context line (not itself a candidate) of the best block counts.
const CONTEXT_WEIGHT: f32 = 0.7;
/// What a stated cause (any class but code bug) counts over a symptom in the same block: the
/// cause explains the error lines around it, the reverse is rare.
const CAUSE_FACTOR: f32 = 1.5;
/// The weight an unclassified error line adds to the total (evidence for no class in particular).
const UNEXPLAINED_WEIGHT: f32 = 2.0;
/// Below this vote the best class is not decided: the answer is `unknown` with candidates.
const DECIDING_VOTE: f32 = 5.0;
/// Below this share of the votes the best class is not decided either.
const DECIDING_SHARE: f32 = 0.4;

/// The failing command as far as the log shows it: the step's title and its echoed script.
#[derive(Debug, Clone, Copy, Default)]
pub struct Command<'a> {
    /// The step's title (`Run cargo test`, `$ npm ci`).
    pub title: &'a str,
    /// The script lines the runner echoed.
    pub script: &'a [String],
}

/// Classify the failure explained by `candidates` (ranked, best first) in the failing `command`.
pub fn classify(
    candidates: &[Candidate],
    signatures: &Signatures,
    command: Command<'_>,
) -> Classification {
    let tool = tools::tool_of_command(command.title, command.script);
    let kind = tool.map_or(ToolKind::Other, |t| t.kind);
    let ecosystem = tool.and_then(|t| tools::ecosystem(t.family));
    let mut votes: Votes = BTreeMap::new();
    let mut total = 0.0f32;
    let mut matched = Vec::new();
    let mut vote = |line: &LogLine, matcher: bool, weight: f32, total: &mut f32| {
        signatures.matches(&line.text, &mut matched);
        let strongest = matched
            .iter()
            .filter_map(|&i| signatures.list.get(i))
            .filter(|s| s.class.is_some() && s.vote_weight() > 0.0)
            .max_by(|a, b| a.vote_weight().total_cmp(&b.vote_weight()));
        let Some((signature, class)) = strongest.and_then(|s| Some((s, s.class?))) else {
            if matcher {
                // A problem matcher reports compiler and linter errors: the code's.
                let weight = crate::analyzer::MATCHER_SCORE * weight;
                *total += weight;
                let entry = votes.entry(Class::CodeBug).or_default();
                entry.0 += weight;
                entry.1.push(Evidence {
                    signature: "problem-matcher".into(),
                    line: line.line,
                    text: line.text.clone(),
                });
            } else if signatures.score(&matched) >= crate::analyzer::BLOCK_HEAD {
                *total += UNEXPLAINED_WEIGHT * weight;
            }
            return;
        };
        let prefix = signature.id.split('.').next().unwrap_or("");
        let factor = if class != Class::CodeBug {
            CAUSE_FACTOR
        } else if ecosystem.is_some_and(|e| e != prefix && signatures.is_language(prefix)) {
            crate::signatures::FOREIGN_ECOSYSTEM
        } else {
            1.0
        };
        let weight = signature.vote_weight() * weight * factor;
        *total += weight;
        let entry = votes.entry(class).or_default();
        entry.0 += weight;
        entry.1.push(Evidence {
            signature: signature.id.clone(),
            line: line.line,
            text: line.text.clone(),
        });
    };
    if let Some(best) = candidates.first() {
        let block: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| c.step == best.step && c.block() == best.block())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for candidate in &block {
            seen.insert(candidate.line.line);
        }
        for candidate in &block {
            let weight = if candidate.line.line == best.line.line {
                1.0
            } else {
                0.8
            };
            let matcher = candidate.problem_matcher.is_some();
            vote(&candidate.line, matcher, weight, &mut total);
        }
        for candidate in &block {
            for line in candidate.before.iter().chain(&candidate.after) {
                if seen.insert(line.line) {
                    vote(line, false, CONTEXT_WEIGHT, &mut total);
                }
            }
        }
        let outside = candidates
            .iter()
            .filter(|c| !(c.step == best.step && c.block() == best.block()))
            .take(OUTSIDE_VOTERS);
        for (rank, candidate) in outside.enumerate() {
            let decay = OUTSIDE_WEIGHT / (1.0 + rank as f32 * 0.8);
            let matcher = candidate.problem_matcher.is_some();
            vote(&candidate.line, matcher, decay, &mut total);
        }
    }
    let mut ranked = ranked_votes(votes);
    if let (Some(best), Some((top, _, _))) = (candidates.first(), ranked.first()) {
        if MISSING_WHEN_UNREACHABLE.contains(top) {
            if let Some(network) = network_failure_before(candidates, best, signatures) {
                ranked = ranked_votes(blame_the_network(ranked, network));
            }
        }
    }
    let likely = likely_classes(kind);
    let Some((class, weight, evidence)) = ranked.first().cloned() else {
        return undecided(likely.to_vec(), 0.0, Vec::new());
    };
    let share = if total > 0.0 { weight / total } else { 0.0 };
    if weight < DECIDING_VOTE || share < DECIDING_SHARE {
        let mut classes: Vec<Class> = ranked.iter().map(|(c, _, _)| *c).collect();
        for class in likely {
            if !classes.contains(class) {
                classes.push(*class);
            }
        }
        return undecided(classes, share, evidence);
    }
    let raw = (share * 100.0).round() / 100.0;
    Classification {
        class,
        confidence: calibration::calibrated(raw),
        raw_confidence: raw,
        candidates: Vec::new(),
        evidence,
    }
}

/// The classes' votes, strongest first (ties in the classes' order).
fn ranked_votes(votes: Votes) -> Ranked {
    let mut ranked: Ranked = votes
        .into_iter()
        .map(|(class, (weight, evidence))| (class, weight, evidence))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

/// Classes a package manager answers with when it could not download what it looked for: apt's
/// `Unable to locate package` after its index fetch failed, pip's `from versions: none` after
/// its retries, a build backend's failed `git clone`.
const MISSING_WHEN_UNREACHABLE: [Class; 2] = [Class::MissingDependency, Class::ToolVersion];

/// The network failure (a `net.` signature of the flaky class) that the failing step reported
/// at or before its best line, if any: what the tool then calls missing, it could not reach.
/// The step's candidates up to the best line are read, and the lines printed right before each
/// (a tool's retry warnings often rank below the error they end in).
fn network_failure_before(
    candidates: &[Candidate],
    best: &Candidate,
    signatures: &Signatures,
) -> Option<Evidence> {
    let network = |matched: &[usize]| {
        matched.iter().find_map(|&i| {
            let signature = signatures.list.get(i)?;
            (signature.class == Some(Class::Flaky) && signature.id.starts_with("net."))
                .then_some(signature)
        })
    };
    let evidence = |signature: &crate::signatures::Signature, line: &LogLine| Evidence {
        signature: signature.id.clone(),
        line: line.line,
        text: line.text.clone(),
    };
    let mut matched = Vec::new();
    candidates
        .iter()
        .filter(|c| c.job == best.job && c.step == best.step && c.line.line <= best.line.line)
        .find_map(|c| {
            if let Some(signature) = network(c.matched()) {
                return Some(evidence(signature, &c.line));
            }
            c.before.iter().find_map(|line| {
                signatures.matches(&line.text, &mut matched);
                network(&matched).map(|signature| evidence(signature, line))
            })
        })
}

/// The votes with those of the classes in [`MISSING_WHEN_UNREACHABLE`] counted for `Flaky`:
/// they are the consequence of the unreachable network, which `network` shows.
fn blame_the_network(ranked: Ranked, network: Evidence) -> Votes {
    let mut votes: Votes = BTreeMap::new();
    for (class, weight, evidence) in ranked {
        let class = if MISSING_WHEN_UNREACHABLE.contains(&class) {
            Class::Flaky
        } else {
            class
        };
        let entry = votes.entry(class).or_default();
        entry.0 += weight;
        entry.1.extend(evidence);
    }
    let flaky = &mut votes.entry(Class::Flaky).or_default().1;
    flaky.retain(|e| e.line != network.line);
    // The network failure first: it explains the rest.
    flaky.sort_by_key(|e| !e.signature.starts_with("net."));
    flaky.insert(0, network);
    votes
}

/// An `unknown` answer listing `classes`, most likely first.
fn undecided(classes: Vec<Class>, share: f32, evidence: Vec<Evidence>) -> Classification {
    let raw = (share * 100.0).round() / 100.0;
    Classification {
        class: Class::Unknown,
        confidence: calibration::calibrated(raw),
        raw_confidence: raw,
        candidates: classes,
        evidence,
    }
}

/// The classes a failure of a command of `kind` most likely has when its output does not say.
fn likely_classes(kind: ToolKind) -> &'static [Class] {
    match kind {
        // A failed download or install that does not say why: the network, or a missing
        // package; the code is not involved yet.
        ToolKind::Install | ToolKind::Fetch => &[Class::MissingDependency, Class::Flaky],
        ToolKind::Deploy => &[Class::Permission, Class::Flaky],
        ToolKind::Build | ToolKind::Test | ToolKind::Lint | ToolKind::Other => &[Class::CodeBug],
    }
}
