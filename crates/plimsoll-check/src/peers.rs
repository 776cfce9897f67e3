//! How plimsoll covers the audits of its peers, zizmor and actionlint, as data: the table in
//! `docs/rules.md` is generated from it, and a test keeps every rule it names real.

/// How one peer check is covered.
pub enum Coverage {
    /// By these plimsoll rules, with a remark on the difference if any.
    Rules(&'static [&'static str], &'static str),
    /// Not covered, and why.
    None(&'static str),
}

/// zizmor's released audits (those its audit registry registers, as of zizmor 1.2x), in its
/// documentation's order, then the audits added since that documentation's page was written.
pub const ZIZMOR: &[(&str, Coverage)] = &[
    ("artipacked", Coverage::Rules(&["persisted-checkout-credentials"], "")),
    ("bot-conditions", Coverage::Rules(&["spoofable-bot-condition"], "")),
    ("cache-poisoning", Coverage::Rules(&["cache-poisoning"], "")),
    (
        "dangerous-triggers",
        Coverage::Rules(&["dangerous-trigger", "untrusted-checkout"], ""),
    ),
    (
        "excessive-permissions",
        Coverage::Rules(
            &["excessive-permissions", "write-all-permissions", "missing-permissions"],
            "",
        ),
    ),
    (
        "forbidden-uses",
        Coverage::Rules(&["forbidden-action"], "the policy is `allowed-uses`/`forbidden-uses` in `plimsoll.toml`"),
    ),
    ("github-env", Coverage::Rules(&["privileged-env-write"], "")),
    (
        "hardcoded-container-credentials",
        Coverage::Rules(&["hardcoded-container-credentials", "hardcoded-secret"], ""),
    ),
    (
        "impostor-commit",
        Coverage::None("needs the network: whether a pinned SHA belongs to the action's repository or to a fork is known only to GitHub's API"),
    ),
    ("insecure-commands", Coverage::Rules(&["unsecure-commands"], "")),
    (
        "known-vulnerable-actions",
        Coverage::Rules(
            &["known-vulnerable-action"],
            "offline, from a data file of advisories; SHA pins cannot be matched without the network",
        ),
    ),
    ("obfuscation", Coverage::Rules(&["obfuscation"], "")),
    (
        "overprovisioned-secrets",
        Coverage::Rules(&["overprovisioned-secrets", "secret-in-shared-env"], ""),
    ),
    (
        "ref-confusion",
        Coverage::None("needs the network: whether a ref names both a branch and a tag of the action's repository"),
    ),
    (
        "ref-version-mismatch",
        Coverage::Rules(
            &["ref-version-mismatch"],
            "tag refs against their comment; a SHA against its comment needs the network",
        ),
    ),
    ("secrets-inherit", Coverage::Rules(&["secrets-inherit"], "")),
    ("self-hosted-runner", Coverage::Rules(&["self-hosted-fork-runner"], "")),
    (
        "stale-action-refs",
        Coverage::None("needs the network: whether a pinned SHA is a tagged release"),
    ),
    ("template-injection", Coverage::Rules(&["template-injection"], "")),
    ("unpinned-images", Coverage::Rules(&["unpinned-image"], "")),
    (
        "unpinned-uses",
        Coverage::Rules(&["unpinned-action", "action-not-pinned-to-sha"], "SHA pinning in strict mode"),
    ),
    ("unredacted-secrets", Coverage::Rules(&["unredacted-secrets"], "")),
    ("unsound-condition", Coverage::Rules(&["always-true-condition"], "")),
    ("unsound-contains", Coverage::Rules(&["unsound-contains"], "")),
    ("use-trusted-publishing", Coverage::Rules(&["use-trusted-publishing"], "")),
    (
        "anonymous-definition",
        Coverage::Rules(&["anonymous-definition"], "strict mode, as zizmor's pedantic persona"),
    ),
    (
        "concurrency-limits",
        Coverage::Rules(&["missing-concurrency"], "pull-request workflows only"),
    ),
    (
        "undocumented-permissions",
        Coverage::Rules(&["undocumented-permissions"], "strict mode, as zizmor's pedantic persona"),
    ),
    (
        "archived-uses",
        Coverage::Rules(&["deprecated-action"], "from a list of archived actions kept as data"),
    ),
    (
        "misfeature",
        Coverage::Rules(&["discouraged-feature", "invalid-shell"], "`shell: cmd` and setup-python's `pip-install`; unknown shells are `invalid-shell`"),
    ),
    (
        "dependabot-cooldown",
        Coverage::Rules(&["missing-dependabot-cooldown"], "no `cooldown`, or one of zero days; the length of a non-zero cooldown is the project's choice"),
    ),
    (
        "superfluous-actions",
        Coverage::Rules(&["superfluous-action"], "strict mode; the actions that wrap `gh`, `docker` or `jq` in one command"),
    ),
    (
        "dependabot-execution",
        Coverage::Rules(&["dependabot-insecure-execution"], ""),
    ),
    (
        "secrets-outside-env",
        Coverage::Rules(&["secrets-outside-environment"], "strict mode; accepted secrets are listed under `secrets-outside-environment` in `plimsoll.toml`"),
    ),
    ("unsound-ternary", Coverage::Rules(&["unsound-ternary"], "")),
    (
        "typosquat-uses",
        Coverage::Rules(&["typosquat-uses"], "owners and actions one or two edits from a list of popular ones kept as data"),
    ),
    (
        "github-app",
        Coverage::Rules(&["github-app-token"], "`actions/create-github-app-token` without `permission-*` inputs, with `owner` but no `repositories`, or with token revocation skipped"),
    ),
    (
        "unpinned-tools",
        Coverage::Rules(&["unpinned-tool"], "setup actions whose tool version input is `latest`, `*`, or left to a floating default, from a list kept as data"),
    ),
    (
        "adhoc-packages",
        Coverage::Rules(&["adhoc-package-install", "unpinned-package"], "strict mode; `pip`, `npm`/`yarn`/`pnpm`, `gem` and `go install …@latest` of a package without a version in `run:` (`unpinned-package` in a Dockerfile)"),
    ),
    (
        "insecure-url-scheme",
        Coverage::Rules(&["insecure-download"], "zizmor reads pre-commit `repo:` URLs, which plimsoll does not; plimsoll reports `http://` and `git://` downloads in `run:` scripts and Dockerfile `RUN`s"),
    ),
    (
        "self-repository",
        Coverage::None("a spelling preference (`$/…` over `./…` for an action or reusable workflow of the same repository), with no effect on what runs"),
    ),
];

/// Audits in zizmor's source tree that its audit registry does not register (not released, or
/// on the way in), with where plimsoll already stands.
pub const ZIZMOR_UNRELEASED: &[(&str, Coverage)] = &[
    (
        "agentic-actions",
        Coverage::None("not released; AI agent actions' inputs change too fast for a kept list to be right"),
    ),
    (
        "concurrency-cancel",
        Coverage::Rules(&["missing-concurrency"], "not released; plimsoll asks pull-request workflows for a group that cancels superseded runs"),
    ),
    (
        "hardcoded-credentials",
        Coverage::Rules(&["hardcoded-secret", "hardcoded-container-credentials"], "not released"),
    ),
    (
        "insecure-origin",
        Coverage::Rules(&["insecure-download"], "not released"),
    ),
    (
        "missing-timeout",
        Coverage::Rules(&["missing-timeout"], "not released (also drafted as `timeout-minutes`)"),
    ),
    (
        "shellcheck",
        Coverage::None("not released; runs the external shellcheck"),
    ),
    (
        "stale-runner",
        Coverage::Rules(&["unknown-runner-label"], "not released; retired GitHub-hosted images"),
    ),
    (
        "unpinned-packages",
        Coverage::Rules(&["adhoc-package-install", "unpinned-package"], "not released"),
    ),
];

/// actionlint's checks (its `-format` rule kinds), in its documentation's order.
pub const ACTIONLINT: &[(&str, Coverage)] = &[
    (
        "syntax-check",
        Coverage::Rules(
            &["unknown-key", "parse-error", "empty-matrix"],
            "unexpected, missing and duplicate keys, workflows and action metadata",
        ),
    ),
    (
        "expression",
        Coverage::Rules(
            &["invalid-expression", "template-injection"],
            "syntax, functions, contexts; untrusted inputs are template-injection",
        ),
    ),
    (
        "shellcheck",
        Coverage::None("runs the external shellcheck; plimsoll reads scripts for specific faults only (`curl-pipe-shell`, `swallowed-failure`, `cargo-install-unlocked`)"),
    ),
    ("pyflakes", Coverage::None("runs the external pyflakes on Python scripts")),
    ("events", Coverage::Rules(&["invalid-event"], "event names, activity types, cron")),
    (
        "glob",
        Coverage::Rules(&["invalid-filter-pattern"], "branch, tag, path and custom image filters; `[x]` (a one-character class) is accepted"),
    ),
    ("job-needs", Coverage::Rules(&["invalid-needs"], "")),
    (
        "matrix",
        Coverage::Rules(&["empty-matrix"], "empty matrices and axes; duplicate values are not checked"),
    ),
    (
        "runner-label",
        Coverage::Rules(&["unknown-runner-label"], "retired and unknown GitHub-hosted images and conflicting hosted labels; other labels only when the project lists its own (`runner-labels` in `plimsoll.toml`, or actionlint's `self-hosted-runner.labels`)"),
    ),
    (
        "action",
        Coverage::Rules(
            &["invalid-uses", "unpinned-action", "deprecated-action"],
            "the form of `uses:` and outdated actions; inputs of actions are not checked (their metadata is not available offline)",
        ),
    ),
    ("shell-name", Coverage::Rules(&["invalid-shell"], "")),
    ("id", Coverage::Rules(&["duplicate-step-id"], "")),
    (
        "credentials",
        Coverage::Rules(&["hardcoded-container-credentials"], ""),
    ),
    ("env-var", Coverage::Rules(&["invalid-env-name"], "")),
    (
        "permissions",
        Coverage::Rules(
            &["unknown-key", "invalid-permission", "write-all-permissions", "excessive-permissions"],
            "unknown scope names, invalid values, and what permissions grant",
        ),
    ),
    (
        "workflow-call",
        Coverage::Rules(
            &["secrets-inherit"],
            "the inputs and secrets a call passes are not checked against the called workflow",
        ),
    ),
    ("deprecated-commands", Coverage::Rules(&["deprecated-workflow-command", "unsecure-commands"], "")),
    ("if-cond", Coverage::Rules(&["always-true-condition", "always-false-condition"], "")),
];

/// The coverage table, as Markdown (a section of `docs/rules.md`).
pub fn markdown() -> String {
    let mut out = String::from(
        "\n## Coverage of zizmor and actionlint\n\nEach audit of [zizmor](https://docs.zizmor.sh/audits/) and each check of [actionlint](https://github.com/rhysd/actionlint/blob/main/docs/checks.md), with the plimsoll rules that cover it, or why none does.\n",
    );
    for (peer, table) in [
        ("zizmor audit", ZIZMOR),
        ("zizmor audit, not released", ZIZMOR_UNRELEASED),
        ("actionlint check", ACTIONLINT),
    ] {
        out.push_str(&format!(
            "\n| {peer} | plimsoll | remark |\n|---|---|---|\n"
        ));
        for (name, coverage) in table {
            let (rules, remark) = match coverage {
                Coverage::Rules(rules, remark) => {
                    let links: Vec<String> =
                        rules.iter().map(|r| format!("[`{r}`](#{r})")).collect();
                    (links.join(", "), *remark)
                }
                Coverage::None(why) => ("—".to_string(), *why),
            };
            out.push_str(&format!("| `{name}` | {rules} | {remark} |\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_rule_exists() {
        for (name, coverage) in ZIZMOR.iter().chain(ZIZMOR_UNRELEASED).chain(ACTIONLINT) {
            if let Coverage::Rules(rules, _) = coverage {
                for rule in *rules {
                    assert!(
                        crate::registry::find(rule).is_some(),
                        "{name}: no rule {rule}"
                    );
                }
            }
        }
    }
}
