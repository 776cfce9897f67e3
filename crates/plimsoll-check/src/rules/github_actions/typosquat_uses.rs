use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use plimsoll_syntax::yaml::Node;
use plimsoll_syntax::Span;

use plimsoll_actions::Uses;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `uses:` whose owner is one or two typing mistakes away from the owner of a widely
    /// used action and names one of that owner's actions: `action/checkout`,
    /// `actoins/setup-node`, `dockr/login-action`. The popular actions are kept as data
    /// (`data/popular-actions.txt`); the owner is compared allowing one edit (a letter added,
    /// dropped, changed, or two letters swapped) for short owners and two for owners of six
    /// letters or more.
    ///
    /// ## Why is this bad?
    /// Anyone can register a GitHub account or organization with a name close to a popular
    /// one and publish a repository of the same name. A misspelled owner then runs that
    /// stranger's code in the job, with its token and secrets, and the workflow still looks
    /// right at a glance. A misspelled repository under the right owner is not a risk of this
    /// kind (nobody else can create it), so only owners are compared.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: action/checkout@v4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    /// ```
    pub struct TyposquatUses {
        id: "GHA066",
        name: "typosquat-uses",
        severity: Warning,
        domain: GithubActions,
        summary: "A `uses:` owner is a near-miss of a popular action's owner",
        help: "check the owner's spelling against the action you meant (`actions/checkout`)",
    }
}

/// The popular actions: their owners (lowercased), and for each repository name the owners
/// that publish a popular action under it (`checkout` → `actions`).
struct Popular {
    owners: HashSet<&'static str>,
    owners_of_repo: HashMap<&'static str, Vec<&'static str>>,
}

fn popular() -> &'static Popular {
    static TABLE: OnceLock<Popular> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Popular {
            owners: HashSet::new(),
            owners_of_repo: HashMap::new(),
        };
        for line in include_str!("../../../data/popular-actions.txt").lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((owner, repo)) = line.split_once('/') {
                table.owners.insert(owner);
                table.owners_of_repo.entry(repo).or_default().push(owner);
            }
        }
        table
    })
}

/// Edits that turn `a` into `b` (one per letter added, dropped or changed, or per two adjacent
/// letters swapped: the optimal string alignment distance), or `None` past `limit`.
fn typo_distance(a: &[u8], b: &[u8], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
            row_min = row_min.min(best);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|d| *d <= limit)
}

/// The popular `owner/repo` that `owner/repo` (lowercased) seems to misspell, with the edits
/// to its owner. Only owners publishing a popular action of the same repository name are
/// compared: one lookup for most `uses:`.
fn misspelled(owner: &str, repo: &str) -> Option<(&'static str, &'static str, usize)> {
    let table = popular();
    let (popular_repo, owners) = table.owners_of_repo.get_key_value(repo)?;
    if table.owners.contains(owner) {
        return None;
    }
    owners
        .iter()
        .filter_map(|popular_owner| {
            let limit = if popular_owner.len() >= 6 { 2 } else { 1 };
            let edits = typo_distance(owner.as_bytes(), popular_owner.as_bytes(), limit)?;
            Some((*popular_owner, *popular_repo, edits))
        })
        .min_by_key(|(popular_owner, _, edits)| (*edits, *popular_owner))
}

/// `name` in lower case, copied only when it has capitals (most names have none).
fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

impl Rule for TyposquatUses {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_uses(&self, cx: &Context<'_>, node: &Node, out: &mut Sink) {
        let Some(Uses::Repository { owner, repo, .. }) = node.as_str().map(Uses::parse) else {
            return;
        };
        let Some((popular_owner, popular_repo, edits)) =
            misspelled(&lowercase(owner), &lowercase(repo))
        else {
            return;
        };
        // The owner as written: the first characters of the scalar's text, after any quote.
        let span = cx
            .text()
            .get(node.span.start..node.span.end)
            .and_then(|raw| raw.find(owner))
            .map_or(node.span, |at| {
                let start = node.span.start + at;
                Span::new(start, start + owner.len())
            });
        let written = format!("{owner}/{repo}");
        let plural = if edits == 1 { "" } else { "s" };
        out.report(
            &TyposquatUses::META,
            span,
            format!(
                "`{written}` looks like a misspelling of `{popular_owner}/{popular_repo}`: its owner is {edits} edit{plural} from `{popular_owner}`, and anyone may register that name"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_swaps_as_one_edit() {
        let d = |a: &str, b: &str| typo_distance(a.as_bytes(), b.as_bytes(), 2);
        assert_eq!(d("actoins", "actions"), Some(1));
        assert_eq!(d("action", "actions"), Some(1));
        assert_eq!(d("dockr", "docker"), Some(1));
        assert_eq!(d("actions", "actions"), Some(0));
        assert_eq!(d("azure", "actions"), None);
    }

    #[test]
    fn finds_near_miss_owners_of_popular_repositories() {
        assert_eq!(
            misspelled("action", "checkout"),
            Some(("actions", "checkout", 1))
        );
        assert_eq!(
            misspelled("dokcer", "login-action"),
            Some(("docker", "login-action", 1))
        );
        assert_eq!(misspelled("actions", "checkout"), None);
        // A near-miss owner naming none of the popular owner's actions is its own project.
        assert_eq!(misspelled("action", "my-tool"), None);
    }
}
