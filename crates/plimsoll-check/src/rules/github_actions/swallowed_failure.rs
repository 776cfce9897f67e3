use plimsoll_syntax::shell::Connector;

use super::common::is_quality_command;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags shell in a `run:` script that swallows the failure of a quality command (tests,
    /// lints, format checks, builds, audits): `cargo test || true`, `npm test || echo failed`,
    /// `pytest; exit 0`, or `set +e` before such a command.
    ///
    /// ## Why is this bad?
    /// The step turns green whatever the command returns, so the gate it was meant to be no
    /// longer stops anything. Unlike a deleted step it still looks like coverage.
    ///
    /// ## Example
    /// ```yaml
    /// - run: cargo clippy --all-targets -- -D warnings || true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: cargo clippy --all-targets -- -D warnings
    /// ```
    pub struct SwallowedFailure {
        id: "GHA003",
        name: "swallowed-failure",
        severity: Warning,
        domain: GithubActions,
        summary: "Shell swallows the failure of a quality command",
        help: "let the command's exit status fail the step (remove `|| true`, `; exit 0` or `set +e`)",
    }
}

impl Rule for SwallowedFailure {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(script) = scope.script() else {
            return;
        };
        let commands = &script.commands;
        let mut errexit_off = None;
        for (i, command) in commands.iter().enumerate() {
            let argv: Vec<String> = command.argv().iter().map(|w| w.text.clone()).collect();
            if argv.first().map(String::as_str) == Some("set") {
                if argv.iter().any(|a| a == "+e") {
                    errexit_off = Some(command);
                } else if argv.iter().any(|a| a.starts_with('-') && a.contains('e')) {
                    errexit_off = None;
                }
                continue;
            }
            if !is_quality_command(&argv) {
                continue;
            }
            let name = argv.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
            if command.connector == Connector::Or {
                if let Some(next) = commands.get(i + 1) {
                    let fallback = next.program().unwrap_or("");
                    let swallows = matches!(fallback, "true" | ":" | "echo" | "printf")
                        || (fallback == "exit" && next.words.get(1).is_none_or(|w| w.text == "0"));
                    if swallows {
                        let span = script
                            .command_span(cx.text(), command)
                            .cover(script.command_span(cx.text(), next));
                        out.report(
                            &Self::META,
                            span,
                            format!("`{name}` can fail without failing the step: `|| {}` swallows its exit status", next.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")),
                        );
                        continue;
                    }
                }
            }
            if command.connector == Connector::Sequence {
                if let Some(next) = commands.get(i + 1) {
                    if next.program() == Some("exit")
                        && next.words.get(1).is_none_or(|w| w.text == "0")
                        && errexit_off.is_some()
                    {
                        let span = script.command_span(cx.text(), next);
                        out.report(
                            &Self::META,
                            span,
                            format!("`exit 0` after `{name}` turns its failure into success"),
                        );
                        continue;
                    }
                }
            }
            if let Some(set) = errexit_off {
                out.report(
                    &Self::META,
                    script.command_span(cx.text(), set),
                    format!("`set +e` lets `{name}` fail without failing the step"),
                );
                errexit_off = None;
            }
        }
    }
}
