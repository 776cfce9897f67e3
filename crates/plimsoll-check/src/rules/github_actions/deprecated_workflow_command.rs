use plimsoll_syntax::yaml::Locator;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
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
    }
}

/// The deprecated commands and how to replace each.
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
        for (range, index) in find_commands(script) {
            let owner = owner();
            let (name, help) = COMMANDS[index];
            let span = locator
                .get_or_insert_with(|| Locator::new(run, cx.text()))
                .locate(run, cx.text(), range);
            out.report(
                &Self::META,
                span,
                format!("{owner} uses the deprecated workflow command `{name}`"),
            )
            .help(help);
        }
    }
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
