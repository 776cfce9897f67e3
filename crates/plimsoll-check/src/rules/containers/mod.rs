//! Container rules: Dockerfiles, `.dockerignore` and Compose files (section 2 of the
//! standards).

mod common;

mod add_instead_of_copy;
mod apk_add_without_no_cache;
mod apt_get_hygiene;
mod cache_busting_copy;
mod cd_instead_of_workdir;
mod cmd_without_entrypoint;
mod compose_literal_secret;
mod compose_missing_healthcheck;
mod compose_missing_memory_limit;
mod compose_obsolete_version;
mod compose_runs_as_root;
mod copy_from_own_stage;
mod deprecated_maintainer;
mod duplicate_stage_name;
mod image_not_pinned_to_digest;
mod invalid_expose_port;
mod missing_dockerignore;
mod missing_multi_stage_build;
mod multiple_cmd_or_entrypoint;
mod package_cache_not_cleaned;
mod pip_install_with_cache;
mod relative_workdir;
mod runs_as_root;
mod secret_in_image;
mod sudo_in_run;
mod unpinned_base_image;

pub use add_instead_of_copy::AddInsteadOfCopy;
pub use apk_add_without_no_cache::ApkAddWithoutNoCache;
pub use apt_get_hygiene::AptGetHygiene;
pub use cache_busting_copy::CacheBustingCopy;
pub use cd_instead_of_workdir::CdInsteadOfWorkdir;
pub use cmd_without_entrypoint::CmdWithoutEntrypoint;
pub use compose_literal_secret::ComposeLiteralSecret;
pub use compose_missing_healthcheck::ComposeMissingHealthcheck;
pub use compose_missing_memory_limit::ComposeMissingMemoryLimit;
pub use compose_obsolete_version::ComposeObsoleteVersion;
pub use compose_runs_as_root::ComposeRunsAsRoot;
pub use copy_from_own_stage::CopyFromOwnStage;
pub use deprecated_maintainer::DeprecatedMaintainer;
pub use duplicate_stage_name::DuplicateStageName;
pub use image_not_pinned_to_digest::ImageNotPinnedToDigest;
pub use invalid_expose_port::InvalidExposePort;
pub use missing_dockerignore::MissingDockerignore;
pub use missing_multi_stage_build::MissingMultiStageBuild;
pub use multiple_cmd_or_entrypoint::MultipleCmdOrEntrypoint;
pub use package_cache_not_cleaned::PackageCacheNotCleaned;
pub use pip_install_with_cache::PipInstallWithCache;
pub use relative_workdir::RelativeWorkdir;
pub use runs_as_root::RunsAsRoot;
pub use secret_in_image::SecretInImage;
pub use sudo_in_run::SudoInRun;
pub use unpinned_base_image::UnpinnedBaseImage;
