use plimsoll_actions::Uses;
use plimsoll_syntax::yaml::Node;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `uses:` that GitHub cannot resolve because of its form: a same-repository
    /// reference (`$/path`) or a local path (`./path`) with an `@ref`, or a repository
    /// reference without an owner or a repository name (`uses: checkout@v4`).
    ///
    /// ## Why is this bad?
    /// `$/path` and `./path` name the action at the commit that is running; they take no ref,
    /// and GitHub fails the workflow when one is written (`$/.github/actions/setup@v1` is read
    /// as a directory named `setup@v1`). A reference without `owner/` fails the same way. The
    /// workflow never gets to run the job.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: $/.github/actions/setup@v1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: $/.github/actions/setup
    /// ```
    pub struct InvalidUses {
        id: "GHA042",
        name: "invalid-uses",
        severity: Error,
        domain: GithubActions,
        summary: "A `uses:` that GitHub cannot resolve: a ref on `$/` or `./`, or no `owner/repo`",
        help: "drop the `@ref` from same-repository and local references; write `owner/repo@ref` for others",
    }
}

impl Rule for InvalidUses {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, node: &Node, out: &mut Sink) {
        let Some(value) = node.as_str() else {
            return;
        };
        // Expressions in `uses:` are reported by `invalid-expression`.
        if plimsoll_syntax::expr::contains_expression(value) {
            return;
        }
        let message = match Uses::parse(value) {
            Uses::SameRepository { path } | Uses::Local { path } => {
                let Some(at) = path.find('@') else {
                    return;
                };
                let written = path.get(at..).unwrap_or("");
                // `path` is a slice of `value` (trimmed by the parser): its offset in it.
                let offset = path.as_ptr() as usize - value.as_ptr() as usize + at;
                let span = node.locate(cx.text(), offset..offset + written.len());
                out.report(
                    &InvalidUses::META,
                    span,
                    format!(
                        "`{value}` names an action or workflow of this repository at the running commit: it takes no ref, and GitHub looks for a path ending in `{written}`"
                    ),
                );
                return;
            }
            Uses::Repository { owner, repo, .. } if owner.is_empty() || repo.is_empty() => {
                format!("`{value}` has no `owner/repo`: GitHub cannot find the action")
            }
            _ => return,
        };
        out.report(&InvalidUses::META, node.span, message);
    }
}
