//! Helpers shared by the GitHub Actions rules.

use plimsoll_syntax::shell::{self, Command};
use std::cell::OnceCell;

use plimsoll_syntax::yaml::{Locator, Node};
use plimsoll_syntax::{expr, Span};

/// A `run:` script split into shell commands, with a way back to source spans.
pub(crate) struct Script<'a> {
    node: &'a Node,
    /// The commands, lexed with `${{ }}` masked.
    pub commands: Vec<Command>,
    locator: OnceCell<Locator>,
}

impl<'a> Script<'a> {
    /// The script of a `run:` node, if it is a scalar.
    pub fn of(node: &'a Node) -> Option<Script<'a>> {
        let text = node.as_str()?;
        Some(Script {
            node,
            commands: shell::parse(&expr::mask(text)),
            locator: OnceCell::new(),
        })
    }

    /// Source span of a span within the script's value.
    pub fn source_span(&self, source: &str, span: Span) -> Span {
        self.locator
            .get_or_init(|| Locator::new(self.node, source))
            .locate(self.node, source, span.start..span.end)
    }

    /// Source span of a whole command.
    pub fn command_span(&self, source: &str, command: &Command) -> Span {
        self.source_span(source, command.span())
    }
}

/// A command's words from the program on, without `+toolchain` selectors (`cargo +nightly fmt`
/// reads as `cargo fmt`).
pub(crate) fn command_words(command: &Command) -> Vec<&str> {
    command
        .argv()
        .iter()
        .map(|w| w.text.as_str())
        .filter(|w| !w.starts_with('+'))
        .collect()
}

/// Whether `argv` runs a quality gate: tests, linters, format checks, builds, audits.
pub(crate) fn is_quality_command(argv: &[String]) -> bool {
    let words: Vec<&str> = argv
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with('+'))
        .collect();
    let Some(program) = words.first().map(|p| shell::program_name(p)) else {
        return false;
    };
    let sub = words.get(1).copied().unwrap_or("");
    let run_target = words.get(2).copied().unwrap_or("");
    match program {
        "cargo" => matches!(
            sub,
            "test"
                | "clippy"
                | "fmt"
                | "check"
                | "build"
                | "nextest"
                | "audit"
                | "deny"
                | "doc"
                | "miri"
                | "hack"
                | "udeps"
                | "semver-checks"
                | "llvm-cov"
                | "tarpaulin"
        ),
        "npm" | "yarn" | "pnpm" | "bun" => {
            matches!(sub, "test" | "t" | "lint" | "build" | "audit")
                || (sub == "run"
                    && ["test", "lint", "build", "check", "typecheck", "format"]
                        .iter()
                        .any(|t| run_target.starts_with(t)))
        }
        "go" => matches!(sub, "test" | "vet" | "build"),
        "make" | "just" | "task" => ["test", "check", "lint", "ci", "verify"]
            .iter()
            .any(|t| sub.starts_with(t)),
        "mvn" | "gradle" | "gradlew" | "./gradlew" | "./mvnw" => words
            .iter()
            .any(|w| matches!(*w, "test" | "verify" | "check" | "build" | "package")),
        "pytest" | "tox" | "nox" | "ruff" | "mypy" | "flake8" | "pylint" | "black" | "eslint"
        | "prettier" | "tsc" | "jest" | "vitest" | "golangci-lint" | "shellcheck"
        | "actionlint" | "hadolint" | "rspec" | "phpunit" | "ctest" | "plimsoll" => true,
        "python" | "python3" => words.windows(2).any(|w| w == ["-m", "pytest"]),
        "dotnet" => matches!(sub, "test" | "build" | "format"),
        _ => false,
    }
}

/// The `uses:` reference without its ref, lowercased (`actions/checkout`).
pub(crate) fn action_slug(uses: &str) -> String {
    uses.split('@').next().unwrap_or(uses).to_ascii_lowercase()
}
