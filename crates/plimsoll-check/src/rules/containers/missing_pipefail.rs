use std::collections::HashSet;

use plimsoll_syntax::dockerfile::{Arguments, Dockerfile, Instruction};
use plimsoll_syntax::shell::{self, Command, Connector};

use super::common::{argv, walk_stages};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a shell-form `RUN` with a pipe (`curl … | tar x`) when the shell does not run with
    /// `pipefail`: no `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before it in the stage (or
    /// a stage it is built from), and no `set -o pipefail` in the `RUN` before the pipe. A pipe
    /// fed only by `echo` or `printf` cannot fail before its last command and is not flagged;
    /// stages whose `SHELL` is PowerShell or `cmd` are left alone (hadolint DL4006).
    /// A note: the standard (STANDARDS.md §2) does not list it, and in a precision review of real
    /// repositories most flagged pipes ended in a command that fails on empty input anyway
    /// (`| tar x`, `| sha512sum -c`); it matters most where the last command does not (`| python`).
    ///
    /// ## Why is this bad?
    /// A pipeline's status is its last command's: when `curl` fails, `tar` reads nothing,
    /// succeeds, and the build goes on with a layer that lacks what it was meant to install.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin
    /// ```
    pub struct MissingPipefail {
        id: "DKR022",
        name: "missing-pipefail",
        severity: Note,
        domain: Containers,
        summary: "A `RUN` with a pipe runs without `pipefail`",
        help: "add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before it (`/bin/ash` on Alpine), or start the command with `set -o pipefail &&`",
    }
}

impl Rule for MissingPipefail {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let exempt = runs_exempt(cx.dockerfile);
        for run in cx
            .runs
            .iter()
            .filter(|r| !exempt.contains(&r.instruction.span.start))
        {
            // The commands of the pipeline being read, all but its last.
            let mut feeding: Vec<&Command> = Vec::new();
            for command in &run.commands {
                let words = argv(command);
                if words.first() == Some(&"set") && sets_pipefail(&words[1..]) {
                    break;
                }
                if command.connector == Connector::Pipe {
                    feeding.push(command);
                    continue;
                }
                // `echo "$SUM  file" | sha256sum -c -`: nothing before the last command can
                // fail, and the last one's status is the pipeline's anyway.
                let can_fail = feeding
                    .iter()
                    .find(|c| !matches!(c.program(), Some("echo" | "printf" | "true" | "yes")));
                if let Some(first) = can_fail {
                    let span = match (first.argv().first(), first.argv().last()) {
                        (Some(a), Some(b)) => a.span.cover(b.span),
                        _ => first.span(),
                    };
                    out.report(
                        &Self::META,
                        span,
                        "the pipe's status is its last command's: a failure before it is ignored without `pipefail`"
                            .to_string(),
                    );
                    break;
                }
                feeding.clear();
            }
        }
    }
}

/// Whether `set` arguments turn `pipefail` on (`-o pipefail`, `-euo pipefail`).
fn sets_pipefail(args: &[&str]) -> bool {
    args.windows(2)
        .any(|pair| pair[0].starts_with('-') && pair[0].ends_with('o') && pair[1] == "pipefail")
}

/// What a `SHELL` instruction makes of the `RUN`s after it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ShellKind {
    /// `/bin/sh -c`, or a POSIX shell without `pipefail`.
    Plain,
    /// A shell started with `-o pipefail`.
    Pipefail,
    /// PowerShell or `cmd`: no POSIX pipelines.
    NotPosix,
}

fn shell_kind(instruction: &Instruction) -> ShellKind {
    let Arguments::Exec(items) = &instruction.arguments else {
        return ShellKind::Plain;
    };
    let words: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let program = words
        .first()
        .map(|w| shell::program_name(&w.replace('\\', "/")).to_ascii_lowercase())
        .unwrap_or_default();
    if program.starts_with("powershell")
        || program.starts_with("pwsh")
        || program.starts_with("cmd")
    {
        ShellKind::NotPosix
    } else if sets_pipefail(&words) {
        ShellKind::Pipefail
    } else {
        ShellKind::Plain
    }
}

/// The `RUN`s (by their start in the file) whose shell has `pipefail` or is not POSIX, from the
/// `SHELL` before them in their stage or in the stages it is built from.
fn runs_exempt(file: &Dockerfile) -> HashSet<usize> {
    let mut exempt = HashSet::new();
    walk_stages(
        file,
        |_| ShellKind::Plain,
        |instruction, kind| match instruction.keyword.as_str() {
            "SHELL" => *kind = shell_kind(instruction),
            "RUN" if *kind != ShellKind::Plain => {
                exempt.insert(instruction.span.start);
            }
            _ => {}
        },
    );
    exempt
}
