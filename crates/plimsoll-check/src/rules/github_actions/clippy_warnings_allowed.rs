use plimsoll_syntax::yaml::Node;

use super::common::command_words;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `cargo clippy` run without denying warnings: no `-D warnings` (or `-Dwarnings`,
    /// `--deny warnings`) after `--`, and no `RUSTFLAGS` with `-D warnings` in the step's, job's
    /// or workflow's `env:`.
    ///
    /// ## Why is this bad?
    /// Clippy exits 0 on warnings, so the step always passes and new lints pile up unseen: the
    /// lint gate exists only on paper.
    ///
    /// ## Example
    /// ```yaml
    /// - run: cargo clippy --all-targets
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: cargo clippy --all-targets -- -D warnings
    /// ```
    pub struct ClippyWarningsAllowed {
        id: "GHA022",
        name: "clippy-warnings-allowed",
        severity: Warning,
        domain: GithubActions,
        summary: "`cargo clippy` runs without denying warnings",
        help: "append `-- -D warnings` (or set `RUSTFLAGS: -D warnings`) so lints fail the build",
    }
}

/// Whether a list of flags denies warnings.
pub(crate) fn denies_warnings<'a>(words: impl IntoIterator<Item = &'a str>) -> bool {
    let words: Vec<&str> = words.into_iter().collect();
    words
        .iter()
        .any(|w| matches!(*w, "-Dwarnings" | "--deny=warnings" | "-Dclippy::all"))
        || words
            .windows(2)
            .any(|w| matches!(w[0], "-D" | "--deny") && matches!(w[1], "warnings" | "clippy::all"))
}

fn env_denies(node: Option<&Node>) -> bool {
    node.and_then(|n| n.get("env"))
        .and_then(|env| env.get_str("RUSTFLAGS"))
        .is_some_and(|flags| denies_warnings(flags.split_whitespace()))
}

impl Rule for ClippyWarningsAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(script) = scope.script() else {
            return;
        };
        if env_denies(Some(scope.step.node))
            || env_denies(scope.job.map(|j| j.node))
            || env_denies(scope.workflow.map(|w| w.root))
        {
            return;
        }
        for command in script.commands.iter() {
            let words = command_words(command);
            if words.first() != Some(&"cargo") || words.get(1) != Some(&"clippy") {
                continue;
            }
            let sets_rustflags = command.words.iter().any(|w| {
                w.text
                    .strip_prefix("RUSTFLAGS=")
                    .is_some_and(|f| denies_warnings(f.split_whitespace()))
            });
            let fixes = words.contains(&"--fix");
            // `cargo clippy --version` (or `-V`, `--help`) prints and lints nothing.
            let lints_nothing = words
                .iter()
                .skip(2)
                .take_while(|w| **w != "--")
                .any(|w| matches!(*w, "--version" | "-V" | "--help" | "-h"));
            if sets_rustflags || fixes || lints_nothing || denies_warnings(words.iter().copied()) {
                continue;
            }
            out.report(
                &Self::META,
                script.command_span(cx.text(), command),
                "`cargo clippy` does not deny warnings: it passes whatever it finds",
            );
        }
    }
}
