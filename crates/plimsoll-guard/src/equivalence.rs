//! What guard knows about equivalent and narrowing settings, read from
//! `data/equivalence.toml`: platform families of runner labels, matrix keys that place or skip
//! a leg, flag aliases and supersets, flags that narrow a command, steps that check nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;

/// The data file, compiled in.
pub const EQUIVALENCE_TOML: &str = include_str!("../data/equivalence.toml");

/// The knowledge of `data/equivalence.toml`.
#[derive(Debug, Default, Deserialize)]
pub struct Knowledge {
    /// Operating system family → the words of a label that name it.
    #[serde(default)]
    pub platforms: BTreeMap<String, Vec<String>>,
    /// Architecture → the words that name it.
    #[serde(default)]
    pub architectures: BTreeMap<String, Vec<String>>,
    /// Matrix keys.
    #[serde(default)]
    pub matrix: MatrixKeys,
    /// Steps that check nothing.
    #[serde(default)]
    pub steps: Steps,
    /// Flag aliases, supersets, and flags that narrow a command.
    #[serde(default)]
    pub flags: Flags,
    /// Action inputs that turn a check, a gate or a cache off.
    #[serde(default)]
    pub inputs: Vec<InputRule>,
    /// Environment variables that make a gate strict (`input` is the variable's name).
    #[serde(default)]
    pub env: Vec<InputRule>,
    /// How commands are run: wrappers, actions that run one, commands that check nothing.
    #[serde(default)]
    pub commands: Commands,
    /// Setup actions that cache unless told not to, from a major version on.
    #[serde(default)]
    pub cache_defaults: Vec<CacheDefault>,
    /// Events that run a workflow for the same activity.
    #[serde(default)]
    pub triggers: Triggers,
    /// Lockfiles of the package managers of one language, one group each.
    #[serde(default)]
    pub lockfiles: Vec<Vec<String>>,
    /// Checks a toolchain runs in every build from a version on.
    #[serde(default)]
    pub built_in_checks: Vec<BuiltInCheck>,
}

/// A check a toolchain runs in every build from a version on (cargo's cfg checking from 1.80).
#[derive(Debug, Default, Deserialize)]
pub struct BuiltInCheck {
    /// The names a job or step that ran the check alone gives it (`check-cfg`, `cfg-check`).
    pub names: Vec<String>,
    /// The first toolchain version that runs it in every build (`1.80`).
    pub since: String,
    /// Setup actions and the input (or, with `input` empty, the ref) naming their toolchain.
    pub toolchain_actions: Vec<(String, String)>,
    /// Commands that build, and so run the check.
    pub builds: Vec<String>,
    /// Channel names that are always at least `since` (`stable`, `beta`, `nightly`).
    pub channels: Vec<String>,
    /// What the check reports, for messages (`the unexpected_cfgs lint, a warning by default`).
    pub reports: String,
}

/// The built-in check whose name one of `words` is (`cfg-check`, or `-Zcheck-cfg`).
pub fn built_in_check<'w>(
    words: impl IntoIterator<Item = &'w str>,
) -> Option<&'static BuiltInCheck> {
    let words: Vec<&str> = words.into_iter().collect();
    knowledge().built_in_checks.iter().find(|check| {
        words.iter().any(|w| {
            let w = w.trim_start_matches("-Z").trim_start_matches('-');
            check.names.iter().any(|n| n == w)
        })
    })
}

impl BuiltInCheck {
    /// Whether the toolchain `name` (`stable`, `nightly-2024-05-01`, `1.82.0`) is one that
    /// runs the check in every build; `false` when it cannot be read (an expression).
    pub fn runs_in(&self, name: &str) -> bool {
        let name = name.trim();
        if self
            .channels
            .iter()
            .any(|c| name == c || name.starts_with(&format!("{c}-")))
        {
            return true;
        }
        let parts = |v: &str| -> Option<(u64, u64)> {
            let mut it = v.split('.');
            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
        };
        matches!((parts(name), parts(&self.since)), (Some(have), Some(need)) if have >= need)
    }
}

/// The lockfiles of the other package managers of the language whose manager writes `file`
/// (`yarn.lock` → `package-lock.json`, `pnpm-lock.yaml`, …); none for any other file.
pub fn other_lockfiles(file: &str) -> impl Iterator<Item = &'static str> + '_ {
    knowledge()
        .lockfiles
        .iter()
        .filter(move |group| group.iter().any(|f| f == file))
        .flatten()
        .map(String::as_str)
        .filter(move |f| *f != file)
}

/// A setup action that caches by default from `from_major` on, unless `input` is `false`.
#[derive(Debug, Default, Deserialize)]
pub struct CacheDefault {
    /// The action pattern.
    pub action: String,
    /// The input that turns the caching off.
    pub input: String,
    /// The first major version that caches by default.
    pub from_major: u64,
}

/// What guard knows of workflow events.
#[derive(Debug, Default, Deserialize)]
pub struct Triggers {
    /// Groups of events that run for the same activity (`pull_request`, `pull_request_target`).
    #[serde(default)]
    pub same_activity: Vec<Vec<String>>,
}

/// The other events that run a workflow for the same activity as `event`.
pub fn same_activity(event: &str) -> impl Iterator<Item = &'static str> + '_ {
    knowledge()
        .triggers
        .same_activity
        .iter()
        .filter(move |group| group.iter().any(|e| e == event))
        .flatten()
        .map(String::as_str)
        .filter(move |e| *e != event)
}

/// Whether a step using `uses` (`owner/name@ref`) with these inputs caches by default: the
/// action caches from a major version on, the ref names that version or a later one (`v5`,
/// `v5.2.0`) or no version at all (a commit pin, a branch: taken as a recent release, so that
/// pinning `@v7` to its commit keeps the cache), and the input does not turn it off.
pub fn caches_by_default(uses: &str, input: impl Fn(&str) -> Option<String>) -> bool {
    let (target, reference) = uses.split_once('@').unwrap_or((uses, ""));
    let major = reference
        .trim_start_matches(['v', 'V'])
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok());
    knowledge().cache_defaults.iter().any(|rule| {
        action_matches(&rule.action, target)
            && major.is_none_or(|m| m >= rule.from_major)
            && input(&rule.input).is_none_or(|v| {
                !v.trim()
                    .trim_matches(['"', '\''])
                    .eq_ignore_ascii_case("false")
            })
    })
}

/// Whether `target` (`owner/name[/path]`, no ref) is an action that exists to cache.
pub fn is_cache_action(target: &str) -> bool {
    knowledge()
        .steps
        .cache_actions
        .iter()
        .any(|pattern| action_matches(pattern, target))
}

/// What runs a command, and commands that check nothing.
#[derive(Debug, Default, Deserialize)]
pub struct Commands {
    /// Programs (or `program subcommand`) that run the tool named after them.
    #[serde(default)]
    pub wrappers: Vec<String>,
    /// Command keys (`cargo release`) of tools that check, for a use that checks nothing.
    #[serde(default)]
    pub not_checks: Vec<String>,
    /// Options given before a subcommand whose value is the next word (`--config x`).
    #[serde(default)]
    pub options_with_value: Vec<String>,
    /// Actions that run a command built from their inputs.
    #[serde(default)]
    pub actions: Vec<CommandAction>,
    /// Action patterns of steps that publish (a release, a package).
    #[serde(default)]
    pub publish_actions: Vec<String>,
    /// Programs that run `package.json` scripts.
    #[serde(default)]
    pub package_managers: Vec<String>,
    /// Their subcommands that run the script named next (`run`).
    #[serde(default)]
    pub script_runners: Vec<String>,
    /// Managers that run a script named as a bare subcommand (`yarn build`).
    #[serde(default)]
    pub bare_scripts: Vec<String>,
    /// Scripts npm runs without `run`, by the subcommand that names them.
    #[serde(default)]
    pub npm_scripts: BTreeMap<String, String>,
    /// The managers' own commands.
    #[serde(default)]
    pub manager_commands: Vec<String>,
    /// Own commands that do the same whichever manager runs them.
    #[serde(default)]
    pub shared_commands: Vec<String>,
    /// Pairs of a command that builds and one that builds the same first, then runs it
    /// (`cargo build`, `cargo run`).
    #[serde(default)]
    pub build_then_run: Vec<(String, String)>,
    /// Tools whose subcommand takes one of its own, with every one their documentation lists.
    #[serde(default)]
    pub subcommands: Vec<Subcommands>,
}

/// A tool (`cargo vet`) and the subcommands it accepts: any other word there is rejected
/// before the tool checks anything.
#[derive(Debug, Default, Deserialize)]
pub struct Subcommands {
    /// The tool, as a command key (`cargo vet`).
    pub tool: String,
    /// The subcommands its documentation lists.
    pub known: Vec<String>,
}

/// Whether `tool` (a command key) is known to reject the subcommand `sub`: its documented
/// subcommands are data, and `sub` is none of them (`cargo vet suggestions`, a typo of
/// `suggest`, exits with a usage error).
pub fn rejects_subcommand(tool: &str, sub: &str) -> bool {
    knowledge()
        .commands
        .subcommands
        .iter()
        .any(|s| s.tool == tool && !s.known.iter().any(|k| k == sub))
}

/// The command that builds what `key` builds before running it (`cargo run` for `cargo build`).
pub fn run_that_builds(key: &str) -> Option<&'static str> {
    knowledge()
        .commands
        .build_then_run
        .iter()
        .find(|(build, _)| build == key)
        .map(|(_, run)| run.as_str())
}

/// What a package manager's subcommand `sub` (the first bare word after `program`, which the
/// word `next` follows) runs: `Script(name)` for a `package.json` script, `Shared` for one of
/// the managers' own commands that every manager runs alike (`audit`), `None` otherwise (not a
/// package manager, or a command of its own).
pub fn package_run<'w>(program: &str, sub: &'w str, next: Option<&'w str>) -> PackageRun<'w> {
    let known = &knowledge().commands;
    if !known.package_managers.iter().any(|m| m == program) {
        return PackageRun::None;
    }
    if known.script_runners.iter().any(|r| r == sub) {
        return match next {
            Some(script) => PackageRun::Script(script, true),
            None => PackageRun::None,
        };
    }
    if known.manager_commands.iter().any(|c| c == sub) {
        return if known.shared_commands.iter().any(|c| c == sub) {
            PackageRun::Shared
        } else {
            PackageRun::None
        };
    }
    if known.bare_scripts.iter().any(|m| m == program) {
        return PackageRun::Script(sub, false);
    }
    match known.npm_scripts.get(sub) {
        Some(script) if program == "npm" => PackageRun::Script(script.as_str(), false),
        _ => PackageRun::None,
    }
}

/// What a package manager runs (see [`package_run`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageRun<'w> {
    /// Not a package manager, or one of its own commands.
    None,
    /// A `package.json` script, and whether a runner word (`run`) precedes its name.
    Script(&'w str, bool),
    /// An own command every manager runs alike.
    Shared,
}

/// An action that runs `program` followed by the values of `inputs`, in order.
#[derive(Debug, Default, Deserialize)]
pub struct CommandAction {
    /// The action pattern.
    pub action: String,
    /// The program it runs.
    pub program: String,
    /// Inputs whose values follow the program.
    pub inputs: Vec<String>,
}

/// How many words of a command starting with `program` (and `next`) are its wrapper: 0 when
/// it is none, 1 for `npx`, 2 for `uv run`.
pub fn wrapper_words(program: &str, next: Option<&str>) -> usize {
    knowledge()
        .commands
        .wrappers
        .iter()
        .find_map(|wrapper| {
            let mut parts = wrapper.split(' ');
            if parts.next() != Some(program) {
                return None;
            }
            match parts.next() {
                None => Some(1),
                Some(sub) => (next == Some(sub)).then_some(2),
            }
        })
        .unwrap_or(0)
}

/// Whether `word` is an option given before a subcommand whose value is the next word.
pub fn takes_value_first(word: &str) -> bool {
    knowledge()
        .commands
        .options_with_value
        .iter()
        .any(|o| o == word)
}

/// Whether the command `key` (`cargo release`) checks nothing though its tool can.
pub fn checks_nothing(key: &str) -> bool {
    knowledge().commands.not_checks.iter().any(|k| k == key)
}

/// The command an action runs from its inputs, if it is one that does.
pub fn command_action(target: &str) -> Option<&'static CommandAction> {
    knowledge()
        .commands
        .actions
        .iter()
        .find(|a| action_matches(&a.action, target))
}

/// Whether a step using `target` publishes.
pub fn is_publish_action(target: &str) -> bool {
    knowledge()
        .commands
        .publish_actions
        .iter()
        .any(|pattern| action_matches(pattern, target))
}

/// An action input that can turn a check, a gate or a cache off.
#[derive(Debug, Default, Deserialize)]
pub struct InputRule {
    /// The action pattern; any action when absent.
    #[serde(default)]
    pub action: Option<String>,
    /// The input.
    pub input: String,
    /// Values that turn it off.
    #[serde(default)]
    pub off: Vec<String>,
    /// Text the value must hold (spaces aside) to stay on.
    #[serde(default)]
    pub keeps: Option<String>,
    /// `cache` when turning it off stops caching; a check or gate otherwise.
    #[serde(default)]
    pub what: Option<String>,
    /// For an environment variable: the flag the tools of `programs` behave as given while it
    /// is on (`RUSTFLAGS: -Dwarnings` is `-D warnings` to every compiler cargo runs).
    #[serde(default)]
    pub passes: Option<String>,
    /// The programs that read the variable.
    #[serde(default)]
    pub programs: Vec<String>,
}

impl InputRule {
    /// Whether a value (`None`: the input is not given, its default is on) turns it off.
    pub fn is_off(&self, value: Option<&str>) -> bool {
        let Some(value) = value else {
            return false;
        };
        let value = value.trim().trim_matches(['"', '\'']);
        if value.contains("${{") {
            return false;
        }
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        self.off.iter().any(|o| o.eq_ignore_ascii_case(value))
            || self
                .keeps
                .as_ref()
                .is_some_and(|k| !compact.contains(k.as_str()))
    }

    /// Whether the rule is about caching.
    pub fn is_cache(&self) -> bool {
        self.what.as_deref() == Some("cache")
    }
}

/// Whether `flag`, dropped from a command of `program`, is still in force through an
/// environment variable of `env` that passes it to that program (`cargo clippy -- -D warnings`
/// run where `RUSTFLAGS: -Dwarnings` is set).
pub fn passed_by_environment<V>(
    flag: &str,
    program: &str,
    env: &std::collections::BTreeMap<String, (String, V)>,
) -> bool {
    let wanted = canonical_flag(flag);
    knowledge().env.iter().any(|rule| {
        rule.passes
            .as_deref()
            .is_some_and(|passes| canonical_flag(passes) == wanted)
            && rule.programs.iter().any(|p| p == program)
            && env
                .get(&rule.input)
                .is_some_and(|(value, _)| !rule.is_off(Some(value)))
    })
}

/// The input rules that apply to an action (`owner/name[/path]`).
pub fn input_rules(target: &str) -> impl Iterator<Item = &'static InputRule> + '_ {
    knowledge()
        .inputs
        .iter()
        .filter(move |rule| match &rule.action {
            None => true,
            Some(pattern) => action_matches(pattern, target),
        })
}

/// What guard knows of flags.
#[derive(Debug, Default, Deserialize)]
pub struct Flags {
    /// Groups of spellings of one flag.
    #[serde(default)]
    pub aliases: Vec<Vec<String>>,
    /// Flags that select what narrower ones select.
    #[serde(default)]
    pub supersets: Vec<Superset>,
    /// Groups of flags that pick part of what a command runs.
    #[serde(default)]
    pub selecting: Vec<Vec<String>>,
    /// Selecting flags whose value's target lies within a wider flag's selection of that value.
    #[serde(default)]
    pub within: Vec<Within>,
    /// Flags that leave something out.
    #[serde(default)]
    pub excluding: Vec<String>,
    /// Flags that make a test command only compile (`cargo test --no-run`).
    #[serde(default)]
    pub compile_only: Vec<String>,
    /// Flags whose value is a comma-separated list (`--features a,b`).
    #[serde(default)]
    pub lists: Vec<String>,
    /// Selecting flags whose value is a boolean expression (`pytest -k`, `-m`).
    #[serde(default)]
    pub expressions: Vec<String>,
    /// Groups of flags that set one setting, each in its own way (a build profile).
    #[serde(default)]
    pub interchangeable: Vec<Vec<String>>,
}

/// A flag and the narrower flags it covers.
#[derive(Debug, Default, Deserialize)]
pub struct Superset {
    /// The wide flag.
    pub wide: String,
    /// Flags it covers; `*` stands for any value.
    pub covers: Vec<String>,
}

/// A narrow selecting flag whose target, with a given value, is within what the wide flag selects
/// with that same value (`--bin deno` within `-p deno`).
#[derive(Debug, Default, Deserialize)]
pub struct Within {
    /// The narrow flag's name.
    pub narrow: String,
    /// The wide flag's name.
    pub wide: String,
}

/// What tells a step that checks from one that prepares.
#[derive(Debug, Default, Deserialize)]
pub struct Steps {
    /// Action patterns (`owner/name[/path]`, `*` within a part) of setup actions.
    #[serde(default)]
    pub setup_actions: Vec<String>,
    /// Words of an action's name that say it checks.
    #[serde(default)]
    pub check_words: Vec<String>,
    /// Programs (or `program subcommand`) that install or prepare.
    #[serde(default)]
    pub setup_programs: Vec<String>,
    /// Words of a script's name that say it handles the results of a run.
    #[serde(default)]
    pub result_words: Vec<String>,
    /// Check words that, beside a result word, name what the results are of.
    #[serde(default)]
    pub results_of: Vec<String>,
    /// Action patterns of actions that exist to cache.
    #[serde(default)]
    pub cache_actions: Vec<String>,
}

/// Matrix keys with a meaning.
#[derive(Debug, Default, Deserialize)]
pub struct MatrixKeys {
    /// Keys that name where a leg runs.
    #[serde(default)]
    pub platform_keys: Vec<String>,
    /// Keys that turn a leg off when true.
    #[serde(default)]
    pub skip_keys: Vec<String>,
    /// Keys that only name a leg for people.
    #[serde(default)]
    pub label_keys: Vec<String>,
}

/// The parsed data file (empty knowledge if it did not parse: a unit test makes sure it does).
pub fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| toml::from_str(EQUIVALENCE_TOML).unwrap_or_default())
}

/// Where a runner label or matrix value runs: the operating system families and architectures
/// it names. An expression choosing between labels names each of their platforms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Platform {
    /// Operating system families named.
    pub systems: BTreeSet<String>,
    /// Architectures named.
    pub architectures: BTreeSet<String>,
}

/// The platform a label (or any text holding labels) names.
pub fn platform_of(text: &str) -> Platform {
    let known = knowledge();
    let mut platform = Platform::default();
    let lowered = text.to_ascii_lowercase();
    for word in lowered
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        for (family, words) in &known.platforms {
            if words.iter().any(|w| w == word) {
                platform.systems.insert(family.clone());
            }
        }
        for (arch, words) in &known.architectures {
            if words.iter().any(|w| w == word) {
                platform.architectures.insert(arch.clone());
            }
        }
    }
    platform
}

/// Whether `new` still runs where `old` ran: every operating system `old` names is named by
/// `new`, and so is every architecture when both name one. A label naming no system (an
/// unknown self-hosted label) is not known to be the same platform.
pub fn same_platform(old: &str, new: &str) -> bool {
    if old == new {
        return true;
    }
    let (was, is) = (platform_of(old), platform_of(new));
    // A label that names only an architecture (`ubicloud-standard-16-arm`) runs on the system
    // a label of the same architecture names (`…/ubuntu-runner-arm64`): provider labels say
    // the CPU, not the system.
    if was.systems.is_empty() && !was.architectures.is_empty() {
        return was.architectures == is.architectures;
    }
    !was.systems.is_empty()
        && was.systems.is_subset(&is.systems)
        && (was.architectures.is_empty()
            || is.architectures.is_empty()
            || was.architectures.is_subset(&is.architectures))
}

/// Whether a matrix key names where a leg runs (`os`, `platform.target`, `runner`).
pub fn is_platform_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    knowledge()
        .matrix
        .platform_keys
        .iter()
        .any(|k| k == last || last.ends_with(&format!("_{k}")) || last.ends_with(&format!("-{k}")))
}

/// Whether a matrix key turns a leg off (`skip`, `skip_pr`, `disabled`).
pub fn is_skip_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    knowledge().matrix.skip_keys.iter().any(|k| {
        last == k || last.starts_with(&format!("{k}_")) || last.starts_with(&format!("{k}-"))
    })
}

/// Whether a matrix key only names its leg for people (`name`, `target.name`).
pub fn is_label_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    knowledge().matrix.label_keys.iter().any(|k| k == last)
}

/// Whether `target` (`owner/name[/path]`, no ref) is an action that prepares a job.
pub fn is_setup_action(target: &str) -> bool {
    knowledge()
        .steps
        .setup_actions
        .iter()
        .any(|pattern| action_matches(pattern, target))
}

/// Whether an action pattern (`owner/name`, `*` within a part) names `target`.
fn action_matches(pattern: &str, target: &str) -> bool {
    let target = target.to_ascii_lowercase();
    let parts: Vec<&str> = target.split('/').collect();
    let wanted: Vec<&str> = pattern.split('/').collect();
    wanted.len() <= parts.len()
        && (wanted.len() == parts.len() || wanted.len() >= 2)
        && wanted
            .iter()
            .zip(&parts)
            .all(|(want, part)| part_matches(want.as_bytes(), part.as_bytes()))
}

/// `*` matches any run of characters of one path part.
pub(crate) fn part_matches(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| part_matches(rest, &text[i..])),
        Some((c, rest)) => text.first() == Some(c) && part_matches(rest, &text[1..]),
    }
}

/// Whether an action's name says it checks (`golangci-lint-action`, `codecov-action`).
pub fn action_checks(target: &str) -> bool {
    names_check(target)
}

/// Whether a command line names a check by one of its words (`./tools/lint.js`, `setup.ts
/// --check`). PowerShell's own cmdlets are left out: they are named `Verb-Noun` in Pascal case
/// (PowerShell's naming rules), and `Test-Path` tests that a path exists, not the code.
pub fn script_names_check(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '{' | '}' | '(' | ')' | '|' | ';'))
        .filter(|word| !is_cmdlet(word))
        .collect();
    let text = words.join(" ").to_ascii_lowercase();
    let steps = &knowledge().steps;
    let parts: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // `combine_test_results.js`: the results of tests, not a test.
    if parts
        .iter()
        .any(|w| steps.result_words.iter().any(|r| r == w))
    {
        let kept: Vec<&str> = parts
            .into_iter()
            .filter(|w| !steps.results_of.iter().any(|r| r == w))
            .collect();
        return names_check(&kept.join(" "));
    }
    names_check(&text)
}

/// Whether `word` is spelled like a PowerShell cmdlet: `Verb-Noun`, each part Pascal case,
/// no path or extension (`Run-Tests.ps1` is a script).
fn is_cmdlet(word: &str) -> bool {
    let pascal = |part: &str| {
        part.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
            && part.chars().any(|c| c.is_ascii_lowercase())
    };
    match word.split_once('-') {
        Some((verb, noun)) => pascal(verb) && pascal(noun),
        None => false,
    }
}

/// Whether a name (an action, a job id, a script's words) holds a word that says it checks.
pub fn names_check(target: &str) -> bool {
    let target = target.to_ascii_lowercase();
    let words: Vec<&str> = target
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    knowledge().steps.check_words.iter().any(|word| {
        if word.contains('-') {
            target.contains(word.as_str())
        } else {
            words.contains(&word.as_str())
        }
    })
}

/// Whether a command (its compared key: `pip`, `npm ci`, `apt-get`) installs or prepares.
pub fn is_setup_command(key: &str) -> bool {
    let program = key.split(' ').next().unwrap_or(key);
    knowledge()
        .steps
        .setup_programs
        .iter()
        .any(|entry| entry == key || (!entry.contains(' ') && entry == program))
}

/// A normalised flag's name: `-p tokio` → `-p`, `--features=x` → `--features`.
pub fn flag_name(flag: &str) -> &str {
    let end = flag.find([' ', '=']).unwrap_or(flag.len());
    &flag[..end]
}

/// A flag's value, if it has one.
fn flag_value(flag: &str) -> Option<&str> {
    flag.find([' ', '=']).map(|at| &flag[at + 1..])
}

/// The spelling of `flag` that stands for its alias group (`--all` → `--workspace`,
/// `--package x` → `-p x`).
pub fn canonical_flag(flag: &str) -> String {
    let aliases = &knowledge().flags.aliases;
    for group in aliases {
        let Some(first) = group.first() else { continue };
        if group.iter().any(|g| g == flag) {
            return first.clone();
        }
        let name = flag_name(flag);
        if group.iter().any(|g| g == name) {
            if let Some(value) = flag_value(flag) {
                return format!("{first} {value}");
            }
        }
    }
    flag.to_string()
}

/// Whether `flag` is still passed among `flags`: as written, as an alias, or within a wider
/// flag (`--features x` within `--all-features`).
pub fn still_passed(flag: &str, flags: &[String]) -> bool {
    let wanted = canonical_flag(flag);
    let now: Vec<String> = flags.iter().map(|f| canonical_flag(f)).collect();
    if now.contains(&wanted) {
        return true;
    }
    // One flag of a group that picks the same setting (`--release`, `--profile x`) for another.
    let name = canonical_flag(flag_name(&wanted));
    if knowledge().flags.interchangeable.iter().any(|group| {
        group.contains(&name)
            && now
                .iter()
                .any(|f| group.contains(&canonical_flag(flag_name(f))))
    }) {
        return true;
    }
    // A flag whose value is a list: `--features a,b` passes `--features b`, `--tags=a,b`
    // passes `--tags=a`.
    let features = |flag: &str| -> Option<Vec<String>> {
        (flag_name(flag) == flag_name(&wanted)
            && knowledge()
                .flags
                .lists
                .iter()
                .any(|list| canonical_flag(list) == canonical_flag(flag_name(flag))))
        .then(|| list_items(flag).into_iter().collect())
    };
    if let Some(wanted_features) = features(&wanted).filter(|f| !f.is_empty()) {
        let passed: BTreeSet<String> = now.iter().filter_map(|f| features(f)).flatten().collect();
        if wanted_features.iter().all(|f| passed.contains(f)) {
            return true;
        }
    }
    knowledge().flags.supersets.iter().any(|superset| {
        now.contains(&superset.wide)
            && superset.covers.iter().any(|covered| {
                let covered = canonical_flag(covered);
                match covered.strip_suffix(" *") {
                    Some(name) => flag_name(&wanted) == name && flag_value(&wanted).is_some(),
                    None => covered == wanted,
                }
            })
    })
}

/// The items a list flag passes: `--features a,b` and `--features "a b"` pass `a` and `b`.
fn list_items(flag: &str) -> BTreeSet<String> {
    flag_value(flag)
        .unwrap_or("")
        .split([',', ' '])
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// The items of the list flag `old` (`-e py,lint,type`) that `new`, the same flag with fewer
/// items and no other (`-e py`), no longer passes, joined by commas; `None` when `new` is not
/// such a flag or passes an item `old` did not (another selection, not a shorter one).
pub fn list_items_dropped(old: &str, new: &str) -> Option<String> {
    let name = flag_name(old);
    if flag_name(new) != name || !knowledge().flags.lists.iter().any(|l| l == name) {
        return None;
    }
    let (had, has) = (list_items(old), list_items(new));
    if has.is_empty() || !has.is_subset(&had) || has == had {
        return None;
    }
    Some(had.difference(&has).cloned().collect::<Vec<_>>().join(","))
}

/// Whether a command with `flags` only compiles what it would test (`cargo test --no-run`).
pub fn compiles_only(flags: &[String]) -> bool {
    let known = &knowledge().flags.compile_only;
    flags
        .iter()
        .any(|flag| known.iter().any(|k| k == flag_name(flag)))
}

/// Whether `name` is a selecting flag whose value is a boolean expression (`pytest -m`).
pub fn is_expression_flag(name: &str) -> bool {
    knowledge().flags.expressions.iter().any(|e| e == name)
}

/// Whether removing `flag` runs more, not less (a selecting or excluding flag).
pub fn narrows(flag: &str) -> bool {
    let name = canonical_flag(flag_name(flag));
    let known = &knowledge().flags;
    known.excluding.contains(&name) || known.selecting.iter().flatten().any(|s| *s == name)
}

/// Flags of `added` (passed now, not before) that make a command run less than with `before`:
/// an excluding flag, or a selecting flag of a group `before` did not select with.
pub fn narrowing_added<'a>(before: &[String], added: &'a [String]) -> Vec<&'a String> {
    let known = &knowledge().flags;
    let names: Vec<String> = before
        .iter()
        .map(|f| canonical_flag(flag_name(f)))
        .collect();
    // `-p one` widened to `--workspace --exclude two`: the exclusions trim a wider run, and
    // leave out no package the command selected before.
    let packages: Vec<&str> = before
        .iter()
        .filter_map(|f| {
            canonical_flag(f)
                .strip_prefix("-p ")
                .map(|_| flag_value(f).unwrap_or(""))
        })
        .collect();
    let widened = !packages.is_empty()
        && added
            .iter()
            .any(|f| canonical_flag(f) == canonical_flag("--workspace"));
    added
        .iter()
        .filter(|flag| {
            let name = canonical_flag(flag_name(flag));
            if widened && name == "--exclude" && !packages.contains(&flag_value(flag).unwrap_or(""))
            {
                return false;
            }
            // `-p deno` where `--bin deno` was passed: the package of that binary, whole.
            let value = flag_value(flag).unwrap_or("");
            if known.within.iter().any(|w| {
                canonical_flag(&w.wide) == name
                    && before.iter().any(|b| {
                        flag_name(b) == w.narrow && flag_value(b).is_some_and(|v| v == value)
                    })
            }) {
                return false;
            }
            known.excluding.contains(&name)
                || known
                    .selecting
                    .iter()
                    .any(|group| group.contains(&name) && !names.iter().any(|n| group.contains(n)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_parses() {
        let parsed: Knowledge = toml::from_str(EQUIVALENCE_TOML).unwrap();
        assert!(parsed.platforms.contains_key("linux"));
        assert!(!parsed.matrix.platform_keys.is_empty());
    }

    #[test]
    fn a_script_named_for_results_checks_nothing_unless_it_says_it_checks() {
        assert!(script_names_check("deno run -A ./tools/lint.js"));
        assert!(script_names_check("./ci/run_tests.sh"));
        assert!(!script_names_check(
            "deno run -RWN ./tools/combine_test_results.js"
        ));
        assert!(!script_names_check("python scripts/junit_summary.py"));
        assert!(script_names_check("python scripts/check_test_results.py"));
        assert!(script_names_check("./verify-report.sh"));
    }

    #[test]
    fn platforms() {
        assert!(same_platform("ubuntu-22.04", "ubuntu-24.04"));
        assert!(same_platform("macos-13", "macos-15-intel"));
        assert!(same_platform(
            "macos-14",
            "${{ github.ref == 'refs/heads/main' && 'self-hosted' || 'macos-14' }}"
        ));
        assert!(same_platform("windows-latest", "windows-11-arm"));
        assert!(!same_platform("macos-latest", "ubuntu-latest"));
        assert!(!same_platform("ubuntu-24.04-arm", "ubuntu-24.04-x64"));
        assert!(!same_platform("self-hosted", "ubuntu-latest"));
        assert!(same_platform(
            "ubicloud-standard-16-arm",
            "ghcr.io/cirruslabs/ubuntu-runner-arm64:24.04"
        ));
        assert!(!same_platform("ubicloud-standard-16-arm", "ubuntu-24.04"));
        assert!(is_platform_key("platform.os"));
        assert!(is_platform_key("target"));
        assert!(!is_platform_key("python-version"));
        assert!(is_skip_key("skip"));
        assert!(is_skip_key("skip_pr"));
        assert!(!is_skip_key("skipper"));
    }

    #[test]
    fn flags() {
        let now = |flags: &[&str]| flags.iter().map(|f| f.to_string()).collect::<Vec<_>>();
        assert!(still_passed("--all", &now(&["--workspace"])));
        assert!(still_passed("--deny warnings", &now(&["-D warnings"])));
        assert!(still_passed("--features x", &now(&["--all-features"])));
        assert!(still_passed("-p tokio", &now(&["--workspace"])));
        assert!(!still_passed("--all-features", &now(&["--features x"])));
        // List values, and build profiles chosen another way.
        assert!(still_passed("--features a", &now(&["--features b,a"])));
        assert!(still_passed("--tags=x", &now(&["--tags=x,y"])));
        assert!(!still_passed("--tags=x,z", &now(&["--tags=x,y"])));
        assert!(still_passed("--release", &now(&["--profile small"])));
        assert!(narrows("-skip"));
        assert!(narrows("-k slow"));
        assert!(!narrows("--all-features"));
        let added = now(&["--lib", "--tests", "-p one", "--release"]);
        assert_eq!(narrowing_added(&[], &added).len(), 3);
        assert_eq!(
            narrowing_added(&now(&["-p two"]), &now(&["-p one"])).len(),
            0
        );
        assert_eq!(narrowing_added(&[], &now(&["--skip slow"])).len(), 1);
        // The package a binary is named after holds it.
        let bins = now(&["--bin deno", "--bin denort"]);
        assert_eq!(
            narrowing_added(&bins, &now(&["-p deno", "-p denort"])).len(),
            0
        );
        assert_eq!(narrowing_added(&bins, &now(&["-p other"])).len(), 1);
    }

    #[test]
    fn steps_that_prepare() {
        for action in [
            "actions/checkout",
            "actions/setup-python",
            "google-github-actions/setup-gcloud",
            "google-github-actions/auth",
            "pnpm/action-setup",
            "dtolnay/rust-toolchain",
            "actions-rs/toolchain",
        ] {
            assert!(is_setup_action(action), "{action}");
        }
        for action in [
            "codecov/codecov-action",
            "golangci/golangci-lint-action",
            "actions/cache",
        ] {
            assert!(!is_setup_action(action), "{action}");
        }
        assert!(action_checks("golangci/golangci-lint-action"));
        assert!(action_checks("codecov/codecov-action"));
        assert!(action_checks("pre-commit/action"));
        assert!(!action_checks("softprops/action-gh-release"));
        assert!(is_setup_command("npm ci"));
        assert!(is_setup_command("pip"));
        assert!(!is_setup_command("npm test"));
        assert!(!is_setup_command("python"));
    }
}
