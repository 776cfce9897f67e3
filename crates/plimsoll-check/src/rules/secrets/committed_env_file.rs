use std::path::{Path, PathBuf};

use crate::declare_rule;
use crate::discovery::normalize;
use crate::finding::RuleMeta;
use crate::repository::Repository;
use crate::rule::{RepositoryDiagnostic, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `.env` files (`.env`, `.env.production`, `config/.env.local`) that git tracks in
    /// a checked directory. Templates meant to be committed (`.env.example`, `.env.sample`,
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
            out.push(RepositoryDiagnostic {
                rule: &Self::META,
                message: format!(
                    "`{name}` is committed: every clone and the history have what it holds"
                ),
                path,
                span: None,
            });
        }
    }
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
