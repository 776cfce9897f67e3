use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::workflow_and_jobs;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `permissions:` value GitHub does not accept, at workflow or job level: a scope
    /// set to anything but `read`, `write` or `none`; `id-token` set to `read` (it takes
    /// `write` or `none`); `models` set to `write` (it takes `read` or `none`); or a whole
    /// `permissions:` string other than `read-all` and `write-all`. Values are case-sensitive.
    /// (Unknown scope names are `unknown-key` findings.)
    ///
    /// ## Why is this bad?
    /// GitHub rejects the workflow when it loads it: none of its jobs run, and the error shows
    /// only in the Actions tab.
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   contents: READ
    ///   id-token: read
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// permissions:
    ///   contents: read
    ///   id-token: write
    /// ```
    pub struct InvalidPermission {
        id: "GHA054",
        name: "invalid-permission",
        severity: Error,
        domain: GithubActions,
        summary: "A `permissions:` value GitHub does not accept",
        help: "use `read`, `write` or `none` (`id-token`: `write` or `none`; `models`: `read` or `none`), or `read-all`/`write-all` for all scopes",
    }
}

/// The values scope `scope` accepts.
fn accepted(scope: &str) -> &'static [&'static str] {
    match scope {
        "id-token" => &["write", "none"],
        "models" => &["read", "none"],
        _ => &["read", "write", "none"],
    }
}

fn check(owner: &dyn std::fmt::Display, node: &Node, out: &mut Sink) {
    let Some(permissions) = node.get("permissions") else {
        return;
    };
    if let Some(value) = permissions.as_str() {
        if !plimsoll_syntax::expr::contains_expression(value)
            && !matches!(value, "read-all" | "write-all")
        {
            out.report(
                &InvalidPermission::META,
                permissions.span,
                format!("`permissions: {value}` of {owner} is not `read-all`, `write-all` or a mapping of scopes"),
            );
        }
        return;
    }
    for entry in permissions.as_mapping().unwrap_or_default() {
        let (Some(scope), Some(value)) = (entry.key.as_str(), entry.value.as_str()) else {
            continue;
        };
        let allowed = accepted(scope);
        if plimsoll_syntax::expr::contains_expression(value) || allowed.contains(&value) {
            continue;
        }
        let list: Vec<String> = allowed.iter().map(|v| format!("`{v}`")).collect();
        out.report(
            &InvalidPermission::META,
            entry.value.span,
            format!(
                "`{scope}: {value}` in {owner}: `{scope}` takes {}",
                list.join(", ")
            ),
        );
    }
}

impl Rule for InvalidPermission {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for (owner, node) in workflow_and_jobs(workflow) {
            check(&owner, node, out);
        }
    }
}
