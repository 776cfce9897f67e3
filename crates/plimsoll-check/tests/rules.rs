//! One fixture and one snapshot per rule: `tests/fixtures/<rule-name>.yml` (a file, classified by
//! content), `tests/fixtures/<rule-name>.Dockerfile`, or `tests/fixtures/<rule-name>/` (a
//! repository, for repository-level rules). Rules that look at several kinds of file have one
//! more fixture per extra kind. The snapshot lists the findings of that rule only, as
//! `line:col-line:col severity message`.

use std::path::PathBuf;

use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::registry;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(name: &str) -> PathBuf {
    let dir = fixtures_dir();
    [format!("{name}.yml"), format!("{name}.Dockerfile")]
        .into_iter()
        .map(|file| dir.join(file))
        .find(|file| file.exists())
        .unwrap_or_else(|| dir.join(name))
}

/// The findings of `rule` on its fixture, one per line.
fn findings_of(rule: &str) -> String {
    findings_in(rule, &fixture(rule))
}

/// The report of a run over `path` with no configuration file and `rule` enabled.
fn check_with(rule: &str, path: &std::path::Path) -> plimsoll_check::CheckReport {
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        enable: vec![rule.to_string()],
        ..Overrides::default()
    };
    let settings = Settings::load(path, &|_| None, &overrides).unwrap();
    plimsoll_check::check(&[path.to_path_buf()], &settings).unwrap()
}

/// The findings of `rule` on the fixture at `path`, one per line.
fn findings_in(rule: &str, path: &std::path::Path) -> String {
    let meta = registry::find(rule).unwrap_or_else(|| panic!("no rule {rule}"));
    let path = path.to_path_buf();
    assert!(path.exists(), "missing fixture for {rule}");
    let report = check_with(rule, &path);
    let mut lines = Vec::new();
    for finding in report.findings.iter().filter(|f| f.rule.name == meta.name) {
        let loc = &finding.location;
        let file = loc.path.strip_prefix(&path).unwrap_or(&loc.path);
        let file = if file.as_os_str().is_empty() {
            String::new()
        } else {
            format!("{} ", file.display())
        };
        lines.push(format!(
            "{file}{}:{}-{}:{} {} {}",
            loc.start.line,
            loc.start.column,
            loc.end.line,
            loc.end.column,
            finding.severity,
            // The keyed hashes change from run to run.
            plimsoll_check::secrets::without_hashes(&finding.message)
        ));
    }
    assert!(!lines.is_empty(), "{rule} found nothing in its fixture");
    lines.join("\n")
}

macro_rules! rule_tests {
    ($($test:ident => $rule:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                insta::assert_snapshot!($rule, findings_of($rule));
            }
        )*

        #[test]
        fn every_rule_has_a_fixture_test() {
            let tested = [$($rule),*];
            for meta in registry::all() {
                if meta.name == "parse-error" || meta.name == "unused-suppression" {
                    continue; // covered by tests/engine.rs
                }
                if meta.name == "findings-capped" || meta.name == "not-searched" {
                    continue; // needs thousands of findings: covered by the binary's hostile tests
                }
                if meta.name == "unreadable-path" {
                    continue; // needs a file the reader may not read: the binary's rough_edges tests
                }
                if matches!(meta.domain, plimsoll_check::Domain::Kubernetes | plimsoll_check::Domain::Terraform) {
                    continue; // covered by tests/infra_rules.rs
                }
                if meta.name == "forbidden-action" {
                    continue; // needs a plimsoll.toml policy: forbidden_action_follows_the_policy_of_plimsoll_toml
                }
                if meta.name == "committed-env-file" {
                    continue; // needs a git repository: covered by tests/secrets.rs
                }
                assert!(tested.contains(&meta.name) || REPOSITORY_RULES.contains(&meta.name), "rule {} has no fixture test", meta.name);
            }
        }
    };
}

rule_tests! {
    continue_on_error => "continue-on-error",
    always_false_condition => "always-false-condition",
    always_true_condition => "always-true-condition",
    swallowed_failure => "swallowed-failure",
    unpinned_action => "unpinned-action",
    action_not_pinned_to_sha => "action-not-pinned-to-sha",
    unpinned_image => "unpinned-image",
    cargo_install_unlocked => "cargo-install-unlocked",
    curl_pipe_shell => "curl-pipe-shell",
    missing_permissions => "missing-permissions",
    write_all_permissions => "write-all-permissions",
    template_injection => "template-injection",
    untrusted_checkout => "untrusted-checkout",
    hardcoded_secret => "hardcoded-secret",
    missing_timeout => "missing-timeout",
    missing_rust_cache => "missing-rust-cache",
    missing_concurrency => "missing-concurrency",
    clippy_warnings_allowed => "clippy-warnings-allowed",
    deprecated_action => "deprecated-action",
    deprecated_workflow_command => "deprecated-workflow-command",
    unknown_key => "unknown-key",
    invalid_event => "invalid-event",
    invalid_needs => "invalid-needs",
    duplicate_step_id => "duplicate-step-id",
    empty_matrix => "empty-matrix",
    invalid_expression => "invalid-expression",
    unsecure_commands => "unsecure-commands",
    secrets_inherit => "secrets-inherit",
    overprovisioned_secrets => "overprovisioned-secrets",
    spoofable_bot_condition => "spoofable-bot-condition",
    excessive_permissions => "excessive-permissions",
    privileged_env_write => "privileged-env-write",
    self_hosted_fork_runner => "self-hosted-fork-runner",
    persisted_checkout_credentials => "persisted-checkout-credentials",
    dangerous_trigger => "dangerous-trigger",
    invalid_uses => "invalid-uses",
    invalid_shell => "invalid-shell",
    dependabot_insecure_execution => "dependabot-insecure-execution",
    invalid_permission => "invalid-permission",
    cache_poisoning => "cache-poisoning",
    secret_in_shared_env => "secret-in-shared-env",
    known_vulnerable_action => "known-vulnerable-action",
    unsound_contains => "unsound-contains",
    hardcoded_container_credentials => "hardcoded-container-credentials",
    unredacted_secrets => "unredacted-secrets",
    ref_version_mismatch => "ref-version-mismatch",
    obfuscation => "obfuscation",
    use_trusted_publishing => "use-trusted-publishing",
    unpinned_base_image => "unpinned-base-image",
    image_not_pinned_to_digest => "image-not-pinned-to-digest",
    runs_as_root => "runs-as-root",
    missing_multi_stage_build => "missing-multi-stage-build",
    cache_busting_copy => "cache-busting-copy",
    missing_dockerignore => "missing-dockerignore",
    cmd_without_entrypoint => "cmd-without-entrypoint",
    secret_in_image => "secret-in-image",
    add_instead_of_copy => "add-instead-of-copy",
    apt_get_hygiene => "apt-get-hygiene",
    apk_add_without_no_cache => "apk-add-without-no-cache",
    pip_install_with_cache => "pip-install-with-cache",
    package_cache_not_cleaned => "package-cache-not-cleaned",
    sudo_in_run => "sudo-in-run",
    relative_workdir => "relative-workdir",
    cd_instead_of_workdir => "cd-instead-of-workdir",
    multiple_cmd_or_entrypoint => "multiple-cmd-or-entrypoint",
    duplicate_stage_name => "duplicate-stage-name",
    copy_from_own_stage => "copy-from-own-stage",
    deprecated_maintainer => "deprecated-maintainer",
    invalid_expose_port => "invalid-expose-port",
    compose_missing_memory_limit => "compose-missing-memory-limit",
    compose_runs_as_root => "compose-runs-as-root",
    compose_missing_healthcheck => "compose-missing-healthcheck",
    compose_literal_secret => "compose-literal-secret",
    compose_obsolete_version => "compose-obsolete-version",
    missing_pipefail => "missing-pipefail",
    shell_form_entrypoint => "shell-form-entrypoint",
    copy_before_workdir => "copy-before-workdir",
    unpinned_package => "unpinned-package",
    package_upgrade => "package-upgrade",
    invalid_filter_pattern => "invalid-filter-pattern",
    invalid_env_name => "invalid-env-name",
    unknown_runner_label => "unknown-runner-label",
    discouraged_feature => "discouraged-feature",
    missing_dependabot_cooldown => "missing-dependabot-cooldown",
    superfluous_action => "superfluous-action",
    undocumented_permissions => "undocumented-permissions",
    anonymous_definition => "anonymous-definition",
    unsound_ternary => "unsound-ternary",
    secrets_outside_environment => "secrets-outside-environment",
    typosquat_uses => "typosquat-uses",
    unpinned_tool => "unpinned-tool",
    github_app_token => "github-app-token",
    insecure_download => "insecure-download",
    adhoc_package_install => "adhoc-package-install",
}

/// Rules that look at more than one kind of file: their other fixtures.
#[test]
fn rules_on_their_other_file_kinds() {
    for (rule, file) in [
        ("unpinned-image", "unpinned-image.compose.yml"),
        ("curl-pipe-shell", "curl-pipe-shell.Dockerfile"),
        ("image-not-pinned-to-digest", "unpinned-image.compose.yml"),
        ("template-injection", "template-injection-composite"),
        ("unpinned-action", "unpinned-action-own-repository"),
        ("action-not-pinned-to-sha", "unpinned-action-own-repository"),
        ("cache-poisoning", "cache-poisoning-steps.yml"),
        ("insecure-download", "insecure-download.Dockerfile"),
        ("runs-as-root", "runs-as-root-base-images"),
    ] {
        let name = format!("{rule}@{file}");
        insta::assert_snapshot!(name, findings_in(rule, &fixtures_dir().join(file)));
    }
}

/// The findings of `rule` on the fixed version of its fixture (`tests/fixtures/<dir>`), where
/// the rule must stay silent.
fn assert_silent_on(rule: &str, dir: &str) {
    let report = check_with(rule, &fixtures_dir().join(dir));
    assert!(report.files_checked > 0, "{dir} holds no file to check");
    let found: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == rule)
        .map(|f| {
            format!(
                "{}:{} {}",
                f.location.path.display(),
                f.location.start.line,
                f.message
            )
        })
        .collect();
    assert!(found.is_empty(), "{rule} on its fixed version: {found:#?}");
}

#[test]
fn security_rules_are_silent_on_the_fixed_versions() {
    assert_silent_on("cache-poisoning", "cache-poisoning-ok");
    // The release build that cache-poisoning wants from a clean state is not asked for a cache.
    assert_silent_on("missing-rust-cache", "missing-rust-cache-ok");
    for rule in [
        "template-injection",
        "cache-poisoning",
        "unsecure-commands",
        "secret-in-shared-env",
        "known-vulnerable-action",
        "unsound-contains",
        "hardcoded-container-credentials",
        "unredacted-secrets",
        "ref-version-mismatch",
        "obfuscation",
        "use-trusted-publishing",
        "invalid-uses",
        "invalid-shell",
        "privileged-env-write",
        "persisted-checkout-credentials",
        "excessive-permissions",
        "invalid-filter-pattern",
        "invalid-env-name",
        "unknown-runner-label",
        "discouraged-feature",
    ] {
        assert_silent_on(rule, "security-ok");
    }
}

/// The audits that cover zizmor's newer checks, on one workflow that follows their advice.
#[test]
fn newer_audits_are_silent_on_the_fixed_versions() {
    for rule in [
        "unsound-ternary",
        "secrets-outside-environment",
        "typosquat-uses",
        "unpinned-tool",
        "github-app-token",
        "insecure-download",
        "adhoc-package-install",
        "dangerous-trigger",
        "unredacted-secrets",
    ] {
        assert_silent_on(rule, "gha-audits-ok");
    }
}

#[test]
fn runs_as_root_accepts_non_root_final_stages() {
    let root = fixtures_dir().join("runs-as-root-ok");
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(&root, &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(std::slice::from_ref(&root), &settings).unwrap();
    let root_findings: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "runs-as-root")
        .collect();
    assert!(root_findings.is_empty(), "{root_findings:?}");
    assert_eq!(report.files_checked, 3);
}

/// Repository-level rules, tested together on two repositories: one with no gates, one gated.
const REPOSITORY_RULES: &[&str] = &[
    "toolchain-not-pinned",
    "missing-format-check",
    "missing-lint-gate",
    "missing-test-gate",
    "missing-security-audit",
    "missing-dependency-updates",
];

fn repository_findings(repo: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(repo);
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(&root, &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(std::slice::from_ref(&root), &settings).unwrap();
    report
        .findings
        .iter()
        .filter(|f| REPOSITORY_RULES.contains(&f.rule.name))
        .map(|f| {
            let path = f
                .location
                .path
                .strip_prefix(&root)
                .unwrap_or(&f.location.path);
            format!(
                "{}:{}:{} {} {}",
                path.display(),
                f.location.start.line,
                f.location.start.column,
                f.rule.name,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn repository_rules_fire_on_an_ungated_rust_project() {
    let text = repository_findings("repo-bare");
    for rule in REPOSITORY_RULES {
        assert!(text.contains(rule), "{rule} did not fire:\n{text}");
    }
    insta::assert_snapshot!("repository-bare", text);
}

#[test]
fn repository_rules_accept_a_gated_rust_project() {
    insta::assert_snapshot!("repository-gated", repository_findings("repo-gated"));
}

/// A mapping copied by aliases is one mapping: its keys written twice are reported once, at
/// the anchor, however many times it is used.
#[test]
fn unknown_key_reports_an_aliased_mapping_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ci.yml");
    std::fs::write(
        &path,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env: &env\n      RUST_LOG: x\n      \
         rust_log: y\n    steps:\n      - run: echo\n        env: *env\n  b:\n    runs-on: \
         ubuntu-latest\n    env: *env\n    steps:\n      - run: echo\n",
    )
    .unwrap();
    assert_eq!(
        findings_in("unknown-key", &path),
        "7:7-7:15 error key `rust_log` repeats `RUST_LOG` (line 6): GitHub compares keys case-insensitively"
    );
}

/// An expression in a mapping copied by aliases is one expression: reported once, at the anchor.
#[test]
fn invalid_expression_reports_an_aliased_expression_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ci.yml");
    std::fs::write(
        &path,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env: &env\n      X: ${{ foo.bar }}\n    \
         steps:\n      - run: echo\n        env: *env\n  b:\n    runs-on: ubuntu-latest\n    env: \
         *env\n    steps:\n      - run: echo\n",
    )
    .unwrap();
    let findings = findings_in("invalid-expression", &path);
    assert_eq!(findings.lines().count(), 1, "{findings}");
    assert!(
        findings.starts_with("6:14-6:17 error unknown context `foo`"),
        "{findings}"
    );
}

/// A format check run directly by the formatter, another format tool, a task runner's target,
/// or `cargo fmt` followed by a diff that fails: each satisfies `missing-format-check`.
#[test]
fn missing_format_check_accepts_direct_format_checks() {
    let run = |script: &str| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::write(
            root.join(".github/workflows/ci.yml"),
            format!(
                "on: push\njobs:\n  fmt:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: |\n          {script}\n"
            ),
        )
        .unwrap();
        let overrides = Overrides {
            isolated: true,
            enable: vec!["missing-format-check".to_string()],
            ..Overrides::default()
        };
        let settings = Settings::load(root, &|_| None, &overrides).unwrap();
        let report = plimsoll_check::check(&[root.to_path_buf()], &settings).unwrap();
        report
            .findings
            .iter()
            .filter(|f| f.rule.name == "missing-format-check")
            .count()
    };
    for script in [
        "rustfmt --check --edition 2021 src/main.rs",
        "cargo +nightly fmt --check",
        "treefmt --fail-on-change",
        "dprint check",
        "make fmt-check",
        "cargo xtask fmt --check",
        "cargo fmt --all && git diff --exit-code",
    ] {
        assert_eq!(run(script), 0, "{script}");
    }
    for script in ["cargo fmt --all", "rustfmt src/main.rs", "make fmt"] {
        assert_eq!(run(script), 1, "{script}");
    }
}

/// A base image that the repository builds itself (a Compose service's `image:` next to
/// `build:`, a workflow's `docker build -t`) is no registry image to pin.
#[test]
fn images_built_in_the_repository_are_not_unpinned_bases() {
    let root = fixtures_dir().join("locally-built-base");
    let mut found = Vec::new();
    for rule in ["unpinned-base-image", "image-not-pinned-to-digest"] {
        for line in findings_in(rule, &root).lines() {
            found.push(format!("{rule} {line}"));
        }
    }
    insta::assert_snapshot!("locally-built-base", found.join("\n"));
}

/// A Windows image's shell form runs under `cmd /S /C`, with no POSIX signals to pass on.
#[test]
fn shell_form_entrypoint_leaves_windows_images_alone() {
    let temp = tempfile::tempdir().unwrap();
    let dockerfile = temp.path().join("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD powershell -File C:/start.ps1\n",
    )
    .unwrap();
    let report = check_with("shell-form-entrypoint", &dockerfile);
    let shell_form = |report: &plimsoll_check::CheckReport| -> Vec<(usize, usize)> {
        report
            .findings
            .iter()
            .filter(|f| f.rule.name == "shell-form-entrypoint")
            .map(|f| (f.location.start.line, f.location.start.column))
            .collect()
    };
    assert_eq!(shell_form(&report), vec![]);
    std::fs::write(
        &dockerfile,
        "FROM ubuntu:24.04\nCMD powershell -File C:/start.ps1\n",
    )
    .unwrap();
    let report = check_with("shell-form-entrypoint", &dockerfile);
    assert_eq!(shell_form(&report), vec![(2, 5)]);
}

/// A final stage `FROM` an image the repository builds itself (here a Compose service's
/// `image:` next to `build:`) inherits the `USER` of that image's Dockerfile.
#[test]
fn runs_as_root_follows_a_base_image_built_in_the_repository() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    // A repository: the images it builds are known across its files.
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("base")).unwrap();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  base:\n    build: {context: ./base}\n    image: example/base:1.0\n  root-base:\n    build: {context: ./base, dockerfile: Dockerfile.root}\n    image: example/root-base:1.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("base/Dockerfile"),
        "FROM debian:12-slim\nRUN useradd --system app\nUSER app\n",
    )
    .unwrap();
    std::fs::write(
        root.join("base/Dockerfile.root"),
        "FROM debian:12-slim\nUSER root\n",
    )
    .unwrap();
    std::fs::write(
        root.join("app/Dockerfile"),
        "FROM example/base:1.0\nCMD [\"app\"]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("app/Dockerfile.other"),
        "FROM example/root-base:1.0\nCMD [\"app\"]\n",
    )
    .unwrap();
    let report = check_with("runs-as-root", root);
    let mut found: Vec<(String, usize, usize)> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "runs-as-root")
        .map(|f| {
            let file = f
                .location
                .path
                .strip_prefix(root)
                .unwrap_or(&f.location.path);
            (
                file.display().to_string(),
                f.location.start.line,
                f.location.start.column,
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("app/Dockerfile.other".to_string(), 1, 6),
            ("base/Dockerfile.root".to_string(), 2, 6),
        ]
    );
}

/// `runner-labels` in `plimsoll.toml` names the project's own runners: they are accepted, and
/// once the list is set any other label that is neither GitHub-hosted nor a self-hosted preset
/// is reported.
#[test]
fn unknown_runner_label_reads_the_runner_labels_of_plimsoll_toml() {
    let temp = tempfile::tempdir().unwrap();
    let workflows = temp.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("ci.yml"),
        "on: push\npermissions:\n  contents: read\njobs:\n  gpu:\n    runs-on: [linux, gpu-a100]\n    timeout-minutes: 10\n    steps:\n      - run: make\n  typo:\n    runs-on: gpu-a10O\n    timeout-minutes: 10\n    steps:\n      - run: make\n  hosted:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - run: make\n",
    )
    .unwrap();
    let findings = |config: &str| -> Vec<String> {
        std::fs::write(temp.path().join("plimsoll.toml"), config).unwrap();
        let overrides = Overrides {
            test_data: Some(Vec::new()),
            enable: vec!["unknown-runner-label".to_string()],
            ..Overrides::default()
        };
        let settings = Settings::load(temp.path(), &|_| None, &overrides).unwrap();
        let report = plimsoll_check::check(&[temp.path().to_path_buf()], &settings).unwrap();
        report
            .findings
            .iter()
            .filter(|f| f.rule.name == "unknown-runner-label")
            .map(|f| {
                format!(
                    "{}:{} {}",
                    f.location.start.line, f.location.start.column, f.message
                )
            })
            .collect()
    };
    // Without the list, labels of other shapes may be anyone's runners: nothing to report.
    assert!(findings("").is_empty());
    let found = findings("[github-actions]\nrunner-labels = [\"gpu-a100\"]\n");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("11:14 `gpu-a10O` is neither"),
        "{found:#?}"
    );
    // actionlint's configuration says the same, with a pattern.
    std::fs::write(
        temp.path().join(".github/actionlint.yaml"),
        "self-hosted-runner:\n  labels:\n    - gpu-*\n",
    )
    .unwrap();
    assert!(findings("").is_empty());
    std::fs::write(
        temp.path().join(".github/actionlint.yaml"),
        "self-hosted-runner:\n  labels:\n    - gpu-a100\n",
    )
    .unwrap();
    assert_eq!(findings("").len(), 1);
}

/// `forbidden-action` reports what the policy of `plimsoll.toml` rules out, at the action's
/// name, and nothing without a policy.
/// The findings of `rule` on `workflow` (as `.github/workflows/ci.yml` of a new repository)
/// with `config` as its `plimsoll.toml`.
fn findings_under_config(rule: &str, workflow: &str, config: &str) -> Vec<plimsoll_check::Finding> {
    let temp = tempfile::tempdir().unwrap();
    let workflows = temp.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("ci.yml"), workflow).unwrap();
    std::fs::write(temp.path().join("plimsoll.toml"), config).unwrap();
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        enable: vec![rule.to_string()],
        ..Overrides::default()
    };
    let settings = Settings::load(temp.path(), &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[temp.path().to_path_buf()], &settings).unwrap();
    report
        .findings
        .into_iter()
        .filter(|f| f.rule.name == rule)
        .collect()
}

#[test]
fn forbidden_action_follows_the_policy_of_plimsoll_toml() {
    let findings = |config: &str| -> String {
        findings_under_config(
            "forbidden-action",
            "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - uses: actions/checkout@v4\n      - uses: tj-actions/changed-files@v46\n      - uses: some-user/deploy-action@v1\n      - uses: github/codeql-action/init@v3\n      - uses: ./.github/actions/local\n",
            config,
        )
        .iter()
        .map(|f| format!("{}:{}-{}:{} {}", f.location.start.line, f.location.start.column, f.location.end.line, f.location.end.column, f.message))
        .collect::<Vec<_>>()
        .join("\n")
    };
    assert_eq!(findings(""), "");
    insta::assert_snapshot!(
        "forbidden-action",
        findings("[github-actions]\nallowed-uses = [\"actions/*\", \"github/codeql-action\", \"tj-actions/*\"]\nforbidden-uses = [\"tj-actions/*\"]\n")
    );
}

#[test]
fn secrets_outside_environment_accepts_the_secrets_of_plimsoll_toml() {
    let findings = |config: &str| -> Vec<String> {
        findings_under_config(
            "secrets-outside-environment",
            "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - run: ./test.sh\n        env:\n          CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}\n          NPM_READ_TOKEN: ${{ secrets.NPM_READ_TOKEN }}\n          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}\n",
            config,
        )
        .iter()
        .map(|f| format!("{}:{}", f.location.start.line, f.location.start.column))
        .collect()
    };
    assert_eq!(findings(""), vec!["11:30", "12:31", "13:27"]);
    assert_eq!(
        findings(
            "[github-actions]\nsecrets-outside-environment = [\"CODECOV_TOKEN\", \"npm_*\"]\n"
        ),
        vec!["13:27"]
    );
}

/// Expressions in keys are checked by `invalid-expression` but are no pseudo-ternary of
/// `unsound-ternary`, which reads conditions written without `${{ }}` too.
#[test]
fn expression_rules_read_keys_and_conditions_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ci.yml");
    std::fs::write(
        &path,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      \
         \"${{ foo.bar && '' || 'y' }}\": 1\n    steps:\n      - if: \
         github.event_name == 'push' && 0 || true\n        run: echo\n",
    )
    .unwrap();
    let invalid = findings_in("invalid-expression", &path);
    assert_eq!(invalid.lines().count(), 1, "{invalid}");
    assert!(
        invalid.starts_with("6:12-6:15 error unknown context `foo`"),
        "{invalid}"
    );
    let ternary = findings_in("unsound-ternary", &path);
    assert_eq!(ternary.lines().count(), 1, "{ternary}");
    assert!(
        ternary.starts_with("8:44-8:45 warning `0` is falsy"),
        "{ternary}"
    );
}
