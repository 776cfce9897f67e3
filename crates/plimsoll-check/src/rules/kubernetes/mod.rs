//! Kubernetes rules: section 3 of the standards.

mod common;

mod added_capabilities;
mod cronjob_missing_limits;
mod env_secret_literal;
mod invalid_manifest;
mod missing_anti_affinity;
mod missing_autoscaler;
mod missing_default_deny;
mod missing_disruption_budget;
mod missing_probes;
mod missing_resources;
mod missing_seccomp_profile;
mod pod_runs_as_root;
mod privilege_escalation;
mod privileged_container;
mod removed_api_version;
mod selector_matches_nothing;
mod unpinned_container_image;
mod writable_root_filesystem;

pub use added_capabilities::AddedCapabilities;
pub use cronjob_missing_limits::CronjobMissingLimits;
pub use env_secret_literal::EnvSecretLiteral;
pub use invalid_manifest::InvalidManifest;
pub use missing_anti_affinity::MissingAntiAffinity;
pub use missing_autoscaler::MissingAutoscaler;
pub use missing_default_deny::MissingDefaultDeny;
pub use missing_disruption_budget::MissingDisruptionBudget;
pub use missing_probes::MissingProbes;
pub use missing_resources::MissingResources;
pub use missing_seccomp_profile::MissingSeccompProfile;
pub use pod_runs_as_root::PodRunsAsRoot;
pub use privilege_escalation::PrivilegeEscalation;
pub use privileged_container::PrivilegedContainer;
pub use removed_api_version::RemovedApiVersion;
pub use selector_matches_nothing::SelectorMatchesNothing;
pub use unpinned_container_image::UnpinnedContainerImage;
pub use writable_root_filesystem::WritableRootFilesystem;
