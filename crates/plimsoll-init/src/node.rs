//! A Node package's CI workflow and Dockerfile: installs from the lockfile with the package
//! manager it belongs to, runs the package's own `lint`, `build` and `test` scripts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ci::{checkout_step, job_header, preamble, LINUX};
use crate::pins::Pins;
use crate::project::NodeProject;
use crate::GENERATED_HEADER;
use crate::{InitError, Rendered};

/// Where the workflow is written.
pub const PATH: &str = ".github/workflows/node.yml";

/// The Node major release to use, and why: the first one `engines.node` names (`^20`, `20.x`,
/// `~20.1`, `20`, `>=18 <21`), except for a lower bound alone (`>=18`) or alternatives
/// (`18 || 20`), where the pinned long-term-support release is used.
fn node_release(node: &NodeProject, pins: &Pins) -> Result<(String, String), InitError> {
    let pinned = pins.runtime("node")?.to_string();
    let Some(engines) = node.engines_node.as_deref().map(str::trim) else {
        return Ok((
            pinned.clone(),
            format!("package.json sets no engines.node: Node {pinned}, the pinned LTS release"),
        ));
    };
    let first_major: Option<String> = engines
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .filter(|major| !major.is_empty())
        .map(str::to_string);
    match first_major {
        // A lower bound alone (`>=18`) accepts the LTS release; any other range (`^20`,
        // `>=18 <21`) is met by its first major.
        Some(major)
            if (!engines.starts_with('>') || engines.contains('<')) && !engines.contains("||") =>
        {
            Ok((
                major.clone(),
                format!("package.json's engines.node is `{engines}`: Node {major}"),
            ))
        }
        _ => Ok((
            pinned.clone(),
            format!(
                "package.json's engines.node is `{engines}`: Node {pinned}, the pinned LTS release"
            ),
        )),
    }
}

/// The command that installs the dependencies as the lockfile pins them.
fn install_command(node: &NodeProject) -> &'static str {
    match (node.manager(), node.lockfile.is_some()) {
        ("pnpm", _) => "pnpm install --frozen-lockfile",
        ("yarn", _) => "yarn install --frozen-lockfile",
        (_, true) => "npm ci",
        (_, false) => "npm install",
    }
}

/// The CI workflow, or why there is none.
pub fn ci(
    node: &NodeProject,
    pins: &Pins,
) -> Result<Result<(&'static str, Rendered), String>, InitError> {
    if node.manager() == "bun" {
        return Ok(Err(
            "Node: bun.lockb: a bun project's workflow is not generated (setup-node does not install bun)"
                .to_string(),
        ));
    }
    let checkout = pins.uses("actions/checkout")?;
    let setup = pins.uses("actions/setup-node")?;
    let (release, why_release) = node_release(node, pins)?;
    let manager = node.manager();
    let mut out = preamble(
        "Node CI",
        &format!(
            "The Node package of package.json, installed with {manager}{}.",
            match &node.lockfile {
                Some(lockfile) => format!(" from {lockfile}"),
                None => " (no lockfile: commit one so CI installs what you tested)".to_string(),
            }
        ),
    );
    out.push_str("\njobs:\n");
    job_header(&mut out, "test", "Lint, build and test", LINUX, 15);
    out.push_str("    steps:\n");
    checkout_step(&mut out, &checkout);
    if manager != "npm" {
        out.push_str(&format!(
            "      # Corepack, shipped with Node, installs the {manager} release package.json's\n\
             \x20     # packageManager names.\n\
             \x20     - run: corepack enable\n"
        ));
    }
    let _ = writeln!(out, "      # {why_release}.");
    let _ = writeln!(
        out,
        "      - uses: {setup}\n        with:\n          node-version: \"{release}\""
    );
    if node.lockfile.is_some() {
        let _ = writeln!(
            out,
            "          # The package cache, keyed on the lockfile.\n          cache: {manager}"
        );
    }
    let _ = writeln!(out, "      - run: {}", install_command(node));
    let mut ran = Vec::new();
    for script in ["lint", "build", "test"] {
        if node.has_script(script) {
            let _ = writeln!(out, "      - run: {manager} run {script}");
            ran.push(script);
        } else {
            let _ = writeln!(
                out,
                "      # No `{script}` script in package.json: add one and a step here."
            );
        }
    }
    let mut inputs = BTreeMap::new();
    inputs.insert("manager".to_string(), manager.to_string());
    inputs.insert("node".to_string(), release);
    inputs.insert("scripts".to_string(), ran.join(","));
    inputs.insert("pins".to_string(), format!("{checkout}; {setup}"));
    Ok(Ok((PATH, (out, inputs))))
}

/// The Dockerfile, or why there is none.
pub fn dockerfile(node: &NodeProject, pins: &Pins) -> Result<Rendered, String> {
    let Some(lockfile) = &node.lockfile else {
        return Err(
            "no lockfile (commit one, so the image installs the versions CI tested)".to_string(),
        );
    };
    let manager = node.manager();
    if manager == "bun" {
        return Err("bun.lockb: a bun image is not generated".to_string());
    }
    let (release, why_release) = node_release(node, pins).map_err(|err| err.to_string())?;
    let main = node.main.as_deref().unwrap_or("index.js");
    let corepack = if manager == "npm" {
        ""
    } else {
        "corepack enable && "
    };
    let mut out = format!(
        "{GENERATED_HEADER}\
         \n\
         # Build stage: {why_release}.\n\
         FROM node:{release}-bookworm-slim AS build\n\
         WORKDIR /app\n\
         \n\
         # Dependencies first: the manifest and {lockfile} alone, so the install layer is rebuilt\n\
         # only when they change.\n\
         COPY package.json {lockfile} ./\n\
         RUN {corepack}{install}\n\
         \n\
         # Then the sources (.dockerignore keeps node_modules, .git and secrets out).\n\
         COPY . .\n",
        install = install_command(node),
    );
    // Only production dependencies reach the final image.
    let prune = match manager {
        "pnpm" => Some("pnpm prune --prod"),
        "npm" => Some("npm prune --omit=dev"),
        _ => None,
    };
    let build = node
        .has_script("build")
        .then(|| format!("{manager} run build"));
    let steps: Vec<String> = build.into_iter().chain(prune.map(str::to_string)).collect();
    if !steps.is_empty() {
        let _ = writeln!(
            out,
            "# The package's build, then the development dependencies are dropped.\nRUN {}",
            steps.join(" && ")
        );
    }
    let _ = write!(
        out,
        "\n\
         # Final stage: the same Node release without the build's leftovers.\n\
         FROM node:{release}-bookworm-slim\n\
         WORKDIR /app\n\
         ENV NODE_ENV=production\n\
         COPY --from=build /app /app\n\
         # The image's unprivileged `node` user, by number (1000) so a runAsNonRoot policy can\n\
         # check it; the files stay root's, so the process cannot rewrite its own code.\n\
         USER 1000:1000\n\
         # package.json's `main` (index.js when it names none).\n\
         ENTRYPOINT [\"node\", \"{main}\"]\n"
    );
    let mut inputs = BTreeMap::new();
    inputs.insert("manager".to_string(), manager.to_string());
    inputs.insert("node".to_string(), release);
    inputs.insert("main".to_string(), main.to_string());
    Ok((out, inputs))
}
