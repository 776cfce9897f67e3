//! The packages of a Cargo workspace, read from the manifests of a revision.
//!
//! `cargo test --workspace` tests every member of the workspace; whether a set of `cargo test -p
//! a`, `-p b`, … runs as much depends on that list, which lives in the root `Cargo.toml` (cargo's
//! manifest format: `[workspace] members` are paths or globs of package folders, `exclude`
//! removes folders, and a root manifest with a `[package]` is a member itself). A revision kept
//! of `.github` alone holds no manifest: then the list is not known.

use std::collections::BTreeSet;

use crate::snapshot::{is_cargo_manifest, Snapshot};

/// The package names of the workspace whose root manifest is `Cargo.toml` at the top of
/// `version`; `None` when the revision holds no such manifest (or it does not parse).
pub fn members(version: &Snapshot) -> Option<BTreeSet<String>> {
    let root: toml::Table = version.manifests.get("Cargo.toml")?.parse().ok()?;
    let package_name = |manifest: &toml::Table| -> Option<String> {
        manifest
            .get("package")?
            .get("name")?
            .as_str()
            .map(str::to_string)
    };
    let mut names: BTreeSet<String> = package_name(&root).into_iter().collect();
    let Some(workspace) = root.get("workspace").and_then(toml::Value::as_table) else {
        return Some(names);
    };
    let patterns = |key: &str| -> Vec<String> {
        workspace
            .get(key)
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(toml::Value::as_str)
            .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string())
            .collect()
    };
    let (included, excluded) = (patterns("members"), patterns("exclude"));
    for (path, text) in &version.manifests {
        let Some(folder) = path.strip_suffix("/Cargo.toml") else {
            continue;
        };
        if !is_cargo_manifest(path)
            || !included.iter().any(|p| folder_matches(p, folder))
            || excluded
                .iter()
                .any(|p| folder_matches(p, folder) || folder.starts_with(&format!("{p}/")))
        {
            continue;
        }
        if let Some(name) = text
            .parse::<toml::Table>()
            .ok()
            .as_ref()
            .and_then(package_name)
        {
            names.insert(name);
        }
    }
    Some(names)
}

/// Whether a member pattern (a path whose parts may hold `*`, as cargo's globs) names `folder`.
fn folder_matches(pattern: &str, folder: &str) -> bool {
    let (pattern, folder): (Vec<&str>, Vec<&str>) =
        (pattern.split('/').collect(), folder.split('/').collect());
    pattern.len() == folder.len()
        && pattern
            .iter()
            .zip(&folder)
            .all(|(p, f)| crate::equivalence::part_matches(p.as_bytes(), f.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_the_packages_the_root_manifest_names() {
        let mut version = Snapshot::default();
        for (path, text) in [
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\", \"tools/gen\"]\nexclude = [\"crates/old\"]\n",
            ),
            ("crates/core/Cargo.toml", "[package]\nname = \"app-core\"\n"),
            ("crates/cli/Cargo.toml", "[package]\nname = \"app\"\n"),
            ("crates/old/Cargo.toml", "[package]\nname = \"app-old\"\n"),
            ("tools/gen/Cargo.toml", "[package]\nname = \"gen\"\n"),
            ("vendor/x/Cargo.toml", "[package]\nname = \"vendored\"\n"),
        ] {
            version.manifests.insert(path.into(), text.into());
        }
        let names: Vec<String> = members(&version).into_iter().flatten().collect();
        assert_eq!(names, ["app", "app-core", "gen"]);
        version.manifests.clear();
        assert_eq!(members(&version), None);
    }
}
