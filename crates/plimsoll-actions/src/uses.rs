use plimsoll_syntax::yaml::Node;
use plimsoll_syntax::Span;

/// What a `uses:` value points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uses<'a> {
    /// `./path/to/action` in the same repository.
    Local {
        /// The path.
        path: &'a str,
    },
    /// `$/path/to/action`: an action or reusable workflow of the workflow's own repository, at
    /// the very commit that is running (GitHub's self-repository syntax, changelog of
    /// 2026-07-30). It takes no `@ref`, and it is as firmly pinned as the caller.
    SameRepository {
        /// The path inside the repository, after `$/` (`.github/actions/hello`).
        path: &'a str,
    },
    /// `docker://image:tag`.
    Docker {
        /// The image reference.
        image: &'a str,
    },
    /// `owner/repo[/path]@ref`.
    Repository {
        /// `owner`.
        owner: &'a str,
        /// `repo`.
        repo: &'a str,
        /// The sub-path, if any (`owner/repo/path@ref`).
        path: Option<&'a str>,
        /// The ref after `@`, if written.
        git_ref: Option<&'a str>,
    },
}

/// How firmly a ref pins what it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// A full 40- (or 64-) hex-digit commit SHA.
    CommitSha,
    /// A version-looking tag (`v4`, `v4.1.2`, `1.0`): it can still be moved.
    VersionTag,
    /// Anything else: a branch such as `main`, `master`, `stable`, or `latest`.
    Branch,
}

impl<'a> Uses<'a> {
    /// Parse a `uses:` string.
    pub fn parse(value: &'a str) -> Uses<'a> {
        let value = value.trim();
        if value.starts_with("./") || value.starts_with("../") || value == "." {
            return Uses::Local { path: value };
        }
        if let Some(path) = value.strip_prefix("$/") {
            return Uses::SameRepository { path };
        }
        if let Some(image) = value.strip_prefix("docker://") {
            return Uses::Docker { image };
        }
        let (target, git_ref) = match value.split_once('@') {
            Some((target, git_ref)) => (target, Some(git_ref)),
            None => (value, None),
        };
        let mut parts = target.splitn(3, '/');
        let owner = parts.next().unwrap_or("");
        let repo = parts.next().unwrap_or("");
        let path = parts.next().filter(|p| !p.is_empty());
        Uses::Repository {
            owner,
            repo,
            path,
            git_ref,
        }
    }

    /// Whether this is a reusable-workflow call (`owner/repo/.github/workflows/x.yml@ref`, a
    /// local `./.github/workflows/x.yml` or a same-repository `$/.github/workflows/x.yml`).
    pub fn is_reusable_workflow(&self) -> bool {
        let path = match self {
            Uses::Local { path } | Uses::SameRepository { path } => *path,
            Uses::Repository {
                path: Some(path), ..
            } => path,
            _ => return false,
        };
        path.contains(".github/workflows/")
    }
}

/// Classify a git ref by how firmly it pins.
pub fn ref_kind(git_ref: &str) -> RefKind {
    if matches!(git_ref.len(), 40 | 64) && git_ref.bytes().all(|b| b.is_ascii_hexdigit()) {
        return RefKind::CommitSha;
    }
    let version = git_ref.strip_prefix('v').unwrap_or(git_ref);
    if version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
    {
        return RefKind::VersionTag;
    }
    RefKind::Branch
}

impl RefKind {
    /// Classify `git_ref`.
    pub fn of(git_ref: &str) -> RefKind {
        ref_kind(git_ref)
    }
}

/// The span of the ref part (after `@`) of a `uses:` node, or the whole node.
pub fn ref_span(node: &Node, source: &str) -> Span {
    match node.as_str().and_then(|v| v.find('@').map(|at| (v, at))) {
        Some((value, at)) => node.locate(source, at + 1..value.len()),
        None => node.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            Uses::parse("actions/checkout@v4"),
            Uses::Repository {
                owner: "actions",
                repo: "checkout",
                path: None,
                git_ref: Some("v4")
            }
        );
        assert_eq!(
            Uses::parse("./.github/actions/setup"),
            Uses::Local {
                path: "./.github/actions/setup"
            }
        );
        assert_eq!(
            Uses::parse("docker://alpine:3"),
            Uses::Docker { image: "alpine:3" }
        );
        assert!(Uses::parse("org/repo/.github/workflows/ci.yml@main").is_reusable_workflow());
        assert_eq!(
            Uses::parse("$/.github/actions/hello"),
            Uses::SameRepository {
                path: ".github/actions/hello"
            }
        );
        assert!(Uses::parse("$/.github/workflows/plan.yml").is_reusable_workflow());
        assert_eq!(
            ref_kind("8f4b7f84864484a7bf31766abe9204da3cbe65b3"),
            RefKind::CommitSha
        );
        assert_eq!(ref_kind("v4.1.0"), RefKind::VersionTag);
        assert_eq!(ref_kind("main"), RefKind::Branch);
        assert_eq!(ref_kind("stable"), RefKind::Branch);
    }
}
