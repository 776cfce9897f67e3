//! The least `GITHUB_TOKEN` permissions a job needs, from what its steps use: the actions, from
//! `data/action-permissions.toml` (each entry with the documentation it comes from), and the
//! `gh` and `git` commands of its scripts. A job that uses anything the data does not cover
//! has no answer, never a guess: the permission fixes of `missing-permissions`,
//! `excessive-permissions` and `write-all-permissions` leave it alone and say why.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::SystemTime;

use plimsoll_actions::{Action, Job, Step, Uses, Workflow};
use plimsoll_syntax::shell::Command;
use plimsoll_syntax::yaml::Node;

use super::common::{action_slug, contains_ignore_ascii_case};
use crate::finding::Diagnostic;
use crate::fix::{append_to_mapping, indentation, insert_before_entry, line_ending, Edit, Fix};
use crate::rule::Context;
use crate::script::Scripts;

/// How much of a scope the token gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    /// `read`.
    Read,
    /// `write` (which includes reading).
    Write,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Write => "write",
        }
    }
}

/// Scopes and their levels, by scope name (`contents`, `id-token`, …): what a job needs.
pub(crate) type Scopes = BTreeMap<String, Level>;

/// What a job needs: each scope, and what asks for it (`actions/checkout`, `gh pr comment`),
/// for the comment the fix writes after the scope (`undocumented-permissions` asks for one);
/// and the documentation each action's entry cites, for the fix's message.
#[derive(Debug, Default)]
pub(crate) struct Needs {
    scopes: Scopes,
    why: BTreeMap<String, Vec<String>>,
    sources: Vec<String>,
}

impl Needs {
    /// Add `scopes`, asked for by `user` (an action or a command), as `source` documents.
    fn add(&mut self, scopes: &Scopes, user: &str, source: Option<&str>) {
        if scopes.is_empty() {
            return;
        }
        add(&mut self.scopes, scopes);
        for scope in scopes.keys() {
            let users = self.why.entry(scope.clone()).or_default();
            if !users.iter().any(|u| u == user) {
                users.push(user.to_string());
            }
        }
        if let Some(source) = source {
            let cited = format!("`{user}`: {source}");
            if !self.sources.contains(&cited) {
                self.sources.push(cited);
            }
        }
    }

    /// `` `contents: read`, `pull-requests: write` (per …) ``, or `no permissions`.
    fn describe(&self) -> String {
        if self.scopes.is_empty() {
            return "no permissions".to_string();
        }
        let scopes: Vec<String> = self
            .scopes
            .iter()
            .map(|(scope, level)| format!("`{scope}: {}`", level.as_str()))
            .collect();
        if self.sources.is_empty() {
            scopes.join(", ")
        } else {
            format!("{} (per {})", scopes.join(", "), self.sources.join("; "))
        }
    }

    /// One `scope: level # why` line per scope, indented by `indent`.
    fn lines(&self, indent: &str) -> Vec<String> {
        self.scopes
            .iter()
            .map(|(scope, level)| {
                let users = self
                    .why
                    .get(scope)
                    .map(|u| u.join(", "))
                    .unwrap_or_default();
                format!("{indent}{scope}: {} # {users}", level.as_str())
            })
            .collect()
    }
}

/// Scopes added when a step's input says so.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Condition {
    input: String,
    #[serde(default)]
    present: bool,
    equals: Option<String>,
    #[serde(default)]
    is_github_token: bool,
    permissions: Scopes,
}

/// What one action needs from the token.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ActionNeeds {
    uses: String,
    permissions: Scopes,
    source: String,
    #[serde(default)]
    token_inputs: Vec<String>,
    unknown: Option<String>,
    #[serde(default)]
    when: Vec<Condition>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    action: Vec<ActionNeeds>,
}

/// The data file, parsed once; empty (so no fix is offered) if it did not parse, which a test
/// rules out.
fn table() -> &'static [ActionNeeds] {
    static TABLE: OnceLock<Vec<ActionNeeds>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<Table>(include_str!("../../../data/action-permissions.toml"))
            .map(|table| table.action)
            .unwrap_or_default()
    })
}

/// Whether `value` is the job's own token: `${{ github.token }}` or
/// `${{ secrets.GITHUB_TOKEN }}`.
fn is_github_token(value: &str) -> bool {
    let Some(inner) = value
        .trim()
        .strip_prefix("${{")
        .and_then(|rest| rest.strip_suffix("}}"))
    else {
        return false;
    };
    let inner = inner.trim();
    inner.eq_ignore_ascii_case("github.token") || inner.eq_ignore_ascii_case("secrets.github_token")
}

/// Whether `text` reads the job's token (`github.token`, `secrets.GITHUB_TOKEN`).
fn reads_token(text: &str) -> bool {
    contains_ignore_ascii_case(text, "github.token")
        || contains_ignore_ascii_case(text, "secrets.github_token")
}

/// The text of a scalar input, `true`/`false` included.
fn scalar_text(node: &Node) -> Option<String> {
    node.as_str()
        .map(str::to_string)
        .or_else(|| node.as_bool().map(|b| b.to_string()))
}

fn add(into: &mut Scopes, scopes: &Scopes) {
    for (scope, level) in scopes {
        let entry = into.entry(scope.clone()).or_insert(*level);
        *entry = (*entry).max(*level);
    }
}

fn one(scope: &str, level: Level) -> Scopes {
    Scopes::from([(scope.to_string(), level)])
}

/// What the action step `step` (`uses: slug@ref`) needs, and where that is documented; or why
/// that cannot be told.
fn action_needs(step: &Step<'_>, uses: &str) -> Result<(Scopes, String, &'static str), String> {
    match Uses::parse(uses) {
        Uses::Repository { .. } => {}
        Uses::Docker { .. } => {
            // A container action gets the token only when the step passes it.
            return if step_reads_token(step) {
                Err(format!(
                    "step `{}` passes the token to a container whose use of it is unknown",
                    step.label()
                ))
            } else {
                Ok((Scopes::new(), String::new(), ""))
            };
        }
        _ => {
            return Err(format!(
                "step `{}` uses `{uses}`, which does not parse",
                step.label()
            ))
        }
    }
    let slug = action_slug(uses);
    let Some(entry) = table().iter().find(|entry| entry.uses == slug) else {
        return Err(format!(
            "plimsoll's data does not say which token permissions `{slug}` needs"
        ));
    };
    let own_credential = entry.token_inputs.iter().any(|input| {
        step.with(input)
            .and_then(Node::as_str)
            .is_some_and(|value| !is_github_token(value))
    });
    if own_credential {
        return Ok((Scopes::new(), String::new(), ""));
    }
    if let Some(why) = &entry.unknown {
        return Err(format!("`{slug}`: {why}"));
    }
    let mut needs = entry.permissions.clone();
    for condition in &entry.when {
        let value = step.with(&condition.input).and_then(scalar_text);
        let holds = match &value {
            None => false,
            Some(value) => {
                condition.present
                    || condition
                        .equals
                        .as_ref()
                        .is_some_and(|wanted| value.trim().eq_ignore_ascii_case(wanted))
                    || (condition.is_github_token && is_github_token(value))
            }
        };
        if holds {
            add(&mut needs, &condition.permissions);
        }
    }
    Ok((needs, slug, entry.source.as_str()))
}

/// Whether the step's own text (its `run:`, `with:` and `env:`) reads the token.
fn step_reads_token(step: &Step<'_>) -> bool {
    step.run().is_some_and(node_reads_token)
        || step.node.get("with").is_some_and(node_reads_token)
        || step.node.get("env").is_some_and(node_reads_token)
}

/// Whether a scalar of `node` reads the token: each scalar on its own, as neither name spans a
/// line break.
fn node_reads_token(node: &Node) -> bool {
    if let Some(text) = node.as_str() {
        reads_token(text)
    } else if let Some(entries) = node.as_mapping() {
        entries.iter().any(|entry| node_reads_token(&entry.value))
    } else if let Some(items) = node.as_sequence() {
        items.iter().any(node_reads_token)
    } else {
        false
    }
}

/// What `gh <group> <verb>` needs; `None` when plimsoll cannot tell (`gh api`, a command it
/// does not know).
fn gh_needs(group: &str, verb: &str) -> Option<Scopes> {
    use Level::{Read, Write};
    let reads = |verbs: &[&str]| verbs.contains(&verb);
    let scopes = match group {
        "pr" if reads(&["view", "list", "diff", "checks", "status"]) => one("pull-requests", Read),
        "pr" if reads(&["checkout"]) => {
            let mut scopes = one("pull-requests", Read);
            add(&mut scopes, &one("contents", Read));
            scopes
        }
        "pr" if reads(&[
            "create", "comment", "edit", "merge", "close", "reopen", "review", "ready", "lock",
            "unlock",
        ]) =>
        {
            one("pull-requests", Write)
        }
        "issue" if reads(&["view", "list", "status"]) => one("issues", Read),
        "issue"
            if reads(&[
                "create", "comment", "edit", "close", "reopen", "delete", "lock", "unlock", "pin",
                "unpin", "transfer",
            ]) =>
        {
            one("issues", Write)
        }
        "label" if reads(&["list"]) => one("issues", Read),
        "label" if reads(&["create", "edit", "delete", "clone"]) => one("issues", Write),
        "release" if reads(&["view", "list", "download"]) => one("contents", Read),
        "release" if reads(&["create", "upload", "edit", "delete", "delete-asset"]) => {
            one("contents", Write)
        }
        "run" if reads(&["view", "list", "download", "watch"]) => one("actions", Read),
        "run" if reads(&["rerun", "cancel", "delete"]) => one("actions", Write),
        "workflow" if reads(&["view", "list"]) => one("actions", Read),
        "workflow" if reads(&["run", "enable", "disable"]) => one("actions", Write),
        "cache" if reads(&["list"]) => one("actions", Read),
        "cache" if reads(&["delete"]) => one("actions", Write),
        "repo" if reads(&["view", "clone"]) => one("contents", Read),
        "auth" if reads(&["status", "setup-git", "token"]) => Scopes::new(),
        _ => return None,
    };
    Some(scopes)
}

/// Programs that never send the token anywhere: shell built-ins and text tools. Any other
/// program in a script that can read the token (a `curl`, an `npx semantic-release`) may use
/// it for anything.
const TOKEN_BLIND_PROGRAMS: &[&str] = &[
    "echo",
    "printf",
    "cd",
    "export",
    "set",
    "unset",
    "test",
    "[",
    "[[",
    "true",
    "false",
    "exit",
    "mkdir",
    "cp",
    "mv",
    "rm",
    "ls",
    "cat",
    "grep",
    "sed",
    "awk",
    "jq",
    "tee",
    "sort",
    "uniq",
    "head",
    "tail",
    "wc",
    "cut",
    "tr",
    "date",
    "sleep",
    "touch",
    "chmod",
    "basename",
    "dirname",
    "pwd",
    "read",
    "shift",
    "local",
    "return",
    "source",
    ".",
    "xargs",
    "find",
    "tar",
    "unzip",
    "sha256sum",
    "base64",
    "envsubst",
];

/// What the script of `step` needs: `gh` commands by subcommand, `git push` (with the
/// checkout's token) `contents: write`; or why that cannot be told.
fn script_needs(
    step: &Step<'_>,
    commands: &[Command],
    token_in_env: bool,
    needs: &mut Needs,
) -> Result<(), String> {
    // Asked only when a program other than `gh` and `git` runs: most scripts never need it.
    let token_readable = std::cell::OnceCell::new();
    let token_readable = || *token_readable.get_or_init(|| token_in_env || step_reads_token(step));
    for command in commands {
        let words: Vec<&str> = command
            .argv()
            .iter()
            .map(|word| word.text.as_str())
            .collect();
        let Some(program) = words
            .first()
            .map(|w| plimsoll_syntax::shell::program_name(w))
        else {
            continue;
        };
        // Flags before the subcommand (`gh --repo o/r pr view`) are skipped.
        let mut operands = words.iter().skip(1).filter(|w| !w.starts_with('-'));
        match program {
            "gh" => {
                let group = operands.next().copied().unwrap_or("");
                let verb = operands.next().copied().unwrap_or("");
                match gh_needs(group, verb) {
                    Some(scopes) => needs.add(&scopes, &format!("gh {group} {verb}"), None),
                    None => {
                        return Err(format!(
                            "step `{}` runs `gh {group}{}`, whose scopes depend on what it calls",
                            step.label(),
                            if verb.is_empty() {
                                String::new()
                            } else {
                                format!(" {verb}")
                            }
                        ))
                    }
                }
            }
            "git" => match operands.next().copied().unwrap_or("") {
                "push" => needs.add(&one("contents", Level::Write), "git push", None),
                verb @ ("fetch" | "pull" | "clone" | "ls-remote" | "submodule") => {
                    needs.add(&one("contents", Level::Read), &format!("git {verb}"), None)
                }
                _ => {}
            },
            _ if !TOKEN_BLIND_PROGRAMS.contains(&program) && token_readable() => {
                return Err(format!(
                    "step `{}` gives the token to `{program}`, which may use it for anything",
                    step.label()
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether a job-level or workflow-level `env:` hands the token to every step.
fn env_reads_token(node: &Node) -> bool {
    node.get("env").is_some_and(node_reads_token)
}

/// The least permissions `job` needs, or why plimsoll cannot tell; `scripts` are those of the
/// document `workflow` is in.
pub(crate) fn job_needs(
    workflow_path: &Path,
    workflow: Workflow<'_>,
    job: &Job<'_>,
    scripts: &Scripts,
) -> Result<Needs, String> {
    let root = repository_root(workflow_path);
    if let Some(uses) = job.uses() {
        return called_workflow_needs(job, uses.value.as_str().unwrap_or(""), root, 0);
    }
    let token_in_env = env_reads_token(workflow.root) || env_reads_token(job.node);
    let mut needs = Needs::default();
    if registry_credentials_read_token(job.node) {
        needs.add(&one("packages", Level::Read), "pull the job's images", None);
    }
    let local = LocalActions {
        root,
        depth: 0,
        scripts,
    };
    for step in job.steps() {
        step_needs(&step, token_in_env, &local, &mut needs)?;
    }
    Ok(needs)
}

/// What the reusable workflow `uses` (called by `caller`) needs, when it is a local file
/// (`./.github/workflows/build.yml`): the caller's token is the one its jobs get, capped by the
/// caller's permissions. A job of it that sets `permissions:` needs those scopes granted; one
/// that does not needs what its steps need.
fn called_workflow_needs(
    caller: &Job<'_>,
    uses: &str,
    root: Option<PathBuf>,
    depth: usize,
) -> Result<Needs, String> {
    let unknown = |why: &str| {
        format!(
            "job `{}` calls the reusable workflow `{uses}`, {why}",
            caller.id
        )
    };
    let Uses::Local { path } = Uses::parse(uses) else {
        return Err(unknown(
            "of another repository, whose jobs decide what they need",
        ));
    };
    if depth >= MAX_LOCAL_DEPTH {
        return Err(unknown("nested too deep to follow"));
    }
    let Some(root) = root else {
        return Err(unknown("outside a repository's `.github` folder"));
    };
    let relative = path.trim_start_matches("./");
    if relative.split('/').any(|part| part == "..") {
        return Err(unknown("outside the repository"));
    }
    let file = root.join(relative);
    let callee_yaml = read_local_yaml(std::slice::from_ref(&file))
        .map_err(|why| unknown(&format!("which {why}")))?;
    let Some(callee) = Workflow::new(&callee_yaml.document.root) else {
        return Err(unknown("which is not a workflow"));
    };
    let mut needs = Needs::default();
    let explicit = |permissions: &Node, owner: &str, needs: &mut Needs| -> Result<(), String> {
        if permissions.as_str().is_some() {
            return Err(unknown(&format!(
                "whose {owner} sets `permissions: {}`",
                permissions.as_str().unwrap_or("")
            )));
        }
        for entry in permissions.as_mapping().unwrap_or_default() {
            let level = match entry.value.as_str() {
                Some("read") => Level::Read,
                Some("write") => Level::Write,
                _ => continue,
            };
            let scope = entry.key.as_str().unwrap_or("");
            needs.add(&one(scope, level), &format!("{relative} {owner}"), None);
        }
        Ok(())
    };
    for job in callee.jobs() {
        match (job.entry("permissions"), callee.permissions()) {
            (Some(permissions), _) => {
                explicit(permissions.value, &format!("job `{}`", job.id), &mut needs)?
            }
            (None, Some(permissions)) => explicit(permissions.value, "workflow", &mut needs)?,
            (None, None) => {
                let inner = match job.uses() {
                    Some(uses) => called_workflow_needs(
                        &job,
                        uses.value.as_str().unwrap_or(""),
                        Some(root.clone()),
                        depth + 1,
                    )?,
                    None => job_needs(&file, callee, &job, &callee_yaml.scripts)?,
                };
                for (scope, level) in &inner.scopes {
                    let users = inner.why.get(scope).cloned().unwrap_or_default();
                    needs.add(&one(scope, *level), &users.join(", "), None);
                }
                needs.sources.extend(
                    inner
                        .sources
                        .iter()
                        .filter(|s| !needs.sources.contains(s))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
    }
    Ok(needs)
}

/// Where the actions of the workflow's own repository (`uses: ./path`) are read from.
struct LocalActions<'s> {
    /// The repository's root: the folder holding the workflow's `.github` folder.
    root: Option<PathBuf>,
    /// How many local composite actions deep the step is (each may use another).
    depth: usize,
    /// The lexed scripts of the document the step is in.
    scripts: &'s Scripts,
}

/// How deep local composite actions are followed: a cycle or a deep chain gets no fix.
const MAX_LOCAL_DEPTH: usize = 4;

/// A local action's `action.yml` or a local reusable workflow, as read and parsed once per check
/// run (see [`LOCAL_CALLEES`]).
struct LocalYaml {
    /// The single document of the file.
    document: plimsoll_syntax::yaml::Document,
    /// Whether its text reads the job's token anywhere ([`reads_token`]).
    reads_token: bool,
    /// Its `run:` scripts, lexed once for every job that calls it.
    scripts: Scripts,
}

/// What reading and parsing a callee's file gave: `None` when it cannot be read, an error when
/// it does not parse. Several jobs, workflows and findings call the same file.
type Loaded = Option<Result<Arc<LocalYaml>, ()>>;

/// A cached [`Loaded`], with the size and modification time of the file it was read from: an
/// editor's server keeps running while the file changes, and a changed file is read again.
struct CachedCallee {
    stamp: Option<(u64, SystemTime)>,
    loaded: Loaded,
}

/// The local callees read in the current check run, by path. Each finding of the permission
/// rules asks for what its job's callees need, and every job of a repository may call the same
/// `setup` action: reading and parsing it once per finding was a fifth of the fixes' cost.
static LOCAL_CALLEES: LazyLock<Mutex<HashMap<PathBuf, CachedCallee>>> =
    LazyLock::new(Default::default);

/// Forget the callees read so far: called as a check run starts, so that a long-lived process
/// does not keep every callee it ever read.
pub(super) fn forget_local_callees() {
    if let Ok(mut callees) = LOCAL_CALLEES.lock() {
        callees.clear();
    }
}

/// The size and modification time of the file at `path`, to tell a changed file from the one
/// cached.
fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.len(), metadata.modified().ok()?))
}

/// The file at `path` read and parsed, from the run's cache when it has not changed since.
fn load_local_yaml(path: &Path) -> Loaded {
    let stamp = stamp(path);
    if let Ok(callees) = LOCAL_CALLEES.lock() {
        if let Some(cached) = callees.get(path).filter(|cached| cached.stamp == stamp) {
            return cached.loaded.clone();
        }
    }
    let loaded = plimsoll_syntax::file::read_regular(path, 1024 * 1024)
        .ok()
        .map(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            let lines = plimsoll_syntax::LineIndex::new(&text);
            let document = plimsoll_syntax::yaml::parse(&text, &lines)
                .into_single()
                .map_err(|_| ())?;
            Ok(Arc::new(LocalYaml {
                document,
                reads_token: reads_token(&text),
                scripts: Scripts::default(),
            }))
        });
    if let Ok(mut callees) = LOCAL_CALLEES.lock() {
        callees.insert(
            path.to_path_buf(),
            CachedCallee {
                stamp,
                loaded: loaded.clone(),
            },
        );
    }
    loaded
}

/// The parsed first of `candidates` that can be read (a local action's `action.yml` or
/// `action.yaml`, a local reusable workflow), or why there is none.
fn read_local_yaml(candidates: &[PathBuf]) -> Result<Arc<LocalYaml>, &'static str> {
    match candidates.iter().find_map(|file| load_local_yaml(file)) {
        None => Err("cannot be read"),
        Some(Err(())) => Err("does not parse"),
        Some(Ok(callee)) => Ok(callee),
    }
}

/// The folder holding the `.github` folder the workflow at `path` is in.
fn repository_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == ".github"))
        .and_then(Path::parent)
        .map(Path::to_path_buf)
}

/// Add what `step` needs to `needs`, or say why that cannot be told.
fn step_needs(
    step: &Step<'_>,
    token_in_env: bool,
    local: &LocalActions,
    needs: &mut Needs,
) -> Result<(), String> {
    if let Some(uses) = step.uses_node().and_then(Node::as_str) {
        if let Uses::Local { path } = Uses::parse(uses) {
            return local_action_needs(step, path, local, needs);
        }
        let (scopes, slug, source) = action_needs(step, uses)?;
        needs.add(&scopes, &slug, Some(source));
    } else if let Some(commands) = step.run().and_then(|run| local.scripts.of(run)) {
        script_needs(step, &commands, token_in_env, needs)?;
    }
    Ok(())
}

/// Add what the local composite action at `path` (`./.github/actions/setup`) needs: what its
/// own steps need, its scripts taken to read the token whenever the action or the calling step
/// mentions it. A JavaScript or container action runs code plimsoll does not read: no answer.
fn local_action_needs(
    step: &Step<'_>,
    path: &str,
    local: &LocalActions,
    needs: &mut Needs,
) -> Result<(), String> {
    let unknown = |why: &str| {
        format!(
            "step `{}` uses the local action `{path}`, {why}",
            step.label()
        )
    };
    if local.depth >= MAX_LOCAL_DEPTH {
        return Err(unknown("nested too deep to follow"));
    }
    let Some(root) = &local.root else {
        return Err(unknown("outside a repository's `.github` folder"));
    };
    let relative = path.trim_start_matches("./").trim_end_matches('/');
    if relative.split('/').any(|part| part == "..") {
        return Err(unknown("outside the repository"));
    }
    let folder = root.join(relative);
    let callee = read_local_yaml(&[folder.join("action.yml"), folder.join("action.yaml")])
        .map_err(|why| unknown(&format!("whose `action.yml` {why}")))?;
    let Some(action) = Action::new(&callee.document.root).filter(Action::is_composite) else {
        return Err(unknown(
            "a JavaScript or container action whose code decides what it needs",
        ));
    };
    let token_in_env = callee.reads_token || step_reads_token(step);
    let inner = LocalActions {
        root: local.root.clone(),
        depth: local.depth + 1,
        scripts: &callee.scripts,
    };
    for inner_step in action.steps() {
        step_needs(&inner_step, token_in_env, &inner, needs)?;
    }
    Ok(())
}

/// Whether the job's `container:` or a service pulls its image with the job's token
/// (`credentials: {password: ${{ github.token }}}`): that needs `packages: read`.
fn registry_credentials_read_token(job: &Node) -> bool {
    let password_is_token = |container: &Node| {
        container
            .get("credentials")
            .and_then(|c| c.get("password"))
            .and_then(Node::as_str)
            .is_some_and(is_github_token)
    };
    job.get("container").is_some_and(password_is_token)
        || job
            .get("services")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
            .iter()
            .any(|service| password_is_token(&service.value))
}

/// `permissions:` granting what `needs` lists, as the lines of a new entry:
/// `permissions: {}` when the job needs nothing.
fn permissions_entry(needs: &Needs) -> Vec<String> {
    if needs.scopes.is_empty() {
        return vec!["permissions: {}".to_string()];
    }
    let mut lines = vec!["permissions:".to_string()];
    lines.extend(needs.lines("  "));
    lines
}

/// The edit that replaces the value of `permissions` (its key and value) with `scopes`,
/// keeping the key where it is: `key: {}` or `key:` and one indented line per scope. `None`
/// when the key does not start its line (a flow mapping).
fn replace_permissions(text: &str, key: &Node, value: &Node, needs: &Needs) -> Option<Edit> {
    let indent = indentation(text, key.span.start);
    let start = crate::fix::line_start(text, key.span.start);
    if start + indent.len() != key.span.start {
        return None;
    }
    let replacement = if needs.scopes.is_empty() {
        ": {}".to_string()
    } else {
        let eol = line_ending(text);
        let inner = format!("{indent}  ");
        let mut out = ":".to_string();
        for line in needs.lines(&inner) {
            out.push_str(eol);
            out.push_str(&line);
        }
        out
    };
    let end = value.span.end.max(key.span.end);
    Some(Edit::replace(
        plimsoll_syntax::Span::new(key.span.end, end),
        replacement,
    ))
}

/// The edit that gives `job`, which has no `permissions:`, what it `needs`: before its
/// `steps:`, or as its last key.
fn add_job_permissions(text: &str, job: &Job<'_>, needs: &Needs) -> Option<Edit> {
    let lines = permissions_entry(needs);
    match job.entry("steps") {
        Some(steps) => insert_before_entry(text, steps.key, &lines),
        None => append_to_mapping(text, job.node, &lines),
    }
}

/// The edit that sets `job`'s permissions to what it needs (replacing its `permissions:` or
/// adding one), and what it grants, for the fix's message; or why plimsoll cannot tell.
fn job_permissions_edit(
    cx: &Context<'_>,
    workflow: Workflow<'_>,
    job: &Job<'_>,
) -> Result<(Edit, String), String> {
    let text = cx.text();
    let needs = job_needs(cx.source.path(), workflow, job, &cx.scripts)?;
    let edit = match job.entry("permissions") {
        Some(permissions) => replace_permissions(text, permissions.key, permissions.value, &needs),
        None => add_job_permissions(text, job, &needs),
    };
    let edit =
        edit.ok_or_else(|| format!("job `{}` is written in a form the fix cannot edit", job.id))?;
    Ok((edit, format!("job `{}`: {}", job.id, needs.describe())))
}

/// The edits that give every job inheriting the workflow's permissions its own least ones, and
/// set the workflow's to `{}`; or why plimsoll cannot tell for one of them.
fn workflow_permissions_edits(
    cx: &Context<'_>,
    workflow: Workflow<'_>,
) -> Result<(Vec<Edit>, Vec<String>), String> {
    let Some(permissions) = workflow.permissions() else {
        return Err("the workflow sets no `permissions:`".to_string());
    };
    let mut edits = Vec::new();
    let mut grants = Vec::new();
    for job in workflow.jobs() {
        if job.entry("permissions").is_some() {
            continue;
        }
        let (edit, granted) = job_permissions_edit(cx, workflow, &job)?;
        edits.push(edit);
        grants.push(granted);
    }
    edits.push(
        replace_permissions(
            cx.text(),
            permissions.key,
            permissions.value,
            &Needs::default(),
        )
        .ok_or_else(|| {
            "the workflow's `permissions:` is in a form the fix cannot edit".to_string()
        })?,
    );
    Ok((edits, grants))
}

/// The fix that grants a job the least permissions it needs, or why plimsoll cannot tell:
/// worked out once and attached to every finding it answers.
pub(crate) struct PermissionsFix(Result<Fix, String>);

impl PermissionsFix {
    /// The fix that grants `job` (or, for `None`, every job inheriting the workflow's
    /// `permissions:`) the least permissions it needs.
    pub(crate) fn new(cx: &Context<'_>, workflow: Workflow<'_>, job: Option<&Job<'_>>) -> Self {
        let edits = match job {
            Some(job) => job_permissions_edit(cx, workflow, job)
                .map(|(edit, granted)| (vec![edit], vec![granted])),
            None => workflow_permissions_edits(cx, workflow),
        };
        PermissionsFix(edits.map(|(edits, grants)| {
            let mut parts = grants;
            if job.is_none() {
                parts.push("the workflow: no permissions".to_string());
            }
            let message = format!("grant only what the steps need: {}", parts.join("; "));
            Fix::unsafe_edits(message, edits)
        }))
    }

    /// Attach the fix to `diagnostic`; when there is none, say why in its help instead.
    pub(crate) fn attach(&self, diagnostic: &mut Diagnostic) {
        match &self.0 {
            Ok(fix) => {
                diagnostic.fix(fix.clone());
            }
            Err(why) => {
                let help = format!("{} (no automatic fix: {why})", diagnostic.rule.help);
                diagnostic.help(help);
            }
        }
    }
}

/// Attach to `diagnostic` the fix that grants `job` (or, for `None`, every job inheriting the
/// workflow's `permissions:`) the least permissions it needs; when that cannot be computed, say
/// why in the finding's help instead.
pub(crate) fn attach_permissions_fix(
    cx: &Context<'_>,
    workflow: Workflow<'_>,
    job: Option<&Job<'_>>,
    diagnostic: &mut Diagnostic,
) {
    PermissionsFix::new(cx, workflow, job).attach(diagnostic);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_parses_and_each_entry_is_sound() {
        let table: Table =
            toml::from_str(include_str!("../../../data/action-permissions.toml")).unwrap();
        assert!(table.action.len() >= 40, "{}", table.action.len());
        let known = plimsoll_actions::schema::PERMISSION_SCOPES;
        let mut seen = std::collections::HashSet::new();
        for entry in &table.action {
            assert!(seen.insert(&entry.uses), "{} twice", entry.uses);
            assert_eq!(
                entry.uses,
                entry.uses.to_ascii_lowercase(),
                "{}",
                entry.uses
            );
            assert!(entry.source.starts_with("https://"), "{}", entry.uses);
            let all = entry
                .permissions
                .iter()
                .chain(entry.when.iter().flat_map(|c| c.permissions.iter()));
            for (scope, level) in all {
                assert!(known.contains(&scope.as_str()), "{}: {scope}", entry.uses);
                // `id-token` has no read level.
                assert!(
                    scope != "id-token" || *level == Level::Write,
                    "{}",
                    entry.uses
                );
            }
            for condition in &entry.when {
                let tests = [
                    condition.present,
                    condition.equals.is_some(),
                    condition.is_github_token,
                ];
                assert_eq!(tests.iter().filter(|t| **t).count(), 1, "{}", entry.uses);
            }
        }
    }

    #[test]
    fn gh_subcommands_map_to_scopes() {
        assert_eq!(
            gh_needs("pr", "comment"),
            Some(one("pull-requests", Level::Write))
        );
        assert_eq!(
            gh_needs("release", "create"),
            Some(one("contents", Level::Write))
        );
        assert_eq!(gh_needs("issue", "edit"), Some(one("issues", Level::Write)));
        assert_eq!(gh_needs("api", "repos/o/r"), None);
        assert_eq!(gh_needs("secret", "set"), None);
    }

    #[test]
    fn a_callee_is_read_again_once_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let action = dir.path().join("action.yml");
        let candidates = [action.clone(), dir.path().join("action.yaml")];
        assert_eq!(read_local_yaml(&candidates).err(), Some("cannot be read"));
        std::fs::write(&action, "runs:\n  using: composite\n  steps: []\n").unwrap();
        let first = read_local_yaml(&candidates).unwrap();
        assert!(!first.reads_token);
        assert!(!read_local_yaml(&candidates).unwrap().reads_token);
        std::fs::write(
            &action,
            "runs:\n  using: composite\n  steps: []\n# ${{ github.token }}\n",
        )
        .unwrap();
        assert!(read_local_yaml(&candidates).unwrap().reads_token);
        std::fs::write(&action, "runs: [\n").unwrap();
        assert_eq!(read_local_yaml(&candidates).err(), Some("does not parse"));
    }

    #[test]
    fn a_token_is_found_in_any_scalar_of_a_step() {
        let text = "run: echo hi\nwith:\n  list: [a, \"${{ secrets.GITHUB_TOKEN }}\"]\n";
        let lines = plimsoll_syntax::LineIndex::new(text);
        let document = plimsoll_syntax::yaml::parse(text, &lines)
            .into_single()
            .unwrap();
        let step = Step {
            index: 0,
            node: &document.root,
        };
        assert!(step_reads_token(&step));
        let env = "env:\n  A: github.tok\n  B: en\n";
        let lines = plimsoll_syntax::LineIndex::new(env);
        let document = plimsoll_syntax::yaml::parse(env, &lines)
            .into_single()
            .unwrap();
        assert!(!env_reads_token(&document.root));
    }

    #[test]
    fn recognizes_the_job_token() {
        assert!(is_github_token("${{ github.token }}"));
        assert!(is_github_token("${{secrets.GITHUB_TOKEN}}"));
        assert!(!is_github_token("${{ secrets.PAT }}"));
    }
}
