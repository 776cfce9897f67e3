//! Helpers shared by the GitHub Actions rules.

use plimsoll_syntax::shell::{self, Command};
use std::sync::OnceLock;

pub(crate) use crate::script::{Script, Scripts};

use plimsoll_actions::{Step, Workflow};
use plimsoll_syntax::yaml::{Locator, Node};
use plimsoll_syntax::{expr, Span};

/// A command's words from the program on, without `+toolchain` selectors (`cargo +nightly fmt`
/// reads as `cargo fmt`).
pub(crate) fn command_words(command: &Command) -> Vec<&str> {
    command
        .argv()
        .iter()
        .map(|w| w.text.as_str())
        .filter(|w| !w.starts_with('+'))
        .collect()
}

/// Whether `argv` runs a quality gate: tests, linters, format checks, builds, audits.
pub(crate) fn is_quality_command(argv: &[String]) -> bool {
    let words: Vec<&str> = argv
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with('+'))
        .collect();
    let Some(program) = words.first().map(|p| shell::program_name(p)) else {
        return false;
    };
    let sub = words.get(1).copied().unwrap_or("");
    let run_target = words.get(2).copied().unwrap_or("");
    match program {
        "cargo" => matches!(
            sub,
            "test"
                | "clippy"
                | "fmt"
                | "check"
                | "build"
                | "nextest"
                | "audit"
                | "deny"
                | "doc"
                | "miri"
                | "hack"
                | "udeps"
                | "semver-checks"
                | "llvm-cov"
                | "tarpaulin"
        ),
        "npm" | "yarn" | "pnpm" | "bun" => {
            matches!(sub, "test" | "t" | "lint" | "build" | "audit")
                || (sub == "run"
                    && ["test", "lint", "build", "check", "typecheck", "format"]
                        .iter()
                        .any(|t| run_target.starts_with(t)))
        }
        "go" => matches!(sub, "test" | "vet" | "build"),
        "make" | "just" | "task" => ["test", "check", "lint", "ci", "verify"]
            .iter()
            .any(|t| sub.starts_with(t)),
        "mvn" | "gradle" | "gradlew" | "./gradlew" | "./mvnw" => words
            .iter()
            .any(|w| matches!(*w, "test" | "verify" | "check" | "build" | "package")),
        "pytest" | "tox" | "nox" | "ruff" | "mypy" | "flake8" | "pylint" | "black" | "eslint"
        | "prettier" | "tsc" | "jest" | "vitest" | "golangci-lint" | "shellcheck"
        | "actionlint" | "hadolint" | "rspec" | "phpunit" | "ctest" | "plimsoll" => true,
        "python" | "python3" => words.windows(2).any(|w| w == ["-m", "pytest"]),
        "dotnet" => matches!(sub, "test" | "build" | "format"),
        _ => false,
    }
}

/// The `uses:` reference without its ref, lowercased (`actions/checkout`).
pub(crate) fn action_slug(uses: &str) -> String {
    uses.split('@').next().unwrap_or(uses).to_ascii_lowercase()
}

/// Whether `uses:` names the action `slug` (lowercase, `actions/checkout`), whatever its ref:
/// [`action_slug`] `== slug` without building the lowercased copy, which every rule asking
/// "is this step X" did once per step.
pub(crate) fn is_action_slug(uses: &str, slug: &str) -> bool {
    uses.split('@')
        .next()
        .unwrap_or(uses)
        .eq_ignore_ascii_case(slug)
}

/// An action in another repository, as policies name it.
pub(crate) struct RepositoryAction {
    /// `owner/repo` or `owner/repo/path`, lowercased (GitHub's names are case-insensitive).
    pub(crate) action: String,
    /// `owner/repo` as written, for messages.
    pub(crate) repository: String,
}

/// The action `uses:` names in another repository; `None` for local actions, Docker images
/// and what does not parse.
pub(crate) fn repository_action(uses: &str) -> Option<RepositoryAction> {
    let plimsoll_actions::Uses::Repository {
        owner, repo, path, ..
    } = plimsoll_actions::Uses::parse(uses)
    else {
        return None;
    };
    let repository = format!("{owner}/{repo}");
    let action = match path {
        Some(path) => format!("{repository}/{path}"),
        None => repository.clone(),
    };
    Some(RepositoryAction {
        action: action.to_ascii_lowercase(),
        repository,
    })
}

/// The job or step a finding is about, as messages name it (`` job `build` ``,
/// `` step `Deploy` ``). Written out only when a finding is reported: most jobs and steps have
/// none, and formatting each one's label for every rule was a measurable share of a run.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Owner<'a> {
    /// The workflow as a whole (its top-level `env:`, `permissions:`…).
    Workflow,
    /// A job, by its id.
    Job(&'a str),
    /// A step, by its label ([`Step::label`]).
    Step(Step<'a>),
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Workflow => f.write_str("the workflow"),
            Owner::Job(id) => write!(f, "job `{id}`"),
            Owner::Step(step) => write!(f, "step `{}`", step.label()),
        }
    }
}

/// Each job of `workflow` with its label for messages (`` job `build` ``).
pub(crate) fn labelled_jobs<'a>(
    workflow: Workflow<'a>,
) -> impl Iterator<Item = (Owner<'a>, &'a Node)> {
    workflow
        .jobs()
        .into_iter()
        .map(|job| (Owner::Job(job.id), job.node))
}

/// The workflow's own mapping, then each job's, with their labels: for settings both levels
/// take (`env:`, `permissions:`).
pub(crate) fn workflow_and_jobs<'a>(
    workflow: Workflow<'a>,
) -> impl Iterator<Item = (Owner<'a>, &'a Node)> {
    std::iter::once((Owner::Workflow, workflow.root)).chain(labelled_jobs(workflow))
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (runner label
/// and action patterns of the configuration: `linux-*`, `actions/*`).
pub(crate) fn matches_wildcard(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// The `defaults.run.shell` of a workflow's or job's mapping.
pub(crate) fn defaults_shell(node: &Node) -> Option<&Node> {
    node.get("defaults")?.get("run")?.get("shell")
}

/// A step's label for messages (`` step `Deploy` ``).
pub(crate) fn step_owner<'a>(step: &Step<'a>) -> Owner<'a> {
    Owner::Step(*step)
}

/// A context path read by an expression inside a scalar's value.
pub(crate) struct PathUse<'t> {
    /// The analysed path: lowercased, indexes as `*` (`github.event.pages.*.page_name`).
    pub path: String,
    /// The path as written (`github.event.pages[0].page_name`), for messages.
    pub written: &'t str,
    /// The whole expression between `${{` and `}}`, trimmed.
    pub expression: &'t str,
    /// Bytes of the path in the scalar's value.
    pub range: std::ops::Range<usize>,
}

/// Whether `text` holds `needle` in any ASCII case: expression identifiers are
/// case-insensitive, so a cheap gate before parsing expressions must be too.
pub(crate) fn contains_ignore_ascii_case(text: &str, needle: &str) -> bool {
    let haystack = text.as_bytes();
    let Some((&first, rest)) = needle.as_bytes().split_first() else {
        return true;
    };
    let Some(last_start) = haystack.len().checked_sub(needle.len()) else {
        return false;
    };
    // Only where the needle's first byte is, in either case: memchr finds those a vector at a
    // time, where comparing a window at every byte was a hot loop of whole workflows.
    memchr::memchr2_iter(
        first.to_ascii_lowercase(),
        first.to_ascii_uppercase(),
        &haystack[..=last_start],
    )
    .any(|at| haystack[at + 1..at + needle.len()].eq_ignore_ascii_case(rest))
}

/// Every context path the `${{ }}` expressions of `text` read, in order (expressions that do
/// not parse are skipped: `invalid-expression` reports them).
pub(crate) fn expression_paths(text: &str) -> Vec<PathUse<'_>> {
    let mut uses = Vec::new();
    for occurrence in expr::find(text) {
        let inner = &text[occurrence.inner.start..occurrence.inner.end];
        let Ok(analysis) = expr::analyze(inner) else {
            continue;
        };
        for path in analysis.paths {
            uses.push(PathUse {
                written: inner.get(path.span.start..path.span.end).unwrap_or(""),
                expression: inner.trim(),
                range: occurrence.inner.start + path.span.start
                    ..occurrence.inner.start + path.span.end,
                path: path.path,
            });
        }
    }
    uses
}

/// Source spans of byte ranges of a scalar's value, its [`Locator`] built at the first use:
/// each of thousands of findings in one scalar would otherwise scan the whole scalar.
pub(crate) struct ValueSpans<'a> {
    node: &'a Node,
    locator: Option<Locator>,
}

impl<'a> ValueSpans<'a> {
    /// Spans within `node`'s value.
    pub fn new(node: &'a Node) -> Self {
        ValueSpans {
            node,
            locator: None,
        }
    }

    /// The source span of `range` of the value.
    pub fn locate(&mut self, source: &str, range: std::ops::Range<usize>) -> Span {
        let node = self.node;
        self.locator
            .get_or_insert_with(|| Locator::new(node, source))
            .locate(node, source, range)
    }
}

/// `Rule` for a rule that checks each job's and each step's mapping alike (their `if:`), with
/// `$check(owner, node, out)`.
macro_rules! job_and_step_rule {
    ($rule:ident, $check:ident) => {
        impl $crate::rule::Rule for $rule {
            fn meta(&self) -> &'static $crate::finding::RuleMeta {
                &Self::META
            }

            fn check_workflow(
                &self,
                _cx: &$crate::rule::Context<'_>,
                workflow: plimsoll_actions::Workflow<'_>,
                out: &mut $crate::finding::Sink,
            ) {
                for (owner, node) in super::common::labelled_jobs(workflow) {
                    $check(owner, node, out);
                }
            }

            fn check_step(
                &self,
                _cx: &$crate::rule::Context<'_>,
                scope: &$crate::rule::StepScope<'_>,
                out: &mut $crate::finding::Sink,
            ) {
                $check(super::common::step_owner(&scope.step), scope.step.node, out);
            }
        }
    };
}
pub(crate) use job_and_step_rule;

/// The lines of a data file, trimmed, blank lines and `#` comments left out.
pub(crate) fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Why the maintainers of `owner/repo` document the branch `git_ref` as the interface to use
/// (`dtolnay/rust-toolchain@stable`), from `data/documented-branch-refs.txt`; `None` for any
/// other branch. A `*` entry covers every branch but the development ones (`main`, `master`).
pub(crate) fn documented_branch(owner: &str, repo: &str, git_ref: &str) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<(&'static str, &'static str, &'static str)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        data_lines(include_str!("../../../data/documented-branch-refs.txt"))
            .filter_map(|line| {
                let (action, rest) = line.split_once(' ')?;
                let (refs, reason) = rest.trim_start().split_once(' ')?;
                Some((action, refs, reason.trim()))
            })
            .collect()
    });
    table.iter().find_map(|(action, refs, reason)| {
        let (entry_owner, entry_repo) = action.split_once('/')?;
        let listed = if *refs == "*" {
            !matches!(git_ref, "main" | "master")
        } else {
            refs.split(',').any(|r| r == git_ref)
        };
        (entry_owner.eq_ignore_ascii_case(owner) && entry_repo.eq_ignore_ascii_case(repo) && listed)
            .then_some(*reason)
    })
}

/// Why the maintainers of `owner/repo` accept only a full release tag (`@vX.Y.Z`) as its ref,
/// from `data/release-tag-only-actions.txt`; `None` for any other repository.
pub(crate) fn release_tag_only(owner: &str, repo: &str) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        data_lines(include_str!("../../../data/release-tag-only-actions.txt"))
            .filter_map(|line| line.split_once(' '))
            .map(|(action, reason)| (action, reason.trim()))
            .collect()
    });
    table.iter().find_map(|(action, reason)| {
        let (entry_owner, entry_repo) = action.split_once('/')?;
        (entry_owner.eq_ignore_ascii_case(owner) && entry_repo.eq_ignore_ascii_case(repo))
            .then_some(*reason)
    })
}

/// Whether `git_ref` is a full release tag, `vX.Y.Z` with an optional pre-release suffix
/// (`v2.0.0-rc.0`): what an action of [`release_tag_only`] must be called by.
pub(crate) fn is_full_release_tag(git_ref: &str) -> bool {
    let Some(version) = git_ref.strip_prefix('v') else {
        return false;
    };
    let core = version.split_once('-').map_or(version, |(core, _)| core);
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `owner/repo/path` (a `uses:` with a sub-path) names an action or reusable workflow of
/// the very repository `file` is in: the repository's origin remote is `owner/repo`, or, when
/// the checkout says nothing (no `.git/config` remote), its folder bears the name `repo` and
/// `path` is there, as an action (`path/action.yml`) or a reusable workflow
/// (`on: workflow_call`).
///
/// Such a reference is the repository's own code at a branch: its maintainers decide what it
/// holds, as they decide the workflow itself, so it is no third party's moving code.
pub(crate) fn is_own_repository_path(
    file: &std::path::Path,
    owner: &str,
    repo: &str,
    path: &str,
) -> bool {
    if path.split('/').any(|part| part == ".." || part.is_empty()) {
        return false;
    }
    let Some(Checkout { root, remote }) = checkout_holding(file) else {
        return false;
    };
    let root = root.as_path();
    if let Some(remote) = remote {
        let wanted = format!("{owner}/{repo}").to_ascii_lowercase();
        let remote = remote.to_ascii_lowercase();
        let remote = remote.trim_end_matches('/').trim_end_matches(".git");
        return remote.ends_with(&format!("/{wanted}")) || remote.ends_with(&format!(":{wanted}"));
    }
    // No remote: the checkout's folder must bear the repository's name (a clone's default
    // name, `repo-main` from an archive, `owner_repo` in a mirror) and hold that path.
    let folder = root
        .file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let repo_lower = repo.to_ascii_lowercase();
    let named = folder == repo_lower
        || folder.starts_with(&format!("{repo_lower}-"))
        || folder
            .strip_suffix(&repo_lower)
            .is_some_and(|rest| rest.ends_with(|c: char| !c.is_ascii_alphanumeric()));
    if !named {
        return false;
    }
    let target = root.join(path);
    if path.contains(".github/workflows/") {
        return plimsoll_syntax::file::read_regular(&target, 1024 * 1024)
            .is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains("workflow_call"));
    }
    target.join("action.yml").is_file() || target.join("action.yaml").is_file()
}

/// A checkout: the nearest folder with a `.github` folder or a `.git`, and its `origin` URL.
#[derive(Clone)]
struct Checkout {
    root: std::path::PathBuf,
    remote: Option<String>,
}

type Checkouts = std::collections::HashMap<std::path::PathBuf, Option<Checkout>>;

/// The checkouts found in the current check run, by folder (see [`checkout_holding`]).
static CHECKOUTS: std::sync::LazyLock<std::sync::Mutex<Checkouts>> =
    std::sync::LazyLock::new(Default::default);

/// Forget the checkouts found so far: called as a check run starts, so that a long-lived
/// process (an editor's server) sees a clone, a `.github` folder or an `origin` remote made
/// since its last run. A run started while another is going only costs the other lookups.
pub(super) fn forget_checkouts() {
    if let Ok(mut checkouts) = CHECKOUTS.lock() {
        checkouts.clear();
    }
}

/// The checkout holding `file`, looked up once per folder in a check run: every reference to a
/// path of the repository asks, and each lookup costs a `stat` per folder level and a read of
/// `.git/config` (a thousand system calls on a corpus run).
fn checkout_holding(file: &std::path::Path) -> Option<Checkout> {
    let folder = file.parent()?;
    if let Ok(checkouts) = CHECKOUTS.lock() {
        if let Some(known) = checkouts.get(folder) {
            return known.clone();
        }
    }
    let found = folder
        .ancestors()
        .find(|dir| dir.join(".github").is_dir() || dir.join(".git").exists())
        .map(|root| Checkout {
            root: root.to_path_buf(),
            remote: origin_remote(root),
        });
    if let Ok(mut checkouts) = CHECKOUTS.lock() {
        checkouts.insert(folder.to_path_buf(), found.clone());
    }
    found
}

/// The URL of the `origin` remote in `root/.git/config`, if there is one.
fn origin_remote(root: &std::path::Path) -> Option<String> {
    let config =
        plimsoll_syntax::file::read_regular(&root.join(".git/config"), 1024 * 1024).ok()?;
    let config = String::from_utf8_lossy(&config);
    let mut in_origin = false;
    for line in config.lines().map(str::trim) {
        if line.starts_with('[') {
            in_origin = line == "[remote \"origin\"]";
        } else if in_origin {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "url" {
                    return Some(value.trim().to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{action_slug, contains_ignore_ascii_case, is_action_slug};

    #[test]
    fn is_action_slug_agrees_with_comparing_the_lowercased_slug() {
        let written = [
            "actions/checkout@v4",
            "Actions/Checkout@V4",
            "actions/checkout",
            "actions/checkout@",
            "actions/checkout/sub@v1",
            "actions/checkouts@v4",
            "actions/check@v4",
            "@actions/checkout",
            "./actions/checkout",
            "actions/checkout@v4@v5",
            "",
        ];
        for uses in written {
            for slug in ["actions/checkout", "actions/checkout/sub", ""] {
                assert_eq!(
                    is_action_slug(uses, slug),
                    action_slug(uses) == slug,
                    "{uses:?} against {slug:?}"
                );
            }
        }
        assert!(is_action_slug("ACTIONS/CHECKOUT@main", "actions/checkout"));
        assert!(!is_action_slug("actions/checkout-x@v4", "actions/checkout"));
    }

    #[test]
    fn finds_a_needle_in_any_ascii_case() {
        assert!(contains_ignore_ascii_case(
            "${{ toJSON(SECRETS) }}",
            "secrets"
        ));
        assert!(contains_ignore_ascii_case(
            "${{ Secrets[matrix.name] }}",
            "secrets"
        ));
        assert!(!contains_ignore_ascii_case(
            "${{ github.token }}",
            "secrets"
        ));
        assert!(!contains_ignore_ascii_case("secret", "secrets"));
        assert!(contains_ignore_ascii_case("", ""));
        assert!(contains_ignore_ascii_case("x", ""));
        assert!(!contains_ignore_ascii_case("", "x"));
        assert!(contains_ignore_ascii_case("SECRETS", "secrets"));
        assert!(contains_ignore_ascii_case("a.b:SeCrets", "secrets"));
        assert!(!contains_ignore_ascii_case("secretS-", "-secrets"));
        assert!(contains_ignore_ascii_case("é-.Token", ".token"));
    }
}
