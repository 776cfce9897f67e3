use plimsoll_actions::advisories::Version;
use plimsoll_actions::schema::{cache_restorer, publish_action, CacheRestore, PUBLISH_COMMANDS};
use plimsoll_actions::{Step, Workflow};
use plimsoll_syntax::yaml::Node;

use super::common::{action_slug, command_words, Script, Scripts};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

/// The last words of [`PUBLISH_COMMANDS`], each once (`publish` ends eleven of them): a script
/// holding none of them runs no publishing command, and most scripts are asked.
static PUBLISH_VERBS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut verbs: Vec<&str> = PUBLISH_COMMANDS
        .iter()
        .filter_map(|w| w.last().copied())
        .collect();
    verbs.sort_unstable();
    verbs.dedup();
    verbs
});

declare_rule! {
    /// ## What it does
    /// Flags a step that restores a cache (`actions/cache`, `Swatinem/rust-cache`, a setup
    /// action's `cache:` input, … kept as data) in a workflow that publishes: one that runs on
    /// `release`, or on pushed tags without checking pull requests too (a CI workflow that
    /// also runs on tags checks them), or in a job that publishes a package, an image or a
    /// release (`cargo publish`, `npm publish`, `docker/build-push-action` with `push: true`,
    /// `softprops/action-gh-release`, `pypa/gh-action-pypi-publish`, …, not `--dry-run`), or in
    /// a job such a job `needs`.
    ///
    /// ## Why is this bad?
    /// Caches are shared: a run on the default branch restores what any earlier run on it
    /// saved, and a tag's run restores the default branch's caches. Code that runs in a less
    /// guarded workflow (a `pull_request_target` job, an injected script, a compromised build
    /// tool) can save a cache entry under the key the release looks up, and its files end up
    /// in what is published, signed with the project's name.
    ///
    /// ## Example
    /// ```yaml
    /// on:
    ///   push:
    ///     tags: ["v*"]
    /// jobs:
    ///   publish:
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - uses: Swatinem/rust-cache@v2
    ///       - run: cargo publish
    /// ```
    ///
    /// ## Use instead
    /// Build releases from a clean state: drop the cache in publishing workflows (or make it
    /// save-only, `lookup-only: true`).
    /// ```yaml
    ///       - uses: actions/checkout@v4
    ///       - run: cargo publish
    /// ```
    pub struct CachePoisoning {
        id: "GHA043",
        name: "cache-poisoning",
        severity: Note,
        domain: GithubActions,
        summary: "A cache is restored in a workflow that publishes releases or packages",
        help: "do not restore caches in workflows that publish; build releases from a clean state",
    }
}

/// Whether a step input is off: `false`, `'false'` or empty.
fn is_off(node: &Node) -> bool {
    node.as_bool() == Some(false)
        || node
            .as_str()
            .is_some_and(|v| v.trim().is_empty() || v.trim().eq_ignore_ascii_case("false"))
}

/// Whether an input is on: `true` or `'true'`.
fn is_on(node: Option<&Node>) -> bool {
    node.is_some_and(|n| {
        n.as_bool() == Some(true) || n.as_str().is_some_and(|v| v.trim() == "true")
    })
}

/// The node to point at when `step` restores a cache, and the action's name.
fn cache_restore<'a>(step: &Step<'a>) -> Option<(&'a Node, String)> {
    let uses = step.uses_node()?;
    let written = uses.as_str()?;
    let slug = action_slug(written);
    let with = |name: &str| step.with(name);
    let at = match cache_restorer(&slug)? {
        CacheRestore::Always => {
            // `lookup-only` checks for an entry without restoring it.
            if is_on(with("lookup-only")) {
                return None;
            }
            uses
        }
        CacheRestore::WhenSet(input) => {
            let value = with(input)?;
            if is_off(value) {
                return None;
            }
            value
        }
        CacheRestore::UnlessOff(input, since)
            if written
                .split_once('@')
                .and_then(|(_, r)| Version::parse(r))
                .is_some_and(|v| v.major() < since) =>
        {
            let value = with(input)?;
            if is_off(value) {
                return None;
            }
            value
        }
        CacheRestore::UnlessOff(input, _) => match with(input) {
            // `cache-disabled: true` for Gradle; `cache: false` for the others.
            Some(value) if input.ends_with("disabled") && is_on(Some(value)) => return None,
            Some(value) if !input.ends_with("disabled") && is_off(value) => return None,
            Some(value) if !input.ends_with("disabled") => value,
            _ => uses,
        },
    };
    Some((at, written.split('@').next().unwrap_or(written).to_string()))
}

/// Why a workflow publishes, for messages: its trigger (every job builds for a release), or
/// steps that publish, with the jobs whose caches reach what they publish (the publishing job
/// and the jobs it needs, whose outputs and artifacts it uses).
pub(super) enum Publishing {
    Trigger(&'static str),
    Steps(Vec<(String, String)>),
}

pub(super) fn publishing(workflow: Workflow<'_>, scripts: &Scripts) -> Option<Publishing> {
    let triggers = workflow.triggers();
    // A workflow that also checks pull requests is CI: its tag runs check, they do not publish
    // (unless a step does, below).
    let checks_pull_requests = triggers.iter().any(|t| {
        matches!(
            t.event,
            "pull_request" | "pull_request_target" | "merge_group"
        )
    });
    for trigger in &triggers {
        if trigger.event == "release" {
            return Some(Publishing::Trigger("runs on `release`"));
        }
        if trigger.event == "push"
            && !checks_pull_requests
            && trigger.config.is_some_and(|c| c.get("tags").is_some())
        {
            return Some(Publishing::Trigger("runs on pushed tags"));
        }
    }
    let mut reached = Vec::new();
    for job in workflow.jobs() {
        let Some(what) = job
            .steps()
            .iter()
            .find_map(|step| publish_step(step, scripts))
        else {
            continue;
        };
        let why = format!("publishes ({what} in job `{}`)", job.id);
        reached.push((job.id.to_string(), why.clone()));
        for (needed, _) in job.needs() {
            reached.push((needed.to_string(), why.clone()));
        }
    }
    (!reached.is_empty()).then_some(Publishing::Steps(reached))
}

impl Publishing {
    /// Why the caches of job `id` reach a publication, if they do.
    pub(super) fn reaches(&self, id: &str) -> Option<&str> {
        match self {
            Publishing::Trigger(why) => Some(why),
            Publishing::Steps(jobs) => jobs
                .iter()
                .find(|(job, _)| job == id)
                .map(|(_, why)| why.as_str()),
        }
    }
}

/// What `step` publishes with, if it publishes.
fn publish_step(step: &Step<'_>, scripts: &Scripts) -> Option<String> {
    if let Some(uses) = step.uses_node().and_then(Node::as_str) {
        let slug = action_slug(uses);
        let publisher = publish_action(&slug)?;
        let input_text = |key: &str| {
            step.with(key).and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_bool().map(|b| b.to_string()))
            })
        };
        if publisher
            .unless
            .iter()
            .any(|(key, text)| input_text(key).is_some_and(|v| v.contains(text)))
        {
            return None;
        }
        return match publisher.when_true {
            Some(input) if !is_on(step.with(input)) => None,
            Some(input) => Some(format!("`{slug}` with `{input}: true`")),
            None => Some(format!("`{slug}`")),
        };
    }
    let run = step.run()?;
    // Lexing every script of the workflow is the cost of this rule: only those that name a
    // publishing verb are.
    let text = run.as_str()?;
    if !PUBLISH_VERBS.iter().any(|verb| text.contains(verb)) {
        return None;
    }
    let script = Script::of(run, scripts)?;
    script.commands.iter().find_map(|command| {
        let words = command_words(command);
        // A rehearsal publishes nothing.
        if words
            .iter()
            .any(|w| *w == "--dry-run" || *w == "-n" || *w == "--help")
        {
            return None;
        }
        PUBLISH_COMMANDS
            .iter()
            .find(|publish| {
                words.len() >= publish.len()
                    && words
                        .iter()
                        .zip(publish.iter())
                        .enumerate()
                        .all(|(i, (word, want))| {
                            let word = if i == 0 {
                                plimsoll_syntax::shell::program_name(word)
                            } else {
                                word
                            };
                            word == *want
                        })
            })
            .map(|publish| format!("`{}`", publish.join(" ")))
    })
}

impl Rule for CachePoisoning {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let restores: Vec<(String, &Node, String)> = workflow
            .jobs()
            .into_iter()
            .flat_map(|job| {
                job.steps().into_iter().filter_map(move |step| {
                    cache_restore(&step).map(|(at, slug)| (job.id.to_string(), at, slug))
                })
            })
            .collect();
        if restores.is_empty() {
            return;
        }
        let Some(publishing) = publishing(workflow, &cx.scripts) else {
            return;
        };
        for (job, at, slug) in restores {
            let Some(why) = publishing.reaches(&job) else {
                continue;
            };
            out.report(
                &CachePoisoning::META,
                at.span,
                format!(
                    "`{slug}` restores a cache in job `{job}` of a workflow that {why}: an entry saved by another run on the default branch can put its files into what is published"
                ),
            );
        }
    }
}
