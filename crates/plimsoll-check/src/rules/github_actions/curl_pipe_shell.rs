use plimsoll_syntax::shell::Connector;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a `run:` script that downloads a script and executes it in one go:
    /// `curl … | sh`, `wget -O- … | bash`, `bash <(curl …)`, `sh -c "$(curl …)"`.
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

impl Rule for CurlPipeShell {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(script) = scope.script() else {
            return;
        };
        let commands = &script.commands;
        for (i, command) in commands.iter().enumerate() {
            let program = command.program().unwrap_or("");
            if FETCHERS.contains(&program) && command.connector == Connector::Pipe {
                // Follow the pipeline to its end: `curl | tee x | sh` still runs it.
                let mut j = i + 1;
                while let Some(next) = commands.get(j) {
                    if SHELLS.contains(&next.program().unwrap_or("")) {
                        let span = script
                            .command_span(cx.text(), command)
                            .cover(script.command_span(cx.text(), next));
                        out.report(
                            &Self::META,
                            span,
                            format!(
                                "the output of `{program}` is executed by `{}` unverified",
                                next.program().unwrap_or("")
                            ),
                        );
                        break;
                    }
                    if next.connector != Connector::Pipe {
                        break;
                    }
                    j += 1;
                }
            }
            if SHELLS.contains(&program) {
                let substituted = command.argv().iter().skip(1).find(|w| {
                    FETCHERS.iter().any(|f| {
                        w.text.contains(&format!("$({f} ")) || w.text.contains(&format!("`{f} "))
                    })
                });
                // `bash <(curl …)` lexes as `bash` then a subshell command `curl`.
                let process_substitution = command.connector == Connector::Sequence
                    && commands
                        .get(i + 1)
                        .is_some_and(|next| FETCHERS.contains(&next.program().unwrap_or("")))
                    && script_text_between(scope, command, commands.get(i + 1)).contains("<(");
                if substituted.is_some() || process_substitution {
                    out.report(
                        &Self::META,
                        script.command_span(cx.text(), command),
                        format!(
                            "`{program}` executes a script fetched from the network unverified"
                        ),
                    );
                }
            }
        }
    }
}

fn script_text_between(
    scope: &StepScope<'_>,
    command: &plimsoll_syntax::shell::Command,
    next: Option<&plimsoll_syntax::shell::Command>,
) -> String {
    let (Some(text), Some(next)) = (scope.step.run().and_then(|r| r.as_str()), next) else {
        return String::new();
    };
    text.get(command.span().end..next.span().start)
        .unwrap_or("")
        .to_string()
}
