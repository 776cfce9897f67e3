use plimsoll_actions::{Step, Workflow};
use plimsoll_syntax::shell;
use plimsoll_syntax::yaml::Node;

use super::common::{action_slug, is_quality_command, Owner, Script};

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags `continue-on-error: true` on a job or a step. A matrix-driven value such as
    /// `continue-on-error: ${{ matrix.experimental }}` is reported as a note: it is acceptable
    /// only for matrix entries deliberately marked experimental; so is one that passes on the
    /// caller's choice (`${{ inputs.continue-on-error }}`), which the caller's file shows, or
    /// on an earlier step's result (`${{ steps.restore.outputs.cache-hit == 'true' }}`: a
    /// fallback that step provides).
    ///
    /// The severity follows what a hidden failure costs. A step that runs tests, builds, lints
    /// or audits, and a whole job, are errors. A step whose failure loses no verdict is a note:
    /// one that runs after failures (`if: always()`, `failure()`, `cancelled()`: cleanup and
    /// reporting), uploads artifacts or coverage (`actions/upload-artifact`,
    /// `codecov/codecov-action`, …), downloads artifacts (`actions/download-artifact`: a step
    /// that needs them fails without them), saves or restores a cache, or only removes files,
    /// containers or processes (`rm`, `docker compose down`, `kill`). A step whose result a
    /// later step reads (`steps.<id>.outcome`, `.conclusion`: a negative test, a fallback) is
    /// not reported: its failure is handled, not hidden.
    ///
    /// ## Why is this bad?
    /// The job or step fails, the run shows green, and the failure is never seen again. It is
    /// the quietest way to lose CI coverage while "fixing" a red build.
    ///
    /// ## Example
    /// ```yaml
    /// - name: Test
    ///   run: cargo test --workspace
    ///   continue-on-error: true
    /// ```
    ///
    /// ## Use instead
    /// Fix or quarantine the failure explicitly (a tracked issue and a `#[ignore]` with a
    /// reason), and let the step fail the build:
    /// ```yaml
    /// - name: Test
    ///   run: cargo test --workspace
    /// ```
    pub struct ContinueOnError {
        id: "GHA001",
        name: "continue-on-error",
        severity: Error,
        domain: GithubActions,
        summary: "`continue-on-error: true` hides failures",
        help: "remove `continue-on-error` and fix the failure, or mark only experimental matrix entries",
    }
}

/// Actions whose failure loses no verdict: artifact, coverage and report uploads, and caches
/// (a cache that cannot be saved or restored only makes the next run slower).
const HARMLESS_ACTIONS: &[&str] = &[
    "actions/upload-artifact",
    "actions/upload-pages-artifact",
    "actions/cache",
    "actions/cache/save",
    "actions/cache/restore",
    "swatinem/rust-cache",
    "mozilla-actions/sccache-action",
    "codecov/codecov-action",
    "codecov/test-results-action",
    "coverallsapp/github-action",
    "github/codeql-action/upload-sarif",
];

/// Actions that only fetch artifacts of this or another run (`actions/download-artifact`
/// fails when the artifact is missing): a step that needs the files fails without them, so
/// tolerating the download's failure hides no verdict.
const DOWNLOAD_ACTIONS: &[&str] = &[
    "actions/download-artifact",
    "dawidd6/action-download-artifact",
];

/// Why a hidden failure of `step` costs little, when it does: it runs after failures, or it
/// only uploads, caches or cleans up. A step that runs a quality command never qualifies.
fn harmless_purpose(step: &Step<'_>, script: Option<&Script<'_>>) -> Option<&'static str> {
    let commands = script.map(|s| s.commands.as_slice()).unwrap_or_default();
    let argvs: Vec<Vec<String>> = commands
        .iter()
        .map(|c| c.argv().iter().map(|w| w.text.clone()).collect::<Vec<_>>())
        .filter(|argv| !argv.is_empty())
        .collect();
    if argvs.iter().any(|argv| is_quality_command(argv)) {
        return None;
    }
    let condition = step
        .entry("if")
        .and_then(|c| c.value.as_str())
        .unwrap_or("");
    if ["always()", "failure()", "cancelled()"]
        .iter()
        .any(|status| condition.contains(status))
    {
        return Some("it runs after failures (cleanup or reporting)");
    }
    if let Some(uses) = step.uses_node().and_then(Node::as_str) {
        let slug = action_slug(uses);
        if DOWNLOAD_ACTIONS.contains(&slug.as_str()) {
            return Some(
                "it only downloads artifacts: a later step that needs them fails on its own",
            );
        }
        return HARMLESS_ACTIONS
            .contains(&slug.as_str())
            .then_some("it only uploads results or saves a cache");
    }
    (!argvs.is_empty() && argvs.iter().all(|argv| is_cleanup_command(argv)))
        .then_some("it only cleans up")
}

/// Whether a later part of the step's job (or composite action) reads the step's result
/// (`steps.<id>.outcome` or `.conclusion`): the failure is then handled, not hidden, as in a
/// negative test or a fallback.
fn outcome_read_later(text: &str, scope: &StepScope<'_>) -> bool {
    let Some(id) = scope.step.id() else {
        return false;
    };
    let end = scope
        .job
        .map_or(text.len(), |job| job.node.span.end)
        .min(text.len());
    let Some(after) = text.get(scope.step.node.span.end.min(end)..end) else {
        return false;
    };
    [".outcome", ".conclusion"]
        .iter()
        .any(|field| after.contains(&format!("steps.{id}{field}")))
}

/// Whether `argv` only removes files, containers or processes.
fn is_cleanup_command(argv: &[String]) -> bool {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    match words.first().map(|p| shell::program_name(p)) {
        Some("rm" | "rmdir" | "kill" | "pkill" | "killall") => true,
        Some("docker" | "podman") => words
            .iter()
            .skip(1)
            .any(|w| matches!(*w, "down" | "rm" | "rmi" | "stop" | "kill" | "prune")),
        Some("docker-compose") => words
            .iter()
            .skip(1)
            .any(|w| matches!(*w, "down" | "rm" | "stop" | "kill")),
        _ => false,
    }
}

impl ContinueOnError {
    fn check(owner: &dyn std::fmt::Display, node: &Node, out: &mut Sink) {
        Self::check_with(owner, node, None, out);
    }

    fn check_with(
        owner: &dyn std::fmt::Display,
        node: &Node,
        harmless: Option<&str>,
        out: &mut Sink,
    ) {
        let Some(entry) = node.entry("continue-on-error") else {
            return;
        };
        let value = &entry.value;
        if value.as_bool() == Some(true) {
            match harmless {
                Some(purpose) => {
                    out.report(
                        &Self::META,
                        entry.key.span.cover(value.span),
                        format!("{owner} sets `continue-on-error: true`: its failures will not fail the run, which costs little as {purpose}"),
                    )
                    .severity(Severity::Note)
                    .help("remove `continue-on-error` if a failure here should be seen");
                }
                None => {
                    out.report(
                        &Self::META,
                        entry.key.span.cover(value.span),
                        format!(
                            "{owner} sets `continue-on-error: true`: its failures will not fail the run"
                        ),
                    );
                }
            }
        } else if let Some(text) = value
            .as_str()
            .filter(|t| plimsoll_syntax::expr::contains_expression(t))
        {
            let matrix_driven = text.contains("matrix.");
            // A reusable workflow or action passing its caller's choice on: the caller decides,
            // where this rule sees it.
            let caller_driven = text.contains("inputs.");
            // Continuing only when an earlier step says an alternative exists
            // (`steps.restore.outputs.cache-hit == 'true'`): a fallback, decided by that step.
            let fallback = !matrix_driven && !caller_driven && text.contains("steps.");
            let diagnostic = out.report(
                &Self::META,
                entry.key.span.cover(value.span),
                if matrix_driven {
                    format!("{owner} may continue on error for some matrix entries: make sure only experimental ones are marked")
                } else if caller_driven {
                    format!("{owner} continues on error when its caller asks (an `inputs` value): make sure callers do so only for experimental runs")
                } else if fallback {
                    format!("{owner} continues on error when an earlier step's result says so (a fallback): make sure the alternative it falls back on is checked")
                } else {
                    format!("{owner} decides `continue-on-error` from an expression: failures may be hidden")
                },
            );
            if matrix_driven || caller_driven || fallback {
                diagnostic.severity(Severity::Note);
            }
        }
    }
}

impl Rule for ContinueOnError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            Self::check(&Owner::Job(job.id), job.node, out);
        }
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        // Most steps never set the key: spare them the label, the argv copies and the search
        // of the rest of the job that only a step setting it needs.
        if scope.step.node.entry("continue-on-error").is_none() {
            return;
        }
        if outcome_read_later(cx.text(), scope) {
            return;
        }
        Self::check_with(
            &Owner::Step(scope.step),
            scope.step.node,
            harmless_purpose(&scope.step, scope.script()),
            out,
        );
    }
}
