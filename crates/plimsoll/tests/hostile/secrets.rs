//! Secrets printed in full (issue 13, items 1–4): credentials planted in every kind of file and
//! in CI logs must not come out of any subcommand, in any format, in `-o` files or baselines,
//! whatever is reported, suppressed, baselined or disabled; and the redacted form must not let
//! anyone confirm a guess.
//!
//! The credentials are realistic in shape and generated here, from a fixed seed, so that no
//! file of the repository holds one.

use std::path::Path;

use super::common;
use super::harness::{assert_no_leak, run, run_with_stdin, stored_zip, Limits, Outcome};

/// A small deterministic generator (xorshift), so the credentials are random-looking (the
/// detectors skip low-entropy placeholders) and the same in every run.
struct Generator(u64);

impl Generator {
    fn take(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                chars[(self.0 % chars.len() as u64) as usize]
            })
            .collect()
    }
}

const UPPER_ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The planted credentials.
struct Secrets {
    aws_id: String,
    aws_secret: String,
    github: String,
    slack: String,
    /// The password of `postgres://admin:…@db:5432/app`.
    db_password: String,
    /// The body lines of a PEM private key.
    pem_lines: Vec<String>,
}

impl Secrets {
    fn new() -> Secrets {
        let mut g = Generator(0x5eed_1234_abcd_0013);
        let digits = "0123456789";
        Secrets {
            aws_id: format!("AKIA{}", g.take(UPPER_ALNUM, 16)),
            aws_secret: g.take(BASE64, 40),
            github: format!("ghp_{}", g.take(ALNUM, 36)),
            slack: format!(
                "xoxb-{}-{}-{}",
                g.take(digits, 12),
                g.take(digits, 13),
                g.take(ALNUM, 24)
            ),
            // Weak-looking (`pa55`): the detectors do not report such a password, but it is
            // masked all the same.
            db_password: format!("S3cr3t{}", "Pa55w0rd!"),
            pem_lines: (0..6).map(|_| g.take(BASE64, 64)).collect(),
        }
    }

    fn db_url(&self) -> String {
        format!("postgres://admin:{}@db:5432/app", self.db_password)
    }

    fn pem(&self) -> String {
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
            self.pem_lines.join("\n")
        )
    }

    /// Every string that must not come out, 8 characters of it in a row.
    fn all(&self) -> Vec<&str> {
        let mut all = vec![
            self.aws_id.as_str(),
            self.aws_secret.as_str(),
            self.github.as_str(),
            self.slack.as_str(),
            self.db_password.as_str(),
        ];
        all.extend(self.pem_lines.iter().map(String::as_str));
        all
    }
}

fn limits() -> Limits {
    Limits::default()
}

/// Assert that `out` finished in time and that neither it nor the files `written` (relative to
/// `dir`) hold a secret.
fn assert_clean(dir: &Path, what: &str, out: &Outcome, written: &[&str], secrets: &Secrets) {
    assert!(!out.timed_out, "{what} timed out");
    assert!(
        matches!(out.code, Some(0..=2)),
        "{what} crashed: {:?}\n{}",
        out.code,
        out.stderr
    );
    assert_no_leak(what, &out.all_output(), &secrets.all());
    for file in written {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{what}: {} not written: {err}", path.display()));
        assert_no_leak(&format!("{what}: {file}"), &text, &secrets.all());
    }
}

/// A job log that prints every credential, the way CI logs do: a debug dump, a URL with its
/// password in an error, a key `cat`ed by a script, then the failure.
fn log_lines(s: &Secrets) -> Vec<String> {
    let mut lines = vec![
        "##[group]Run ./deploy.sh".to_string(),
        "./deploy.sh".into(),
        "##[endgroup]".into(),
        format!("+ export AWS_ACCESS_KEY_ID={}", s.aws_id),
        format!("+ export AWS_SECRET_ACCESS_KEY={}", s.aws_secret),
        format!("+ export GH_TOKEN={} SLACK_TOKEN={}", s.github, s.slack),
        "+ cat deploy_key".into(),
    ];
    lines.extend(s.pem().lines().map(str::to_string));
    lines.extend([
        format!(
            "error: could not connect to {}: connection refused",
            s.db_url()
        ),
        format!(
            "fatal: Authentication failed for 'https://x-access-token:{}@github.com/o/r.git'",
            s.github
        ),
        format!("Error: AccessDenied for {}", s.aws_id),
        "##[error]Process completed with exit code 1.".into(),
    ]);
    lines
}

/// The log as GitHub's raw job log: timestamps, colours, CRLF.
fn raw_log(s: &Secrets) -> String {
    log_lines(s)
        .iter()
        .enumerate()
        .map(|(i, l)| format!("2024-05-01T10:00:{i:02}.1234567Z \x1b[0m{l}\r\n"))
        .collect()
}

/// Run `plimsoll command --format F args…` in each of `formats`, to stdout and with `-o` to a
/// file, asserting that neither leaks; the standard outputs, in the order of `formats`.
fn run_everywhere(
    dir: &Path,
    command: &[&str],
    formats: &[&str],
    args: &[&str],
    stdin: Option<&[u8]>,
    s: &Secrets,
) -> Vec<Outcome> {
    let mut outputs = Vec::new();
    for format in formats {
        let file = format!("out.{}.{format}", command.join("-"));
        for to_file in [false, true] {
            let mut argv = command.to_vec();
            argv.extend(["--format", format]);
            if to_file {
                argv.extend(["-o", file.as_str()]);
            }
            argv.extend(args);
            let out = run_with_stdin(dir, &argv, limits(), stdin);
            let written: &[&str] = if to_file { &[file.as_str()] } else { &[] };
            assert_clean(dir, &format!("{argv:?}"), &out, written, s);
            if !to_file {
                outputs.push(out);
            }
        }
    }
    outputs
}

/// Run `diagnose` with `args` (the log) in both formats, to stdout and to `-o` files.
fn diagnose_everywhere(dir: &Path, args: &[&str], stdin: Option<&[u8]>, s: &Secrets) {
    let formats = ["markdown", "json"];
    for out in run_everywhere(dir, &["diagnose"], &formats, args, stdin, s) {
        assert_eq!(out.code, Some(0), "{out:?}");
        // The failure is still explained: redaction hides the secrets, not the analysis.
        assert!(
            out.stdout.contains("**Exact Log Line**: line")
                || out.stdout.contains("\"exact_line\": {"),
            "{out:?}"
        );
    }
}

#[test]
fn diagnose_redacts_a_raw_github_log() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "job.log", raw_log(&s));
    diagnose_everywhere(dir.path(), &["job.log"], None, &s);
}

#[test]
fn diagnose_redacts_gh_run_view_output_and_its_job_and_step_names() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let log: String = log_lines(&s)
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "deploy ({})\tRun deploy {}\t2024-05-01T10:00:{i:02}.1234567Z {l}\n",
                s.slack, s.github
            )
        })
        .collect();
    common::write(dir.path(), "run.log", log);
    diagnose_everywhere(dir.path(), &["run.log"], None, &s);
}

#[test]
fn diagnose_redacts_a_plain_log() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let mut log = log_lines(&s)[3..log_lines(&s).len() - 1].join("\n");
    log.push_str("\nThe command \"./deploy.sh\" exited with 1.\n");
    common::write(dir.path(), "travis.log", log);
    diagnose_everywhere(dir.path(), &["travis.log"], None, &s);
}

#[test]
fn diagnose_redacts_standard_input() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let log = raw_log(&s);
    diagnose_everywhere(dir.path(), &["-"], Some(log.as_bytes()), &s);
}

#[test]
fn diagnose_redacts_a_run_log_archive_and_its_folder() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let log = raw_log(&s);
    let step: String = log.lines().skip(3).map(|l| format!("{l}\n")).collect();
    common::write(dir.path(), "logs/0_deploy.txt", &log);
    common::write(dir.path(), "logs/deploy/1_Run deploy.txt", &step);
    let zip = stored_zip(&[
        ("0_deploy.txt", log.as_bytes()),
        ("deploy/1_Run deploy.txt", step.as_bytes()),
    ]);
    common::write(dir.path(), "logs.zip", zip);
    diagnose_everywhere(dir.path(), &["logs.zip"], None, &s);
    diagnose_everywhere(dir.path(), &["logs"], None, &s);
}

#[test]
fn diagnose_redacts_the_workflow_it_quotes_and_patches() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "job.log", raw_log(&s));
    common::write(
        dir.path(),
        ".github/workflows/ci.yml",
        format!(
            "on: push\njobs:\n  job:\n    runs-on: ubuntu-24.04\n    env:\n      GH_TOKEN: {}\n      DATABASE_URL: {}\n    steps:\n      - run: AWS_SECRET_ACCESS_KEY={} ./deploy.sh\n",
            s.github,
            s.db_url(),
            s.aws_secret
        ),
    );
    diagnose_everywhere(dir.path(), &["job.log", "--repo", "."], None, &s);
}

/// The output formats of `check` and `guard`.
const FORMATS: [&str; 4] = ["human", "json", "sarif", "github"];

/// Run `check` with `args` in every format, to stdout and to `-o` files; the standard outputs.
fn check_everywhere(dir: &Path, args: &[&str], s: &Secrets) -> Vec<String> {
    run_everywhere(dir, &["check"], &FORMATS, args, None, s)
        .into_iter()
        .map(|out| out.stdout)
        .collect()
}

/// `check` in every format over a folder holding `text` at `rel`; the folder and the outputs.
fn check_one_file(
    rel: &str,
    text: String,
    args: &[&str],
    s: &Secrets,
) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), rel, text);
    let outputs = check_everywhere(dir.path(), args, s);
    (dir, outputs)
}

#[test]
fn a_dockerfile_line_that_is_only_a_token_is_not_quoted() {
    let s = Secrets::new();
    // A missing continuation backslash leaves the token alone on its line.
    let dockerfile = format!(
        "FROM alpine:3.20\nRUN curl -H \"Authorization: token\" \\\n  https://api.github.com/x -o x\n{}\n",
        s.github
    );
    let (dir, outputs) = check_one_file("Dockerfile", dockerfile, &["Dockerfile"], &s);
    assert!(outputs[0].contains("unknown instruction"), "{}", outputs[0]);
    let off = ["Dockerfile", "--disable", "hardcoded-secret"];
    check_everywhere(dir.path(), &off, &s);
}

#[test]
fn an_add_url_password_is_not_quoted() {
    let s = Secrets::new();
    let dockerfile = format!(
        "FROM alpine:3.20\nADD https://deploy:{}@artifacts.example.org/a.tgz /opt/\n",
        s.db_password
    );
    let (_dir, outputs) = check_one_file("Dockerfile", dockerfile, &["Dockerfile"], &s);
    assert!(outputs[0].contains("ADD"), "{}", outputs[0]);
}

#[test]
fn expression_key_and_action_values_are_not_quoted() {
    let s = Secrets::new();
    let workflow = format!(
        "on: push\npermissions: {{}}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    {gh}: 1\n    steps:\n      - uses: acme/deploy@{gh}\n      - run: echo ${{{{ {gh} ) }}}}\n      - run: echo ${{{{ secrets.X == '{slack}' }}}}\n",
        gh = s.github,
        slack = s.slack
    );
    let (_dir, outputs) = check_one_file(".github/workflows/ci.yml", workflow, &["."], &s);
    for rule in ["unknown-key", "invalid-expression", "unpinned-action"] {
        assert!(outputs[0].contains(rule), "{rule}: {}", outputs[0]);
    }
}

/// An inline suppression of `hardcoded-secret`, for the line below it: built at run time so
/// that plimsoll's own audit does not take it for one of this file.
fn suppression() -> String {
    format!(
        "# plimsoll: ignore[{}] rotated, kept for the test\n",
        "hardcoded-secret"
    )
}

/// A workflow whose `run:` line holds a token: `curl-pipe-shell` reports the line, so its
/// snippet shows the token unless it is masked whatever happens to its own finding.
fn token_on_a_reported_line(s: &Secrets, above: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        ".github/workflows/ci.yml",
        format!(
            "on: push\npermissions: {{}}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n{above}      - run: \"curl -H 'Authorization: token {}' https://get.example.org | sh\"\n",
            s.github
        ),
    );
    dir
}

/// Only the other finding on the token's line is shown (its snippet is where the token was).
fn assert_only_the_other_finding(outputs: &[String]) {
    assert!(!outputs[0].contains("hardcoded-secret"), "{}", outputs[0]);
    assert!(outputs[0].contains("curl-pipe-shell"), "{}", outputs[0]);
}

#[test]
fn a_baselined_secret_stays_masked_in_other_snippets() {
    let s = Secrets::new();
    let dir = token_on_a_reported_line(&s, "");
    let out = run(
        dir.path(),
        &[
            "check",
            ".",
            "--enable",
            "curl-pipe-shell",
            "--write-baseline",
            "base.json",
        ],
        limits(),
    );
    assert_clean(dir.path(), "write-baseline", &out, &["base.json"], &s);
    // Accept only the secret: the other finding on its line is then the only one shown.
    let baseline = std::fs::read_to_string(dir.path().join("base.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&baseline).unwrap();
    value["findings"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["rule"] == "hardcoded-secret");
    common::write(dir.path(), "secret-only.json", value.to_string());
    let outputs = check_everywhere(
        dir.path(),
        &[
            ".",
            "--enable",
            "curl-pipe-shell",
            "--baseline",
            "secret-only.json",
        ],
        &s,
    );
    assert_only_the_other_finding(&outputs);
}

#[test]
fn an_inline_suppressed_secret_stays_masked_in_other_snippets() {
    let s = Secrets::new();
    let dir = token_on_a_reported_line(&s, &format!("      {}", suppression()));
    let outputs = check_everywhere(dir.path(), &[".", "--enable", "curl-pipe-shell"], &s);
    assert_only_the_other_finding(&outputs);
}

#[test]
fn a_secret_whose_rule_is_off_stays_masked_in_other_snippets() {
    let s = Secrets::new();
    let dir = token_on_a_reported_line(&s, "");
    let outputs = check_everywhere(
        dir.path(),
        &[
            ".",
            "--enable",
            "curl-pipe-shell",
            "--disable",
            "hardcoded-secret",
        ],
        &s,
    );
    assert_only_the_other_finding(&outputs);
}

/// A secret found in one file (an AWS secret key beside its variable name) and written again
/// where no detector recognises it (a bare command-line argument) is masked there too.
#[test]
fn a_secret_repeated_where_no_detector_sees_it_stays_masked() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "deploy.env",
        format!("AWS_SECRET_ACCESS_KEY={}\n", s.aws_secret),
    );
    common::write(
        dir.path(),
        ".github/workflows/ci.yml",
        format!(
            "on: push\npermissions: {{}}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: curl https://get.example.org | sh -s -- --key {}\n",
            s.aws_secret
        ),
    );
    let outputs = check_everywhere(dir.path(), &[".", "--enable", "curl-pipe-shell"], &s);
    assert!(outputs[0].contains("curl-pipe-shell"), "{}", outputs[0]);
}

/// The redacted form of `Winter2024!`-style passwords: no length (nor an end column), and a
/// hash that changes with each run's key (so a published hash cannot be matched to a guess)
/// unless a key is set; baseline fingerprints are the same for two different secrets at the
/// same place, so they confirm nothing either, and the same across runs.
#[test]
fn the_redacted_form_confirms_no_guess() {
    let dir = tempfile::tempdir().unwrap();
    let env = |password: &str| format!("DB_PASSWORD={password}\n");
    let guessable = format!("{}{}", "Winter", "2024!x9Q");
    common::write(dir.path(), "app/.env", env(&guessable));
    let first = run(dir.path(), &["check", "app", "--format", "json"], limits());
    let second = run(dir.path(), &["check", "app", "--format", "json"], limits());
    let message = |out: &Outcome| -> String {
        let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        value["findings"][0]["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (one, two) = (message(&first), message(&second));
    // The finding is a point: an end column would say how long the secret is.
    let value: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(value["findings"][0]["start"], value["findings"][0]["end"]);
    assert!(one.contains("(hash "), "{one}");
    // The random hash's hex digits may hold the length's digits by chance: look around it.
    let (before_hash, after_hash) = one.split_once("(hash ").unwrap();
    let outside_hash = format!("{before_hash}{}", after_hash.split_once(')').unwrap().1);
    assert!(
        !outside_hash.contains("characters")
            && !outside_hash.contains(&guessable.len().to_string()),
        "{one}"
    );
    assert_ne!(one, two, "an unkeyed hash: the same in two runs");
    assert_no_leak("message", &one, &[&guessable]);

    let baseline = |password: &str, file: &str| -> String {
        common::write(dir.path(), "app/.env", env(password));
        let out = run(
            dir.path(),
            &["check", "app", "--write-baseline", file],
            limits(),
        );
        assert_eq!(out.code, Some(0), "{out:?}");
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_no_leak(file, &text, &[password]);
        assert!(!text.contains("(hash "), "{text}");
        text
    };
    let a = baseline(&guessable, "a.json");
    assert_eq!(
        a,
        baseline(&guessable, "a-again.json"),
        "fingerprints are stable"
    );
    let other = format!("{}{}", "Summer", "2031?k4Z");
    assert_eq!(
        a,
        baseline(&other, "b.json"),
        "a fingerprint tells secrets apart"
    );
}

/// Plants every credential in every kind of file, with an inline suppression and in a log, and
/// runs every subcommand in every format with baselines, suppressions and disabled rules.
#[test]
fn leak_test_every_subcommand_format_and_file_kind() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let suppress = suppression();
    common::git(root, &["init", "-q", "-b", "main"]);
    // The second version drops a job and a step whose command holds secrets: `guard` names
    // what was removed.
    let workflow = |first: bool| {
        let removed = if first {
            format!(
                "  deploy:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: ./deploy --token {} --db {}\n",
                s.github,
                s.db_url()
            )
        } else {
            String::new()
        };
        let step = if first {
            format!("      - run: cargo test --token {}\n", s.slack)
        } else {
            String::new()
        };
        format!(
            "on: push\npermissions: {{}}\nenv:\n  AWS_ACCESS_KEY_ID: {}\n  {suppress}  AWS_SECRET_ACCESS_KEY: {}\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n{step}      - run: make lint\n{removed}",
            s.aws_id, s.aws_secret
        )
    };
    common::write(root, ".github/workflows/ci.yml", workflow(true));
    common::write(
        root,
        "action.yml",
        format!(
            "name: x\ndescription: x\ninputs:\n  token:\n    description: t\n    default: {}\nruns:\n  using: composite\n  steps:\n    - run: echo {}\n      shell: bash\n",
            s.slack, s.github
        ),
    );
    common::write(
        root,
        "Dockerfile",
        format!(
            "FROM alpine:3.20\nENV AWS_SECRET_ACCESS_KEY={}\nADD https://deploy:{}@artifacts.example.org/a.tgz /opt/\n{}\n",
            s.aws_secret, s.db_password, s.github
        ),
    );
    common::write(
        root,
        "compose.yaml",
        format!(
            "services:\n  app:\n    image: app:1.0\n    environment:\n      DATABASE_URL: {}\n      GH_TOKEN: {}\n",
            s.db_url(),
            s.github
        ),
    );
    common::write(
        root,
        "k8s/deploy.yaml",
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1.0\n          env:\n            - name: SLACK_TOKEN\n              value: {}\n            - name: DATABASE_URL\n              value: {}\n",
            s.slack,
            s.db_url()
        ),
    );
    common::write(
        root,
        "infra/main.tf",
        format!(
            "provider \"aws\" {{\n  access_key = \"{}\"\n  secret_key = \"{}\"\n}}\n",
            s.aws_id, s.aws_secret
        ),
    );
    common::write(
        root,
        ".env",
        format!(
            "{suppress}AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\nDATABASE_URL={}\n",
            s.aws_id,
            s.aws_secret,
            s.db_url()
        ),
    );
    common::write(
        root,
        "src/deploy.py",
        format!("SLACK = \"{}\"\nKEY = \"\"\"\n{}\"\"\"\n", s.slack, s.pem()),
    );
    common::write(root, "job.log", raw_log(&s));
    common::git(root, &["add", "-A"]);
    common::git(root, &["commit", "-q", "-m", "with secrets"]);
    // A second commit drops the job that held secrets: `guard` reports the lost coverage.
    common::write(root, ".github/workflows/ci.yml", workflow(false));
    common::write(root, "old-ci.yml", workflow(true));
    common::git(root, &["add", "-A"]);
    common::git(root, &["commit", "-q", "-m", "drop deploy"]);

    check_everywhere(root, &["."], &s);
    check_everywhere(root, &[".", "--disable", "hardcoded-secret"], &s);
    check_everywhere(root, &[".", "--strict"], &s);
    let out = run(
        root,
        &["check", ".", "--write-baseline", "base.json"],
        limits(),
    );
    assert_clean(root, "write-baseline", &out, &["base.json"], &s);
    check_everywhere(root, &[".", "--baseline", "base.json"], &s);
    check_everywhere(root, &["--git-history", "--", "."], &s);
    let revisions = ["--base", "HEAD~1", "--head", "HEAD"];
    for out in run_everywhere(root, &["guard"], &FORMATS, &revisions, None, &s) {
        assert_eq!(
            out.code,
            Some(1),
            "guard finds the lost job and step: {out:?}"
        );
    }
    let files = [
        "--before",
        "old-ci.yml",
        "--after",
        ".github/workflows/ci.yml",
    ];
    run_everywhere(root, &["guard"], &FORMATS, &files, None, &s);
    diagnose_everywhere(root, &["job.log", "--repo", "."], None, &s);
}

/// A value of the repository's `plimsoll.toml` quoted by a configuration error, or a log line
/// naming a path, goes to stderr, which a CI job's public log keeps.
#[test]
fn configuration_errors_and_logs_on_stderr_mask_secrets() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "Dockerfile", "FROM alpine:3.19\n");
    for config in [
        format!("fail-on = \"{}\"\n", s.github),
        format!("[rules]\n\"{}\" = \"on\"\n", s.slack),
        format!("exclude = [\"{}\"]\nstrict = \"{}\"\n", s.aws_id, s.aws_id),
    ] {
        common::write(dir.path(), "plimsoll.toml", &config);
        let out = run(dir.path(), &["check", "."], limits());
        assert_eq!(out.code, Some(2), "{config}: {out:?}");
        assert_clean(dir.path(), &config, &out, &[], &s);
    }
    std::fs::remove_file(dir.path().join("plimsoll.toml")).unwrap();
    let folder = dir.path().join(&s.github);
    std::fs::create_dir(&folder).unwrap();
    common::write(&folder, "notes.txt", "nothing\n");
    let out = crate::harness::run_with_env(dir.path(), &["check", "."], &[("RUST_LOG", "trace")]);
    assert!(
        out.stderr.contains("TRACE") || out.stderr.contains("DEBUG"),
        "{out:?}"
    );
    assert_no_leak("RUST_LOG=trace stderr", &out.stderr, &s.all());
}

/// A workflow file or a folder named with a token: every format quotes paths, and a message
/// ("build context `…`") quotes the folder.
#[test]
fn a_secret_in_a_file_or_folder_name_is_masked() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let workflow = "name: ci\non: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
    common::write(
        dir.path(),
        &format!(".github/workflows/{}.yml", s.github),
        workflow,
    );
    common::write(
        dir.path(),
        &format!("{}/Dockerfile", s.slack),
        "FROM alpine\n",
    );
    let outputs = check_everywhere(dir.path(), &["."], &s);
    assert!(outputs[0].contains("GHA010"), "{}", outputs[0]);
    assert!(outputs[0].contains("DKR"), "{}", outputs[0]);
    // Snippets are still found under the masked path.
    assert!(outputs[0].contains(" 4 |   b:"), "{}", outputs[0]);
    let baseline = run(
        dir.path(),
        &["check", ".", "--write-baseline", "baseline.json"],
        limits(),
    );
    assert_clean(
        dir.path(),
        "write-baseline",
        &baseline,
        &["baseline.json"],
        &s,
    );
}

/// `guard` names the compared files in every change's location: a workflow file named with a
/// token must not print it.
#[test]
fn guard_masks_a_secret_in_a_workflow_file_name() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let file = format!(".github/workflows/{}.yml", s.github);
    let old = "name: ci\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: cargo test\n  b:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: cargo test\n";
    let new = "name: ci\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: cargo test\n";
    common::write(dir.path(), &format!("old/{file}"), old);
    common::write(dir.path(), &format!("new/{file}"), new);
    for format in ["human", "json", "sarif", "github"] {
        let args = [
            "guard", "--before", "old", "--after", "new", "--format", format, "-o", "out",
        ];
        let out = run(dir.path(), &args, limits());
        assert_eq!(out.code, Some(1), "{format}: {out:?}");
        assert_clean(dir.path(), format, &out, &["out"], &s);
        let written = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(written.contains("job-removed"), "{format}: {written}");
    }
}

/// A token split by a line continuation is one word to the shell and two to the detectors.
#[test]
fn diagnose_masks_a_token_split_by_a_line_continuation() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let (head, tail) = s.github.split_at(16);
    let log = format!(
        "2024-05-01T10:00:00.0000000Z ##[group]Run curl\n\
         2024-05-01T10:00:00.0000000Z curl -H \"Authorization: token {head}\\\n\
         2024-05-01T10:00:00.0000000Z {tail}\" https://api.github.com/user\n\
         2024-05-01T10:00:00.0000000Z ##[endgroup]\n\
         2024-05-01T10:00:00.0000000Z curl -H \"Authorization: token {head}\\\n\
         2024-05-01T10:00:00.0000000Z {tail}\" https://api.github.com/user\n\
         2024-05-01T10:00:00.0000000Z curl: (22) The requested URL returned error: 401\n\
         2024-05-01T10:00:00.0000000Z ##[error]Process completed with exit code 22.\n"
    );
    common::write(dir.path(), "job.log", &log);
    let secrets = [head, tail];
    for format in ["markdown", "json"] {
        let out = run(
            dir.path(),
            &["diagnose", "job.log", "--format", format],
            limits(),
        );
        assert_eq!(out.code, Some(0), "{out:?}");
        assert!(out.stdout.contains("401"), "{}", out.stdout);
        assert_no_leak(format, &out.all_output(), &secrets);
    }
}

/// `--git-history` reports where a secret was added: a path named with a token is masked
/// there too, even once the file is deleted.
#[test]
fn git_history_masks_a_secret_in_a_deleted_file_name() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::git(root, &["init", "-q"]);
    let file = format!("{}/{}.ini", s.slack, s.github);
    common::write(
        root,
        &file,
        format!("aws_secret_access_key = {}\n", s.aws_secret),
    );
    common::git(root, &["add", "-A"]);
    common::git(root, &["commit", "-qm", "add"]);
    common::git(root, &["rm", "-rq", "."]);
    common::git(root, &["commit", "-qm", "remove"]);
    for format in FORMATS {
        let args = ["check", "--git-history", ".", "--format", format];
        let out = run(root, &args, limits());
        assert_eq!(out.code, Some(1), "{format}: {out:?}");
        assert!(out.stdout.contains("hardcoded-secret"), "{format}: {out:?}");
        assert_clean(root, format, &out, &[], &s);
    }
}

/// A credential written again base64- or percent-encoded, on a line another finding shows: no
/// detector sees the copy, which is as good as the credential.
#[test]
fn encoded_copies_of_a_secret_stay_masked_in_snippets() {
    let s = Secrets::new();
    let dir = tempfile::tempdir().unwrap();
    let encode = |text: &str| {
        let out = std::process::Command::new("base64")
            .arg("-w0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(text.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let b64 = encode(&format!("x{}", s.github));
    // Letters and digits, then what a URL must percent-encode.
    let password = format!("{}#{}", &s.slack[s.slack.len() - 12..], "Qz!");
    let percent = password.replace('#', "%23").replace('!', "%21");
    let workflow = format!(
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    env:\n      GH_TOKEN: {}\n      \
         DATABASE_URL: postgres://admin:{password}@db:5432/app\n    steps:\n      - run: echo {b64} \
         ${{{{ github.event.issue.title }}}} https://admin:{percent}@x.example.com\n",
        s.github
    );
    common::write(dir.path(), ".github/workflows/ci.yml", &workflow);
    for format in FORMATS {
        let out = run(dir.path(), &["check", ".", "--format", format], limits());
        assert_eq!(out.code, Some(1), "{out:?}");
        assert!(out.stdout.contains("github.event.issue.title"), "{format}");
        let copies = [&b64[4..b64.len() - 4], percent.as_str()];
        assert_no_leak(format, &out.all_output(), &copies);
        assert_clean(dir.path(), format, &out, &[], &s);
    }
}
