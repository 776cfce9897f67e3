use plimsoll_syntax::shell;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `sudo` in a `RUN` instruction.
    ///
    /// ## Why is this bad?
    /// `RUN` already runs as the current `USER`; `sudo` in an image means the runtime user can
    /// become root (sudo installed and configured for it), and its TTY and signal handling make
    /// builds and containers behave unpredictably.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get install -y --no-install-recommends curl
    /// USER app
    /// ```
    pub struct SudoInRun {
        id: "DKR014",
        name: "sudo-in-run",
        severity: Warning,
        domain: Containers,
        summary: "`sudo` is used in a `RUN`",
        help: "run the privileged steps before `USER` switches away from root, and do not install `sudo`",
    }
}

impl Rule for SudoInRun {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs {
            for command in &run.commands {
                // `argv()` skips `sudo` as a wrapper: look at the words before the program.
                let program_at = command.words.len() - command.argv().len();
                let sudo = command.words[..program_at]
                    .iter()
                    .chain(command.argv().first())
                    .find(|w| shell::program_name(&w.text) == "sudo");
                if let Some(word) = sudo {
                    out.report(
                        &Self::META,
                        word.span,
                        "`sudo` in a `RUN`: switch `USER` instead".to_string(),
                    );
                }
            }
        }
    }
}
