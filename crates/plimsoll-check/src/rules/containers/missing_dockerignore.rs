use std::collections::HashSet;
use std::path::{Path, PathBuf};

use plimsoll_syntax::dockerignore::DockerIgnore;
use plimsoll_syntax::Span;

use crate::declare_rule;
use crate::discovery::normalize;
use crate::finding::RuleMeta;
use crate::repository::{lexical, Repository};
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a Docker build context with no `.dockerignore` (nor a `<Dockerfile>.dockerignore`
    /// beside the Dockerfile), or whose ignore file does not exclude `.git`, `.env` files and
    /// the build output of the project's ecosystem (`target/` for Cargo, `node_modules/` for
    /// npm). Build contexts are the `context:` of Compose `build:` entries and of
    /// `docker/build-push-action` steps, and the folder of any other Dockerfile. Such a folder,
    /// taken as the context of a Dockerfile nothing is seen building, is not reported when it
    /// holds nothing to exclude: only files, none a `.env` file or a project manifest
    /// (`Cargo.toml`, `package.json`, `go.mod`, `requirements.txt`, …), and it is not the
    /// repository's root. Nor is a context whose Dockerfile copies only named files of it (each
    /// `COPY`/`ADD` source a file there, no `.`, folder, wildcard or variable) or nothing at
    /// all: a `.dockerignore` only filters what the context offers, and such a build takes
    /// nothing from it but those files, so `.git`, `.env` files and build output cannot reach
    /// the image whatever the ignore file says. Patterns are
    /// read with Docker's semantics: anchored at the context root, `**` for any depth, `!` for
    /// exceptions, last match wins.
    ///
    /// ## Why is this bad?
    /// Everything in the context is sent to the builder and can land in the image with a
    /// `COPY . .`: the Git history, local `.env` secrets, gigabytes of build output. Builds get
    /// slow, caches miss on every change, and secrets ship.
    ///
    /// ## Example
    /// A context folder with a `Dockerfile` and a `Cargo.toml`, and no `.dockerignore`.
    ///
    /// ## Use instead
    /// ```text
    /// # .dockerignore
    /// .git
    /// .env*
    /// target/
    /// ```
    pub struct MissingDockerignore {
        id: "DKR006",
        name: "missing-dockerignore",
        severity: Warning,
        domain: Containers,
        summary: "A build context has no `.dockerignore`, or it leaves out too little",
        help: "add a `.dockerignore` excluding `.git`, `.env*` and the build output (`target/`, `node_modules/`)",
    }
}

/// Build output folders by the manifest that reveals the ecosystem.
const BUILD_OUTPUTS: &[(&str, &str)] =
    &[("Cargo.toml", "target"), ("package.json", "node_modules")];

/// Files whose presence in a context means it holds what a `.dockerignore` must keep out:
/// the build manifests of the common ecosystems (their build output and dependencies land
/// beside them: `target/`, `node_modules/`, `.venv/`, `bin/` and `obj/`, `vendor/`).
const PROJECT_MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "go.mod",
    "pyproject.toml",
    "setup.py",
    "requirements.txt",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "Gemfile",
    "composer.json",
    "mix.exs",
];

/// A build to look at: its context folder, and where to report.
struct Build {
    /// Whether a Compose file or a CI step names this context; otherwise it is the folder of a
    /// Dockerfile that nothing here is seen building, taken as its context.
    declared: bool,
    context: PathBuf,
    dockerfile: Option<PathBuf>,
    report_at: PathBuf,
    span: Option<Span>,
}

fn builds(repo: &Repository) -> Vec<Build> {
    let declared = repo.compose_builds.iter().map(|build| (build, true)).chain(
        repo.ci_files
            .iter()
            .flat_map(|f| &f.docker_builds)
            .map(|build| (build, false)),
    );
    let mut builds = Vec::new();
    for (build, compose) in declared {
        if build.context.contains("://") || build.context.starts_with("git@") {
            continue;
        }
        let base = if compose {
            build.base.clone()
        } else {
            repo.root.clone()
        };
        let context = normalize(&base.join(&build.context));
        let dockerfile = build.dockerfile.as_ref().map(|file| {
            if compose {
                normalize(&context.join(file))
            } else {
                normalize(&repo.root.join(file))
            }
        });
        builds.push(Build {
            declared: true,
            dockerfile: Some(dockerfile.unwrap_or_else(|| context.join("Dockerfile"))),
            context,
            report_at: build.declared_in.clone(),
            span: Some(build.span),
        });
    }
    let built: HashSet<PathBuf> = builds
        .iter()
        .filter_map(|b| b.dockerfile.as_deref().map(lexical))
        .collect();
    for dockerfile in &repo.dockerfiles {
        if built.contains(&lexical(dockerfile)) {
            continue;
        }
        builds.push(Build {
            declared: false,
            context: dockerfile.parent().unwrap_or(Path::new("")).to_path_buf(),
            dockerfile: Some(dockerfile.clone()),
            report_at: dockerfile.clone(),
            span: None,
        });
    }
    builds
}

/// The text of `path`, or `None` when it is over `limit` bytes: at most one byte past the limit
/// is read, whatever the file's size.
fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<String>> {
    let bytes = plimsoll_syntax::read_at_most(path, limit)?;
    if bytes.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Whether `context` holds nothing a `.dockerignore` would have to exclude: only files (no
/// folder, where sources and build output live), none of them a `.env` file or a project
/// manifest, and no `.git`. Such a folder (a Dockerfile with its entrypoint script and
/// configuration) sends the builder only what the image needs.
fn holds_nothing_to_exclude(context: &Path) -> bool {
    let dir = if context.as_os_str().is_empty() {
        Path::new(".")
    } else {
        context
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            return false;
        };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        if !is_file
            || name.starts_with(".env")
            || name == ".git"
            || PROJECT_MANIFESTS.contains(&name.as_ref())
            || name.ends_with(".csproj")
        {
            return false;
        }
    }
    true
}

/// Whether the Dockerfile at `dockerfile` takes from `context` only files it names (or nothing):
/// every `COPY`/`ADD` source that is not another stage (`--from`), a URL or a here-document is
/// a path with no wildcard or variable, and a regular file in the context. A `.dockerignore`
/// cannot change what such a build puts in the image. `false` when the Dockerfile cannot be read
/// or a source is not known to be a file (a folder, `.`, a pattern, a file absent here).
fn copies_only_named_files(dockerfile: &Path, context: &Path, limit: u64) -> bool {
    let Ok(Some(text)) = read_limited(dockerfile, limit) else {
        return false;
    };
    let file = plimsoll_syntax::dockerfile::parse(&text);
    for instruction in file.all_instructions() {
        let is_add = instruction.keyword == "ADD";
        if !is_add && instruction.keyword != "COPY" {
            continue;
        }
        if instruction.flag("from").is_some() {
            continue;
        }
        let words = instruction.words();
        let Some((_, sources)) = words.split_last() else {
            continue;
        };
        for source in sources {
            let source = source.text.as_str();
            if source.starts_with("<<")
                || (is_add && (source.contains("://") || source.starts_with("git@")))
            {
                continue;
            }
            if source.contains(['*', '?', '[', '$']) {
                return false;
            }
            let named = source.trim_start_matches("./");
            if named.is_empty() || named == "." || named.starts_with('/') || named.contains("..") {
                return false;
            }
            if !context.join(named).is_file() {
                return false;
            }
        }
    }
    true
}

fn is_dir(path: &Path) -> bool {
    if path.as_os_str().is_empty() {
        Path::new(".").is_dir()
    } else {
        path.is_dir()
    }
}

impl Rule for MissingDockerignore {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        let mut seen = HashSet::new();
        for build in builds(repo) {
            // Only the files the Dockerfile names reach the image: nothing for an ignore file
            // to keep out. Judged before the context counts as seen: another Dockerfile built
            // from the same folder may copy all of it.
            if !is_dir(&build.context)
                || build.dockerfile.as_deref().is_some_and(|dockerfile| {
                    copies_only_named_files(dockerfile, &build.context, repo.max_file_size)
                })
                || !seen.insert(lexical(&build.context))
            {
                continue;
            }
            let relative = lexical(&build.context);
            let relative = relative
                .strip_prefix(lexical(&repo.root))
                .unwrap_or(&relative);
            let shown = if relative.as_os_str().is_empty() {
                ".".to_string()
            } else {
                relative.display().to_string()
            };
            let at_repository_root = lexical(&build.context) == lexical(&repo.root);
            let beside = build.dockerfile.as_ref().map(|d| {
                let mut name = d.as_os_str().to_owned();
                name.push(".dockerignore");
                PathBuf::from(name)
            });
            let ignore_file = beside
                .filter(|p| p.is_file())
                .or_else(|| Some(build.context.join(".dockerignore")).filter(|p| p.is_file()));
            let Some(ignore_file) = ignore_file else {
                // A folder taken as the context of a Dockerfile nothing is seen building, with
                // nothing in it to exclude: no `.dockerignore` is needed there, and when the
                // real build sends another folder this one is not the context anyway.
                if !build.declared
                    && !at_repository_root
                    && holds_nothing_to_exclude(&build.context)
                {
                    continue;
                }
                out.push(RepositoryDiagnostic {
                    rule: &Self::META,
                    path: build.report_at,
                    span: build.span,
                    message: format!("build context `{shown}` has no `.dockerignore`"),
                });
                continue;
            };
            let text = match read_limited(&ignore_file, repo.max_file_size) {
                Ok(Some(text)) => text,
                Ok(None) => {
                    out.push(RepositoryDiagnostic {
                        rule: &Self::META,
                        path: normalize(&ignore_file),
                        span: None,
                        message: format!(
                            "the `.dockerignore` of build context `{shown}` is over the {}-byte limit and was not read (set `max-file-size` to raise it)",
                            repo.max_file_size
                        ),
                    });
                    continue;
                }
                Err(err) => {
                    tracing::warn!("{}: cannot read: {err}", ignore_file.display());
                    continue;
                }
            };
            let ignore = DockerIgnore::parse(&text);
            let mut missing = Vec::new();
            if (at_repository_root || build.context.join(".git").exists())
                && !ignore.excludes(".git")
            {
                missing.push("`.git`");
            }
            if !ignore.excludes(".env") {
                missing.push("`.env`");
            }
            for (manifest, output) in BUILD_OUTPUTS {
                if build.context.join(manifest).is_file() && !ignore.excludes(output) {
                    missing.push(if *output == "target" {
                        "`target/`"
                    } else {
                        "`node_modules/`"
                    });
                }
            }
            if !missing.is_empty() {
                out.push(RepositoryDiagnostic {
                    rule: &Self::META,
                    path: normalize(&ignore_file),
                    span: None,
                    message: format!(
                        "the `.dockerignore` of build context `{shown}` does not exclude {}",
                        missing.join(", ")
                    ),
                });
            }
        }
    }
}
