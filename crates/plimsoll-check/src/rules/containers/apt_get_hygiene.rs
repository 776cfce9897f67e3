use plimsoll_syntax::shell;

use super::common::{
    argv, has_flag, insert_flag_after_verb, mounts_over, removes_after, shipping_stages, verb,
};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{indentation, line_ending, line_start, Edit, Fix};
use crate::rule::{DockerfileContext, Rule, RunScript};

/// What the fix appends to a `RUN` that leaves the package lists in the layer.
const REMOVE_LISTS: &str = "rm -rf /var/lib/apt/lists/*";

declare_rule! {
    /// ## What it does
    /// Flags `apt-get` use that makes images slow to build, large, or stale: `apt-get install`
    /// without `-y` (or `-qq`, which implies it) or without `--no-install-recommends`; a `RUN`
    /// of a stage that ships (the final stage, the stages it is built from, stages copied into
    /// it whole) that runs `apt-get update` but does not remove `/var/lib/apt/lists/*` (or run
    /// `apt-get dist-clean`) after its last install, nor mounts a cache or tmpfs over them; and
    /// `apt-get update` in a `RUN` that installs nothing.
    ///
    /// ## Why is this bad?
    /// Without `-y` the build waits for an answer and fails; recommended packages and package
    /// lists add tens of megabytes to the layer; an `apt-get update` cached in its own layer
    /// goes stale, so later installs fetch outdated or missing versions.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install curl
    /// ```
    ///
    /// ## Fix
    /// Adding `-y` is safe: without it the build stops at the question. Adding
    /// `--no-install-recommends` is unsafe: the recommended packages are no longer installed,
    /// and the image may have relied on one. Appending `&& rm -rf /var/lib/apt/lists/*` to the
    /// `RUN` (on a line of its own when the `RUN` continues over lines, in the style of its
    /// lines) is safe, unless a later `RUN` installs without its own `apt-get update`: that
    /// install would find no package lists. No fix for the exec form (`RUN ["apt-get", …]`),
    /// a here-document, or a script whose end a command cannot follow (a trailing `&`, `;` or
    /// comment, `exec`, `exit`).
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    pub struct AptGetHygiene {
        id: "DKR010",
        name: "apt-get-hygiene",
        severity: Note,
        domain: Containers,
        summary: "`apt-get` is used without `-y`, `--no-install-recommends` or cleanup",
        help: "use `apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*` in one `RUN`",
        fix: Sometimes,
    }
}

impl Rule for AptGetHygiene {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let ships = shipping_stages(cx.dockerfile);
        for (run_index, run) in cx.runs.iter().enumerate() {
            // Package lists left in a builder stage cost nothing: only what ships matters.
            let lists_ship = run.onbuild
                || run
                    .stage
                    .is_none_or(|stage| ships.get(stage).copied().unwrap_or(true));
            let mut update = None;
            let mut installs = false;
            let mut last_install = 0;
            // `apt-get dist-clean` (apt 2.7+) removes the lists too.
            let mut dist_clean = None;
            for (index, command) in run.commands.iter().enumerate() {
                let words = argv(command);
                let program = command.program().unwrap_or("");
                if !matches!(program, "apt-get" | "apt") {
                    continue;
                }
                match verb(&words) {
                    Some("update") => update = update.or(Some(command.span())),
                    Some("dist-clean") => dist_clean = Some(index),
                    Some("install") => {
                        installs = true;
                        last_install = index;
                        if !has_flag(&words, 'y', &["--yes", "--assume-yes"])
                            && !answers_yes_quietly(&words)
                        {
                            let diagnostic = out.report(
                                &Self::META,
                                command.span(),
                                format!("`{program} install` without `-y` waits for an answer and fails the build"),
                            );
                            // The same install, without the question no one can answer.
                            if let Some(edit) = insert_flag_after_verb(command, "install", "-y") {
                                diagnostic.fix(Fix::safe("add `-y`", vec![edit]));
                            }
                        }
                        if !words.contains(&"--no-install-recommends") {
                            let diagnostic = out.report(
                                &Self::META,
                                command.span(),
                                format!("`{program} install` without `--no-install-recommends` also installs recommended packages"),
                            );
                            // Fewer packages: the image may have used a recommended one.
                            if let Some(edit) = insert_flag_after_verb(
                                command,
                                "install",
                                "--no-install-recommends",
                            ) {
                                diagnostic.fix(Fix::unsafe_edits(
                                    "add `--no-install-recommends`",
                                    vec![edit],
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
            let Some(update) = update else {
                continue;
            };
            if !installs {
                out.report(
                    &Self::META,
                    update,
                    "`apt-get update` in a `RUN` that installs nothing: its cached layer goes stale".to_string(),
                );
            } else if lists_ship
                && dist_clean.is_none_or(|at| at < last_install)
                && !removes_after(run, "/var/lib/apt/lists", last_install)
                && !mounts_over(run, "/var/lib/apt/lists")
            {
                let diagnostic = out.report(
                    &Self::META,
                    update,
                    "package lists are not removed: add `rm -rf /var/lib/apt/lists/*` to this `RUN`".to_string(),
                );
                if let Some(edit) = remove_lists_at_end(cx.source.text(), run) {
                    let later = &cx.runs[run_index + 1..];
                    let fix = if later.iter().any(installs_without_update) {
                        // That install would find no package lists and fail.
                        Fix::unsafe_edits(
                            "remove the package lists at the end of the `RUN`",
                            vec![edit],
                        )
                    } else {
                        Fix::safe(
                            "remove the package lists at the end of the `RUN`",
                            vec![edit],
                        )
                    };
                    diagnostic.fix(fix);
                }
            }
        }
    }
}

/// Whether the options answer yes without `-y`: quiet level 2 (`-qq`, `-q -q`, `-q=2`,
/// `--quiet=2`) implies `-y` (apt-get(8)), as does `-o APT::Get::Assume-Yes=true`.
fn answers_yes_quietly(words: &[&str]) -> bool {
    let mut quiet = 0usize;
    let mut option_follows = false;
    for word in words.iter().skip(1) {
        let word = *word;
        if std::mem::take(&mut option_follows) || word.starts_with("-o=") {
            let setting = word.trim_start_matches("-o=").to_ascii_lowercase();
            if matches!(
                setting.as_str(),
                "apt::get::assume-yes=true" | "apt::get::assume-yes=1" | "apt::get::assume-yes=yes"
            ) {
                return true;
            }
        } else if word == "-o" {
            option_follows = true;
        } else if let Some(level) = word
            .strip_prefix("--quiet=")
            .or_else(|| word.strip_prefix("-q="))
        {
            quiet = level.parse().unwrap_or(quiet);
        } else if word == "--quiet" {
            quiet += 1;
        } else if word.starts_with('-') && !word.starts_with("--") {
            quiet += word.matches('q').count();
        }
    }
    quiet >= 2
}

/// The edit that ends `run`'s script with `&& rm -rf /var/lib/apt/lists/*`: on the last line
/// for a one-line `RUN` or one whose lines are not joined by `&&`; on a line of its own, in the
/// same style, when its lines start with `&&` (` \`, then `&& rm …`) or end with `&& \`.
/// `None` for a here-document, and when a command cannot simply follow the script's end.
fn remove_lists_at_end(text: &str, run: &RunScript<'_>) -> Option<Edit> {
    if run.onbuild || !run.instruction.heredocs.is_empty() {
        return None;
    }
    let script = run.instruction.script()?;
    let body = script.text.trim_end();
    // A trailing `;`, `&` (the background) or `|` would make `&& rm …` a syntax error; a
    // trailing `\` is an escaped character, not a continuation, once lines are joined.
    if body.is_empty() || body.ends_with([';', '&', '|', '\\', '(', '{']) {
        return None;
    }
    let commands = shell::parse(body);
    let last = commands.last()?;
    let last_word = last.words.last()?;
    // What follows the last word: a comment would swallow the addition.
    if body.get(last_word.span.end..)?.contains('#') {
        return None;
    }
    if matches!(last.program(), Some("exec" | "exit")) {
        return None;
    }
    let at = script.file_offset(body.len() - 1) + 1;
    let eol = line_ending(text);
    let last_line = line_start(text, at);
    let single = format!(" && {REMOVE_LISTS}");
    if last_line <= run.instruction.span.start {
        return Some(Edit::insert(at, single));
    }
    let indent = indentation(text, at);
    let previous = text.get(line_start(text, last_line - 1)..last_line - 1)?;
    let previous = previous.trim_end_matches('\r').trim_end();
    if !previous.ends_with('\\') {
        return Some(Edit::insert(at, single));
    }
    let line = text.get(last_line..at)?.trim_start();
    let inserted = if line.starts_with("&&") {
        format!(" \\{eol}{indent}&& {REMOVE_LISTS}")
    } else if previous.trim_end_matches('\\').trim_end().ends_with("&&") {
        format!(" && \\{eol}{indent}{REMOVE_LISTS}")
    } else {
        single
    };
    Some(Edit::insert(at, inserted))
}

/// Whether a `RUN` installs with `apt-get` or `apt` before (or without) any `apt-get update`
/// of its own: it relies on package lists an earlier `RUN` left.
fn installs_without_update(run: &RunScript<'_>) -> bool {
    for command in &run.commands {
        if !matches!(command.program(), Some("apt-get" | "apt")) {
            continue;
        }
        match verb(&argv(command)) {
            Some("update") => return false,
            Some("install" | "build-dep" | "source" | "upgrade" | "dist-upgrade") => return true,
            _ => {}
        }
    }
    false
}
