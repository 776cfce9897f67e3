//! The credentials a log prints never reach the analysis: not in the best line, its context, the
//! runner-ups or the step names, in Markdown or JSON, for a raw GitHub log and `gh` output.

use plimsoll_diagnose::render::{self, Report};
use plimsoll_diagnose::{diagnose, LogSource, Signatures};

/// Fake credentials, assembled at run time so that this file holds none.
fn secrets() -> Vec<String> {
    vec![
        format!("{}{}", "ghp_", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"),
        format!("{}{}", "AKIA", "QZ4RT7WVBM2KXP6L"),
        format!("{}{}", "S3cr3tPa", "ssw0rdZq8"),
        format!(
            "{}{}",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz", ""
        ),
        format!(
            "{}{}",
            "QyNTUxOQAAACDq9ZxL3w1fT8e7W4nVb0yP2aK5sM6dR8cJ1hG3uF7iBwAAAJgvYhXl", ""
        ),
    ]
}

fn log_lines() -> Vec<String> {
    let s = secrets();
    vec![
        "##[group]Run ./deploy.sh".into(),
        "##[endgroup]".into(),
        format!("+ export GH_TOKEN={} AWS_ACCESS_KEY_ID={}", s[0], s[1]),
        "-----BEGIN OPENSSH PRIVATE KEY-----".into(),
        s[3].clone(),
        s[4].clone(),
        "-----END OPENSSH PRIVATE KEY-----".into(),
        format!(
            "error: connection refused: postgres://admin:{}@db:5432/app",
            s[2]
        ),
        format!("fatal: Authentication failed for token {}", s[0]),
        "##[error]Process completed with exit code 1.".into(),
    ]
}

fn assert_clean(what: &str, text: &str) {
    let lower = text.to_ascii_lowercase();
    for secret in secrets() {
        let secret = secret.to_ascii_lowercase();
        for window in secret.as_bytes().windows(8) {
            let piece = std::str::from_utf8(window).unwrap_or_default();
            assert!(!lower.contains(piece), "{what} leaks `{piece}`:\n{text}");
        }
    }
}

fn analyse_and_render(label: &str, log: String) {
    let source = LogSource::Bytes(label.into(), log.into_bytes());
    let analysis = diagnose(&source, None, Signatures::builtin()).unwrap();
    assert!(analysis.best().is_some(), "{analysis:?}");
    let reports = [Report {
        analysis: &analysis,
        plan: None,
    }];
    assert_clean("markdown", &render::markdown(&reports, None));
    assert_clean("json", &render::json(&reports, None).unwrap());
    assert_clean("analysis", &format!("{analysis:?}"));
}

#[test]
fn a_raw_github_log_is_redacted() {
    let log: String = log_lines()
        .iter()
        .enumerate()
        .map(|(i, line)| format!("2024-05-01T10:00:{i:02}.1234567Z \x1b[31m{line}\x1b[0m\r\n"))
        .collect();
    analyse_and_render("raw.log", log);
}

#[test]
fn gh_run_view_output_is_redacted_with_its_step_names() {
    let token = &secrets()[0];
    let log: String = log_lines()
        .iter()
        .enumerate()
        .map(|(i, line)| format!("deploy\tpush {token}\t2024-05-01T10:00:{i:02}.1234567Z {line}\n"))
        .collect();
    analyse_and_render("gh.log", log);
}
