use super::common::{argv, has_flag, mounts_over, removes_after, shipping_stages, verb};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `apt-get` use that makes images slow to build, large, or stale: `apt-get install`
    /// without `-y` (or `-qq`, which implies it) or without `--no-install-recommends`; a `RUN`
    /// of a stage that ships (the final stage, the stages it is built from, stages copied into
    /// it whole) that runs `apt-get update` but does not remove `/var/lib/apt/lists/*` (or run
    /// `apt-get dist-clean`) after its last install, nor mounts a cache or tmpfs over them; and
    /// `apt-get update` in a `RUN` that installs nothing.
    ///
    /// ## Why is this bad?
    /// Without `-y` the build waits for an answer and fails; recommended packages and package
    /// lists add tens of megabytes to the layer; an `apt-get update` cached in its own layer
    /// goes stale, so later installs fetch outdated or missing versions.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    pub struct AptGetHygiene {
        id: "DKR010",
        name: "apt-get-hygiene",
        severity: Note,
        domain: Containers,
        summary: "`apt-get` is used without `-y`, `--no-install-recommends` or cleanup",
        help: "use `apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*` in one `RUN`",
    }
}

impl Rule for AptGetHygiene {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let ships = shipping_stages(cx.dockerfile);
        for run in cx.runs {
            // Package lists left in a builder stage cost nothing: only what ships matters.
            let lists_ship = run.onbuild
                || run
                    .stage
                    .is_none_or(|stage| ships.get(stage).copied().unwrap_or(true));
            let mut update = None;
            let mut installs = false;
            let mut last_install = 0;
            // `apt-get dist-clean` (apt 2.7+) removes the lists too.
            let mut dist_clean = None;
            for (index, command) in run.commands.iter().enumerate() {
                let words = argv(command);
                let program = command.program().unwrap_or("");
                if !matches!(program, "apt-get" | "apt") {
                    continue;
                }
                match verb(&words) {
                    Some("update") => update = update.or(Some(command.span())),
                    Some("dist-clean") => dist_clean = Some(index),
                    Some("install") => {
                        installs = true;
                        last_install = index;
                        if !has_flag(&words, 'y', &["--yes", "--assume-yes"])
                            && !answers_yes_quietly(&words)
                        {
                            out.report(
                                &Self::META,
                                command.span(),
                                format!("`{program} install` without `-y` waits for an answer and fails the build"),
                            );
                        }
                        if !words.contains(&"--no-install-recommends") {
                            out.report(
                                &Self::META,
                                command.span(),
                                format!("`{program} install` without `--no-install-recommends` also installs recommended packages"),
                            );
                        }
                    }
                    _ => {}
                }
            }
            let Some(update) = update else {
                continue;
            };
            if !installs {
                out.report(
                    &Self::META,
                    update,
                    "`apt-get update` in a `RUN` that installs nothing: its cached layer goes stale".to_string(),
                );
            } else if lists_ship
                && dist_clean.is_none_or(|at| at < last_install)
                && !removes_after(run, "/var/lib/apt/lists", last_install)
                && !mounts_over(run, "/var/lib/apt/lists")
            {
                out.report(
                    &Self::META,
                    update,
                    "package lists are not removed: add `rm -rf /var/lib/apt/lists/*` to this `RUN`".to_string(),
                );
            }
        }
    }
}

/// Whether the options answer yes without `-y`: quiet level 2 (`-qq`, `-q -q`, `-q=2`,
/// `--quiet=2`) implies `-y` (apt-get(8)), as does `-o APT::Get::Assume-Yes=true`.
fn answers_yes_quietly(words: &[&str]) -> bool {
    let mut quiet = 0usize;
    let mut option_follows = false;
    for word in words.iter().skip(1) {
        let word = *word;
        if std::mem::take(&mut option_follows) || word.starts_with("-o=") {
            let setting = word.trim_start_matches("-o=").to_ascii_lowercase();
            if matches!(
                setting.as_str(),
                "apt::get::assume-yes=true" | "apt::get::assume-yes=1" | "apt::get::assume-yes=yes"
            ) {
                return true;
            }
        } else if word == "-o" {
            option_follows = true;
        } else if let Some(level) = word
            .strip_prefix("--quiet=")
            .or_else(|| word.strip_prefix("-q="))
        {
            quiet = level.parse().unwrap_or(quiet);
        } else if word == "--quiet" {
            quiet += 1;
        } else if word.starts_with('-') && !word.starts_with("--") {
            quiet += word.matches('q').count();
        }
    }
    quiet >= 2
}
