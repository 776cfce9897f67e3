//! The secrets rules on real files in temporary directories and real git repositories.
//!
//! Every credential here is assembled at run time from a seeded generator, so that the
//! repository holds no secret literal: each looks real (right prefix, length, alphabet and
//! entropy) but is not a valid credential.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::history::{scan_history, Progress};
use plimsoll_check::secrets::scanner;
use plimsoll_check::CheckReport;

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &str = "0123456789abcdef";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/// A deterministic random string: the same seed gives the same credential on every run.
struct Generator(u64);

impl Generator {
    fn take(&mut self, alphabet: &str, len: usize) -> String {
        let alphabet = alphabet.as_bytes();
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                char::from(alphabet[(self.0 % alphabet.len() as u64) as usize])
            })
            .collect()
    }
}

/// For each detector: a file with one planted credential, and one with a placeholder where it
/// would be, which must not fire.
fn cases() -> Vec<(&'static str, String, String)> {
    let mut g = Generator(0x9e37_79b9_7f4a_7c15);
    let pem_body: Vec<String> = (0..20).map(|_| g.take(BASE64, 64)).collect();
    let x = |n: usize| "x".repeat(n);
    vec![
        (
            "aws-access-key-id",
            format!("aws_access_key_id = AKIA{}\n", g.take(UPPER_B32, 16)),
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n".into(),
        ),
        (
            "aws-secret-access-key",
            format!("export AWS_SECRET_ACCESS_KEY={}\n", g.take(BASE64, 40)),
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n".into(),
        ),
        (
            "gcp-service-account-key",
            format!(
                "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"billing-prod\",\n  \"private_key_id\": \"{}\",\n  \"client_email\": \"ci@billing-prod.iam.gserviceaccount.com\"\n}}\n",
                g.take(HEX, 40)
            ),
            format!(
                "{{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"{}\"\n}}\n",
                "0".repeat(40)
            ),
        ),
        (
            "gcp-oauth-client-secret",
            format!("GOOGLE_OAUTH = \"GOCSPX-{}\"\n", g.take(ALNUM, 28)),
            format!("GOOGLE_OAUTH = \"GOCSPX-{}\"\n", x(28)),
        ),
        (
            "google-api-key",
            format!("maps_key: AIza{}\n", g.take(ALNUM, 35)),
            format!("maps_key: AIza{}\n", x(35)),
        ),
        (
            "azure-storage-account-key",
            format!(
                "DefaultEndpointsProtocol=https;AccountName=prodstore;AccountKey={}==;EndpointSuffix=core.windows.net\n",
                g.take(BASE64, 86)
            ),
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n".into(),
        ),
        (
            "azure-shared-access-key",
            format!(
                "Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=Send;SharedAccessKey={}=\n",
                g.take(BASE64, 43)
            ),
            format!("Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKey={}=\n", x(43)),
        ),
        (
            "azure-ad-client-secret",
            format!("AZURE_CLIENT_SECRET={}8Q~{}\n", g.take(ALNUM, 3), g.take(ALNUM, 34)),
            format!("AZURE_CLIENT_SECRET=abc8Q~{}\n", x(34)),
        ),
        (
            "github-token",
            format!("GH_TOKEN=ghp_{}\n", g.take(ALNUM, 36)),
            format!("GH_TOKEN=ghp_{}\n", x(36)),
        ),
        (
            "github-fine-grained-token",
            format!("token = \"github_pat_{}\"\n", g.take(ALNUM, 82)),
            format!("token = \"github_pat_{}\"\n", x(82)),
        ),
        (
            "gitlab-token",
            format!("GITLAB_TOKEN: glpat-{}\n", g.take(ALNUM, 20)),
            format!("GITLAB_TOKEN: glpat-{}\n", x(20)),
        ),
        (
            "slack-token",
            format!(
                "SLACK_BOT_TOKEN=xoxb-{}-{}-{}\n",
                g.take("0123456789", 11),
                g.take("0123456789", 13),
                g.take(ALNUM, 24)
            ),
            "SLACK_BOT_TOKEN=xoxb-not-a-real-token-this-will-not-work\n".into(),
        ),
        (
            "slack-webhook",
            format!(
                "url: https://hooks.slack.com/services/T{}/B{}/{}\n",
                g.take(UPPER_B32, 8),
                g.take(UPPER_B32, 10),
                g.take(ALNUM, 24)
            ),
            "url: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n"
                .into(),
        ),
        (
            "stripe-key",
            format!("Stripe.api_key = \"sk_live_{}\"\n", g.take(ALNUM, 24)),
            "Stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"\n".into(),
        ),
        (
            "twilio-api-key",
            format!("TWILIO_API_KEY_SID=SK{}\n", g.take(HEX, 32)),
            format!("TWILIO_API_KEY_SID=SK{}\n", "0".repeat(32)),
        ),
        (
            "sendgrid-api-key",
            format!("SENDGRID=SG.{}.{}\n", g.take(ALNUM, 22), g.take(ALNUM, 43)),
            format!("SENDGRID=SG.{}.{}\n", x(22), x(43)),
        ),
        (
            "npm-token",
            format!("NODE_AUTH=npm_{}\n", g.take(ALNUM, 36)),
            format!("NODE_AUTH=npm_{}\n", x(36)),
        ),
        (
            "npmrc-auth",
            format!(
                "//registry.npmjs.org/:_authToken={}-{}\n",
                g.take(HEX, 8),
                g.take(HEX, 12)
            ),
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".into(),
        ),
        (
            "pypi-token",
            format!("upload = pypi-AgEIcHlwaS5vcmc{}\n", g.take(ALNUM, 70)),
            format!("upload = pypi-AgEIcHlwaS5vcmc{}\n", x(70)),
        ),
        (
            "crates-io-token",
            format!("CARGO_REGISTRY=cio{}\n", g.take(ALNUM, 32)),
            format!("CARGO_REGISTRY=cio{}\n", x(32)),
        ),
        (
            "jwt",
            format!(
                "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{}.{}\n",
                g.take(ALNUM, 40),
                g.take(ALNUM, 43)
            ),
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n".into(),
        ),
        (
            "private-key",
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
                pem_body.join("\n")
            ),
            "-----BEGIN RSA PRIVATE KEY-----\n...paste your key here, it is read at run time...\n-----END RSA PRIVATE KEY-----\n".into(),
        ),
        (
            "openai-api-key",
            format!("OPENAI=sk-proj-{}T3BlbkFJ{}\n", g.take(ALNUM, 24), g.take(ALNUM, 24)),
            format!("OPENAI=sk-proj-{}T3BlbkFJ{}\n", x(24), x(24)),
        ),
        (
            "anthropic-api-key",
            format!("ANTHROPIC=sk-ant-api03-{}\n", g.take(ALNUM, 93)),
            format!("ANTHROPIC=sk-ant-api03-{}\n", x(93)),
        ),
        (
            "huggingface-token",
            format!("HF=hf_{}\n", g.take(LETTERS, 34)),
            format!("HF=hf_{}\n", x(34)),
        ),
        (
            "docker-hub-token",
            format!("DOCKERHUB=dckr_pat_{}\n", g.take(ALNUM, 27)),
            format!("DOCKERHUB=dckr_pat_{}\n", x(27)),
        ),
        (
            "vault-token",
            format!("VAULT=hvs.{}\n", g.take(ALNUM, 90)),
            format!("VAULT=hvs.{}\n", x(90)),
        ),
        (
            "terraform-cloud-token",
            format!(
                "credentials \"app.terraform.io\" {{ value = \"{}.atlasv1.{}\" }}\n",
                g.take(ALNUM, 14),
                g.take(ALNUM, 67)
            ),
            format!(
                "credentials \"app.terraform.io\" {{ value = \"{}.atlasv1.{}\" }}\n",
                x(14),
                x(67)
            ),
        ),
        (
            "digitalocean-token",
            format!("DO=dop_v1_{}\n", g.take(HEX, 64)),
            format!("DO=dop_v1_{}\n", "0".repeat(64)),
        ),
        (
            "shopify-token",
            format!("SHOPIFY=shpat_{}\n", g.take(HEX, 32)),
            format!("SHOPIFY=shpat_{}\n", "0".repeat(32)),
        ),
        (
            "age-secret-key",
            format!("AGE-SECRET-KEY-1{}\n", g.take(BECH32, 58)),
            format!("AGE-SECRET-KEY-1{}\n", "Q".repeat(58)),
        ),
        (
            "database-url-password",
            format!(
                "DATABASE_URL=postgres://app:{}@db.internal:5432/app\n",
                g.take(ALNUM, 20)
            ),
            "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app\n".into(),
        ),
        (
            "url-basic-auth",
            format!(
                "index-url = https://deploy:{}@pypi.internal/simple\n",
                g.take(ALNUM, 16)
            ),
            "index-url = https://deploy:${PYPI_PASSWORD}@pypi.internal/simple\n".into(),
        ),
        (
            "generic-secret",
            format!("  client_secret: \"{}\"\n", g.take(ALNUM, 24)),
            "  client_secret: \"changeme\"\n  api_token: ${API_TOKEN}\n  db_password: var.db_password\n"
                .into(),
        ),
    ]
}

fn settings(root: &Path) -> Settings {
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    Settings::load(root, &|_| None, &overrides).unwrap()
}

fn check(root: &Path) -> CheckReport {
    plimsoll_check::check(&[root.to_path_buf()], &settings(root)).unwrap()
}

/// Findings of the secrets rules by file name: `name → [message]`.
fn secret_findings(report: &CheckReport, root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for finding in &report.findings {
        if finding.rule.domain != plimsoll_check::Domain::Secrets {
            continue;
        }
        let path = finding
            .location
            .path
            .strip_prefix(root)
            .unwrap_or(&finding.location.path);
        by_file
            .entry(path.display().to_string())
            .or_default()
            .push(finding.message.clone());
    }
    by_file
}

#[test]
fn every_detector_has_a_case() {
    let covered: Vec<&str> = cases().iter().map(|(id, _, _)| *id).collect();
    for detector in scanner().detectors() {
        assert!(
            covered.contains(&detector.id.as_str()),
            "detector {} has no planted credential in tests/secrets.rs",
            detector.id
        );
    }
}

#[test]
fn each_detector_finds_its_planted_credential_and_not_its_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    for (id, planted, placeholder) in cases() {
        std::fs::write(dir.path().join(format!("{id}.planted")), planted).unwrap();
        std::fs::write(dir.path().join(format!("{id}.placeholder")), placeholder).unwrap();
    }
    let report = check(dir.path());
    let found = secret_findings(&report, dir.path());
    for (id, planted, _) in cases() {
        let messages = found.get(&format!("{id}.planted"));
        assert_eq!(
            messages.map(Vec::len),
            Some(1),
            "{id}: expected one finding, got {messages:?}"
        );
        let message = &messages.unwrap()[0];
        assert!(message.ends_with(&format!("[{id}]")), "{id}: {message}");
        // The message shows at most four characters of the credential.
        let secret = planted
            .trim()
            .rsplit(['=', ' ', ':', '"'])
            .find(|s| s.len() > 8);
        if let Some(secret) = secret {
            assert!(!message.contains(secret), "{id} leaks: {message}");
        }
        assert!(
            !found.contains_key(&format!("{id}.placeholder")),
            "{id}: the placeholder fired: {:?}",
            found.get(&format!("{id}.placeholder"))
        );
    }
}

#[test]
fn findings_point_at_the_credential() {
    let dir = tempfile::tempdir().unwrap();
    let token = format!("ghp_{}", Generator(7).take(ALNUM, 36));
    std::fs::write(
        dir.path().join("deploy.py"),
        format!("import os\n\nTOKEN = \"{token}\"\n"),
    )
    .unwrap();
    let report = check(dir.path());
    let finding = &report.findings[0];
    assert_eq!(finding.rule.name, "hardcoded-secret");
    assert_eq!(
        (finding.location.start.line, finding.location.start.column),
        (3, 10)
    );
    // A point: the end of the credential would say how long it is.
    assert_eq!(finding.location.end, finding.location.start);
    // The span stays, for the human snippet that masks it.
    let span = finding.location.span.unwrap();
    assert_eq!(span.end - span.start, 40);
    assert!(report.sources.contains_key(&finding.location.path));
}

#[test]
fn inline_suppression_and_the_rule_switch_work_for_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Generator(11);
    // The rule is named through arguments so that this file holds no suppression of it.
    let (rule, id) = ("hardcoded-secret", "SEC001");
    let text = format!(
        "a = \"ghp_{}\"  # plimsoll: ignore[{rule}] revoked, kept for the test\n// plimsoll: ignore[{id}]\nb = \"ghp_{}\"\nc = \"ghp_{}\"\n",
        g.take(ALNUM, 36),
        g.take(ALNUM, 36),
        g.take(ALNUM, 36)
    );
    std::fs::write(dir.path().join("tokens.txt"), text).unwrap();
    let report = check(dir.path());
    let lines: Vec<usize> = report
        .findings
        .iter()
        .map(|f| f.location.start.line)
        .collect();
    let names: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{}:{} {}", f.location.start.line, f.rule.name, f.message))
        .collect();
    assert_eq!(lines, [4], "{names:?}");

    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        disable: vec!["hardcoded-secret".into()],
        ..Overrides::default()
    };
    let settings = Settings::load(dir.path(), &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[dir.path().to_path_buf()], &settings).unwrap();
    assert!(secret_findings(&report, dir.path()).is_empty());
}

#[test]
fn binary_oversized_and_non_utf8_files_are_handled_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let token = format!("ghp_{}", Generator(3).take(ALNUM, 36));
    // A binary file holding a token: skipped (NUL bytes), like git does.
    let mut binary = vec![0u8, 1, 2, 3];
    binary.extend_from_slice(token.as_bytes());
    std::fs::write(dir.path().join("blob.bin"), binary).unwrap();
    // Latin-1 text: decoded with replacement characters, still searched.
    let mut latin1 = b"caf\xe9 = 1\nkey = \"".to_vec();
    latin1.extend_from_slice(token.as_bytes());
    latin1.extend_from_slice(b"\"\n");
    std::fs::write(dir.path().join("latin1.cfg"), latin1).unwrap();
    // A 5 MB minified line with a token near its end, over the default size limit: skipped
    // without a parse-error finding, since it is not a file plimsoll parses.
    let mut minified = "var a=1;".repeat(700_000);
    minified.push_str(&token);
    std::fs::write(dir.path().join("bundle.min.js"), &minified).unwrap();
    let report = check(dir.path());
    let found = secret_findings(&report, dir.path());
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        ["latin1.cfg"],
        "{found:?}"
    );
    assert!(
        report.findings.iter().all(|f| f.rule.name != "parse-error"),
        "{:?}",
        report.findings
    );

    // Under the limit, the long line is searched in bounded windows and the token found.
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Overrides::default()
    };
    let env = |name: &str| (name == "PLIMSOLL_MAX_FILE_SIZE").then(|| "10000000".to_string());
    let settings = Settings::load(dir.path(), &env, &overrides).unwrap();
    let report = plimsoll_check::check(&[dir.path().to_path_buf()], &settings).unwrap();
    let found = secret_findings(&report, dir.path());
    assert!(found.contains_key("bundle.min.js"), "{found:?}");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Dev", "-c", "user.email=dev@example.org"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2024-03-05T10:00:00+00:00")
        .env("GIT_COMMITTER_DATE", "2024-03-05T10:00:00+00:00")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn git_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    dir
}

#[test]
fn committed_env_files_are_findings_and_templates_are_not() {
    let dir = git_repo();
    let root = dir.path();
    std::fs::create_dir(root.join("web")).unwrap();
    let mut g = Generator(7);
    let password = g.take(ALNUM, 14);
    std::fs::write(
        root.join(".env"),
        format!("DEBUG=1\nexport DB_PASSWORD='{password}'\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("web/.env.production"),
        format!("LOG=info\nSTRIPE_KEY=sk_live_{}\n", g.take(ALNUM, 24)),
    )
    .unwrap();
    // Only paths and settings: nothing to rotate.
    std::fs::create_dir(root.join("cli")).unwrap();
    std::fs::write(
        root.join("cli/.env"),
        "DATA_DIR=/var/lib/app\nLOG_LEVEL=debug\nPORT=8080\nAPI_TOKEN=\nDB_PASSWORD=${DB_PASSWORD}\n",
    )
    .unwrap();
    std::fs::write(root.join(".env.example"), "API_TOKEN=<your token>\n").unwrap();
    std::fs::write(root.join(".env.local"), "DEBUG=1\n").unwrap();
    git(
        root,
        &[
            "add",
            ".env",
            "web/.env.production",
            ".env.example",
            "cli/.env",
        ],
    );
    git(root, &["commit", "-qm", "config"]);
    let report = check(root);
    let env: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "committed-env-file")
        .map(|f| {
            f.location
                .path
                .strip_prefix(root)
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    // `.env.local` exists but is not tracked; `.env.example` is a template; `cli/.env` holds
    // no credential.
    assert_eq!(env, [".env", "web/.env.production"]);
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "committed-env-file")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages[0].contains("a value for `DB_PASSWORD`"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("a value for `STRIPE_KEY`"),
        "{messages:?}"
    );
    assert!(!messages.iter().any(|m| m.contains(&password)));

    // Outside a git repository the rule finds nothing (and does not fail).
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join(".env"), "DEBUG=1\n").unwrap();
    assert!(check(plain.path()).findings.is_empty());
}

#[test]
fn history_finds_a_secret_removed_since_with_its_commit_date_and_path() {
    let dir = git_repo();
    let root = dir.path();
    let mut g = Generator(42);
    let token = format!("ghp_{}", g.take(ALNUM, 36));
    let key = format!("AKIA{}", g.take(UPPER_B32, 16));
    std::fs::write(root.join("app.py"), "print('hi')\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "start"]);
    std::fs::create_dir(root.join("conf")).unwrap();
    std::fs::write(
        root.join("conf/deploy.sh"),
        format!("#!/bin/sh\nset -eu\nexport GH_TOKEN={token}\n./deploy\n"),
    )
    .unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "deploy script"]);
    let leak = git(root, &["rev-parse", "HEAD"]);
    std::fs::write(
        root.join("conf/deploy.sh"),
        "#!/bin/sh\nset -eu\n./deploy\n",
    )
    .unwrap();
    git(
        root,
        &["commit", "-qam", "read the token from the environment"],
    );
    // A second branch adds an AWS key that never reaches main.
    git(root, &["checkout", "-qb", "feature"]);
    std::fs::write(
        root.join("aws.cfg"),
        format!("[default]\naws_access_key_id = {key}\n"),
    )
    .unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "aws"]);
    git(root, &["checkout", "-q", "main"]);

    // The working tree is clean...
    assert!(secret_findings(&check(root), root).is_empty());

    // ...but every ref's history is not.
    let mut seen = Vec::new();
    let report =
        scan_history(root, None, &settings(root), &mut |p: Progress| seen.push(p)).unwrap();
    let summary: Vec<(String, usize, String)> = report
        .findings
        .iter()
        .map(|f| {
            let path = f
                .location
                .path
                .strip_prefix(root)
                .unwrap()
                .display()
                .to_string();
            (path, f.location.start.line, f.message.clone())
        })
        .collect();
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert_eq!((summary[0].0.as_str(), summary[0].1), ("aws.cfg", 2));
    assert_eq!((summary[1].0.as_str(), summary[1].1), ("conf/deploy.sh", 3));
    assert!(
        summary[1].2.contains(&format!(
            "added in commit {} (2024-03-05T10:00:00",
            &leak[..12]
        )),
        "{}",
        summary[1].2
    );
    assert_eq!(report.findings[1].location.start.column, 17);
    for (_, _, message) in &summary {
        assert!(
            !message.contains(&token[4..]) && !message.contains(&key[4..]),
            "{message}"
        );
    }
    assert_eq!(seen.last(), Some(&Progress { done: 4, total: 4 }));

    // A range limits the search: main alone never had the AWS key.
    let report = scan_history(root, Some("main"), &settings(root), &mut |_| {}).unwrap();
    assert_eq!(report.findings.len(), 1);
    let report = scan_history(root, Some("main~1..main"), &settings(root), &mut |_| {}).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);

    // Bad input is an error, not a panic.
    assert!(scan_history(root, Some("--output=/tmp/x"), &settings(root), &mut |_| {}).is_err());
    assert!(scan_history(root, Some("no-such-branch"), &settings(root), &mut |_| {}).is_err());
    let plain = tempfile::tempdir().unwrap();
    assert!(scan_history(plain.path(), None, &settings(plain.path()), &mut |_| {}).is_err());
}

#[test]
fn history_honours_suppressions_and_excludes() {
    let dir = git_repo();
    let root = dir.path();
    let mut g = Generator(5);
    std::fs::create_dir(root.join("fixtures")).unwrap();
    std::fs::write(
        root.join("fixtures/token.txt"),
        format!("ghp_{}\n", g.take(ALNUM, 36)),
    )
    .unwrap();
    std::fs::write(
        root.join("notes.md"),
        format!(
            "<!-- plimsoll: ignore[{}] revoked -->\nghp_{}\n",
            "hardcoded-secret",
            g.take(ALNUM, 36)
        ),
    )
    .unwrap();
    std::fs::write(root.join("plimsoll.toml"), "exclude = [\"fixtures/\"]\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "x"]);
    let settings = Settings::load(root, &|_| None, &Overrides::default()).unwrap();
    let report = scan_history(root, None, &settings, &mut |_| {}).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

/// Every secret finding on `../shared/corpus/real` (11,087 public DevOps files), listed for
/// review. The reviewed list (see BENCHMARKS.md) holds no clear false positive; the bound keeps
/// a regression from slipping in unnoticed.
#[test]
fn corpus_secret_findings_are_few_and_listed() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    if !corpus.is_dir() {
        println!("skipped: ../shared absent");
        return;
    }
    let report = check(&corpus);
    let mut count = 0;
    for finding in &report.findings {
        if finding.rule.domain != plimsoll_check::Domain::Secrets {
            continue;
        }
        count += 1;
        let path = finding
            .location
            .path
            .strip_prefix(&corpus)
            .unwrap_or(&finding.location.path);
        println!(
            "{}:{}: {}",
            path.display(),
            finding.location.start.line,
            finding.message
        );
    }
    println!("{count} secret findings");
    assert!(count <= 30, "{count} secret findings: review them");
}
