use plimsoll_syntax::shell::Connector;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `RUN` that starts with `cd <dir>` to change the working directory for the
    /// commands after it, or that runs nothing but `cd` (which has no effect at all).
    ///
    /// ## Why is this bad?
    /// The directory change lasts for one `RUN` only, which is easy to forget in the next one;
    /// `WORKDIR` states it once, for every instruction that follows, and creates the folder.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /app && make
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// WORKDIR /app
    /// RUN make
    /// ```
    pub struct CdInsteadOfWorkdir {
        id: "DKR016",
        name: "cd-instead-of-workdir",
        severity: Note,
        domain: Containers,
        summary: "A `RUN` begins with `cd` instead of using `WORKDIR`",
        help: "set the directory with `WORKDIR /path` before the `RUN`",
    }
}

impl Rule for CdInsteadOfWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for run in cx.runs {
            let Some(first) = run.commands.first() else {
                continue;
            };
            let words = first.argv();
            let is_cd = words.first().is_some_and(|w| w.text == "cd") && words.len() == 2;
            if !is_cd || first.connector == Connector::Or {
                continue;
            }
            let message = if run.commands.len() == 1 {
                format!(
                    "`cd {}` alone in a `RUN` has no effect: use `WORKDIR`",
                    words[1].text
                )
            } else {
                format!(
                    "`cd {}` lasts for this `RUN` only: use `WORKDIR`",
                    words[1].text
                )
            };
            out.report(&Self::META, first.span(), message);
        }
    }
}
