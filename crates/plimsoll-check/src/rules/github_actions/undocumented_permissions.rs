use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::workflow_and_jobs;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags each scope of an explicit `permissions:` block (of the workflow or
    /// a job) granted without a comment saying why: neither a `#` comment after it on its line
    /// nor a comment line right above it. `contents: read` (what a checkout needs) and scopes
    /// set to `none` need none.
    ///
    /// ## Why is this bad?
    /// Permissions are only ever added: a scope nobody remembers the reason for is never
    /// removed, and the job's token keeps powers its steps stopped needing long ago. A
    /// comment lets a reviewer check the grant against what the job does.
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   contents: write
    ///   id-token: write
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// permissions:
    ///   contents: write # upload the release assets
    ///   id-token: write # sign them with Sigstore
    /// ```
    pub struct UndocumentedPermissions {
        id: "GHA061",
        name: "undocumented-permissions",
        severity: Note,
        domain: GithubActions,
        summary: "A `permissions:` scope granted without a comment saying why (strict)",
        help: "add a `# why` comment after the scope, or on the line above it",
        strict_only: true,
    }
}

/// Whether the line of byte `at` has a `#` comment after it, or the line above is a comment.
fn has_comment(text: &str, at: usize, value_end: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[value_end..]
        .find('\n')
        .map_or(text.len(), |i| value_end + i);
    if text[value_end..line_end].trim_start().starts_with('#') {
        return true;
    }
    let Some(previous_end) = line_start.checked_sub(1) else {
        return false;
    };
    let previous_start = text[..previous_end].rfind('\n').map_or(0, |i| i + 1);
    text[previous_start..previous_end]
        .trim_start()
        .starts_with('#')
}

fn check(
    cx: &Context<'_>,
    owner: &dyn std::fmt::Display,
    permissions: Option<&Node>,
    out: &mut Sink,
) {
    let Some(entries) = permissions.and_then(Node::as_mapping) else {
        return;
    };
    for entry in entries {
        let (Some(scope), Some(level)) = (entry.key.as_str(), entry.value.as_str()) else {
            continue;
        };
        // Reading the code is what every job with a checkout needs: nothing to explain.
        let baseline = scope == "contents" && level == "read";
        if baseline
            || level == "none"
            || has_comment(cx.text(), entry.key.span.start, entry.value.span.end)
        {
            continue;
        }
        out.report(
            &UndocumentedPermissions::META,
            entry.key.span,
            format!("{owner} grants `{scope}: {level}` without a comment saying why"),
        );
    }
}

impl Rule for UndocumentedPermissions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for (owner, node) in workflow_and_jobs(workflow) {
            check(cx, &owner, node.get("permissions"), out);
        }
    }
}
