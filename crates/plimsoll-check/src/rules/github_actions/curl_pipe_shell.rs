use plimsoll_syntax::shell::{Command, Connector};
use plimsoll_syntax::{expr, Span};

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, DockerfileContext, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a `run:` script or a Dockerfile `RUN` that downloads a script and executes it in
    /// one go: `curl … | sh`, `wget -O- … | bash`, `bash <(curl …)`, `sh -c "$(curl …)"`.
    ///
    /// ## Why is this bad?
    /// Whatever the server returns at that moment runs with the job's token and secrets; nothing
    /// pins or verifies it, and a truncated download runs half a script.
    ///
    /// ## Example
    /// ```yaml
    /// - run: curl -sSf https://sh.rustup.rs | sh -s -- -y
    /// ```
    ///
    /// ## Use instead
    /// Use a pinned action or package, or download to a file, verify its checksum, then run it:
    /// ```yaml
    /// - run: |
    ///     curl -sSfLo install.sh https://example.com/install-1.2.3.sh
    ///     echo "<sha256>  install.sh" | sha256sum -c -
    ///     sh install.sh
    /// ```
    pub struct CurlPipeShell {
        id: "GHA009",
        name: "curl-pipe-shell",
        severity: Warning,
        domain: GithubActions,
        summary: "A downloaded script is piped straight into a shell",
        help: "download to a file, verify its checksum, then run it (or use a pinned action or package)",
    }
}

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python3", "perl", "ruby", "node",
];
const FETCHERS: &[&str] = &["curl", "wget"];

/// Where `commands` execute something fetched from the network: the span (in the coordinates
/// of the commands' words, which index `text`) and what happens there.
fn unverified_executions(commands: &[Command], text: &str) -> Vec<(Span, String)> {
    let mut found = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let program = command.program().unwrap_or("");
        if FETCHERS.contains(&program) && command.connector == Connector::Pipe {
            // Follow the pipeline to its end: `curl | tee x | sh` still runs it.
            let mut j = i + 1;
            while let Some(next) = commands.get(j) {
                if SHELLS.contains(&next.program().unwrap_or("")) {
                    found.push((
                        command.span().cover(next.span()),
                        format!(
                            "the output of `{program}` is executed by `{}` unverified",
                            next.program().unwrap_or("")
                        ),
                    ));
                    break;
                }
                if next.connector != Connector::Pipe {
                    break;
                }
                j += 1;
            }
        }
        if SHELLS.contains(&program) {
            let substituted = command
                .argv()
                .iter()
                .skip(1)
                .any(|w| FETCHERS.iter().any(|f| substitutes(&w.text, f)));
            // `bash <(curl …)` lexes as `bash` then a subshell command `curl`.
            let process_substitution = command.connector == Connector::Sequence
                && commands.get(i + 1).is_some_and(|next| {
                    FETCHERS.contains(&next.program().unwrap_or(""))
                        && text
                            .get(command.span().end..next.span().start)
                            .is_some_and(|between| between.contains("<("))
                });
            if substituted || process_substitution {
                found.push((
                    command.span(),
                    format!("`{program}` executes a script fetched from the network unverified"),
                ));
            }
        }
    }
    found
}

/// Whether `word` runs `fetcher` in a command substitution: holds `$(fetcher ` or
/// `` `fetcher ``. Found in place: the words of every shell command are asked.
fn substitutes(word: &str, fetcher: &str) -> bool {
    word.match_indices(fetcher).any(|(at, _)| {
        let before = &word[..at];
        (before.ends_with("$(") || before.ends_with('`'))
            && word[at + fetcher.len()..].starts_with(' ')
    })
}

impl Rule for CurlPipeShell {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let (Some(script), Some(text)) =
            (scope.script(), scope.step.run().and_then(|r| r.as_str()))
        else {
            return;
        };
        for (span, message) in unverified_executions(&script.commands, &expr::mask(text)) {
            out.report(&Self::META, script.source_span(cx.text(), span), message);
        }
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs {
            for (span, message) in unverified_executions(&run.commands, cx.source.text()) {
                out.report(&Self::META, span, message);
            }
        }
    }
}
