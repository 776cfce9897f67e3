use plimsoll_syntax::dockerfile::Arguments;

use super::common::{bases, Base};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `CMD` and `ENTRYPOINT` written in the shell form (`CMD node server.js`) rather
    /// than the JSON (exec) form (hadolint DL3025), unless the command starts with `exec`.
    /// Windows images are left alone (a Windows base image, or a `.bat`, `.cmd`, `.exe` or
    /// `.ps1` program): their shell form runs under `cmd /S /C`, and they have no POSIX signals.
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
    /// ## Fix
    /// Rewrites the command in the JSON form, one item per word, when it is on one line and
    /// uses no shell feature (no variable, quote, glob, redirection, operator or escape): the
    /// shell would only have split it at blanks. Safe for a `CMD` in a stage without an
    /// `ENTRYPOINT`, and an `ENTRYPOINT` in a stage without a `CMD`; unsafe otherwise, since in
    /// the JSON form the two combine (`CMD`'s items become `ENTRYPOINT`'s arguments) where the
    /// shell form ignored or wrapped them. An `ENTRYPOINT` of the base image is not known.
    ///
    /// ## Use instead
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    pub struct ShellFormEntrypoint {
        id: "DKR023",
        name: "shell-form-entrypoint",
        severity: Note,
        domain: Containers,
        summary: "`CMD` or `ENTRYPOINT` is in the shell form",
        help: "use the JSON form (`CMD [\"node\", \"server.js\"]`); when a shell is needed, `exec` the program from a script",
        fix: Sometimes,
    }
}

impl Rule for ShellFormEntrypoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        if builds_windows_image(cx) {
            return;
        }
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
            if text.is_empty() || text.starts_with("exec ") || runs_windows_program(text) {
                continue;
            }
            let span = instruction.arguments_span();
            let diagnostic = out.report(
                &Self::META,
                span,
                format!(
                    "`{}` in the shell form runs under `/bin/sh -c`, which does not pass signals on",
                    instruction.keyword
                ),
            );
            let Some(json) = json_form(cx.source.slice(span)) else {
                continue;
            };
            let other = if instruction.keyword == "CMD" {
                "ENTRYPOINT"
            } else {
                "CMD"
            };
            let paired = cx
                .dockerfile
                .stages()
                .iter()
                .find(|stage| stage.body.iter().any(|i| i.span == instruction.span))
                .is_none_or(|stage| stage.body.iter().any(|i| i.keyword == other));
            let applicability = if paired {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            };
            diagnostic.fix(Fix::new(
                applicability,
                "use the JSON form",
                vec![Edit::replace(span, json)],
            ));
        }
    }
}

/// `written`, a shell-form command, in the JSON form (`["node", "server.js"]`), when the shell
/// would only split it at blanks: one line, and every character a letter, a digit or one of
/// `_ . / : = @ % + , -`.
fn json_form(written: &str) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c);
    if written.trim().is_empty() || !written.chars().all(|c| plain(c) || c == ' ' || c == '\t') {
        return None;
    }
    let items: Vec<String> = written
        .split_whitespace()
        .map(|word| format!("\"{word}\""))
        .collect();
    Some(format!("[{}]", items.join(", ")))
}

/// Whether a stage builds on a Windows base image, where the shell form runs under
/// `cmd /S /C` (Dockerfile reference, `SHELL`) and there are no POSIX signals to pass on.
fn builds_windows_image(cx: &DockerfileContext<'_>) -> bool {
    bases(cx.dockerfile).iter().any(|(base, _)| match base {
        Base::Image(reference) => {
            let lower = reference.to_ascii_lowercase();
            lower.starts_with("mcr.microsoft.com/windows")
                || lower.contains("/nanoserver")
                || lower.contains("/servercore")
        }
        _ => false,
    })
}

/// Whether the command's program is a Windows batch file, script or executable
/// (`catalina.bat run`): the image is a Windows one whatever its unresolved base.
fn runs_windows_program(text: &str) -> bool {
    let program = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".bat", ".cmd", ".exe", ".ps1"]
        .iter()
        .any(|extension| program.ends_with(extension))
}
