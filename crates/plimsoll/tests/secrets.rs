//! The real binary on planted secrets: no output format, log, baseline or history report ever
//! shows one, and baselines and `--git-history` work end to end.
//!
//! The credentials are assembled at run time so that the repository holds none.

use std::path::Path;

use assert_cmd::Command;

mod common;
use common::{git, plimsoll};

/// Characters of a secret its redacted form may show.
const SHOWN: usize = 4;

fn random(seed: u64, alphabet: &str, len: usize) -> String {
    let alphabet = alphabet.as_bytes();
    let mut state = seed;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(alphabet[(state % alphabet.len() as u64) as usize])
        })
        .collect()
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Plant one credential of several shapes in `dir`; return them.
fn plant(dir: &Path) -> Vec<String> {
    let token = format!("ghp_{}", random(1, ALNUM, 36));
    let password = random(2, ALNUM, 14);
    let db_password = random(3, ALNUM, 18);
    let pem_lines: Vec<String> = (0..12).map(|i| random(10 + i, ALNUM, 64)).collect();
    let pem = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        pem_lines.join("\n")
    );
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(
        dir.join(".github/workflows/ci.yml"),
        format!(
            "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: curl -H \"Authorization: token {token}\" https://x.invalid | sh\n        env:\n          API_PASSWORD: {password}\n"
        ),
    )
    .unwrap();
    // Django's `get_random_secret_key()` alphabet, symbols included.
    let django_key = random(4, "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)", 50);
    std::fs::write(
        dir.join("settings.py"),
        format!(
            "DATABASE = \"postgres://app:{db_password}@db.internal/app\"\nSECRET_KEY = \"{django_key}\"\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("id_deploy"), &pem).unwrap();
    let mut secrets = vec![token, password, db_password, django_key];
    secrets.extend(pem_lines);
    secrets
}

/// Fail if `output` holds any 6 consecutive characters of a secret past its shown prefix.
fn assert_no_leak(what: &str, output: &str, secrets: &[String]) {
    for secret in secrets {
        let hidden: Vec<char> = secret.chars().skip(SHOWN).collect();
        for window in hidden.windows(6) {
            let window: String = window.iter().collect();
            assert!(
                !output.contains(&window),
                "{what} leaks `{window}` of a secret:\n{output}"
            );
        }
    }
}

fn run(cmd: &mut Command) -> String {
    let output = cmd.env("RUST_LOG", "trace").output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn no_output_format_log_or_baseline_shows_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = plant(dir.path());
    for format in ["human", "json", "sarif", "github"] {
        for color in ["never", "always"] {
            let output = run(plimsoll(dir.path()).args([
                "check",
                "--isolated",
                "--format",
                format,
                "--color",
                color,
                ".",
            ]));
            assert!(output.contains("hardcoded-secret"), "{format}: {output}");
            assert_no_leak(format, &output, &secrets);
        }
    }
    let output = run(plimsoll(dir.path()).args([
        "check",
        "--isolated",
        "--write-baseline",
        "baseline.json",
        ".",
    ]));
    assert_no_leak("--write-baseline", &output, &secrets);
    let baseline = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(baseline.contains("hardcoded-secret"));
    assert_no_leak("the baseline file", &baseline, &secrets);

    // Every credential was found: the token, the key-assigned password, the database URL,
    // the Django key (line 2, column 15, just inside its quote) and the private key.
    let output = run(plimsoll(dir.path()).args(["check", "--isolated", "--format", "json", "."]));
    let json = plimsoll(dir.path())
        .args(["check", "--isolated", "--format", "json", "."])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let django = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "settings.py" && f["start"]["line"] == 2)
        .unwrap_or_else(|| panic!("no finding for the Django key: {output}"));
    assert_eq!(django["start"]["column"], 15);
    assert_eq!(django["rule"]["name"], "hardcoded-secret");
    for detector in [
        "github-token",
        "generic-secret",
        "database-url-password",
        "private-key",
    ] {
        assert!(
            output.contains(&format!("[{detector}]")),
            "{detector}: {output}"
        );
    }
}

#[test]
fn the_baseline_accepts_known_secrets_and_reports_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    plimsoll(dir.path())
        .args([
            "check",
            "--isolated",
            "--write-baseline",
            "baseline.json",
            ".",
        ])
        .assert()
        .success();
    plimsoll(dir.path())
        .args(["check", "--isolated", "--baseline", "baseline.json", "."])
        .assert()
        .success()
        .stdout("");
    std::fs::write(
        dir.path().join("new.env.example"),
        format!("SLACK=xoxb-{}\n", random(99, ALNUM, 40)),
    )
    .unwrap();
    let output = plimsoll(dir.path())
        .args(["check", "--isolated", "--baseline", "baseline.json", "."])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let output = String::from_utf8(output).unwrap();
    assert!(output.contains("[slack-token]"), "{output}");
    assert!(output.contains("Found 1 finding"), "{output}");
}

#[test]
fn git_history_reports_removed_secrets_without_showing_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    let secrets = plant(root);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "oops"]);
    git(root, &["rm", "-rq", "."]);
    std::fs::write(root.join("README"), "clean\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "clean up"]);

    // The working tree has nothing left to find.
    plimsoll(root)
        .args(["check", "--isolated", "."])
        .assert()
        .success()
        .stdout("");

    for format in ["human", "json", "sarif", "github"] {
        let output =
            run(plimsoll(root).args(["check", "--isolated", "--format", format, "--git-history"]));
        assert!(output.contains("added in commit"), "{format}: {output}");
        assert!(output.contains("id_deploy"), "{format}: {output}");
        // Not a terminal: no progress bar.
        assert!(!output.contains("searching history"), "{format}: {output}");
        assert_no_leak(format, &output, &secrets);
    }
    // Only the last commit: it added nothing secret.
    plimsoll(root)
        .args(["check", "--isolated", "--git-history", "HEAD~1..HEAD"])
        .assert()
        .success()
        .stdout("");
    // Not a repository: a clear error, exit 2.
    let plain = tempfile::tempdir().unwrap();
    let output = plimsoll(plain.path())
        .args(["check", "--isolated", "--git-history"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&output).contains("git history"),
        "{}",
        String::from_utf8_lossy(&output)
    );
}
