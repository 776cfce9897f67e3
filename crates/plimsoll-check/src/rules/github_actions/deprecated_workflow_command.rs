use plimsoll_syntax::shell::{self, Command};
use plimsoll_syntax::yaml::Locator;
use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags the workflow commands GitHub has deprecated, printed from a `run:` script:
    /// `::set-output`, `::save-state`, `::set-env` and `::add-path`.
    ///
    /// ## Why is this bad?
    /// Commands parsed from a step's log let anything that prints to the log (a test name, a
    /// dependency's output, an attacker-controlled title) set outputs, environment variables or
    /// the `PATH` of later steps. `set-env` and `add-path` are already disabled on GitHub-hosted
    /// runners, and `set-output` and `save-state` print warnings and are scheduled for removal:
    /// the step's outputs silently go missing when that happens.
    ///
    /// ## Example
    /// ```yaml
    /// - id: version
    ///   run: echo "::set-output name=version::$(cat VERSION)"
    /// ```
    ///
    /// ## Fix
    /// Rewrites `echo "::set-output name=NAME::VALUE"` as `echo "NAME=VALUE" >>
    /// "$GITHUB_OUTPUT"` (and `save-state`, `set-env`, `add-path` alike), keeping the word's
    /// quoting, when the command is an `echo` of that one word alone on its line. Safe when
    /// the value is literal text and variables; unsafe when it holds a command substitution
    /// (its output may span lines, which the file format reads as more entries) or a `%`
    /// (the old commands decoded `%0A` and `%25`, the files do not).
    ///
    /// ## Use instead
    /// Write to the files GitHub provides:
    /// ```yaml
    /// - id: version
    ///   run: echo "version=$(cat VERSION)" >> "$GITHUB_OUTPUT"
    /// ```
    pub struct DeprecatedWorkflowCommand {
        id: "GHA025",
        name: "deprecated-workflow-command",
        severity: Warning,
        domain: GithubActions,
        summary: "A deprecated workflow command (`::set-output`, `::set-env` …) is used",
        help: "write to `$GITHUB_OUTPUT`, `$GITHUB_STATE`, `$GITHUB_ENV` or `$GITHUB_PATH` instead",
        fix: Sometimes,
    }
}

/// The deprecated commands and how to replace each.
/// The file each command's replacement writes to, in the order of [`COMMANDS`].
const FILES: &[&str] = &["GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_ENV", "GITHUB_PATH"];

const COMMANDS: &[(&str, &str)] = &[
    (
        "set-output",
        "write `name=value` to `$GITHUB_OUTPUT`: echo \"name=value\" >> \"$GITHUB_OUTPUT\"",
    ),
    (
        "save-state",
        "write `name=value` to `$GITHUB_STATE`: echo \"name=value\" >> \"$GITHUB_STATE\"",
    ),
    (
        "set-env",
        "write `NAME=value` to `$GITHUB_ENV`: echo \"NAME=value\" >> \"$GITHUB_ENV\"",
    ),
    (
        "add-path",
        "append the directory to `$GITHUB_PATH`: echo \"/path/to/dir\" >> \"$GITHUB_PATH\"",
    ),
];

/// Byte ranges of `::command` occurrences in `script`, with the command's index in [`COMMANDS`].
fn find_commands(script: &str) -> Vec<(std::ops::Range<usize>, usize)> {
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some(rel) = script.get(pos..).and_then(|rest| rest.find("::")) {
        let start = pos + rel;
        let after = start + 2;
        pos = after;
        let rest = &script[after..];
        for (index, (name, _)) in COMMANDS.iter().enumerate() {
            let Some(tail) = rest.strip_prefix(name) else {
                continue;
            };
            // The command name ends at a space (properties) or at `::` (the value).
            if tail.starts_with(' ') || tail.starts_with("::") {
                found.push((start..after + name.len(), index));
                pos = after + name.len();
            }
            break;
        }
    }
    found
}

impl Rule for DeprecatedWorkflowCommand {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(run) = scope.step.run() else {
            return;
        };
        let Some(script) = run.as_str() else {
            return;
        };
        let step = &scope.step;
        // Spelled out for the steps that use a command only.
        let owner = || {
            let mut owner = match step.name().or_else(|| step.id()) {
                Some(label) => format!("step `{label}`"),
                None => format!("step {}", step.index + 1),
            };
            if let Some(job) = &scope.job {
                owner.push_str(&format!(" of job `{}`", job.id));
            }
            owner
        };
        let mut locator: Option<Locator> = None;
        let mut commands: Option<Vec<Command>> = None;
        for (range, index) in find_commands(script) {
            let owner = owner();
            let (name, help) = COMMANDS[index];
            let span = locator
                .get_or_insert_with(|| Locator::new(run, cx.text()))
                .locate(run, cx.text(), range.clone());
            let diagnostic = out.report(
                &Self::META,
                span,
                format!("{owner} uses the deprecated workflow command `{name}`"),
            );
            diagnostic.help(help);
            let commands =
                commands.get_or_insert_with(|| shell::parse(&plimsoll_syntax::expr::mask(script)));
            if let Some(fix) = rewrite(cx.text(), script, run, commands, range.start, index) {
                diagnostic.fix(fix);
            }
        }
    }
}

/// The fix of the command `COMMANDS[index]` written at byte `at` of `script` (the value of
/// `run`): `echo WORD` becomes `echo WORD' >> "$FILE"`, where `WORD'` is `WORD` with the
/// command's prefix (`::set-output name=`… `::`) turned into `NAME=`. `None` unless the command
/// is an `echo` of that word alone on its line and the script's text is the file's there.
fn rewrite(
    text: &str,
    script: &str,
    run: &plimsoll_syntax::yaml::Node,
    commands: &[Command],
    at: usize,
    index: usize,
) -> Option<Fix> {
    let command = commands
        .iter()
        .find(|command| command.span().start <= at && at < command.span().end)?;
    let [echo, word] = command.words.as_slice() else {
        return None;
    };
    if echo.text != "echo" {
        return None;
    }
    let rest_of_line = script.get(word.span.end..)?.split('\n').next()?;
    if !rest_of_line.trim().is_empty() {
        return None;
    }
    let written = script.get(word.span.start..word.span.end)?;
    let quote = match written.chars().next()? {
        quote @ ('"' | '\'') => quote.to_string(),
        _ => String::new(),
    };
    let inner = written.strip_prefix(quote.as_str())?;
    let (name, _) = COMMANDS[index];
    let command_text = inner.strip_prefix("::")?.strip_prefix(name)?;
    let (properties, value) = command_text.split_once("::")?;
    let entry = match properties.trim().strip_prefix("name=") {
        Some(key) if !key.is_empty() && !key.contains([',', ' ']) => format!("{key}={value}"),
        None if properties.trim().is_empty() && name == "add-path" => value.to_string(),
        _ => return None,
    };
    let replacement = format!("echo {quote}{entry} >> \"${}\"", FILES[index]);
    // The script is the file's own text there (a plain or block scalar): the edit is exact.
    let span = Span::new(echo.span.start, word.span.end);
    let in_file = run.locate(text, span.start..span.end);
    if text.get(in_file.start..in_file.end)? != script.get(span.start..span.end)? {
        return None;
    }
    let value_only = value.trim_end_matches(['"', '\'']);
    let applicability =
        if value_only.contains('%') || value_only.contains("$(") || value_only.contains('`') {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
    Some(Fix::new(
        applicability,
        format!("write to `${}`", FILES[index]),
        vec![Edit::replace(in_file, replacement)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_commands_with_properties_or_values() {
        let script =
            "echo '::set-output name=a::b'\necho ::add-path::/x\necho '::debug::x' '::set-envy x'";
        let found: Vec<_> = find_commands(script)
            .into_iter()
            .map(|(range, index)| (&script[range], COMMANDS[index].0))
            .collect();
        assert_eq!(
            found,
            [("::set-output", "set-output"), ("::add-path", "add-path")]
        );
    }
}
