//! Which tool a failing command runs, and what kind of work it does, from the command line the
//! CI echoed (GitHub's `Run …` step title and script, a Travis or GitLab `$ …` line).
//!
//! The table is data: a command word, optionally its sub-command, the tool family, and the kind
//! of work. Wrappers that run another command (`sudo`, `python -m`, `npx`, `bundle exec`,
//! `poetry run`, env assignments) are looked through, and a package script (`npm run lint`) is
//! judged by its name, the convention package managers document.

/// The kind of work a command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// Installs packages or toolchains (`npm ci`, `pip install`, `apt-get install`).
    Install,
    /// Downloads sources or images (`git clone`, `docker pull`, `curl`, `actions/checkout`).
    Fetch,
    /// Compiles or packages (`cargo build`, `mvn package`, `make`, `docker build`).
    Build,
    /// Runs tests (`cargo test`, `pytest`, `jest`, `gradle test`).
    Test,
    /// Checks style or types (`eslint`, `mypy`, `cargo clippy`, `spotlessCheck`).
    Lint,
    /// Publishes or deploys (`npm publish`, `docker push`, `terraform apply`).
    Deploy,
    /// Anything else, or not known.
    Other,
}

/// A tool a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// Its family (`cargo`, `gradle`, `npm`, `pytest`…).
    pub family: &'static str,
    /// What the command does with it.
    pub kind: ToolKind,
}

use ToolKind::*;

/// `(command, sub-command or "" for any, family, kind)`: the first row whose command and
/// sub-command match decides; a row with an empty sub-command is the command's default.
const COMMANDS: &[(&str, &str, &str, ToolKind)] = &[
    ("cargo", "test", "cargo", Test),
    ("cargo", "nextest", "cargo", Test),
    ("cargo", "clippy", "cargo", Lint),
    ("cargo", "fmt", "cargo", Lint),
    ("cargo", "install", "cargo", Install),
    ("cargo", "fetch", "cargo", Install),
    ("cargo", "publish", "cargo", Deploy),
    ("cargo", "", "cargo", Build),
    ("rustc", "", "cargo", Build),
    ("rustup", "", "cargo", Install),
    ("go", "test", "go", Test),
    ("go", "vet", "go", Lint),
    ("go", "get", "go", Install),
    ("go", "install", "go", Install),
    ("go", "mod", "go", Install),
    ("go", "", "go", Build),
    ("golangci-lint", "", "go", Lint),
    ("pytest", "", "pytest", Test),
    ("py.test", "", "pytest", Test),
    ("unittest", "", "unittest", Test),
    ("nose2", "", "unittest", Test),
    ("nosetests", "", "unittest", Test),
    ("tox", "", "tox", Test),
    ("nox", "", "tox", Test),
    ("mypy", "", "mypy", Lint),
    ("pyright", "", "mypy", Lint),
    ("ruff", "", "ruff", Lint),
    ("flake8", "", "ruff", Lint),
    ("pylint", "", "ruff", Lint),
    ("black", "", "ruff", Lint),
    ("isort", "", "ruff", Lint),
    ("pre-commit", "", "pre-commit", Lint),
    ("pip", "install", "pip", Install),
    ("pip3", "install", "pip", Install),
    ("uv", "sync", "pip", Install),
    ("uv", "pip", "pip", Install),
    ("uv", "python", "pip", Install),
    ("poetry", "install", "pip", Install),
    ("pipenv", "install", "pip", Install),
    ("conda", "install", "pip", Install),
    ("conda", "create", "pip", Install),
    ("twine", "", "pip", Deploy),
    ("npm", "ci", "npm", Install),
    ("npm", "install", "npm", Install),
    ("npm", "i", "npm", Install),
    ("npm", "test", "npm", Test),
    ("npm", "publish", "npm", Deploy),
    ("yarn", "install", "npm", Install),
    ("yarn", "add", "npm", Install),
    ("yarn", "test", "npm", Test),
    ("yarn", "publish", "npm", Deploy),
    ("pnpm", "install", "npm", Install),
    ("pnpm", "i", "npm", Install),
    ("pnpm", "test", "npm", Test),
    ("pnpm", "publish", "npm", Deploy),
    ("jest", "", "jest", Test),
    ("vitest", "", "jest", Test),
    ("mocha", "", "mocha", Test),
    ("karma", "", "mocha", Test),
    ("ava", "", "mocha", Test),
    ("jasmine", "", "mocha", Test),
    ("eslint", "", "eslint", Lint),
    ("prettier", "", "eslint", Lint),
    ("tsc", "", "tsc", Lint),
    ("gradle", "", "gradle", Build),
    ("gradlew", "", "gradle", Build),
    ("mvn", "", "maven", Build),
    ("mvnw", "", "maven", Build),
    ("ant", "", "ant", Build),
    ("dotnet", "test", "dotnet", Test),
    ("dotnet", "restore", "dotnet", Install),
    ("dotnet", "format", "dotnet", Lint),
    ("dotnet", "", "dotnet", Build),
    ("msbuild", "", "dotnet", Build),
    ("make", "test", "make", Test),
    ("make", "check", "make", Test),
    ("make", "lint", "make", Lint),
    ("make", "install", "make", Build),
    ("make", "", "make", Build),
    ("cmake", "", "make", Build),
    ("ctest", "", "make", Test),
    ("ninja", "", "make", Build),
    ("meson", "test", "make", Test),
    ("meson", "", "make", Build),
    ("gcc", "", "make", Build),
    ("g++", "", "make", Build),
    ("clang", "", "make", Build),
    ("clang++", "", "make", Build),
    ("docker", "build", "docker", Build),
    ("docker", "buildx", "docker", Build),
    ("docker", "pull", "docker", Fetch),
    ("docker", "login", "docker", Fetch),
    ("docker", "push", "docker", Deploy),
    ("docker", "", "docker", Other),
    ("terraform", "init", "terraform", Fetch),
    ("terraform", "fmt", "terraform", Lint),
    ("terraform", "apply", "terraform", Deploy),
    ("terraform", "", "terraform", Build),
    ("rspec", "", "rspec", Test),
    // Rake is a make: its tasks run any language's tools (mono's xunit, npm, rspec).
    ("rake", "", "rake", Test),
    ("bundle", "install", "bundler", Install),
    ("bundle", "", "bundler", Install),
    ("rubocop", "", "rspec", Lint),
    ("phpunit", "", "phpunit", Test),
    ("composer", "install", "composer", Install),
    ("composer", "update", "composer", Install),
    ("composer", "require", "composer", Install),
    ("composer", "", "composer", Other),
    ("swift", "test", "swift", Test),
    ("swift", "", "swift", Build),
    ("xcodebuild", "", "swift", Build),
    ("swiftlint", "", "swift", Lint),
    ("sbt", "", "sbt", Build),
    ("mix", "test", "mix", Test),
    ("mix", "format", "mix", Lint),
    ("mix", "credo", "mix", Lint),
    ("mix", "", "mix", Build),
    ("stack", "test", "haskell", Test),
    ("stack", "", "haskell", Build),
    ("cabal", "test", "haskell", Test),
    ("cabal", "", "haskell", Build),
    ("rebar3", "", "rebar3", Test),
    ("apt-get", "", "apt", Install),
    ("apt", "", "apt", Install),
    ("brew", "", "apt", Install),
    ("yum", "", "apt", Install),
    ("dnf", "", "apt", Install),
    ("apk", "", "apt", Install),
    ("choco", "", "apt", Install),
    ("curl", "", "download", Fetch),
    ("wget", "", "download", Fetch),
    ("git", "clone", "git", Fetch),
    ("git", "fetch", "git", Fetch),
    ("git", "pull", "git", Fetch),
    ("git", "submodule", "git", Fetch),
    ("git", "push", "git", Deploy),
    ("git", "", "git", Other),
    ("gh", "", "gh", Deploy),
    ("aws", "", "cloud", Deploy),
    ("gcloud", "", "cloud", Deploy),
    ("az", "", "cloud", Deploy),
    ("kubectl", "", "cloud", Deploy),
    ("helm", "", "cloud", Deploy),
];

/// Words that only set up the command that follows them.
const WRAPPERS: &[&str] = &[
    "sudo", "time", "exec", "env", "npx", "pnpx", "bunx", "xvfb-run", "nohup", "command",
];

/// Two-word wrappers: `python -m X`, `bundle exec X`, `poetry run X`, `uv run X`.
const RUNNERS: &[(&str, &str)] = &[
    ("python", "-m"),
    ("python3", "-m"),
    ("py", "-m"),
    ("bundle", "exec"),
    ("poetry", "run"),
    ("pipenv", "run"),
    ("uv", "run"),
    ("pdm", "run"),
    ("hatch", "run"),
    ("yarn", "exec"),
    ("pnpm", "exec"),
    ("npm", "exec"),
    ("dotnet", "tool"),
];

/// The kind of work a package script does, from its name (`lint`, `test:unit`, `build`).
fn script_kind(name: &str) -> ToolKind {
    let name = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&[
        "lint",
        "format",
        "fmt",
        "prettier",
        "style",
        "typecheck",
        "type-check",
        "tsc",
    ]) {
        Lint
    } else if has(&["test", "spec", "e2e", "coverage", "ci"]) {
        Test
    } else if has(&["build", "compile", "dist", "bundle"]) {
        Build
    } else if has(&["deploy", "publish", "release"]) {
        Deploy
    } else {
        Other
    }
}

/// The tool one shell command line runs.
pub fn tool_of_line(line: &str) -> Option<Tool> {
    // The first command of a pipeline or `&&` chain is usually what the step is about, unless
    // it only moves around (`cd dir && make test`).
    for part in line.split(['|', ';']).flat_map(|p| p.split("&&")) {
        let mut words = part
            .split_whitespace()
            .skip_while(|w| w.contains('=') && !w.starts_with('-'));
        let Some(mut word) = words.next() else {
            continue;
        };
        loop {
            let base = base_name(word);
            if WRAPPERS.contains(&base) {
                word = match words.next() {
                    Some(next) => next,
                    None => break,
                };
                continue;
            }
            break;
        }
        let mut rest: Vec<&str> = words.collect();
        let mut base = base_name(word);
        if matches!(
            base,
            "cd" | "pushd" | "export" | "set" | "echo" | "source" | "."
        ) {
            continue;
        }
        while let Some(&next) = rest.first() {
            if RUNNERS.contains(&(base, next)) && rest.len() > 1 {
                base = base_name(rest[1]);
                rest.drain(..2);
            } else {
                break;
            }
        }
        let sub = rest
            .iter()
            .find(|w| !w.starts_with('-') && !w.starts_with('+'))
            .copied()
            .unwrap_or("");
        if matches!(base, "npm" | "yarn" | "pnpm" | "bun") && matches!(sub, "run" | "run-script") {
            let script = rest
                .iter()
                .skip_while(|w| !matches!(**w, "run" | "run-script"))
                .nth(1)
                .copied()
                .unwrap_or("");
            return Some(Tool {
                family: "npm",
                kind: script_kind(script),
            });
        }
        if base == "unittest" || (base == "python" && sub == "setup.py") {
            return Some(Tool {
                family: "unittest",
                kind: Test,
            });
        }
        if matches!(base, "gradle" | "gradlew" | "mvn" | "mvnw" | "sbt" | "ant") {
            return Some(Tool {
                family: family_of(base),
                kind: build_tool_kind(&rest),
            });
        }
        let found = COMMANDS
            .iter()
            .find(|(command, s, _, _)| *command == base && (*s == sub || s.is_empty()));
        if let Some((_, _, family, kind)) = found {
            return Some(Tool {
                family,
                kind: *kind,
            });
        }
        if matches!(base, "yarn" | "pnpm" | "bun") {
            // `yarn lint`: a package script run without `run`; a bare `yarn` installs.
            let kind = if sub.is_empty() {
                Install
            } else {
                script_kind(sub)
            };
            return Some(Tool {
                family: "npm",
                kind,
            });
        }
        return None;
    }
    None
}

fn family_of(base: &str) -> &'static str {
    match base {
        "gradle" | "gradlew" => "gradle",
        "mvn" | "mvnw" => "maven",
        "sbt" => "sbt",
        _ => "ant",
    }
}

/// The kind of a Gradle, Maven, sbt or Ant run from its tasks or phases: the last one decides
/// what it gets to (`mvn verify` runs the tests, `gradle spotlessCheck` a linter).
fn build_tool_kind(args: &[&str]) -> ToolKind {
    let mut kind = Build;
    for arg in args.iter().filter(|a| !a.starts_with('-')) {
        let task = arg.rsplit(':').next().unwrap_or(arg).to_ascii_lowercase();
        kind = if task.starts_with("spotless")
            || task.contains("checkstyle")
            || task.contains("lint")
            || task.contains("detekt")
            || task.contains("ktlint")
            || task.contains("pmd")
            || task.contains("spotbugs")
        {
            Lint
        } else if task.contains("test") || task == "check" || task == "verify" || task == "install"
        {
            Test
        } else if task.contains("publish") || task == "deploy" {
            Deploy
        } else {
            kind
        };
    }
    kind
}

fn base_name(word: &str) -> &str {
    let word = word.trim_matches(|c| c == '"' || c == '\'' || c == '(' || c == ')');
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    base.strip_suffix(".exe")
        .or_else(|| base.strip_suffix(".bat"))
        .or_else(|| base.strip_suffix(".cmd"))
        .unwrap_or(base)
}

/// The tool a failing step runs: from its title (`Run cargo test`, `$ npm ci`, `Run
/// actions/checkout@v4`) and, failing that, from the echoed script's lines.
pub fn tool_of_command(title: &str, script: &[String]) -> Option<Tool> {
    let title = title.trim();
    let command = title
        .strip_prefix("Run ")
        .or_else(|| title.strip_prefix("$ "))
        .unwrap_or(title);
    if let Some(action) = command.split('@').next().filter(|_| command.contains('@')) {
        if !action.contains(' ') && action.contains('/') {
            return Some(action_tool(action));
        }
    }
    tool_of_line(command).or_else(|| script.iter().find_map(|line| tool_of_line(line)))
}

/// What a `uses:` action does, from its name: checkout and downloads fetch, `setup-*` installs
/// a toolchain, login and publish actions deploy.
fn action_tool(action: &str) -> Tool {
    let name = action
        .rsplit('/')
        .next()
        .unwrap_or(action)
        .to_ascii_lowercase();
    let kind = if name.contains("checkout") || name.contains("download") || name.contains("cache") {
        Fetch
    } else if name.starts_with("setup") || name.contains("install") || name.contains("toolchain") {
        Install
    } else if name.contains("login")
        || name.contains("publish")
        || name.contains("deploy")
        || name.contains("push")
        || name.contains("release")
        || name.contains("upload")
    {
        Deploy
    } else {
        Other
    };
    Tool {
        family: "action",
        kind,
    }
}

/// The language ecosystem whose output a tool family prints, for the families that run one
/// language's compiler or test runner only (a `make`, `npm` or `tox` run may print anything).
/// The names are the prefixes of the signature ids (`rust.compile-error`).
pub fn ecosystem(family: &str) -> Option<&'static str> {
    Some(match family {
        "cargo" => "rust",
        "go" => "go",
        "gradle" | "maven" | "ant" | "sbt" => "jvm",
        "jest" | "mocha" | "eslint" | "tsc" => "js",
        "pytest" | "mypy" | "ruff" | "unittest" | "tox" => "python",
        "rspec" => "ruby",
        "dotnet" => "dotnet",
        "swift" => "swift",
        "phpunit" => "php",
        "mix" => "elixir",
        "haskell" => "haskell",
        "rebar3" => "erlang",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(line: &str) -> Option<(&'static str, ToolKind)> {
        tool_of_command(line, &[]).map(|t| (t.family, t.kind))
    }

    #[test]
    fn recognises_the_common_ci_commands_through_their_wrappers() {
        let cases = [
            ("Run cargo test --workspace", Some(("cargo", Test))),
            (
                "Run cargo +nightly clippy -- -D warnings",
                Some(("cargo", Lint)),
            ),
            ("$ go test ./...", Some(("go", Test))),
            ("Run python -m pytest -x tests", Some(("pytest", Test))),
            ("Run poetry run mypy src", Some(("mypy", Lint))),
            ("$ npm ci", Some(("npm", Install))),
            ("Run npm run lint", Some(("npm", Lint))),
            ("Run yarn test:unit", Some(("npm", Test))),
            ("Run npx eslint .", Some(("eslint", Lint))),
            ("Run ./gradlew spotlessCheck", Some(("gradle", Lint))),
            ("Run ./gradlew build", Some(("gradle", Build))),
            ("$ mvn -B verify", Some(("maven", Test))),
            ("Run cd web && npm test", Some(("npm", Test))),
            (
                "Run sudo apt-get install -y libssl-dev",
                Some(("apt", Install)),
            ),
            ("Run CI=true bundle exec rspec", Some(("rspec", Test))),
            ("$ bundle exec rake", Some(("rake", Test))),
            ("$ mix test --trace", Some(("mix", Test))),
            ("$ stack --no-terminal test", Some(("haskell", Test))),
            ("Run actions/checkout@v4", Some(("action", Fetch))),
            ("Run actions/setup-python@v5", Some(("action", Install))),
            ("Run docker build -t app .", Some(("docker", Build))),
            (
                "Run terraform apply -auto-approve",
                Some(("terraform", Deploy)),
            ),
            ("Run ./scripts/release-notes.sh", None),
        ];
        for (line, expected) in cases {
            assert_eq!(tool(line), expected, "{line}");
        }
    }

    #[test]
    fn the_script_names_the_tool_when_the_title_does_not() {
        let script = vec![
            "set -e".to_string(),
            "uv pip install -r req.txt".to_string(),
        ];
        assert_eq!(
            tool_of_command("Run set -e", &script).map(|t| t.kind),
            Some(Install)
        );
    }
}
