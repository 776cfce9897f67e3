use plimsoll_actions::{Job, Workflow};
use plimsoll_syntax::yaml::Node;

use super::cache_poisoning::publishing;
use super::common::{action_slug, command_words, Script, Scripts};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a job that builds Rust (`cargo build`, `test`, `clippy`, `check`, `nextest`, `doc`)
    /// without a dependency cache: `Swatinem/rust-cache`, `actions/cache` of `~/.cargo` and
    /// `target`, sccache, or `actions-rust-lang/setup-rust-toolchain` (which caches by default).
    /// A job whose output is published (what `cache-poisoning` asks to build from a clean
    /// state: a workflow on tags or `release`, a publishing job and the jobs it needs) is not
    /// asked for a cache.
    ///
    /// ## Why is this bad?
    /// Every run recompiles every dependency from scratch: slower feedback on every pull
    /// request and more exposure to registry outages.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - uses: actions/checkout@v4
    ///   - run: cargo test --workspace
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// steps:
    ///   - uses: actions/checkout@v4
    ///   - uses: Swatinem/rust-cache@v2
    ///   - run: cargo test --workspace
    /// ```
    pub struct MissingRustCache {
        id: "GHA016",
        name: "missing-rust-cache",
        severity: Warning,
        domain: GithubActions,
        summary: "A Rust job has no dependency cache",
        help: "add `Swatinem/rust-cache` after checkout (or cache `~/.cargo` and `target`)",
    }
}

const BUILD_SUBCOMMANDS: &[&str] = &[
    "build", "test", "clippy", "check", "nextest", "doc", "bench", "llvm-cov",
];

fn builds_rust(job: &Job<'_>, scripts: &Scripts) -> bool {
    job.steps().iter().any(|step| {
        let Some(run) = step.run() else {
            return false;
        };
        if !run.as_str().is_some_and(may_spell_cargo) {
            return false;
        }
        Script::of(run, scripts).is_some_and(|script| {
            script.commands.iter().any(|c| {
                let words = command_words(c);
                words.first() == Some(&"cargo")
                    && words.get(1).is_some_and(|s| BUILD_SUBCOMMANDS.contains(s))
            })
        })
    })
}

/// Whether a script could hold the word `cargo`: the lexer builds a word from the script's own
/// characters, dropping only quotes and backslashes (and escaped line breaks), so the word needs
/// `c`, `a`, `r`, `g`, `o` in a row with only those between them. Most scripts of a workflow
/// corpus fail this test, which is much cheaper than lexing them.
fn may_spell_cargo(script: &str) -> bool {
    if script.contains("cargo") {
        return true;
    }
    if !script.contains(['\\', '\'', '"']) {
        return false;
    }
    let bytes = script.as_bytes();
    script.match_indices('c').any(|(at, _)| {
        let mut rest = bytes[at + 1..]
            .iter()
            .filter(|b| !matches!(b, b'\\' | b'\'' | b'"' | b'\n'));
        b"argo".iter().all(|want| rest.next() == Some(want))
    })
}

fn has_cache(workflow: &Workflow<'_>, job: &Job<'_>) -> bool {
    let sccache_env = |node: &Node| {
        node.get("env")
            .and_then(|env| env.get_str("RUSTC_WRAPPER"))
            .is_some_and(|w| w.contains("sccache"))
    };
    if sccache_env(workflow.root) || sccache_env(job.node) {
        return true;
    }
    job.steps().iter().any(|step| {
        let Some(uses) = step.uses_node().and_then(Node::as_str) else {
            return sccache_env(step.node);
        };
        let slug = action_slug(uses);
        match slug.as_str() {
            "swatinem/rust-cache"
            | "mozilla-actions/sccache-action"
            | "leafwing-studios/cargo-cache" => true,
            "actions-rust-lang/setup-rust-toolchain" => {
                step.with("cache").and_then(Node::as_bool) != Some(false)
            }
            "actions/cache" | "actions/cache/restore" => step
                .with("path")
                .and_then(Node::as_str)
                .is_some_and(|p| p.contains(".cargo") || p.contains("target")),
            _ => {
                slug.ends_with("/cache")
                    && step
                        .with("path")
                        .and_then(Node::as_str)
                        .is_some_and(|p| p.contains("cargo"))
            }
        }
    })
}

impl Rule for MissingRustCache {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        // Computed once per workflow, and only when a job needs it.
        let mut published = None;
        for job in workflow.jobs() {
            if builds_rust(&job, &cx.scripts) && !has_cache(&workflow, &job) {
                let publishing = published.get_or_insert_with(|| publishing(workflow, &cx.scripts));
                if publishing
                    .as_ref()
                    .is_some_and(|p| p.reaches(job.id).is_some())
                {
                    continue;
                }
                out.report(
                    &Self::META,
                    job.key.span,
                    format!("job `{}` builds Rust without caching dependencies", job.id),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cargo_prefilter_lets_every_spelling_the_lexer_reads_as_cargo_through() {
        for script in [
            "cargo build",
            "ca'r'go test",
            "c\\argo test",
            "car\\\ngo test",
            "\"cargo\" test",
            "ccargo; cargo",
        ] {
            assert!(may_spell_cargo(script), "{script:?}");
            let lexed = plimsoll_syntax::shell::parse(script);
            assert!(
                lexed
                    .iter()
                    .any(|c| command_words(c).contains(&"cargo") || script.contains("ccargo")),
                "{script:?} should lex to cargo"
            );
        }
        for script in ["npm test", "car go", "cargoes", "echo carg", ""] {
            let spelled = may_spell_cargo(script);
            let lexed = plimsoll_syntax::shell::parse(script)
                .iter()
                .any(|c| command_words(c).first() == Some(&"cargo"));
            assert!(!lexed, "{script:?}");
            assert_eq!(spelled, script == "cargoes", "{script:?}");
        }
    }
}
