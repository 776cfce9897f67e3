//! `plimsoll init` on real projects in temporary folders, run through the real binary: what it
//! generates, that plimsoll (and the peers, when installed) find nothing in it, and that a
//! regeneration keeps the user's edits or stops on a real conflict.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{git, peer, plimsoll, write};

const CI: &str = ".github/workflows/ci.yml";
const DEPENDABOT: &str = ".github/dependabot.yml";
const RELEASE: &str = ".github/workflows/release.yml";
const DOCKERFILE: &str = "Dockerfile";
const LOCK: &str = ".github/plimsoll-init.lock";

/// A Cargo workspace: a binary crate and a library crate with features, an MSRV in
/// `[workspace.package]`, and a rust-toolchain.toml with an extra target.
fn cargo_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n\
         [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.80\"\n",
    );
    write(
        root,
        "crates/cli/Cargo.toml",
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\nedition.workspace = true\n\
         rust-version.workspace = true\n\n[[bin]]\nname = \"demo\"\npath = \"src/main.rs\"\n",
    );
    write(root, "crates/cli/src/main.rs", "fn main() {}\n");
    write(root, "crates/cli/src/bin/demo-admin.rs", "fn main() {}\n");
    write(
        root,
        "crates/core/Cargo.toml",
        "[package]\nname = \"demo-core\"\nversion.workspace = true\nedition.workspace = true\n\
         rust-version.workspace = true\n\n[features]\ndefault = []\nserde = []\n\n\
         [[bench]]\nname = \"parse\"\nharness = false\n",
    );
    write(root, "crates/core/src/lib.rs", "//! Core.\n");
    write(root, "crates/core/benches/parse.rs", "fn main() {}\n");
    write(root, "crates/cli/build.rs", "fn main() {}\n");
    write(
        root,
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"demo-cli\"\nversion = \"0.1.0\"\n\n\
         [[package]]\nname = \"demo-core\"\nversion = \"0.1.0\"\n",
    );
    write(root, "README.md", "# demo\n");
    write(root, "LICENSE-MIT", "MIT\n");
    write(
        root,
        "rust-toolchain.toml",
        "[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"rustfmt\", \"clippy\"]\n\
         targets = [\"wasm32-unknown-unknown\"]\n",
    );
    dir
}

/// `plimsoll init args…` in `root`, which must fail with exit status 2 (an error); its stderr.
fn init_error(root: &Path, args: &[&str]) -> String {
    let output = plimsoll(root)
        .arg("init")
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join(rel)).unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `plimsoll init args…` in `root`, asserting the exit code; its stdout.
fn init(root: &Path, args: &[&str], code: i32) -> String {
    let output = plimsoll(root)
        .arg("init")
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    stdout(&output)
}

#[test]
fn generates_ci_and_dependabot_for_a_cargo_workspace() {
    let dir = cargo_workspace();
    let out = init(dir.path(), &[], 0);
    assert!(out.contains(&format!("create    {CI}")), "{out}");
    assert!(out.contains(&format!("create    {DEPENDABOT}")), "{out}");
    insta::assert_snapshot!("init_workspace_ci", read(dir.path(), CI));
    insta::assert_snapshot!("init_workspace_dependabot", read(dir.path(), DEPENDABOT));
    insta::assert_snapshot!("init_workspace_release", read(dir.path(), RELEASE));
    insta::assert_snapshot!("init_workspace_dockerfile", read(dir.path(), DOCKERFILE));
    insta::assert_snapshot!(
        "init_workspace_dockerignore",
        read(dir.path(), ".dockerignore")
    );
    let lock = read(dir.path(), LOCK);
    assert!(
        lock.contains("path = \".github/workflows/ci.yml\""),
        "{lock}"
    );
    assert!(lock.contains("rust-version = \"1.80\""), "{lock}");
    // Up to date right after generation.
    let out = init(dir.path(), &["--check"], 0);
    assert!(out.contains("generated files are up to date"), "{out}");
}

#[test]
fn reads_bins_libs_features_msrv_and_targets_from_the_workspace() {
    let dir = cargo_workspace();
    init(dir.path(), &[], 0);
    let ci = read(dir.path(), CI);
    assert!(
        ci.contains("2 crates; binaries: demo, demo-admin; libraries: demo-core.\n"),
        "{ci}"
    );
    assert!(
        ci.contains("      - run: cargo +1.80 check --workspace --all-features\n"),
        "{ci}"
    );
    assert!(ci.contains("          - wasm32-unknown-unknown\n"), "{ci}");
    assert!(ci.contains("cargo clippy --workspace --all-targets --all-features -- -D warnings"));
    assert!(ci.contains("      - run: cargo doc --workspace --no-deps --all-features\n"));
    assert!(ci.contains("      - run: cargo audit\n"), "{ci}");
}

/// Node, Python and Go beside a Rust package with no MSRV, no toolchain file, no library and
/// a deny.toml: every ecosystem gets Dependabot, and the CI pins the toolchain itself, audits
/// with cargo-deny and has no MSRV or docs job.
#[test]
fn polyglot_project_gets_every_ecosystem_and_the_ci_adapts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(root, "src/main.rs", "fn main() {}\n");
    write(root, "deny.toml", "[advisories]\n");
    write(
        root,
        "package.json",
        "{\"name\": \"web\", \"engines\": {\"node\": \">=20\"}}\n",
    );
    write(root, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"py\"\n\n[tool.poetry]\nname = \"py\"\n",
    );
    write(root, "go.mod", "module example.com/m\n\ngo 1.22\n");
    init(root, &[], 0);
    insta::assert_snapshot!("init_polyglot_ci", read(root, CI));
    insta::assert_snapshot!("init_polyglot_dependabot", read(root, DEPENDABOT));
}

#[test]
fn generated_files_pass_plimsoll_check_strict_with_zero_findings() {
    let dir = cargo_workspace();
    init(dir.path(), &[], 0);
    git(dir.path(), &["init", "-q"]);
    // Every file under the default rules, the workflows under strict mode too. Strict mode's
    // image digests (DKR002) are not asked of the Dockerfile: a digest cannot be looked up
    // offline, and a tag-pinned base that Dependabot updates is the standard's default.
    for args in [&["."][..], &["--strict", ".github"][..]] {
        assert_no_findings(dir.path(), args);
    }
}

/// `plimsoll check --fail-on note args…` in `root` reports nothing at all.
fn assert_no_findings(root: &Path, args: &[&str]) {
    let output = plimsoll(root)
        .args(["check", "--fail-on", "note", "--format", "json"])
        .args(args)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "{args:?}: {report}"
    );
}

const KUBERNETES: [&str; 5] = [
    "deploy/kubernetes/deployment.yaml",
    "deploy/kubernetes/service.yaml",
    "deploy/kubernetes/poddisruptionbudget.yaml",
    "deploy/kubernetes/horizontalpodautoscaler.yaml",
    "deploy/kubernetes/networkpolicy.yaml",
];

/// A server crate in a workspace that gives it its version and GitHub repository.
fn server_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"server\"]\n\n[workspace.package]\nversion = \"2.4.1\"\n\
         repository = \"https://github.com/Acme/Shop\"\n",
    );
    write(
        root,
        "server/Cargo.toml",
        "[package]\nname = \"shop-server\"\nversion.workspace = true\n\
         repository.workspace = true\n\n[[bin]]\nname = \"shop_api\"\npath = \"src/main.rs\"\n",
    );
    write(root, "server/src/main.rs", "fn main() {}\n");
    write(root, "Cargo.lock", "version = 4\n");
    dir
}

#[test]
fn kubernetes_manifests_for_the_server_binary() {
    let dir = server_workspace();
    let out = init(dir.path(), &["--only", "kubernetes"], 0);
    for file in KUBERNETES {
        assert!(out.contains(&format!("create    {file}\n")), "{out}");
        let name = file
            .trim_start_matches("deploy/kubernetes/")
            .trim_end_matches(".yaml");
        insta::assert_snapshot!(format!("init_kubernetes_{name}"), read(dir.path(), file));
    }
    let deployment = read(dir.path(), KUBERNETES[0]);
    // The binary's name as a DNS label; the image from the inherited repository and version.
    assert!(deployment.contains("\n  name: shop-api\n"), "{deployment}");
    assert!(
        deployment.contains("image: ghcr.io/acme/shop:2.4.1\n"),
        "{deployment}"
    );
    init(dir.path(), &["--check"], 0);
    // Without a repository the image is named as one to replace, still with a tag.
    let bare = tempfile::tempdir().unwrap();
    write(
        bare.path(),
        "Cargo.toml",
        "[package]\nname = \"api\"\nversion = \"0.3.0\"\n",
    );
    write(bare.path(), "src/main.rs", "fn main() {}\n");
    init(bare.path(), &["--only", "kubernetes"], 0);
    assert!(read(bare.path(), KUBERNETES[0]).contains("image: registry.example.com/api:0.3.0\n"));
    // A library has no server to deploy.
    let lib = tempfile::tempdir().unwrap();
    write(lib.path(), "Cargo.toml", "[package]\nname = \"l\"\n");
    write(lib.path(), "src/lib.rs", "");
    let out = init(lib.path(), &["--only", "kubernetes"], 0);
    assert!(out.contains("skipped kubernetes: no binary crate"), "{out}");
    assert!(!lib.path().join("deploy").exists());
}

#[test]
fn kubernetes_manifests_pass_plimsoll_strict_with_zero_findings() {
    let dir = server_workspace();
    init(dir.path(), &["--only", "kubernetes"], 0);
    git(dir.path(), &["init", "-q"]);
    assert_no_findings(dir.path(), &["--strict", "deploy"]);
}

/// `kubernetes-validate` (PyPI; it ships the Kubernetes JSON schemas, so it runs offline), from
/// PATH or pip's `--user` folder.
fn kubernetes_validate() -> Option<PathBuf> {
    let user = std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".local/bin/kubernetes-validate"));
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("kubernetes-validate"))
        .chain(user)
        .find(|path| path.is_file())
}

#[test]
fn kubernetes_manifests_validate_against_the_kubernetes_schemas() {
    let Some(validate) = kubernetes_validate() else {
        eprintln!("skipped: kubernetes-validate is not installed (pip install --user kubernetes-validate)");
        return;
    };
    let dir = server_workspace();
    init(dir.path(), &["--only", "kubernetes"], 0);
    // --strict: a property the schema does not define (a typo) fails too.
    let output = std::process::Command::new(validate)
        .current_dir(dir.path())
        .args(["--strict", "--no-warn"])
        .args(KUBERNETES)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "kubernetes-validate: {report}");
    // Six objects (the NetworkPolicy file holds two), each validated.
    assert_eq!(
        report.matches(" passed for resource ").count(),
        6,
        "{report}"
    );
}

#[test]
fn a_first_init_does_not_generate_kubernetes_unasked() {
    let dir = server_workspace();
    let out = init(dir.path(), &[], 0);
    assert!(!out.contains("deploy/kubernetes"), "{out}");
    assert!(!dir.path().join("deploy").exists());
    // Once generated, a plain run keeps them current.
    init(dir.path(), &["--only", "kubernetes"], 0);
    let out = init(dir.path(), &[], 0);
    assert!(
        out.contains("unchanged deploy/kubernetes/service.yaml"),
        "{out}"
    );
}

#[test]
fn release_ships_every_binary_with_the_docs_checksums_and_provenance() {
    let dir = cargo_workspace();
    init(dir.path(), &["--only", "release"], 0);
    let release = read(dir.path(), RELEASE);
    assert!(
        release.contains(
            "cp \"target/$TARGET/release/demo$EXE\" \"target/$TARGET/release/demo-admin$EXE\" \"LICENSE-MIT\" \"README.md\" \"dist/$name/\""
        ),
        "{release}"
    );
    assert!(release.contains("sha256sum -- * > SHA256SUMS"), "{release}");
    assert!(
        release.contains("actions/attest-build-provenance@"),
        "{release}"
    );
    assert!(
        !release.contains("rust-cache"),
        "a release builds from a clean state"
    );
    // A library-only workspace has nothing to release as archives.
    let lib_only = tempfile::tempdir().unwrap();
    write(
        lib_only.path(),
        "Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n",
    );
    write(lib_only.path(), "src/lib.rs", "");
    let out = init(lib_only.path(), &["--only", "release"], 0);
    assert!(out.contains("skipped release: no binary crate"), "{out}");
    assert!(!lib_only.path().join(RELEASE).exists());
}

#[test]
fn dockerfile_builds_dependencies_before_sources_and_runs_distroless_non_root() {
    let dir = cargo_workspace();
    init(dir.path(), &["--only", "docker,dependabot"], 0);
    let dockerfile = read(dir.path(), DOCKERFILE);
    // Stand-ins for every target root, and the build script, before the dependency build.
    let dependencies = dockerfile.find("--workspace --bins\n").unwrap();
    let sources = dockerfile.find("COPY . .").unwrap();
    assert!(dependencies < sources, "{dockerfile}");
    for line in [
        "FROM rust:1.95.0-slim-bookworm AS build\n",
        "COPY crates/cli/build.rs crates/cli/build.rs\n",
        "    && echo 'fn main() {}' > crates/cli/src/bin/demo-admin.rs \\\n",
        "    && touch crates/core/src/lib.rs \\\n",
        // A declared bench: Cargo reads its file when it loads the manifest.
        "    && echo 'fn main() {}' > crates/core/benches/parse.rs \\\n",
        "COPY --from=build /src/target/release/demo /src/target/release/demo-admin /usr/local/bin/\n",
        "USER 65532:65532\n",
        "ENTRYPOINT [\"/usr/local/bin/demo\"]\n",
    ] {
        assert!(dockerfile.contains(line), "{line} in {dockerfile}");
    }
    // Dependabot keeps the generated Dockerfile's base images current.
    assert!(read(dir.path(), DEPENDABOT).contains("package-ecosystem: docker\n"));
    // No Cargo.lock: no image (it would not build what CI tested).
    fs::remove_file(dir.path().join("Cargo.lock")).unwrap();
    fs::remove_file(dir.path().join(DOCKERFILE)).unwrap();
    let out = init(dir.path(), &["--only", "docker"], 0);
    assert!(out.contains("skipped docker: Rust: no Cargo.lock"), "{out}");
    assert!(!dir.path().join(DOCKERFILE).exists());
}

#[test]
fn generated_dockerfile_passes_hadolint() {
    let dir = cargo_workspace();
    init(dir.path(), &["--only", "docker"], 0);
    assert_hadolint_finds_nothing(dir.path());
}

#[test]
fn only_generates_the_kinds_named() {
    let dir = cargo_workspace();
    init(dir.path(), &["--only", "dependabot"], 0);
    assert!(dir.path().join(DEPENDABOT).is_file());
    assert!(!dir.path().join(CI).exists());
    // An unknown kind is refused, not silently ignored.
    let stderr = init_error(dir.path(), &["--only", "helm"]);
    assert!(stderr.contains("unknown kind `helm`"), "{stderr}");
}

#[test]
fn without_only_a_regeneration_keeps_to_the_kinds_the_lock_records() {
    let dir = cargo_workspace();
    init(dir.path(), &["--only", "ci,dependabot"], 0);
    // The kinds left out on purpose are neither created nor reported as missing.
    init(dir.path(), &["--check"], 0);
    let out = init(dir.path(), &[], 0);
    assert!(!out.contains("Dockerfile"), "{out}");
    assert!(!dir.path().join(DOCKERFILE).exists());
    assert!(!dir.path().join(RELEASE).exists());
    // A kind named later joins them, and a plain run regenerates it from then on.
    init(dir.path(), &["--only", "release"], 0);
    bump_msrv(dir.path());
    let out = init(dir.path(), &["--check"], 1);
    assert!(out.contains("+      - run: cargo +1.82 check"), "{out}");
    assert!(read(dir.path(), LOCK).contains("generator = \"release\""));
    assert!(!dir.path().join(DOCKERFILE).exists());
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let dir = cargo_workspace();
    let out = init(dir.path(), &["--dry-run"], 0);
    assert!(
        out.contains("--- /dev/null\n+++ b/.github/workflows/ci.yml\n"),
        "{out}"
    );
    assert!(out.contains("+  fmt:\n"), "{out}");
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(!dir.path().join(".github").exists());
}

#[test]
fn check_fails_when_the_files_are_missing_or_out_of_date() {
    let dir = cargo_workspace();
    init(dir.path(), &["--check"], 1);
    init(dir.path(), &[], 0);
    init(dir.path(), &["--check"], 0);
    bump_msrv(dir.path());
    let out = init(dir.path(), &["--check"], 1);
    assert!(out.contains("-      - run: cargo +1.80 check"), "{out}");
    assert!(out.contains("+      - run: cargo +1.82 check"), "{out}");
}

/// Raise the MSRV: a regeneration changes the MSRV job.
fn bump_msrv(root: &Path) {
    let manifest =
        read(root, "Cargo.toml").replace("rust-version = \"1.80\"", "rust-version = \"1.82\"");
    write(root, "Cargo.toml", manifest);
}

/// The user's edits of a generated CI workflow: a hand-added job, a step pinned to a SHA,
/// a longer test timeout.
fn edit_ci(root: &Path) {
    let ci = read(root, CI)
        .replace(
            "  test:\n    name: Test (${{ matrix.os }})\n    runs-on: ${{ matrix.os }}\n    timeout-minutes: 30\n",
            "  test:\n    name: Test (${{ matrix.os }})\n    runs-on: ${{ matrix.os }}\n    timeout-minutes: 45\n",
        )
        .replace(
            "      - run: cargo fmt --all -- --check\n",
            "      - run: cargo fmt --all -- --check\n      - uses: crate-ci/typos@0d9e0c2c1bd7f770f6eb90f87780848ca02fc12c # v1.29.4\n",
        );
    let ci = format!(
        "{ci}\n  smoke:\n    name: Smoke test\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    \
         steps:\n      - run: echo smoke\n"
    );
    write(root, CI, ci);
}

#[test]
fn regeneration_keeps_a_hand_added_job_a_sha_pin_and_a_changed_timeout() {
    let dir = cargo_workspace();
    let root = dir.path();
    init(root, &[], 0);
    edit_ci(root);
    // The user's edits alone are not something a regeneration would change.
    init(root, &["--check"], 0);
    bump_msrv(root);
    init(root, &["--check"], 1);
    let out = init(root, &[], 0);
    assert!(
        out.contains(&format!("update    {CI} (regenerated, your edits kept)")),
        "{out}"
    );
    let ci = read(root, CI);
    assert!(ci.contains("  smoke:\n    name: Smoke test\n"), "{ci}");
    assert!(ci.contains("crate-ci/typos@0d9e0c2c1bd7f770f6eb90f87780848ca02fc12c # v1.29.4"));
    assert!(ci.contains("    timeout-minutes: 45\n"), "{ci}");
    assert!(
        ci.contains("      - run: cargo +1.82 check --workspace --all-features\n"),
        "{ci}"
    );
    assert!(!ci.contains("1.80"), "{ci}");
    init(root, &["--check"], 0);
    // The merged file is still clean.
    plimsoll(root)
        .args(["check", "--fail-on", "note", "."])
        .assert()
        .code(0);
}

#[test]
fn a_real_conflict_is_shown_as_a_diff_and_nothing_is_written() {
    let dir = cargo_workspace();
    let root = dir.path();
    init(root, &[], 0);
    // The user and the regeneration both change the MSRV job's command.
    let edited = read(root, CI).replace(
        "      - run: cargo +1.80 check --workspace --all-features\n",
        "      - run: cargo +1.80 check --workspace --all-features --locked\n",
    );
    write(root, CI, &edited);
    let lock_before = read(root, LOCK);
    bump_msrv(root);
    let out = init(root, &[], 1);
    assert!(out.contains(&format!("conflict  {CI}")), "{out}");
    assert!(out.contains("+<<<<<<< ours\n"), "{out}");
    assert!(
        out.contains("+      - run: cargo +1.82 check --workspace --all-features\n"),
        "{out}"
    );
    assert!(out.contains("nothing written"), "{out}");
    assert_eq!(read(root, CI), edited);
    assert_eq!(read(root, LOCK), lock_before);
    init(root, &["--check"], 1);
    // --force takes the generated text.
    init(root, &["--force"], 0);
    assert!(read(root, CI).contains("cargo +1.82 check --workspace --all-features\n"));
    init(root, &["--check"], 0);
}

#[test]
fn never_overwrites_a_file_it_did_not_generate_without_force() {
    let dir = cargo_workspace();
    let root = dir.path();
    let mine = "name: mine\non: push\njobs: {}\n";
    write(root, CI, mine);
    let out = init(root, &[], 1);
    assert!(
        out.contains(&format!(
            "skip      {CI}: it exists and plimsoll init did not generate it"
        )),
        "{out}"
    );
    assert_eq!(read(root, CI), mine);
    assert!(
        !root.join(DEPENDABOT).exists(),
        "a blocked run writes nothing at all"
    );
    init(root, &["--force"], 0);
    assert!(read(root, CI).contains("  fmt:\n"));
}

/// A repository standing in for an action's GitHub repository, with `tags` (name, annotated)
/// on successive commits; returns tag → commit SHA.
fn action_remote(base: &Path, name: &str, tags: &[(&str, bool)]) -> Vec<(String, String)> {
    let repo = base.join(name);
    fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let mut shas = Vec::new();
    for (index, (tag, annotated)) in tags.iter().enumerate() {
        write(
            &repo,
            "action.yml",
            format!("name: a\nruns: {{using: node20, main: {index}.js}}\n"),
        );
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", tag]);
        if *annotated {
            git(&repo, &["tag", "-a", tag, "-m", tag]);
        } else {
            git(&repo, &["tag", tag]);
        }
        shas.push((
            tag.to_string(),
            git(&repo, &["rev-parse", &format!("{tag}^{{commit}}")]),
        ));
    }
    shas
}

#[test]
fn update_pins_reads_real_remotes_and_the_next_generation_uses_them() {
    let remotes = tempfile::tempdir().unwrap();
    let checkout = action_remote(
        remotes.path(),
        "actions/checkout",
        &[("v4.2.2", false), ("v4.3.0", true), ("v5.0.0", false)],
    );
    let cache = action_remote(
        remotes.path(),
        "Swatinem/rust-cache",
        &[("v2.9.2", true), ("v2.10.1", false)],
    );
    let attest = action_remote(
        remotes.path(),
        "actions/attest-build-provenance",
        &[("v4.1.1", true), ("v4.2.0", true)],
    );
    action_remote(
        remotes.path(),
        "actions/upload-artifact",
        &[("v4.6.2", false)],
    );
    action_remote(
        remotes.path(),
        "actions/download-artifact",
        &[("v4.3.0", false)],
    );
    for (action, version) in [
        ("actions/setup-node", "v6.4.0"),
        ("actions/setup-python", "v7.0.0"),
        ("astral-sh/setup-uv", "v10.0.1"),
        ("actions/setup-go", "v6.5.0"),
        ("cloudflare/wrangler-action", "v3.14.1"),
    ] {
        action_remote(remotes.path(), action, &[(version, false)]);
    }
    let dir = cargo_workspace();
    let table = dir.path().join("pins.toml");
    fs::write(&table, include_str!("../../plimsoll-init/pins.toml")).unwrap();
    let base = format!("file://{}", remotes.path().display());
    let out = init(
        dir.path(),
        &[
            "--update-pins",
            "--pins",
            "pins.toml",
            "--remote-base",
            &base,
        ],
        0,
    );
    // The newest release of the pinned major version; v5 is a person's decision.
    let (_, checkout_sha) = &checkout[1];
    let (_, cache_sha) = &cache[1];
    assert!(out.contains(&format!("-> v4.3.0 {checkout_sha}")), "{out}");
    let updated = fs::read_to_string(&table).unwrap();
    assert!(
        updated.contains(&format!(
            "version = \"v4.3.0\"\nsha = \"{checkout_sha}\"\nverified = true"
        )),
        "{updated}"
    );
    assert!(
        updated.contains(&format!(
            "version = \"v2.10.1\"\nsha = \"{cache_sha}\"\nverified = true"
        )),
        "{updated}"
    );
    assert!(!updated.contains("\nverified = false"), "{updated}");
    assert!(
        updated.contains("rust-stable = "),
        "the rest of the table is kept"
    );
    init(dir.path(), &["--pins", "pins.toml"], 0);
    let (_, attest_sha) = &attest[1];
    assert!(read(dir.path(), RELEASE).contains(&format!(
        "actions/attest-build-provenance@{attest_sha} # v4.2.0"
    )));
    let ci = read(dir.path(), CI);
    assert!(
        ci.contains(&format!("actions/checkout@{checkout_sha} # v4.3.0")),
        "{ci}"
    );
    assert!(
        ci.contains(&format!("Swatinem/rust-cache@{cache_sha} # v2.10.1")),
        "{ci}"
    );
}

/// `plimsoll init --update-pins` with `--remote-base remote_base`, which must fail and leave the
/// table as it was; its stderr.
fn failed_update_pins(remote_base: &str) -> String {
    let dir = cargo_workspace();
    let table = dir.path().join("pins.toml");
    let original = include_str!("../../plimsoll-init/pins.toml");
    fs::write(&table, original).unwrap();
    let stderr = init_error(
        dir.path(),
        &[
            "--update-pins",
            "--pins",
            "pins.toml",
            "--remote-base",
            remote_base,
        ],
    );
    assert_eq!(fs::read_to_string(&table).unwrap(), original);
    stderr
}

#[test]
fn update_pins_fails_on_a_remote_that_does_not_exist() {
    let remotes = tempfile::tempdir().unwrap();
    let stderr = failed_update_pins(&format!("file://{}", remotes.path().display()));
    assert!(stderr.contains("cannot list the tags of"), "{stderr}");
}

#[test]
fn update_pins_refuses_plain_text_transports() {
    // A SHA read over http or git:// could be swapped in transit: git refuses the transport
    // before connecting (nothing listens on port 9 anyway).
    for (base, transport) in [("http://127.0.0.1:9", "http"), ("git://127.0.0.1:9", "git")] {
        let stderr = failed_update_pins(base);
        assert!(
            stderr.contains(&format!("transport '{transport}' not allowed")),
            "{stderr}"
        );
    }
}

/// actionlint (with shellcheck, when it is on PATH) and zizmor (offline, pedantic) find nothing
/// in the `workflows` of `root`; skipped, saying so, when they are not installed.
fn assert_workflow_peers_find_nothing(root: &Path, workflows: &[&str]) {
    let (Some(actionlint), Some(zizmor)) = (peer("actionlint"), peer("zizmor")) else {
        eprintln!("skipped: actionlint or zizmor is not installed in /root/.cache/plimsoll-peers/bin (../shared/bench/peers.sh installs them)");
        return;
    };
    let output = std::process::Command::new(actionlint)
        .current_dir(root)
        .args(workflows)
        .output()
        .unwrap();
    assert!(output.status.success(), "actionlint: {}", stdout(&output));
    let output = std::process::Command::new(zizmor)
        .current_dir(root)
        .args(["--offline", "--persona", "pedantic", "--no-progress", "."])
        .output()
        .unwrap();
    assert!(
        output.status.success() && stdout(&output).contains("No findings"),
        "zizmor: {}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// hadolint finds nothing in the Dockerfile of `root`; skipped, saying so, when it is not
/// installed.
fn assert_hadolint_finds_nothing(root: &Path) {
    let Some(hadolint) = peer("hadolint") else {
        eprintln!("skipped: hadolint is not installed in /root/.cache/plimsoll-peers/bin (../shared/bench/peers.sh installs it)");
        return;
    };
    let output = std::process::Command::new(hadolint)
        .current_dir(root)
        .arg(DOCKERFILE)
        .output()
        .unwrap();
    assert!(output.status.success(), "hadolint: {}", stdout(&output));
}

#[test]
fn generated_workflows_pass_actionlint_and_zizmor_pedantic() {
    let dir = cargo_workspace();
    init(dir.path(), &[], 0);
    assert_workflow_peers_find_nothing(dir.path(), &[CI, RELEASE]);
}

#[test]
fn malformed_manifest_or_lock_is_an_error_naming_the_file_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", "[package\nname = \"x\"\n");
    let out = plimsoll(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Cargo.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let dir = cargo_workspace();
    write(dir.path(), LOCK, "version = \"one\"\n[[file]]\n");
    let out = plimsoll(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot parse .github/plimsoll-init.lock"),
        "{stderr}"
    );
    assert!(!dir.path().join(CI).exists(), "nothing is written");
}

/// A Node package: npm with its lockfile, a lower bound on Node, lint, build and test scripts.
fn node_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "package.json",
        r#"{"name": "web", "version": "1.0.0", "main": "server.js",
  "engines": {"node": ">=20"},
  "scripts": {"lint": "eslint .", "build": "tsc", "test": "node --test"}}
"#,
    );
    write(
        dir.path(),
        "package-lock.json",
        "{\"lockfileVersion\": 3}\n",
    );
    write(dir.path(), "server.js", "console.log('up');\n");
    dir
}

/// A Python project managed with uv: a console script, pytest and ruff among the dev tools.
fn python_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"shop-api\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
         dependencies = [\"fastapi\"]\n\n[project.scripts]\nshop-api = \"shop_api:main\"\n\n\
         [dependency-groups]\ndev = [\"pytest>=8\", \"ruff\"]\n",
    );
    write(dir.path(), "uv.lock", "version = 1\n");
    write(
        dir.path(),
        "shop_api/__init__.py",
        "def main():\n    pass\n",
    );
    dir
}

/// A Go module with one command under cmd/.
fn go_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "go.mod",
        "module example.com/acme/shop // the shop\n\ngo 1.24\n",
    );
    write(dir.path(), "go.sum", "");
    write(
        dir.path(),
        "cmd/shopd/main.go",
        "package main\n\nfunc main() {}\n",
    );
    dir
}

/// Generate every default kind for `root` and check the result: a snapshot of each file, zero
/// findings from plimsoll (the workflows in strict mode too) and from the peers installed.
fn generate_and_audit(root: &Path, name: &str, workflow: &str) {
    let out = init(root, &[], 0);
    for (file, snapshot) in [
        (workflow, "workflow"),
        (DOCKERFILE, "dockerfile"),
        (".dockerignore", "dockerignore"),
        (DEPENDABOT, "dependabot"),
    ] {
        assert!(out.contains(&format!("create    {file}\n")), "{out}");
        insta::assert_snapshot!(format!("init_{name}_{snapshot}"), read(root, file));
    }
    assert!(out.contains("skipped release: no Cargo.toml"), "{out}");
    init(root, &["--check"], 0);
    git(root, &["init", "-q"]);
    assert_no_findings(root, &["."]);
    assert_no_findings(root, &["--strict", ".github"]);
    assert_hadolint_finds_nothing(root);
    assert_workflow_peers_find_nothing(root, &[workflow]);
}

#[test]
fn node_package_gets_ci_a_dockerfile_and_npm_updates() {
    let dir = node_project();
    generate_and_audit(dir.path(), "node", ".github/workflows/node.yml");
    let ci = read(dir.path(), ".github/workflows/node.yml");
    // engines.node is a lower bound: the pinned LTS satisfies it.
    assert!(ci.contains("          node-version: \"24\"\n          # The package cache, keyed on the lockfile.\n          cache: npm\n"), "{ci}");
    for step in ["npm ci", "npm run lint", "npm run build", "npm run test"] {
        assert!(
            ci.contains(&format!("      - run: {step}\n")),
            "{step}: {ci}"
        );
    }
    let dockerfile = read(dir.path(), DOCKERFILE);
    assert!(dockerfile.find("RUN npm ci").unwrap() < dockerfile.find("COPY . .").unwrap());
    assert!(
        dockerfile.contains("RUN npm run build && npm prune --omit=dev\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("ENTRYPOINT [\"node\", \"server.js\"]\n"),
        "{dockerfile}"
    );
    assert!(read(dir.path(), DEPENDABOT).contains("package-ecosystem: npm\n"));
}

#[test]
fn node_lockfile_picks_the_package_manager_and_engines_the_release() {
    let dir = node_project();
    fs::remove_file(dir.path().join("package-lock.json")).unwrap();
    write(dir.path(), "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    // A range with an upper bound: its first major, not the newer LTS it excludes.
    let manifest = read(dir.path(), "package.json").replace(">=20", ">=22.1.0 <23");
    write(dir.path(), "package.json", manifest);
    init(dir.path(), &["--only", "ci,docker"], 0);
    let ci = read(dir.path(), ".github/workflows/node.yml");
    assert!(ci.contains("      - run: corepack enable\n"), "{ci}");
    assert!(ci.contains("node-version: \"22\"\n"), "{ci}");
    assert!(ci.contains("cache: pnpm\n"), "{ci}");
    assert!(
        ci.contains("      - run: pnpm install --frozen-lockfile\n"),
        "{ci}"
    );
    let dockerfile = read(dir.path(), DOCKERFILE);
    assert!(
        dockerfile.contains("FROM node:22-bookworm-slim AS build\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("COPY package.json pnpm-lock.yaml ./\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("RUN pnpm run build && pnpm prune --prod\n"),
        "{dockerfile}"
    );
    // No lockfile: CI installs with npm install, and no image is built from unpinned versions.
    let bare = tempfile::tempdir().unwrap();
    write(bare.path(), "package.json", "{\"name\": \"x\"}\n");
    let out = init(bare.path(), &["--only", "ci,docker"], 0);
    assert!(out.contains("skipped docker: Node: no lockfile"), "{out}");
    let ci = read(bare.path(), ".github/workflows/node.yml");
    assert!(
        ci.contains("      - run: npm install\n") && !ci.contains("cache:"),
        "{ci}"
    );
}

#[test]
fn python_project_gets_ci_a_dockerfile_and_uv_updates() {
    let dir = python_project();
    generate_and_audit(dir.path(), "python", ".github/workflows/python.yml");
    let ci = read(dir.path(), ".github/workflows/python.yml");
    for step in ["uv sync --locked", "uv run ruff check .", "uv run pytest"] {
        assert!(
            ci.contains(&format!("      - run: {step}\n")),
            "{step}: {ci}"
        );
    }
    let dockerfile = read(dir.path(), DOCKERFILE);
    assert!(
        dockerfile.contains("ENTRYPOINT [\"/app/.venv/bin/shop-api\"]\n"),
        "{dockerfile}"
    );
    assert!(read(dir.path(), DEPENDABOT).contains("package-ecosystem: uv\n"));
}

#[test]
fn python_tool_comes_from_the_lock_files() {
    // Poetry, by its lock file.
    let dir = python_project();
    fs::remove_file(dir.path().join("uv.lock")).unwrap();
    write(dir.path(), "poetry.lock", "# poetry\n");
    init(dir.path(), &["--only", "ci,docker"], 0);
    let ci = read(dir.path(), ".github/workflows/python.yml");
    assert!(
        ci.contains("      - run: pipx install \"poetry==2.5.1\"\n"),
        "{ci}"
    );
    assert!(ci.contains("          cache: poetry\n"), "{ci}");
    assert!(ci.contains("      - run: poetry run pytest\n"), "{ci}");
    let dockerfile = read(dir.path(), DOCKERFILE);
    assert!(
        dockerfile.contains("RUN poetry install --only main --no-root\n"),
        "{dockerfile}"
    );
    // pip, with requirement files, an upper bound on Python and a tests folder but no pytest.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "requirements.txt", "flask==3.1.0\n");
    write(dir.path(), "requirements-dev.txt", "ruff==0.17.5\n");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"board\"\nrequires-python = \">=3.10,<3.13\"\n",
    );
    write(dir.path(), "tests/test_board.py", "");
    init(dir.path(), &["--only", "ci,docker"], 0);
    let ci = read(dir.path(), ".github/workflows/python.yml");
    for line in [
        "          python-version: \"3.10\"\n",
        "          cache: pip\n",
        "      - run: python -m pip install -r requirements-dev.txt\n",
        "      - run: python -m pip install -e .\n",
        "      - run: python -m ruff check .\n",
        "      - run: python -m unittest discover -s tests\n",
    ] {
        assert!(ci.contains(line), "{line}: {ci}");
    }
    let dockerfile = read(dir.path(), DOCKERFILE);
    assert!(
        dockerfile.contains("FROM python:3.10-slim-bookworm AS build\n"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("ENTRYPOINT [\"/app/.venv/bin/python\", \"-m\", \"board\"]\n"));
    // A service with requirements.txt and a main.py, no pyproject.toml: the image runs the script.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "requirements.txt", "flask==3.1.0\n");
    write(dir.path(), "main.py", "print('up')\n");
    init(dir.path(), &["--only", "ci,docker"], 0);
    let dockerfile = read(dir.path(), DOCKERFILE);
    assert!(
        dockerfile.contains("ENTRYPOINT [\"/app/.venv/bin/python\", \"/app/main.py\"]\n"),
        "{dockerfile}"
    );
    assert!(
        !dockerfile.contains("--no-deps ."),
        "no project to install: {dockerfile}"
    );
    assert_hadolint_finds_nothing(dir.path());
    // Neither a package nor a script: nothing to run.
    fs::remove_file(dir.path().join("main.py")).unwrap();
    fs::remove_file(dir.path().join(DOCKERFILE)).unwrap();
    let out = init(dir.path(), &["--only", "docker"], 0);
    assert!(
        out.contains("skipped docker: Python: no project name or script"),
        "{out}"
    );
}

#[test]
fn go_module_gets_ci_a_static_distroless_image_and_gomod_updates() {
    let dir = go_project();
    generate_and_audit(dir.path(), "go", ".github/workflows/go.yml");
    let ci = read(dir.path(), ".github/workflows/go.yml");
    assert!(ci.contains("          go-version-file: go.mod\n"), "{ci}");
    assert!(ci.contains("      - run: go test -race ./...\n"), "{ci}");
    let dockerfile = read(dir.path(), DOCKERFILE);
    for line in [
        "FROM golang:1.24-bookworm AS build\n",
        "COPY go.mod go.sum ./\nRUN go mod download\n",
        "go build -trimpath -ldflags=\"-s -w\" -o /out/ ./cmd/shopd\n",
        "FROM gcr.io/distroless/static-debian12:nonroot\n",
        "ENTRYPOINT [\"/usr/local/bin/shopd\"]\n",
    ] {
        assert!(dockerfile.contains(line), "{line}: {dockerfile}");
    }
    assert!(read(dir.path(), DEPENDABOT).contains("package-ecosystem: gomod\n"));
    // A library module has no image.
    fs::remove_dir_all(dir.path().join("cmd")).unwrap();
    fs::remove_file(dir.path().join(DOCKERFILE)).unwrap();
    let out = init(dir.path(), &["--only", "docker"], 0);
    assert!(out.contains("skipped docker: Go: no main package"), "{out}");
}

#[test]
fn malformed_package_json_or_go_mod_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", "{\"name\": ");
    let stderr = init_error(dir.path(), &[]);
    assert!(stderr.contains("package.json"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", "go 1.22\n");
    let stderr = init_error(dir.path(), &[]);
    assert!(
        stderr.contains("go.mod") && stderr.contains("no `module` directive"),
        "{stderr}"
    );
}

const DEPLOY: &str = ".github/workflows/deploy.yml";

/// A workspace whose `edge` crate is a Cloudflare Worker.
fn worker_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.1.0\"\n",
    );
    write(
        root,
        "crates/edge/Cargo.toml",
        "[package]\nname = \"edge\"\nversion.workspace = true\n\n[lib]\ncrate-type = [\"cdylib\"]\n",
    );
    write(root, "crates/edge/src/lib.rs", "");
    write(
        root,
        "crates/edge/wrangler.toml",
        "name = \"shop-edge\"\nmain = \"build/worker/shim.mjs\"\ncompatibility_date = \"2026-11-01\"\n\n\
         [build]\ncommand = \"worker-build --release\"\n",
    );
    write(
        root,
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\n",
    );
    write(root, "crates/core/src/lib.rs", "");
    write(root, "Cargo.lock", "version = 4\n");
    dir
}

#[test]
fn deploy_workflow_for_a_cloudflare_worker_crate() {
    let dir = worker_workspace();
    let root = dir.path();
    let out = init(root, &["--only", "deploy"], 0);
    assert!(out.contains(&format!("create    {DEPLOY}\n")), "{out}");
    let deploy = read(root, DEPLOY);
    insta::assert_snapshot!("init_deploy_workflow", deploy);
    for line in [
        // Deploys are serialised, never cancelled halfway.
        "  cancel-in-progress: false\n",
        "  deploy-shop-edge:\n    name: Deploy shop-edge\n",
        "    environment: production\n",
        "      - run: rustup toolchain install 1.95.0 --profile minimal --target wasm32-unknown-unknown\n",
        "      - run: cargo +1.95.0 install worker-build --locked --version 0.8.7\n",
        "      - uses: cloudflare/wrangler-action@da0e0dfe58b7a431659754fdf3f186c529afbe65 # v3.14.1\n",
        "          workingDirectory: crates/edge\n          command: deploy\n",
    ] {
        assert!(deploy.contains(line), "{line}: {deploy}");
    }
    // The token appears once, in the deploy step's inputs, and nowhere in the environment.
    assert_eq!(deploy.matches("secrets.").count(), 1, "{deploy}");
    assert!(deploy.contains("          apiToken: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n"));
    init(root, &["--check"], 0);
    // With the Dependabot configuration that keeps its pins current, not a finding.
    init(root, &["--only", "dependabot"], 0);
    git(root, &["init", "-q"]);
    assert_no_findings(root, &["--strict", ".github"]);
    // With a rust-toolchain.toml the worker builds with it, worker-build with the pinned release.
    write(
        root,
        "rust-toolchain.toml",
        "[toolchain]\nchannel = \"1.90.0\"\n",
    );
    init(root, &["--only", "deploy"], 0);
    let deploy = read(root, DEPLOY);
    assert!(
        deploy.contains(
            "      - run: rustup toolchain install\n      - run: rustup target add wasm32-unknown-unknown\n"
        ),
        "{deploy}"
    );
    assert!(deploy.contains("      - run: rustup toolchain install 1.95.0 --profile minimal\n"));
    assert!(!deploy.contains("RUSTUP_TOOLCHAIN"), "{deploy}");
    // No worker: nothing to deploy.
    let plain = cargo_workspace();
    let out = init(plain.path(), &["--only", "deploy"], 0);
    assert!(
        out.contains("skipped deploy: no crate with a wrangler.toml"),
        "{out}"
    );
    assert!(!plain.path().join(DEPLOY).exists());
}

#[test]
fn deploy_workflow_passes_actionlint_and_zizmor_pedantic() {
    let dir = worker_workspace();
    init(dir.path(), &["--only", "deploy"], 0);
    assert_workflow_peers_find_nothing(dir.path(), &[DEPLOY]);
}

#[test]
fn a_requirement_file_in_another_encoding_is_read_leniently() {
    let dir = tempfile::tempdir().unwrap();
    // Latin-1 in a comment: the package names are still found.
    write(
        dir.path(),
        "requirements.txt",
        b"# caf\xe9 service\npytest==9.2.0\n".as_slice(),
    );
    init(dir.path(), &["--only", "ci"], 0);
    let ci = read(dir.path(), ".github/workflows/python.yml");
    assert!(ci.contains("      - run: python -m pytest\n"), "{ci}");
}
