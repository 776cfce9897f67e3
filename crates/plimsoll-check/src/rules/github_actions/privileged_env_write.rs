use plimsoll_actions::schema::untrusted_context;
use plimsoll_syntax::Span;

use super::common::expression_paths;
use super::taint::shell_variables;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a `run:` script that writes `$GITHUB_ENV` or `$GITHUB_PATH` in a workflow that runs
    /// on `pull_request_target` or `workflow_run`, the triggers that run with the base
    /// repository's secrets and a write token while handling a fork's pull request. A line
    /// that `echo`es to `$GITHUB_ENV` only values the pull request cannot choose, into a variable
    /// that does not run code (`BASH_ENV`, `LD_PRELOAD`, `NODE_OPTIONS`, …), is left alone:
    /// constants,
    /// expressions over trusted contexts (`github.event.number`), runner variables
    /// (`$RUNNER_TEMP`) and variables the script assigns from those.
    ///
    /// ## Why is this bad?
    /// Every later step of the job reads those files. When what is written comes from the pull
    /// request (a file of its checkout, a downloaded artifact, a branch name), its author can
    /// add lines of their own: `BASH_ENV`, `LD_PRELOAD` or `NODE_OPTIONS` to run code in the
    /// next step, or a `PATH` entry that shadows `git` or `gh`, with the workflow's secrets.
    ///
    /// ## Example
    /// ```yaml
    /// on: workflow_run
    /// # …
    ///       - run: echo "PR_NUMBER=$(cat pr/number)" >> "$GITHUB_ENV"
    /// ```
    ///
    /// ## Use instead
    /// Pass the value as a step output or read it in the step that uses it, after checking it:
    /// ```yaml
    ///       - id: pr
    ///         run: |
    ///           number=$(cat pr/number)
    ///           [[ "$number" =~ ^[0-9]+$ ]] && echo "number=$number" >> "$GITHUB_OUTPUT"
    /// ```
    pub struct PrivilegedEnvWrite {
        id: "GHA038",
        name: "privileged-env-write",
        severity: Warning,
        domain: GithubActions,
        summary: "`$GITHUB_ENV` or `$GITHUB_PATH` written in a `pull_request_target` or `workflow_run` workflow",
        help: "use step outputs (`$GITHUB_OUTPUT`) for values that come from the pull request, validated first",
    }
}

/// The triggers that run a fork's pull request with the base repository's privileges.
const PRIVILEGED_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run"];

/// Runner variables that hold no pull request text.
const RUNNER_VARIABLES: &[&str] = &[
    "GITHUB_SHA",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_NUMBER",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_WORKSPACE",
    "GITHUB_REPOSITORY",
    "GITHUB_REPOSITORY_OWNER",
    "GITHUB_SERVER_URL",
    "GITHUB_API_URL",
    "GITHUB_ACTION_PATH",
    "RUNNER_TEMP",
    "RUNNER_TOOL_CACHE",
    "RUNNER_OS",
    "RUNNER_ARCH",
    "HOME",
    "PWD",
];

/// How far a variable's assignments are followed (`a=$b`, `b=$c`, …).
const MAX_DEPTH: usize = 4;

/// Whether `value` (text written to the file, or assigned) holds no pull request text: no
/// command output, only expressions over trusted contexts, and only variables that the script
/// assigns from such values or that the runner sets.
fn is_trusted_value(script: &str, value: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH || value.contains("$(") || value.contains('`') {
        return false;
    }
    for used in expression_paths(value) {
        let path = used.path.as_str();
        let trusted_context = [
            "github.",
            "vars.",
            "runner.",
            "matrix.",
            "strategy.",
            "job.",
        ]
        .iter()
        .any(|prefix| path.starts_with(prefix));
        if !trusted_context
            || untrusted_context(path).is_some()
            || path.starts_with("github.event.inputs")
        {
            return false;
        }
    }
    let masked = plimsoll_syntax::expr::mask(value);
    for name in shell_variables(&masked) {
        if RUNNER_VARIABLES.contains(&name) {
            continue;
        }
        let assignments = assignments_of(script, name);
        if assignments.is_empty()
            || !assignments
                .iter()
                .all(|assigned| is_trusted_value(script, assigned, depth + 1))
        {
            return false;
        }
    }
    true
}

/// The values `script` assigns to shell variable `name` (`name=value`, `export name=value`,
/// `local name=value`), each up to the end of its line.
fn assignments_of<'s>(script: &'s str, name: &str) -> Vec<&'s str> {
    script
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = ["export ", "local ", "readonly "]
                .iter()
                .find_map(|keyword| line.strip_prefix(keyword))
                .unwrap_or(line);
            line.strip_prefix(name)?.strip_prefix('=')
        })
        .collect()
}

/// Variables that run code or load libraries whatever their value: writing them is never safe.
const CODE_VARIABLES: &[&str] = &[
    "BASH_ENV",
    "ENV",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "NODE_OPTIONS",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "RUBYOPT",
    "JAVA_TOOL_OPTIONS",
    "PATH",
];

/// The value a line writes to `$GITHUB_ENV`: what follows the first `=` of what it prints
/// (`echo NAME="$value" >> "$GITHUB_ENV"`). None when the line is not a plain `echo` or
/// `printf` of one variable, or the variable runs code whatever its value. A `$GITHUB_PATH`
/// entry is never judged by its text: the directory it names may hold the pull request's
/// files.
fn written_value<'s>(line: &'s str, file: &str) -> Option<&'s str> {
    if file != "GITHUB_ENV" {
        return None;
    }
    let printed = line.split(">>").next()?.trim();
    let printed = printed
        .strip_prefix("echo ")
        .or_else(|| printed.strip_prefix("printf "))?
        .trim();
    let (name, value) = printed.split_once('=')?;
    let name = name.trim_matches(['"', '\'']).trim();
    (!CODE_VARIABLES.contains(&name)).then_some(value)
}

/// Byte ranges of `$GITHUB_ENV` / `${GITHUB_ENV}` / `$env:GITHUB_ENV` (and `GITHUB_PATH`) in
/// `script`, with the file named.
fn env_file_references(script: &str) -> Vec<(Span, &'static str)> {
    let mut found = Vec::new();
    for file in ["GITHUB_ENV", "GITHUB_PATH"] {
        let mut from = 0;
        while let Some(at) = script[from..].find(file) {
            let start = from + at;
            let end = start + file.len();
            from = end;
            let before = &script[..start];
            let referenced = before.ends_with('$')
                || before.ends_with("${")
                || before.to_ascii_lowercase().ends_with("$env:");
            // `$GITHUB_ENVIRONMENT` is another variable.
            let whole = !script[end..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if referenced && whole {
                found.push((Span::new(start, end), file));
            }
        }
    }
    found.sort_by_key(|(span, _)| span.start);
    found
}

impl Rule for PrivilegedEnvWrite {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(workflow) = scope.workflow else {
            return;
        };
        let Some(text) = scope.step.run().and_then(|run| run.as_str()) else {
            return;
        };
        if !text.contains("GITHUB_ENV") && !text.contains("GITHUB_PATH") {
            return;
        }
        let triggers = workflow.triggers();
        let Some(trigger) = triggers
            .iter()
            .find(|t| PRIVILEGED_TRIGGERS.contains(&t.event))
        else {
            return;
        };
        let Some(script) = scope.script() else {
            return;
        };
        for (span, file) in env_file_references(text) {
            // A line that writes only values the pull request cannot choose (the PR number
            // from the event, a constant, the runner's paths) is safe.
            let line_start = text[..span.start].rfind('\n').map_or(0, |n| n + 1);
            let line_end = text[span.end..]
                .find('\n')
                .map_or(text.len(), |n| span.end + n);
            if written_value(&text[line_start..line_end], file)
                .is_some_and(|value| is_trusted_value(text, value, 0))
            {
                continue;
            }
            out.report(
                &PrivilegedEnvWrite::META,
                script.source_span(cx.text(), span),
                format!(
                    "step `{}` writes `${file}` in a workflow that runs on `{}`: a line that comes from the pull request can set variables or `PATH` for the later steps, with this workflow's secrets",
                    scope.step.label(),
                    trigger.event
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_to_the_files() {
        let spans = |s: &str| {
            env_file_references(s)
                .into_iter()
                .map(|(span, file)| (span.start, file))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            spans("echo a=b >> \"$GITHUB_ENV\""),
            vec![(14, "GITHUB_ENV")]
        );
        assert_eq!(
            spans("echo dir >> ${GITHUB_PATH}"),
            vec![(14, "GITHUB_PATH")]
        );
        assert_eq!(
            spans("'a=b' | Out-File $env:GITHUB_ENV -Append"),
            vec![(22, "GITHUB_ENV")]
        );
        assert!(spans("echo $GITHUB_ENVIRONMENT GITHUB_ENV").is_empty());
    }

    #[test]
    fn judges_the_values_written() {
        let script = "pr_number=\"${{ github.event.number }}\"\n\
                      echo PR_NUMBER=\"$pr_number\" >> \"$GITHUB_ENV\"\n\
                      echo BRANCH_NAME=\"pr-$pr_number\" >> \"$GITHUB_ENV\"\n\
                      title=\"${{ github.event.pull_request.title }}\"\n";
        let trusted = |line: &str, file: &str| {
            written_value(line, file).is_some_and(|v| is_trusted_value(script, v, 0))
        };
        assert!(trusted(
            "echo PR_NUMBER=\"$pr_number\" >> \"$GITHUB_ENV\"",
            "GITHUB_ENV"
        ));
        assert!(trusted(
            "echo \"TOOLS=$RUNNER_TEMP/bin\" >> \"$GITHUB_ENV\"",
            "GITHUB_ENV"
        ));
        assert!(!trusted(
            "echo \"$RUNNER_TEMP/bin\" >> \"$GITHUB_PATH\"",
            "GITHUB_PATH"
        ));
        assert!(!trusted(
            "echo \"BASH_ENV=$RUNNER_TEMP/x\" >> \"$GITHUB_ENV\"",
            "GITHUB_ENV"
        ));
        assert!(!trusted(
            "echo \"T=$title\" >> \"$GITHUB_ENV\"",
            "GITHUB_ENV"
        ));
        assert!(!trusted(
            "echo \"N=$(cat pr/number)\" >> \"$GITHUB_ENV\"",
            "GITHUB_ENV"
        ));
        assert!(!trusted(
            "echo \"N=$UNSET\" >> \"$GITHUB_ENV\"",
            "GITHUB_ENV"
        ));
        assert!(!trusted("cat pr/env >> \"$GITHUB_ENV\"", "GITHUB_ENV"));
    }
}
