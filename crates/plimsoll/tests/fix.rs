//! `plimsoll check --fix`, `--unsafe-fixes` and `--diff`, with the real binary on copies of the
//! rules' fixtures in temporary folders: per fixable rule, the fixed file as a snapshot and the
//! fixed file checked again with no finding of that rule.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{peer, plimsoll, write};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plimsoll-check/tests/fixtures")
}

/// Which fixes a fixture's findings carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fixes {
    /// Only safe ones: `--fix` applies them all.
    Safe,
    /// Only unsafe ones: `--fix` alone changes nothing.
    Unsafe,
    /// Both: `--fix` alone leaves the unsafe ones.
    Mixed,
}

/// Every rule that can fix, and the fixes its fixture's findings carry.
const FIXABLE: &[(&str, Fixes)] = &[
    ("apk-add-without-no-cache", Fixes::Safe),
    ("pip-install-with-cache", Fixes::Safe),
    ("compose-obsolete-version", Fixes::Safe),
    ("add-instead-of-copy", Fixes::Safe),
    ("persisted-checkout-credentials", Fixes::Safe),
    ("missing-timeout", Fixes::Unsafe),
    ("deprecated-workflow-command", Fixes::Mixed),
    ("shell-form-entrypoint", Fixes::Unsafe),
    ("missing-concurrency", Fixes::Unsafe),
    ("privilege-escalation", Fixes::Unsafe),
    ("writable-root-filesystem", Fixes::Unsafe),
    ("pod-runs-as-root", Fixes::Unsafe),
    ("missing-permissions", Fixes::Unsafe),
    ("write-all-permissions", Fixes::Unsafe),
    ("excessive-permissions", Fixes::Unsafe),
    ("template-injection", Fixes::Mixed),
    ("apt-get-hygiene", Fixes::Mixed),
    ("cd-instead-of-workdir", Fixes::Unsafe),
    ("deprecated-action", Fixes::Mixed),
];

/// Rules whose fixes need more than their fixture, tested in their own file: pinning resolves
/// refs in the actions' repositories (`tests/pin.rs`, with local repositories as remotes).
const TESTED_ELSEWHERE: &[&str] = &["unpinned-action", "action-not-pinned-to-sha"];

/// The names of the rules `plimsoll rules --format json` says can fix.
fn rules_that_fix() -> Vec<String> {
    let output = plimsoll(Path::new("."))
        .args(["rules", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rules: serde_json::Value = serde_json::from_slice(&output).unwrap();
    rules
        .as_array()
        .unwrap()
        .iter()
        .filter(|rule| rule["fix"] != "none")
        .map(|rule| rule["name"].as_str().unwrap().to_string())
        .collect()
}

/// The fixture of `rule`, copied into `dir` under its own name.
fn copy_fixture(rule: &str, dir: &Path) -> PathBuf {
    let source = [
        format!("{rule}.yml"),
        format!("{rule}.Dockerfile"),
        format!("kubernetes/{rule}.yaml"),
    ]
    .into_iter()
    .map(|name| fixtures().join(name))
    .find(|path| path.exists())
    .unwrap_or_else(|| panic!("no fixture for {rule}"));
    let target = dir.join(source.file_name().unwrap());
    fs::copy(&source, &target).unwrap();
    target
}

/// The arguments that check `file` with `rule` enabled and every other fixing rule off, so
/// that only `rule`'s fixes apply.
fn only(rule: &str, file: &Path) -> Vec<String> {
    let mut args = vec![
        "check".to_string(),
        "--isolated".to_string(),
        "--enable".to_string(),
        rule.to_string(),
    ];
    for other in rules_that_fix().into_iter().filter(|other| other != rule) {
        args.push("--disable".to_string());
        args.push(other);
    }
    args.push(file.display().to_string());
    args
}

/// The findings of `rule` in `file`: each one's message, and whether it carries a fix.
fn findings_of(rule: &str, file: &Path) -> Vec<(String, bool)> {
    let mut args = only(rule, file);
    args.splice(1..1, ["--format".to_string(), "json".to_string()]);
    let output = plimsoll(file.parent().unwrap())
        .args(&args)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["rule"]["name"] == rule)
        .map(|finding| {
            (
                finding["message"].as_str().unwrap().to_string(),
                finding.get("fix").is_some(),
            )
        })
        .collect()
}

/// Fix `rule`'s fixture in a temporary folder: the fixed text must differ and match its
/// snapshot; checked again, it must hold no finding of `rule` but those that had no fix; and a
/// second `--fix` must change nothing.
fn fixes_its_fixture(rule: &str, fixes: Fixes) {
    let dir = tempfile::tempdir().unwrap();
    let file = copy_fixture(rule, dir.path());
    let original = fs::read_to_string(&file).unwrap();
    let before = findings_of(rule, &file);
    assert!(
        before.iter().any(|(_, fixable)| *fixable),
        "{rule} fixes nothing in its fixture"
    );
    let mut args = only(rule, &file);
    args.insert(1, "--fix".to_string());
    if fixes != Fixes::Safe {
        // Without `--unsafe-fixes` the unsafe fixes are left.
        plimsoll(dir.path()).args(&args).output().unwrap();
        let after_safe = fs::read_to_string(&file).unwrap();
        assert_eq!(after_safe == original, fixes == Fixes::Unsafe, "{rule}");
        assert!(
            findings_of(rule, &file).iter().any(|(_, fixable)| *fixable),
            "{rule}: no unsafe fix left after --fix"
        );
        fs::write(&file, &original).unwrap();
        args.insert(2, "--unsafe-fixes".to_string());
    }
    plimsoll(dir.path()).args(&args).output().unwrap();
    let fixed = fs::read_to_string(&file).unwrap();
    assert_ne!(fixed, original, "{rule}: --fix changed nothing");
    insta::assert_snapshot!(format!("fixed-{rule}"), fixed);
    let unfixable: Vec<&String> = before
        .iter()
        .filter(|(_, fixable)| !fixable)
        .map(|(message, _)| message)
        .collect();
    for (message, fixable) in findings_of(rule, &file) {
        assert!(!fixable, "{rule}: a fix is left after --fix: {message}");
        assert!(
            unfixable.contains(&&message),
            "{rule}: a finding appeared after --fix: {message}"
        );
    }
    plimsoll(dir.path()).args(&args).output().unwrap();
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        fixed,
        "{rule}: a second --fix changed the file"
    );
}

macro_rules! fix_tests {
    ($($test:ident => $rule:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let fixes = FIXABLE
                    .iter()
                    .find(|(rule, _)| *rule == $rule)
                    .map(|(_, fixes)| *fixes)
                    .unwrap();
                fixes_its_fixture($rule, fixes);
            }
        )*

        #[test]
        fn every_fixing_rule_has_a_fix_test() {
            let tested = [$($rule),*];
            for rule in rules_that_fix() {
                if TESTED_ELSEWHERE.contains(&rule.as_str()) {
                    continue;
                }
                assert!(tested.contains(&rule.as_str()), "{rule} has no fix test");
                assert!(FIXABLE.iter().any(|(name, _)| *name == rule), "{rule} is not in FIXABLE");
            }
        }
    };
}

fix_tests! {
    apk_add_without_no_cache => "apk-add-without-no-cache",
    pip_install_with_cache => "pip-install-with-cache",
    compose_obsolete_version => "compose-obsolete-version",
    add_instead_of_copy => "add-instead-of-copy",
    persisted_checkout_credentials => "persisted-checkout-credentials",
    missing_timeout => "missing-timeout",
    deprecated_workflow_command => "deprecated-workflow-command",
    shell_form_entrypoint => "shell-form-entrypoint",
    missing_concurrency => "missing-concurrency",
    privilege_escalation => "privilege-escalation",
    writable_root_filesystem => "writable-root-filesystem",
    pod_runs_as_root => "pod-runs-as-root",
    missing_permissions => "missing-permissions",
    write_all_permissions => "write-all-permissions",
    excessive_permissions => "excessive-permissions",
    template_injection => "template-injection",
    apt_get_hygiene => "apt-get-hygiene",
    cd_instead_of_workdir => "cd-instead-of-workdir",
    deprecated_action => "deprecated-action",
}

/// How many findings of each hadolint rule (`DL3009`, `SC2164`) hadolint reports in `file`.
fn hadolint_findings(hadolint: &Path, file: &Path) -> std::collections::BTreeMap<String, usize> {
    let output = std::process::Command::new(hadolint)
        .args(["--no-fail", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for finding in findings.as_array().unwrap() {
        *counts
            .entry(finding["code"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    counts
}

/// The Dockerfile fixes, safe and unsafe, applied to their fixtures: hadolint finds no more of
/// any of its rules in the fixed file than in the original, and fewer of the rule the fix is
/// about (DL3009: lists left, DL3015: recommends, DL3003: `cd`).
#[test]
fn dockerfile_fixes_add_no_hadolint_finding() {
    let Some(hadolint) = peer("hadolint") else {
        println!("skipped: hadolint is not installed in /root/.cache/plimsoll-peers/bin (../shared/bench/peers.sh installs it)");
        return;
    };
    for (rule, fixed_codes) in [
        ("apt-get-hygiene", &["DL3009", "DL3015"][..]),
        ("cd-instead-of-workdir", &["DL3003"][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = copy_fixture(rule, dir.path());
        let before = hadolint_findings(&hadolint, &file);
        assert!(
            !before.contains_key("DL1000"),
            "hadolint cannot parse the fixture of {rule}"
        );
        let mut args = only(rule, &file);
        args.splice(1..1, ["--fix".to_string(), "--unsafe-fixes".to_string()]);
        plimsoll(dir.path()).args(&args).output().unwrap();
        let after = hadolint_findings(&hadolint, &file);
        for (code, count) in &after {
            let was = before.get(code).copied().unwrap_or(0);
            assert!(*count <= was, "{rule}: hadolint {code} {was} → {count}");
        }
        for code in fixed_codes {
            let (was, now) = (before.get(*code), after.get(*code));
            assert!(now < was, "{rule}: hadolint {code} {was:?} → {now:?}");
        }
    }
}

const DOCKERFILE: &str = "FROM alpine:3.20\nRUN apk add curl\nUSER 1000\n";

#[test]
fn diff_prints_the_change_writes_nothing_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "Dockerfile", DOCKERFILE);
    let output = plimsoll(dir.path())
        .args(["check", "--isolated", "--diff", "Dockerfile"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(fs::read_to_string(&file).unwrap(), DOCKERFILE);
    let diff = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        diff,
        "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,3 @@\n FROM alpine:3.20\n-RUN apk add curl\n+RUN apk add --no-cache curl\n USER 1000\n"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("1 finding in 1 file would be fixed (nothing written)"),
        "{stderr}"
    );
}

#[test]
fn a_lone_cmd_without_shell_features_takes_the_json_form_safely() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "Dockerfile",
        "FROM node:22-slim\nUSER node\nCMD node server.js --port=8080\n",
    );
    plimsoll(dir.path())
        .args(["check", "--isolated", "--fix", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "FROM node:22-slim\nUSER node\nCMD [\"node\", \"server.js\", \"--port=8080\"]\n"
    );
}

#[test]
fn diff_with_nothing_to_fix_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 1000\n",
    );
    plimsoll(dir.path())
        .args(["check", "--isolated", "--diff", "Dockerfile"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn fix_keeps_crlf_line_endings_a_byte_order_mark_and_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}version: \"3.8\"\r\nservices:\r\n  web:\r\n    image: nginx:1.27\r\n";
    let file = write(dir.path(), "compose.yml", text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let output = plimsoll(dir.path())
        .args(["check", "--isolated", "--fix", "compose.yml"])
        .assert()
        .get_output()
        .clone();
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "\u{feff}services:\r\n  web:\r\n    image: nginx:1.27\r\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("fixed 1 finding in 1 file"), "{stderr}");
}

#[test]
fn the_json_report_carries_each_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", DOCKERFILE);
    let output = plimsoll(dir.path())
        .args(["check", "--isolated", "--format", "json", "Dockerfile"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"]["name"] == "apk-add-without-no-cache")
        .unwrap();
    assert_eq!(finding["fix"]["applicability"], "safe");
    assert_eq!(finding["fix"]["message"], "add `--no-cache`");
    let edit = &finding["fix"]["edits"][0];
    // After `RUN apk add` on line 2: byte 17 + 11.
    assert_eq!(edit["span"]["start"], 28);
    assert_eq!(edit["span"]["end"], 28);
    assert_eq!(edit["start"]["line"], 2);
    assert_eq!(edit["start"]["column"], 12);
    assert_eq!(edit["replacement"], " --no-cache");
}

#[test]
fn sarif_carries_each_fix_as_a_replacement() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", DOCKERFILE);
    let output = plimsoll(dir.path())
        .args(["check", "--isolated", "--format", "sarif", "Dockerfile"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "DKR011")
        .unwrap();
    let fix = &result["fixes"][0];
    assert_eq!(fix["description"]["text"], "add `--no-cache`");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "Dockerfile");
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["deletedRegion"]["startLine"], 2);
    assert_eq!(replacement["deletedRegion"]["startColumn"], 12);
    assert_eq!(replacement["deletedRegion"]["endColumn"], 12);
    assert_eq!(replacement["insertedContent"]["text"], " --no-cache");
}

#[test]
fn rules_lists_which_rules_fix() {
    let output = plimsoll(Path::new("."))
        .arg("rules")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let line = text
        .lines()
        .find(|line| line.contains("apk-add-without-no-cache"))
        .unwrap();
    assert!(line.ends_with("[fix: safe]"), "{line}");
}

/// How many findings of each kind actionlint (with shellcheck, when it is on PATH) and zizmor
/// (offline, pedantic) report on the workflows of `root`: `actionlint:<kind>` and
/// `zizmor:<audit>`.
fn peer_findings(
    actionlint: &Path,
    zizmor: &Path,
    root: &Path,
    workflow: &Path,
) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    let output = std::process::Command::new(actionlint)
        .current_dir(root)
        .args(["-format", "{{json .}}"])
        .arg(workflow)
        .output()
        .unwrap();
    let errors: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("actionlint: {}", String::from_utf8_lossy(&output.stderr)));
    for error in errors.as_array().into_iter().flatten() {
        *counts
            .entry(format!("actionlint:{}", error["kind"].as_str().unwrap()))
            .or_insert(0) += 1;
    }
    let output = std::process::Command::new(zizmor)
        .current_dir(root)
        .args([
            "--offline",
            "--persona",
            "pedantic",
            "--no-progress",
            "--format",
            "json",
            ".",
        ])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for finding in findings.as_array().unwrap() {
        *counts
            .entry(format!("zizmor:{}", finding["ident"].as_str().unwrap()))
            .or_insert(0) += 1;
    }
    counts
}

/// The fixed versions of the workflow fixtures of `rules` give actionlint and zizmor nothing
/// new to report: no kind of finding is more frequent after the fix than before.
fn fixed_workflows_give_peers_nothing_new(rules: &[&str]) {
    let (Some(actionlint), Some(zizmor)) = (peer("actionlint"), peer("zizmor")) else {
        eprintln!("skipped: actionlint or zizmor is not installed in /root/.cache/plimsoll-peers/bin (../shared/bench/peers.sh installs them)");
        return;
    };
    for rule in rules {
        let dir = tempfile::tempdir().unwrap();
        let workflows = dir.path().join(".github/workflows");
        fs::create_dir_all(&workflows).unwrap();
        let file = copy_fixture(rule, &workflows);
        let before = peer_findings(&actionlint, &zizmor, dir.path(), &file);
        let mut args = only(rule, &file);
        args.splice(1..1, ["--fix".to_string(), "--unsafe-fixes".to_string()]);
        plimsoll(dir.path()).args(&args).output().unwrap();
        let after = peer_findings(&actionlint, &zizmor, dir.path(), &file);
        assert_ne!(
            after, before,
            "{rule}: the fix changed nothing the peers see"
        );
        for (kind, count) in &after {
            let was = before.get(kind).copied().unwrap_or(0);
            assert!(
                *count <= was,
                "{rule}: {kind} found {count} times after the fix, {was} before\n{}",
                fs::read_to_string(&file).unwrap()
            );
        }
    }
}

#[test]
fn fixed_permissions_and_injections_give_actionlint_and_zizmor_nothing_new() {
    fixed_workflows_give_peers_nothing_new(&[
        "missing-permissions",
        "write-all-permissions",
        "excessive-permissions",
        "template-injection",
    ]);
}

const PERMISSION_CASES: &str = "\
on: push
jobs:
  bump:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: peter-evans/create-pull-request@v7
        with:
          token: ${{ secrets.BOT_TOKEN }}
  image:
    runs-on: ubuntu-24.04
    steps:
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
  notify:
    runs-on: ubuntu-24.04
    steps:
      - name: Dispatch
        run: 'curl -H \"Authorization: Bearer $TOKEN\" https://api.github.com/repos/o/r/dispatches'
        env:
          TOKEN: ${{ github.token }}
";

#[test]
fn least_permissions_follow_credentials_inputs_and_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "ci.yml", PERMISSION_CASES);
    let output = plimsoll(dir.path())
        .args(only("missing-permissions", &file))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let of_job = |job: &str| {
        findings
            .iter()
            .find(|f| {
                f["rule"]["name"] == "missing-permissions"
                    && f["message"].as_str().unwrap().contains(&format!("`{job}`"))
            })
            .unwrap()
    };
    // A pull request opened with another credential needs only the checkout's read.
    let bump = &of_job("bump")["fix"];
    assert_eq!(bump["applicability"], "unsafe");
    assert_eq!(
        bump["edits"][0]["replacement"],
        "    permissions:\n      contents: read # actions/checkout\n"
    );
    // Pushing to ghcr.io with the job's token.
    assert_eq!(
        of_job("image")["fix"]["edits"][0]["replacement"],
        "    permissions:\n      packages: write # docker/login-action\n"
    );
    assert!(of_job("image")["fix"]["message"]
        .as_str()
        .unwrap()
        .contains("https://github.com/docker/login-action"));
    // The token handed to `curl`: no guess.
    let notify = of_job("notify");
    assert!(notify.get("fix").is_none());
    assert!(
        notify["help"]
            .as_str()
            .unwrap()
            .contains("no automatic fix: step `Dispatch` gives the token to `curl`"),
        "{}",
        notify["help"]
    );
}

#[test]
fn an_actions_rs_step_whose_inputs_do_not_map_says_why_it_has_no_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions-rs/toolchain@v1\n      - uses: actions-rs/toolchain@v1\n        with:\n          toolchain: stable\n          profile: complete\n",
    );
    let output = plimsoll(dir.path())
        .args(["check", "--isolated", "--format", "json", "."])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let helps: Vec<(&str, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"]["name"] == "deprecated-action")
        .map(|f| (f["help"].as_str().unwrap(), f.get("fix").is_some()))
        .collect();
    assert_eq!(helps.len(), 2, "{helps:?}");
    assert!(
        helps[0]
            .0
            .contains("no automatic fix: it has no `toolchain` input"),
        "{helps:?}"
    );
    assert!(
        helps[1].0.contains(
            "no automatic fix: it has an input `dtolnay/rust-toolchain` has no counterpart for"
        ),
        "{helps:?}"
    );
    assert!(helps.iter().all(|(_, fixable)| !fixable));
}

#[test]
fn local_composite_actions_and_reusable_workflows_are_followed_javascript_actions_are_not() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/actions/label/action.yml",
        "name: Label\ndescription: Labels the pull request\ninputs:\n  token:\n    description: the token\n    default: ${{ github.token }}\nruns:\n  using: composite\n  steps:\n    - uses: actions/checkout@v4\n      with:\n        persist-credentials: false\n    - shell: bash\n      run: gh pr edit \"$PR\" --add-label checked\n      env:\n        GH_TOKEN: ${{ inputs.token }}\n        PR: ${{ github.event.number }}\n",
    );
    write(
        dir.path(),
        ".github/actions/notify/action.yml",
        "name: Notify\ndescription: Notifies\nruns:\n  using: node20\n  main: index.js\n",
    );
    write(
        dir.path(),
        ".github/workflows/publish.yml",
        "on: workflow_call\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n  upload:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: write # upload the assets\n      id-token: none\n    steps:\n      - run: gh release upload v1 dist/*\n",
    );
    let workflow = write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  label:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./.github/actions/label\n  notify:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./.github/actions/notify\n  publish:\n    uses: ./.github/workflows/publish.yml\n",
    );
    let mut args = only("missing-permissions", &workflow);
    args.splice(1..1, ["--fix".to_string(), "--unsafe-fixes".to_string()]);
    plimsoll(dir.path()).args(&args).output().unwrap();
    assert_eq!(
        fs::read_to_string(&workflow).unwrap(),
        "on: pull_request\njobs:\n  label:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read # actions/checkout\n      pull-requests: write # gh pr edit\n    steps:\n      - uses: ./.github/actions/label\n  notify:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./.github/actions/notify\n  publish:\n    uses: ./.github/workflows/publish.yml\n    permissions:\n      contents: write # actions/checkout, .github/workflows/publish.yml job `upload`\n"
    );
    let notify = findings_of("missing-permissions", &workflow);
    assert_eq!(notify.len(), 1, "{notify:?}");
}
