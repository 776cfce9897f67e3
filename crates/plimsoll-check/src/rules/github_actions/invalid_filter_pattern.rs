use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::{Node, ScalarStyle};
use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `branches`, `branches-ignore`, `tags`, `tags-ignore`, `paths` and `paths-ignore`
    /// filters of `on:` whose patterns GitHub's filter pattern syntax cannot match as meant: an
    /// unclosed `[`, a reversed range (`[9-0]`), a `+` or `?` after `*`, a lone `!`, a trailing
    /// `\`; in branch and tag names, characters a git ref cannot hold (space, `~`, `^`, `:`),
    /// regular-expression syntax (`^v\d+$`), a leading or trailing `/`; in paths, leading or
    /// trailing spaces and `.` or `..` components (`./src/**`).
    ///
    /// ## Why is this bad?
    /// Filters are globs, not regular expressions, and they match paths as GitHub lists them
    /// (relative, without `./`). A pattern that cannot match anything does not fail: the workflow
    /// silently stops running on the pushes, tags or changes it was meant for, and a release or
    /// a required check is skipped without a word.
    ///
    /// ## Example
    /// ```yaml
    /// on:
    ///   push:
    ///     tags: ['^v\d+\.\d+$']
    ///     paths: ['./src/**']
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// on:
    ///   push:
    ///     tags: ['v[0-9]+.[0-9]+']
    ///     paths: ['src/**']
    /// ```
    pub struct InvalidFilterPattern {
        id: "GHA055",
        name: "invalid-filter-pattern",
        severity: Error,
        domain: GithubActions,
        summary: "A branch, tag or path filter that GitHub's glob syntax cannot match as written",
        help: "write the filter as a glob (`*`, `**`, `?`, `+`, `[a-z]`, `!`), without regular expressions or `./`",
    }
}

/// The events whose configuration takes ref and path filters (workflow syntax, `on.<event>`).
const FILTERED_EVENTS: &[&str] = &[
    "push",
    "pull_request",
    "pull_request_target",
    "workflow_run",
    "merge_group",
];

#[derive(Clone, Copy, PartialEq)]
enum Filter {
    /// Branch and tag names: git refs (`git check-ref-format`).
    Ref,
    /// File paths, relative to the repository root.
    Path,
    /// Other names: custom image names and versions (`image_version`, a job's `snapshot`).
    Name,
}

/// A fault in a pattern: the bytes of the value it is about, and what is wrong.
struct Fault {
    range: std::ops::Range<usize>,
    message: String,
}

fn fault(range: std::ops::Range<usize>, message: impl Into<String>) -> Option<Fault> {
    Some(Fault {
        range,
        message: message.into(),
    })
}

/// The first glob fault of `pattern` (GitHub's filter pattern cheat sheet: `*`, `**`, `?`, `+`,
/// `[...]` with ranges, `!` to negate, `\` to escape).
fn glob_fault(pattern: &str) -> Option<Fault> {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    if bytes.first() == Some(&b'!') {
        if bytes.len() == 1 {
            return fault(
                0..1,
                "`!` negates the pattern that follows it, and none does",
            );
        }
        i = 1;
    }
    // Whether the previous token can be repeated by `?` or `+`.
    let mut repeatable = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                if i + 1 >= bytes.len() {
                    return fault(
                        i..i + 1,
                        "the pattern ends with `\\`, which escapes nothing",
                    );
                }
                i += 2;
                repeatable = true;
                continue;
            }
            b'*' => repeatable = false,
            b'?' | b'+' => {
                // At the start there is nothing to repeat; what GitHub then matches is not
                // documented (timescaledb's `?.*.x` branch filters), so only a repeat of a
                // wildcard or of a repeat is a fault.
                let starts = i == 0 || (i == 1 && bytes[0] == b'!');
                if !repeatable && !starts {
                    return fault(
                        i..i + 1,
                        format!(
                            "`{}` repeats the character before it, and `{}` cannot be repeated",
                            bytes[i] as char,
                            bytes[i - 1] as char
                        ),
                    );
                }
                repeatable = false;
            }
            b'[' => {
                let Some(close) = pattern[i + 1..].find(']').map(|at| i + 1 + at) else {
                    return fault(i..pattern.len(), "`[` is never closed by `]`");
                };
                let class = &bytes[i + 1..close];
                if class.is_empty() {
                    return fault(i..close + 1, "`[]` matches no character");
                }
                let mut k = 0;
                while k < class.len() {
                    if k + 2 < class.len() && class[k + 1] == b'-' {
                        let (low, high) = (class[k], class[k + 2]);
                        if low > high {
                            let at = i + 1 + k;
                            return fault(
                                at..at + 3,
                                format!(
                                    "the range `{}-{}` runs backwards and matches nothing",
                                    low as char, high as char
                                ),
                            );
                        }
                        k += 3;
                    } else {
                        k += 1;
                    }
                }
                i = close + 1;
                repeatable = true;
                continue;
            }
            _ => repeatable = true,
        }
        i += 1;
    }
    None
}

/// The first fault of a branch or tag pattern as a git ref name.
fn ref_fault(pattern: &str) -> Option<Fault> {
    let body_start = usize::from(pattern.starts_with('!'));
    let body = &pattern[body_start..];
    let looks_like_regex = body.starts_with('^')
        || body.ends_with('$')
        || body.contains("\\d")
        || body.contains("\\w")
        || (body.len() > 1 && body.starts_with('/') && body.ends_with('/'));
    if looks_like_regex {
        return fault(
            0..pattern.len(),
            format!("`{pattern}` is written as a regular expression, but branch and tag filters are globs"),
        );
    }
    let bytes = pattern.as_bytes();
    for (i, &b) in bytes.iter().enumerate().skip(body_start) {
        let bad = match b {
            b' ' | b'\t' => Some("a space"),
            b'~' => Some("`~`"),
            b'^' => Some("`^`"),
            b':' => Some("`:`"),
            _ if b.is_ascii_control() => Some("a control character"),
            _ => None,
        };
        if let Some(what) = bad {
            return fault(
                i..i + 1,
                format!("a branch or tag name cannot hold {what}, so `{pattern}` matches nothing"),
            );
        }
        // Only the glob's special characters are escaped in a ref pattern.
        if b == b'\\'
            && !matches!(
                bytes.get(i + 1),
                Some(b'[' | b'?' | b'+' | b'*' | b'\\' | b'!')
            )
        {
            return fault(
                i..i + 1,
                "`\\` escapes only `[`, `?`, `+`, `*`, `\\` and `!` in a branch or tag filter, and a ref cannot hold `\\`",
            );
        }
    }
    if body.starts_with('/') {
        return fault(
            body_start..body_start + 1,
            format!("a branch or tag name cannot start with `/`, so `{pattern}` matches nothing"),
        );
    }
    if body.ends_with('/') || body.ends_with('.') {
        let at = pattern.len() - 1;
        return fault(
            at..at + 1,
            format!(
                "a branch or tag name cannot end with `/` or `.`, so `{pattern}` matches nothing"
            ),
        );
    }
    None
}

/// The first fault of a path pattern as a repository path.
fn path_fault(pattern: &str) -> Option<Fault> {
    if pattern.trim() != pattern {
        return fault(
            0..pattern.len(),
            format!(
                "`{}` starts or ends with white space, which no changed path does",
                pattern.escape_debug()
            ),
        );
    }
    let body_start = usize::from(pattern.starts_with('!'));
    let mut offset = body_start;
    for component in pattern[body_start..].split('/') {
        if component == "." || component == ".." {
            return fault(
                offset..offset + component.len(),
                format!("changed paths are listed from the repository root without `.` or `..`, so `{pattern}` matches nothing"),
            );
        }
        offset += component.len() + 1;
    }
    None
}

fn check_filter(
    cx: &Context<'_>,
    owner: &dyn std::fmt::Display,
    key: &str,
    filter: Filter,
    value: &Node,
    out: &mut Sink,
) {
    let items: Vec<&Node> = match value.as_sequence() {
        Some(items) => items.iter().collect(),
        None => vec![value],
    };
    for item in items {
        let Some(pattern) = item.as_str() else {
            continue;
        };
        // An empty item and an expression are other rules' (unknown-key, invalid-expression).
        if pattern.is_empty() || pattern.contains("${{") {
            continue;
        }
        let found = match filter {
            Filter::Path => path_fault(pattern).or_else(|| glob_fault(pattern)),
            Filter::Ref => ref_fault(pattern).or_else(|| glob_fault(pattern)),
            Filter::Name => glob_fault(pattern),
        };
        if let Some(found) = found {
            // A fault of the whole pattern points at the whole item; a block scalar's at its
            // `|` or `>`, which is what keeps the trailing line break.
            let span = if found.range == (0..pattern.len()) {
                block_indicator(cx.text(), item).unwrap_or(item.span)
            } else {
                item.locate(cx.text(), found.range)
            };
            out.report(
                &InvalidFilterPattern::META,
                span,
                format!("`{key}` of {owner}: {}", found.message),
            );
        }
    }
}

/// The span of a block scalar's header (`|`, `>-`, `|+2`), just before its content.
fn block_indicator(text: &str, item: &Node) -> Option<Span> {
    if !matches!(
        item.scalar_style(),
        Some(ScalarStyle::Literal | ScalarStyle::Folded)
    ) {
        return None;
    }
    let before = text.get(..item.span.start)?.trim_end();
    let start = before
        .rfind(|c: char| c.is_whitespace() || c == ':')
        .map_or(0, |at| at + 1);
    before[start..]
        .starts_with(['|', '>'])
        .then(|| Span::new(start, before.len()))
}

impl Rule for InvalidFilterPattern {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for trigger in workflow.triggers() {
            let Some(config) = trigger.config.and_then(Node::as_mapping) else {
                continue;
            };
            for entry in config {
                let Some(key) = entry.key.as_str() else {
                    continue;
                };
                let filter = match key {
                    _ if trigger.event == "image_version" => match key {
                        "names" | "versions" => Filter::Name,
                        _ => continue,
                    },
                    _ if !FILTERED_EVENTS.contains(&trigger.event) => continue,
                    "branches" | "branches-ignore" | "tags" | "tags-ignore" => Filter::Ref,
                    "paths" | "paths-ignore" => Filter::Path,
                    _ => continue,
                };
                // Written out only for a finding: most filters have none.
                check_filter(
                    cx,
                    &format_args!("`{}`", trigger.event),
                    key,
                    filter,
                    &entry.value,
                    out,
                );
            }
        }
        // A job's `snapshot.version` picks a custom image version with the same wildcards.
        for job in workflow.jobs() {
            if let Some(version) = job.node.get("snapshot").and_then(|s| s.get("version")) {
                check_filter(
                    cx,
                    &format_args!("`snapshot` of job `{}`", job.id),
                    "version",
                    Filter::Name,
                    version,
                    out,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str) -> Option<String> {
        glob_fault(p).map(|f| f.message)
    }

    #[test]
    fn documented_globs_are_accepted() {
        for pattern in [
            "main",
            "releases/**",
            "feature/*",
            "v[0-9]+.[0-9]+.[0-9]+",
            "!docs/**",
            "*.js",
            "**/*.md",
            "v2*",
            "v[12].[0-9]+.[0-9]+",
            "[a-zA-Z]*",
            "\\*literal",
            "v1.?",
        ] {
            assert_eq!(glob(pattern), None, "{pattern}");
            assert!(ref_fault(pattern).is_none(), "{pattern}");
        }
    }

    #[test]
    fn broken_globs_are_faults() {
        for pattern in ["v[0-", "v[9-0]", "v*+", "v?+", "!", "x\\", "[]"] {
            assert!(glob(pattern).is_some(), "{pattern}");
        }
    }

    #[test]
    fn refs_and_paths() {
        assert!(ref_fault("^foo-").is_some());
        assert!(ref_fault("/v\\d+/").is_some());
        assert!(ref_fault("release candidate").is_some());
        assert!(ref_fault("releases/").is_some());
        assert!(ref_fault("release/v1.*").is_none());
        assert!(ref_fault("releases/**").is_none());
        assert!(path_fault("./foo/bar.txt").is_some());
        assert!(path_fault(" foo").is_some());
        assert!(path_fault("src/../x").is_some());
        assert!(path_fault("src/**/*.rs").is_none());
        assert!(path_fault(".github/workflows/*.yml").is_none());
    }
}
