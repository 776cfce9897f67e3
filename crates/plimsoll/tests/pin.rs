//! The pinning fix of `unpinned-action` and `action-not-pinned-to-sha`, with the real binary:
//! local git repositories stand in for the actions' repositories (`GITHUB_SERVER_URL` points
//! at their folder), the cache lives in a temporary `XDG_CACHE_HOME`.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{git, plimsoll, write};

const WORKFLOW: &str = ".github/workflows/ci.yml";

/// A workflow using each kind of ref: a tag with a comment after it, an annotated tag in
/// quotes, a branch, a reusable workflow, refs that do not resolve, and uses that are never
/// pinned (local, docker, a commit SHA already).
const TEXT: &str = "\
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v4 # fetch the sources
      - uses: \"actions/setup-node@v4.1.0\"
      - uses: some-org/deploy-action@main
      - uses: some-org/deploy-action@v9
      - uses: nobody/missing@v1
      - uses: ./.github/actions/local
      - uses: docker://alpine:3.20
  reuse:
    uses: org/shared/.github/workflows/ci.yml@v1
";

/// The folder of stand-in remotes, and the commit each ref names (`owner/repo@ref` → SHA).
struct Remotes {
    dir: tempfile::TempDir,
    shas: Vec<(String, String)>,
}

impl Remotes {
    fn new() -> Remotes {
        let dir = tempfile::tempdir().unwrap();
        let mut shas = Vec::new();
        // Lightweight and annotated tags on older commits than the branch tip, so that a
        // tag object's SHA or the tip's would be told from the tagged commit's.
        for (action, tag, annotated) in [
            ("actions/checkout", "v4", false),
            ("actions/setup-node", "v4.1.0", true),
            ("org/shared", "v1", true),
        ] {
            let repo = remote(dir.path(), action, 2);
            let args: &[&str] = if annotated {
                &["tag", "-a", tag, "-m", tag, "HEAD~1"]
            } else {
                &["tag", tag, "HEAD~1"]
            };
            git(&repo, args);
            shas.push((
                format!("{action}@{tag}"),
                git(&repo, &["rev-parse", &format!("{tag}^{{commit}}")]),
            ));
        }
        let deploy = remote(dir.path(), "some-org/deploy-action", 3);
        shas.push((
            "some-org/deploy-action@main".to_string(),
            git(&deploy, &["rev-parse", "main"]),
        ));
        Remotes { dir, shas }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `text` with each SHA of a remote replaced by the ref it stands for, as `<owner/repo@ref>`:
    /// snapshots hold no SHA that changes with the time the test ran.
    fn named(&self, text: &str) -> String {
        self.shas
            .iter()
            .fold(text.to_string(), |text, (name, sha)| {
                text.replace(sha, &format!("<{name}>"))
            })
    }

    fn sha(&self, name: &str) -> &str {
        &self.shas.iter().find(|(n, _)| n == name).unwrap().1
    }
}

/// A repository at `base/name` with `commits` commits on `main`.
fn remote(base: &Path, name: &str, commits: usize) -> PathBuf {
    let repo = base.join(name);
    fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    for index in 0..commits {
        write(
            &repo,
            "action.yml",
            format!("name: {name}\nruns: {{using: node20, main: {index}.js}}\n"),
        );
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", &index.to_string()]);
    }
    repo
}

/// A project holding the workflow, and a cache folder beside it.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &format!("project/{WORKFLOW}"), TEXT);
    (dir, file)
}

/// `plimsoll check --isolated --strict <args> .` in the project, with the remotes at `server`.
fn check(dir: &Path, server: &Path, args: &[&str]) -> std::process::Output {
    plimsoll(&dir.join("project"))
        .env("GITHUB_SERVER_URL", server)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .args(["check", "--isolated", "--strict"])
        .args(args)
        .arg(".")
        .output()
        .unwrap()
}

/// The lines of the findings of the pinning rules in the project, as `rule line`.
fn pinning_findings(dir: &Path, server: &Path) -> Vec<String> {
    let output = check(dir, server, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            matches!(
                f["rule"]["name"].as_str(),
                Some("unpinned-action" | "action-not-pinned-to-sha")
            )
        })
        .map(|f| format!("{} {}", f["rule"]["name"], f["start"]["line"]))
        .collect()
}

#[test]
fn fix_pins_tags_safely_and_branches_only_with_unsafe_fixes() {
    let remotes = Remotes::new();
    let (dir, file) = project();
    let output = check(dir.path(), remotes.path(), &["--fix"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A ref that does not resolve is said, with the reason, and does not stop the run.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not pinned: some-org/deploy-action@v9: ")
            && stderr.contains("has no tag or branch `v9`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("not pinned: nobody/missing@v1: `git ls-remote "),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 action refs could not be resolved to pin them"),
        "{stderr}"
    );
    let safe = fs::read_to_string(&file).unwrap();
    assert!(
        safe.contains("- uses: some-org/deploy-action@main\n"),
        "a branch is pinned only with --unsafe-fixes: {safe}"
    );
    // The commit a tag names, not the tag object's SHA, nor the branch tip.
    assert!(safe.contains(&format!(
        "\"actions/setup-node@{}\" # v4.1.0\n",
        remotes.sha("actions/setup-node@v4.1.0")
    )));
    check(dir.path(), remotes.path(), &["--fix", "--unsafe-fixes"]);
    let fixed = fs::read_to_string(&file).unwrap();
    insta::assert_snapshot!("pinned-workflow", remotes.named(&fixed));
    // Checked again, only the refs that did not resolve are left.
    assert_eq!(
        pinning_findings(dir.path(), remotes.path()),
        [
            "\"action-not-pinned-to-sha\" 11",
            "\"action-not-pinned-to-sha\" 12"
        ]
    );
}

#[test]
fn the_cache_pins_again_without_the_remote() {
    let remotes = Remotes::new();
    let (dir, file) = project();
    check(dir.path(), remotes.path(), &["--fix"]);
    let fixed = fs::read_to_string(&file).unwrap();
    assert_ne!(fixed, TEXT);
    assert!(dir.path().join("cache/plimsoll/action-refs.json").is_file());
    // The remotes are gone: the second run pins from the cache alone.
    let server = remotes.path().to_path_buf();
    drop(remotes);
    assert!(!server.exists());
    fs::write(&file, TEXT).unwrap();
    let output = check(dir.path(), &server, &["--diff"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("# fetch the sources"));
    fs::write(&file, TEXT).unwrap();
    check(dir.path(), &server, &["--fix", "--offline"]);
    assert_eq!(fs::read_to_string(&file).unwrap(), fixed);
}

#[test]
fn offline_without_a_cache_pins_nothing_and_says_why() {
    let remotes = Remotes::new();
    let (dir, file) = project();
    let output = check(dir.path(), remotes.path(), &["--diff", "--offline"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not pinned: actions/checkout@v4: offline, and not in the cache"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("@v4 # "));
    assert_eq!(fs::read_to_string(&file).unwrap(), TEXT);
    assert!(!dir.path().join("cache/plimsoll").exists());
}

#[test]
fn an_unreachable_server_pins_nothing_and_the_run_goes_on() {
    let (dir, file) = project();
    // git refuses plain-text transports before connecting: nothing listens on port 9 anyway.
    let output = plimsoll(&dir.path().join("project"))
        .env("GITHUB_SERVER_URL", "http://127.0.0.1:9")
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .args(["check", "--isolated", "--fix", "--unsafe-fixes", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not pinned: some-org/deploy-action@main: ")
            && stderr.contains("transport 'http' not allowed"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), TEXT);
}

#[test]
fn a_plain_check_never_resolves_refs() {
    let remotes = Remotes::new();
    let (dir, file) = project();
    let output = check(dir.path(), remotes.path(), &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"]["name"] == "action-not-pinned-to-sha")
        .all(|f| f.get("fix").is_none()));
    assert!(!dir.path().join("cache/plimsoll").exists());
    assert_eq!(fs::read_to_string(&file).unwrap(), TEXT);
}
