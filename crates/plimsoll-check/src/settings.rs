//! Effective settings after every configuration layer, and what they answer: a rule's
//! severity, whether a path is excluded, ignored for a rule, or test data. Loading them is the
//! work of the `config` module; this one depends on no rule, so rules and the engine read
//! settings without depending on the registry that loading validates rule names with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::finding::{RuleMeta, Severity};

/// Default limit on the size of a file that is read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = plimsoll_syntax::file::DEFAULT_MAX_FILE_SIZE;

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

/// Tags every taggable Terraform resource carries by default.
pub const DEFAULT_REQUIRED_TAGS: &[&str] = &["environment", "service", "team", "cost-center"];

/// Folders whose Terraform may keep local state by default: examples and tests.
///
/// Samples, quickstarts and demos are examples by another name: configurations a reader applies
/// from a laptop to try something, not shared infrastructure.
pub const DEFAULT_BACKEND_EXEMPT: &[&str] = &[
    "**/example",
    "**/examples",
    "**/sample",
    "**/samples",
    "**/quickstart",
    "**/quickstarts",
    "**/demo",
    "**/demos",
    "**/test",
    "**/tests",
    "**/testdata",
    "**/testing",
    "**/fixtures",
];

/// Folders holding test data by default: what is in them is neither shipped nor deployed, so
/// their findings are notes. Examples, samples and documentation are another kind of folder
/// ([`DEFAULT_EXAMPLES`]), lowered for their own reason.
///
/// Besides the usual names, a folder named as tests by a suffix (`e2e-tests`,
/// `integration_test`, the `.chainsaw-test` and `.kyverno-test` folders of policy test
/// suites) is test data. So is a `ci` folder: by convention it holds what the CI runs to test
/// (the Compose files of its service containers, its builder images, the scripts), which is
/// neither shipped nor deployed.
pub const DEFAULT_TEST_DATA: &[&str] = &[
    "**/test",
    "**/tests",
    "**/testdata",
    "**/test-data",
    "**/fixtures",
    "**/__fixtures__",
    "**/__tests__",
    "**/ci",
    "**/*-test",
    "**/*-tests",
    "**/*_test",
    "**/*_tests",
];

/// Folders of examples, samples, demos, tutorials, documentation and archived content by
/// default: what is in them shows how to use something, and is neither shipped nor deployed as
/// it is, so their findings are notes. Policy libraries keep their test cases in such folders
/// too (Gatekeeper's `samples/`; Kyverno's are test data, `.kyverno-test/`).
///
/// Only the folders below the path named on the command line count: `plimsoll check
/// examples/app` checks the example as production, as a reader who names it wants.
pub const DEFAULT_EXAMPLES: &[&str] = &[
    "**/example",
    "**/examples",
    "**/sample",
    "**/samples",
    "**/demo",
    "**/demos",
    "**/tutorial",
    "**/tutorials",
    "**/quickstart",
    "**/quickstarts",
    "**/doc",
    "**/docs",
    "**/documentation",
    "**/archive",
    "**/archived",
    "**/_archived",
];

/// Terraform settings (`[terraform]` in `plimsoll.toml`).
#[derive(Clone, Debug)]
pub struct TerraformSettings {
    /// Tags each taggable resource must carry (`required-tags`).
    pub required_tags: Vec<String>,
    /// Folders (globs, relative to the configuration's folder) exempt from the remote-state
    /// rule (`backend-exempt`), together with everything inside them.
    pub(crate) backend_exempt: GlobSet,
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

/// GitHub Actions settings (`[github-actions]` in `plimsoll.toml`).
#[derive(Clone, Debug, Default)]
pub struct GithubActionsSettings {
    /// Labels of the project's own runners that `runs-on:` may name without `self-hosted`
    /// (`runner-labels`, and actionlint's `self-hosted-runner.labels`): larger runners and
    /// runner groups' labels; `*` matches any run of characters.
    pub runner_labels: Vec<String>,
    /// Actions (`owner/repo` patterns) the project allows; when set, any other is reported
    /// (`allowed-uses`).
    pub allowed_uses: Vec<String>,
    /// Actions (`owner/repo` patterns) the project rules out (`forbidden-uses`).
    pub forbidden_uses: Vec<String>,
    /// Secrets the project accepts in jobs without a deployment environment
    /// (`secrets-outside-environment`; `*` matches any run of characters), for
    /// `secrets-outside-environment`.
    pub secrets_outside_environment: Vec<String>,
    /// Action refs resolved to commit SHAs for the pinning fix; empty unless the run resolved
    /// some (`check --fix`/`--diff`) or read them from the cache (the language server).
    pub pins: std::sync::Arc<crate::pins::ResolvedRefs>,
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
    pub(crate) exclude: GlobSet,
    /// Folders of test data (`test-data`): findings in them are lowered to notes.
    pub(crate) test_data: GlobSet,
    /// Folders of examples, samples and documentation (`examples`): findings in them are
    /// lowered to notes.
    pub(crate) examples: GlobSet,
    pub(crate) rules: BTreeMap<&'static str, RuleSetting>,
    pub(crate) per_path_ignores: Vec<(GlobSet, Vec<&'static str>)>,
    /// Terraform settings.
    pub terraform: TerraformSettings,
    /// GitHub Actions settings.
    pub github_actions: GithubActionsSettings,
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
            examples: globs_of(DEFAULT_EXAMPLES),
            rules: BTreeMap::new(),
            per_path_ignores: Vec::new(),
            terraform: TerraformSettings::default(),
            github_actions: GithubActionsSettings::default(),
        }
    }
}

impl Settings {
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
    ///
    /// A path outside that folder is judged below `target`, the path named on the command line
    /// that holds it: the folders above a project named from elsewhere (`~/tests/project`) are
    /// not the project's.
    pub fn is_test_data(&self, path: &Path, target: Option<&Path>) -> bool {
        if self.test_data.is_empty() {
            return false;
        }
        let mut relative = self.relative(path);
        if relative.is_absolute() {
            if let Some(below) = target.and_then(|t| path.strip_prefix(t).ok()) {
                relative = below.to_path_buf();
            }
        }
        relative
            .ancestors()
            .skip(1)
            .any(|dir| !dir.as_os_str().is_empty() && self.test_data.is_match(dir))
    }

    /// Whether `path` is in a folder of examples, samples or documentation (`examples`)
    /// below `target`, the path named on the command line that holds it: naming an example
    /// checks it as production.
    pub fn is_example(&self, path: &Path, target: Option<&Path>) -> bool {
        if self.examples.is_empty() {
            return false;
        }
        let below = match target.and_then(|t| path.strip_prefix(t).ok()) {
            Some(below) => below.to_path_buf(),
            None => self.relative(path),
        };
        below
            .ancestors()
            .skip(1)
            .any(|dir| !dir.as_os_str().is_empty() && self.examples.is_match(dir))
    }

    /// Whether findings in fuzzing build images are lowered: unless the configuration checks
    /// test data as production (`test-data = []`).
    pub fn lowers_fuzzing_images(&self) -> bool {
        !self.test_data.is_empty()
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

    pub(crate) fn relative(&self, path: &Path) -> PathBuf {
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

pub(crate) fn default_test_data() -> GlobSet {
    globs_of(DEFAULT_TEST_DATA)
}

fn globs_of(defaults: &[&str]) -> GlobSet {
    let patterns: Vec<String> = defaults.iter().map(|g| g.to_string()).collect();
    build_globs(&patterns).unwrap_or_else(|_| GlobSet::empty())
}

pub(crate) fn build_globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.trim_end_matches('/');
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        let glob = Glob::new(pattern).map_err(|e| format!("bad glob `{pattern}`: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}
