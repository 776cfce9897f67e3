use plimsoll_syntax::dockerfile::Instruction;

use super::common::{argv, dependency_step};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a stage that copies the whole build context (`COPY . .`) before it installs or
    /// fetches dependencies (`npm ci`, `cargo build`, `pip install -r`, `go mod download`,
    /// `bundle install`, `composer install`, `mvn`, `gradle`), with no earlier copy of only the
    /// dependency manifests (`package.json`, `Cargo.lock`, `requirements.txt`, `go.sum`, …).
    ///
    /// ## Why is this bad?
    /// Any change to any file invalidates the layer cache at that `COPY`, so every build
    /// downloads and compiles all dependencies again: minutes per build instead of seconds.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . .
    /// RUN npm ci
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// ```
    pub struct CacheBustingCopy {
        id: "DKR005",
        name: "cache-busting-copy",
        severity: Warning,
        domain: Containers,
        summary: "The whole context is copied before dependencies are installed",
        help: "copy the dependency manifests first, install, then copy the rest (`COPY package*.json ./` → `RUN npm ci` → `COPY . .`)",
    }
}

/// Whether a `COPY`/`ADD` takes the whole build context.
fn copies_whole_context(instruction: &Instruction) -> bool {
    let words = instruction.words();
    let Some((_, sources)) = words.split_last() else {
        return false;
    };
    sources
        .iter()
        .any(|w| matches!(w.text.as_str(), "." | "./" | "*" | "./*" | "/"))
}

/// Whether a `COPY` takes only dependency manifests (`package.json`, `Cargo.toml`, …).
fn copies_manifests(instruction: &Instruction) -> bool {
    let words = instruction.words();
    let Some((_, sources)) = words.split_last() else {
        return false;
    };
    !sources.is_empty()
        && sources.iter().any(|w| {
            let name = w.text.rsplit('/').next().unwrap_or(&w.text);
            name.contains("requirements")
                || name.contains("package")
                || name.contains("lock")
                || name.starts_with("Cargo.")
                || name.starts_with("go.")
                || name.starts_with("Gemfile")
                || name.starts_with("composer.")
                || name.starts_with("pyproject")
                || name.starts_with("Pipfile")
                || name.starts_with("setup.")
                || name.starts_with("pom.")
                || name.contains("gradle")
                || name.ends_with(".csproj")
                || name.ends_with(".sln")
                || name == "recipe.json"
        })
}

impl Rule for CacheBustingCopy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for stage in cx.dockerfile.stages() {
            let mut whole_copy: Option<&Instruction> = None;
            let mut manifests_first = false;
            for instruction in stage.body {
                match instruction.keyword.as_str() {
                    "COPY" | "ADD" if instruction.flag("from").is_none() => {
                        if copies_whole_context(instruction) {
                            whole_copy = whole_copy.or(Some(instruction));
                        } else if whole_copy.is_none() && copies_manifests(instruction) {
                            manifests_first = true;
                        }
                    }
                    "RUN" => {
                        let (Some(copy), false) = (whole_copy, manifests_first) else {
                            continue;
                        };
                        let run = cx
                            .runs
                            .iter()
                            .find(|r| std::ptr::eq(r.instruction, instruction));
                        let step = run.and_then(|run| {
                            run.commands.iter().find_map(|c| {
                                let words = argv(c);
                                dependency_step(&words).map(|eco| (eco, words.join(" ")))
                            })
                        });
                        if let Some((ecosystem, command)) = step {
                            out.report(
                                &Self::META,
                                copy.span,
                                format!(
                                    "the whole context is copied before `{command}` installs the {ecosystem} dependencies: any change rebuilds them"
                                ),
                            );
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
