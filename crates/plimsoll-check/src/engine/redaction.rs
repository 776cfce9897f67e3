//! Keeping every credential of a run out of its report, in one place rather than in each rule.
//!
//! Rules quote source text in their messages (an unknown Dockerfile instruction, an `ADD` URL,
//! an invalid expression), and renderers show source lines: either may hold a credential that
//! another rule found, or that no reported finding points at (its finding suppressed,
//! baselined or ignored for the path, or its rule off). So every file's credentials are
//! recorded whatever is reported: what the secret scanner finds (it runs on every file even
//! when `hardcoded-secret` is off), the passwords of URLs (even those too weak-looking to
//! report), and what any sensitive rule reported before configuration and suppressions
//! applied. At the end of the run, every message and help text is scrubbed of
//! them ([`Scrubber`]), every fingerprint is computed over the line with them masked, and the
//! report carries their spans so that snippets mask them.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use plimsoll_syntax::{SourceFile, Span};
use rayon::prelude::*;

use crate::baseline::stable_hash;
use crate::finding::{Finding, RuleMeta, Sink};
use crate::secrets::{without_hashes, Scrubber};

/// What stands for a credential in the line text a fingerprint is computed from: fixed, so the
/// fingerprint says nothing about the credential, not even its length.
const MASKED: &str = "<secret>";

/// The credentials found so far in a run.
#[derive(Debug, Default)]
pub(crate) struct RunSecrets {
    /// Byte ranges of credentials in each file, sorted.
    spans: HashMap<PathBuf, Vec<Span>>,
    /// Every credential's text, for scrubbing text that quotes them anywhere.
    texts: BTreeSet<String>,
}

impl RunSecrets {
    /// Record the credentials in `source`: the secret scanner's matches, and the spans of what
    /// the sensitive rules reported in `sink`, before anything is filtered out.
    pub(crate) fn record(&mut self, source: &SourceFile, sink: &mut Sink) {
        let mut spans: Vec<Span> = sink.secrets(source).iter().map(|m| m.span).collect();
        let url_passwords = crate::secrets::scanner::url_passwords(source.text());
        for span in &url_passwords {
            self.texts.insert(source.slice(*span).to_string());
        }
        spans.extend(url_passwords);
        spans.extend(
            sink.diagnostics
                .iter()
                .filter(|d| d.rule.sensitive && !d.span.is_empty())
                .map(|d| d.span),
        );
        if spans.is_empty() {
            return;
        }
        let scanned: Vec<Span> = sink.secrets(source).iter().map(|m| m.span).collect();
        for span in &scanned {
            self.texts.insert(source.slice(*span).to_string());
        }
        // A rule's span may cover a key with its value (`API_TOKEN=…`, `REDIS_PASSWORD=…` in an
        // env file): what the scanner matched inside it is the secret, else the value after
        // `=` when it is one word that reads as a credential; taking the key, or a word such
        // as `nostream` that is also a service's name, would scrub every mention of it. Such a
        // value is still masked in snippets, from its span.
        for diagnostic in sink.diagnostics.iter().filter(|d| d.rule.sensitive) {
            let span = diagnostic.span;
            if scanned
                .iter()
                .any(|s| s.start < span.end && span.start < s.end)
            {
                continue;
            }
            let text = source.slice(span);
            let value = text.split_once('=').map_or(text, |(_, value)| value);
            let value = value.trim_matches(['"', '\'']);
            let credential = crate::secrets::looks_like_secret_literal(value)
                || crate::secrets::token_kind(value).is_some();
            if credential && !value.contains(char::is_whitespace) {
                self.texts.insert(value.to_string());
            }
        }
        let entry = self.spans.entry(source.path().to_path_buf()).or_default();
        entry.extend(spans);
        entry.sort_unstable_by_key(|s| (s.start, s.end));
        entry.dedup();
    }

    /// Add what another part of the run recorded.
    pub(crate) fn merge(&mut self, other: RunSecrets) {
        for (path, spans) in other.spans {
            let entry = self.spans.entry(path).or_default();
            entry.extend(spans);
            entry.sort_unstable_by_key(|s| (s.start, s.end));
            entry.dedup();
        }
        self.texts.extend(other.texts);
    }

    /// Scrub `findings` (sorted by path) of every recorded credential, recompute their
    /// fingerprints over masked lines, report those bounded by a credential as points; the
    /// spans of the files in `shown` (those the report shows snippets of), for the renderers.
    /// `sources` holds each file under its own path.
    pub(crate) fn apply(
        mut self,
        findings: &mut [Finding],
        sources: &HashMap<PathBuf, Arc<SourceFile>>,
        shown: &HashMap<PathBuf, Arc<SourceFile>>,
    ) -> HashMap<PathBuf, Vec<Span>> {
        if self.texts.is_empty() && self.spans.is_empty() {
            return HashMap::new();
        }
        // With the encoded copies: a base64 or percent-encoded copy of a credential on a
        // reported line is no more visible to the detectors, and as good as the credential.
        let mut scrubber = Scrubber::default();
        for text in &self.texts {
            scrubber.add_with_encodings(text);
        }
        // Each file on its own, on every thread: the repeats recorded for a file change only
        // its own masks. Done a finding at a time on one thread, the lookups of each finding's
        // path (hashed component by component) took most of the time.
        let spans = &self.spans;
        let repeated: Vec<(PathBuf, Vec<Span>)> = files_of(findings)
            .into_par_iter()
            .filter_map(|file| redact_file(file, &scrubber, sources, spans))
            .collect();
        for (path, masks) in repeated {
            self.spans.insert(path, masks);
        }
        self.spans.retain(|path, _| shown.contains_key(path));
        self.spans
    }
}

/// `findings` (sorted by path) cut into the runs of each file.
fn files_of(findings: &mut [Finding]) -> Vec<&mut [Finding]> {
    let mut files = Vec::new();
    let mut rest = findings;
    while let Some(first) = rest.first() {
        let path = first.location.path.as_path();
        // As bytes first: cheaper than component by component, which only the last finding
        // of each file needs (a path spelled two ways is still one file).
        let len = 1 + rest[1..]
            .iter()
            .take_while(|finding| {
                let other = finding.location.path.as_path();
                other.as_os_str() == path.as_os_str() || other == path
            })
            .count();
        let (file, others) = std::mem::take(&mut rest).split_at_mut(len);
        files.push(file);
        rest = others;
    }
    files
}

/// Redact `findings`, those of one file, in order (see [`RunSecrets::apply`]) with the
/// credentials of `scrubber` and the file's `spans`; the file's spans with the credentials
/// repeated on the findings' lines when there are any, for [`RunSecrets::apply`] to keep.
fn redact_file(
    findings: &mut [Finding],
    scrubber: &Scrubber,
    sources: &HashMap<PathBuf, Arc<SourceFile>>,
    spans: &HashMap<PathBuf, Vec<Span>>,
) -> Option<(PathBuf, Vec<Span>)> {
    let path = findings.first()?.location.path.clone();
    let source = sources.get(&path);
    let mut masks: Cow<'_, [Span]> = spans.get(&path).map_or(Cow::Borrowed(&[][..]), |masks| {
        Cow::Borrowed(masks.as_slice())
    });
    // A copy of a known credential on a finding's line, the line a snippet shows: a secret
    // found in one place may be written again where no detector recognises it (`--key
    // <value>` on its own), or in another case.
    let mut repeats_recorded = false;
    for finding in findings.iter_mut() {
        let owned = |text: Cow<'_, str>| match text {
            Cow::Owned(scrubbed) => Some(scrubbed),
            Cow::Borrowed(_) => None,
        };
        let message = owned(scrubber.scrub(&finding.message));
        let help = owned(scrubber.scrub(&finding.help));
        let changed = message.is_some();
        if let Some(message) = message {
            finding.message = message;
        }
        if let Some(help) = help {
            finding.help = help;
        }
        if let (Some(source), Some(span)) = (source, finding.location.span) {
            let repeated = repeats(scrubber, source, span.start);
            if !repeated.is_empty() {
                repeats_recorded = true;
                let known = masks.to_mut();
                let new: Vec<Span> = repeated
                    .into_iter()
                    .filter(|r| !known.iter().any(|s| s.start <= r.start && r.end <= s.end))
                    .collect();
                if !new.is_empty() {
                    known.extend(new);
                    known.sort_unstable_by_key(|s| (s.start, s.end));
                }
            }
        }
        let bounded = finding
            .location
            .span
            .is_some_and(|span| masks.iter().any(|secret| bounded_by(span, *secret)));
        let line = match (source, finding.location.span) {
            (Some(source), Some(span)) if !masks.is_empty() || changed => {
                let line = source.lines().line_of(span.start);
                Some(masked_line(source, line, &masks))
            }
            _ => None,
        };
        let path = &finding.location.path;
        if let Some(line) = line {
            finding.fingerprint = fingerprint(finding.rule, path, &line, &finding.message);
        } else if changed {
            finding.fingerprint = fingerprint(finding.rule, path, "", &finding.message);
        }
        if bounded {
            point_at_start(&mut finding.location);
        }
    }
    let source = source?;
    repeats_recorded.then(|| (source.path().to_path_buf(), masks.into_owned()))
}

/// The spans of the credentials of `scrubber` repeated on the line of `source` holding
/// `offset`: a finding's line, which its snippet shows.
fn repeats(scrubber: &Scrubber, source: &SourceFile, offset: usize) -> Vec<Span> {
    if scrubber.is_empty() {
        return Vec::new();
    }
    let line = source
        .lines()
        .line_span(source.text(), source.lines().line_of(offset));
    scrubber
        .find(source.slice(line))
        .into_iter()
        .map(|(range, _)| Span::new(line.start + range.start, line.start + range.end))
        .collect()
}

/// Mask the credentials that the paths of `findings` hold (a workflow file or a folder named
/// with a token: a path is quoted by every format, and by messages such as "build context
/// `…`"), in the paths, their messages and help, and the keys of `sources` and `spans`, so
/// the renderers still find each file's snippets. Fingerprints, computed before, keep the
/// real path: they are unkeyed hashes of the masked line, rule and message too, and a token's
/// length and alphabet leave nothing to guess.
pub(crate) fn mask_paths(
    findings: &mut [Finding],
    sources: &mut HashMap<PathBuf, Arc<SourceFile>>,
    spans: &mut HashMap<PathBuf, Vec<Span>>,
) {
    let mut paths: Vec<&std::path::Path> =
        findings.iter().map(|f| f.location.path.as_path()).collect();
    // The findings come sorted by path: the repeats of each, dropped as bytes first, are
    // most of the list and need no comparison component by component.
    paths.dedup_by_key(|path| path.as_os_str());
    paths.sort_unstable();
    paths.dedup();
    // Few paths hold a credential: each is scanned on its own on every thread, and the scrubber
    // made of those that do, in order, numbers their credentials as one made of all would.
    let texts: Vec<Cow<'_, str>> = paths
        .par_iter()
        .map(|p| p.to_string_lossy())
        .filter(|text| !Scrubber::of_texts([&**text]).is_empty())
        .collect();
    let scrubber = Scrubber::of_texts(texts.iter().map(|t| &**t));
    if scrubber.is_empty() {
        return;
    }
    let mut renamed: HashMap<PathBuf, PathBuf> = HashMap::new();
    for finding in findings.iter_mut() {
        let path = &finding.location.path;
        let masked = match renamed.get(path) {
            Some(masked) => Some(masked.clone()),
            None => match scrubber.scrub(&path.to_string_lossy()) {
                Cow::Owned(masked) => {
                    let masked = PathBuf::from(masked);
                    renamed.insert(path.clone(), masked.clone());
                    Some(masked)
                }
                Cow::Borrowed(_) => None,
            },
        };
        if let Some(masked) = masked {
            finding.location.path = masked;
        }
        if let Cow::Owned(message) = scrubber.scrub(&finding.message) {
            finding.message = message;
        }
        if let Cow::Owned(help) = scrubber.scrub(&finding.help) {
            finding.help = help;
        }
    }
    for (path, masked) in renamed {
        if let Some(source) = sources.remove(&path) {
            sources.insert(masked.clone(), source);
        }
        if let Some(masks) = spans.remove(&path) {
            spans.insert(masked, masks);
        }
    }
}

/// Whether a finding's region `span` starts or ends inside `secret`: its reported end column
/// would then tell the secret's length (a region that is exactly the secret, `KEY=secret`).
fn bounded_by(span: Span, secret: Span) -> bool {
    let overlaps = secret.start < span.end && span.start < secret.end;
    overlaps && (span.start >= secret.start || span.end <= secret.end)
}

/// Report `location` as a point at its start: the end of a region bounded by a credential says
/// how long the credential is, in every format that gives end columns (JSON, SARIF, GitHub).
/// The span stays, for the human snippet, which shows the credential masked at a fixed width.
pub fn point_at_start(location: &mut crate::finding::Location) {
    location.end = location.start;
    location.end_utf16 = location.start_utf16;
}

/// The fingerprint of a finding of `rule` in `path` on a line reading `line_text` (credentials
/// masked: [`RunSecrets::apply`] recomputes it with every credential of the file), saying
/// `message`: the message without the keyed hashes of redacted secrets, which
/// change from run to run, so that baselines keep matching and say nothing about a secret.
pub(crate) fn fingerprint(
    rule: &RuleMeta,
    path: &std::path::Path,
    line_text: &str,
    message: &str,
) -> String {
    let path_text = path.to_string_lossy().replace('\\', "/");
    let path_text = path_text.strip_prefix("./").unwrap_or(&path_text);
    stable_hash(&[
        rule.name,
        path_text,
        &fingerprint_text(line_text),
        &without_hashes(message),
    ])
}

/// Bytes of a line's start and end that stand for it in a fingerprint when it is longer than
/// twice this: hashing a minified line of megabytes for each of its findings took minutes.
const FINGERPRINT_LINE_PART: usize = 2048;

/// The line text a fingerprint hashes: the line, or its start and end when it is long.
fn fingerprint_text(line: &str) -> Cow<'_, str> {
    if line.len() <= 2 * FINGERPRINT_LINE_PART {
        return Cow::Borrowed(line);
    }
    let mut head = FINGERPRINT_LINE_PART;
    while !line.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = line.len() - FINGERPRINT_LINE_PART;
    while !line.is_char_boundary(tail) {
        tail += 1;
    }
    Cow::Owned(format!("{}…{}", &line[..head], &line[tail..]))
}

/// The 0-based `line` of `source`, trimmed, with what `masks` cover replaced by [`MASKED`].
pub(crate) fn masked_line<'a>(source: &'a SourceFile, line: usize, masks: &[Span]) -> Cow<'a, str> {
    let line_span = source.lines().line_span(source.text(), line);
    let text = source.slice(line_span);
    let mut covered: Vec<(usize, usize)> = masks
        .iter()
        .filter(|m| m.start < line_span.end && line_span.start < m.end)
        .map(|m| {
            (
                m.start.max(line_span.start) - line_span.start,
                m.end.min(line_span.end) - line_span.start,
            )
        })
        .collect();
    if covered.is_empty() {
        return Cow::Borrowed(text.trim());
    }
    covered.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in covered {
        let start = start.max(at).min(text.len());
        let end = end.min(text.len());
        if end <= start {
            continue;
        }
        out.push_str(text.get(at..start).unwrap_or_default());
        out.push_str(MASKED);
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    Cow::Owned(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_masked_by_spans() {
        let text = "a: 1\n  key: x # x\n  pass: Zq8vN3kR7t\n".to_string();
        let source = SourceFile::new("f.yml", text.clone());
        assert_eq!(masked_line(&source, 0, &[]), "a: 1");
        let pass = text.find("Zq8v").unwrap_or(0);
        let span = Span::new(pass, pass + 10);
        assert_eq!(masked_line(&source, 2, &[span]), "pass: <secret>");
        // A span that starts on an earlier line masks the start of this one.
        let across = Span::new(2, pass + 4);
        assert_eq!(masked_line(&source, 2, &[across]), "<secret>N3kR7t");
    }

    #[test]
    fn regions_bounded_by_a_secret_are_told_apart_from_regions_around_one() {
        let secret = Span::new(10, 30);
        assert!(bounded_by(Span::new(10, 30), secret));
        assert!(bounded_by(Span::new(4, 30), secret));
        assert!(bounded_by(Span::new(12, 40), secret));
        assert!(!bounded_by(Span::new(0, 40), secret));
        assert!(!bounded_by(Span::new(30, 40), secret));
    }
}
