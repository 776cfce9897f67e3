//! Recognising credentials written as literals, and keeping them out of what plimsoll prints.
//!
//! The detectors are data ([`scanner::DETECTORS_TOML`], `detectors.toml`): one entry per kind of
//! credential with its prefilter keywords, regex, entropy threshold and allow-list. The
//! [`scanner`](mod@scanner) runs them all over a text in one pass. The helpers here are what the detectors and
//! the rules that look at a structured value (an `env:` entry, an `ENV` instruction) share: what
//! a placeholder is, what a secret-named key is. [`redact()`] is how a secret is named in a
//! finding (a keyed hash, never its length); [`scrub`] removes every trace of known secrets from
//! a text that quotes them (messages); [`log`] redacts the lines of a CI log as they stream.
//!
//! This crate is shared by `plimsoll-check` (rules, engine, history) and `plimsoll-diagnose`,
//! which must not depend on the audit engine.

pub mod log;
pub mod redact;
pub mod scanner;
pub mod scrub;

pub use redact::{redact, secret_hash, shown_prefix_len, without_hashes, HashKey};
pub use scanner::{scanner, Detector, Scanner, SecretMatch};
pub use scrub::Scrubber;

/// Words that mark a value as a placeholder (`changeme`, `<token>`, `xxxx`) in any secret,
/// token-shaped or not.
const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "dummy",
    "redacted",
    "sample",
    "fake",
    "replace",
    "insert",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "$(",
    "%(",
    "****",
    "....",
    "abcdefgh",
    "12345678",
];

/// The kind of credential `value` holds by its well-known shape (a token prefix, an AWS key id, a
/// PEM private key, a URL with a password), if any. Secret-named keys are judged separately by
/// [`is_secret_key`] and [`looks_like_secret_literal`].
pub fn token_kind(value: &str) -> Option<&'static str> {
    scanner()
        .scan(value)
        .into_iter()
        .find(|m| m.detector.id != "generic-secret")
        .map(|m| m.detector.description.as_str())
}

/// Whether a secret found by a detector is a placeholder or a documentation example rather
/// than a credential: placeholder words, template syntax, or a run of one repeated character.
pub fn is_placeholder_secret(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    // Runs such as `000000` or `aaaaaa` mark fillers; long encoded keys (PEM, OpenSSH) hold such
    // runs legitimately, so only short secrets are judged by them.
    if secret.len() <= 128 {
        let bytes = secret.as_bytes();
        let mut run = 1;
        for pair in bytes.windows(2) {
            run = if pair[0] == pair[1] { run + 1 } else { 1 };
            if run >= 6 {
                return true;
            }
        }
    }
    false
}

/// Whether `value` is a placeholder (`changeme`, `${VAR}`, `<token>`, `xxxx`, `test`), not a
/// secret. Stricter than [`is_placeholder_secret`]: a value that mentions `test` or `your`, or
/// holds fewer than four distinct characters, is taken for one too.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    is_placeholder_secret(value)
        || ["test", "your"].iter().any(|p| lower.contains(p))
        || value.starts_with('$')
        || value
            .chars()
            .collect::<std::collections::HashSet<_>>()
            .len()
            < 4
        || is_prefixed_placeholder(value)
}

/// `nvapi-NVKEY`, `sk-YOURKEY`, `glpat-TOKEN`: a credential's lower-case prefix followed by a
/// word in capitals, the shape documentation gives a key the reader replaces. A generated key's
/// body mixes cases and digits; a body of capitals alone is a name for what goes there.
fn is_prefixed_placeholder(value: &str) -> bool {
    let tail_start = value
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_uppercase() || *c == '_' || *c == '-'))
        .map_or(0, |(at, c)| at + c.len_utf8());
    let (prefix, tail) = value.split_at(tail_start);
    let Some(word) = tail.strip_prefix(['-', '_']) else {
        return false;
    };
    prefix.starts_with(|c: char| c.is_ascii_lowercase())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && word.bytes().filter(u8::is_ascii_uppercase).count() >= 3
}

/// Whether `value`, assigned to the secret-named `key`, is one of the words of the key's own
/// name under a key that ends in `secret` (`OPERATOR_SECRET: operator`): in configuration
/// `secret` also names a Secret object or a secret's owner, and such a value is that name, not
/// a password. Under a password word (`POSTGRES_PASSWORD: postgres`) the same value is a
/// default password and stays one.
pub fn names_its_secret(key: &str, value: &str) -> bool {
    let words = key_words(key);
    let value = value.trim();
    matches!(words.as_slice(), [.., last] if last == "secret")
        && value.bytes().all(|b| b.is_ascii_lowercase())
        && words[..words.len() - 1].iter().any(|w| w == value)
}

/// Words that make a key secret-named on their own.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
];

/// Words that make `key` secret-named when they come right before it (`api_key`, `signingKey`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "auth",
    "signing",
    "encryption",
    "master",
    "account",
    "storage",
];

/// Words that may follow the secret word at the end of a secret-named key: an encoding, an
/// environment or a version (`SECRET_KEY_BASE`, `DB_PASSWORD_PROD`, `api_token_v2`). Any
/// other last word makes the key name something else: where the secret is (`TOKEN_FILE`,
/// `secretKeyRef`), what it is called (`secretName`), a property of it (`token_ttl`), or a type
/// in code (`TokenStream`).
const SECRET_TAIL_WORDS: &[&str] = &[
    "base",
    "value",
    "str",
    "string",
    "hex",
    "b64",
    "base64",
    "raw",
    "plain",
    "plaintext",
    "text",
    "literal",
    "prod",
    "production",
    "dev",
    "development",
    "staging",
    "stage",
    "live",
    "test",
    "local",
    "enc",
    "encoded",
    "default",
    "old",
    "new",
    "current",
    "previous",
    "primary",
    "secondary",
    "data",
];

/// Split an identifier into lowercase words at separators and camelCase humps:
/// `DB_PASSWORD` → `db password`, `secretKeyRef` → `secret key ref`.
fn key_words(key: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a key or variable named `key` holds a secret (`DB_PASSWORD`, `api_key`,
/// `clientSecret`, `secret_key_base`) rather than naming one or a property of one
/// (`TOKEN_FILE`, `secretKeyRef`, `password_min_length`, `AWS_ACCESS_KEY_ID`).
pub fn is_secret_key(key: &str) -> bool {
    let words = key_words(key);
    let is_secret_word = |w: &str| {
        SECRET_WORDS.contains(&w)
            || ["password", "passwd", "secret", "token"]
                .iter()
                .any(|s| w.ends_with(s) && w.len() > s.len())
    };
    let is_tail = |w: &str| {
        SECRET_TAIL_WORDS.contains(&w)
            || w.bytes().all(|b| b.is_ascii_digit())
            || (w.len() <= 3 && w.starts_with('v') && w[1..].bytes().all(|b| b.is_ascii_digit()))
    };
    // Drop the tail words, then the key must end in a secret word, a qualified `key`
    // (`api_key`, `signingKey`), or `secret id` (a Vault AppRole credential).
    let mut end = words.len();
    while end > 1 && is_tail(&words[end - 1]) {
        end -= 1;
    }
    let core = &words[..end];
    match core {
        [] => false,
        [.., last] if is_secret_word(last) => true,
        [.., qualifier, last] if last == "key" => KEY_QUALIFIERS.contains(&qualifier.as_str()),
        [.., before, last] if last == "id" => before == "secret",
        _ => false,
    }
}

/// Words of demo and default passwords (`rootpass123`, `My-Secure-Password5`, `Admin123`): a
/// value holding one is a placeholder for a secret-named key, not a generated secret.
const WEAK_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "credential",
    "admin",
    "123",
    "qwerty",
    "letmein",
];

/// Whether `value`, assigned to a secret-named key, is a literal credential rather than a
/// reference (`${{ secrets.X }}`, `var.db_password`, `op://vault/item`), a name
/// (`INSTALLER_CERT_P12`, `db-password-prod`), a path or file name, a placeholder, or a demo
/// password (`rootpass123`). A base64 value (a Kubernetes `Secret`'s `data:`) is judged by what
/// it encodes: `cGFzc3dvcmQ=` is `password`.
pub fn looks_like_secret_literal(value: &str) -> bool {
    let value = value.trim();
    if !is_literal_credential(value) {
        return false;
    }
    match decode_base64_text(value) {
        Some(decoded) => {
            decoded.len() >= 8
                && is_literal_credential(&decoded)
                && scanner::entropy(&decoded) >= 3.0
        }
        None => true,
    }
}

/// What a literal assigned to a secret-named key in committed configuration (a Compose
/// `environment:`, a manifest's `env`, a Terraform argument) is, when it is a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigSecret {
    /// A value with the shape of a real credential.
    Credential,
    /// A value that reads like a demo or default password (`MyStr0ngPassw0rd`, `postgres`,
    /// `admin123`): once committed, still a password anyone can read.
    Demo,
}

/// Whether `value`, assigned to a secret-named key in committed configuration, is a literal
/// credential, and of which kind. Only what cannot be a password stays `None`: nothing
/// (empty), a placeholder (`changeme`, `<token>`, `xxxx`, `test`), an interpolation or command
/// substitution (`${DB_PASSWORD}`, `$(cat /run/secrets/db)`, `{{ .Values.password }}`), a
/// reference to a secret store or another value (`vault:secret/db#password`, `op://…`,
/// `arn:aws:secretsmanager:…`, `var.db_password`), a path or file name, a URL, a sentence, a
/// boolean, or the name of a resource (`db-password-prod`, `DB_PASSWORD_FILE`).
pub fn config_secret(value: &str) -> Option<ConfigSecret> {
    let value = value.trim();
    // Compose's list form keeps quotes in the value (`- DB_PASSWORD="none"`).
    let value = ['"', '\'']
        .iter()
        .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
        .unwrap_or(value);
    if looks_like_secret_literal(value) {
        return Some(ConfigSecret::Credential);
    }
    let lower = value.to_ascii_lowercase();
    const STORES: &[&str] = &[
        "vault:",
        "op://",
        "arn:",
        "ref+",
        "sm://",
        "gcp:",
        "azurekeyvault:",
        "secret://",
        "sops:",
        "awssm:",
        "ssm:",
    ];
    let not_a_password = value.is_empty()
        || is_placeholder(value)
        || value.contains("${")
        || value.contains("{{")
        || value.contains("$(")
        || value.contains("://")
        || value.contains(char::is_whitespace)
        || STORES.iter().any(|store| lower.starts_with(store))
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "none" | "null" | "nil"
        )
        || value.starts_with(['/', '~', '.', '@', '&', '*', '!', '#', '%', '{', '['])
        || value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        || is_reference_path(value)
        || value.contains("::")
        || is_snake_identifier(value)
        || is_word_name(value)
        || has_file_extension(value);
    (!not_a_password).then_some(ConfigSecret::Demo)
}

fn is_literal_credential(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    // `P4ssb0lt`, `t0p-s3cr3t`: the same words in leetspeak.
    let unleet: String = lower
        .chars()
        .map(|c| match c {
            '4' | '@' => 'a',
            '3' => 'e',
            '1' | '!' => 'i',
            '0' => 'o',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .collect();
    value.len() >= 8
        && !WEAK_WORDS
            .iter()
            .any(|w| lower.contains(w) || unleet.contains(w))
        && !value.contains("${{")
        && !value.contains("${")
        && !value.contains(' ')
        && !is_placeholder(value)
        && !value.contains("://")
        && !value.starts_with("vault:")
        && !value.starts_with(['/', '~', '.', '@', '&', '*', '!', '#', '%', '{', '['])
        && !value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && !is_reference_path(value)
        && !value.contains("::")
        && !is_snake_identifier(value)
        && !is_word_name(value)
        && !has_file_extension(value)
}

/// The text `value` encodes in base64, when it is padded base64 of printable ASCII; `None`
/// for anything else (most values).
fn decode_base64_text(value: &str) -> Option<String> {
    if !value.len().is_multiple_of(4) || value.len() < 8 {
        return None;
    }
    let sextet = |b: u8| -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let body = value.trim_end_matches('=');
    if value.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for b in body.bytes() {
        buffer = (buffer << 6) | sextet(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    let text = String::from_utf8(out).ok()?;
    let text = text.trim();
    text.bytes()
        .all(|b| (0x20..0x7f).contains(&b))
        .then(|| text.to_string())
}

/// `var.db_password`, `module.db.password`, `random_password.main.result`: an expression
/// naming a value elsewhere.
fn is_reference_path(value: &str) -> bool {
    let mut parts = value.split('.');
    let identifier = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    value.contains('.') && parts.all(identifier)
}

/// `_bindgen_ty_7`, `MAX_TOKEN_LEN`: an identifier in snake case, which code assigns, not a
/// generated secret (whose `_`-separated chunks mix cases).
fn is_snake_identifier(value: &str) -> bool {
    value.contains('_')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && value.split('_').all(|chunk| {
            !chunk.bytes().any(|b| b.is_ascii_lowercase())
                || !chunk.bytes().any(|b| b.is_ascii_uppercase())
        })
}

/// `db-password-prod`, `my_app_secret_2`: lowercase words joined by `-` or `_`, the shape of a
/// resource name rather than of a generated secret.
fn is_word_name(value: &str) -> bool {
    let words: Vec<&str> = value.split(['-', '_']).collect();
    words.len() >= 2
        && words.iter().all(|w| {
            !w.is_empty()
                && w.len() <= 12
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && words
            .iter()
            .filter(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
            .count()
            * 2
            >= words.len()
}

/// `service-account.json`, `tls.key`: a file holding a secret, not one.
fn has_file_extension(value: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "json",
        "pem",
        "key",
        "crt",
        "cer",
        "txt",
        "yaml",
        "yml",
        "p12",
        "pfx",
        "jks",
        "env",
        "gpg",
        "asc",
        "der",
        "enc",
        "toml",
        "ini",
        "conf",
        "cfg",
        "properties",
        "xml",
        "js",
        "py",
        "sh",
        "rb",
        "go",
        "rs",
        "ts",
        "tf",
        "tfvars",
        "age",
    ];
    value
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Credentials are assembled at run time so that this file holds none.
    fn planted(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}")
    }

    #[test]
    fn committed_configuration_literals_are_credentials_or_demo_passwords() {
        assert_eq!(
            config_secret("Kq7vN2xRt9pLw3"),
            Some(ConfigSecret::Credential)
        );
        for demo in [
            "MyStr0ngPassw0rd",
            "postgres",
            "admin123",
            "rootpass123",
            "s3cr3t!",
        ] {
            assert_eq!(config_secret(demo), Some(ConfigSecret::Demo), "{demo}");
        }
        for not_one in [
            "",
            "changeme",
            "<token>",
            "xxxx",
            "${DB_PASSWORD}",
            "$(cat /run/secrets/db)",
            "{{ .Values.password }}",
            "vault:secret/data/db#password",
            "op://prod/db/password",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            "var.db_password",
            "/run/secrets/db_password",
            "db-password-prod",
            "DB_PASSWORD_FILE",
            "true",
            "\"none\"",
            "see the vault",
            "nvapi-NVKEY",
            "sk-YOURKEY",
            "glpat-REPLACE_WITH_TOKEN",
        ] {
            assert_eq!(config_secret(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn a_prefix_with_a_mixed_case_body_is_no_placeholder() {
        assert!(!is_prefixed_placeholder("nvapi-Kq7vN2xRt9pLw3"));
        assert!(!is_prefixed_placeholder("NVKEY"));
        assert!(!is_prefixed_placeholder("nvapi-AB"));
        assert!(is_prefixed_placeholder("sk_live_SECRETKEY"));
    }

    #[test]
    fn a_secret_named_after_its_owner_is_a_name() {
        assert!(names_its_secret("OPERATOR_SECRET", "operator"));
        assert!(names_its_secret("operatorSecret", "operator"));
        assert!(!names_its_secret("POSTGRES_PASSWORD", "postgres"));
        assert!(!names_its_secret("OPERATOR_SECRET", "supersecret"));
        assert!(!names_its_secret("OPERATOR_SECRET", "Operator1"));
    }

    #[test]
    fn recognises_tokens_and_placeholders() {
        assert_eq!(
            token_kind(&planted("AKIA", "QZ4RT7WVBM2KXP6L")),
            Some("AWS access key ID")
        );
        assert_eq!(
            token_kind(&planted("ghp_", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5")),
            Some("GitHub token")
        );
        assert_eq!(token_kind(&planted("ghp_", &"x".repeat(36))), None);
        assert_eq!(token_kind(&planted("AKIA", "IOSFODNN7EXAMPLE")), None);
        assert!(!looks_like_secret_literal("${{ secrets.TOKEN }}"));
        assert!(!looks_like_secret_literal("changeme123456"));
        assert!(looks_like_secret_literal("q9zZLv7pKm2xRb4t"));
        assert!(!looks_like_secret_literal("s3cr3tP4ssw0rdValue"));
        assert!(!looks_like_secret_literal(
            "op://ci/opendal/s3/access_key_id"
        ));
        assert!(!looks_like_secret_literal("INSTALLER_CERT_MAC_P12"));
        assert!(!looks_like_secret_literal("var.db_password2"));
        assert!(!looks_like_secret_literal("db-password-prod-01"));
        assert!(!looks_like_secret_literal("gcp-sa-2024.json"));
        assert!(!looks_like_secret_literal("rootpass123"));
        assert!(!looks_like_secret_literal("t0p-s3cr3t"));
        assert!(!looks_like_secret_literal("P4ssb0lt"));
        assert!(!looks_like_secret_literal("_bindgen_ty_7"));
        assert!(!looks_like_secret_literal("crate::__u32"));
        assert!(looks_like_secret_literal("q9_zZLv7pK_m2xRb4t"));
        // base64 of `Password$123456` and of a random 18-byte value
        assert!(!looks_like_secret_literal("UGFzc3dvcmQkMTIzNDU2"));
        assert!(looks_like_secret_literal("cTl6Wkx2N3BLbTJ4UmI0dA=="));
    }

    #[test]
    fn secret_named_keys() {
        for key in [
            "DB_PASSWORD",
            "api_key",
            "apiKey",
            "clientSecret",
            "SECRET_KEY_BASE",
            "GH_TOKEN",
            "_authToken",
            "secret_id",
            "dbpassword",
            "DB_PASSWORD_PROD",
            "api_token_v2",
            "signingKey",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "TOKEN_FILE",
            "secretKeyRef",
            "secretName",
            "password_min_length",
            "AWS_ACCESS_KEY_ID",
            "token_url",
            "key",
            "secrets",
            "tokenizer",
            "TokenStream",
            "token_start",
            "",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
