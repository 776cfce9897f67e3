//! Action refs resolved to commit SHAs, for the fix that pins `uses: owner/repo@v4` to
//! `owner/repo@<sha> # v4`.
//!
//! Resolving needs the network (`git ls-remote` of each action's repository), which a plain
//! `plimsoll check` never uses: the binary resolves the refs its findings name up front, only
//! under `--fix` or `--diff`, and hands the rules the result through the settings
//! (`settings.github_actions.pins`). Rules only read it; with nothing resolved they attach no
//! fix. Resolutions are kept in a cache file in the user's cache folder for
//! [`CACHE_TTL_SECONDS`], so a second run (and the language server, which never goes to the
//! network) pins without asking the remote again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use plimsoll_actions::{RefKind, Uses};
use plimsoll_syntax::yaml::Node;

use crate::finding::Finding;
use crate::fix::{Edit, Fix};

/// Where actions live when `GITHUB_SERVER_URL` names no other server.
pub const DEFAULT_SERVER: &str = "https://github.com";

/// How long a resolution is reused without asking the remote again: one day. A tag seldom
/// moves, and when it does the pin written from a day-old answer is still a commit the tag
/// named; a branch moves more often, but pinning one is an unsafe fix anyway.
pub const CACHE_TTL_SECONDS: u64 = 24 * 60 * 60;

/// How many remotes are asked at once.
const CONCURRENT_REMOTES: usize = 8;

/// The cache file's format version; a file of another version is ignored.
const CACHE_VERSION: u64 = 1;

/// An action's repository and the ref a workflow names it by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionRef {
    /// `owner/repo`, lowercase (GitHub's names are case-insensitive).
    pub repository: String,
    /// The ref as written (`v4`, `main`).
    pub git_ref: String,
}

impl ActionRef {
    /// The ref of `owner/repo@git_ref`.
    pub fn new(owner: &str, repo: &str, git_ref: &str) -> Self {
        ActionRef {
            repository: format!("{owner}/{repo}").to_ascii_lowercase(),
            git_ref: git_ref.to_string(),
        }
    }
}

impl std::fmt::Display for ActionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.repository, self.git_ref)
    }
}

/// What a ref names in its repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PinKind {
    /// A tag: pinning keeps the code that runs today.
    Tag,
    /// A branch: pinning freezes code that would have moved on.
    Branch,
}

/// The commit a ref points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The full commit SHA (an annotated tag peeled to its commit).
    pub sha: String,
    /// Whether the ref is a tag or a branch.
    pub kind: PinKind,
}

/// The refs of one run and what each resolved to, or why it did not.
#[derive(Clone, Debug, Default)]
pub struct ResolvedRefs {
    resolved: BTreeMap<ActionRef, Result<Pin, String>>,
}

impl ResolvedRefs {
    /// The pin of `owner/repo@git_ref`, when it was resolved.
    pub fn pin(&self, owner: &str, repo: &str, git_ref: &str) -> Option<&Pin> {
        self.resolved
            .get(&ActionRef::new(owner, repo, git_ref))?
            .as_ref()
            .ok()
    }

    /// The refs that could not be resolved, and why.
    pub fn failures(&self) -> impl Iterator<Item = (&ActionRef, &str)> {
        self.resolved
            .iter()
            .filter_map(|(action, result)| result.as_ref().err().map(|why| (action, why.as_str())))
    }

    /// How many refs were resolved.
    pub fn resolved_count(&self) -> usize {
        self.resolved
            .values()
            .filter(|result| result.is_ok())
            .count()
    }
}

/// The fix that pins the `uses:` value `node` (`owner/repo(/path)@git_ref`) to the commit
/// `pins` resolved its ref to, with the ref as a trailing comment (`# v4`; `# main (branch)` for
/// a branch). A comment already on the line is kept after the ref. Pinning a tag keeps the code
/// that runs (safe); pinning a branch stops following it (unsafe). `None` when the ref was not
/// resolved, or when text other than a comment follows the value on its line (a flow mapping),
/// where a comment cannot go.
pub fn pin_fix(text: &str, node: &Node, pins: &ResolvedRefs) -> Option<Fix> {
    let Uses::Repository {
        owner,
        repo,
        git_ref: Some(git_ref),
        ..
    } = Uses::parse(node.as_str()?)
    else {
        return None;
    };
    let pin = pins.pin(owner, repo, git_ref)?;
    let ref_span = plimsoll_actions::ref_span(node, text);
    if text.get(ref_span.start..ref_span.end) != Some(git_ref) {
        return None;
    }
    let label = match pin.kind {
        PinKind::Tag => git_ref.to_string(),
        PinKind::Branch => format!("{git_ref} (branch)"),
    };
    let line_end = text[node.span.end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |at| node.span.end + at);
    let rest = &text[node.span.end..line_end];
    let comment = if rest.trim().is_empty() {
        Edit::replace(
            plimsoll_syntax::Span::new(node.span.end, line_end),
            format!(" # {label}"),
        )
    } else {
        let hash = rest.find('#')?;
        if !rest[..hash].trim().is_empty() {
            return None;
        }
        let old = rest[hash + 1..].trim();
        let merged = if old.is_empty() || old.split_whitespace().next() == Some(git_ref) {
            label
        } else {
            format!("{label}; {old}")
        };
        Edit::replace(
            plimsoll_syntax::Span::new(node.span.end + hash, line_end),
            format!("# {merged}"),
        )
    };
    let pinned = Edit::replace(ref_span, pin.sha.clone());
    Some(match pin.kind {
        PinKind::Tag => Fix::safe(
            format!("pin `{git_ref}` to the commit it names, {}", pin.sha),
            vec![pinned, comment],
        ),
        PinKind::Branch => Fix::unsafe_edits(
            format!(
                "pin the branch `{git_ref}` to its current commit, {}: it will no longer follow the branch",
                pin.sha
            ),
            vec![pinned, comment],
        ),
    })
}

/// The action ref a finding points at, when its span is the ref of a `uses:` value (the
/// `v4` of `owner/repo@v4`, as the pinning rules report it) in `text`.
pub fn ref_at(text: &str, span: plimsoll_syntax::Span) -> Option<ActionRef> {
    let git_ref = text.get(span.start..span.end)?;
    let before = text.get(..span.start)?.strip_suffix('@')?;
    let start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '{' | ',' | '['))
        .map_or(0, |at| at + 1);
    let value = text.get(start..span.end)?;
    match Uses::parse(value) {
        Uses::Repository {
            owner,
            repo,
            git_ref: Some(written),
            ..
        } if written == git_ref
            && !owner.is_empty()
            && !repo.is_empty()
            && matches!(RefKind::of(git_ref), RefKind::VersionTag | RefKind::Branch)
            && !plimsoll_syntax::expr::contains_expression(value) =>
        {
            Some(ActionRef::new(owner, repo, git_ref))
        }
        _ => None,
    }
}

/// The action refs the findings of `rules` point at, read from their files: what a run must
/// resolve to offer their fixes. A file that cannot be read again is skipped.
pub fn wanted(findings: &[Finding], rules: &[&str], max_file_size: u64) -> BTreeSet<ActionRef> {
    let mut by_file: BTreeMap<&Path, Vec<plimsoll_syntax::Span>> = BTreeMap::new();
    for finding in findings {
        if let (true, Some(span)) = (rules.contains(&finding.rule.name), finding.location.span) {
            by_file
                .entry(finding.location.path.as_path())
                .or_default()
                .push(span);
        }
    }
    let mut wanted = BTreeSet::new();
    for (path, spans) in by_file {
        let Ok(bytes) = plimsoll_syntax::file::read_regular(path, max_file_size) else {
            continue;
        };
        let Ok(source) = plimsoll_syntax::SourceFile::from_bytes(path.to_path_buf(), bytes) else {
            continue;
        };
        wanted.extend(
            spans
                .into_iter()
                .filter_map(|span| ref_at(source.text(), span)),
        );
    }
    wanted
}

/// One resolution in the cache file.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct CacheEntry {
    server: String,
    repository: String,
    #[serde(rename = "ref")]
    git_ref: String,
    sha: String,
    kind: PinKind,
    /// Seconds since the Unix epoch.
    resolved_at: u64,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct CacheFile {
    version: u64,
    entries: Vec<CacheEntry>,
}

/// Why the cache could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the action-ref cache {path}: {source}")]
pub struct CacheError {
    /// The cache file.
    pub path: PathBuf,
    /// What failed.
    pub source: std::io::Error,
}

/// The resolutions kept between runs, by server, repository and ref.
#[derive(Debug, Default)]
pub struct RefCache {
    path: Option<PathBuf>,
    entries: BTreeMap<(String, ActionRef), CacheEntry>,
    changed: bool,
}

impl RefCache {
    /// The cache file in the user's cache folder: `$XDG_CACHE_HOME/plimsoll/action-refs.json`,
    /// else `~/.cache/plimsoll/action-refs.json`; `None` when neither variable is set.
    pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
        Some(plimsoll_syntax::file::cache_folder(env)?.join("action-refs.json"))
    }

    /// The cache at `path` (none when `None`): empty when the file is missing, unreadable or
    /// of another format, since a cache only saves time.
    pub fn load(path: Option<PathBuf>) -> RefCache {
        let file: CacheFile = path
            .as_deref()
            .and_then(|path| std::fs::read(path).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .filter(|file: &CacheFile| file.version == CACHE_VERSION)
            .unwrap_or_default();
        let entries = file
            .entries
            .into_iter()
            .filter(|entry| is_full_sha(&entry.sha))
            .map(|entry| {
                let key = (
                    entry.server.clone(),
                    ActionRef {
                        repository: entry.repository.to_ascii_lowercase(),
                        git_ref: entry.git_ref.clone(),
                    },
                );
                (key, entry)
            })
            .collect();
        RefCache {
            path,
            entries,
            changed: false,
        }
    }

    /// The pin of `action` on `server` resolved less than [`CACHE_TTL_SECONDS`] before `now`.
    fn fresh(&self, server: &str, action: &ActionRef, now: u64) -> Option<Pin> {
        let entry = self.entries.get(&(server.to_string(), action.clone()))?;
        (now.saturating_sub(entry.resolved_at) < CACHE_TTL_SECONDS).then(|| Pin {
            sha: entry.sha.clone(),
            kind: entry.kind,
        })
    }

    fn remember(&mut self, server: &str, action: &ActionRef, pin: &Pin, now: u64) {
        self.entries.insert(
            (server.to_string(), action.clone()),
            CacheEntry {
                server: server.to_string(),
                repository: action.repository.clone(),
                git_ref: action.git_ref.clone(),
                sha: pin.sha.clone(),
                kind: pin.kind,
                resolved_at: now,
            },
        );
        self.changed = true;
    }

    /// Every fresh resolution for `server`: what the language server pins with, never asking
    /// a remote.
    pub fn resolved(&self, server: &str, now: u64) -> ResolvedRefs {
        let resolved = self
            .entries
            .iter()
            .filter(|((entry_server, _), entry)| {
                entry_server == server && now.saturating_sub(entry.resolved_at) < CACHE_TTL_SECONDS
            })
            .map(|((_, action), entry)| {
                let pin = Pin {
                    sha: entry.sha.clone(),
                    kind: entry.kind,
                };
                (action.clone(), Ok(pin))
            })
            .collect();
        ResolvedRefs { resolved }
    }

    /// Write the cache when it changed, atomically (a temporary file renamed over it), dropping
    /// entries past their time to live.
    pub fn save(&mut self, now: u64) -> Result<(), CacheError> {
        let Some(path) = self.path.clone().filter(|_| self.changed) else {
            return Ok(());
        };
        let error = |source| CacheError {
            path: path.clone(),
            source,
        };
        let file = CacheFile {
            version: CACHE_VERSION,
            entries: self
                .entries
                .values()
                .filter(|entry| now.saturating_sub(entry.resolved_at) < CACHE_TTL_SECONDS)
                .cloned()
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|err| error(err.into()))?;
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(error)?;
        }
        let temporary = path.with_extension(format!("json.{}.tmp", std::process::id()));
        std::fs::write(&temporary, json)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|err| {
                let _ = std::fs::remove_file(&temporary);
                error(err)
            })?;
        self.changed = false;
        Ok(())
    }
}

fn is_full_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Where the actions of `server` are: `GITHUB_SERVER_URL` as GitHub sets it on its runners (a
/// GitHub Enterprise server), else [`DEFAULT_SERVER`]. A local folder works too (mirrors,
/// tests).
pub fn server(env: &dyn Fn(&str) -> Option<String>) -> String {
    env("GITHUB_SERVER_URL")
        .map(|url| url.trim().trim_end_matches('/').to_string())
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_SERVER.to_string())
}

/// Resolve `wanted` against the repositories at `{server}/{owner}/{repo}`: from `cache` when
/// fresh, else with one `git ls-remote` per repository, [`CONCURRENT_REMOTES`] at a time (none
/// when `offline`). A ref found as a tag is a tag (an annotated one peeled to its commit); as a
/// branch only, a branch; as both at different commits, left unresolved, since which one runs
/// is not for a fix to guess. What is resolved is remembered in `cache`; failures are kept in
/// the result with their reason, never raised.
pub fn resolve(
    wanted: &BTreeSet<ActionRef>,
    server: &str,
    cache: &mut RefCache,
    offline: bool,
    now: u64,
) -> ResolvedRefs {
    let mut resolved = BTreeMap::new();
    let mut by_repository: BTreeMap<&str, Vec<&ActionRef>> = BTreeMap::new();
    for action in wanted {
        match cache.fresh(server, action, now) {
            Some(pin) => {
                resolved.insert(action.clone(), Ok(pin));
            }
            None if offline => {
                resolved.insert(
                    action.clone(),
                    Err("offline, and not in the cache".to_string()),
                );
            }
            None => by_repository
                .entry(action.repository.as_str())
                .or_default()
                .push(action),
        }
    }
    let queue = Mutex::new(by_repository.into_iter().collect::<Vec<_>>());
    let answers = Mutex::new(Vec::new());
    let workers = CONCURRENT_REMOTES.min(queue.lock().map_or(0, |q| q.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                // The guard moves into the closure and is dropped there: the lock is not held
                // while git runs.
                while let Some((repository, actions)) =
                    queue.lock().ok().and_then(|mut queue| queue.pop())
                {
                    let answer = resolve_repository(server, repository, &actions);
                    if let Ok(mut answers) = answers.lock() {
                        answers.extend(answer);
                    }
                }
            });
        }
    });
    for (action, result) in answers.into_inner().unwrap_or_default() {
        if let Ok(pin) = &result {
            cache.remember(server, &action, pin, now);
        }
        resolved.insert(action, result);
    }
    ResolvedRefs { resolved }
}

/// Resolve `actions`, refs of `repository`, with one `git ls-remote`.
fn resolve_repository(
    server: &str,
    repository: &str,
    actions: &[&ActionRef],
) -> Vec<(ActionRef, Result<Pin, String>)> {
    let url = format!("{server}/{repository}");
    let patterns: Vec<String> = actions
        .iter()
        .flat_map(|action| {
            [
                format!("refs/tags/{}", action.git_ref),
                format!("refs/heads/{}", action.git_ref),
            ]
        })
        .collect();
    let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
    let listing = plimsoll_git::ls_remote(&url, &patterns);
    actions
        .iter()
        .map(|action| {
            let result = match &listing {
                Err(plimsoll_git::GitError::Failed { stderr, .. }) => Err(format!(
                    "`git ls-remote {url}` failed: {}",
                    stderr.lines().next().unwrap_or("")
                )),
                Err(err) => Err(err.to_string()),
                Ok(refs) => pin_of(refs, &action.git_ref, &url),
            };
            ((*action).clone(), result)
        })
        .collect()
}

/// What `git_ref` names among `refs`.
fn pin_of(refs: &plimsoll_git::RemoteRefs, git_ref: &str, url: &str) -> Result<Pin, String> {
    let tag = refs.tags.get(git_ref).filter(|sha| is_full_sha(sha));
    let branch = refs.heads.get(git_ref).filter(|sha| is_full_sha(sha));
    match (tag, branch) {
        (Some(tag), Some(branch)) if tag != branch => Err(format!(
            "`{git_ref}` is both a tag and a branch of {url}, at different commits"
        )),
        (Some(sha), _) => Ok(Pin {
            sha: sha.clone(),
            kind: PinKind::Tag,
        }),
        (None, Some(sha)) => Ok(Pin {
            sha: sha.clone(),
            kind: PinKind::Branch,
        }),
        (None, None) => Err(format!("{url} has no tag or branch `{git_ref}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_action_of_a_ref_span() {
        let text = "steps:\n  - uses: \"actions/checkout@v4\"\n  - {uses: a/b/c@main, with: {}}\n  - uses: docker://x@v1\n";
        let at = |needle: &str, from: usize| {
            let start = text[from..].find(needle).unwrap() + from;
            plimsoll_syntax::Span::new(start, start + needle.len())
        };
        assert_eq!(
            ref_at(text, at("v4", 0)),
            Some(ActionRef::new("actions", "checkout", "v4"))
        );
        assert_eq!(
            ref_at(text, at("main", 0)),
            Some(ActionRef::new("a", "b", "main"))
        );
        assert_eq!(ref_at(text, at("v1", 0)), None);
        assert_eq!(ref_at(text, at("checkout", 0)), None);
    }

    #[test]
    fn a_ref_that_is_a_tag_and_a_branch_at_different_commits_is_not_guessed() {
        let sha = |c: char| c.to_string().repeat(40);
        let mut refs = plimsoll_git::RemoteRefs::default();
        refs.tags.insert("v1".into(), sha('a'));
        refs.heads.insert("v1".into(), sha('b'));
        refs.heads.insert("main".into(), sha('c'));
        assert!(pin_of(&refs, "v1", "u").is_err());
        assert_eq!(
            pin_of(&refs, "main", "u").map(|p| p.kind),
            Ok(PinKind::Branch)
        );
        assert!(pin_of(&refs, "v9", "u").is_err());
    }
}
