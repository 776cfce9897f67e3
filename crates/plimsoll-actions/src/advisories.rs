//! Known-vulnerable action releases, from `data/advisories.tsv` (the GitHub Advisory Database,
//! entered by hand; the file names its source and review date). Checked offline against version
//! refs; a commit SHA cannot be mapped to a release without asking GitHub.

use std::cmp::Ordering;
use std::sync::OnceLock;

/// The data file, compiled in.
const DATA: &str = include_str!("../data/advisories.tsv");

/// How sure a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdvisoryLevel {
    /// The release itself is affected.
    Affected,
    /// A tag pointed at a malicious commit for a while and was restored: a risk for runs in
    /// that window only.
    CompromisedTag,
}

/// One advisory about one action.
#[derive(Debug)]
pub struct Advisory {
    /// `owner/repo`, lowercase.
    pub action: &'static str,
    /// The GHSA id (`GHSA-mrrh-fwg8-r2c3`).
    pub ghsa: &'static str,
    /// The CVE id, if one was assigned.
    pub cve: Option<&'static str>,
    /// The first affected version; none: every release before `fixed`.
    pub introduced: Option<Version>,
    /// The first fixed version, if there is one.
    pub fixed: Option<Version>,
    /// How sure a match is.
    pub level: AdvisoryLevel,
    /// When the advisory was published (`YYYY-MM-DD`).
    pub published: &'static str,
    /// Where the advisory is published (the repository's advisory page).
    pub source: &'static str,
    /// What happened, for messages.
    pub summary: &'static str,
}

/// A release version: numeric components (`45.0.7` is `[45, 0, 7]`, `v4` is `[4]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version(Vec<u64>);

impl Version {
    /// Parse `v45.0.7`, `45.0.7`, `v4`; none for anything else (branches, SHAs, `v4-beta`).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let parts: Option<Vec<u64>> = text.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| !p.is_empty() && p.len() <= 4).map(Version)
    }

    /// The first component (`45` for 45.0.7).
    pub fn major(&self) -> u64 {
        self.0.first().copied().unwrap_or(0)
    }

    /// Compare as full versions, missing components being 0.
    fn cmp_padded(&self, other: &Version) -> Ordering {
        let len = self.0.len().max(other.0.len());
        let at = |v: &Version, i: usize| v.0.get(i).copied().unwrap_or(0);
        (0..len)
            .map(|i| at(self, i).cmp(&at(other, i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// Whether `full` lies in the line this (possibly partial) version names (`4` holds 4.1.7).
    fn holds(&self, full: &Version) -> bool {
        full.0.len() >= self.0.len() && full.0[..self.0.len()] == self.0[..]
    }

    /// Whether two version names can name the same release: equal, or one is the other's line
    /// (`v4` and `4.2.2`).
    pub fn agrees_with(&self, other: &Version) -> bool {
        self.holds(other) || other.holds(self)
    }

    /// Whether the release a ref names is affected by `[introduced, fixed)`. A partial ref
    /// (`v4`, a tag GitHub's convention moves to the line's latest release) is affected when its
    /// latest release is: the fixed version is not in its line and the line is below it.
    fn in_range(&self, introduced: Option<&Version>, fixed: Option<&Version>) -> bool {
        let below_fixed = fixed
            .is_none_or(|fixed| !self.holds(fixed) && self.cmp_padded(fixed) == Ordering::Less);
        let from_introduced = introduced.is_none_or(|introduced| {
            self.holds(introduced) || self.cmp_padded(introduced) != Ordering::Less
        });
        below_fixed && from_introduced
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

fn parse_line(line: &'static str) -> Option<Advisory> {
    let mut fields = line.split('\t');
    let mut next = || fields.next().map(str::trim);
    let action = next()?;
    let ghsa = next()?;
    let cve = next()?;
    let introduced = next()?;
    let fixed = next()?;
    let level = match next()? {
        "error" => AdvisoryLevel::Affected,
        "note" => AdvisoryLevel::CompromisedTag,
        _ => return None,
    };
    let published = next()?;
    let source = next()?;
    let summary = next()?;
    let version = |text: &str| -> Option<Option<Version>> {
        if text == "-" {
            Some(None)
        } else {
            Version::parse(text).map(Some)
        }
    };
    Some(Advisory {
        action,
        ghsa,
        cve: (cve != "-").then_some(cve),
        introduced: version(introduced)?,
        fixed: version(fixed)?,
        level,
        published,
        source,
        summary,
    })
}

fn data_lines() -> impl Iterator<Item = &'static str> {
    DATA.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
}

/// Every advisory of the data file (lines that do not parse are left out; a test keeps them
/// all parsing).
pub fn all() -> &'static [Advisory] {
    static ADVISORIES: OnceLock<Vec<Advisory>> = OnceLock::new();
    ADVISORIES.get_or_init(|| data_lines().filter_map(parse_line).collect())
}

/// The advisories affecting the actions of repository `owner/repo` (the first two parts of a
/// `uses:` slug, in any ASCII case: sub-path actions belong to their repository) at `git_ref`,
/// when the ref is a version.
pub fn affecting(owner: &str, repo: &str, git_ref: &str) -> Vec<&'static Advisory> {
    let Some(version) = Version::parse(git_ref) else {
        return Vec::new();
    };
    all()
        .iter()
        .filter(|advisory| names_repository(advisory.action, owner, repo))
        .filter(|advisory| version.in_range(advisory.introduced.as_ref(), advisory.fixed.as_ref()))
        .collect()
}

/// Whether `action` (an advisory's `owner/repo`, lowercase) is `owner/repo` in any ASCII case.
/// Compared in place: nearly every `uses:` of a run names no advisory's action, and spelling
/// out each one's slug in lowercase cost more than the lookup.
fn names_repository(action: &str, owner: &str, repo: &str) -> bool {
    let action = action.as_bytes();
    action.len() == owner.len() + 1 + repo.len()
        && action[..owner.len()].eq_ignore_ascii_case(owner.as_bytes())
        && action[owner.len()] == b'/'
        && action[owner.len() + 1..].eq_ignore_ascii_case(repo.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_data_file_parses() {
        assert_eq!(all().len(), data_lines().count());
        for advisory in all() {
            assert!(advisory.ghsa.starts_with("GHSA-"), "{}", advisory.ghsa);
            assert_eq!(advisory.action, advisory.action.to_ascii_lowercase());
            let date: Vec<&str> = advisory.published.split('-').collect();
            assert!(
                date.len() == 3 && date.iter().all(|p| p.parse::<u32>().is_ok()),
                "{}: published {}",
                advisory.ghsa,
                advisory.published
            );
            assert!(
                advisory.source.starts_with("https://github.com/"),
                "{}",
                advisory.source
            );
            assert!(
                advisory.source.ends_with(advisory.ghsa),
                "{}",
                advisory.source
            );
        }
    }

    #[test]
    fn matches_version_refs_against_the_ranges() {
        let ids = |action: &str, git_ref: &str| -> Vec<&str> {
            let mut parts = action.splitn(3, '/');
            let owner = parts.next().unwrap_or("");
            let repo = parts.next().unwrap_or("");
            affecting(owner, repo, git_ref)
                .iter()
                .map(|a| a.ghsa)
                .collect()
        };
        assert_eq!(
            ids("tj-actions/changed-files", "v45.0.7"),
            ["GHSA-mrrh-fwg8-r2c3"]
        );
        assert_eq!(
            ids("tj-actions/changed-files", "v45"),
            ["GHSA-mrrh-fwg8-r2c3"]
        );
        assert_eq!(
            ids("tj-actions/changed-files", "v40"),
            ["GHSA-mrrh-fwg8-r2c3", "GHSA-mcph-m25j-8j63"]
        );
        assert!(ids("tj-actions/changed-files", "v46").is_empty());
        assert!(ids("tj-actions/changed-files", "v46.0.1").is_empty());
        // `v4` now points at 4.1.7 or later; 4.1.6 and 4.0 are affected, v3 predates the bug.
        assert!(ids("actions/download-artifact", "v4").is_empty());
        assert_eq!(ids("actions/download-artifact", "v4.1.6").len(), 1);
        assert_eq!(ids("actions/download-artifact", "v4.0").len(), 1);
        assert!(ids("actions/download-artifact", "v3").is_empty());
        // Sub-path actions belong to their repository; 4.0.0 is the first affected release.
        assert_eq!(ids("actions/download-artifact/merge", "v4.1.0").len(), 1);
        assert!(ids("actions/download-artifact", "v3.9.9").is_empty());
        // Rows added from the database's records.
        assert_eq!(
            ids("tj-actions/verify-changed-files", "v16"),
            ["GHSA-ghm2-rq8q-wrhc"]
        );
        assert!(ids("tj-actions/verify-changed-files", "v17").is_empty());
        assert_eq!(ids("gradle/gradle-build-action", "v2.4.1").len(), 1);
        assert!(ids("gradle/gradle-build-action", "v2").is_empty());
        assert!(ids("rlespinasse/github-slug-action", "v3").is_empty());
        assert_eq!(ids("rlespinasse/github-slug-action", "v4.4.0").len(), 1);
        assert!(ids("rlespinasse/github-slug-action", "v4").is_empty());
        assert_eq!(ids("github/codeql-action/init", "v3.27.0").len(), 1);
        assert!(ids("github/codeql-action/init", "v3").is_empty());
        assert_eq!(ids("github/codeql-action/analyze", "v2").len(), 1);
        assert!(ids("github/codeql-action", "v2.26.10").is_empty());
        assert_eq!(ids("reviewdog/action-shellcheck", "v1").len(), 1);
        // GitHub's names are case-insensitive; a longer or shorter name is another action.
        assert_eq!(affecting("TJ-Actions", "Changed-Files", "v45").len(), 1);
        assert!(affecting("tj-actions", "changed-file", "v45").is_empty());
        assert!(affecting("tj-actions", "changed-filesx", "v45").is_empty());
        // Branches and SHAs are not versions.
        assert!(ids("tj-actions/changed-files", "main").is_empty());
        assert!(Version::parse("v4")
            .unwrap()
            .agrees_with(&Version::parse("4.2.2").unwrap()));
        assert!(!Version::parse("v4.1.0")
            .unwrap()
            .agrees_with(&Version::parse("v4.2.2").unwrap()));
        assert!(ids(
            "tj-actions/changed-files",
            "0e58ed8671d6b60d0890c21b07f8835ace038e67"
        )
        .is_empty());
    }
}
