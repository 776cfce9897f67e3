use plimsoll_syntax::yaml::{Node, NodeKind};

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags credentials written as literals in a workflow or action: values with the shape of
    /// a known token (GitHub, AWS, Slack, Stripe, private keys), and literal values assigned to
    /// secret-named keys (`password`, `token`, `api_key`, …) under `env:`, `with:` or
    /// `credentials:`. Placeholders and `${{ }}` expressions are not secrets. The finding shows
    /// only a redacted form.
    ///
    /// ## Why is this bad?
    /// Anything in the repository is readable by everyone who can read the repository, forever
    /// (history keeps it after deletion), and by every fork.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   NPM_TOKEN: npm_0123456789abcdefghijABCDEFGHIJ012345
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    /// ```
    pub struct HardcodedSecret {
        id: "GHA014",
        name: "hardcoded-secret",
        severity: Error,
        domain: GithubActions,
        summary: "A credential is written as a literal",
        help: "store it as an encrypted secret and reference `${{ secrets.NAME }}`; rotate the exposed one",
    }
}

const TOKEN_PREFIXES: &[(&str, usize, &str)] = &[
    ("ghp_", 36, "GitHub personal access token"),
    ("gho_", 36, "GitHub OAuth token"),
    ("ghu_", 36, "GitHub user-to-server token"),
    ("ghs_", 36, "GitHub server-to-server token"),
    ("ghr_", 36, "GitHub refresh token"),
    ("github_pat_", 60, "GitHub fine-grained token"),
    ("glpat-", 20, "GitLab personal access token"),
    ("xoxb-", 20, "Slack bot token"),
    ("xoxp-", 20, "Slack user token"),
    ("sk_live_", 20, "Stripe secret key"),
    ("npm_", 36, "npm token"),
    ("pypi-", 50, "PyPI token"),
];

const SECRET_KEY_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "access_key",
    "credential",
];

const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "example",
    "placeholder",
    "dummy",
    "xxxx",
    "your",
    "redacted",
    "test",
    "fake",
    "sample",
    "<",
    "****",
];

/// A redacted form: the first four characters and the length.
pub(crate) fn redact(secret: &str) -> String {
    let prefix: String = secret.chars().take(4).collect();
    format!("{prefix}… ({} characters)", secret.chars().count())
}

fn token_kind(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----") {
        return Some("private key");
    }
    // Most scalars hold none of the prefixes: skip the word-by-word scan for them.
    let may_hold_token = ["AKIA", "ASIA"]
        .iter()
        .chain(TOKEN_PREFIXES.iter().map(|(prefix, _, _)| prefix))
        .any(|prefix| value.contains(prefix));
    if !may_hold_token {
        return None;
    }
    for word in value.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        if let Some(rest) = word
            .strip_prefix("AKIA")
            .or_else(|| word.strip_prefix("ASIA"))
        {
            if rest.len() == 16
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            {
                return Some("AWS access key id");
            }
        }
        for (prefix, min_len, kind) in TOKEN_PREFIXES {
            if let Some(rest) = word.strip_prefix(prefix) {
                if rest.len() >= *min_len && !is_placeholder(rest) {
                    return Some(kind);
                }
            }
        }
    }
    None
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.contains(p))
        || value.starts_with('$')
        || value
            .chars()
            .collect::<std::collections::HashSet<_>>()
            .len()
            < 4
}

fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_KEY_WORDS.iter().any(|w| lower.contains(w))
        && !lower.ends_with("_file")
        && !lower.ends_with("_path")
        && !lower.ends_with("_name")
        && !lower.ends_with("_env")
        && !lower.contains("url")
}

fn looks_like_secret_literal(value: &str) -> bool {
    let value = value.trim();
    value.len() >= 12
        && !value.contains("${{")
        && !value.contains(' ')
        && !is_placeholder(value)
        // A reference to a secret store (`op://vault/item`, `vault:…`) names a secret, and a
        // SCREAMING_CASE word is the name of one (`INSTALLER_CERT_P12`): neither is one.
        && !value.contains("://")
        && !value.starts_with("vault:")
        && !value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
}

fn walk(node: &Node, parent_key: Option<&str>, out: &mut Sink) {
    match &node.kind {
        NodeKind::Scalar { value, .. } => {
            if let Some(kind) = token_kind(value) {
                out.report(
                    &HardcodedSecret::META,
                    node.span,
                    format!("literal {kind} in the file: `{}`", redact(value.trim())),
                );
            } else if let Some(key) = parent_key.filter(|k| is_secret_key(k)) {
                if looks_like_secret_literal(value) {
                    out.report(
                        &HardcodedSecret::META,
                        node.span,
                        format!(
                            "`{key}` is assigned a literal secret: `{}`",
                            redact(value.trim())
                        ),
                    );
                }
            }
        }
        NodeKind::Sequence(items) => items.iter().for_each(|item| walk(item, None, out)),
        NodeKind::Mapping(entries) => {
            for entry in entries {
                walk(&entry.value, entry.key.as_str(), out);
            }
        }
    }
}

impl Rule for HardcodedSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(
        &self,
        cx: &Context<'_>,
        _workflow: plimsoll_actions::Workflow<'_>,
        out: &mut Sink,
    ) {
        walk(&cx.document.root, None, out);
    }

    fn check_action(
        &self,
        cx: &Context<'_>,
        _action: plimsoll_actions::Action<'_>,
        out: &mut Sink,
    ) {
        walk(&cx.document.root, None, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_tokens_and_placeholders() {
        assert_eq!(
            token_kind("AKIAIOSFODNN7EXAMPLQ"),
            Some("AWS access key id")
        );
        assert_eq!(
            token_kind("ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"),
            Some("GitHub personal access token")
        );
        assert_eq!(token_kind("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), None);
        assert!(!looks_like_secret_literal("${{ secrets.TOKEN }}"));
        assert!(!looks_like_secret_literal("changeme123456"));
        assert!(looks_like_secret_literal("s3cr3tP4ssw0rdValue"));
        assert!(!looks_like_secret_literal(
            "op://ci/opendal/s3/access_key_id"
        ));
        assert!(!looks_like_secret_literal("INSTALLER_CERT_MAC_P12"));
        assert_eq!(redact("s3cr3tP4ss"), "s3cr… (10 characters)");
    }
}
