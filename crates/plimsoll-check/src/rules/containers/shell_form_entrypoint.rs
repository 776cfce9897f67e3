use plimsoll_syntax::dockerfile::Arguments;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `CMD` and `ENTRYPOINT` written in the shell form (`CMD node server.js`) rather
    /// than the JSON (exec) form (hadolint DL3025), unless the command starts with `exec`.
    ///
    /// ## Why is this bad?
    /// The shell form runs the program under `/bin/sh -c`: the shell is PID 1 and does not pass
    /// `SIGTERM` on, so `docker stop` and Kubernetes wait out the grace period and kill the
    /// program without a clean shutdown; an `ENTRYPOINT` in shell form also ignores `CMD` and
    /// `docker run` arguments.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD node server.js
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    pub struct ShellFormEntrypoint {
        id: "DKR023",
        name: "shell-form-entrypoint",
        severity: Warning,
        domain: Containers,
        summary: "`CMD` or `ENTRYPOINT` is in the shell form",
        help: "use the JSON form (`CMD [\"node\", \"server.js\"]`); when a shell is needed, `exec` the program from a script",
    }
}

impl Rule for ShellFormEntrypoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for instruction in cx.dockerfile.all_instructions() {
            if !matches!(instruction.keyword.as_str(), "CMD" | "ENTRYPOINT") {
                continue;
            }
            let Arguments::Shell(joined) = &instruction.arguments else {
                continue;
            };
            // `CMD exec gunicorn …`: the shell replaces itself with the program, which gets
            // the signals.
            let text = joined.text.trim();
            if text.is_empty() || text.starts_with("exec ") {
                continue;
            }
            out.report(
                &Self::META,
                instruction.arguments_span(),
                format!(
                    "`{}` in the shell form runs under `/bin/sh -c`, which does not pass signals on",
                    instruction.keyword
                ),
            );
        }
    }
}
