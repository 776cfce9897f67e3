use super::common::command_words;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `cargo install` in a `run:` script without `--locked`.
    ///
    /// ## Why is this bad?
    /// Without `--locked`, cargo ignores the tool's `Cargo.lock` and resolves the newest
    /// semver-compatible dependencies at install time, so a dependency release can break (or
    /// compromise) your CI with no change on your side.
    ///
    /// ## Example
    /// ```yaml
    /// - run: cargo install cargo-audit
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: cargo install cargo-audit --locked --version 0.21.1
    /// ```
    pub struct CargoInstallUnlocked {
        id: "GHA008",
        name: "cargo-install-unlocked",
        severity: Warning,
        domain: GithubActions,
        summary: "`cargo install` without `--locked`",
        help: "add `--locked` (and a `--version`) so the tool builds with its own lock file",
    }
}

impl Rule for CargoInstallUnlocked {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(script) = scope.script() else {
            return;
        };
        for command in script.commands.iter() {
            let words = command_words(command);
            if words.first() != Some(&"cargo") || words.get(1) != Some(&"install") {
                continue;
            }
            if words
                .iter()
                .any(|w| matches!(*w, "--locked" | "--frozen" | "--list" | "--help" | "-h"))
            {
                continue;
            }
            out.report(
                &Self::META,
                script.command_span(cx.text(), command),
                "`cargo install` without `--locked` resolves fresh dependency versions on every run",
            );
        }
    }
}
