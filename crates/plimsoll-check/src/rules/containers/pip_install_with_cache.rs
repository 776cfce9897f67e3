use std::collections::HashSet;

use plimsoll_syntax::dockerfile::Dockerfile;
use plimsoll_syntax::shell;

use super::common::{argv, has_cache_mount, insert_flag_after_verb, walk_stages};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::Fix;
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `pip install` without `--no-cache-dir`, unless `PIP_NO_CACHE_DIR` is set before it
    /// (by `ENV` in the stage or a stage it is built from, `export`, or on the command line),
    /// `pip config set global.no-cache-dir` ran before it, or the `RUN` uses a cache mount.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in `~/.cache/pip`, inside the layer: often hundreds of
    /// megabytes the image never uses.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// Safe: adds `--no-cache-dir` after `install`; the same packages are installed.
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    pub struct PipInstallWithCache {
        id: "DKR012",
        name: "pip-install-with-cache",
        severity: Note,
        domain: Containers,
        summary: "`pip install` keeps its cache in the layer",
        help: "use `pip install --no-cache-dir …` (or set `ENV PIP_NO_CACHE_DIR=1`)",
        fix: Safe,
    }
}

impl Rule for PipInstallWithCache {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let disabled_before = runs_with_cache_disabled(cx.dockerfile);
        for run in cx.runs.iter().filter(|r| !has_cache_mount(r)) {
            let mut disabled = disabled_before.contains(&run.instruction.span.start);
            for command in &run.commands {
                let words = argv(command);
                if command.program() == Some("export") || configures_no_cache(&words) {
                    disabled |= words.iter().skip(1).any(|w| disables_cache(w))
                        || configures_no_cache(&words);
                    continue;
                }
                // `PIP_NO_CACHE_DIR=1 pip install …`, `env PIP_NO_CACHE_DIR=1 pip install …`.
                let inline = command
                    .words
                    .iter()
                    .take(command.words.len() - command.argv().len())
                    .any(|w| disables_cache(&w.text));
                if is_pip_install(&words)
                    && !disabled
                    && !inline
                    && !words.iter().any(|w| is_no_cache_flag(w))
                {
                    let diagnostic = out.report(
                        &Self::META,
                        command.span(),
                        "`pip install` without `--no-cache-dir` leaves its cache in the layer"
                            .to_string(),
                    );
                    // pip installs the same packages; only its download cache is not kept.
                    if let Some(edit) = insert_flag_after_verb(command, "install", "--no-cache-dir")
                    {
                        diagnostic.fix(Fix::safe("add `--no-cache-dir`", vec![edit]));
                    }
                }
            }
        }
    }
}

/// Whether `words` run `pip install` (`pip3.12 install`, `python3 -m pip install`).
fn is_pip_install(words: &[&str]) -> bool {
    let versioned = |program: &str, name: &str| {
        program
            .strip_prefix(name)
            .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    let program = words.first().map_or("", |w| shell::program_name(w));
    if versioned(program, "pip") {
        words.get(1) == Some(&"install")
    } else if versioned(program, "python") {
        words.get(1..4) == Some(&["-m", "pip", "install"])
    } else {
        false
    }
}

/// `--no-cache-dir`, or an abbreviation pip's option parser accepts (`--no-cache`): any
/// prefix long enough to be unambiguous.
fn is_no_cache_flag(word: &str) -> bool {
    word.len() >= "--no-ca".len() && "--no-cache-dir".starts_with(word)
}

/// Whether `assignment` sets `PIP_NO_CACHE_DIR` so that pip runs without a cache. pip parses
/// the value as a boolean and, for compatibility, disables the cache for every valid one,
/// `0`, `false` and `off` included; an empty or other value is an error, not a disabled cache.
/// A value from a variable is given the benefit of the doubt.
fn disables_cache(assignment: &str) -> bool {
    let Some(value) = assignment.strip_prefix("PIP_NO_CACHE_DIR=") else {
        return false;
    };
    let value = value.trim_matches(['"', '\'']).to_ascii_lowercase();
    value.starts_with('$')
        || matches!(
            value.as_str(),
            "y" | "yes" | "t" | "true" | "on" | "1" | "n" | "no" | "f" | "false" | "off" | "0"
        )
}

/// `pip config set global.no-cache-dir …`: pip's configuration file disables the cache for
/// every later `pip install` of the stage.
fn configures_no_cache(words: &[&str]) -> bool {
    words.len() >= 4
        && shell::program_name(words[0]).starts_with("pip")
        && words[1..3] == ["config", "set"]
        && words[3].ends_with(".no-cache-dir")
}

/// The `RUN`s (by their start in the file) that start with pip's cache disabled: by `ENV` or
/// `ARG PIP_NO_CACHE_DIR=…` or `pip config set` earlier in their stage or in a stage it is
/// built from.
fn runs_with_cache_disabled(file: &Dockerfile) -> HashSet<usize> {
    let mut disabled_runs = HashSet::new();
    walk_stages(
        file,
        |_| false,
        |instruction, disabled| match instruction.keyword.as_str() {
            "ENV" | "ARG" => {
                for (key, value) in instruction.key_values() {
                    if key.text == "PIP_NO_CACHE_DIR" {
                        let value = value.map(|v| v.text).unwrap_or_default();
                        *disabled = disables_cache(&format!("PIP_NO_CACHE_DIR={value}"));
                    }
                }
            }
            "RUN" => {
                if *disabled {
                    disabled_runs.insert(instruction.span.start);
                }
                *disabled |= instruction.script().is_some_and(|script| {
                    shell::parse(&script.text).iter().any(|command| {
                        let words: Vec<&str> =
                            command.argv().iter().map(|w| w.text.as_str()).collect();
                        configures_no_cache(&words)
                    })
                });
            }
            _ => {}
        },
    );
    disabled_runs
}
