use plimsoll_actions::Workflow;
use plimsoll_syntax::yaml::Node;

use super::common::matches_wildcard;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `runs-on:` labels (written in the job, or in the matrix axis that
    /// `runs-on: ${{ matrix.os }}` reads) that name a GitHub-hosted image GitHub does not have:
    /// a retired one (`ubuntu-20.04`, `windows-2019`, `macos-13`) or a version GitHub never
    /// had (`ubuntu-25.04`; versions newer than the newest known image are left alone, as
    /// GitHub may have added them since), and lists that ask for two different GitHub-hosted images at once
    /// (`[ubuntu-latest, windows-latest]`). Labels of the `ubuntu-`, `windows-` and `macos-`
    /// form with other suffixes (`ubuntu-latest-8-cores`) are larger runners an organisation
    /// names itself, and a list with `self-hosted` names the user's own machines: both are left
    /// alone, as are the labels listed under `runner-labels` in `[github-actions]` of
    /// `plimsoll.toml` or under `self-hosted-runner.labels` of `.github/actionlint.yaml` (`*`
    /// matches any run of characters); once either list is set, any other label is reported
    /// too.
    ///
    /// ## Why is this bad?
    /// No runner ever picks the job up: it waits in the queue until it is cancelled (a day
    /// later), or fails at once on a retired image, and the checks it carries never run. A list
    /// of labels is not a list of alternatives: a runner must carry every label, and no
    /// GitHub-hosted machine is both Ubuntu and Windows.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   test:
    ///     runs-on: [ubuntu-latest, windows-latest]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// jobs:
    ///   test:
    ///     strategy:
    ///       matrix:
    ///         os: [ubuntu-latest, windows-latest]
    ///     runs-on: ${{ matrix.os }}
    /// ```
    pub struct UnknownRunnerLabel {
        id: "GHA057",
        name: "unknown-runner-label",
        severity: Error,
        domain: GithubActions,
        summary: "A `runs-on:` label of a GitHub-hosted image that does not exist or was retired",
        help: "use a current GitHub-hosted label (`ubuntu-24.04`, `windows-2025`, `macos-15`…), and a matrix to run on several",
    }
}

/// GitHub-hosted runner labels ("GitHub-hosted runners", standard and arm64 runners, and the
/// macOS larger runners GitHub names itself), as of December 2026 (`ubuntu-26.04` and
/// `macos-26-intel` as used by curl and actionlint's own workflows).
const HOSTED: &[&str] = &[
    "ubuntu-latest",
    "ubuntu-24.04",
    "ubuntu-22.04",
    "ubuntu-26.04",
    "ubuntu-26.04-arm",
    "ubuntu-24.04-arm",
    "ubuntu-22.04-arm",
    "ubuntu-slim",
    "windows-latest",
    "windows-2025",
    "windows-2022",
    "windows-11-arm",
    "macos-latest",
    "macos-26",
    "macos-15",
    "macos-14",
    "macos-15-intel",
    "macos-26-intel",
    "macos-latest-large",
    "macos-latest-xlarge",
    "macos-26-xlarge",
    "macos-15-large",
    "macos-15-xlarge",
    "macos-14-large",
    "macos-14-xlarge",
];

/// Retired GitHub-hosted images, with the date GitHub removed them (GitHub changelog and the
/// runner-images repository's announcements).
const RETIRED: &[(&str, &str)] = &[
    ("ubuntu-16.04", "2021-09-20"),
    ("ubuntu-18.04", "2023-04-03"),
    ("ubuntu-20.04", "2025-04-15"),
    ("windows-2016", "2022-03-15"),
    ("windows-2019", "2025-06-30"),
    ("macos-10.13", "2019"),
    ("macos-10.14", "2021-03-26"),
    ("macos-10.15", "2022-08-30"),
    ("macos-11", "2024-06-28"),
    ("macos-12", "2024-12-03"),
    ("macos-13", "2025-12-04"),
    ("macos-13-large", "2025-12-04"),
    ("macos-13-xlarge", "2025-12-04"),
];

/// The OS and version of a label of the form of a GitHub-hosted image: an OS, then `latest`
/// or a version, then at most an architecture (`ubuntu-24.04-arm`, `macos-15-intel`).
fn hosted_shape(label: &str) -> Option<(&str, &str)> {
    let (os, rest) = label.split_once('-')?;
    if !matches!(os, "ubuntu" | "windows" | "macos") {
        return None;
    }
    let version = rest
        .strip_suffix("-arm")
        .or_else(|| rest.strip_suffix("-arm64"))
        .or_else(|| rest.strip_suffix("-intel"))
        .unwrap_or(rest);
    let is_version = version == "latest"
        || (version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && version.bytes().next().is_some_and(|b| b.is_ascii_digit()));
    is_version.then_some((os, version))
}

/// A version's numbers (`24.04` → `[24, 4]`), to compare versions.
fn version_numbers(version: &str) -> Vec<u64> {
    version.split('.').filter_map(|n| n.parse().ok()).collect()
}

/// Whether `label` names a GitHub-hosted image that cannot exist: of the hosted form, and not
/// newer than the newest image of its OS in [`HOSTED`] (a newer one may have been added since
/// this list was written, so it is left alone).
fn impossible_hosted(label: &str) -> bool {
    let Some((os, version)) = hosted_shape(label) else {
        return false;
    };
    if version == "latest" {
        return true;
    }
    let newest = HOSTED
        .iter()
        .filter_map(|known| hosted_shape(known))
        .filter(|(known_os, v)| *known_os == os && *v != "latest")
        .map(|(_, v)| version_numbers(v))
        .max();
    newest.is_some_and(|newest| version_numbers(version) <= newest)
}

/// What is wrong with one label, if anything.
fn label_fault(label: &str, declared: &[String]) -> Option<String> {
    let lower = label.to_ascii_lowercase();
    if HOSTED.contains(&lower.as_str())
        || declared
            .iter()
            .any(|d| matches_wildcard(&d.to_ascii_lowercase(), &lower))
    {
        return None;
    }
    if let Some((_, date)) = RETIRED.iter().find(|(name, _)| *name == lower) {
        return Some(format!(
            "the GitHub-hosted image `{label}` was retired ({date}): no runner picks the job up"
        ));
    }
    if impossible_hosted(&lower) {
        return Some(format!("`{label}` is not a GitHub-hosted image: no runner picks the job up (a self-hosted runner's label goes with `self-hosted`, or under `runner-labels` in `plimsoll.toml`)"));
    }
    // Once the project lists its own labels, any other label is a typo.
    (!declared.is_empty() && !SELF_HOSTED_PRESETS.contains(&lower.as_str())).then(|| {
        format!("`{label}` is neither a GitHub-hosted image nor one of the project's runner labels (`runner-labels` of `plimsoll.toml`, `self-hosted-runner.labels` of `.github/actionlint.yaml`): no runner picks the job up")
    })
}

/// The labels every self-hosted runner carries (GitHub docs, "Using labels with self-hosted
/// runners").
const SELF_HOSTED_PRESETS: &[&str] = &[
    "self-hosted",
    "linux",
    "windows",
    "macos",
    "x64",
    "arm",
    "arm64",
];

/// The labels of `runs-on` (a string, a list, or a mapping with `labels`).
fn labels(runs_on: &Node) -> Vec<&Node> {
    let labels = runs_on.get("labels").unwrap_or(runs_on);
    match labels.as_sequence() {
        Some(items) => items.iter().collect(),
        None => vec![labels],
    }
}

/// The values of matrix axis `axis` of `job`, written in the matrix itself or its `include`.
fn axis_values<'a>(job: &'a Node, axis: &str) -> Vec<&'a Node> {
    let Some(matrix) = job.get("strategy").and_then(|s| s.get("matrix")) else {
        return Vec::new();
    };
    let mut values = Vec::new();
    if let Some(axis) = matrix.get(axis) {
        match axis.as_sequence() {
            Some(items) => values.extend(items),
            None => values.push(axis),
        }
    }
    for entry in matrix
        .get("include")
        .and_then(Node::as_sequence)
        .unwrap_or_default()
    {
        if let Some(value) = entry.get(axis) {
            values.push(value);
        }
    }
    values
}

/// The matrix axis an expression label reads (`${{ matrix.os }}` → `os`).
fn matrix_axis(label: &str) -> Option<&str> {
    let inner = label.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let axis = inner.strip_prefix("matrix.")?;
    axis.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        .then_some(axis)
}

/// Check one set of labels a runner must all carry, reporting on the labels of `own` only.
fn check_set(set: &[&Node], own: &[&Node], declared: &[String], out: &mut Sink) {
    let texts: Vec<&str> = set.iter().filter_map(|n| n.as_str()).collect();
    if texts.iter().any(|t| t.eq_ignore_ascii_case("self-hosted")) {
        return;
    }
    let mut first_hosted: Option<&str> = None;
    for node in set {
        let Some(label) = node.as_str() else {
            continue;
        };
        if label.contains("${{") {
            continue;
        }
        let reportable = own.iter().any(|o| std::ptr::eq(*o, *node));
        if let Some(fault) = label_fault(label, declared) {
            if reportable {
                out.report(&UnknownRunnerLabel::META, node.span, fault);
            }
            continue;
        }
        if !HOSTED.contains(&label.to_ascii_lowercase().as_str()) {
            continue;
        }
        match first_hosted {
            None => first_hosted = Some(label),
            Some(first) if reportable => {
                out.report(
                    &UnknownRunnerLabel::META,
                    node.span,
                    format!("`runs-on` asks for `{first}` and `{label}` at once: a runner must carry every label, and no GitHub-hosted runner is both (run on each with a matrix)"),
                );
            }
            Some(_) => {}
        }
    }
}

impl Rule for UnknownRunnerLabel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        let declared = &cx.settings.github_actions.runner_labels;
        for job in workflow.jobs() {
            let Some(runs_on) = job.runs_on() else {
                continue;
            };
            let set = labels(runs_on.value);
            check_set(&set, &set, declared, out);
            // A label read from the matrix is one label of each combination's set: check the
            // axis's values where they are written, with the set's other labels.
            for node in &set {
                let Some(axis) = node.as_str().and_then(matrix_axis) else {
                    continue;
                };
                let others: Vec<&Node> = set
                    .iter()
                    .copied()
                    .filter(|other| !std::ptr::eq(*other, *node))
                    .collect();
                for value in axis_values(job.node, axis) {
                    let own = labels(value);
                    let mut combined = others.clone();
                    combined.extend(own.iter().copied());
                    check_set(&combined, &own, declared, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosted_shapes() {
        assert!(impossible_hosted("ubuntu-25.04"));
        assert!(impossible_hosted("macos-10.16"));
        assert!(impossible_hosted("windows-2023"));
        assert!(impossible_hosted("ubuntu-23.04-arm"));
        // Newer than any image listed: perhaps added since.
        assert!(!impossible_hosted("ubuntu-28.04"));
        assert!(!impossible_hosted("macos-27"));
        assert!(!impossible_hosted("ubuntu-latest-8-cores"));
        assert!(!impossible_hosted("macos-14-xlarge"));
        assert!(!impossible_hosted("gpu"));
        assert!(label_fault("ubuntu-24.04", &[]).is_none());
        assert!(label_fault("ubuntu-20.04", &[]).is_some());
        assert!(label_fault("ubuntu-25.04", &["ubuntu-25.04".into()]).is_none());
        assert!(label_fault("gpu", &[]).is_none());
        assert!(label_fault("gpu", &["gpu-large".into()]).is_some());
        assert!(label_fault("linux", &["gpu-large".into()]).is_none());
        assert!(label_fault("gpu-a100", &["gpu-*".into()]).is_none());
        assert!(label_fault("cpu-a100", &["gpu-*".into()]).is_some());
        assert!(matches_wildcard("*-large", "linux-large"));
        assert!(matches_wildcard("a*b*c", "aXbYc"));
        assert!(!matches_wildcard("a*b*c", "aXbY"));
        assert!(!matches_wildcard("ab", "abc"));
    }
}
