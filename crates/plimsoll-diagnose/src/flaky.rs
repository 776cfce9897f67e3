//! What to propose for a flaky failure, by what the failing command does.
//!
//! A retry is right only around network-bound setup (a download, a package install): it passes
//! on the next attempt and hides nothing. Around a test command it hides the flaky test, which
//! then fails some other day with nobody knowing which test it is; so a flaky test is named and
//! gets a tracked quarantine or a runner that reports flakes by name (`cargo nextest run
//! --retries N` prints FLAKY, pytest-rerunfailures reports RERUN on the one marked test,
//! surefire counts "Flakes"), never a loop around the whole test run.

use crate::analyzer::Candidate;

/// What a step's script does, by its commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// Every command downloads or installs (`apt-get install`, `npm ci`, `pip install`, `curl`).
    Setup,
    /// A command runs tests (`cargo test`, `pytest`, `npm test`, `go test`, `mvn verify`).
    Test,
    /// Something else: a build, a script.
    Other,
}

/// Commands (first words) that only download or install.
const SETUP_COMMANDS: &[&str] = &[
    "apt-get install",
    "apt-get update",
    "apt install",
    "apt update",
    "sudo apt-get install",
    "sudo apt-get update",
    "sudo apt install",
    "sudo apt update",
    "yum install",
    "dnf install",
    "apk add",
    "brew install",
    "brew update",
    "choco install",
    "pip install",
    "pip3 install",
    "python -m pip install",
    "python3 -m pip install",
    "pipx install",
    "poetry install",
    "pipenv install",
    "uv sync",
    "uv pip install",
    "conda install",
    "npm ci",
    "npm install",
    "npm i",
    "yarn install",
    "pnpm install",
    "bun install",
    "bundle install",
    "gem install",
    "composer install",
    "go mod download",
    "go get",
    "go install",
    "cargo fetch",
    "cargo install",
    "cargo binstall",
    "rustup",
    "curl",
    "wget",
    "git clone",
    "git fetch",
    "git submodule update",
    "docker pull",
    "mvn dependency:",
    "dotnet restore",
    "nuget restore",
];

/// Commands (first words) that run tests.
const TEST_COMMANDS: &[&str] = &[
    "cargo test",
    "cargo nextest",
    "cargo hack test",
    "pytest",
    "python -m pytest",
    "python3 -m pytest",
    "tox",
    "nox",
    "npm test",
    "npm run test",
    "npm t",
    "yarn test",
    "yarn run test",
    "pnpm test",
    "pnpm run test",
    "npx jest",
    "jest",
    "npx vitest",
    "vitest",
    "go test",
    "gotestsum",
    "mvn test",
    "mvn verify",
    "mvn -B test",
    "mvn -B verify",
    "./mvnw test",
    "./mvnw verify",
    "gradle test",
    "gradle check",
    "./gradlew test",
    "./gradlew check",
    "ctest",
    "make test",
    "make check",
    "rspec",
    "bundle exec rspec",
    "bundle exec rake",
    "phpunit",
    "vendor/bin/phpunit",
    "dotnet test",
    "mix test",
];

fn starts_with_command(line: &str, command: &str) -> bool {
    line.strip_prefix(command).is_some_and(|rest| {
        command.ends_with(':') || rest.is_empty() || rest.starts_with([' ', ';', '&', '|'])
    })
}

/// What the script `script` (a `run:` block, or the lines the log echoed) does.
pub fn command_kind(script: &str) -> CommandKind {
    let mut commands: Vec<&str> = Vec::new();
    // A here-document's body is data, not commands.
    let mut terminator: Option<String> = None;
    for line in script.lines().map(str::trim) {
        if let Some(end) = &terminator {
            if line == end {
                terminator = None;
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((_, word)) = line.split_once("<<") {
            let word = word.trim_start_matches('-').trim_start();
            let word: String = word
                .chars()
                .filter(|c| *c != '\'' && *c != '"')
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !word.is_empty() {
                terminator = Some(word);
            }
        }
        commands.extend(line.split("&&").map(str::trim).filter(|c| !c.is_empty()));
    }
    if commands
        .iter()
        .any(|c| TEST_COMMANDS.iter().any(|t| starts_with_command(c, t)))
    {
        return CommandKind::Test;
    }
    let downloads = |c: &&str| SETUP_COMMANDS.iter().any(|t| starts_with_command(c, t));
    // Shell bookkeeping around the downloads neither downloads nor builds.
    let bookkeeping = |c: &&str| {
        ["set -", "echo ", "export ", "cd ", "mkdir "]
            .iter()
            .any(|prefix| c.starts_with(prefix))
    };
    if commands.iter().any(downloads) && commands.iter().all(|c| downloads(c) || bookkeeping(c)) {
        return CommandKind::Setup;
    }
    CommandKind::Other
}

/// The download command to run before a build or test command of `script` whose own
/// dependency download failed: `cargo fetch` for cargo, `go mod download` for go.
pub fn fetch_command(script: &str) -> Option<&'static str> {
    let first = script
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    if first.starts_with("cargo ") {
        Some("cargo fetch")
    } else if first.starts_with("go ") {
        Some("go mod download")
    } else {
        None
    }
}

/// Whether the best lines tell of a dependency download that failed (a package index, a crate
/// or module download), rather than of a test's own network use.
pub fn dependency_download(candidates: &[Candidate]) -> bool {
    const DOWNLOAD_WORDS: &[&str] = &[
        "failed to get `",
        "failed to download",
        "download of ",
        "downloading",
        "Updating crates.io index",
        "failed to fetch",
        "failed to load source for dependency",
        "proxy.golang.org",
        "go: downloading",
        "index.crates.io",
        "static.crates.io",
    ];
    candidates.iter().take(3).any(|c| {
        std::iter::once(&c.line)
            .chain(&c.before)
            .chain(&c.after)
            .any(|l| {
                let text = l.text.as_str();
                DOWNLOAD_WORDS.iter().any(|w| text.contains(w))
            })
    })
}

/// The test runner that reported a failing test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// Rust's libtest (`cargo test`).
    Cargo,
    /// pytest.
    Pytest,
    /// Jest.
    Jest,
    /// `go test`.
    Go,
    /// JUnit under Gradle or Maven.
    Junit,
}

/// A failing test the log names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingTest {
    /// Who ran it.
    pub runner: Runner,
    /// Its name as the runner prints it (`tests::parses`, `tests/test_api.py::test_get`).
    pub name: String,
}

/// The failing test the best lines name, by the runners' documented failure lines.
pub fn failing_test(candidates: &[Candidate]) -> Option<FailingTest> {
    candidates.iter().take(3).find_map(|c| {
        std::iter::once(&c.line)
            .chain(&c.before)
            .chain(&c.after)
            .find_map(|l| test_of(l.text.trim()))
    })
}

fn test_of(line: &str) -> Option<FailingTest> {
    let test = |runner, name: &str| {
        let name = name.trim();
        (!name.is_empty() && !name.contains(char::is_whitespace) || runner == Runner::Jest).then(
            || FailingTest {
                runner,
                name: name.to_string(),
            },
        )
    };
    // libtest: `test path::name ... FAILED`, `---- path::name stdout ----`.
    if let Some(name) = line
        .strip_prefix("test ")
        .and_then(|r| r.strip_suffix(" ... FAILED"))
    {
        return test(Runner::Cargo, name);
    }
    if let Some(name) = line
        .strip_prefix("---- ")
        .and_then(|r| r.strip_suffix(" stdout ----"))
    {
        return test(Runner::Cargo, name);
    }
    // pytest: `FAILED tests/x.py::test_y - AssertionError`, `tests/x.py::test_y FAILED`.
    if let Some(rest) = line.strip_prefix("FAILED ") {
        let name = rest.split(" - ").next().unwrap_or(rest);
        if name.contains("::") {
            return test(Runner::Pytest, name);
        }
    }
    if let Some(name) = line.strip_suffix(" FAILED") {
        if name.contains("::") && !name.contains(' ') {
            return test(Runner::Pytest, name);
        }
        // Gradle: `ClientTest > parses() FAILED`.
        if let Some((class, method)) = name.split_once(" > ") {
            if !class.contains(' ') {
                return test(Runner::Junit, &format!("{class}.{}", method.trim()));
            }
        }
    }
    // go: `--- FAIL: TestParse (0.01s)`.
    if let Some(name) = crate::analyzer::go_failed_test(line) {
        return test(Runner::Go, name);
    }
    // Jest: `● Suite › does a thing`.
    if let Some(rest) = line.strip_prefix("● ") {
        if rest.contains(" › ") {
            return test(Runner::Jest, rest);
        }
    }
    // Surefire: `[ERROR] testParse(com.acme.ParserTest)  Time elapsed: …  <<< FAILURE!`.
    if let Some(rest) = line.strip_prefix("[ERROR] ") {
        if rest.contains("<<< FAILURE!") || rest.contains("<<< ERROR!") {
            let name = rest.split_whitespace().next().unwrap_or("");
            if let Some((method, class)) = name.strip_suffix(')').and_then(|n| n.split_once('(')) {
                return test(Runner::Junit, &format!("{class}.{method}"));
            }
            return test(Runner::Junit, name);
        }
    }
    None
}

/// The proposal for a flaky test: name it, and make its runner report it as flaky instead of
/// retrying the whole run.
pub fn quarantine(test: &FailingTest) -> (String, String) {
    let name = &test.name;
    let summary = match test.runner {
        Runner::Cargo => format!(
            "track `{name}` as flaky in an issue, and run the tests with `cargo nextest run \
             --retries 2` (keep `cargo test --doc` for doctests): a test that passes on a retry \
             is reported FLAKY by name instead of failing the run or being hidden"
        ),
        Runner::Pytest => format!(
            "track `{name}` as flaky in an issue and mark that test only with \
             `@pytest.mark.flaky(reruns=2)` (pytest-rerunfailures), which reports its reruns \
             as RERUN"
        ),
        Runner::Jest => format!(
            "track `{name}` as flaky in an issue and call `jest.retryTimes(2, \
             {{ logErrorsBeforeRetry: true }})` in its test file only, so its retries are logged"
        ),
        Runner::Go => format!(
            "track `{name}` as flaky in an issue; reproduce it with `go test -run '^{name}$' \
             -count=50`, and quarantine it with `t.Skip` citing the issue while it is open"
        ),
        Runner::Junit => format!(
            "track `{name}` as flaky in an issue; Gradle's test-retry plugin or surefire's \
             `rerunFailingTestsCount` report a test that passes on a retry as flaky by name"
        ),
    };
    (
        summary,
        "a retry around the whole test command would hide which test is flaky and let it fail \
         again some other day; naming it keeps every test running and the flake visible"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_told_apart_by_their_commands() {
        assert_eq!(
            command_kind("sudo apt-get update && sudo apt-get install -y libssl-dev"),
            CommandKind::Setup
        );
        assert_eq!(command_kind("npm ci"), CommandKind::Setup);
        assert_eq!(
            command_kind("set -e\ncurl -fsSL https://x/install.sh | sh"),
            CommandKind::Setup
        );
        assert_eq!(
            command_kind("cargo test --workspace --all-features"),
            CommandKind::Test
        );
        assert_eq!(command_kind("npm ci\nnpm test"), CommandKind::Test);
        assert_eq!(command_kind("python -m pytest -x tests"), CommandKind::Test);
        assert_eq!(command_kind("cargo build --release"), CommandKind::Other);
        assert_eq!(command_kind("npm install-test"), CommandKind::Other);
        assert_eq!(command_kind("echo start\ncd sub"), CommandKind::Other);
        assert_eq!(
            command_kind("curl --data-binary @- https://x <<'END'\nanything\nEND"),
            CommandKind::Setup
        );
        assert_eq!(fetch_command("cargo test --workspace"), Some("cargo fetch"));
        assert_eq!(fetch_command("go test ./..."), Some("go mod download"));
        assert_eq!(fetch_command("npm test"), None);
    }

    #[test]
    fn failing_tests_are_named_from_each_runners_lines() {
        for (line, runner, name) in [
            (
                "test net::tests::reconnects ... FAILED",
                Runner::Cargo,
                "net::tests::reconnects",
            ),
            (
                "---- net::tests::reconnects stdout ----",
                Runner::Cargo,
                "net::tests::reconnects",
            ),
            (
                "FAILED tests/test_api.py::test_get - requests.exceptions.ConnectionError",
                Runner::Pytest,
                "tests/test_api.py::test_get",
            ),
            (
                "tests/test_api.py::test_get FAILED",
                Runner::Pytest,
                "tests/test_api.py::test_get",
            ),
            (
                "ClientTest > retries() FAILED",
                Runner::Junit,
                "ClientTest.retries()",
            ),
            ("--- FAIL: TestDial (30.01s)", Runner::Go, "TestDial"),
            (
                "● api › fetches the user",
                Runner::Jest,
                "api › fetches the user",
            ),
            (
                "[ERROR] testDial(com.acme.ClientTest)  Time elapsed: 30.1 s  <<< ERROR!",
                Runner::Junit,
                "com.acme.ClientTest.testDial",
            ),
        ] {
            assert_eq!(
                test_of(line),
                Some(FailingTest {
                    runner,
                    name: name.into()
                }),
                "{line}"
            );
        }
        assert_eq!(test_of("test result: FAILED. 1 passed; 1 failed"), None);
        assert_eq!(test_of("BUILD FAILED"), None);
    }
}
