//! GitHub problem matchers: the ecosystem's own definition of "this line is an error".
//!
//! A matcher file (`{"problemMatcher": [{"owner", "severity", "pattern": [...]}]}`) lists
//! patterns matched against consecutive lines; when the last one matches, a problem is reported
//! with the captured file, line, column, severity and message; a last pattern with `loop` keeps
//! reporting for each further line it matches. Actions register matchers with `::add-matcher::`
//! and drop them with `::remove-matcher owner=…::`; the runner applies them to every later line
//! of the job. plimsoll ships the matchers of the common setup actions (`matchers.json`) and
//! applies a matcher once the log shows it registered: the command (in a step's echoed script
//! or as the runner prints it) naming a file whose name is the owner's, or the action that
//! registers it having run.

use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

/// The shipped matchers.
pub const MATCHERS_JSON: &str = include_str!("../matchers.json");

/// A matcher file that does not load.
#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    /// Not JSON, or not the problem-matcher shape.
    #[error("problem matcher: {0}")]
    Json(#[from] serde_json::Error),
    /// A pattern is not a regex the `regex` crate accepts.
    #[error("problem matcher `{owner}`: {message}")]
    Regex {
        /// The matcher's owner.
        owner: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct File {
    #[serde(rename = "problemMatcher")]
    problem_matcher: Vec<RawMatcher>,
}

#[derive(Deserialize)]
struct RawMatcher {
    owner: String,
    #[serde(default)]
    severity: Option<String>,
    pattern: Vec<RawPattern>,
}

#[derive(Deserialize)]
struct RawPattern {
    regexp: String,
    #[serde(default)]
    severity: Option<usize>,
    #[serde(default)]
    message: Option<usize>,
    #[serde(default, rename = "loop")]
    looping: bool,
}

/// One pattern of a matcher, compiled.
#[derive(Debug)]
struct Pattern {
    regex: Regex,
    severity: Option<usize>,
    message: Option<usize>,
    looping: bool,
}

/// A problem matcher, compiled.
#[derive(Debug)]
pub struct ProblemMatcher {
    /// Its owner (the name `::remove-matcher` uses).
    pub owner: String,
    /// The name of the file it came from (`tsc.json`): `::add-matcher::` names the file.
    pub file: String,
    severity: Option<String>,
    patterns: Vec<Pattern>,
}

/// Parse a problem-matcher file. A JavaScript-style `/…/` around a pattern is removed (GitHub
/// accepts it); a pattern the `regex` crate cannot compile (look-around, back-references)
/// makes the file an error naming its matcher.
pub fn parse(text: &str) -> Result<Vec<ProblemMatcher>, MatcherError> {
    parse_file(text, None)
}

/// [`parse`], the matchers remembering the name of the file they came from (`None`: each is
/// taken to come from `<owner>.json`, as the setup actions name theirs).
pub fn parse_file(text: &str, file: Option<&str>) -> Result<Vec<ProblemMatcher>, MatcherError> {
    let parsed: File = serde_json::from_str(text)?;
    let mut out = Vec::new();
    for raw in parsed.problem_matcher {
        let mut patterns = Vec::new();
        for pattern in raw.pattern {
            let source = pattern
                .regexp
                .strip_prefix('/')
                .and_then(|p| p.strip_suffix('/'))
                .unwrap_or(&pattern.regexp);
            let regex = Regex::new(source).map_err(|e| MatcherError::Regex {
                owner: raw.owner.clone(),
                message: e.to_string(),
            })?;
            patterns.push(Pattern {
                regex,
                severity: pattern.severity,
                message: pattern.message,
                looping: pattern.looping,
            });
        }
        if !patterns.is_empty() {
            out.push(ProblemMatcher {
                file: file.map_or_else(|| format!("{}.json", raw.owner), str::to_string),
                owner: raw.owner,
                severity: raw.severity,
                patterns,
            });
        }
    }
    Ok(out)
}

/// The shipped matchers (none if the embedded file did not load, which the tests rule out).
pub fn builtin() -> &'static [ProblemMatcher] {
    static BUILTIN: OnceLock<Vec<ProblemMatcher>> = OnceLock::new();
    BUILTIN.get_or_init(|| parse(MATCHERS_JSON).unwrap_or_default())
}

/// Largest matcher file read from a repository.
const MAX_MATCHER_FILE: u64 = 1 << 20;
/// Most files looked at under a repository's `.github/`.
const MAX_FILES: usize = 500;

/// The problem-matcher files a repository keeps under `.github/` (any `.json` file with a
/// `problemMatcher` list, as workflows register them with `::add-matcher::.github/….json`),
/// and a note for each that does not load. They apply once the log shows them registered.
pub fn from_repository(repository: &Path) -> (Vec<ProblemMatcher>, Vec<String>) {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    let mut stack = vec![(repository.join(".github"), 0usize)];
    let mut seen = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_FILES {
                return (found, notes);
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && depth < 4 {
                stack.push((path, depth + 1));
                continue;
            }
            if !kind.is_file() || path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(bytes) = plimsoll_syntax::file::read_regular(&path, MAX_MATCHER_FILE) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if !text.contains("\"problemMatcher\"") {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            match parse_file(&text, Some(&name)) {
                Ok(matchers) => found.extend(matchers),
                Err(err) => notes.push(format!(
                    "problem matcher file {} not used: {err}",
                    path.display()
                )),
            }
        }
    }
    (found, notes)
}

/// The matchers the setup actions register, by the action's repository.
const REGISTERED_BY_ACTION: &[(&str, &[&str])] = &[
    (
        "actions/setup-node",
        &["tsc", "eslint-stylish", "eslint-compact"],
    ),
    ("actions/setup-go", &["go"]),
    ("actions/setup-python", &["python"]),
    ("actions-rust-lang/setup-rust-toolchain", &["rust"]),
];

/// What a matcher reported on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The matcher's owner.
    pub owner: String,
    /// `error`, `warning` or `notice` (lowercase; `error` when the matcher does not say).
    pub severity: String,
}

/// The matchers of one job as its log is read: which are active and where each is in its
/// sequence of patterns.
#[derive(Debug)]
pub struct MatcherState<'m> {
    matchers: Vec<&'m ProblemMatcher>,
    active: Vec<bool>,
    /// Per matcher: the index of the pattern the next line must match, and the severity
    /// captured by an earlier pattern of the sequence.
    position: Vec<(usize, Option<String>)>,
}

impl<'m> MatcherState<'m> {
    /// The shipped matchers, none active.
    pub fn new() -> Self {
        Self::with(&[])
    }

    /// The shipped matchers and `extra` ones (a repository's), none active.
    pub fn with(extra: &'m [ProblemMatcher]) -> Self {
        let matchers: Vec<&'m ProblemMatcher> = builtin().iter().chain(extra).collect();
        let count = matchers.len();
        MatcherState {
            matchers,
            active: vec![false; count],
            position: vec![(0, None); count],
        }
    }

    /// A new job: no matcher registered yet.
    pub fn reset(&mut self) {
        self.active.iter_mut().for_each(|a| *a = false);
        self.position.iter_mut().for_each(|p| *p = (0, None));
    }

    fn set(&mut self, owner: &str, on: bool) {
        self.set_where(on, |m| m.owner == owner);
    }

    fn set_where(&mut self, on: bool, which: impl Fn(&ProblemMatcher) -> bool) {
        for (index, matcher) in self.matchers.iter().enumerate() {
            if which(matcher) {
                self.active[index] = on;
                self.position[index] = (0, None);
            }
        }
    }

    /// A step starts: a setup action that registers matchers activates them.
    pub fn step_started(&mut self, title: &str) {
        let Some(action) = title.strip_prefix("Run ") else {
            return;
        };
        let repository = action.split('@').next().unwrap_or(action).trim();
        for (name, owners) in REGISTERED_BY_ACTION {
            if repository.eq_ignore_ascii_case(name) {
                for owner in *owners {
                    self.set(owner, true);
                }
            }
        }
    }

    /// A line that may register or remove a matcher (`::add-matcher::path`, `##[add-matcher]path`,
    /// `::remove-matcher owner=x::`), in the command's output or its echoed script. Returns
    /// whether it was such a command.
    pub fn command(&mut self, text: &str) -> bool {
        if let Some(at) = text
            .find("::add-matcher::")
            .map(|i| i + "::add-matcher::".len())
            .or_else(|| {
                text.find("##[add-matcher]")
                    .map(|i| i + "##[add-matcher]".len())
            })
        {
            // The path ends where the command does (`echo "::add-matcher::x.json" && make`).
            let rest = text[at..].trim_start();
            let path = rest
                .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                .next()
                .unwrap_or(rest);
            let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
            self.set_where(true, |m| m.file == name);
            return true;
        }
        if let Some(at) = text.find("::remove-matcher owner=") {
            let rest = &text[at + "::remove-matcher owner=".len()..];
            let owner = rest.split("::").next().unwrap_or(rest);
            self.set(owner.trim(), false);
            return true;
        }
        false
    }

    /// Feed one line of output: the first error an active matcher reports on it.
    pub fn line(&mut self, text: &str) -> Option<Problem> {
        let mut found = None;
        for (index, matcher) in self.matchers.iter().enumerate() {
            if !self.active[index] {
                continue;
            }
            let problem = advance(matcher, &mut self.position[index], text);
            if found.is_none() {
                found = problem.filter(|p| p.severity == "error");
            }
        }
        found
    }
}

impl Default for MatcherState<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Move `matcher` along its patterns with `text`; the problem its last pattern reports.
fn advance(
    matcher: &ProblemMatcher,
    position: &mut (usize, Option<String>),
    text: &str,
) -> Option<Problem> {
    let last = matcher.patterns.len() - 1;
    let (next, severity) = position;
    if *next > 0 {
        let pattern = &matcher.patterns[*next];
        if let Some(captures) = pattern.regex.captures(text) {
            if let Some(s) = group(&captures, pattern.severity) {
                *severity = Some(s);
            }
            if *next == last {
                let problem = report(matcher, pattern, &captures, severity.clone());
                if !pattern.looping {
                    *position = (0, None);
                }
                return problem;
            }
            *next += 1;
            return None;
        }
        *position = (0, None);
    }
    let first = &matcher.patterns[0];
    let captures = first.regex.captures(text)?;
    let severity = group(&captures, first.severity);
    if last == 0 {
        return report(matcher, first, &captures, severity);
    }
    *position = (1, severity);
    None
}

fn group(captures: &regex::Captures<'_>, index: Option<usize>) -> Option<String> {
    captures
        .get(index?)
        .map(|m| m.as_str().to_ascii_lowercase())
}

fn report(
    matcher: &ProblemMatcher,
    pattern: &Pattern,
    captures: &regex::Captures<'_>,
    severity: Option<String>,
) -> Option<Problem> {
    // A pattern that captures no message reports nothing on this line.
    pattern.message.and_then(|i| captures.get(i))?;
    let severity = severity
        .or_else(|| matcher.severity.clone())
        .unwrap_or_else(|| "error".into());
    let severity = match severity.as_str() {
        "warn" => "warning".to_string(),
        "info" => "notice".to_string(),
        _ => severity,
    };
    Some(Problem {
        owner: matcher.owner.clone(),
        severity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_matchers_load() {
        let matchers = parse(MATCHERS_JSON).unwrap();
        let owners: Vec<&str> = matchers.iter().map(|m| m.owner.as_str()).collect();
        for owner in [
            "tsc",
            "eslint-stylish",
            "eslint-compact",
            "go",
            "python",
            "rust",
            "gcc",
        ] {
            assert!(owners.contains(&owner), "{owner}");
        }
    }

    #[test]
    fn matchers_apply_only_once_registered_and_stop_when_removed() {
        let mut state = MatcherState::new();
        let tsc =
            "src/index.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.";
        assert_eq!(state.line(tsc), None);
        state.step_started("Run actions/setup-node@v4");
        assert_eq!(state.line(tsc).map(|p| p.owner), Some("tsc".into()));
        assert!(state.command("::remove-matcher owner=tsc::"));
        assert_eq!(state.line(tsc), None);
        assert!(state.command("echo \"::add-matcher::.github/matchers/tsc.json\""));
        assert!(state.line(tsc).is_some());
    }

    #[test]
    fn a_looping_pattern_reports_each_problem_under_its_file_line() {
        let mut state = MatcherState::new();
        state.command("##[add-matcher]/home/runner/work/_actions/x/eslint-stylish.json");
        assert_eq!(state.line("/w/src/index.js"), None);
        let first =
            state.line("  12:5  error  'foo' is assigned a value but never used  no-unused-vars");
        assert_eq!(first.map(|p| p.severity), Some("error".into()));
        // A warning is no error, and the loop goes on to the next error.
        assert_eq!(
            state.line("  14:1  warning  Unexpected console statement  no-console"),
            None
        );
        assert!(state
            .line("  20:3  error  'x' is not defined  no-undef")
            .is_some());
    }

    #[test]
    fn a_javascript_style_pattern_loads_and_an_unsupported_one_is_named() {
        let ok = r#"{"problemMatcher":[{"owner":"x","pattern":[{"regexp":"/^(E)rror: (.*)$/","message":2}]}]}"#;
        assert_eq!(parse(ok).unwrap().len(), 1);
        let bad = r#"{"problemMatcher":[{"owner":"look","pattern":[{"regexp":"^(?!x)(.*)$","message":1}]}]}"#;
        let err = parse(bad).unwrap_err();
        assert!(err.to_string().contains("look"), "{err}");
        assert!(parse("{}").is_err());
    }
}
