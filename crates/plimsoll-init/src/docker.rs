//! The Dockerfile and `.dockerignore` of a Rust binary: a build stage that compiles the
//! dependencies before the sources are copied, and a distroless, non-root final stage holding
//! only the binaries.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::pins::Pins;
use crate::project::{Project, RustProject};
use crate::Rendered;
use crate::GENERATED_HEADER;

/// Where the Dockerfile is written.
pub const DOCKERFILE: &str = "Dockerfile";
/// Where the ignore file is written.
pub const DOCKERIGNORE: &str = ".dockerignore";

/// The final stage's base: distroless with the C runtime the Rust standard library links
/// (glibc, libgcc), Debian 12 like the build stage, run as its `nonroot` user.
const RUNTIME_IMAGE: &str = "gcr.io/distroless/cc-debian12:nonroot";

/// Why no Dockerfile is generated, when none is.
pub fn unsupported(rust: &RustProject) -> Option<&'static str> {
    if !rust.crates.iter().any(|c| !c.bins.is_empty()) {
        return Some("no binary crate (the image runs a binary)");
    }
    if !rust.lockfile {
        return Some("no Cargo.lock (commit it, so the image builds the versions CI tested)");
    }
    None
}

/// The Rust release the build stage uses: the toolchain file's when it names a release, else
/// the pinned one.
fn rust_release(rust: &RustProject, pins: &Pins) -> String {
    rust.toolchain
        .as_ref()
        .and_then(|t| t.channel.clone())
        .filter(|channel| channel.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        .unwrap_or_else(|| pins.rust_stable.clone())
}

/// The Dockerfile's text and inputs. Call only when [`unsupported`] is `None`.
pub fn dockerfile(rust: &RustProject, pins: &Pins) -> Rendered {
    let release = rust_release(rust, pins);
    let bins: Vec<&str> = rust
        .crates
        .iter()
        .flat_map(|c| c.bins.iter().map(String::as_str))
        .collect();
    let entry = bins.first().copied().unwrap_or("app");
    let mut out = format!(
        "{GENERATED_HEADER}\
         \n\
         # Build stage: the Rust release the project builds with, pinned ({release}).\n\
         FROM rust:{release}-slim-bookworm AS build\n\
         WORKDIR /src\n\
         \n\
         # Dependencies first: the manifests, Cargo.lock and an empty stand-in for each target, so\n\
         # the layer that compiles the dependencies is rebuilt only when they change.\n\
         COPY Cargo.toml Cargo.lock ./\n"
    );
    let mut folders = Vec::new();
    let mut stand_ins = Vec::new();
    let mut roots = Vec::new();
    for krate in &rust.crates {
        let prefix = if krate.path == "." {
            String::new()
        } else {
            format!("{}/", krate.path)
        };
        if !prefix.is_empty() {
            let _ = writeln!(out, "COPY {prefix}Cargo.toml {prefix}");
        }
        if let Some(build) = &krate.build_script {
            let _ = writeln!(out, "COPY {prefix}{build} {prefix}{build}");
        }
        for root in &krate.target_roots {
            let path = format!("{prefix}{}", root.path);
            if let Some((folder, _)) = path.rsplit_once('/') {
                if !folders.contains(&folder.to_string()) {
                    folders.push(folder.to_string());
                }
            }
            stand_ins.push(if root.bin {
                format!("echo 'fn main() {{}}' > {path}")
            } else {
                format!("touch {path}")
            });
            roots.push(path);
        }
    }
    let _ = writeln!(out, "RUN mkdir -p {} \\", folders.join(" "));
    for stand_in in &stand_ins {
        let _ = writeln!(out, "    && {stand_in} \\");
    }
    out.push_str(
        "    && cargo build --release --locked --workspace --bins\n\
         \n\
         # Then the sources (.dockerignore keeps target/, .git and secrets out); the target roots\n\
         # are touched so cargo rebuilds them over the stand-ins.\n\
         COPY . .\n",
    );
    let _ = writeln!(
        out,
        "RUN touch {} \\\n    && cargo build --release --locked --workspace --bins",
        roots.join(" ")
    );
    let copied: Vec<String> = bins
        .iter()
        .map(|bin| format!("/src/target/release/{bin}"))
        .collect();
    out.push('\n');
    out.push_str(&crate::distroless::distroless_stage(
        RUNTIME_IMAGE,
        &copied,
        entry,
    ));
    let mut inputs = BTreeMap::new();
    inputs.insert("rust".to_string(), release);
    inputs.insert("binaries".to_string(), bins.join(","));
    inputs.insert("targets".to_string(), roots.join(","));
    (out, inputs)
}

/// The `.dockerignore`'s text and inputs: `build_output` (what the build writes, rebuilt
/// inside the image anyway) and `scratch` (the ecosystem's caches and backups) stay out, with the
/// Git history, local secrets and editor files every project has.
pub fn dockerignore(build_output: &[&str], scratch: &[&str]) -> Rendered {
    let mut text = String::from(GENERATED_HEADER);
    text.push_str(
        "#\n\
         # What never enters the build context: build output (large, and rebuilt inside the\n\
         # image anyway), the Git history, local secrets and editor files.\n",
    );
    for line in build_output {
        let _ = writeln!(text, "{line}");
    }
    text.push_str(".git\n.github/\n.env*\n*.pem\n*.key\n");
    for line in scratch {
        let _ = writeln!(text, "{line}");
    }
    text.push_str(".idea/\n.vscode/\n");
    (text, BTreeMap::new())
}

/// The Dockerfile and `.dockerignore` of `project`: of its Rust binaries, else its Go main
/// packages, else its Node package, else its Python project; or why there is none.
pub fn for_project(project: &Project, pins: &Pins) -> Result<(Rendered, Rendered), String> {
    let mut reasons = Vec::new();
    if let Some(rust) = &project.rust {
        match unsupported(rust) {
            None => {
                return Ok((
                    dockerfile(rust, pins),
                    dockerignore(&["target/"], &["**/*.rs.bk"]),
                ))
            }
            Some(why) => reasons.push(format!("Rust: {why}")),
        }
    }
    if let Some(go) = &project.go {
        match crate::go::dockerfile(go, pins) {
            Ok(rendered) => return Ok((rendered, dockerignore(&["bin/", "dist/"], &[]))),
            Err(why) => reasons.push(format!("Go: {why}")),
        }
    }
    if let Some(node) = &project.node {
        match crate::node::dockerfile(node, pins) {
            Ok(rendered) => {
                return Ok((
                    rendered,
                    dockerignore(&["node_modules/", "dist/", "build/"], &["npm-debug.log*"]),
                ))
            }
            Err(why) => reasons.push(format!("Node: {why}")),
        }
    }
    if let Some(python) = &project.python {
        match crate::python::dockerfile(python, pins) {
            Ok(rendered) => {
                return Ok((
                    rendered,
                    dockerignore(
                        &[".venv/", "dist/", "build/"],
                        &["__pycache__/", "*.pyc", ".pytest_cache/", ".ruff_cache/"],
                    ),
                ))
            }
            Err(why) => reasons.push(format!("Python: {why}")),
        }
    }
    if reasons.is_empty() {
        return Err(
            "no Cargo.toml, go.mod, package.json or pyproject.toml at the root".to_string(),
        );
    }
    Err(reasons.join("; "))
}
