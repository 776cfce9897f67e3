//! The detector engine: one pass per text over an Aho-Corasick automaton of every detector's
//! keywords, then each hit detector's regex over the lines around its hits only.
//!
//! Regexes never run over whole files: on a file without any keyword (most files) the cost is
//! one linear scan, and a megabyte-long minified line costs at most a few kilobytes of regex
//! work per keyword hit, because windows are cut `LOOK_BEHIND` bytes before and
//! `LOOK_AHEAD` bytes after each hit.

use std::sync::OnceLock;

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, PatternID};
use plimsoll_syntax::Span;
use regex::Regex;

use super::{is_placeholder_secret, is_secret_key, looks_like_secret_literal};

/// The detectors shipped with plimsoll, as data.
pub const DETECTORS_TOML: &str = include_str!("detectors.toml");

/// How far before a keyword, at most, a window starts (the start of its line if nearer).
const LOOK_BEHIND: usize = 512;
/// How far after a keyword, at most, a window ends (the end of its line if nearer), unless the
/// detector asks for a larger `window`.
const LOOK_AHEAD: usize = 1024;

/// The longest match a detector needs: what the window of a lone keyword holds.
const MATCH_SPAN: usize = LOOK_BEHIND + LOOK_AHEAD;

/// How far one search for a detector with a `max_length` reaches (see `run_detector`).
const SEARCH_SPAN: usize = 4 * MATCH_SPAN;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorFile {
    detector: Vec<DetectorSpec>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorSpec {
    id: String,
    description: String,
    keywords: Vec<String>,
    regex: String,
    entropy: Option<f64>,
    #[serde(default)]
    allow: Vec<String>,
    window: Option<usize>,
    max_length: Option<usize>,
    check: Option<Check>,
    #[serde(default)]
    eager: bool,
}

/// A validation a detector's matches must also pass, written in code because a regex cannot say
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The `key` group must name a secret and the value must be a literal (not a reference, a
    /// name, a path or a placeholder).
    Assignment,
    /// The password of a URL must be neither a placeholder nor a trivial default, nor the user
    /// name again.
    UrlPassword,
}

/// A kind of credential and how to recognise it.
#[derive(Debug)]
pub struct Detector {
    /// Stable kebab-case id (`github-token`).
    pub id: String,
    /// What the credential is (`GitHub token`).
    pub description: String,
    /// The prefilter words.
    pub keywords: Vec<String>,
    regex: String,
    allow: Vec<String>,
    /// The regexes, compiled when a keyword of the detector first turns up: most runs meet
    /// only a few detectors' keywords, and compiling all of them up front cost more than
    /// scanning every file of a workflow corpus.
    compiled: OnceLock<Option<Compiled>>,
    entropy: Option<f64>,
    window: Option<usize>,
    /// The most characters a secret has: a longer match of the `secret` group, which ends
    /// the regex, is cut to this many, as a `{m,max_length}` repetition would cut it.
    max_length: Option<usize>,
    check: Option<Check>,
    /// Compiled by [`prepare`] before the scan needs it: the detectors whose keywords nearly
    /// every CI file holds.
    eager: bool,
}

/// A detector's compiled regexes.
#[derive(Debug)]
struct Compiled {
    regex: Regex,
    secret_group: Option<usize>,
    allow: Vec<Regex>,
}

impl Compiled {
    /// The whole match and the secret (the `secret` group, or the whole match without one).
    fn groups<'h>(
        &self,
        captures: &regex::Captures<'h>,
    ) -> Option<(regex::Match<'h>, regex::Match<'h>)> {
        let whole = captures.get(0)?;
        let secret = self
            .secret_group
            .and_then(|group| captures.get(group))
            .unwrap_or(whole);
        Some((whole, secret))
    }
}

impl Detector {
    /// The compiled regexes, or why they do not compile.
    fn compile(&self) -> Result<Compiled, String> {
        let regex = Regex::new(&self.regex).map_err(|e| e.to_string())?;
        let allow = self
            .allow
            .iter()
            .map(|a| Regex::new(a).map_err(|e| format!("allow: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if self.check == Some(Check::Assignment) && regex.capture_names().all(|n| n != Some("key"))
        {
            return Err("`assignment` needs a `key` group".into());
        }
        if self.max_length.is_some() {
            let hir = regex_syntax::parse(&self.regex).map_err(|e| e.to_string())?;
            if hir.properties().minimum_len().unwrap_or(0) == 0 {
                return Err("`max_length` needs a regex that never matches empty text".into());
            }
        }
        let secret_group = regex
            .capture_names()
            .position(|name| name == Some("secret"));
        Ok(Compiled {
            regex,
            secret_group,
            allow,
        })
    }

    /// The compiled regexes (compiling them on first use); `None`, logged once, when they do
    /// not compile (a defect [`Scanner::from_toml`] reports and the tests catch).
    fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| {
                self.compile()
                    .map_err(|err| {
                        tracing::error!("detector `{}`: {err}; it does not run", self.id)
                    })
                    .ok()
            })
            .as_ref()
    }
}

/// Why the detectors could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DetectorError {
    /// The file is not valid TOML of the expected shape.
    #[error("detectors: {0}")]
    Format(String),
    /// One detector is wrong.
    #[error("detector `{id}`: {message}")]
    Detector {
        /// The detector's id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

/// A credential found in a text.
#[derive(Clone, Copy, Debug)]
pub struct SecretMatch<'s> {
    /// The detector that recognised it.
    pub detector: &'s Detector,
    /// The bytes of the credential itself.
    pub span: Span,
}

/// Every detector, compiled, with the prefilter over their keywords.
#[derive(Debug)]
pub struct Scanner {
    detectors: Vec<Detector>,
    prefilter: Option<Keywords>,
    /// For each prefilter pattern, the detectors that listed it.
    pattern_detectors: Vec<Vec<usize>>,
}

/// The scanner of the shipped detectors, compiled once per process. Should they fail to load (a
/// defect caught by the tests), it logs why and detects nothing rather than stopping the run.
pub fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        Scanner::from_toml_lazily(DETECTORS_TOML).unwrap_or_else(|err| {
            tracing::error!("{err}; no secret detector runs");
            Scanner {
                detectors: Vec::new(),
                prefilter: None,
                pattern_detectors: Vec::new(),
            }
        })
    })
}

/// How many stretches of a text the keyword automaton walks at once.
const STREAMS: usize = 4;

/// The detectors' keywords (lowercase, matched in any ASCII case) as an Aho-Corasick DFA, and
/// every occurrence of each, overlapping ones included.
///
/// Walking a DFA is a chain of dependent table loads, one per byte, so the processor waits on
/// each before the next: the text is cut at line breaks into [`STREAMS`] stretches walked side
/// by side, whose loads overlap. No keyword holds a line break, so no occurrence crosses a
/// cut, and after a line break the automaton is back in its start state: each stretch, walked
/// from the start state, finds what one walk over the whole text finds there.
#[derive(Debug)]
struct Keywords {
    dfa: DFA,
    /// The unanchored start state.
    start: aho_corasick::automaton::StateID,
}

impl Keywords {
    fn new(patterns: &[String]) -> Result<Keywords, DetectorError> {
        if patterns.iter().any(|p| p.contains('\n')) {
            return Err(DetectorError::Format("a keyword holds a line break".into()));
        }
        // A DFA: the keyword set is small, so its tables stay small. Without a prefilter (no
        // byte is rare among a hundred keywords), only match states are special.
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .prefilter(false)
            .build(patterns)
            .map_err(|e| DetectorError::Format(e.to_string()))?;
        let start = dfa
            .start_state(Anchored::No)
            .map_err(|e| DetectorError::Format(e.to_string()))?;
        Ok(Keywords { dfa, start })
    }

    /// Call `hit` with the pattern, start and end of every keyword occurrence in `text`.
    fn each_hit(&self, text: &[u8], mut hit: impl FnMut(PatternID, usize, usize)) {
        // Stretch `k` is `at[k]..end[k]`; each but the first starts after a line break.
        let mut at = [0; STREAMS];
        let mut end = [0; STREAMS];
        let mut from = 0;
        for k in 0..STREAMS {
            at[k] = from;
            end[k] = if k + 1 == STREAMS {
                text.len()
            } else {
                let target = (text.len() * (k + 1) / STREAMS).max(from);
                memchr::memchr(b'\n', &text[target..]).map_or(text.len(), |i| target + i + 1)
            };
            from = end[k];
        }
        let mut state = [self.start; STREAMS];
        let mut live = [true; STREAMS];
        let side_by_side = (0..STREAMS).map(|k| end[k] - at[k]).min().unwrap_or(0);
        for _ in 0..side_by_side {
            for k in 0..STREAMS {
                let next = self.dfa.next_state(Anchored::No, state[k], text[at[k]]);
                state[k] = next;
                at[k] += 1;
                if self.dfa.is_special(next) {
                    live[k] &= self.report(next, at[k], &mut hit);
                }
            }
        }
        for k in 0..STREAMS {
            while live[k] && at[k] < end[k] {
                let next = self.dfa.next_state(Anchored::No, state[k], text[at[k]]);
                state[k] = next;
                at[k] += 1;
                if self.dfa.is_special(next) {
                    live[k] = self.report(next, at[k], &mut hit);
                }
            }
        }
    }

    /// Report the keywords that end at `end` in `state`; `false` when `state` is dead and the
    /// stretch has no more matches (an unanchored search never reaches it).
    fn report(
        &self,
        state: aho_corasick::automaton::StateID,
        end: usize,
        hit: &mut impl FnMut(PatternID, usize, usize),
    ) -> bool {
        if self.dfa.is_dead(state) {
            return false;
        }
        if self.dfa.is_match(state) {
            for index in 0..self.dfa.match_len(state) {
                let pattern = self.dfa.match_pattern(state, index);
                hit(pattern, end - self.dfa.pattern_len(pattern), end);
            }
        }
        true
    }
}

/// Build [`scanner`] and compile its `eager` detectors now, rather than when a scan first needs
/// them: a check run calls it on a thread of its own while it looks for files, so that the
/// threads checking files find them ready (building them took ~3 ms, while the other thread
/// waited for the same lock).
pub fn prepare() {
    for detector in &scanner().detectors {
        if detector.eager {
            detector.compiled();
        }
    }
}

impl Scanner {
    /// Compile the detectors described by `text` (the format of `detectors.toml`), checking
    /// that every regex compiles.
    pub fn from_toml(text: &str) -> Result<Scanner, DetectorError> {
        let scanner = Scanner::from_toml_lazily(text)?;
        for detector in &scanner.detectors {
            let compiled = detector
                .compile()
                .map_err(|message| DetectorError::Detector {
                    id: detector.id.clone(),
                    message,
                })?;
            // Already compiled: keep it.
            let _ = detector.compiled.set(Some(compiled));
        }
        Ok(scanner)
    }

    /// Read the detectors described by `text`, leaving each one's regexes to be compiled when
    /// its keywords first turn up.
    fn from_toml_lazily(text: &str) -> Result<Scanner, DetectorError> {
        let file: DetectorFile =
            toml::from_str(text).map_err(|e| DetectorError::Format(e.to_string()))?;
        let mut detectors = Vec::with_capacity(file.detector.len());
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_detectors: Vec<Vec<usize>> = Vec::new();
        for (index, spec) in file.detector.into_iter().enumerate() {
            let fail = |message: String| DetectorError::Detector {
                id: spec.id.clone(),
                message,
            };
            if spec.keywords.is_empty() {
                return Err(fail("no keywords: it would never run".into()));
            }
            for keyword in &spec.keywords {
                let keyword = keyword.to_ascii_lowercase();
                let pattern = match patterns.iter().position(|p| *p == keyword) {
                    Some(pattern) => pattern,
                    None => {
                        patterns.push(keyword);
                        pattern_detectors.push(Vec::new());
                        patterns.len() - 1
                    }
                };
                pattern_detectors[pattern].push(index);
            }
            detectors.push(Detector {
                id: spec.id,
                description: spec.description,
                keywords: spec.keywords,
                regex: spec.regex,
                allow: spec.allow,
                compiled: OnceLock::new(),
                entropy: spec.entropy,
                window: spec.window,
                max_length: spec.max_length,
                check: spec.check,
                eager: spec.eager,
            });
        }
        let prefilter = Keywords::new(&patterns)?;
        Ok(Scanner {
            detectors,
            prefilter: Some(prefilter),
            pattern_detectors,
        })
    }

    /// The detectors, in file order.
    pub fn detectors(&self) -> &[Detector] {
        &self.detectors
    }

    /// Every credential in `text`, in text order. Where two detectors match overlapping text,
    /// the one listed first (the more specific) is kept.
    pub fn scan<'s>(&'s self, text: &str) -> Vec<SecretMatch<'s>> {
        let Some(prefilter) = &self.prefilter else {
            return Vec::new();
        };
        // (detector, window start, window end) for every keyword hit, in any order: they are
        // sorted below.
        let mut windows: Vec<(usize, usize, usize)> = Vec::new();
        prefilter.each_hit(text.as_bytes(), |pattern, hit_start, hit_end| {
            let Some(detectors) = self.pattern_detectors.get(pattern.as_usize()) else {
                return;
            };
            for &index in detectors {
                let start = line_start_near(text, hit_start);
                let end = match self.detectors[index].window {
                    Some(window) => ceil_char_boundary(text, hit_end.saturating_add(window)),
                    None => line_end_near(text, hit_end),
                };
                windows.push((index, start, end));
            }
        });
        if windows.is_empty() {
            return Vec::new();
        }
        windows.sort_unstable();
        let mut found: Vec<SecretMatch<'s>> = Vec::new();
        let mut current: Option<(usize, usize, usize)> = None;
        for window in windows.into_iter().map(Some).chain(std::iter::once(None)) {
            match (current, window) {
                (Some((d, start, end)), Some((d2, start2, end2))) if d == d2 && start2 <= end => {
                    current = Some((d, start, end.max(end2)));
                }
                (previous, next) => {
                    if let Some((d, start, end)) = previous {
                        self.run_detector(&self.detectors[d], text, start, end, &mut found);
                    }
                    current = next;
                }
            }
        }
        // Keep the first-listed detector where matches overlap.
        let order = |m: &SecretMatch<'_>| {
            self.detectors
                .iter()
                .position(|d| std::ptr::eq(d, m.detector))
                .unwrap_or(usize::MAX)
        };
        found.sort_by_key(|m| (order(m), m.span.start));
        let mut kept: Vec<SecretMatch<'s>> = Vec::with_capacity(found.len());
        for candidate in found {
            let overlaps = kept
                .iter()
                .any(|k| candidate.span.start < k.span.end && k.span.start < candidate.span.end);
            if !overlaps {
                kept.push(candidate);
            }
        }
        kept.sort_by_key(|m| (m.span.start, m.span.end));
        kept
    }

    fn run_detector<'s>(
        &'s self,
        detector: &'s Detector,
        text: &str,
        start: usize,
        end: usize,
        found: &mut Vec<SecretMatch<'s>>,
    ) {
        let Some(window) = text.get(start..end) else {
            return;
        };
        let Some(compiled) = detector.compiled() else {
            return;
        };
        // Most windows hold no credential: answering that stops at the earliest match and
        // tracks no groups, so it is cheaper than looking for captures.
        if !compiled.regex.is_match(window) {
            return;
        }
        let mut every;
        let mut cut;
        let matches: &mut dyn Iterator<Item = regex::Captures<'_>> = match detector.max_length {
            None => {
                every = compiled.regex.captures_iter(window);
                &mut every
            }
            Some(max) => {
                // What `captures_iter` gives for a `{m,max}` repetition ending the regex: each
                // search starts where the previous match, cut, ended (matches are never empty:
                // `compile` checks it).
                //
                // Each search is bounded to [`SEARCH_SPAN`] bytes from where it starts: a
                // repetition such as `[^\s]{8,}` matches to the end of a line, and on the one
                // window that thousands of keywords of a 4 MB line merge into
                // (`aws_secret_access_key=aws_secret_access_key=…`), searching to the end of
                // the window for each match cut to `max` characters was quadratic (20,000
                // repeats: 18 s). A match needs no more than a lone keyword's window holds.
                let mut at = 0;
                cut = std::iter::from_fn(move || loop {
                    if at >= window.len() {
                        return None;
                    }
                    let limit = ceil_char_boundary(window, at.saturating_add(SEARCH_SPAN));
                    let Some(captures) = compiled.regex.captures_at(&window[..limit], at) else {
                        if limit == window.len() {
                            return None;
                        }
                        // The next stretch overlaps this one by more than a match's length,
                        // so a match across the bound is found whole there.
                        at = floor_char_boundary(window, limit - MATCH_SPAN).max(at + 1);
                        at = ceil_char_boundary(window, at);
                        continue;
                    };
                    let (whole, secret) = compiled.groups(&captures)?;
                    if whole.end() == limit
                        && limit < window.len()
                        && secret.as_str().chars().nth(max).is_none()
                    {
                        // Cut by the bound and not by `max`: the secret may go on past it, by
                        // `max` characters at most, which the longer bound holds.
                        let limit = ceil_char_boundary(
                            window,
                            whole.end().saturating_add(MATCH_SPAN.max(4 * max)),
                        );
                        let captures = compiled
                            .regex
                            .captures_at(&window[..limit], whole.start())?;
                        let (whole, secret) = compiled.groups(&captures)?;
                        let end = cut_end(whole, secret, max);
                        if end == whole.start() {
                            return None;
                        }
                        at = end;
                        return Some(captures);
                    }
                    let end = cut_end(whole, secret, max);
                    if end == whole.start() {
                        return None;
                    }
                    at = end;
                    return Some(captures);
                });
                &mut cut
            }
        };
        for captures in matches {
            let Some((whole, secret)) = compiled.groups(&captures) else {
                continue;
            };
            let mut secret_end = match detector.max_length {
                Some(max) => cut_end(whole, secret, max),
                None => secret.end(),
            };
            let quote = window[..secret.start()]
                .chars()
                .next_back()
                .filter(|c| matches!(c, '"' | '\'' | '`'));
            if let (Some(quote), Some(Check::Assignment)) = (quote, detector.check) {
                // A quoted value runs to its closing quote: generated keys hold the `(`, `;`
                // or `|` that end an unquoted match (a Django key may hold all three).
                secret_end = quoted_end(window, secret.start(), secret_end, quote);
            }
            let value = &window[secret.start()..secret_end];
            if compiled.allow.iter().any(|allow| allow.is_match(value))
                || detector.entropy.is_some_and(|min| entropy(value) < min)
                || is_placeholder_secret(value)
                || is_elided(value, &window[secret_end..])
            {
                continue;
            }
            let after = window[secret_end..].chars().next();
            let quoted = quote.is_some();
            let valid = match detector.check {
                None => true,
                Some(Check::Assignment) => {
                    let key = captures.name("key");
                    let key_start = key.map_or(0, |k| k.start());
                    let key = key.map_or("", |k| k.as_str());
                    is_secret_key(key)
                        && (looks_like_secret_literal(value)
                            || (quoted && looks_like_generated_key(value)))
                        // `token := v1Prefix + …`: code naming a variable, not a value.
                        && (quoted || !is_camel_identifier(value))
                        && after != Some('(')
                        && !is_codecov_graph_token(window, key_start, key)
                }
                Some(Check::UrlPassword) => {
                    let user = captures.name("user").map_or("", |u| u.as_str());
                    is_real_password(value, user)
                }
            };
            if valid {
                found.push(SecretMatch {
                    detector,
                    span: Span::new(start + secret.start(), start + secret_end),
                });
            }
        }
    }
}

/// Where a quoted value that a match ended early, at a character an unquoted value stops at
/// (`(`, `;`, `|`, …), ends: its closing `quote` on the same line, when only non-space
/// characters come before it and the whole value stays within 256 characters; else `end`.
fn quoted_end(window: &str, start: usize, end: usize, quote: char) -> usize {
    const STOPS: &[char] = &[';', ',', '<', '>', '(', ')', '{', '}', '[', ']', '\\', '|'];
    let rest = &window[end..];
    if !rest.starts_with(STOPS) {
        return end;
    }
    let Some(close) = rest.find(|c: char| c == quote || c.is_whitespace()) else {
        return end;
    };
    let fits = window[start..end + close].chars().count() <= 256;
    if rest[close..].starts_with(quote) && fits {
        end + close
    } else {
        end
    }
}

/// Whether a quoted `value` has the shape of a generated key (a Django `SECRET_KEY`, a
/// Rails `secret_key_base`): at least 32 characters with no space, letters, digits and
/// symbols mixed, and close to random. Such keys may start with `!`, `#` or `$` and hold
/// `(`, which [`looks_like_secret_literal`] takes for YAML tags, comments and expressions.
fn looks_like_generated_key(value: &str) -> bool {
    let classes = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| b.is_ascii_punctuation()),
    ];
    value.len() >= 32
        && value.bytes().all(|b| b.is_ascii_graphic())
        && classes.iter().filter(|c| **c).count() >= 3
        && entropy(value) >= 4.0
        && !value.contains("${")
        && !value.contains("{{")
        && !value.contains("://")
        && !is_placeholder_secret(value)
        // Documentation keys: Stripe's `sk_test_…`, `your-secret-key-…`.
        && !["test", "your"]
            .iter()
            .any(|word| value.to_ascii_lowercase().contains(word))
}

/// Whether a match is a shortened example rather than a credential: a secret followed by an
/// ellipsis (`eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dozjgNryP4J3jV...`), or a private key whose
/// body has one (`-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END …`): base64 never holds
/// a dot, so a key with `...` in it is a documentation placeholder.
fn is_elided(secret: &str, after: &str) -> bool {
    after.starts_with("...")
        || after.starts_with('\u{2026}')
        || (secret.starts_with("-----BEGIN")
            && (secret.contains("...") || secret.contains('\u{2026}')))
}

/// Whether `value` is a lowerCamelCase identifier (`v1Prefix`, `defaultToken`): a lowercase
/// first word, then at most three capitalised words of lowercase letters, each word at least
/// two characters, digits only ending the first word (`v1`, `s3`). Generated secrets and
/// passwords (`hunter2Hunter2`) mix cases and digits far more often.
fn is_camel_identifier(value: &str) -> bool {
    let mut words: Vec<&str> = Vec::new();
    let mut start = 0;
    for (index, c) in value.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&value[start..index]);
            start = index;
        }
    }
    words.push(&value[start..]);
    let well_formed = |word: &str, first: bool| {
        let mut chars = word.chars();
        let head_ok = chars.next().is_some_and(|c| {
            if first {
                c.is_ascii_lowercase()
            } else {
                c.is_ascii_uppercase()
            }
        });
        let rest = chars.as_str();
        let letters = rest.trim_end_matches(|c: char| c.is_ascii_digit());
        head_ok
            && word.len() >= 2
            && letters.chars().all(|c| c.is_ascii_lowercase())
            && (first || letters.len() == rest.len())
    };
    (2..=4).contains(&words.len())
        && words
            .iter()
            .enumerate()
            .all(|(index, word)| well_formed(word, index == 0))
}

/// Where a match cut to a secret of at most `max` characters ends: the secret's end when the
/// secret ends the match and is longer, the match's end otherwise.
fn cut_end(whole: regex::Match<'_>, secret: regex::Match<'_>, max: usize) -> usize {
    if secret.end() != whole.end() {
        return whole.end();
    }
    match secret.as_str().char_indices().nth(max) {
        Some((cut, _)) => secret.start() + cut,
        None => whole.end(),
    }
}

/// Passwords that only ever protect a local throwaway service (`postgres://postgres:postgres@`).
const TRIVIAL_PASSWORDS: &[&str] = &[
    "admin", "guest", "mysql", "pass", "postgres", "redis", "root", "rabbitmq", "mongo", "user",
    "sa", "demo", "default", "test", "testing", "dev", "local", "docker", "pwd",
];

/// Whether the password of a URL is a real one rather than a placeholder or a default.
fn is_real_password(password: &str, user: &str) -> bool {
    is_maskable_password(password, user) && !has_weak_word(password)
}

/// Whether `password` holds a word of demo passwords (`pass`, `secret`, `123`).
fn has_weak_word(password: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    ["pass", "pwd", "secret", "pa55", "123"]
        .iter()
        .any(|word| lower.contains(word))
}

/// Whether the password of a URL is one to keep out of output: anything but a placeholder, a
/// reference or a throwaway default. Wider than [`is_real_password`]: `S3cr3tPassw0rd` reads
/// like a demo password, too weak a sign to report, but it may be a real one.
fn is_maskable_password(password: &str, user: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    // `password`, `test_password`: words alone, a demo value; `S3cr3tPa55w0rd!` is kept.
    let only_words = password
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-');
    password.len() >= 6
        && (!only_words || !has_weak_word(password))
        && password != user
        && !TRIVIAL_PASSWORDS.contains(&lower.as_str())
        && !is_placeholder_secret(password)
        && !password.starts_with(['$', '%', '{', '<', '*', '['])
        && !password.contains("${")
        && !password.chars().all(|c| c.is_ascii_digit())
}

/// The longest `user:password` part of a URL searched for.
const MAX_USERINFO: usize = 256;

/// The passwords of the URLs in `text` (`scheme://user:password@host`) that are not
/// placeholders or throwaway defaults, whether or not a detector reports them: what output
/// must mask besides the detectors' matches.
pub fn url_passwords(text: &str) -> Vec<Span> {
    // One searcher for the process: building one per call cost more than the search on the
    // short lines of a log.
    static SEPARATOR: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let separator = SEPARATOR.get_or_init(|| memchr::memmem::Finder::new("://"));
    let mut found = Vec::new();
    for at in separator.find_iter(text.as_bytes()) {
        let start = at + 3;
        let rest = &text.as_bytes()[start..];
        let stop = rest.iter().take(MAX_USERINFO).position(|&b| {
            b == b'@' || b == b'/' || b.is_ascii_whitespace() || b"\"'`<>".contains(&b)
        });
        let Some(stop) = stop.filter(|&stop| rest[stop] == b'@') else {
            continue;
        };
        let userinfo = &text[start..start + stop];
        let Some((user, password)) = userinfo.split_once(':') else {
            continue;
        };
        if is_maskable_password(password, user) {
            let from = start + user.len() + 1;
            found.push(Span::new(from, from + password.len()));
        }
    }
    found
}

/// `…/graph/badge.svg?token=AbCdEf1234`: Codecov's badge tokens are public by design.
fn is_codecov_graph_token(window: &str, key_start: usize, key: &str) -> bool {
    key.eq_ignore_ascii_case("token")
        && window[..key_start].ends_with(['?', '&'])
        && window.contains("codecov")
}

/// Shannon entropy of `text` in bits per character.
pub fn entropy(text: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut total = 0u32;
    for byte in text.bytes() {
        counts[usize::from(byte)] += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / total;
            -p * p.log2()
        })
        .sum()
}

/// The start of the line holding `offset`, but no more than [`LOOK_BEHIND`] bytes before it.
fn line_start_near(text: &str, offset: usize) -> usize {
    let floor = floor_char_boundary(text, offset.saturating_sub(LOOK_BEHIND));
    text.get(floor..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(floor, |newline| floor + newline + 1)
}

/// The end of the line holding `offset`, but no more than [`LOOK_AHEAD`] bytes after it.
fn line_end_near(text: &str, offset: usize) -> usize {
    let ceiling = ceil_char_boundary(text, offset.saturating_add(LOOK_AHEAD));
    text.get(offset..ceiling)
        .and_then(|after| after.find('\n'))
        .map_or(ceiling, |newline| offset + newline)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    if offset >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn ceil_char_boundary(text: &str, mut offset: usize) -> usize {
    if offset >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text file of `../shared/corpus/real` shorter than `max_len` bytes; none, with the
    /// reason printed, when the corpus is absent.
    fn corpus_texts(max_len: usize) -> Vec<String> {
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
        if !corpus.is_dir() {
            println!("skipped the corpus: ../shared absent");
            return Vec::new();
        }
        ignore::WalkBuilder::new(&corpus)
            .hidden(false)
            .build()
            .flatten()
            .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
            .filter(|text| text.len() < max_len)
            .collect()
    }

    #[test]
    fn the_shipped_detectors_load() {
        let scanner = Scanner::from_toml(DETECTORS_TOML).unwrap();
        assert!(scanner.detectors().len() >= 30);
        let mut ids = std::collections::HashSet::new();
        for detector in scanner.detectors() {
            assert!(
                ids.insert(detector.id.as_str()),
                "duplicate {}",
                detector.id
            );
            assert!(
                detector.compiled().unwrap().regex.captures_len() > 0,
                "{} has no regex",
                detector.id
            );
        }
    }

    /// The keyword walk over side-by-side stretches finds exactly what one overlapping
    /// Aho-Corasick search over the whole text finds: on keywords at the cuts, across line
    /// breaks, in any case, without line breaks, and on every text file of
    /// `../shared/corpus/real` when it is there.
    #[test]
    fn keyword_stretches_find_what_one_search_finds() {
        let scanner = Scanner::from_toml(DETECTORS_TOML).unwrap();
        let mut patterns: Vec<String> = Vec::new();
        for detector in scanner.detectors() {
            for keyword in &detector.keywords {
                let keyword = keyword.to_ascii_lowercase();
                if !patterns.contains(&keyword) {
                    patterns.push(keyword);
                }
            }
        }
        let whole = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .unwrap();
        let keywords = Keywords::new(&patterns).unwrap();
        let hits = |text: &str| {
            let mut found: Vec<(usize, usize, usize)> = Vec::new();
            keywords.each_hit(text.as_bytes(), |p, s, e| found.push((p.as_usize(), s, e)));
            found.sort_unstable();
            let mut expected: Vec<(usize, usize, usize)> = whole
                .find_overlapping_iter(text)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            expected.sort_unstable();
            (found, expected)
        };
        let mut texts: Vec<String> = vec![
            String::new(),
            "token".into(),
            "\n".into(),
            "TOKEN: x\nSecret_Access_Key=y\r\npassword\n\ntoken\n".into(),
            "ghp_ xoxb- ://aws postgres://u:p@h sk_live_ AKIA hooks.slack.com".repeat(40),
            format!("{}\n{}", "a".repeat(1000), "api_key: x\n".repeat(30)),
            "é token ü\nsecret€\n".repeat(25),
        ];
        // A keyword on each side of every cut the stretches may take.
        for lines in 1..12 {
            texts.push("x: token\npassword: secret_access_key\n".repeat(lines));
            texts.push(format!("{}private key-----", "tok\nen".repeat(lines)));
        }
        texts.extend(corpus_texts(usize::MAX));
        let mut total = 0;
        for text in &texts {
            let (found, expected) = hits(text);
            total += expected.len();
            assert_eq!(found, expected, "{}", &text[..text.len().min(200)]);
        }
        assert!(total > 1000, "{total}");
    }

    #[test]
    fn bad_detectors_are_errors_not_panics() {
        let bad_regex =
            "[[detector]]\nid = \"x\"\ndescription = \"x\"\nkeywords = [\"x\"]\nregex = \"(\"\n";
        assert!(matches!(
            Scanner::from_toml(bad_regex),
            Err(DetectorError::Detector { .. })
        ));
        assert!(matches!(
            Scanner::from_toml("detector = 1"),
            Err(DetectorError::Format(_))
        ));
    }

    /// `max_length` finds what the `{0,199}` repetition it replaces found: same secrets, same
    /// spans, on long values, values with a second assignment past the cut, non-ASCII values,
    /// and on every text file of `../shared/corpus/real` when it is there.
    #[test]
    fn max_length_cuts_as_a_counted_repetition_does() {
        let shipped = Scanner::from_toml(DETECTORS_TOML).unwrap();
        let counted = DETECTORS_TOML
            .replace("|]{0,})'''", "|]{0,199})'''")
            .replace("max_length = 200\n", "");
        assert_ne!(counted, DETECTORS_TOML);
        let counted = Scanner::from_toml(&counted).unwrap();
        let found = |scanner: &Scanner, text: &str| -> Vec<(String, Span)> {
            scanner
                .scan(text)
                .iter()
                .map(|m| (m.detector.id.clone(), m.span))
                .collect()
        };
        let random = "Zq8vN3kR7tW2xY5bC9dF4gH6jK1mP0sL";
        let long = random.repeat(8);
        let mut texts = vec![
            format!("api_token: {random}\n"),
            format!("api_token: {}\n", &long[..200]),
            format!("api_token: {}\n", &long[..201]),
            format!("api_token = \"{long}\"\n"),
            format!("password={}&secret_key={random}&x=1\n", &long[..205]),
            format!("password={}token:{random}\n", &long[..190]),
            format!(
                "db_password: {}é{}\u{a0}{random}\n",
                &long[..150],
                &long[..120]
            ),
            format!("signing_key: {}\n", "é".repeat(230)),
        ];
        texts.extend(corpus_texts(1 << 20));
        let mut cut_secrets = 0;
        for text in &texts {
            let expected = found(&counted, text);
            cut_secrets += expected
                .iter()
                .filter(|(_, span)| text[span.start..span.end].chars().count() == 200)
                .count();
            assert_eq!(found(&shipped, text), expected, "{text}");
        }
        assert!(cut_secrets >= 3, "{cut_secrets}");
    }

    #[test]
    fn url_passwords_include_weak_looking_ones_but_not_defaults() {
        let password = format!("{}{}", "S3cr3tPa", "ssw0rd");
        let text = format!(
            "postgres://admin:{password}@db:5432/app https://u:postgres@h/ x://a:${{P}}@h \
             https://host/a:b@c ftp://user:hunter22 https://u:example@h https://u:test_password@h"
        );
        let spans: Vec<&str> = url_passwords(&text)
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(spans, [password.as_str()]);
    }

    #[test]
    fn identifiers_and_elided_examples_are_not_secrets() {
        let found = |text: &str| {
            scanner()
                .scan(text)
                .iter()
                .map(|m| m.detector.id.clone())
                .collect::<Vec<_>>()
        };
        assert!(found("token := v1Prefix + encoded\n").is_empty());
        assert!(found("apiKey = defaultApiKey\n").is_empty());
        // Quoted, the same shape is a value.
        assert_eq!(found("token = \"v1Prefix\"\n"), ["generic-secret"]);
        // Assembled here so that this file holds no token.
        let jwt = [
            "eyJhbGciOiJIUzI1NiJ9",
            "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
            "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ]
        .join(".");
        assert_eq!(found(&format!("Authorization: Bearer {jwt}\n")), ["jwt"]);
        assert!(found(&format!("Authorization: Bearer {}...\n", &jwt[..70])).is_empty());
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq98Jx2n0vL3kQ9ZtWcRfGh5YpXuV2mN8sTaB4eK1oDiHjL...\n...\n-----END RSA PRIVATE KEY-----\n";
        assert!(found(key).is_empty(), "{:?}", found(key));
    }

    #[test]
    fn quoted_generated_keys_are_found_whole() {
        // Django's `get_random_secret_key()` alphabet: symbols end an unquoted match early.
        for key in [
            "(26s5rn546w74jy8=#2z^+#zd%rmzer^(@01ovp-q0c*k$w2=f",
            "!%mxg9-e!d$n5*81)u3@3xtpl()pf!t75v_2s#eh60k+vj50c&",
            "e+9!uv(w#5@3efr4(&ed_(t^!*2s-y&wb3wk$h5dn)si=pzz5f",
            "k2z9ri19r-0w*yojfljo&oa5@lqsaj08x$!ui(6$^*=d3)*9zz",
            "django-insecure-4(k7bn7xj(8b+7t^f(q7xkw)o88)6v%o$+mpz=om75w_bbr4qm",
        ] {
            let text = format!("SECRET_KEY = \"{key}\"\n");
            let found = scanner().scan(&text);
            assert_eq!(found.len(), 1, "{key}");
            assert_eq!(&text[found[0].span.start..found[0].span.end], key);
        }
        // Not keys: a format string, an expression, a sentence.
        for text in [
            "SECRET_KEY = \"%(SECRET_KEY_FROM_ENV)s-and-some-more-words-here\"\n",
            "SECRET_KEY = os.environ.get(\"SECRET_KEY\")\n",
            "password = \"see the (internal) wiki for this one\"\n",
        ] {
            assert!(scanner().scan(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn entropy_measures_randomness() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn windows_stay_on_char_boundaries_and_lines() {
        let text = "é\nabc secret def\nxyz";
        let hit = text.find("secret").unwrap();
        assert_eq!(
            &text[line_start_near(text, hit)..line_end_near(text, hit)],
            "abc secret def"
        );
        let long = "é".repeat(2000);
        let start = line_start_near(&long, 1501);
        assert!(long.is_char_boundary(start));
        assert!(long.is_char_boundary(line_end_near(&long, 1501)));
    }
}
