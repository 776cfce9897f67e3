//! Configuration in layers: built-in defaults, `plimsoll.toml` (found upward from the target, up
//! to the root of its repository), `plimsoll.<PLIMSOLL_ENV>.toml` beside it, `PLIMSOLL_*`
//! environment variables, then flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::Glob;
use serde::Deserialize;
use toml::Spanned;

use crate::registry;
use crate::settings::build_globs;
pub use crate::settings::{
    Exclusions, RuleSetting, Settings, TerraformSettings, DEFAULT_BACKEND_EXEMPT,
    DEFAULT_MAX_FILE_SIZE, DEFAULT_REQUIRED_TAGS, DEFAULT_TEST_DATA,
};

/// The name of the configuration file.
pub const CONFIG_FILE: &str = "plimsoll.toml";

/// The largest configuration file read.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    fail_on: Option<Spanned<String>>,
    strict: Option<bool>,
    max_file_size: Option<u64>,
    exclude: Option<Vec<Spanned<String>>>,
    test_data: Option<Vec<Spanned<String>>>,
    examples: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    terraform: Option<TerraformConfig>,
    github_actions: Option<GithubActionsConfig>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GithubActionsConfig {
    runner_labels: Option<Vec<Spanned<String>>>,
    allowed_uses: Option<Vec<Spanned<String>>>,
    forbidden_uses: Option<Vec<Spanned<String>>>,
    secrets_outside_environment: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TerraformConfig {
    required_tags: Option<Vec<Spanned<String>>>,
    backend_exempt: Option<Vec<Spanned<String>>>,
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
    /// Folders of examples, samples and documentation instead of the configured ones
    /// (`Some(vec![])`: none).
    pub examples: Option<Vec<String>>,
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
        if !overrides.isolated {
            settings
                .github_actions
                .runner_labels
                .extend(actionlint_runner_labels(target));
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
        if let Some(patterns) = &overrides.examples {
            settings.examples = build_globs(patterns).map_err(|message| ConfigError::Value {
                origin: "examples".into(),
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
        for (globs, origin, target) in [
            (config.test_data, "test-data", &mut self.test_data),
            (config.examples, "examples", &mut self.examples),
        ] {
            let Some(globs) = globs else {
                continue;
            };
            for glob in &globs {
                Glob::new(glob.get_ref()).map_err(|e| at(glob.span(), format!("bad glob: {e}")))?;
            }
            let patterns: Vec<String> = globs.into_iter().map(Spanned::into_inner).collect();
            *target = build_globs(&patterns).map_err(|message| ConfigError::Value {
                origin: origin.into(),
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
        if let Some(github_actions) = config.github_actions {
            let strings = |list: Vec<Spanned<String>>| -> Vec<String> {
                list.into_iter().map(Spanned::into_inner).collect()
            };
            if let Some(labels) = github_actions.runner_labels {
                self.github_actions.runner_labels = strings(labels);
            }
            if let Some(allowed) = github_actions.allowed_uses {
                self.github_actions.allowed_uses = strings(allowed);
            }
            if let Some(forbidden) = github_actions.forbidden_uses {
                self.github_actions.forbidden_uses = strings(forbidden);
            }
            if let Some(secrets) = github_actions.secrets_outside_environment {
                self.github_actions.secrets_outside_environment = strings(secrets);
            }
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

/// The self-hosted runner labels declared for actionlint (`self-hosted-runner.labels` of
/// `.github/actionlint.yaml` or `.yml`) in the target's folder or above it, up to its
/// repository's root: a project that told actionlint its runners' labels need not repeat them.
/// A file that cannot be read or parsed declares none (actionlint reports its own errors).
fn actionlint_runner_labels(target: &Path) -> Vec<String> {
    let Some(start) = std::fs::canonicalize(target).ok().map(|t| {
        if t.is_dir() {
            t
        } else {
            t.parent().map(Path::to_path_buf).unwrap_or(t)
        }
    }) else {
        return Vec::new();
    };
    let top = crate::discovery::repository_root(&start).unwrap_or_else(|| start.clone());
    for dir in start.ancestors() {
        for name in ["actionlint.yaml", "actionlint.yml"] {
            let Ok(text) = std::fs::read_to_string(dir.join(".github").join(name)) else {
                continue;
            };
            let lines = plimsoll_syntax::LineIndex::new(&text);
            let Ok(document) = plimsoll_syntax::yaml::parse(&text, &lines).into_single() else {
                return Vec::new();
            };
            return document
                .root
                .get("self-hosted-runner")
                .and_then(|runner| runner.get("labels"))
                .and_then(|labels| labels.as_sequence())
                .unwrap_or_default()
                .iter()
                .filter_map(|label| label.as_str().map(str::to_string))
                .collect();
        }
        if dir == top {
            break;
        }
    }
    Vec::new()
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
