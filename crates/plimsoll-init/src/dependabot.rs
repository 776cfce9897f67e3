//! `.github/dependabot.yml`: weekly, grouped updates for every package ecosystem the project
//! uses, and for the actions its workflows pin.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::project::Project;
use crate::Rendered;
use crate::GENERATED_HEADER;

/// Where the configuration is written.
pub const PATH: &str = ".github/dependabot.yml";

/// The configuration's text and the facts it was generated from.
pub fn generate(project: &Project) -> Rendered {
    // (ecosystem, why it is there)
    let mut ecosystems: Vec<(&str, String)> = Vec::new();
    if project.rust.is_some() {
        ecosystems.push(("cargo", "Cargo.toml".to_string()));
    }
    if let Some(node) = &project.node {
        let why = match &node.lockfile {
            Some(lockfile) => format!("package.json, locked by {lockfile}"),
            None => "package.json".to_string(),
        };
        ecosystems.push(("npm", why));
    }
    if let Some(python) = &project.python {
        // Dependabot's `pip` ecosystem covers pip requirements, Poetry and Pipenv; uv has its own.
        let ecosystem = if python.tool == "uv" { "uv" } else { "pip" };
        ecosystems.push((
            ecosystem,
            format!("a Python project managed with {}", python.tool),
        ));
    }
    if project.go.is_some() {
        ecosystems.push(("gomod", "go.mod".to_string()));
    }
    if project.dockerfile {
        ecosystems.push(("docker", "the Dockerfile's base images".to_string()));
    }
    ecosystems.push((
        "github-actions",
        "the actions the workflows pin, SHA and version comment together".to_string(),
    ));

    let mut out = String::from(GENERATED_HEADER);
    out.push_str(
        "#\n\
         # One weekly pull request per ecosystem: updates are grouped so they arrive as one\n\
         # reviewable change rather than a dozen, and a new release waits a week (cooldown) so a\n\
         # compromised or broken one is usually yanked before it is proposed.\n\
         version: 2\n\
         updates:\n",
    );
    for (index, (ecosystem, why)) in ecosystems.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = write!(
            out,
            "  # {why}\n\
             \x20 - package-ecosystem: {ecosystem}\n\
             \x20   directory: /\n\
             \x20   schedule:\n\
             \x20     interval: weekly\n\
             \x20   cooldown:\n\
             \x20     default-days: 7\n\
             \x20   groups:\n\
             \x20     {ecosystem}:\n\
             \x20       patterns:\n\
             \x20         - \"*\"\n"
        );
    }
    let mut inputs = BTreeMap::new();
    inputs.insert(
        "ecosystems".to_string(),
        ecosystems
            .iter()
            .map(|(e, _)| *e)
            .collect::<Vec<_>>()
            .join(","),
    );
    (out, inputs)
}
