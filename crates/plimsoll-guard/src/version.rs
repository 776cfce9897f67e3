//! How firmly a version is pinned, to tell a loosened pin from an ordinary upgrade.

use plimsoll_actions::{ref_kind, RefKind};

/// Pin strength, weakest first. Moving from a stronger to a weaker one loosens the pin; an
/// upgrade within one strength (`v4` → `v5`, `1.75.0` → `1.80.0`) does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pin {
    /// Moves by itself: `stable`, `latest`, `main`, `lts/*`, `3.x`, no version at all.
    Moving,
    /// A partial version that follows releases: `v4`, `20`, `3.12`, `ubuntu-22.04`.
    Partial,
    /// A full version: `1.75.0`, `v4.1.2`.
    Exact,
    /// A commit SHA or an image digest.
    Digest,
}

impl Pin {
    /// The word for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Pin::Moving => "a moving version",
            Pin::Partial => "a partial version",
            Pin::Exact => "an exact version",
            Pin::Digest => "a commit or digest",
        }
    }
}

/// Strength of a plain version string (`with: toolchain:`, `node-version:`, a runner suffix).
pub fn of_version(text: &str) -> Pin {
    let text = text.trim();
    if text.contains("${{") {
        // Decided at run time: its strength is not known, so it never counts as loosened.
        return Pin::Exact;
    }
    if matches!(ref_kind(text), RefKind::CommitSha) {
        return Pin::Digest;
    }
    if dated_toolchain(text) {
        return Pin::Exact;
    }
    let version = text.strip_prefix('v').unwrap_or(text);
    if version.is_empty()
        || !version.starts_with(|c: char| c.is_ascii_digit())
        || version.contains(['x', 'X', '*', '^', '~', '>', '<'])
    {
        return Pin::Moving;
    }
    let numeric = version
        .split(['.', '-', '+'])
        .take_while(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        .count();
    if numeric >= 3 {
        Pin::Exact
    } else {
        Pin::Partial
    }
}

/// Strength of the ref of a `uses:` value (`owner/repo@ref`).
pub fn of_uses(uses: &str) -> Option<Pin> {
    if uses.starts_with("./") || uses.starts_with("docker://") {
        return uses.strip_prefix("docker://").map(of_image);
    }
    let (_, git_ref) = uses.split_once('@')?;
    Some(match ref_kind(git_ref) {
        RefKind::CommitSha => Pin::Digest,
        RefKind::VersionTag => of_version(git_ref).max(Pin::Partial),
        RefKind::Branch => Pin::Moving,
    })
}

/// Strength of a container image reference (`rust:1.75.0`, `alpine@sha256:…`, `node`).
pub fn of_image(image: &str) -> Pin {
    if image.contains('@') {
        return Pin::Digest;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => of_version(tag),
        None if image.contains("${{") => Pin::Exact,
        None => Pin::Moving,
    }
}

/// Strength of a runner label (`ubuntu-22.04`, `ubuntu-latest`, `self-hosted`).
pub fn of_runner(label: &str) -> Option<Pin> {
    // Only GitHub-hosted images have a known versioning (`ubuntu-24.04`, `macos-latest`);
    // self-hosted and third-party labels (`namespace-profile-windows-2022-x86-64-16x32`,
    // `depot-ubuntu-24.04-4`) name machines, not versions, and are compared as runners.
    let (image, rest) = label.split_once('-')?;
    if !matches!(image, "ubuntu" | "windows" | "macos") {
        return None;
    }
    let version = rest.split('-').next().unwrap_or(rest);
    if version == "latest" {
        return Some(Pin::Moving);
    }
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| of_version(version))
}

/// `owner/repo[/path]` of a `uses:` value, without the ref.
/// A toolchain of one day (`nightly-2025-08-06`, `beta-2024-11-01`): it never moves, so it
/// is a pin however it is spelled.
fn dated_toolchain(text: &str) -> bool {
    let Some((channel, date)) = text.split_once('-') else {
        return false;
    };
    let parts: Vec<&str> = date.split('-').collect();
    matches!(channel, "nightly" | "beta" | "stable")
        && matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2)
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

pub fn uses_target(uses: &str) -> &str {
    uses.split_once('@').map_or(uses, |(target, _)| target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strengths() {
        assert_eq!(of_version("1.75.0"), Pin::Exact);
        assert_eq!(of_version("stable"), Pin::Moving);
        assert_eq!(of_version("3.x"), Pin::Moving);
        assert_eq!(of_version("20"), Pin::Partial);
        assert_eq!(of_version("lts/*"), Pin::Moving);
        // A dated nightly is a pin (it was called "a moving version").
        assert_eq!(of_version("nightly-2025-08-06"), Pin::Exact);
        assert_eq!(of_version("nightly"), Pin::Moving);
        assert!(of_version("nightly-2025-08-06") > of_version("1.80"));
        // Machine labels of other providers are not versions.
        assert_eq!(
            of_runner("namespace-profile-windows-2022-x86-64-16x32"),
            None
        );
        assert_eq!(of_runner("depot-ubuntu-24.04-4"), None);
        assert_eq!(of_runner("ubuntu-24.04-arm"), Some(Pin::Partial));
        assert_eq!(of_runner("macos-latest"), Some(Pin::Moving));
        assert_eq!(
            of_uses("actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3"),
            Some(Pin::Digest)
        );
        assert_eq!(of_uses("actions/checkout@v4"), Some(Pin::Partial));
        assert_eq!(of_uses("actions/checkout@v4.1.2"), Some(Pin::Exact));
        assert_eq!(of_uses("actions/checkout@main"), Some(Pin::Moving));
        assert_eq!(of_image("rust:1.75.0"), Pin::Exact);
        assert_eq!(of_image("rust"), Pin::Moving);
        assert_eq!(of_image("localhost:5000/rust"), Pin::Moving);
        assert_eq!(of_runner("ubuntu-22.04"), Some(Pin::Partial));
        assert_eq!(of_runner("ubuntu-latest"), Some(Pin::Moving));
        assert_eq!(of_runner("self-hosted"), None);
    }
}
