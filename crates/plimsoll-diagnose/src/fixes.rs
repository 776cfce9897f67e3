//! The patches that change a value in place or add a step for a value the log names: grant the
//! token scope the log names, pin a tool version, version a cache key, install the Rust target
//! or cross linker a matrix leg lacks, wrap a network-bound setup command in a bounded retry.
//!
//! Each edits only the value it is about (an input under `with:`, a `key:`, a `run:` script):
//! no job, step or matrix entry is removed or renamed, caching stays on, and nothing is
//! allowed to fail (`continue-on-error` is never written). Where the value cannot be edited
//! safely (it comes from the matrix, it is a folded scalar, the step runs on Windows' default
//! shell), the fix is described instead of patched.

use std::sync::OnceLock;

use plimsoll_actions::matrix::Combination;
use plimsoll_actions::{Job, NamedNode, Step};
use plimsoll_syntax::yaml::{Node, NodeKind, ScalarStyle};
use plimsoll_syntax::LineIndex;
use regex::Regex;
use serde::Serialize;

use crate::analyzer::Candidate;
use crate::diff::Insertion;

/// One proposed change.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What changes.
    pub summary: String,
    /// Why.
    pub rationale: String,
}

/// The workflow text and its line index.
#[derive(Clone, Copy)]
pub(crate) struct Source<'t> {
    pub text: &'t str,
    pub lines: &'t LineIndex,
}

impl Source<'_> {
    fn line(&self, line: usize) -> &str {
        let span = self.lines.line_span(self.text, line);
        &self.text[span.start..span.end]
    }

    fn column(&self, offset: usize) -> usize {
        offset - self.lines.line_start(self.lines.line_of(offset))
    }

    /// The first line after a mapping entry's value (where a sibling entry can go).
    fn after(&self, value: &Node) -> usize {
        self.lines.line_of(value.span.end.saturating_sub(1)) + 1
    }

    /// Replace `node`'s source text, when it is a scalar written on one line, with `new`.
    fn replace_scalar(&self, node: &Node, new: &str) -> Option<Insertion> {
        let NodeKind::Scalar { style, .. } = &node.kind else {
            return None;
        };
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return None;
        }
        let line = self.lines.line_of(node.span.start);
        if self
            .lines
            .line_of(node.span.end.saturating_sub(1).max(node.span.start))
            != line
        {
            return None;
        }
        let start = self.lines.line_start(line);
        let text = self.line(line);
        let (from, to) = (
            node.span.start - start,
            (node.span.end - start).min(text.len()),
        );
        let edited = format!("{}{new}{}", &text[..from], &text[to..]);
        Some(Insertion::replacing(line, 1, vec![edited]))
    }

    /// The first and last line of the block scalar under `key`: the lines after the key's that
    /// are more indented than it, or blank (trailing blank lines excluded). `first > last` when
    /// the block is empty.
    fn block_lines(&self, key: &Node) -> (usize, usize) {
        let key_line = self.lines.line_of(key.span.start);
        let key_column = self.column(key.span.start);
        let mut last = key_line;
        let mut line = key_line + 1;
        while line < self.lines.line_count() {
            let text = self.line(line);
            if !text.trim().is_empty() {
                if text.len() - text.trim_start().len() <= key_column {
                    break;
                }
                last = line;
            }
            line += 1;
        }
        (key_line + 1, last)
    }

    /// Add `input: value` under the step's `with:` (creating `with:` when absent).
    fn add_input(&self, step: &Step<'_>, input: &str, value: &str) -> Option<Insertion> {
        match step.entry("with") {
            Some(with) => {
                let entries = with.value.as_mapping()?;
                let first = entries.first()?;
                let last = entries.last()?;
                let pad = " ".repeat(self.column(first.key.span.start));
                Some(Insertion::before(
                    self.after(&last.value),
                    vec![format!("{pad}{input}: {value}")],
                ))
            }
            None => {
                let last = step.node.as_mapping()?.last()?;
                let pad = " ".repeat(self.column(step.node.span.start));
                Some(Insertion::before(
                    self.after(&last.value),
                    vec![format!("{pad}with:"), format!("{pad}  {input}: {value}")],
                ))
            }
        }
    }
}

fn action_of(step: &Step<'_>) -> Option<String> {
    let uses = step.uses_node()?.as_str()?;
    Some(uses.split('@').next().unwrap_or(uses).to_ascii_lowercase())
}

fn with_entry<'a>(step: &Step<'a>, input: &str) -> Option<NamedNode<'a>> {
    let with = step.entry("with")?;
    let entry = with.value.entry(input)?;
    Some(NamedNode {
        key: &entry.key,
        value: &entry.value,
    })
}

// --- cache keys -------------------------------------------------------------------------------

/// `v3-rest` for `v2-rest`, `v2-rest` for an unversioned `rest`: the source text of a scalar
/// (quotes kept) with its version prefix bumped.
fn bump_version(source: &str) -> String {
    let quote = source
        .chars()
        .next()
        .filter(|c| *c == '"' || *c == '\'')
        .map_or(0, char::len_utf8);
    let (open, body) = source.split_at(quote);
    let digits: String = body
        .strip_prefix('v')
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    if !digits.is_empty() && body[1 + digits.len()..].starts_with('-') {
        let next = digits.parse::<u64>().map_or(2, |n| n.saturating_add(1));
        return format!("{open}v{next}{}", &body[1 + digits.len()..]);
    }
    format!("{open}v2-{body}")
}

/// Version the cache keys of every cache step of `job`.
pub(crate) fn version_cache_keys(
    source: Source<'_>,
    job: &Job<'_>,
) -> (Vec<Insertion>, Vec<Change>) {
    let mut insertions = Vec::new();
    let mut changes = Vec::new();
    for step in job.steps() {
        let Some(action) = action_of(&step) else {
            continue;
        };
        let label = step.label();
        if action == "swatinem/rust-cache" {
            // Its keys all start with `prefix-key` (default `v0-rust`).
            let edit = match with_entry(&step, "prefix-key") {
                Some(entry) => {
                    let old = &source.text[entry.value.span.start..entry.value.span.end];
                    source.replace_scalar(entry.value, &bump_version(old))
                }
                None => source.add_input(&step, "prefix-key", "\"v1-rust\""),
            };
            if let Some(edit) = edit {
                insertions.push(edit);
                changes.push(Change {
                    summary: format!("version the cache key of `{label}` (`prefix-key`)"),
                    rationale: "a new key prefix makes the next run start from a fresh cache \
                                instead of the corrupt entry; caching stays on"
                        .into(),
                });
            }
        } else if action == "actions/cache" || action.starts_with("actions/cache/") {
            let Some(key) = with_entry(&step, "key") else {
                continue;
            };
            let old = &source.text[key.value.span.start..key.value.span.end];
            let Some(edit) = source.replace_scalar(key.value, &bump_version(old)) else {
                changes.push(Change {
                    summary: format!(
                        "version the `key` of `{label}` by hand (prefix it with `v2-`)"
                    ),
                    rationale: "the key is not a one-line value, so no patch is generated".into(),
                });
                continue;
            };
            insertions.push(edit);
            // Restore keys would still find the corrupt entry under the old prefix.
            if let Some(restore) = with_entry(&step, "restore-keys") {
                insertions.extend(version_restore_keys(source, restore.key, restore.value));
            }
            changes.push(Change {
                summary: format!("version the cache `key` (and `restore-keys`) of `{label}`"),
                rationale: "the corrupt entry is no longer restored under the new key; the \
                            step still caches"
                    .into(),
            });
        }
    }
    (insertions, changes)
}

fn version_restore_keys(source: Source<'_>, key: &Node, value: &Node) -> Vec<Insertion> {
    let NodeKind::Scalar { style, .. } = &value.kind else {
        return Vec::new();
    };
    if *style != ScalarStyle::Literal {
        let old = &source.text[value.span.start..value.span.end];
        return source
            .replace_scalar(value, &bump_version(old))
            .into_iter()
            .collect();
    }
    // A `|` block: one prefix per line, after its indentation.
    let (first, last) = source.block_lines(key);
    (first..=last)
        .filter_map(|line| {
            let text = source.line(line);
            let body = text.trim_start();
            if body.is_empty() {
                return None;
            }
            let pad = &text[..text.len() - body.len()];
            Some(Insertion::replacing(
                line,
                1,
                vec![format!("{pad}{}", bump_version(body))],
            ))
        })
        .collect()
}

// --- token permissions ------------------------------------------------------------------------

/// The access a `permissions:` value gives the token for `scope_key`: the entry's value in a
/// mapping, or what `write-all` / `read-all` give every scope; `None` when it gives none.
fn granted<'n>(permissions: &'n Node, scope_key: &str) -> Option<&'n str> {
    if let Some(entries) = permissions.as_mapping() {
        return entries
            .iter()
            .find(|e| e.key.as_str() == Some(scope_key))
            .and_then(|e| e.value.as_str());
    }
    match permissions.as_str()? {
        "write-all" => Some("write"),
        "read-all" => Some("read"),
        _ => None,
    }
}

/// Grant `scope` (`id-token: write`) to `job`'s token. A job's `permissions:` replaces the
/// workflow's, so a block added to a job that had none copies the workflow's scopes (or
/// `contents: read`, which checkout needs, when the workflow sets none) and adds the one
/// lacking; a job with its own block gets the scope added or raised in place. When the job's
/// token already has the scope (from the job or the workflow), nothing is patched: the token
/// was refused for another reason, which is said.
pub(crate) fn grant_scope(
    source: Source<'_>,
    workflow_permissions: Option<NamedNode<'_>>,
    job: &Job<'_>,
    scope: &str,
) -> (Vec<Insertion>, Vec<Change>) {
    let (key, level) = scope
        .split_once(':')
        .map_or((scope.trim(), "write"), |(k, l)| (k.trim(), l.trim()));
    let job_permissions = job.entry("permissions");
    let (effective, whose) = match &job_permissions {
        Some(own) => (Some(own.value), format!("job `{}`", job.id)),
        None => (
            workflow_permissions.as_ref().map(|p| p.value),
            "the workflow's `permissions:`".to_string(),
        ),
    };
    let given = effective.and_then(|p| granted(p, key));
    if given.is_some_and(|given| given == level || given == "write") {
        return (
            Vec::new(),
            vec![Change {
                summary: format!(
                    "no patch: {whose} already grants `{key}: {}`",
                    given.unwrap_or(level)
                ),
                rationale: "the token had the scope, so it was refused for another reason: a \
                            pull request from a fork gets a read-only token without `id-token`, \
                            a reusable workflow gets no more than its caller grants, or the \
                            service does not trust this repository, branch or environment"
                    .into(),
            }],
        );
    }
    let granted_change = || Change {
        summary: format!("grant `{key}: {level}` to job `{}`", job.id),
        rationale: "the token lacked this scope; granting it to the one job keeps least \
                    privilege everywhere else"
            .into(),
    };
    let cannot = |why: &str| Change {
        summary: format!(
            "grant `{key}: {level}` to job `{}` in its `permissions:`: no patch ({why})",
            job.id
        ),
        rationale: "the token lacked this scope".into(),
    };
    match job_permissions {
        Some(own) => {
            let entries = match own.value.as_mapping() {
                Some(entries) if !entries.is_empty() && !is_flow(source, &own) => entries,
                _ => {
                    return (
                        Vec::new(),
                        vec![cannot(
                            "the job's `permissions:` is not a mapping written one scope a line",
                        )],
                    )
                }
            };
            if let Some(existing) = entries.iter().find(|e| e.key.as_str() == Some(key)) {
                return match source.replace_scalar(&existing.value, level) {
                    Some(edit) => (vec![edit], vec![granted_change()]),
                    None => (Vec::new(), vec![cannot("its value is not a plain scalar")]),
                };
            }
            let Some(last) = entries.last() else {
                return (Vec::new(), vec![cannot("the job's block is empty")]);
            };
            let pad = " ".repeat(source.column(last.key.span.start));
            (
                vec![Insertion::before(
                    source.after(&last.value),
                    vec![format!("{pad}{key}: {level}")],
                )],
                vec![granted_change()],
            )
        }
        None => {
            // The scopes the job had from the workflow, which its own block must keep.
            let inherited: Vec<String> = match workflow_permissions.as_ref().map(|p| p.value) {
                None if key == "contents" => Vec::new(),
                None => vec!["contents: read".to_string()],
                Some(value) => match value.as_mapping() {
                    Some(entries) => entries
                        .iter()
                        .filter(|e| e.key.as_str() != Some(key))
                        .filter_map(|e| Some(format!("{}: {}", e.key.as_str()?, e.value.as_str()?)))
                        .collect(),
                    None => {
                        return (
                            Vec::new(),
                            vec![cannot(
                                "the workflow grants `read-all`, which a job's block would have \
                                 to list scope by scope",
                            )],
                        )
                    }
                },
            };
            let Some(anchor) = job.entry("steps").or_else(|| job.entry("runs-on")) else {
                return (
                    Vec::new(),
                    vec![cannot("the job has no `steps:` to put it before")],
                );
            };
            let at = source.lines.line_of(anchor.key.span.start);
            let pad = " ".repeat(source.column(anchor.key.span.start));
            let mut block = vec![format!("{pad}permissions:")];
            block.extend(inherited.iter().map(|s| format!("{pad}  {s}")));
            block.push(format!("{pad}  {key}: {level}"));
            (vec![Insertion::before(at, block)], vec![granted_change()])
        }
    }
}

/// Whether a mapping entry's value is written in flow style (`permissions: { a: b }`), where
/// lines cannot be added.
fn is_flow(source: Source<'_>, entry: &NamedNode<'_>) -> bool {
    source.lines.line_of(entry.value.span.start) == source.lines.line_of(entry.key.span.start)
}

// --- tool versions ----------------------------------------------------------------------------

/// Setup actions and the input that selects their tool's version.
const SETUP_ACTIONS: &[(&str, &str, &str)] = &[
    ("dtolnay/rust-toolchain", "toolchain", "rust"),
    ("actions-rs/toolchain", "toolchain", "rust"),
    ("actions/setup-node", "node-version", "node"),
    ("actions/setup-python", "python-version", "python"),
    ("actions/setup-go", "go-version", "go"),
    ("actions/setup-java", "java-version", "java"),
    ("ruby/setup-ruby", "ruby-version", "ruby"),
];

/// Lines that state the version a tool must have, and which tool.
fn version_patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            (r"requires rustc (\d+\.\d+(?:\.\d+)?)", "rust"),
            (r"rustc (\d+\.\d+(?:\.\d+)?) or newer", "rust"),
            (r"requires go >= ?(\d+\.\d+(?:\.\d+)?)", "go"),
            (r"module requires Go (\d+\.\d+(?:\.\d+)?)", "go"),
            (
                r#"Expected version "(?:>=|\^|~)? ?(\d+(?:\.\d+)*)""#,
                "node",
            ),
            (r"node: '(?:>=|\^|~)? ?(\d+(?:\.\d+)*)", "node"),
            (r"not in '>=(\d+\.\d+)", "python"),
            (r"Requires-Python >=(\d+\.\d+)", "python"),
            (r"release version (\d+) not supported", "java"),
        ]
        .into_iter()
        .filter_map(|(pattern, tool)| Regex::new(pattern).ok().map(|r| (r, tool)))
        .collect()
    })
}

/// The tool and version the best lines (and their context) ask for.
pub(crate) fn required_version(candidates: &[Candidate]) -> Option<(&'static str, String)> {
    for candidate in candidates.iter().take(3) {
        let texts = std::iter::once(&candidate.line)
            .chain(&candidate.after)
            .chain(&candidate.before)
            .map(|l| l.text.as_str());
        for text in texts {
            if text.contains("feature `edition2024` is required") {
                return Some(("rust", "1.85".into()));
            }
            if let Some(class_version) = text
                .split("class file version ")
                .nth(1)
                .and_then(|rest| rest.split('.').next())
                .and_then(|n| n.parse::<u32>().ok())
            {
                // Class file version 61 is Java 17: the format numbers Java 1.0 as 45.
                if class_version > 44 {
                    return Some(("java", (class_version - 44).to_string()));
                }
            }
            for (pattern, tool) in version_patterns() {
                if let Some(version) = pattern.captures(text).and_then(|c| c.get(1)) {
                    return Some((tool, version.as_str().to_string()));
                }
            }
        }
    }
    None
}

/// `1.80.0` → `[1, 80, 0]`, `None` for channels and wildcards (`stable`, `lts/*`, `3.x`).
fn numeric(version: &str) -> Option<Vec<u64>> {
    let version = version.trim().trim_start_matches('v');
    version.split('.').map(|part| part.parse().ok()).collect()
}

fn older(current: &[u64], required: &[u64]) -> bool {
    for (index, want) in required.iter().enumerate() {
        let have = current.get(index).copied().unwrap_or(0);
        if have != *want {
            return have < *want;
        }
    }
    false
}

/// Pin the failing job's setup step for `tool` to `version`.
pub(crate) fn pin_tool_version(
    source: Source<'_>,
    job: &Job<'_>,
    failing_step: Option<usize>,
    tool: &str,
    version: &str,
    evidence_line: usize,
) -> (Vec<Insertion>, Vec<Change>) {
    let steps = job.steps();
    let setup = steps
        .iter()
        .filter(|s| failing_step.is_none_or(|f| s.index <= f))
        .filter_map(|s| {
            let action = action_of(s)?;
            let (_, input, _) = SETUP_ACTIONS
                .iter()
                .find(|(name, _, t)| action == *name && *t == tool)?;
            Some((*s, *input))
        })
        .next_back();
    let quoted = format!("\"{version}\"");
    let Some((step, input)) = setup else {
        if tool == "rust" {
            // No setup action: rustup is on every hosted runner.
            if let Some(failing) = failing_step.and_then(|f| steps.get(f)) {
                let at = source.lines.line_of(failing.node.span.start);
                let column = source.column(failing.node.span.start);
                let dash = " ".repeat(column.saturating_sub(2));
                let key = " ".repeat(column);
                return (
                    vec![Insertion::before(
                        at,
                        vec![
                            format!("{dash}- name: Pin the Rust toolchain"),
                            format!("{key}run: rustup toolchain install {version} --profile minimal && rustup default {version}"),
                        ],
                    )],
                    vec![Change {
                        summary: format!("install and select Rust {version} before `{}`", failing.label()),
                        rationale: format!("line {evidence_line} asks for rustc {version} or newer; a pinned toolchain makes the run reproducible and keeps every step"),
                    }],
                );
            }
        }
        return (
            Vec::new(),
            vec![Change {
                summary: format!("pin {tool} to {version} in the job's setup step"),
                rationale: format!(
                    "line {evidence_line} asks for {tool} {version}; the job has no setup step for {tool} to pin, so no patch is generated"
                ),
            }],
        );
    };
    let label = step.label();
    let rationale = format!(
        "line {evidence_line} asks for {tool} {version}; pinning the setup step (never `latest`) makes the run reproducible, and the job, its steps and its matrix stay as they are"
    );
    let Some(current) = with_entry(&step, input) else {
        let edit = source.add_input(&step, input, &quoted);
        let changes = vec![Change {
            summary: format!("pin `{input}: {quoted}` on `{label}`"),
            rationale,
        }];
        return (edit.into_iter().collect(), changes);
    };
    let value = current.value.as_str().unwrap_or("");
    if value.contains("${{") {
        return (
            Vec::new(),
            vec![Change {
                summary: format!(
                    "`{input}` of `{label}` comes from `{}`: raise that matrix entry to {version} deliberately, or pin the dependency that needs it",
                    value.trim()
                ),
                rationale: "changing a matrix entry changes what the matrix covers, so no patch is generated".into(),
            }],
        );
    }
    let (Some(have), Some(want)) = (numeric(value), numeric(version)) else {
        // A channel or wildcard (`stable`, `latest`, `lts/*`, `3.x`): pin it.
        let edit = source.replace_scalar(current.value, &quoted);
        return (
            edit.into_iter().collect(),
            vec![Change {
                summary: format!("pin `{input}` of `{label}` from `{value}` to {quoted}"),
                rationale,
            }],
        );
    };
    if !older(&have, &want) {
        return (
            Vec::new(),
            vec![Change {
                summary: format!("`{input}` of `{label}` is already {value}: check which step runs another {tool}"),
                rationale: format!("line {evidence_line} asks for {tool} {version}"),
            }],
        );
    }
    let edit = source.replace_scalar(current.value, &quoted);
    (
        edit.into_iter().collect(),
        vec![Change {
            summary: format!("raise the pinned `{input}` of `{label}` from {value} to {quoted}"),
            rationale,
        }],
    )
}

// --- matrix targets ---------------------------------------------------------------------------

/// The first parts of Rust target triples (`rustc --print target-list`), so a target is told
/// from other hyphenated words.
const TARGET_ARCHES: &[&str] = &[
    "aarch64",
    "arm",
    "armv5te",
    "armv7",
    "armv7a",
    "armv7r",
    "armebv7r",
    "i386",
    "i586",
    "i686",
    "loongarch64",
    "mips",
    "mipsel",
    "mips64",
    "mips64el",
    "powerpc",
    "powerpc64",
    "powerpc64le",
    "riscv32i",
    "riscv32imac",
    "riscv32imc",
    "riscv64gc",
    "s390x",
    "sparc64",
    "sparcv9",
    "thumbv6m",
    "thumbv7em",
    "thumbv7m",
    "thumbv7neon",
    "thumbv8m.base",
    "thumbv8m.main",
    "wasm32",
    "wasm64",
    "x86_64",
    "x86_64h",
];

/// Whether `word` reads as a Rust target triple (`aarch64-unknown-linux-gnu`, `wasm32-wasip1`).
fn is_target(word: &str) -> bool {
    let mut parts = word.split('-');
    let arch = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    TARGET_ARCHES.contains(&arch)
        && !rest.is_empty()
        && rest.len() <= 3
        && rest
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// The lines of the best candidates, with their context, best first.
fn best_texts(candidates: &[Candidate]) -> impl Iterator<Item = &str> {
    candidates.iter().take(3).flat_map(|c| {
        std::iter::once(&c.line)
            .chain(&c.after)
            .chain(&c.before)
            .map(|l| l.text.as_str())
    })
}

/// The Rust target the log says is not installed: rustc's `the `T` target may not be installed`
/// or `rustup target add T`, else a target triple quoted on an error line.
pub(crate) fn missing_target(candidates: &[Candidate]) -> Option<String> {
    let quoted = |text: &str| -> Vec<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|w| is_target(w))
            .map(str::to_string)
            .collect()
    };
    for text in best_texts(candidates) {
        if text.contains("target may not be installed") {
            if let Some(target) = quoted(text).into_iter().next() {
                return Some(target);
            }
        }
        if let Some(rest) = text.split("rustup target add ").nth(1) {
            let word = rest
                .split(|c: char| c.is_whitespace() || c == '`')
                .next()
                .unwrap_or("");
            if is_target(word) {
                return Some(word.to_string());
            }
        }
    }
    best_texts(candidates).find_map(|text| quoted(text).into_iter().next())
}

/// The linker the log says is not found (`error: linker `aarch64-linux-gnu-gcc` not found`).
pub(crate) fn missing_linker(candidates: &[Candidate]) -> Option<String> {
    best_texts(candidates).find_map(|text| {
        let rest = text.split("linker `").nth(1)?;
        let (linker, tail) = rest.split_once('`')?;
        tail.trim_start()
            .starts_with("not found")
            .then(|| linker.to_string())
    })
}

/// The Debian/Ubuntu package of a cross compiler driver used as a linker: `gcc-<triple>` for
/// `<triple>-gcc` (`aarch64-linux-gnu-gcc` is in `gcc-aarch64-linux-gnu`), `g++-<triple>` for
/// `<triple>-g++`, and MinGW's own naming. `None` for anything else: no package is guessed.
pub(crate) fn linker_package(linker: &str) -> Option<String> {
    let name = linker.rsplit('/').next().unwrap_or(linker);
    if let Some(arch) = name
        .strip_suffix("-w64-mingw32-gcc")
        .or_else(|| name.strip_suffix("-w64-mingw32-g++"))
    {
        return match arch {
            "x86_64" => Some("gcc-mingw-w64-x86-64".into()),
            "i686" => Some("gcc-mingw-w64-i686".into()),
            _ => None,
        };
    }
    let (triple, driver) = if let Some(triple) = name.strip_suffix("-gcc") {
        (triple, "gcc")
    } else if let Some(triple) = name.strip_suffix("-g++") {
        (triple, "g++")
    } else {
        return None;
    };
    let parts: Vec<&str> = triple.split('-').collect();
    let valid = parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    valid.then(|| format!("{driver}-{triple}"))
}

/// Toolchain actions and the input that lists targets to install; `true` where it takes a
/// comma-separated list.
const TOOLCHAIN_TARGET_INPUTS: &[(&str, &str, bool)] = &[
    ("dtolnay/rust-toolchain", "targets", true),
    ("actions-rust-lang/setup-rust-toolchain", "target", true),
    ("moonrepo/setup-rust", "targets", true),
    ("actions-rs/toolchain", "target", false),
];

/// The expression of the matrix axis whose value in the leg (or, when the leg is not known, in
/// some leg) is `target`: `${{ matrix.target }}`.
fn matrix_expression(job: &Job<'_>, leg: &Combination, target: &str) -> Option<String> {
    let quoted = serde_json::Value::String(target.to_string()).to_string();
    // The leg first; a leg known only in part (or not at all) leaves every leg to look in.
    std::iter::once(leg.clone())
        .chain(crate::jobmap::legs(job).unwrap_or_default())
        .find_map(|leg| {
            leg.iter()
                .find(|(_, value)| **value == quoted)
                .map(|(axis, _)| format!("${{{{ matrix.{axis} }}}}"))
        })
}

/// Install the Rust `target` the log names for the failing step: through the job's toolchain
/// action's targets input when it has one (the matrix variable the target comes from when the
/// matrix gives it, so every leg gets its own), else with `rustup target add` in a step before
/// the failing one. Where the workflow already asks for the target, no patch: what is missing
/// is said instead.
pub(crate) fn add_rust_target(
    source: Source<'_>,
    job: &Job<'_>,
    leg: &Combination,
    failing: Option<&Step<'_>>,
    target: &str,
) -> (Vec<Insertion>, Vec<Change>) {
    let value = matrix_expression(job, leg, target).unwrap_or_else(|| target.to_string());
    let from_matrix = value.starts_with("${{");
    let origin = if from_matrix {
        format!("`{value}` (the matrix gives `{target}`)")
    } else {
        format!("`{target}`")
    };
    let steps = job.steps();
    let toolchain = steps
        .iter()
        .filter(|s| failing.is_none_or(|f| s.index < f.index))
        .filter_map(|s| {
            let action = action_of(s)?;
            let (_, input, list) = TOOLCHAIN_TARGET_INPUTS
                .iter()
                .find(|(name, _, _)| action == *name)?;
            Some((*s, *input, *list))
        })
        .next_back();
    let rationale = format!(
        "the log says the `{target}` target is not installed for the toolchain that builds; \
         installing it keeps the leg in the matrix instead of dropping it"
    );
    if let Some((step, input, list)) = toolchain {
        let label = step.label();
        let Some(current) = with_entry(&step, input) else {
            let edit = source.add_input(&step, input, &value);
            return (
                edit.into_iter().collect(),
                vec![Change {
                    summary: format!("install {origin} with `{input}:` of `{label}`"),
                    rationale,
                }],
            );
        };
        let existing = current.value.as_str().unwrap_or("");
        if existing.contains(target) || existing.contains(&value) {
            return (
                Vec::new(),
                vec![Change {
                    summary: format!(
                        "`{input}` of `{label}` already installs `{target}`: no patch. What is \
                         missing is which toolchain the failing step builds with (a \
                         `rust-toolchain.toml`, a `+toolchain` argument or a later toolchain step \
                         selects one without the target)"
                    ),
                    rationale: "adding the target again would change nothing".into(),
                }],
            );
        }
        if !list || existing.contains("${{") {
            return (
                Vec::new(),
                vec![Change {
                    summary: format!(
                        "`{input}` of `{label}` is `{existing}`, which cannot also name {origin}: \
                         no patch. Add `rustup target add {target}` before the failing step, or \
                         make `{input}` hold the leg's target"
                    ),
                    rationale,
                }],
            );
        }
        let edit = source.replace_scalar(current.value, &format!("{existing},{value}"));
        return (
            edit.into_iter().collect(),
            vec![Change {
                summary: format!("add {origin} to `{input}` of `{label}`"),
                rationale,
            }],
        );
    }
    let Some(failing) = failing else {
        return (
            Vec::new(),
            vec![Change {
                summary: format!(
                    "install `{target}` (`rustup target add {target}`) before the step that \
                     builds: no patch, since the failing step is not found in the workflow"
                ),
                rationale,
            }],
        );
    };
    let at = source.lines.line_of(failing.node.span.start);
    let column = source.column(failing.node.span.start);
    let dash = " ".repeat(column.saturating_sub(2));
    let key = " ".repeat(column);
    (
        vec![Insertion::before(
            at,
            vec![
                format!("{dash}- name: Add the Rust target"),
                format!("{key}run: rustup target add {value}"),
            ],
        )],
        vec![Change {
            summary: format!(
                "add a step `Add the Rust target` ({origin}) before `{}`",
                failing.label()
            ),
            rationale,
        }],
    )
}

// --- retries ----------------------------------------------------------------------------------

/// How many times the wrapped script runs at most.
const ATTEMPTS: u32 = 3;

/// Whether the step's `run:` runs in bash on every runner of the job.
fn runs_in_bash(job: &Job<'_>, step: &Step<'_>, source: Source<'_>) -> bool {
    let shell = step
        .node
        .get_str("shell")
        .or_else(|| job.node.get("defaults")?.get("run")?.get_str("shell"));
    match shell {
        Some(shell) => shell == "bash" || shell.starts_with("bash "),
        // The default shell is bash except on Windows, where it is PowerShell.
        None => !source.text[job.node.span.start..job.node.span.end]
            .to_ascii_lowercase()
            .contains("windows"),
    }
}

/// Wrap the step's `run:` script in a bounded retry loop: the script runs in a subshell up to
/// three times, with a growing pause. The subshell runs as a job of its own and the loop
/// `wait`s for it: inside an `if` condition or an `||` operand bash would ignore `set -e`
/// for the whole script, and `set +e` around it would read as masking failures. So `set -e`
/// holds inside each attempt, each attempt starts from the same directory, and the step
/// fails with the last attempt's status.
pub(crate) fn retry_run(source: Source<'_>, job: &Job<'_>, step: &Step<'_>) -> Option<Insertion> {
    let run = step.entry("run")?;
    if !runs_in_bash(job, step, source) {
        return None;
    }
    let NodeKind::Scalar { style, value } = &run.value.kind else {
        return None;
    };
    let key_line = source.lines.line_of(run.key.span.start);
    let key_column = source.column(run.key.span.start);
    let (script, replaced): (Vec<String>, usize) = match style {
        ScalarStyle::Literal => {
            let (_, last) = source.block_lines(run.key);
            let body: Vec<&str> = ((key_line + 1)..=last).map(|l| source.line(l)).collect();
            let common = body
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()?;
            let script = body
                .iter()
                .map(|l| l.get(common..).unwrap_or("").to_string())
                .collect();
            (script, last - key_line + 1)
        }
        ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            if value.contains('\n')
                || source.lines.line_of(run.value.span.end.saturating_sub(1)) != key_line
            {
                return None;
            }
            (vec![value.clone()], 1)
        }
        ScalarStyle::Folded => return None,
    };
    if value.contains("for attempt in") {
        return None;
    }
    Some(Insertion::replacing(
        key_line,
        replaced,
        retried_run(key_column, &script),
    ))
}

/// A `run: |` entry at `key_column` whose script runs `script` in a bounded retry loop (see
/// [`retry_run`]).
fn retried_run(key_column: usize, script: &[String]) -> Vec<String> {
    let key_pad = " ".repeat(key_column);
    let pad = " ".repeat(key_column + 2);
    // The script stays shell code (not data in a heredoc or a file), so reviewers and
    // `plimsoll guard` still see every command it runs. Its lines move in by four spaces,
    // except when it has here-documents, whose terminators must stay where they are.
    let inner = if script.iter().any(|l| l.contains("<<")) {
        pad.clone()
    } else {
        format!("{pad}    ")
    };
    let mut lines = vec![
        format!("{key_pad}run: |"),
        format!("{pad}for attempt in $(seq {ATTEMPTS}); do"),
        format!("{pad}  status=0"),
        format!("{pad}  ("),
        format!("{pad}    set -eo pipefail"),
    ];
    for line in script {
        if line.is_empty() {
            lines.push(String::new());
        } else {
            lines.push(format!("{inner}{line}"));
        }
    }
    lines.extend([
        format!("{pad}  ) &"),
        format!("{pad}  wait \"$!\" || status=$?"),
        format!("{pad}  if [ \"$status\" -eq 0 ]; then break; fi"),
        format!("{pad}  if [ \"$attempt\" -eq {ATTEMPTS} ]; then exit \"$status\"; fi"),
        format!("{pad}  echo \"::warning::attempt $attempt of {ATTEMPTS} failed (exit $status); retrying in $((attempt * 20)) s\""),
        format!("{pad}  sleep $((attempt * 20))"),
        format!("{pad}done"),
    ]);
    lines
}

/// A step before `failing` that runs the download `command` (`cargo fetch`, `go mod download`)
/// in a bounded retry, so that the failing step finds its dependencies already downloaded and
/// its own command (a build or a test run) runs once, unretried.
pub(crate) fn fetch_step(
    source: Source<'_>,
    job: &Job<'_>,
    failing: &Step<'_>,
    command: &str,
) -> Option<Insertion> {
    if !runs_in_bash(job, failing, source) {
        return None;
    }
    let at = source.lines.line_of(failing.node.span.start);
    let column = source.column(failing.node.span.start);
    let dash = " ".repeat(column.saturating_sub(2));
    let mut lines = vec![format!("{dash}- name: Download dependencies")];
    let mut defaults = Vec::new();
    for key in ["working-directory", "shell"] {
        if let Some(entry) = failing.entry(key) {
            // The download runs where and how the failing command does.
            let value = &source.text[entry.value.span.start..entry.value.span.end];
            if value.contains('\n') {
                return None;
            }
            defaults.push(format!("{}{key}: {value}", " ".repeat(column)));
        }
    }
    lines.extend(defaults);
    lines.extend(retried_run(column, &[command.to_string()]));
    Some(Insertion::before(at, lines))
}

/// Whether the best lines are network failures (the kind a retry recovers).
pub(crate) fn network_failure(
    candidates: &[Candidate],
    signatures: &crate::signatures::Signatures,
) -> bool {
    candidates.iter().take(3).any(|c| {
        c.matched().iter().any(|&i| {
            signatures
                .list
                .get(i)
                .is_some_and(|s| s.id.starts_with("net.") || s.id.ends_with("rate-limit"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_or_adds_a_version_prefix_keeping_quotes() {
        assert_eq!(bump_version("v0-rust"), "v1-rust");
        assert_eq!(bump_version("\"v9-cargo\""), "\"v10-cargo\"");
        assert_eq!(
            bump_version("${{ runner.os }}-cargo-${{ hashFiles('**/Cargo.lock') }}"),
            "v2-${{ runner.os }}-cargo-${{ hashFiles('**/Cargo.lock') }}"
        );
        assert_eq!(bump_version("'vendor-x'"), "'v2-vendor-x'");
        assert_eq!(bump_version("v2x-y"), "v2-v2x-y");
    }

    #[test]
    fn targets_and_linkers_are_read_from_what_the_log_names() {
        assert!(is_target("aarch64-unknown-linux-gnu"));
        assert!(is_target("wasm32-wasip1"));
        assert!(is_target("x86_64-pc-windows-msvc"));
        assert!(!is_target("cfg-if"));
        assert!(!is_target("aarch64"));
        assert_eq!(
            linker_package("aarch64-linux-gnu-gcc").as_deref(),
            Some("gcc-aarch64-linux-gnu")
        );
        assert_eq!(
            linker_package("/usr/bin/arm-linux-gnueabihf-gcc").as_deref(),
            Some("gcc-arm-linux-gnueabihf")
        );
        assert_eq!(
            linker_package("x86_64-w64-mingw32-gcc").as_deref(),
            Some("gcc-mingw-w64-x86-64")
        );
        assert_eq!(linker_package("cc"), None);
        assert_eq!(linker_package("rust-lld"), None);
    }

    #[test]
    fn compares_versions_numerically() {
        assert!(older(&[1, 80, 0], &[1, 81]));
        assert!(!older(&[1, 81], &[1, 81]));
        assert!(!older(&[20], &[18]));
        assert_eq!(numeric("lts/*"), None);
        assert_eq!(numeric("3.x"), None);
        assert_eq!(numeric("v1.22.1"), Some(vec![1, 22, 1]));
    }
}
