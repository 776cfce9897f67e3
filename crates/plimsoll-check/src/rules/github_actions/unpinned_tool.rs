use std::sync::OnceLock;

use plimsoll_syntax::yaml::Node;

use super::common::step_owner;

use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a setup action told to install whatever release of its tool is newest: the
    /// version input set to `latest` (or `*`, `x`, `current`, `node`, `stable`, `oldstable`,
    /// `lts/*`), or left out where the action documents `latest` as the default
    /// (`hashicorp/setup-terraform` without `terraform_version` or `terraform_version_file`,
    /// `aquasecurity/setup-trivy` without `version`). The actions and their version inputs are kept as data
    /// (`data/tool-version-inputs.txt`); a version given by an expression is left alone. A
    /// language toolchain (`actions/setup-go`, `setup-node`, `setup-deno`, `setup-bun`) following
    /// a moving version is a note, the severity STANDARDS.md gives an unpinned toolchain: its
    /// aliases name the language's supported releases (`go-version: stable` and `oldstable` are
    /// the two Go releases the Go team supports), which a project tests against on purpose,
    /// under the language's compatibility promise.
    ///
    /// ## Why is this bad?
    /// The tool changes under the workflow with no change in the repository: a new release
    /// breaks the build on a day nothing was merged, a rerun of an old commit no longer does
    /// what it did, and a compromised release reaches the job (with its token and secrets) as
    /// soon as it is published. A pinned version moves only through a reviewed change.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd # v3.1.2
    /// - uses: azure/setup-helm@b9e51907a09c216f16ebe8536097933489208112 # v4.3.0
    ///   with:
    ///     version: latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd # v3.1.2
    ///   with:
    ///     terraform_version: 1.9.8
    /// - uses: azure/setup-helm@b9e51907a09c216f16ebe8536097933489208112 # v4.3.0
    ///   with:
    ///     version: v3.16.2
    /// ```
    pub struct UnpinnedTool {
        id: "GHA067",
        name: "unpinned-tool",
        severity: Warning,
        domain: GithubActions,
        summary: "A setup action installs the newest release of its tool, whatever it is",
        help: "set the action's version input to an exact release of the tool",
    }
}

/// Version values that float to a newer release as one is published.
const FLOATING: &[&str] = &[
    "latest",
    "*",
    "x",
    "current",
    "node",
    "stable",
    "oldstable",
    "lts/*",
];

/// Setup actions that install a language toolchain rather than a tool: an unpinned toolchain
/// is a note by STANDARDS.md (§1, "Toolchain not pinned anywhere").
const TOOLCHAIN_ACTIONS: &[&str] = &[
    "actions/setup-go",
    "actions/setup-node",
    "denoland/setup-deno",
    "oven-sh/setup-bun",
];

/// A setup action's version input, and whether leaving it out installs the newest release.
struct ToolInput {
    action: &'static str,
    input: &'static str,
    latest_when_omitted: bool,
    /// Inputs that choose the version another way (a version file).
    other_inputs: Vec<&'static str>,
}

fn tool_inputs() -> &'static [ToolInput] {
    static TABLE: OnceLock<Vec<ToolInput>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("../../../data/tool-version-inputs.txt")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let mut fields = line.split_whitespace();
                Some(ToolInput {
                    action: fields.next()?,
                    input: fields.next()?,
                    latest_when_omitted: fields.next()? == "latest",
                    other_inputs: fields.next().map_or(Vec::new(), |o| o.split(',').collect()),
                })
            })
            .collect()
    })
}

impl Rule for UnpinnedTool {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, _cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(uses) = scope.step.uses_node() else {
            return;
        };
        // Compared in place: most steps use other actions, and need no parsed copy.
        let Some(slug) = uses.as_str().and_then(|u| u.split('@').next()) else {
            return;
        };
        let Some(tool) = tool_inputs()
            .iter()
            .find(|t| t.action.eq_ignore_ascii_case(slug))
        else {
            return;
        };
        let owner = step_owner(&scope.step);
        match scope.step.with(tool.input) {
            None if tool.latest_when_omitted
                && !tool
                    .other_inputs
                    .iter()
                    .any(|input| scope.step.with(input).is_some()) =>
            {
                out.report(
                    &UnpinnedTool::META,
                    uses.span,
                    format!(
                        "{owner} installs the newest release of its tool: `{}` is not set, and `{}` then defaults to `latest`",
                        tool.input, tool.action
                    ),
                );
            }
            Some(value) => {
                let Some(text) = value.as_str() else {
                    return;
                };
                let written = text.trim();
                if FLOATING.iter().any(|f| f.eq_ignore_ascii_case(written)) {
                    let toolchain = TOOLCHAIN_ACTIONS
                        .iter()
                        .any(|action| action.eq_ignore_ascii_case(tool.action));
                    report_floating(out, value, &owner, tool.input, written, toolchain);
                }
            }
            None => {}
        }
    }
}

fn report_floating(
    out: &mut Sink,
    value: &Node,
    owner: &dyn std::fmt::Display,
    input: &str,
    written: &str,
    toolchain: bool,
) {
    if toolchain {
        out.report(
            &UnpinnedTool::META,
            value.span,
            format!(
                "{owner} installs the newest release of the language toolchain: `{input}: {written}` follows each new release, which suits testing against supported releases but not a build that must be reproducible"
            ),
        )
        .help("for a reproducible build, set an exact release or read it from the project (`go-version-file: go.mod`, `node-version-file: .nvmrc`)")
        .severity(Severity::Note);
        return;
    }
    out.report(
        &UnpinnedTool::META,
        value.span,
        format!(
            "{owner} installs the newest release of its tool: `{input}: {written}` follows each new release"
        ),
    );
}
