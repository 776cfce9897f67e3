use std::sync::OnceLock;

use plimsoll_actions::{ref_kind, ref_span, RefKind, Uses};
use plimsoll_syntax::yaml::Node;

use super::common::data_lines;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags steps that use an archived or deprecated action (`actions-rs/*`,
    /// `actions/create-release`, `actions/upload-release-asset`, `actions/setup-ruby` …), or an
    /// old major version of a widely used action whose runtime GitHub has retired
    /// (`actions/checkout` below v4, `actions/upload-artifact` below v4, `actions/setup-python`
    /// below v5 …). Only version tags are judged; a commit SHA is judged by the version written
    /// in a trailing comment on the same line (`@8f4b7f8… # v3.1.0`).
    ///
    /// ## Why is this bad?
    /// Archived actions get no security fixes and break silently when the platform moves on.
    /// Old major versions run on Node.js runtimes GitHub no longer ships (or talk to services it
    /// has shut down, like the v3 artifact backend): the run prints deprecation warnings today
    /// and fails outright when the runtime is removed.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - uses: actions/checkout@v3
    ///   - uses: actions-rs/toolchain@v1
    ///     with:
    ///       toolchain: stable
    /// ```
    ///
    /// ## Fix
    /// Moves an outdated major version tag to its successor where
    /// `crates/plimsoll-check/data/action-successors.txt` names one, with the action's changelog
    /// or deprecation notice as its source: safe when that source says only the runtime changed
    /// (`actions/checkout@v3` → `@v4`, `actions/setup-node@v3` → `@v4`, `actions/cache@v3` →
    /// `@v4`), unsafe otherwise (`actions/upload-artifact@v3` → `@v4`: v4 artifacts are
    /// immutable and v3's download cannot read them, so upload and download move together).
    /// No fix for a commit SHA (its successor's commit must be chosen and resolved).
    /// `actions-rs/toolchain` becomes `dtolnay/rust-toolchain` (unsafe: another action, and
    /// `rustup default` yields to a `rust-toolchain.toml` where actions-rs's `override` did
    /// not) when its inputs map: a channel `toolchain` becomes the ref (`@stable`), another one
    /// stays an input of `@master`, `target` is renamed `targets`, `components` is kept, and
    /// `profile: minimal`, `override: true`, `default: true` are dropped, since the successor
    /// does that anyway. A step without `toolchain`, or with another input, gets no fix and
    /// its help says why; so do the other archived actions, whose replacements are other
    /// kinds of steps (`actions-rs/cargo` becomes a `run: cargo …` script).
    ///
    /// ## Use instead
    /// ```yaml
    /// steps:
    ///   - uses: actions/checkout@v4
    ///   - uses: dtolnay/rust-toolchain@stable
    /// ```
    pub struct DeprecatedAction {
        id: "GHA024",
        name: "deprecated-action",
        severity: Warning,
        domain: GithubActions,
        summary: "An archived action, or an outdated major version of a popular action, is used",
        help: "move to the maintained replacement or to a current major version of the action",
        fix: Sometimes,
    }
}

/// Archived or deprecated actions, by `owner/repo` (or `owner/` for a whole owner), lowercase,
/// with their replacement.
const ARCHIVED: &[(&str, &str)] = &[
    (
        "actions-rs/",
        "use `dtolnay/rust-toolchain` and plain `cargo` commands",
    ),
    (
        "actions/create-release",
        "use `gh release create` or `softprops/action-gh-release`",
    ),
    (
        "actions/upload-release-asset",
        "use `gh release upload` or `softprops/action-gh-release`",
    ),
    ("actions/setup-ruby", "use `ruby/setup-ruby`"),
    ("actions/setup-elixir", "use `erlef/setup-beam`"),
    ("actions/setup-haskell", "use `haskell-actions/setup`"),
];

/// Popular actions and the first major version that runs on a supported runtime (older ones
/// run on Node.js 12 or 16, or use the retired v3 artifact and cache services).
const OUTDATED: &[(&str, u64)] = &[
    ("actions/checkout", 4),
    ("actions/cache", 4),
    ("actions/upload-artifact", 4),
    ("actions/download-artifact", 4),
    ("actions/setup-node", 4),
    ("actions/setup-python", 5),
    ("actions/setup-go", 5),
    ("actions/setup-java", 4),
    ("actions/setup-dotnet", 4),
    ("actions/github-script", 7),
    ("actions/stale", 9),
    ("actions/labeler", 5),
    ("actions/configure-pages", 4),
    ("actions/deploy-pages", 3),
    ("docker/build-push-action", 5),
    ("docker/login-action", 3),
    ("docker/metadata-action", 5),
    ("docker/setup-buildx-action", 3),
    ("docker/setup-qemu-action", 3),
    ("github/codeql-action", 3),
    ("codecov/codecov-action", 4),
    ("golangci/golangci-lint-action", 4),
    ("swatinem/rust-cache", 2),
    ("softprops/action-gh-release", 2),
    ("peter-evans/create-pull-request", 6),
    ("aws-actions/configure-aws-credentials", 4),
    ("goreleaser/goreleaser-action", 5),
];

/// The major version that replaces outdated ones of an action, from
/// `data/action-successors.txt`.
#[derive(Debug)]
struct Successor {
    /// `owner/repo`.
    action: &'static str,
    /// The majors it replaces, comma-separated.
    old_majors: &'static str,
    /// The tag written instead (`v4`).
    new_ref: &'static str,
    /// Whether the move keeps what the step does.
    applicability: Applicability,
    /// Why, in a few words.
    reason: &'static str,
}

/// The successor of major version `major` of `owner/repo`, if the data names one.
fn successor(owner: &str, repo: &str, major: u64) -> Option<&'static Successor> {
    static TABLE: OnceLock<Vec<Successor>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        data_lines(include_str!("../../../data/action-successors.txt"))
            .filter_map(|line| {
                let mut fields = line.splitn(6, ' ');
                let action = fields.next()?;
                let old_majors = fields.next()?;
                let new_ref = fields.next()?;
                let applicability = match fields.next()? {
                    "safe" => Applicability::Safe,
                    "unsafe" => Applicability::Unsafe,
                    _ => return None,
                };
                let _source = fields.next()?;
                let reason = fields.next()?.trim();
                Some(Successor {
                    action,
                    old_majors,
                    new_ref,
                    applicability,
                    reason,
                })
            })
            .collect()
    });
    table.iter().find(|entry| {
        names(owner, repo, entry.action)
            && entry
                .old_majors
                .split(',')
                .any(|old| old.parse() == Ok(major))
    })
}

/// The fix that moves the `uses:` value `node`, at version tag `git_ref`, to the successor's
/// tag.
fn bump_fix(text: &str, node: &Node, git_ref: &str, successor: &Successor) -> Option<Fix> {
    let span = ref_span(node, text);
    if text.get(span.start..span.end) != Some(git_ref) {
        return None;
    }
    Some(Fix::new(
        successor.applicability,
        format!(
            "move `{}@{git_ref}` to `@{}`: {}",
            successor.action, successor.new_ref, successor.reason
        ),
        vec![Edit::replace(span, successor.new_ref)],
    ))
}

/// Toolchains `dtolnay/rust-toolchain` has a branch for, named by its ref alone.
const RUST_CHANNELS: &[&str] = &["stable", "beta", "nightly"];

/// The fix that replaces an `actions-rs/toolchain` step, whose `uses:` value is `uses`, by
/// `dtolnay/rust-toolchain`, when its inputs map onto the successor's: `toolchain` (a channel
/// becomes the ref, `@stable`; another toolchain stays an input of `@master`), `components`,
/// `target` (renamed `targets`), and `profile: minimal`, `override: true`, `default: true`,
/// which the successor always does in effect (it installs the minimal profile and makes the
/// toolchain the default) and which are dropped. Unsafe: another action runs, and
/// `rustup default` yields to a `rust-toolchain.toml` where `rustup override` did not. Else
/// why not.
fn rust_toolchain_fix(text: &str, step: &Node, uses: &Node) -> Result<Fix, &'static str> {
    const NO_TOOLCHAIN: &str = "it has no `toolchain` input, which `dtolnay/rust-toolchain` requires (actions-rs read `rust-toolchain.toml`)";
    let Some(with) = step.get("with") else {
        return Err(NO_TOOLCHAIN);
    };
    let entries = with.as_mapping().ok_or("its `with:` is not a mapping")?;
    let mut toolchain = None;
    let mut edits = Vec::new();
    let mut dropped = 0;
    for entry in entries {
        let value = entry.value.as_str().map(str::trim);
        let line = || {
            crate::fix::whole_lines(text, entry.key.span.cover(entry.value.span))
                .ok_or("its `with:` is not one input per line")
        };
        match (entry.key.as_str(), value) {
            (Some("toolchain"), Some(name)) if !name.is_empty() => {
                toolchain = Some((name, entry));
            }
            (Some("profile"), Some("minimal"))
            | (Some("override"), Some("true"))
            | (Some("default"), Some("true")) => {
                edits.push(Edit::delete(line()?));
                dropped += 1;
            }
            (Some("override") | Some("default"), _) => {
                return Err(
                    "`override` or `default` is not `true`, which the successor cannot leave out",
                );
            }
            (Some("components"), Some(_)) => {}
            (Some("target"), Some(_)) => edits.push(Edit::replace(entry.key.span, "targets")),
            _ => return Err("it has an input `dtolnay/rust-toolchain` has no counterpart for"),
        }
    }
    let (name, entry) = toolchain.ok_or(NO_TOOLCHAIN)?;
    if plimsoll_syntax::expr::contains_expression(name) {
        return Err("its toolchain is an expression, which cannot become a ref");
    }
    let git_ref = if RUST_CHANNELS.contains(&name) {
        let line = crate::fix::whole_lines(text, entry.key.span.cover(entry.value.span))
            .ok_or("its `with:` is not one input per line")?;
        edits.push(Edit::delete(line));
        dropped += 1;
        name
    } else {
        "master"
    };
    if dropped == entries.len() {
        // Nothing is left under `with:`: the key goes with its entries.
        let key = step
            .as_mapping()
            .and_then(|entries| entries.iter().find(|e| e.key.as_str() == Some("with")))
            .ok_or("its `with:` cannot be found")?;
        let all = crate::fix::whole_lines(text, key.key.span.cover(key.value.span))
            .ok_or("its `with:` is not one input per line")?;
        edits = vec![Edit::delete(all)];
    }
    let value = uses.as_str().unwrap_or_default();
    edits.push(Edit::replace(
        uses.locate(text, 0..value.len()),
        format!("dtolnay/rust-toolchain@{git_ref}"),
    ));
    Ok(Fix::unsafe_edits(
        format!("use `dtolnay/rust-toolchain@{git_ref}`"),
        edits,
    ))
}

/// The major version of a version tag (`v3`, `v3.1.0`, `3-node20`).
fn major_of(version: &str) -> Option<u64> {
    let version = version.trim();
    let version = version
        .strip_prefix('v')
        .or_else(|| version.strip_prefix('V'))
        .unwrap_or(version);
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || ref_kind(version) != RefKind::VersionTag {
        return None;
    }
    digits.parse().ok()
}

/// The major version a trailing comment on the `uses:` line names (`# v3.1.0`, `# tag=v3`).
fn commented_version(source: &str, node: &Node) -> Option<u64> {
    let rest = source.get(node.span.end..)?;
    let line = rest.lines().next().unwrap_or("");
    let comment = line.trim_start().strip_prefix('#')?;
    comment
        .split(|c: char| c.is_whitespace() || matches!(c, '=' | '@' | ',' | '(' | ')'))
        .find_map(|word| {
            let bare = word.strip_prefix(['v', 'V']).unwrap_or(word);
            let versioned = bare.len() < word.len() || bare.contains('.');
            if versioned {
                major_of(bare)
            } else {
                None
            }
        })
}

/// Whether `name` of [`ARCHIVED`] or [`OUTDATED`] (`owner/repo`, or `owner/` for every
/// repository of an owner) names the action `owner/repo`, in any ASCII case. Compared in place:
/// most steps name no such action, and spelling out each step's slug cost more than the lookup.
fn names(owner: &str, repo: &str, name: &str) -> bool {
    let Some((name_owner, rest)) = name.as_bytes().split_at_checked(owner.len()) else {
        return false;
    };
    name_owner.eq_ignore_ascii_case(owner.as_bytes())
        && match rest {
            [b'/'] => true,
            [b'/', name_repo @ ..] => name_repo.eq_ignore_ascii_case(repo.as_bytes()),
            _ => false,
        }
}

impl Rule for DeprecatedAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(node) = scope.step.uses_node() else {
            return;
        };
        let Some(text) = node.as_str() else {
            return;
        };
        let Uses::Repository {
            owner,
            repo,
            git_ref,
            ..
        } = Uses::parse(text)
        else {
            return;
        };
        if owner.is_empty() || repo.is_empty() || plimsoll_syntax::expr::contains_expression(text) {
            return;
        }
        if let Some((_, replacement)) = ARCHIVED.iter().find(|(name, _)| names(owner, repo, name)) {
            let fix = names(owner, repo, "actions-rs/toolchain")
                .then(|| rust_toolchain_fix(cx.text(), scope.step.node, node));
            let diagnostic = out.report(
                &Self::META,
                node.span,
                format!("`{owner}/{repo}` is archived and no longer maintained"),
            );
            match fix {
                Some(Ok(fix)) => {
                    diagnostic.help(format!("{replacement} instead")).fix(fix);
                }
                Some(Err(why)) => {
                    diagnostic.help(format!("{replacement} instead (no automatic fix: {why})"));
                }
                None => {
                    diagnostic.help(format!("{replacement} instead"));
                }
            }
            return;
        }
        let Some(&(_, minimum)) = OUTDATED.iter().find(|(name, _)| names(owner, repo, name)) else {
            return;
        };
        let Some(git_ref) = git_ref else {
            return;
        };
        let kind = ref_kind(git_ref);
        let major = match kind {
            RefKind::VersionTag => major_of(git_ref),
            RefKind::CommitSha => commented_version(cx.text(), node),
            RefKind::Branch => None,
        };
        let Some(major) = major else {
            return;
        };
        if major < minimum {
            // Spelled out only for a finding: formatting it for every pinned step was a
            // measurable share of the rule.
            let written = if kind == RefKind::CommitSha {
                let short = git_ref.get(..7).unwrap_or(git_ref);
                format!("`{owner}/{repo}@{short}…` (v{major} per its comment)")
            } else {
                format!("`{owner}/{repo}@{git_ref}`")
            };
            let fixable = kind == RefKind::VersionTag;
            let fix = successor(owner, repo, major)
                .filter(|_| fixable)
                .and_then(|successor| bump_fix(cx.text(), node, git_ref, successor));
            let diagnostic = out.report(
                &Self::META,
                node.span,
                format!(
                    "{written} is an outdated major version: it runs on a Node.js runtime or a service GitHub has retired"
                ),
            )
            .help(if kind == RefKind::CommitSha {
                format!("pin a commit of `{owner}/{repo}` v{minimum} or later (or fix the comment if the commit is already newer)")
            } else {
                format!("use `{owner}/{repo}@v{minimum}` or later")
            });
            if let Some(fix) = fix {
                diagnostic.fix(fix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_from_comments() {
        let source = "uses: a/b@0123 # v3.1.0\nuses: a/b@0123 # tag=v2\nuses: a/b@0123 # 3.4\nuses: a/b@0123 # fix 3\nuses: a/b@0123\n";
        let node = |start: usize| Node {
            span: plimsoll_syntax::Span::new(start, start + 8),
            kind: plimsoll_syntax::yaml::NodeKind::Scalar {
                value: String::new(),
                style: plimsoll_syntax::yaml::ScalarStyle::Plain,
            },
            tag: None,
        };
        let starts: Vec<usize> = source.match_indices("a/b").map(|(i, _)| i).collect();
        let versions: Vec<_> = starts
            .iter()
            .map(|s| commented_version(source, &node(*s)))
            .collect();
        assert_eq!(versions, [Some(3), Some(2), Some(3), None, None]);
    }

    #[test]
    fn reads_major_versions() {
        assert_eq!(major_of("v3"), Some(3));
        assert_eq!(major_of("v3.1.0"), Some(3));
        assert_eq!(major_of("4"), Some(4));
        assert_eq!(major_of("v3-node20"), Some(3));
        assert_eq!(major_of("main"), None);
        assert_eq!(major_of("v"), None);
    }
}
