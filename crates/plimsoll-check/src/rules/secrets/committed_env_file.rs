use std::path::{Path, PathBuf};

use crate::declare_rule;
use crate::discovery::normalize;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};
use crate::secrets::{is_placeholder, is_secret_key, token_kind};

declare_rule! {
    /// ## What it does
    /// Flags `.env` files (`.env`, `.env.production`, `config/.env.local`) that git tracks in
    /// a checked directory and that hold a credential: a secret-named key (`DB_PASSWORD`) with
    /// a value that is not a placeholder, or a value shaped like a known token. A `.env` of
    /// paths, ports and log levels is not flagged. Templates meant to be committed (`.env.example`, `.env.sample`,
    /// `.env.template`, `.env.dist`, `.env.defaults`) are not flagged; the secrets in them, if
    /// any, are found by `hardcoded-secret`. Needs the `git` executable; outside a git
    /// repository the rule finds nothing.
    ///
    /// ## Why is this bad?
    /// `.env` files exist to keep credentials and machine-specific settings out of the code.
    /// Once committed, every clone has them and history keeps them after they are deleted; the
    /// next credential someone adds to the file is published without anyone deciding to.
    ///
    /// ## Example
    /// ```text
    /// $ git ls-files
    /// .env
    /// app.py
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ git rm --cached .env && echo .env >> .gitignore
    /// $ git ls-files
    /// .env.example      # the variables, with placeholders
    /// .gitignore
    /// app.py
    /// ```
    pub struct CommittedEnvFile {
        id: "SEC002",
        name: "committed-env-file",
        severity: Error,
        domain: Secrets,
        summary: "A `.env` file is tracked by git",
        help: "`git rm --cached` it, add it to .gitignore, rotate what it held, and commit a `.env.example` with placeholders instead",
        sensitive: true,
    }
}

/// Suffixes of `.env.<suffix>` files that are templates, meant to be committed.
const TEMPLATE_SUFFIXES: &[&str] = &[
    "example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "default", "schema",
];

/// Whether a file called `name` is an environment file that should not be committed.
pub fn is_private_env_file(name: &str) -> bool {
    if name == ".env" {
        return true;
    }
    let Some(suffix) = name.strip_prefix(".env.") else {
        return false;
    };
    !suffix.is_empty()
        && !suffix
            .split('.')
            .any(|part| TEMPLATE_SUFFIXES.contains(&part.to_ascii_lowercase().as_str()))
}

/// The `.env` files git tracks under `root`, as paths joined to `root`; none when `root` is not
/// in a git work tree or git is not installed.
fn tracked_env_files(root: &Path) -> Vec<PathBuf> {
    let output = plimsoll_git::Git::new(root).and_then(|git| {
        git.output([
            "ls-files",
            "-z",
            "--cached",
            "--",
            ":(glob)**/.env",
            ":(glob)**/.env.*",
        ])
    });
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(_) => {
            tracing::debug!(
                "{}: not in a git work tree; tracked .env files not checked",
                root.display()
            );
            return Vec::new();
        }
        Err(err) => {
            tracing::debug!("git not run ({err}); tracked .env files not checked");
            return Vec::new();
        }
    };
    output
        .stdout
        .split(|&b| b == 0)
        .filter_map(|raw| std::str::from_utf8(raw).ok())
        .filter(|rel| plimsoll_git::is_inside_work_tree(rel))
        .filter(|rel| {
            Path::new(rel)
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_private_env_file)
        })
        .map(|rel| normalize(&root.join(rel)))
        .collect()
}

impl Rule for CommittedEnvFile {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_repository(&self, repo: &Repository, out: &mut Vec<RepositoryDiagnostic>) {
        for path in tracked_env_files(&repo.root) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let message = match plimsoll_syntax::file::read_regular(&path, repo.max_file_size) {
                Ok(bytes) => {
                    let holds = secret_settings(&String::from_utf8_lossy(&bytes));
                    if holds.is_empty() {
                        // Paths, ports and log levels: settings, not secrets.
                        continue;
                    }
                    let names = holds
                        .iter()
                        .map(|key| format!("`{key}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!(
                        "`{name}` is committed with a value for {names}: every clone and the history have it"
                    )
                }
                // What cannot be read may hold anything.
                Err(_) => {
                    format!("`{name}` is committed: every clone and the history have what it holds")
                }
            };
            out.push(RepositoryDiagnostic {
                rule: &Self::META,
                message,
                path,
                span: None,
            });
        }
    }
}

/// The keys of the `KEY=value` lines of an env file (dotenv syntax: `export`, quotes and
/// comments allowed) whose value is a credential: a secret-named key with a value that is not a
/// placeholder, a reference or empty, or any value shaped like a known token.
fn secret_settings(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let value = value.trim().trim_matches(['"', '\'']).trim();
        let credential = if is_secret_key(key) {
            !value.is_empty() && !is_placeholder(value)
        } else {
            token_kind(value).is_some()
        };
        if credential && !keys.iter().any(|k| k == key) {
            keys.push(key.to_string());
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_not_private() {
        for name in [".env", ".env.local", ".env.production", ".env.prod.local"] {
            assert!(is_private_env_file(name), "{name}");
        }
        for name in [
            ".env.example",
            ".env.sample",
            ".env.local.example",
            ".env.TEMPLATE",
            ".envrc",
            "prod.env",
            ".env.",
        ] {
            assert!(!is_private_env_file(name), "{name}");
        }
    }
}
