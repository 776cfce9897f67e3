use plimsoll_actions::advisories::Version;
use plimsoll_actions::Uses;
use plimsoll_syntax::yaml::Node;
use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `uses:` whose version tag and trailing comment name different versions:
    /// `actions/checkout@v4.1.0 # v4.2.2`. A commit SHA with a version comment cannot be
    /// checked offline (nothing maps the SHA to a release without asking GitHub), so only tag
    /// refs are compared.
    ///
    /// ## Why is this bad?
    /// Reviewers and update tools read the comment: the workflow runs another release than the
    /// one everybody believes it runs, often an older one with the bug or advisory the update
    /// was meant to fix.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@v4.1.0 # v4.2.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: actions/checkout@v4.2.2 # v4.2.2
    /// ```
    pub struct RefVersionMismatch {
        id: "GHA049",
        name: "ref-version-mismatch",
        severity: Warning,
        domain: GithubActions,
        summary: "A `uses:` version tag and its comment name different versions",
        help: "make the ref and the comment name the same release",
    }
}

/// The version the comment after `uses:` names, with its bytes in `rest` (the line after the
/// value): the first word after `#` that reads as a version (`v4.2.2`, `tag=v4.2.2`).
fn comment_version(rest: &str) -> Option<(Version, std::ops::Range<usize>)> {
    let hash = rest.find('#')?;
    let comment = &rest[hash + 1..];
    let mut offset = hash + 1;
    for word in comment.split(' ') {
        let start = offset;
        offset += word.len() + 1;
        let bare = word
            .trim_start_matches("tag=")
            .trim_start_matches("pin@")
            .trim_end_matches([',', ')']);
        if let Some(version) = Version::parse(bare) {
            let skipped = word.len()
                - word
                    .trim_start_matches("tag=")
                    .trim_start_matches("pin@")
                    .len();
            return Some((version, start + skipped..start + skipped + bare.len()));
        }
    }
    None
}

impl Rule for RefVersionMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, node: &Node, out: &mut Sink) {
        let Some(Uses::Repository {
            git_ref: Some(git_ref),
            ..
        }) = node.as_str().map(Uses::parse)
        else {
            return;
        };
        let Some(version) = Version::parse(git_ref) else {
            return;
        };
        let text = cx.text();
        let end = node.span.end.min(text.len());
        let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n);
        let rest = &text[end..line_end];
        let Some((commented, range)) = comment_version(rest) else {
            return;
        };
        if version.agrees_with(&commented) {
            return;
        }
        out.report(
            &RefVersionMismatch::META,
            Span::new(end + range.start, end + range.end),
            format!("the comment says {commented}, but the ref `{git_ref}` names another release ({version})"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_in_the_comment() {
        let (version, range) = comment_version(" # v4.2.2").unwrap();
        assert_eq!(version.to_string(), "4.2.2");
        assert_eq!(range, 3..9);
        let (version, range) = comment_version("  # tag=v1.0").unwrap();
        assert_eq!(version.to_string(), "1.0");
        assert_eq!(range, 8..12);
        assert!(comment_version(" # pinned for now").is_none());
        assert!(comment_version("").is_none());
    }
}
