//! Which rules are security audits, and how severe their findings are, for GitHub code scanning:
//! SARIF's `security-severity` property is a CVSS-like score from 0.0 to 10.0 that GitHub shows
//! as Critical (9.0 and up), High (7.0 to 8.9), Medium (4.0 to 6.9) or Low (0.1 to 3.9).
//!
//! The scores weigh what an attacker gains and how easily: code execution with the workflow's
//! secrets from outside the project (template injection, an untrusted checkout in a privileged
//! trigger) is critical; a leaked or over-broad credential high; pinning and hardening gaps that
//! need another failure first medium or low. Kept in one table, apart from the rules, so that
//! one place says how the audits rank against each other.

/// `(rule name, security-severity)`, in the registry's order.
pub const SECURITY_SEVERITY: &[(&str, &str)] = &[
    // GitHub Actions
    ("unpinned-action", "6.5"),
    ("action-not-pinned-to-sha", "3.5"),
    ("unpinned-image", "5.0"),
    ("curl-pipe-shell", "5.5"),
    ("missing-permissions", "4.0"),
    ("write-all-permissions", "7.0"),
    ("template-injection", "9.0"),
    ("untrusted-checkout", "9.3"),
    ("unsecure-commands", "8.0"),
    ("secrets-inherit", "5.0"),
    ("overprovisioned-secrets", "5.5"),
    ("spoofable-bot-condition", "7.0"),
    ("excessive-permissions", "5.0"),
    ("privileged-env-write", "7.5"),
    ("self-hosted-fork-runner", "8.0"),
    ("persisted-checkout-credentials", "7.5"),
    ("dangerous-trigger", "5.0"),
    ("cache-poisoning", "6.5"),
    ("secret-in-shared-env", "5.0"),
    ("known-vulnerable-action", "8.0"),
    ("unsound-contains", "5.0"),
    ("hardcoded-container-credentials", "8.0"),
    ("unredacted-secrets", "4.0"),
    ("ref-version-mismatch", "3.0"),
    ("obfuscation", "3.0"),
    ("use-trusted-publishing", "2.0"),
    ("dependabot-insecure-execution", "6.0"),
    ("discouraged-feature", "2.0"),
    ("missing-dependabot-cooldown", "3.0"),
    ("superfluous-action", "2.0"),
    ("forbidden-action", "5.0"),
    ("secrets-outside-environment", "3.0"),
    ("typosquat-uses", "7.0"),
    ("unpinned-tool", "4.0"),
    ("github-app-token", "5.5"),
    ("insecure-download", "6.0"),
    ("adhoc-package-install", "3.0"),
    // Containers and Compose
    ("unpinned-base-image", "4.0"),
    ("image-not-pinned-to-digest", "3.0"),
    ("runs-as-root", "5.0"),
    ("secret-in-image", "8.0"),
    ("add-instead-of-copy", "3.0"),
    ("compose-runs-as-root", "5.0"),
    ("compose-literal-secret", "8.0"),
    // Kubernetes
    ("pod-runs-as-root", "5.0"),
    ("writable-root-filesystem", "4.0"),
    ("privilege-escalation", "6.0"),
    ("privileged-container", "8.0"),
    ("added-capabilities", "6.0"),
    ("unpinned-container-image", "4.0"),
    ("env-secret-literal", "8.0"),
    ("missing-default-deny", "4.0"),
    // Terraform
    ("unpinned-provider", "3.0"),
    ("unpinned-module", "4.0"),
    ("terraform-secret-literal", "8.0"),
    // Secrets
    ("hardcoded-secret", "9.0"),
    ("committed-env-file", "8.0"),
];

/// The `security-severity` of rule `name`, when it is a security audit.
pub fn security_severity(name: &str) -> Option<&'static str> {
    SECURITY_SEVERITY
        .iter()
        .find(|(rule, _)| *rule == name)
        .map(|(_, score)| *score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_names_a_rule_and_scores_within_cvss() {
        for (name, score) in SECURITY_SEVERITY {
            assert!(
                crate::registry::find(name).is_some(),
                "{name} is not a rule"
            );
            let value: f64 = score.parse().unwrap();
            assert!((0.1..=10.0).contains(&value), "{name}: {score}");
            // One decimal, as GitHub writes them.
            assert_eq!(score.split_once('.').map(|(_, d)| d.len()), Some(1));
        }
    }
}
