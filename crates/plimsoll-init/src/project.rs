//! Reading a project: what the generators need to know, from the files that declare it.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::InitError;

/// What `plimsoll init` knows of a project.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The Cargo package or workspace at the root, if any.
    pub rust: Option<RustProject>,
    /// `package.json` at the root, if any.
    pub node: Option<NodeProject>,
    /// A Python project at the root, if any.
    pub python: Option<PythonProject>,
    /// `go.mod` at the root, if any.
    pub go: Option<GoProject>,
    /// A `Dockerfile` at the root (Dependabot updates its base images).
    pub dockerfile: bool,
    /// The README, licence and copying files at the root, shipped in release archives.
    pub docs: Vec<String>,
}

/// A Cargo package or workspace.
#[derive(Clone, Debug, Default)]
pub struct RustProject {
    /// The packages, root package first, then the members in the order they are declared.
    pub crates: Vec<Crate>,
    /// `rust-version` of the root package or `[workspace.package]`: the MSRV.
    pub rust_version: Option<String>,
    /// `rust-toolchain.toml` (or `rust-toolchain`), if any.
    pub toolchain: Option<Toolchain>,
    /// A `deny.toml` exists: the project audits with cargo-deny.
    pub deny_toml: bool,
    /// `Cargo.lock` is committed at the root.
    pub lockfile: bool,
    /// The crates that are Cloudflare Workers (a `wrangler.toml` beside their manifest).
    pub workers: Vec<Worker>,
}

/// A Cloudflare Worker crate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Worker {
    /// The crate's `package.name`.
    pub krate: String,
    /// Its folder, relative to the root (`.` for the root package).
    pub path: String,
    /// `name` in wrangler.toml: the worker's name at Cloudflare.
    pub name: Option<String>,
}

impl RustProject {
    /// Whether any package declares features.
    pub fn has_features(&self) -> bool {
        self.crates.iter().any(|c| !c.features.is_empty())
    }

    /// Whether any package has a library target.
    pub fn has_library(&self) -> bool {
        self.crates.iter().any(|c| c.lib)
    }
}

/// One package.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Crate {
    /// `package.name`.
    pub name: String,
    /// Its folder, relative to the root (`.` for the root package).
    pub path: String,
    /// Its binary targets.
    pub bins: Vec<String>,
    /// Whether it has a library target.
    pub lib: bool,
    /// The features it declares (without `default`).
    pub features: Vec<String>,
    /// The root file of each library and binary target, and of each test, bench and example the
    /// manifest declares, relative to the crate's folder.
    pub target_roots: Vec<TargetRoot>,
    /// Its build script, relative to the crate's folder, if it has one.
    pub build_script: Option<String>,
    /// `package.version`, or the workspace's when the package inherits it.
    pub version: Option<String>,
    /// `package.repository`, or the workspace's when the package inherits it.
    pub repository: Option<String>,
}

/// The root source file of a library or binary target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRoot {
    /// The file, relative to the crate's folder.
    pub path: String,
    /// A binary (`fn main`) rather than a library.
    pub bin: bool,
}

/// `rust-toolchain.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Toolchain {
    /// Its file name.
    pub file: String,
    /// `toolchain.channel`, if given.
    pub channel: Option<String>,
    /// `toolchain.targets`: what the project also builds for.
    pub targets: Vec<String>,
}

/// A Node project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeProject {
    /// The lockfile found: `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml` or `bun.lockb`.
    pub lockfile: Option<String>,
    /// `engines.node`, the Node releases the package supports.
    pub engines_node: Option<String>,
    /// The names of `scripts`.
    pub scripts: Vec<String>,
    /// `main`, the module the package runs.
    pub main: Option<String>,
}

impl NodeProject {
    /// The package manager the lockfile belongs to: `npm`, `pnpm`, `yarn` or `bun`; npm when
    /// there is none.
    pub fn manager(&self) -> &'static str {
        match self.lockfile.as_deref() {
            Some("pnpm-lock.yaml") => "pnpm",
            Some("yarn.lock") => "yarn",
            Some("bun.lockb") => "bun",
            _ => "npm",
        }
    }

    /// Whether `scripts` has `name`.
    pub fn has_script(&self, name: &str) -> bool {
        self.scripts.iter().any(|s| s == name)
    }
}

/// A Python project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PythonProject {
    /// The tool its files say it uses: `uv`, `poetry` or `pip`.
    pub tool: String,
    /// `pyproject.toml` exists (else only `requirements.txt`).
    pub pyproject: bool,
    /// `project.name` (or `tool.poetry.name`).
    pub name: Option<String>,
    /// `project.requires-python`.
    pub requires_python: Option<String>,
    /// `.python-version` exists: it names the Python release.
    pub python_version_file: bool,
    /// The first `project.scripts` (or `tool.poetry.scripts`) entry: a command it installs.
    pub script: Option<String>,
    /// The requirement files at the root, `requirements*.txt`, sorted.
    pub requirements: Vec<String>,
    /// pytest is named among the project's files (dependencies or `[tool.pytest…]`).
    pub pytest: bool,
    /// ruff is named among the project's files.
    pub ruff: bool,
    /// A `tests` folder exists.
    pub tests_folder: bool,
    /// The script at the root a service without a package runs: `main.py`, `app.py` or
    /// `__main__.py`, the first that exists.
    pub main_file: Option<String>,
}

/// A Go module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoProject {
    /// The `module` path.
    pub module: String,
    /// The `go` directive: the Go release the module needs.
    pub go: Option<String>,
    /// `go.sum` exists.
    pub go_sum: bool,
    /// The main packages: `.` when the root has a `main.go`, and each `cmd/NAME` folder.
    pub mains: Vec<String>,
}

/// Read the project at `root`.
pub fn read(root: &Path) -> Result<Project, InitError> {
    Ok(Project {
        rust: read_rust(root)?,
        node: read_node(root)?,
        python: read_python(root)?,
        go: read_go(root)?,
        dockerfile: root.join("Dockerfile").is_file(),
        docs: root_docs(root),
    })
}

/// The files at the root named README, LICENSE, LICENCE or COPYING (any extension or suffix:
/// `LICENSE-MIT`), sorted.
fn root_docs(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut docs: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
        .filter(|name| {
            let upper = name.to_ascii_uppercase();
            ["README", "LICENSE", "LICENCE", "COPYING"]
                .iter()
                .any(|prefix| upper.starts_with(prefix))
        })
        // Names a shell script can quote as they are.
        .filter(|name| {
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .collect();
    docs.sort();
    docs
}

fn first_existing(root: &Path, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|name| root.join(name).is_file())
        .map(|name| (*name).to_string())
}

fn read_node(root: &Path) -> Result<Option<NodeProject>, InitError> {
    let path = root.join("package.json");
    if !path.is_file() {
        return Ok(None);
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&read_text(&path)?).map_err(|err| InitError::Parse {
            path: path.display().to_string(),
            message: err.to_string(),
        })?;
    let text_at = |pointer: &str| {
        manifest
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    Ok(Some(NodeProject {
        lockfile: first_existing(
            root,
            &[
                "package-lock.json",
                "pnpm-lock.yaml",
                "yarn.lock",
                "bun.lockb",
            ],
        ),
        engines_node: text_at("/engines/node"),
        scripts: manifest
            .get("scripts")
            .and_then(serde_json::Value::as_object)
            .map(|scripts| scripts.keys().cloned().collect())
            .unwrap_or_default(),
        main: text_at("/main"),
    }))
}

fn read_python(root: &Path) -> Result<Option<PythonProject>, InitError> {
    let pyproject_path = root.join("pyproject.toml");
    let mut requirements: Vec<String> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
                .filter(|name| name.starts_with("requirements") && name.ends_with(".txt"))
                .collect()
        })
        .unwrap_or_default();
    requirements.sort();
    let pyproject = pyproject_path.is_file();
    if !pyproject && requirements.is_empty() {
        return Ok(None);
    }
    let (manifest, manifest_text) = if pyproject {
        let text = read_text(&pyproject_path)?;
        let table = text.parse::<Table>().map_err(|err| InitError::Parse {
            path: pyproject_path.display().to_string(),
            message: err.to_string(),
        })?;
        (table, text)
    } else {
        (Table::new(), String::new())
    };
    let project = manifest.get("project").and_then(Value::as_table);
    let poetry = manifest
        .get("tool")
        .and_then(|tool| tool.get("poetry"))
        .and_then(Value::as_table);
    let tool = if root.join("uv.lock").is_file() {
        "uv"
    } else if root.join("poetry.lock").is_file() || poetry.is_some() {
        "poetry"
    } else {
        "pip"
    };
    let field = |name: &str| {
        project
            .and_then(|p| p.get(name))
            .or_else(|| poetry.and_then(|p| p.get(name)))
    };
    // Every file that may name the tools: the manifest and the requirement files.
    let mut named = manifest_text.to_ascii_lowercase();
    for file in &requirements {
        // Read leniently: a comment in another encoding does not hide the package names.
        let path = root.join(file);
        let bytes = std::fs::read(&path).map_err(|source| InitError::Read { path, source })?;
        named.push_str(&String::from_utf8_lossy(&bytes).to_ascii_lowercase());
    }
    let names_package = |package: &str| {
        named.match_indices(package).any(|(at, _)| {
            let before = named[..at].chars().next_back();
            let after = named[at + package.len()..].chars().next();
            let boundary = |c: Option<char>| {
                c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            };
            boundary(before) && boundary(after)
        })
    };
    Ok(Some(PythonProject {
        tool: tool.to_string(),
        pyproject,
        name: field("name").and_then(Value::as_str).map(str::to_string),
        requires_python: project
            .and_then(|p| p.get("requires-python"))
            .and_then(Value::as_str)
            .map(str::to_string),
        python_version_file: root.join(".python-version").is_file(),
        script: field("scripts")
            .and_then(Value::as_table)
            .and_then(|scripts| scripts.keys().next().cloned()),
        requirements,
        pytest: names_package("pytest"),
        ruff: names_package("ruff"),
        tests_folder: root.join("tests").is_dir(),
        main_file: first_existing(root, &["main.py", "app.py", "__main__.py"]),
    }))
}

fn read_go(root: &Path) -> Result<Option<GoProject>, InitError> {
    let path = root.join("go.mod");
    if !path.is_file() {
        return Ok(None);
    }
    let text = read_text(&path)?;
    // go.mod's directives are one per line: `module PATH`, `go VERSION` (comments after //).
    let directive = |name: &str| {
        text.lines()
            .map(|line| line.split("//").next().unwrap_or("").trim())
            .find_map(|line| {
                let (word, rest) = line.split_once(char::is_whitespace)?;
                (word == name).then(|| rest.trim().trim_matches('"').to_string())
            })
    };
    let Some(module) = directive("module") else {
        return Err(InitError::Parse {
            path: path.display().to_string(),
            message: "no `module` directive".to_string(),
        });
    };
    let mut mains = Vec::new();
    if root.join("main.go").is_file() {
        mains.push(".".to_string());
    }
    if let Ok(entries) = std::fs::read_dir(root.join("cmd")) {
        let mut commands: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_dir())
            .filter_map(|entry| entry.file_name().to_str().map(|n| format!("cmd/{n}")))
            .collect();
        commands.sort();
        mains.extend(commands);
    }
    Ok(Some(GoProject {
        module,
        go: directive("go"),
        go_sum: root.join("go.sum").is_file(),
        mains,
    }))
}

fn read_text(path: &Path) -> Result<String, InitError> {
    std::fs::read_to_string(path).map_err(|source| InitError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn read_toml(path: &Path) -> Result<Table, InitError> {
    read_text(path)?
        .parse::<Table>()
        .map_err(|err| InitError::Parse {
            path: path.display().to_string(),
            message: err.to_string(),
        })
}

fn read_rust(root: &Path) -> Result<Option<RustProject>, InitError> {
    let manifest_path = root.join("Cargo.toml");
    if !manifest_path.is_file() {
        return Ok(None);
    }
    let manifest = read_toml(&manifest_path)?;
    let workspace = manifest.get("workspace").and_then(Value::as_table);
    let workspace_package = workspace
        .and_then(|w| w.get("package"))
        .and_then(Value::as_table);
    let mut rust = RustProject {
        rust_version: manifest
            .get("package")
            .and_then(|p| p.get("rust-version"))
            .and_then(Value::as_str)
            .or_else(|| {
                workspace_package
                    .and_then(|p| p.get("rust-version"))
                    .and_then(Value::as_str)
            })
            .map(str::to_string),
        toolchain: read_toolchain(root)?,
        deny_toml: root.join("deny.toml").is_file() || root.join(".cargo/deny.toml").is_file(),
        lockfile: root.join("Cargo.lock").is_file(),
        ..RustProject::default()
    };
    if manifest.contains_key("package") {
        rust.crates
            .push(read_crate(root, ".", &manifest, workspace_package));
    }
    let members = workspace
        .and_then(|w| w.get("members"))
        .and_then(Value::as_array)
        .map(|members| members.iter().filter_map(Value::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    let excluded: Vec<&str> = workspace
        .and_then(|w| w.get("exclude"))
        .and_then(Value::as_array)
        .map(|ex| ex.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for member in members {
        for dir in expand_member(root, member) {
            let rel = relative(root, &dir);
            if excluded.contains(&rel.as_str()) || rel == "." {
                continue;
            }
            let path = dir.join("Cargo.toml");
            if path.is_file() {
                let member_manifest = read_toml(&path)?;
                rust.crates
                    .push(read_crate(&dir, &rel, &member_manifest, workspace_package));
            }
        }
    }
    for krate in &rust.crates {
        let path = root.join(&krate.path).join("wrangler.toml");
        if path.is_file() {
            rust.workers.push(Worker {
                krate: krate.name.clone(),
                path: krate.path.clone(),
                name: read_toml(&path)?
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
    }
    Ok(Some(rust))
}

fn relative(root: &Path, dir: &Path) -> String {
    dir.strip_prefix(root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| dir.to_string_lossy().into_owned())
}

/// The folders a `members` entry names: a path, or a path whose last part is a `*` glob
/// (`crates/*`, `crates/plimsoll-*`), the forms Cargo workspaces use in practice.
fn expand_member(root: &Path, member: &str) -> Vec<PathBuf> {
    let member = member.trim_end_matches('/');
    let (parent, last) = match member.rsplit_once('/') {
        Some((parent, last)) => (root.join(parent), last),
        None => (root.to_path_buf(), member),
    };
    let Some((prefix, suffix)) = last.split_once('*') else {
        return vec![root.join(member)];
    };
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.len() >= prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && name.ends_with(suffix)
        })
        .map(|entry| entry.path())
        .collect();
    dirs.sort();
    dirs
}

/// A `package` field that is a string, or `{ workspace = true }` inheriting `[workspace.package]`'s.
fn package_string(
    manifest: &Table,
    workspace_package: Option<&Table>,
    field: &str,
) -> Option<String> {
    match manifest.get("package").and_then(|p| p.get(field))? {
        Value::String(text) => Some(text.clone()),
        Value::Table(inherit)
            if inherit.get("workspace").and_then(Value::as_bool) == Some(true) =>
        {
            workspace_package?
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
        }
        _ => None,
    }
}

fn read_crate(dir: &Path, rel: &str, manifest: &Table, workspace_package: Option<&Table>) -> Crate {
    let name = manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(rel)
        .to_string();
    let explicit: Vec<&Value> = manifest
        .get("bin")
        .and_then(Value::as_array)
        .map(|bins| bins.iter().collect())
        .unwrap_or_default();
    let mut bins: Vec<String> = explicit
        .iter()
        .filter_map(|bin| bin.get("name").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    // A `[[bin]]` whose path is src/main.rs (or whose name is the package's, with no path)
    // is the target Cargo would otherwise discover there, under its declared name.
    let main_declared = explicit
        .iter()
        .any(|bin| match bin.get("path").and_then(Value::as_str) {
            Some(path) => path.trim_start_matches("./") == "src/main.rs",
            None => bin.get("name").and_then(Value::as_str) == Some(name.as_str()),
        });
    // Cargo's target auto-discovery: src/main.rs is a binary named after the package, and each
    // src/bin/*.rs (or src/bin/*/main.rs) one named after the file.
    let autobins = manifest
        .get("package")
        .and_then(|p| p.get("autobins"))
        .and_then(Value::as_bool)
        != Some(false);
    if autobins {
        if dir.join("src/main.rs").is_file() && !main_declared && !bins.contains(&name) {
            bins.push(name.clone());
        }
        if let Ok(entries) = std::fs::read_dir(dir.join("src/bin")) {
            let mut found: Vec<String> = entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "rs") {
                        path.file_stem().map(|s| s.to_string_lossy().into_owned())
                    } else if path.join("main.rs").is_file() {
                        Some(entry.file_name().to_string_lossy().into_owned())
                    } else {
                        None
                    }
                })
                .collect();
            found.sort();
            for bin in found {
                if !bins.contains(&bin) {
                    bins.push(bin);
                }
            }
        }
    }
    let lib_path = manifest
        .get("lib")
        .and_then(|lib| lib.get("path"))
        .and_then(Value::as_str)
        .unwrap_or("src/lib.rs");
    let lib = manifest.contains_key("lib") || dir.join("src/lib.rs").is_file();
    let mut target_roots = Vec::new();
    if lib {
        target_roots.push(TargetRoot {
            path: lib_path.trim_start_matches("./").to_string(),
            bin: false,
        });
    }
    for bin in &bins {
        let declared = explicit
            .iter()
            .find(|b| b.get("name").and_then(Value::as_str) == Some(bin.as_str()));
        let path = match declared.and_then(|b| b.get("path")).and_then(Value::as_str) {
            Some(path) => path.trim_start_matches("./").to_string(),
            // Cargo's defaults for a binary named NAME.
            None if *bin == name && dir.join("src/main.rs").is_file() => "src/main.rs".to_string(),
            None if dir.join(format!("src/bin/{bin}/main.rs")).is_file() => {
                format!("src/bin/{bin}/main.rs")
            }
            None => format!("src/bin/{bin}.rs"),
        };
        target_roots.push(TargetRoot { path, bin: true });
    }
    // Tests, benches and examples declared in the manifest: Cargo reads their files when it
    // loads the manifest, so a build from the manifests alone needs a stand-in for each.
    for (kind, folder) in [
        ("test", "tests"),
        ("bench", "benches"),
        ("example", "examples"),
    ] {
        let declared = manifest.get(kind).and_then(Value::as_array);
        for target in declared.into_iter().flatten() {
            let path = match (
                target.get("path").and_then(Value::as_str),
                target.get("name").and_then(Value::as_str),
            ) {
                (Some(path), _) => path.trim_start_matches("./").to_string(),
                (None, Some(name)) => format!("{folder}/{name}.rs"),
                (None, None) => continue,
            };
            target_roots.push(TargetRoot { path, bin: true });
        }
    }
    let build_script = match manifest.get("package").and_then(|p| p.get("build")) {
        Some(Value::String(path)) => Some(path.clone()),
        Some(Value::Boolean(false)) => None,
        _ => dir
            .join("build.rs")
            .is_file()
            .then(|| "build.rs".to_string()),
    };
    let features = manifest
        .get("features")
        .and_then(Value::as_table)
        .map(|f| {
            f.keys()
                .filter(|k| k.as_str() != "default")
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    Crate {
        name,
        path: rel.to_string(),
        bins,
        lib,
        features,
        target_roots,
        build_script,
        version: package_string(manifest, workspace_package, "version"),
        repository: package_string(manifest, workspace_package, "repository"),
    }
}

fn read_toolchain(root: &Path) -> Result<Option<Toolchain>, InitError> {
    for file in ["rust-toolchain.toml", "rust-toolchain"] {
        let path = root.join(file);
        if !path.is_file() {
            continue;
        }
        let text = read_text(&path)?;
        // The legacy `rust-toolchain` file may hold just a channel name.
        let Ok(table) = text.parse::<Table>() else {
            return Ok(Some(Toolchain {
                file: file.to_string(),
                channel: Some(text.trim().to_string()).filter(|c| !c.is_empty()),
                targets: Vec::new(),
            }));
        };
        let toolchain = table.get("toolchain").and_then(Value::as_table);
        return Ok(Some(Toolchain {
            file: file.to_string(),
            channel: toolchain
                .and_then(|t| t.get("channel"))
                .and_then(Value::as_str)
                .map(str::to_string),
            targets: toolchain
                .and_then(|t| t.get("targets"))
                .and_then(Value::as_array)
                .map(|ts| {
                    ts.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        }));
    }
    Ok(None)
}
