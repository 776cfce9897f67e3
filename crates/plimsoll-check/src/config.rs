//! Configuration in layers: built-in defaults, `plimsoll.toml` (found upward from the target, up
//! to the root of its repository), `plimsoll.<PLIMSOLL_ENV>.toml` beside it, `PLIMSOLL_*`
//! environment variables, then flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::finding::{RuleMeta, Severity};
use crate::registry;

/// The name of the configuration file.
pub const CONFIG_FILE: &str = "plimsoll.toml";

/// The largest configuration file read.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// Default limit on the size of a file that is read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = plimsoll_syntax::file::DEFAULT_MAX_FILE_SIZE;

/// A configuration problem, with the file and line it comes from when there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A bad key or value in a configuration file.
    #[error("{}:{line}:{column}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected.
        message: String,
    },
    /// A configuration file that cannot be read.
    #[error("{}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error, said in the message: not a `source`, or a report of the error chain
        /// (`{:#}`) says it twice.
        reason: std::io::Error,
    },
    /// A bad environment variable or flag value.
    #[error("{origin}: {message}")]
    Value {
        /// `PLIMSOLL_FAIL_ON`, `--fail-on`, …
        origin: String,
        /// What was expected.
        message: String,
    },
}

/// What a rule is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    /// Disabled.
    Off,
    /// Enabled at its default severity (turns strict-only rules on).
    On,
    /// Enabled at this severity.
    Level(Severity),
}

impl std::str::FromStr for RuleSetting {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" => Ok(RuleSetting::Off),
            "on" => Ok(RuleSetting::On),
            other => other.parse().map(RuleSetting::Level).map_err(|_| {
                format!(
                    "`{other}` is not a rule setting (expected off, on, error, warning or note)"
                )
            }),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    fail_on: Option<Spanned<String>>,
    strict: Option<bool>,
    max_file_size: Option<u64>,
    exclude: Option<Vec<Spanned<String>>>,
    test_data: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    terraform: Option<TerraformConfig>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TerraformConfig {
    required_tags: Option<Vec<Spanned<String>>>,
    backend_exempt: Option<Vec<Spanned<String>>>,
}

/// Tags every taggable Terraform resource carries by default.
pub const DEFAULT_REQUIRED_TAGS: &[&str] = &["environment", "service", "team", "cost-center"];

/// Folders whose Terraform may keep local state by default: examples and tests.
pub const DEFAULT_BACKEND_EXEMPT: &[&str] = &[
    "**/example",
    "**/examples",
    "**/test",
    "**/tests",
    "**/testdata",
    "**/testing",
    "**/fixtures",
];

/// Folders holding test data by default: what is in them is neither shipped nor deployed, so
/// their findings are notes. `examples/` is not among them: examples are documentation users
/// copy, and are held to the standards.
pub const DEFAULT_TEST_DATA: &[&str] = &[
    "**/test",
    "**/tests",
    "**/testdata",
    "**/test-data",
    "**/fixtures",
    "**/__fixtures__",
    "**/__tests__",
];

/// Terraform settings (`[terraform]` in `plimsoll.toml`).
#[derive(Clone, Debug)]
pub struct TerraformSettings {
    /// Tags each taggable resource must carry (`required-tags`).
    pub required_tags: Vec<String>,
    /// Folders (globs, relative to the configuration's folder) exempt from the remote-state
    /// rule (`backend-exempt`), together with everything inside them.
    backend_exempt: GlobSet,
}

impl Default for TerraformSettings {
    fn default() -> Self {
        let patterns: Vec<String> = DEFAULT_BACKEND_EXEMPT
            .iter()
            .map(|g| g.to_string())
            .collect();
        TerraformSettings {
            required_tags: DEFAULT_REQUIRED_TAGS
                .iter()
                .map(|t| t.to_string())
                .collect(),
            backend_exempt: build_globs(&patterns).unwrap_or_else(|_| GlobSet::empty()),
        }
    }
}

/// Overrides from the command line (the last layer).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--fail-on`.
    pub fail_on: Option<String>,
    /// `--strict`.
    pub strict: bool,
    /// `--exclude` globs.
    pub exclude: Vec<String>,
    /// `--enable` rule names or ids.
    pub enable: Vec<String>,
    /// `--disable` rule names or ids.
    pub disable: Vec<String>,
    /// `--config FILE` instead of searching upward.
    pub config_file: Option<PathBuf>,
    /// `--isolated`: read no configuration file.
    pub isolated: bool,
    /// `--force-exclude`: exclusions apply to the paths named on the command line too.
    pub force_exclude: bool,
    /// Folders of test data instead of the configured ones (`Some(vec![])`: none, as the
    /// rules' own fixture tests want).
    pub test_data: Option<Vec<String>>,
}

/// Which exclusions apply inside a path named on the command line
/// ([`Settings::exclusions_under`]).
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    /// By index in the exclusion globs: waived because it excludes the named path itself.
    waived: Vec<bool>,
}

/// Effective settings after every layer.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Findings at or above this severity make the run fail.
    pub fail_on: Severity,
    /// Strict mode: strict-only rules are on.
    pub strict: bool,
    /// Files larger than this are reported instead of read.
    pub max_file_size: u64,
    /// Folder of the configuration file (globs are relative to it), or the working directory.
    pub root: PathBuf,
    /// Configuration files that were read, in order.
    pub sources: Vec<PathBuf>,
    /// Exclusions apply to the paths named on the command line too (`--force-exclude`);
    /// otherwise a path named is checked, with what it holds, even when excluded.
    pub force_exclude: bool,
    exclude: GlobSet,
    /// Folders of test data (`test-data`): findings in them are lowered to notes.
    test_data: GlobSet,
    rules: BTreeMap<&'static str, RuleSetting>,
    per_path_ignores: Vec<(GlobSet, Vec<&'static str>)>,
    /// Terraform settings.
    pub terraform: TerraformSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            fail_on: Severity::Warning,
            strict: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            root: PathBuf::from("."),
            sources: Vec::new(),
            force_exclude: false,
            exclude: GlobSet::empty(),
            test_data: default_test_data(),
            rules: BTreeMap::new(),
            per_path_ignores: Vec::new(),
            terraform: TerraformSettings::default(),
        }
    }
}

impl Settings {
    /// Load every layer for a run over `target`, reading `PLIMSOLL_*` from `env`.
    pub fn load(
        target: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Settings, ConfigError> {
        let mut settings = Settings::default();
        let mut exclude = Vec::new();
        let file = match &overrides.config_file {
            Some(path) => Some(path.clone()),
            None if overrides.isolated => None,
            None => find_upward(target),
        };
        if let Some(path) = file {
            settings.root = path.parent().map(Path::to_path_buf).unwrap_or_default();
            if settings.root.as_os_str().is_empty() {
                settings.root = PathBuf::from(".");
            }
            settings.apply_file(&path, &mut exclude)?;
            if let Some(name) = env("PLIMSOLL_ENV").filter(|n| !n.is_empty()) {
                let env_file = settings.root.join(format!("plimsoll.{name}.toml"));
                if env_file.is_file() {
                    settings.apply_file(&env_file, &mut exclude)?;
                }
            }
        }
        if let Some(value) = env("PLIMSOLL_FAIL_ON") {
            settings.fail_on = value.parse().map_err(|message| ConfigError::Value {
                origin: "PLIMSOLL_FAIL_ON".into(),
                message,
            })?;
        }
        if let Some(value) = env("PLIMSOLL_STRICT") {
            settings.strict = parse_bool(&value).ok_or_else(|| ConfigError::Value {
                origin: "PLIMSOLL_STRICT".into(),
                message: format!("`{value}` is not a boolean (expected true, false, 1 or 0)"),
            })?;
        }
        if let Some(value) = env("PLIMSOLL_MAX_FILE_SIZE") {
            settings.max_file_size = value.parse().map_err(|_| ConfigError::Value {
                origin: "PLIMSOLL_MAX_FILE_SIZE".into(),
                message: format!("`{value}` is not a size in bytes"),
            })?;
        }
        if let Some(value) = env("PLIMSOLL_EXCLUDE") {
            exclude.extend(split_list(&value));
        }
        for (var, setting) in [
            ("PLIMSOLL_ENABLE", RuleSetting::On),
            ("PLIMSOLL_DISABLE", RuleSetting::Off),
        ] {
            if let Some(value) = env(var) {
                for name in split_list(&value) {
                    settings.set_rule(&name, setting, var)?;
                }
            }
        }
        if let Some(value) = &overrides.fail_on {
            settings.fail_on = value.parse().map_err(|message| ConfigError::Value {
                origin: "--fail-on".into(),
                message,
            })?;
        }
        settings.strict |= overrides.strict;
        settings.force_exclude = overrides.force_exclude;
        exclude.extend(overrides.exclude.iter().cloned());
        for name in &overrides.enable {
            settings.set_rule(name, RuleSetting::On, "--enable")?;
        }
        for name in &overrides.disable {
            settings.set_rule(name, RuleSetting::Off, "--disable")?;
        }
        if let Some(patterns) = &overrides.test_data {
            settings.test_data = build_globs(patterns).map_err(|message| ConfigError::Value {
                origin: "test-data".into(),
                message,
            })?;
        }
        settings.exclude = build_globs(&exclude).map_err(|message| ConfigError::Value {
            origin: "exclude".into(),
            message,
        })?;
        Ok(settings)
    }

    fn set_rule(
        &mut self,
        name: &str,
        setting: RuleSetting,
        origin: &str,
    ) -> Result<(), ConfigError> {
        let rule = registry::find(name).ok_or_else(|| ConfigError::Value {
            origin: origin.into(),
            message: format!("unknown rule `{name}` (see `plimsoll rules`)"),
        })?;
        self.rules.insert(rule.name, setting);
        Ok(())
    }

    fn apply_file(&mut self, path: &Path, exclude: &mut Vec<String>) -> Result<(), ConfigError> {
        let text = plimsoll_syntax::file::read_regular(path, MAX_CONFIG_SIZE)
            .and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e).into())
            })
            .map_err(|err| ConfigError::Read {
                path: path.to_path_buf(),
                reason: std::io::Error::other(err),
            })?;
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_col(&text, span.start);
            ConfigError::File {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let config: FileConfig = toml::from_str(&text).map_err(|err| {
            let span = err.span().unwrap_or(0..0);
            at(span, err.message().trim().to_string())
        })?;
        self.sources.push(path.to_path_buf());
        if let Some(fail_on) = config.fail_on {
            self.fail_on = fail_on
                .get_ref()
                .parse()
                .map_err(|message| at(fail_on.span(), message))?;
        }
        if let Some(strict) = config.strict {
            self.strict = strict;
        }
        if let Some(size) = config.max_file_size {
            self.max_file_size = size;
        }
        for glob in config.exclude.unwrap_or_default() {
            Glob::new(glob.get_ref()).map_err(|e| at(glob.span(), format!("bad glob: {e}")))?;
            exclude.push(glob.into_inner());
        }
        if let Some(globs) = config.test_data {
            for glob in &globs {
                Glob::new(glob.get_ref()).map_err(|e| at(glob.span(), format!("bad glob: {e}")))?;
            }
            let patterns: Vec<String> = globs.into_iter().map(Spanned::into_inner).collect();
            self.test_data = build_globs(&patterns).map_err(|message| ConfigError::Value {
                origin: "test-data".into(),
                message,
            })?;
        }
        for (name, value) in config.rules {
            let rule = registry::find(name.get_ref()).ok_or_else(|| {
                at(
                    name.span(),
                    format!("unknown rule `{}` (see `plimsoll rules`)", name.get_ref()),
                )
            })?;
            let setting = value
                .get_ref()
                .parse()
                .map_err(|message| at(value.span(), message))?;
            self.rules.insert(rule.name, setting);
        }
        for (glob, names) in config.per_path_ignores {
            let set = build_globs(std::slice::from_ref(glob.get_ref()))
                .map_err(|message| at(glob.span(), message))?;
            let mut rules = Vec::new();
            for name in names {
                if name.get_ref() == "*" {
                    rules.push("*");
                    continue;
                }
                let rule = registry::find(name.get_ref()).ok_or_else(|| {
                    at(
                        name.span(),
                        format!("unknown rule `{}` (see `plimsoll rules`)", name.get_ref()),
                    )
                })?;
                rules.push(rule.name);
            }
            self.per_path_ignores.push((set, rules));
        }
        if let Some(terraform) = config.terraform {
            if let Some(tags) = terraform.required_tags {
                self.terraform.required_tags = tags.into_iter().map(Spanned::into_inner).collect();
            }
            if let Some(globs) = terraform.backend_exempt {
                for glob in &globs {
                    Glob::new(glob.get_ref())
                        .map_err(|e| at(glob.span(), format!("bad glob: {e}")))?;
                }
                let patterns: Vec<String> = globs.into_iter().map(Spanned::into_inner).collect();
                self.terraform.backend_exempt =
                    build_globs(&patterns).map_err(|message| ConfigError::Value {
                        origin: "terraform.backend-exempt".into(),
                        message,
                    })?;
            }
        }
        Ok(())
    }

    /// Whether the Terraform folder `dir` (or a folder it is in) is exempt from the
    /// remote-state rule.
    pub fn is_backend_exempt(&self, dir: &Path) -> bool {
        let relative = self.relative(dir);
        relative
            .ancestors()
            .any(|d| !d.as_os_str().is_empty() && self.terraform.backend_exempt.is_match(d))
    }

    /// Whether `path` is in a folder of test data (`test-data`), relative to
    /// [`Settings::root`]: its findings are lowered to notes.
    pub fn is_test_data(&self, path: &Path) -> bool {
        if self.test_data.is_empty() {
            return false;
        }
        let relative = self.relative(path);
        relative
            .ancestors()
            .skip(1)
            .any(|dir| !dir.as_os_str().is_empty() && self.test_data.is_match(dir))
    }

    /// The severity `rule` reports at, or `None` when it is disabled.
    pub fn rule_severity(&self, rule: &RuleMeta) -> Option<Severity> {
        match self.rules.get(rule.name) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::On) => Some(rule.severity),
            Some(RuleSetting::Level(level)) => Some(*level),
            None if rule.strict_only && !self.strict => None,
            None => Some(rule.severity),
        }
    }

    /// Whether `path` (relative to [`Settings::root`] or absolute) is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        // Resolving the path costs path walks (and a system call when it is not under the
        // root): not worth it when nothing is excluded.
        if self.exclude.is_empty() {
            return false;
        }
        let relative = self.relative(path);
        self.exclude.is_match(&relative)
            || relative
                .ancestors()
                .skip(1)
                .any(|dir| !dir.as_os_str().is_empty() && self.exclude.is_match(dir))
    }

    /// The exclusions that apply inside `named`, a path named on the command line: all of
    /// them with `--force-exclude`; otherwise all but those that exclude `named` itself (it, a
    /// folder above it, or everything in it), as ruff does: `plimsoll check examples/bad`
    /// checks the example even though the configuration excludes `examples/`, and an
    /// exclusion of a folder inside it (`**/vendor`) still applies.
    pub fn exclusions_under(&self, named: &Path) -> Exclusions {
        let mut waived = vec![false; self.exclude.len()];
        if !self.force_exclude && !self.exclude.is_empty() {
            let relative = self.relative(named);
            // A name no real entry has: the globs matching it match whatever `named` holds.
            let anything_inside = relative.join("\u{0}plimsoll-probe");
            let covering = std::iter::once(anything_inside.as_path())
                .chain(relative.ancestors().filter(|d| !d.as_os_str().is_empty()));
            for path in covering {
                for index in self.exclude.matches(path) {
                    waived[index] = true;
                }
            }
        }
        Exclusions { waived }
    }

    /// Whether `path`, found inside a path named on the command line, is excluded by the
    /// exclusions that apply there (see [`Settings::exclusions_under`]).
    pub fn is_excluded_under(&self, path: &Path, exclusions: &Exclusions) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        if !exclusions.waived.contains(&true) {
            return self.is_excluded(path);
        }
        let relative = self.relative(path);
        let applies = |p: &Path| {
            self.exclude
                .matches(p)
                .into_iter()
                .any(|index| !exclusions.waived.get(index).copied().unwrap_or(false))
        };
        applies(&relative)
            || relative
                .ancestors()
                .skip(1)
                .any(|dir| !dir.as_os_str().is_empty() && applies(dir))
    }

    /// Whether `rule` is ignored for `path` by `per-path-ignores`.
    pub fn is_ignored(&self, path: &Path, rule: &RuleMeta) -> bool {
        if self.per_path_ignores.is_empty() {
            return false;
        }
        let relative = self.relative(path);
        self.per_path_ignores.iter().any(|(set, rules)| {
            set.is_match(&relative) && rules.iter().any(|r| *r == "*" || *r == rule.name)
        })
    }

    fn relative(&self, path: &Path) -> PathBuf {
        let path = path.strip_prefix("./").unwrap_or(path);
        if let Ok(rel) = path.strip_prefix(&self.root) {
            return rel.to_path_buf();
        }
        match (std::path::absolute(path), std::path::absolute(&self.root)) {
            (Ok(abs), Ok(root)) => abs
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or(abs),
            _ => path.to_path_buf(),
        }
    }
}

/// `plimsoll.toml` in the target's folder or above it, up to the root of the repository holding
/// it and no further: a configuration in a parent folder outside the repository (a shared
/// runner's home, another project) is not the project's and could turn every rule off. Outside
/// a repository only the target's own folder is searched.
fn find_upward(target: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(target)
        .or_else(|_| std::path::absolute(target))
        .ok()?;
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    let top = crate::discovery::repository_root(&start).unwrap_or_else(|| start.clone());
    let cwd = std::env::current_dir().ok();
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            // Keep the path relative when it is under the working directory, for messages.
            if let Some(rel) = cwd
                .as_ref()
                .and_then(|cwd| candidate.strip_prefix(cwd).ok())
            {
                return Some(rel.to_path_buf());
            }
            return Some(candidate);
        }
        if dir == top {
            break;
        }
    }
    None
}

fn default_test_data() -> GlobSet {
    let patterns: Vec<String> = DEFAULT_TEST_DATA.iter().map(|g| g.to_string()).collect();
    build_globs(&patterns).unwrap_or_else(|_| GlobSet::empty())
}

fn build_globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.trim_end_matches('/');
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        let glob = Glob::new(pattern).map_err(|e| format!("bad glob `{pattern}`: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let at = plimsoll_syntax::LineIndex::new(text).line_col(text, offset);
    (at.line, at.column)
}
