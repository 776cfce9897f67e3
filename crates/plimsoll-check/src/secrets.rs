//! Recognising credentials written as literals, shared by every domain's secret rules.

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
pub fn redact(secret: &str) -> String {
    let prefix: String = secret.chars().take(4).collect();
    format!("{prefix}… ({} characters)", secret.chars().count())
}

/// The kind of credential `value` holds by its well-known shape (a token prefix, an AWS key id, a
/// PEM private key), if any.
pub fn token_kind(value: &str) -> Option<&'static str> {
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

/// Whether `value` is a placeholder (`changeme`, `${VAR}`, `<token>`, `xxxx`), not a secret.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.contains(p))
        || value.starts_with('$')
        || value
            .chars()
            .collect::<std::collections::HashSet<_>>()
            .len()
            < 4
}

/// Whether a key or variable named `key` holds a secret (`DB_PASSWORD`, `api_key`).
pub fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_KEY_WORDS.iter().any(|w| lower.contains(w))
        && !lower.ends_with("_file")
        && !lower.ends_with("_path")
        && !lower.ends_with("_name")
        && !lower.ends_with("_env")
        && !lower.contains("url")
}

/// Whether `value`, assigned to a secret-named key, is a literal credential rather than a
/// reference, a placeholder or a name.
pub fn looks_like_secret_literal(value: &str) -> bool {
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
