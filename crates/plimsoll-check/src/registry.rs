//! Every rule, registered in one place.

use crate::finding::RuleMeta;
use crate::rule::Rule;
use crate::rules::containers::*;
use crate::rules::engine::*;
use crate::rules::github_actions::*;
use crate::rules::kubernetes::*;
use crate::rules::secrets::*;
use crate::rules::terraform::*;

/// All rules, in id order.
pub static RULES: &[&dyn Rule] = &[
    // engine
    &ParseError,
    &UnusedSuppression,
    &FindingsCapped,
    &NotSearched,
    &UnreadablePath,
    // github-actions
    &ContinueOnError,
    &AlwaysFalseCondition,
    &SwallowedFailure,
    &UnpinnedAction,
    &ActionNotPinnedToSha,
    &UnpinnedImage,
    &ToolchainNotPinned,
    &CargoInstallUnlocked,
    &CurlPipeShell,
    &MissingPermissions,
    &WriteAllPermissions,
    &TemplateInjection,
    &UntrustedCheckout,
    &MissingTimeout,
    &MissingRustCache,
    &MissingConcurrency,
    &MissingFormatCheck,
    &MissingLintGate,
    &MissingTestGate,
    &MissingSecurityAudit,
    &ClippyWarningsAllowed,
    &MissingDependencyUpdates,
    &DeprecatedAction,
    &DeprecatedWorkflowCommand,
    &UnknownKey,
    &InvalidEvent,
    &InvalidNeeds,
    &DuplicateStepId,
    &EmptyMatrix,
    &InvalidExpression,
    &AlwaysTrueCondition,
    &UnsecureCommands,
    &SecretsInherit,
    &OverprovisionedSecrets,
    &SpoofableBotCondition,
    &ExcessivePermissions,
    &PrivilegedEnvWrite,
    &SelfHostedForkRunner,
    &PersistedCheckoutCredentials,
    &DangerousTrigger,
    &InvalidUses,
    &CachePoisoning,
    &SecretInSharedEnv,
    &KnownVulnerableAction,
    &UnsoundContains,
    &HardcodedContainerCredentials,
    &UnredactedSecrets,
    &RefVersionMismatch,
    &Obfuscation,
    &UseTrustedPublishing,
    &InvalidShell,
    &DependabotInsecureExecution,
    &InvalidPermission,
    &InvalidFilterPattern,
    &InvalidEnvName,
    &UnknownRunnerLabel,
    &DiscouragedFeature,
    &MissingDependabotCooldown,
    &SuperfluousAction,
    &UndocumentedPermissions,
    &AnonymousDefinition,
    &ForbiddenAction,
    &UnsoundTernary,
    &SecretsOutsideEnvironment,
    &TyposquatUses,
    &UnpinnedTool,
    &GithubAppToken,
    &InsecureDownload,
    &AdhocPackageInstall,
    // containers
    &UnpinnedBaseImage,
    &ImageNotPinnedToDigest,
    &RunsAsRoot,
    &MissingMultiStageBuild,
    &CacheBustingCopy,
    &MissingDockerignore,
    &CmdWithoutEntrypoint,
    &SecretInImage,
    &AddInsteadOfCopy,
    &AptGetHygiene,
    &ApkAddWithoutNoCache,
    &PipInstallWithCache,
    &PackageCacheNotCleaned,
    &SudoInRun,
    &RelativeWorkdir,
    &CdInsteadOfWorkdir,
    &MultipleCmdOrEntrypoint,
    &DuplicateStageName,
    &CopyFromOwnStage,
    &DeprecatedMaintainer,
    &InvalidExposePort,
    &MissingPipefail,
    &ShellFormEntrypoint,
    &CopyBeforeWorkdir,
    &UnpinnedPackage,
    &PackageUpgrade,
    &ComposeMissingMemoryLimit,
    &ComposeRunsAsRoot,
    &ComposeMissingHealthcheck,
    &ComposeLiteralSecret,
    &ComposeObsoleteVersion,
    // kubernetes
    &MissingResources,
    &MissingProbes,
    &PodRunsAsRoot,
    &WritableRootFilesystem,
    &PrivilegeEscalation,
    &PrivilegedContainer,
    &AddedCapabilities,
    &UnpinnedContainerImage,
    &EnvSecretLiteral,
    &MissingDisruptionBudget,
    &MissingAutoscaler,
    &MissingDefaultDeny,
    &InvalidManifest,
    &RemovedApiVersion,
    &MissingSeccompProfile,
    &CronjobMissingLimits,
    &MissingAntiAffinity,
    &SelectorMatchesNothing,
    // terraform
    &LocalState,
    &MissingRequiredTags,
    &HardcodedInfraValue,
    &UndocumentedVariable,
    &UnpinnedProvider,
    &UnpinnedModule,
    &TerraformSecretLiteral,
    &SharedState,
    // secrets
    &HardcodedSecret,
    &CommittedEnvFile,
];

/// The rule with this name or id.
pub fn find(name_or_id: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .map(|rule| rule.meta())
        .find(|meta| meta.name == name_or_id || meta.id.eq_ignore_ascii_case(name_or_id))
}

/// Every rule's metadata, in registry order.
pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|rule| rule.meta())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for meta in all() {
            assert!(ids.insert(meta.id), "duplicate id {}", meta.id);
            assert!(names.insert(meta.name), "duplicate name {}", meta.name);
            assert!(
                meta.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                meta.name
            );
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(
                    meta.doc.contains(section),
                    "{} lacks `{section}`",
                    meta.name
                );
            }
            // A rule that fixes says what its fix does and why it is safe or not.
            assert_eq!(
                meta.doc.contains("## Fix"),
                meta.fix != crate::fix::FixAvailability::None,
                "{}: a `## Fix` section goes with a `fix:` declaration",
                meta.name
            );
        }
    }
}
