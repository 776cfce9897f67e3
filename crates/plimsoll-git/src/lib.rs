//! Running `git` on a repository plimsoll does not trust.
//!
//! plimsoll runs on pull requests from strangers, often as root on a CI runner, and a
//! repository's own configuration (`.git/config`, the files it includes, `.gitattributes`) can
//! name commands that git runs while it reads: `core.fsmonitor`, filter drivers
//! (`filter.<driver>.clean`/`smudge`/`process`), diff drivers (`diff.<driver>.command`/
//! `textconv`, `diff.external`), hooks, transports of a partial clone's promisor remote
//! (`core.sshCommand`, `core.gitProxy`), credential helpers, signature checkers. Every git
//! process plimsoll starts goes through [`Git`], which overrides each of them with command-line
//! ("protected") configuration, which wins over the repository's:
//!
//! - fixed settings ([`PROTECTED`]): no fsmonitor, hooks, transports, credential helpers,
//!   pager, signature checks, automatic maintenance, and no embedded bare repository
//!   (`safe.bareRepository=explicit`: a committed folder that looks like a bare repository has
//!   an attacker's `config`);
//! - every filter driver the repository's configuration defines gets empty commands and
//!   `required=false`, which git treats as "no filter" (verified against git 2.47 by this
//!   crate's tests); the names come from `git config --list`, read first;
//! - `log`, `diff` and `show` always get `--no-ext-diff --no-textconv`, which turn diff drivers
//!   off whatever they are named;
//! - the environment: no inherited `GIT_DIR`, `GIT_WORK_TREE`, `GIT_EXTERNAL_DIFF` and the
//!   like, `GIT_NO_LAZY_FETCH=1` (a partial clone would otherwise fetch missing objects on
//!   `cat-file`), no prompts, no optional locks (a read must not write the index, which runs
//!   the `post-index-change` hook).
//!
//! Overrides go through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>` rather
//! than `-c`: a driver name may hold `=`, which `-c name=value` would split at.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Configuration set on every git command, whatever the repository says.
pub const PROTECTED: &[(&str, &str)] = &[
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.sshCommand", ""),
    ("core.gitProxy", ""),
    ("core.askPass", ""),
    ("core.pager", "cat"),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("protocol.allow", "never"),
    ("safe.bareRepository", "explicit"),
    ("log.showSignature", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    // Not a command, but every caller parses paths out of git's output.
    ("core.quotePath", "false"),
];

/// Environment variables that would point git at another repository, work tree or program.
const REMOVED_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
];

/// Environment variables set on every git command.
const SET_ENV: &[(&str, &str)] = &[
    ("GIT_NO_LAZY_FETCH", "1"),
    ("GIT_TERMINAL_PROMPT", "0"),
    ("GIT_OPTIONAL_LOCKS", "0"),
    ("GIT_PAGER", "cat"),
];

/// Keys of a filter driver that name a command (or make its absence an error).
const FILTER_KEYS: &[&str] = &["clean", "smudge", "process"];

/// Subcommands that can run diff drivers, and get `--no-ext-diff --no-textconv`.
const DIFFING: &[&str] = &["log", "diff", "show"];

/// Why git could not be run, or failed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No `git` executable on `PATH`.
    #[error("the `git` executable is not installed or not on PATH")]
    NotInstalled,
    /// git could not be started, or its output read.
    #[error("cannot run git: {0}")]
    Io(#[from] std::io::Error),
    /// git ran and failed.
    #[error("`git {command}` failed: {stderr}")]
    Failed {
        /// The arguments, joined.
        command: String,
        /// What git said, trimmed.
        stderr: String,
    },
}

/// git, run in one folder with the repository's commands disabled.
#[derive(Clone, Debug)]
pub struct Git {
    dir: PathBuf,
    overrides: Vec<(String, String)>,
}

impl Git {
    /// Prepare to run git in `dir`: reads the configuration git would use there (one
    /// `git config --list`, itself hardened) to find the filter drivers to disable. A folder
    /// outside any repository is fine; the commands run later will say so.
    pub fn new(dir: &Path) -> Result<Git, GitError> {
        let mut git = Git {
            dir: dir.to_path_buf(),
            overrides: Vec::new(),
        };
        let output = git.output(["config", "--list", "-z"])?;
        if output.status.success() {
            git.overrides = driver_overrides(&output.stdout);
        }
        Ok(git)
    }

    /// Let git reach remotes over `transports`, git's `protocol.<name>.allow` names (`https`,
    /// `ssh`, `file`), which [`PROTECTED`] otherwise refuses all of: for reading a remote the
    /// user named (`ls-remote`), never one a repository names. Every command-naming setting
    /// stays overridden, so a transport allowed here still runs no configured program
    /// (`core.sshCommand` is empty: plain `ssh`).
    #[must_use]
    pub fn allowing_transports(mut self, transports: &[&str]) -> Git {
        for name in transports {
            self.overrides
                .push((format!("protocol.{name}.allow"), "always".to_string()));
        }
        self
    }

    /// The folder git runs in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A hardened `git -C <dir> <args>`, stdin closed; the caller sets the other streams.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new("git");
        command.arg("-C").arg(&self.dir);
        for var in REMOVED_ENV {
            command.env_remove(var);
        }
        command.envs(SET_ENV.iter().copied());
        let all = PROTECTED
            .iter()
            .map(|(k, v)| (*k, *v))
            .chain(self.overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut count = 0;
        for (index, (key, value)) in all.enumerate() {
            command.env(format!("GIT_CONFIG_KEY_{index}"), key);
            command.env(format!("GIT_CONFIG_VALUE_{index}"), value);
            count = index + 1;
        }
        command.env("GIT_CONFIG_COUNT", count.to_string());
        let mut args = args.into_iter();
        if let Some(subcommand) = args.next() {
            let diffing = DIFFING.iter().any(|d| OsStr::new(d) == subcommand.as_ref());
            command.arg(subcommand);
            if diffing {
                command.args(["--no-ext-diff", "--no-textconv"]);
            }
        }
        command.args(args).stdin(Stdio::null());
        command
    }

    /// Run git with `args` and collect its output, whether it succeeded or not.
    pub fn output<I, S>(&self, args: I) -> Result<Output, GitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(args).output().map_err(spawn_error)
    }

    /// Run git with `args`; its standard output when it succeeds, else [`GitError::Failed`].
    pub fn stdout<I, S>(&self, args: I) -> Result<Vec<u8>, GitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<S> = args.into_iter().collect();
        let output = self.output(&args)?;
        if !output.status.success() {
            return Err(GitError::Failed {
                command: args
                    .iter()
                    .map(|a| a.as_ref().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(" "),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
            });
        }
        Ok(output.stdout)
    }
}

/// The tags and branches of a remote, as `git ls-remote` lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteRefs {
    /// Tag name → the commit it points to (an annotated tag peeled to its commit).
    pub tags: BTreeMap<String, String>,
    /// Branch name → the commit at its tip.
    pub heads: BTreeMap<String, String>,
}

/// The tags and branches of the remote at `url` whose names end with one of `patterns` (git's
/// `ls-remote` patterns: `v4` matches `refs/tags/v4` and `refs/heads/v4`), or all of them when
/// `patterns` is empty. Each pattern is also asked with `^{}` appended, since git lists the
/// commit an annotated tag points to under that name and a pattern matches names exactly.
///
/// Run outside any repository with only the transports a remote worth trusting for a pin is
/// read over: https, ssh, and local paths (mirrors, tests). Plain-text http and git:// are
/// refused, since a SHA read over them could be swapped in transit, and no command a
/// configuration names (ssh wrapper, credential helper) runs. A connection that stalls (under
/// one byte a second for 20 seconds) is given up.
pub fn ls_remote(url: &str, patterns: &[&str]) -> Result<RemoteRefs, GitError> {
    let git = Git::new(&std::env::temp_dir())?.allowing_transports(&["https", "ssh", "file"]);
    let mut command = git.command(["ls-remote", "--tags", "--heads", "--", url]);
    for pattern in patterns {
        command.arg(pattern).arg(format!("{pattern}^{{}}"));
    }
    command
        .env("GIT_HTTP_LOW_SPEED_LIMIT", "1")
        .env("GIT_HTTP_LOW_SPEED_TIME", "20");
    let output = command.output().map_err(spawn_error)?;
    if !output.status.success() {
        return Err(GitError::Failed {
            command: format!("ls-remote {url}"),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(parse_ls_remote(&String::from_utf8_lossy(&output.stdout)))
}

/// Read `git ls-remote` output: `<sha>\t<ref>` lines; a tag's `^{}` line (the commit an
/// annotated tag points to) wins over the tag object's own SHA.
fn parse_ls_remote(listing: &str) -> RemoteRefs {
    let mut refs = RemoteRefs::default();
    let mut peeled = BTreeMap::new();
    for line in listing.lines() {
        let Some((sha, reference)) = line.split_once('\t') else {
            continue;
        };
        if let Some(tag) = reference.strip_prefix("refs/tags/") {
            match tag.strip_suffix("^{}") {
                Some(tag) => peeled.insert(tag.to_string(), sha.to_string()),
                None => refs.tags.insert(tag.to_string(), sha.to_string()),
            };
        } else if let Some(branch) = reference.strip_prefix("refs/heads/") {
            refs.heads.insert(branch.to_string(), sha.to_string());
        }
    }
    refs.tags.extend(peeled);
    refs
}

/// Whether `rel`, a path git listed (`ls-files`), names something inside the work tree: only
/// plain names, no `..`, no root, no `.`. git writes such paths into its index itself, but a
/// hostile repository's `.git/index` is the attacker's file, and git lists its entries as they
/// are: `../../etc/shadow` joined to the root would be read outside the tree.
pub fn is_inside_work_tree(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Map a failure to start git to [`GitError`], naming a missing executable.
pub fn spawn_error(error: std::io::Error) -> GitError {
    if error.kind() == std::io::ErrorKind::NotFound {
        GitError::NotInstalled
    } else {
        GitError::Io(error)
    }
}

/// Empty commands for every filter driver named in `git config --list -z` output, so that git
/// treats the driver as absent.
fn driver_overrides(listing: &[u8]) -> Vec<(String, String)> {
    let mut drivers: Vec<String> = listing
        .split(|&b| b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let key = entry.split_once('\n').map_or(&*entry, |(key, _)| key);
            let (section, rest) = key.split_once('.')?;
            let (driver, _) = rest.rsplit_once('.')?;
            section
                .eq_ignore_ascii_case("filter")
                .then(|| driver.to_string())
        })
        .collect();
    drivers.sort();
    drivers.dedup();
    let mut overrides = Vec::new();
    for driver in drivers {
        for key in FILTER_KEYS {
            overrides.push((format!("filter.{driver}.{key}"), String::new()));
        }
        overrides.push((format!("filter.{driver}.required"), "false".to_string()));
    }
    overrides
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotated_tags_are_peeled_and_branches_kept_apart() {
        let listing = "aaa\trefs/heads/main\nbbb\trefs/tags/v1\nccc\trefs/tags/v2\nddd\trefs/tags/v2^{}\neee\trefs/pull/1/head\n";
        let refs = parse_ls_remote(listing);
        assert_eq!(refs.heads.get("main").map(String::as_str), Some("aaa"));
        assert_eq!(refs.tags.get("v1").map(String::as_str), Some("bbb"));
        assert_eq!(refs.tags.get("v2").map(String::as_str), Some("ddd"));
        assert_eq!(refs.tags.len() + refs.heads.len(), 3);
    }

    #[test]
    fn listed_paths_outside_the_work_tree_are_told() {
        assert!(is_inside_work_tree("a/b/.env"));
        assert!(is_inside_work_tree(".github/workflows/ci.yml"));
        for outside in ["", "../x", "a/../../x", "/etc/passwd", "./a"] {
            assert!(!is_inside_work_tree(outside), "{outside}");
        }
    }

    #[test]
    fn every_filter_driver_is_emptied_and_optional() {
        let listing = b"core.bare\nfalse\0filter.lfs.clean\ngit-lfs clean\0\
filter.a=b.c.process\ntouch x\0diff.y.textconv\ncat\0";
        let overrides = driver_overrides(listing);
        let keys: Vec<&str> = overrides.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "filter.a=b.c.clean",
                "filter.a=b.c.smudge",
                "filter.a=b.c.process",
                "filter.a=b.c.required",
                "filter.lfs.clean",
                "filter.lfs.smudge",
                "filter.lfs.process",
                "filter.lfs.required",
            ]
        );
    }
}
