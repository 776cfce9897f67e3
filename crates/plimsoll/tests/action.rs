//! The composite action at the repository's root (`action.yml`): plimsoll (strict), zizmor
//! (pedantic, offline) and actionlint (through a workflow that uses it with every input) find
//! nothing in it; shellcheck finds nothing in its scripts, which take every input from `env:`;
//! it knows every platform the release workflow builds; and its SARIF and check steps, run by
//! bash as the runner runs them, check the paths given with the format and severity given.
//! Peers that are not installed are skipped, saying so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_syntax::yaml::{self, Node};
use plimsoll_syntax::LineIndex;

mod common;
use common::{peer, plimsoll, workspace, write};

fn action_text() -> String {
    fs::read_to_string(workspace().join("action.yml")).unwrap()
}

/// The steps of the action, parsed.
fn steps(text: &str) -> Vec<Node> {
    let document = yaml::parse(text, &LineIndex::new(text))
        .into_single()
        .unwrap();
    document
        .root
        .get("runs")
        .and_then(|runs| runs.get("steps"))
        .and_then(Node::as_sequence)
        .unwrap()
        .to_vec()
}

/// The step named `name`: its script, and its `env:` as pairs.
fn step(name: &str) -> (String, Vec<(String, String)>) {
    let text = action_text();
    let step = steps(&text)
        .into_iter()
        .find(|step| step.get_str("name") == Some(name))
        .unwrap_or_else(|| panic!("no step {name}"));
    let env = step
        .get("env")
        .and_then(Node::as_mapping)
        .unwrap_or_default()
        .iter()
        .map(|entry| {
            (
                entry.key.as_str().unwrap().to_string(),
                entry.value.as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (step.get_str("run").unwrap().to_string(), env)
}

/// A copy of the action in a temporary git repository (actionlint and zizmor want one).
fn action_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "action.yml", action_text());
    common::git(dir.path(), &["init", "-q"]);
    dir
}

#[test]
fn plimsoll_strict_finds_nothing_in_the_action() {
    let dir = action_repository();
    plimsoll(dir.path())
        .args(["check", "--isolated", "--strict", "action.yml"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn zizmor_pedantic_finds_nothing_in_the_action() {
    let Some(zizmor) = peer("zizmor") else {
        println!("skipped: zizmor is not installed in /root/.cache/plimsoll-peers/bin (../shared/bench/peers.sh installs it)");
        return;
    };
    let dir = action_repository();
    let output = Command::new(zizmor)
        .current_dir(dir.path())
        .args([
            "--offline",
            "--persona",
            "pedantic",
            "--no-progress",
            "action.yml",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("No findings"),
        "zizmor: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// actionlint reads an action's metadata through a workflow that uses it: every input given
/// must be declared, and the workflow must lint clean.
#[test]
fn actionlint_finds_nothing_in_a_workflow_using_every_input() {
    let Some(actionlint) = peer("actionlint") else {
        println!("skipped: actionlint is not installed in /root/.cache/plimsoll-peers/bin (../shared/bench/peers.sh installs it)");
        return;
    };
    let dir = action_repository();
    write(
        dir.path(),
        ".github/workflows/audit.yml",
        "name: audit
on: pull_request
permissions: {}
jobs:
  plimsoll:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - id: plimsoll
        uses: ./
        with:
          paths: |
            .github
            Dockerfile
          format: github
          fail-on: warning
          version: v0.1.0
          upload-sarif: true
          verify-attestation: true
      - run: echo \"$SARIF\"
        env:
          SARIF: ${{ steps.plimsoll.outputs.sarif-file }}
",
    );
    let output = Command::new(actionlint)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "actionlint: {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn the_scripts_take_inputs_from_env_and_pass_shellcheck() {
    let text = action_text();
    let all = steps(&text);
    let scripts: Vec<&Node> = all
        .iter()
        .filter(|step| step.get("run").is_some())
        .collect();
    assert_eq!(scripts.len(), 3);
    for step in scripts {
        let name = step.get_str("name").unwrap();
        assert_eq!(step.get_str("shell"), Some("bash"), "{name}");
        let script = step.get_str("run").unwrap();
        assert!(
            !script.contains("${{"),
            "{name}: an expression in the script"
        );
    }
    // The one action used is pinned to a commit with its version beside it.
    let uses: Vec<&str> = all.iter().filter_map(|step| step.get_str("uses")).collect();
    assert_eq!(uses.len(), 1);
    let (action, sha) = uses[0].split_once('@').unwrap();
    assert_eq!(action, "github/codeql-action/upload-sarif");
    assert!(
        sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "{sha}"
    );
    assert!(
        text.contains(&format!("{} # v", uses[0])),
        "no version comment"
    );

    let Some(shellcheck) = which("shellcheck") else {
        println!("skipped: shellcheck is not installed (Debian package shellcheck)");
        return;
    };
    for name in ["Install plimsoll", "Write the SARIF report", "Check"] {
        let (script, _) = step(name);
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "step.sh", script);
        let output = Command::new(&shellcheck)
            .args(["--shell", "bash", "--severity", "style"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "shellcheck on {name}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn the_install_step_knows_every_platform_the_release_builds() {
    let release = fs::read_to_string(workspace().join(".github/workflows/release.yml")).unwrap();
    let targets: Vec<&str> = release
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- target: "))
        .collect();
    assert_eq!(targets.len(), 5, "{targets:?}");
    let (install, _) = step("Install plimsoll");
    for target in targets {
        assert!(
            install.contains(&format!("target={target} ")),
            "no runner maps to {target}"
        );
    }
    // The archive names the release workflow gives: plimsoll-<tag>-<target>.tar.gz or .zip.
    assert!(release.contains("name=\"plimsoll-$GITHUB_REF_NAME-$TARGET\""));
    assert!(install.contains("name=\"plimsoll-$version-$target\""));
    assert!(
        install.contains("archive=\"$name.tar.gz\"") && install.contains("archive=\"$name.zip\"")
    );
    assert!(install.contains("--check \"$archive.sha256\""));
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Run the script of step `name` with bash as the runner does (`-eo pipefail`), its `env:`
/// replaced by `env`, in `dir`; the binary under test as the installed plimsoll.
fn run_step(name: &str, dir: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let (script, declared) = step(name);
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(dir)
        .env("PLIMSOLL_BIN", assert_cmd::cargo::cargo_bin("plimsoll"))
        .env("RUNNER_TEMP", dir)
        .env("GITHUB_OUTPUT", dir.join("github-output"))
        .env("NO_COLOR", "1")
        .env_remove("PLIMSOLL_FAIL_ON")
        .env_remove("PLIMSOLL_FORMAT");
    for (key, value) in env {
        assert!(
            declared.iter().any(|(declared, _)| declared == key),
            "{name} does not declare {key}"
        );
        command.env(key, value);
    }
    command.output().unwrap()
}

const WORKFLOW: &str = "on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - run: echo \"::set-output name=x::1\"
";

#[test]
fn the_sarif_and_check_steps_check_the_paths_given() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "one/.github/workflows/ci.yml", WORKFLOW);
    write(dir.path(), "two/.github/workflows/ci.yml", WORKFLOW);
    write(dir.path(), "other/.github/workflows/ci.yml", WORKFLOW);
    // Two paths on two lines, as a `paths: |` block gives them.
    let output = run_step(
        "Write the SARIF report",
        dir.path(),
        &[("CHECK_PATHS", "one\ntwo\n")],
    );
    assert!(output.status.success(), "{output:?}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("plimsoll.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let mut files: Vec<&str> = results
        .iter()
        .map(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    assert_eq!(
        files,
        [
            "one/.github/workflows/ci.yml",
            "two/.github/workflows/ci.yml"
        ]
    );
    let outputs = fs::read_to_string(dir.path().join("github-output")).unwrap();
    assert_eq!(
        outputs,
        format!("file={}\n", dir.path().join("plimsoll.sarif").display())
    );

    let output = run_step(
        "Check",
        dir.path(),
        &[
            ("CHECK_PATHS", "other"),
            ("OUTPUT_FORMAT", "json"),
            ("FAIL_ON", "error"),
        ],
    );
    // Warnings only: below `error`, so the step passes, and the JSON names the file.
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        let path = finding["path"].as_str().unwrap();
        assert!(path.starts_with("other/"), "{path}");
    }

    let output = run_step(
        "Check",
        dir.path(),
        &[
            ("CHECK_PATHS", "other"),
            ("OUTPUT_FORMAT", "github"),
            ("FAIL_ON", ""),
        ],
    );
    // plimsoll's default severity fails on the warning; annotations name file, line, column.
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("::warning file=other/.github/workflows/ci.yml,line=6,col=20"),
        "{stdout}"
    );
}
