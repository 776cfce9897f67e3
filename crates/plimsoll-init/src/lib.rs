//! `plimsoll init`: generates a project's CI and release workflows, Dockerfile and Dependabot
//! configuration from what the project declares, and keeps them current without losing the
//! user's edits.
//!
//! Generation is pure ([`generate`]); [`plan`] compares each generated text with the file on
//! disk and with what was generated last (the [`lock::Lock`]), and decides through a
//! three-way merge what to write. Writing is the caller's (the binary writes atomically).

pub mod ci;
pub mod dependabot;
pub mod docker;
pub mod lock;
pub mod pins;
pub mod project;
pub mod release;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lock::{Lock, LockEntry};
use pins::Pins;
use project::Project;

/// A generator's result: the file's text, and the facts of the project it was generated from
/// (recorded in the lock file).
pub type Rendered = (String, BTreeMap<String, String>);

/// Why `plimsoll init` cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file cannot be parsed.
    #[error("cannot parse {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// The pin table has no row for an action or tool a generator uses.
    #[error("the pin table has no entry for `{0}`")]
    MissingPin(String),
    /// `git ls-remote` failed.
    #[error("cannot list the tags of {url}: {message}")]
    Git {
        /// The remote.
        url: String,
        /// What git said.
        message: String,
    },
    /// An action's repository has no release of the pinned major version.
    #[error("{url} has no vX.Y.Z tag of major version {major} for {action}")]
    NoRelease {
        /// The action.
        action: String,
        /// The major version pinned.
        major: u64,
        /// The remote.
        url: String,
    },
    /// A file kind `--only` names is not generated yet.
    #[error("`{0}` is not generated yet (available: ci, release, docker, dependabot)")]
    NotYet(String),
    /// A file kind `--only` names does not exist.
    #[error("unknown kind `{0}` (available: ci, release, docker, dependabot)")]
    UnknownKind(String),
    /// The lock file cannot be written as TOML.
    #[error("cannot render the lock file: {0}")]
    Render(String),
}

/// A kind of file `plimsoll init` generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The Rust CI workflow.
    Ci,
    /// `.github/dependabot.yml`.
    Dependabot,
    /// The release workflow.
    Release,
    /// `Dockerfile` and `.dockerignore`.
    Docker,
}

impl Kind {
    /// Every kind, in the order files are generated.
    pub const ALL: [Kind; 4] = [Kind::Ci, Kind::Release, Kind::Docker, Kind::Dependabot];

    /// The name `--only` takes.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ci => "ci",
            Kind::Dependabot => "dependabot",
            Kind::Release => "release",
            Kind::Docker => "docker",
        }
    }

    /// Parse a name `--only` takes.
    pub fn parse(name: &str) -> Result<Kind, InitError> {
        match name.trim() {
            "ci" => Ok(Kind::Ci),
            "dependabot" => Ok(Kind::Dependabot),
            "release" => Ok(Kind::Release),
            "docker" => Ok(Kind::Docker),
            "kubernetes" | "deploy" => Err(InitError::NotYet(name.to_string())),
            other => Err(InitError::UnknownKind(other.to_string())),
        }
    }
}

/// The kinds a `plimsoll init` without `--only` regenerates: those the lock file records, so a
/// project that chose some kinds (no Dockerfile, say) is not offered the others on every run
/// and `--check` does not fail for a file it declined; every kind when nothing was generated yet.
///
/// # Errors
///
/// [`InitError::UnknownKind`] for a generator name this version does not know.
pub fn kinds_to_regenerate(lock: &lock::Lock) -> Result<Vec<Kind>, InitError> {
    if lock.files.is_empty() {
        return Ok(Kind::ALL.to_vec());
    }
    let recorded = lock
        .files
        .iter()
        .map(|entry| Kind::parse(&entry.generator))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Kind::ALL
        .into_iter()
        .filter(|kind| recorded.contains(kind))
        .collect())
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// What generated it.
    pub kind: Kind,
    /// Where it goes, relative to the project, `/`-separated.
    pub path: String,
    /// Its text.
    pub text: String,
    /// The facts of the project it was generated from.
    pub inputs: BTreeMap<String, String>,
}

/// Generate the files of `kinds` for `project`. The second list says why a kind produced no
/// file (a CI workflow for a project with no Cargo.toml).
pub fn generate(
    project: &Project,
    pins: &Pins,
    kinds: &[Kind],
) -> Result<(Vec<Generated>, Vec<String>), InitError> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for kind in kinds {
        match kind {
            Kind::Ci => match &project.rust {
                Some(rust) => {
                    let (text, inputs) = ci::generate(rust, pins)?;
                    files.push(Generated {
                        kind: *kind,
                        path: ci::PATH.to_string(),
                        text,
                        inputs,
                    });
                }
                None => skipped.push(
                    "ci: no Cargo.toml at the root (the CI workflow is for Rust projects)"
                        .to_string(),
                ),
            },
            Kind::Release => match &project.rust {
                Some(rust) => match release::generate(rust, pins, &project.docs)? {
                    Some((text, inputs)) => files.push(Generated {
                        kind: *kind,
                        path: release::PATH.to_string(),
                        text,
                        inputs,
                    }),
                    None => skipped.push(
                        "release: no binary crate (the release workflow ships binaries)"
                            .to_string(),
                    ),
                },
                None => skipped.push("release: no Cargo.toml at the root".to_string()),
            },
            Kind::Docker => match project.rust.as_ref().map(|r| (r, docker::unsupported(r))) {
                Some((rust, None)) => {
                    let (text, inputs) = docker::dockerfile(rust, pins);
                    files.push(Generated {
                        kind: *kind,
                        path: docker::DOCKERFILE.to_string(),
                        text,
                        inputs,
                    });
                    let (text, inputs) = docker::dockerignore();
                    files.push(Generated {
                        kind: *kind,
                        path: docker::DOCKERIGNORE.to_string(),
                        text,
                        inputs,
                    });
                }
                Some((_, Some(why))) => skipped.push(format!("docker: {why}")),
                None => skipped.push("docker: no Cargo.toml at the root".to_string()),
            },
            Kind::Dependabot => {
                // A Dockerfile generated in this run gets its base images updated too.
                let mut project = project.clone();
                project.dockerfile |= files.iter().any(|f| f.path == docker::DOCKERFILE);
                let (text, inputs) = dependabot::generate(&project);
                files.push(Generated {
                    kind: *kind,
                    path: dependabot::PATH.to_string(),
                    text,
                    inputs,
                });
            }
        }
    }
    Ok((files, skipped))
}

/// What regenerating one file does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file does not exist: it is created.
    Create,
    /// The regeneration's changes merge cleanly into the file as edited.
    Update,
    /// Nothing to change in the file.
    Unchanged,
    /// The user's edits and the regeneration change the same lines; the text holds both, in
    /// conflict markers, for the diff.
    Conflict(String),
    /// The file exists and `plimsoll init` did not generate it (no lock entry).
    NotOurs,
}

/// The plan for one file.
#[derive(Clone, Debug)]
pub struct FilePlan {
    /// The generated file.
    pub generated: Generated,
    /// The file as it is, if it exists.
    pub current: Option<String>,
    /// What happens to it.
    pub outcome: Outcome,
    /// The text to write, when something is written: the merge, or with `force` the generated
    /// text over a conflict or a file `plimsoll init` did not generate.
    pub write: Option<String>,
}

impl FilePlan {
    /// Whether applying the plan changes the file.
    pub fn changes_file(&self) -> bool {
        self.write.is_some() && self.write != self.current
    }

    /// Whether the plan is blocked: nothing is written unless forced.
    pub fn blocked(&self) -> bool {
        matches!(self.outcome, Outcome::Conflict(_) | Outcome::NotOurs)
    }

    /// A unified diff of the file as it is against what the plan would make it (for a
    /// conflict, the text with conflict markers).
    pub fn diff(&self) -> String {
        let before = self.current.as_deref().unwrap_or("");
        let after = match &self.outcome {
            Outcome::Conflict(marked) => marked.as_str(),
            Outcome::NotOurs => self.generated.text.as_str(),
            _ => self.write.as_deref().unwrap_or(before),
        };
        if before == after {
            return String::new();
        }
        let original = if self.current.is_some() {
            format!("a/{}", self.generated.path)
        } else {
            "/dev/null".to_string()
        };
        diffy::DiffOptions::new()
            .set_original_filename(original)
            .set_modified_filename(format!("b/{}", self.generated.path))
            .create_patch(before, after)
            .to_string()
    }
}

/// Decide, for each generated file, what to write into the project at `root`: a new file is
/// created; a file generated before is merged (last generated → newly generated, applied onto
/// the file as edited); a file `plimsoll init` did not generate, or a merge conflict, is left
/// alone unless `force`, which writes the generated text over it.
pub fn plan(
    root: &Path,
    generated: Vec<Generated>,
    lock: &Lock,
    force: bool,
) -> Result<Vec<FilePlan>, InitError> {
    let mut plans = Vec::new();
    for file in generated {
        let path = root.join(&file.path);
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(InitError::Read { path, source }),
        };
        let (outcome, write) = match (&current, lock.entry(&file.path)) {
            (None, _) => (Outcome::Create, Some(file.text.clone())),
            (Some(current), _) if *current == file.text => (Outcome::Unchanged, None),
            (Some(current), Some(last)) => match diffy::merge(&last.text, current, &file.text) {
                Ok(merged) if merged == *current => (Outcome::Unchanged, None),
                Ok(merged) => (Outcome::Update, Some(merged)),
                Err(marked) => (Outcome::Conflict(marked), force.then(|| file.text.clone())),
            },
            (Some(_), None) => (Outcome::NotOurs, force.then(|| file.text.clone())),
        };
        plans.push(FilePlan {
            generated: file,
            current,
            outcome,
            write,
        });
    }
    Ok(plans)
}

/// `lock` with the entries of the files `plans` leave generated by `plimsoll init`: every plan
/// that is not blocked (or was forced). Entries of other files are kept.
pub fn updated_lock(lock: &Lock, plans: &[FilePlan]) -> Lock {
    let mut lock = lock.clone();
    lock.version = 1;
    for plan in plans {
        if plan.blocked() && plan.write.is_none() {
            continue;
        }
        lock.record(LockEntry {
            path: plan.generated.path.clone(),
            generator: plan.generated.kind.name().to_string(),
            inputs: plan.generated.inputs.clone(),
            text: plan.generated.text.clone(),
        });
    }
    lock
}
