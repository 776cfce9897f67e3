//! What repository-level rules see: facts gathered from every file of a repository.

use std::path::{Path, PathBuf};

use plimsoll_actions::{RefKind, Uses};
use plimsoll_syntax::shell::Word;
use plimsoll_syntax::yaml::Node;
use plimsoll_syntax::Span;

use crate::scope::StepScope;

/// Facts about one workflow or composite action, kept after its tree is dropped.
#[derive(Clone, Debug, Default)]
pub struct CiFileFacts {
    /// The file.
    pub path: PathBuf,
    /// Every `cargo` command run in a `run:` script: its argv (`cargo` first, after any
    /// `+toolchain` word). Only cargo's: the repository rules ask about nothing else, and a
    /// run keeps the facts of every file until its end.
    pub cargo_commands: Vec<Vec<String>>,
    /// `RUSTFLAGS` values set in `env:` at any level.
    pub rustflags: Vec<String>,
    /// Every repository action used (`owner/repo[/path]`, lowercase, without the ref).
    pub actions: Vec<String>,
    /// Whether the file installs an explicit Rust toolchain version.
    pub pins_rust_toolchain: bool,
    /// Docker builds run by `docker/build-push-action` steps.
    pub docker_builds: Vec<DockerBuild>,
    /// Whether a `run:` script checks formatting (see [`is_format_check`]).
    pub checks_format: bool,
    /// Images that `run:` scripts build and tag (`docker build -t app:dev .`), as written.
    pub built_images: Vec<String>,
}

/// A Docker build declared in a Compose file or a workflow: its context and Dockerfile, as
/// written, relative to the folder they are resolved from.
#[derive(Clone, Debug)]
pub struct DockerBuild {
    /// The folder `context` and `dockerfile` are relative to (the Compose file's folder; the
    /// repository root for workflows).
    pub base: PathBuf,
    /// The build context as written.
    pub context: String,
    /// The Dockerfile as written, if set (relative to the context for Compose, to the
    /// repository for workflows).
    pub dockerfile: Option<String>,
    /// The file that declares the build.
    pub declared_in: PathBuf,
    /// Where in that file.
    pub span: Span,
    /// The image names the build tags its result with (Compose `image:`, the action's
    /// `tags`), as written.
    pub tags: Vec<String>,
}

impl DockerBuild {
    /// The Dockerfile the build uses: `dockerfile` resolved against the context for Compose
    /// and against the repository for workflows, `Dockerfile` in the context when unset;
    /// `None` for a remote context (a URL, a Git address).
    pub fn dockerfile_path(&self, repository_root: &Path, from_compose: bool) -> Option<PathBuf> {
        if self.context.contains("://") || self.context.starts_with("git@") {
            return None;
        }
        let base = if from_compose {
            self.base.as_path()
        } else {
            repository_root
        };
        let context = base.join(&self.context);
        let dockerfile = match &self.dockerfile {
            Some(file) if from_compose => context.join(file),
            Some(file) => repository_root.join(file),
            None => context.join("Dockerfile"),
        };
        Some(lexical(&dockerfile))
    }
}

impl CiFileFacts {
    /// No facts yet about the file at `path`.
    pub fn new(path: &Path) -> CiFileFacts {
        CiFileFacts {
            path: path.to_path_buf(),
            ..CiFileFacts::default()
        }
    }

    /// Whether some `cargo` command's argv starts with `prefix` (`["cargo", "fmt"]`); only
    /// cargo's commands are recorded, so a prefix that does not start with `cargo` never
    /// matches.
    pub fn runs(&self, prefix: &[&str]) -> bool {
        self.cargo_commands
            .iter()
            .any(|argv| starts_with(argv, prefix))
    }

    /// Record what a step does.
    pub(crate) fn add_step(&mut self, scope: &StepScope<'_>) {
        let step = &scope.step;
        if let Some(script) = scope.script() {
            let mut formatted = false;
            for command in script.commands.iter() {
                let argv = command.argv();
                let words: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
                // `cargo fmt` then `git diff --exit-code`: the diff fails on any reformatting.
                let fails_on_diff = formatted
                    && words.first() == Some(&"git")
                    && words.get(1) == Some(&"diff")
                    && words.iter().any(|w| *w == "--exit-code" || *w == "--quiet");
                self.checks_format |= is_format_check(&words) || fails_on_diff;
                self.built_images.extend(built_image_tags(&words));
                formatted |= starts_with_words(&words, &["cargo", "fmt"])
                    || words.first() == Some(&"rustfmt");
                if is_explicit_toolchain_install(argv) {
                    self.pins_rust_toolchain = true;
                }
                let program = argv.iter().find(|w| !w.text.starts_with('+'));
                if program.is_some_and(|w| w.text == "cargo") {
                    self.cargo_commands
                        .push(argv.iter().map(|w| w.text.clone()).collect());
                }
            }
        }
        if let Some(Uses::Repository {
            owner,
            repo,
            path,
            git_ref,
        }) = step.uses()
        {
            let mut slug = format!("{owner}/{repo}").to_ascii_lowercase();
            if let Some(path) = path {
                slug.push('/');
                slug.push_str(path);
            }
            let toolchain_input = step
                .with("toolchain")
                .and_then(Node::as_str)
                .is_some_and(is_version);
            if slug.contains("rust-toolchain")
                && (toolchain_input
                    || git_ref
                        .is_some_and(|r| RefKind::of(r) == RefKind::VersionTag && is_version(r)))
            {
                self.pins_rust_toolchain = true;
            }
            if slug == "docker/build-push-action" {
                self.add_docker_build(step);
            }
            self.actions.push(slug);
        }
        self.add_env(step.node);
    }

    fn add_docker_build(&mut self, step: &plimsoll_actions::Step<'_>) {
        let Some(context) = step.with("context") else {
            // Without `context` the action builds from the Git context, not the work tree.
            return;
        };
        let Some(text) = context
            .as_str()
            .filter(|c| !plimsoll_syntax::expr::contains_expression(c))
        else {
            return;
        };
        self.docker_builds.push(DockerBuild {
            base: PathBuf::new(),
            context: text.to_string(),
            dockerfile: step
                .with("file")
                .and_then(Node::as_str)
                .filter(|f| !plimsoll_syntax::expr::contains_expression(f))
                .map(str::to_string),
            declared_in: self.path.clone(),
            span: context.span,
            tags: step
                .with("tags")
                .and_then(Node::as_str)
                .map(|tags| {
                    tags.split([',', '\n'])
                        .map(str::trim)
                        .filter(|tag| {
                            !tag.is_empty() && !plimsoll_syntax::expr::contains_expression(tag)
                        })
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }

    /// Record `RUSTFLAGS` from the `env:` of `node` (a workflow, job or step).
    pub fn add_env(&mut self, node: &Node) {
        if let Some(flags) = node.get("env").and_then(|env| env.get_str("RUSTFLAGS")) {
            self.rustflags.push(flags.to_string());
        }
    }
}

fn is_version(text: &str) -> bool {
    let text = text.trim();
    let first = text.split('-').next().unwrap_or(text);
    first.starts_with(|c: char| c.is_ascii_digit())
        && first.chars().all(|c| c.is_ascii_digit() || c == '.')
        || text.starts_with("nightly-20")
}

fn is_explicit_toolchain_install(argv: &[Word]) -> bool {
    if argv.first().map(|w| w.text.as_str()) != Some("rustup") {
        return false;
    }
    let args: Vec<&str> = argv.iter().map(|w| w.text.as_str()).collect();
    let installs = matches!(args.get(1..3), Some(["toolchain", "install"]))
        || matches!(args.get(1), Some(&"default") | Some(&"override"));
    installs && args.iter().skip(2).any(|a| is_version(a))
}

/// The tags a container build command gives its image (`docker build -t app:dev .`,
/// `docker buildx build --tag=app .`, `podman build -t app .`, `buildah bud -t app .`).
fn built_image_tags(words: &[&str]) -> Vec<String> {
    let program = words
        .first()
        .map_or("", |w| plimsoll_syntax::shell::program_name(w));
    let builds = match program {
        "docker" | "podman" => {
            words.get(1) == Some(&"build")
                || (words.get(1) == Some(&"buildx") && words.get(2) == Some(&"build"))
                || (words.get(1) == Some(&"image") && words.get(2) == Some(&"build"))
        }
        "buildah" => matches!(words.get(1), Some(&"bud" | &"build")),
        _ => false,
    };
    if !builds {
        return Vec::new();
    }
    let mut tags = Vec::new();
    let mut words = words.iter().skip(1);
    while let Some(word) = words.next() {
        let tag = match *word {
            "-t" | "--tag" => words.next().copied(),
            other => other
                .strip_prefix("--tag=")
                .or_else(|| other.strip_prefix("-t=")),
        };
        if let Some(tag) = tag.filter(|t| !plimsoll_syntax::expr::contains_expression(t)) {
            tags.push(tag.to_string());
        }
    }
    tags
}

/// Whether `words` check formatting without changing files: `cargo fmt … --check`,
/// `rustfmt --check …`, `cargo-fmt --check`, `treefmt --fail-on-change` (or `--ci`),
/// `dprint check`, or a task runner's format-check target (`make fmt-check`,
/// `just check-fmt`, `cargo xtask fmt --check`).
pub fn is_format_check(words: &[&str]) -> bool {
    let Some(program) = words
        .first()
        .map(|w| plimsoll_syntax::shell::program_name(w))
    else {
        return false;
    };
    let has = |flag: &str| words.contains(&flag);
    let names_format = |w: &&str| w.contains("fmt") || w.contains("format");
    match program {
        "cargo" if starts_with_words(words, &["cargo", "fmt"]) => has("--check"),
        "rustfmt" | "cargo-fmt" => has("--check"),
        "treefmt" => has("--fail-on-change") || has("--ci"),
        "dprint" => words.get(1) == Some(&"check"),
        "make" | "just" | "task" | "cargo" => {
            let target = if program == "cargo" {
                if words.get(1) != Some(&"xtask") {
                    return false;
                }
                &words[2..]
            } else {
                &words[1..]
            };
            target.iter().any(names_format)
                && target
                    .iter()
                    .any(|w| w.contains("check") || w.contains("lint") || *w == "--check")
        }
        _ => false,
    }
}

fn starts_with_words(words: &[&str], prefix: &[&str]) -> bool {
    let mut words = words.iter().filter(|w| !w.starts_with('+'));
    prefix.iter().all(|p| words.next() == Some(p))
}

/// Whether `argv` begins with `prefix`, ignoring `+toolchain` selectors (`cargo +nightly fmt`).
pub fn starts_with(argv: &[String], prefix: &[&str]) -> bool {
    let mut words = argv.iter().filter(|w| !w.starts_with('+'));
    prefix.iter().all(|p| words.next().is_some_and(|w| w == p))
}

/// Dependabot configuration facts.
#[derive(Clone, Debug, Default)]
pub struct DependabotFacts {
    /// The file.
    pub path: PathBuf,
    /// Each `package-ecosystem` value with its span.
    pub ecosystems: Vec<(String, Span)>,
    /// Span of the `updates:` key, where missing ecosystems are reported.
    pub updates_span: Option<Span>,
    /// Each `insecure-external-code-execution: allow`: its value's span and the ecosystem of
    /// its update entry.
    pub insecure_execution: Vec<(Span, String)>,
    /// Each update entry that opens pull requests for new releases at once (no `cooldown`,
    /// or one of zero days): where to point, its ecosystem, and what is missing.
    pub without_cooldown: Vec<(Span, String, &'static str)>,
}

/// A repository: a directory given as a target, with what was found in it.
#[derive(Clone, Debug, Default)]
pub struct Repository {
    /// The directory.
    pub root: PathBuf,
    /// Workflows and composite actions.
    pub ci_files: Vec<CiFileFacts>,
    /// `.github/dependabot.yml`, if present and parsed.
    pub dependabot: Option<DependabotFacts>,
    /// A Renovate configuration file, if present.
    pub renovate: Option<PathBuf>,
    /// Every Dockerfile found.
    pub dockerfiles: Vec<PathBuf>,
    /// Docker builds declared in Compose files (those in workflows are in `ci_files`).
    pub compose_builds: Vec<DockerBuild>,
    /// The run's `max-file-size`, for the files that repository rules read themselves.
    pub max_file_size: u64,
}

/// Package ecosystems and the root files that reveal them, as Dependabot names them.
pub const ECOSYSTEM_MARKERS: &[(&str, &[&str])] = &[
    ("cargo", &["Cargo.toml"]),
    ("npm", &["package.json"]),
    (
        "pip",
        &["requirements.txt", "pyproject.toml", "setup.py", "Pipfile"],
    ),
    ("gomod", &["go.mod"]),
    ("maven", &["pom.xml"]),
    ("gradle", &["build.gradle", "build.gradle.kts"]),
    ("bundler", &["Gemfile"]),
    ("composer", &["composer.json"]),
    ("docker", &["Dockerfile"]),
    ("terraform", &["main.tf"]),
    ("nuget", &["global.json"]),
];

const RENOVATE_FILES: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
];

impl Repository {
    /// A repository rooted at `root`, with its Renovate configuration looked up; its rules
    /// read no file over `max_file_size` bytes.
    pub fn new(root: &Path, max_file_size: u64) -> Self {
        Repository {
            root: root.to_path_buf(),
            max_file_size,
            renovate: RENOVATE_FILES
                .iter()
                .map(|f| root.join(f))
                .find(|p| p.is_file()),
            ..Repository::default()
        }
    }

    /// A file at the repository's root, if it exists.
    pub fn root_file(&self, name: &str) -> Option<PathBuf> {
        let path = crate::discovery::normalize(&self.root.join(name));
        path.is_file().then_some(path)
    }

    /// Whether this is a Rust project (a `Cargo.toml` at the root).
    pub fn is_rust(&self) -> bool {
        self.root_file("Cargo.toml").is_some()
    }

    /// Ecosystems in use, judged from root files, plus `github-actions` when there is CI.
    pub fn ecosystems(&self) -> Vec<&'static str> {
        let mut found: Vec<&'static str> = ECOSYSTEM_MARKERS
            .iter()
            .filter(|(_, files)| files.iter().any(|f| self.root.join(f).is_file()))
            .map(|(name, _)| *name)
            .collect();
        if !self.ci_files.is_empty() {
            found.push("github-actions");
        }
        found
    }

    /// Whether any CI file runs a command starting with `prefix`.
    pub fn ci_runs(&self, prefix: &[&str]) -> bool {
        self.ci_files.iter().any(|f| f.runs(prefix))
    }

    /// The names (without tag or digest, see [`image_name`]) of the images the repository
    /// builds: tagged by Compose services with `build:`, by `docker/build-push-action`, or by
    /// `docker build -t` in workflows. A base image by one of these names is built here.
    pub fn built_images(&self) -> std::collections::HashSet<String> {
        self.compose_builds
            .iter()
            .chain(self.ci_files.iter().flat_map(|f| &f.docker_builds))
            .flat_map(|build| &build.tags)
            .chain(self.ci_files.iter().flat_map(|f| &f.built_images))
            .map(|tag| image_name(tag))
            .collect()
    }

    /// The Dockerfile that builds each image the repository tags (see [`Self::built_images`]),
    /// by image name: a stage `FROM` one of these inherits what that Dockerfile sets.
    pub fn built_dockerfiles(&self) -> std::collections::HashMap<String, PathBuf> {
        let compose = self.compose_builds.iter().map(|build| (build, true));
        let ci = self
            .ci_files
            .iter()
            .flat_map(|f| &f.docker_builds)
            .map(|build| (build, false));
        let mut found = std::collections::HashMap::new();
        for (build, from_compose) in compose.chain(ci) {
            let Some(dockerfile) = build.dockerfile_path(&self.root, from_compose) else {
                continue;
            };
            for tag in &build.tags {
                found
                    .entry(image_name(tag))
                    .or_insert_with(|| dockerfile.clone());
            }
        }
        found
    }

    /// Whether any CI file uses an action whose slug starts with `prefix` (lowercase).
    pub fn ci_uses(&self, prefix: &str) -> bool {
        self.ci_files
            .iter()
            .any(|f| f.actions.iter().any(|a| a.starts_with(prefix)))
    }
}

/// An image reference's name, without tag or digest, lowercased, with Docker Hub's implied
/// prefixes removed: `docker.io/library/postgres:16` and `postgres` are both `postgres`.
pub fn image_name(reference: &str) -> String {
    let name = plimsoll_syntax::image::ImageRef::parse(reference)
        .name
        .to_ascii_lowercase();
    let name = name.strip_prefix("docker.io/").unwrap_or(&name);
    let name = name.strip_prefix("index.docker.io/").unwrap_or(name);
    name.strip_prefix("library/").unwrap_or(name).to_string()
}

/// A path with `.` and `..` folded, to compare paths written differently.
pub(crate) fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
