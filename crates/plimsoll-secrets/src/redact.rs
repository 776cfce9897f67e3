//! How a secret is named in a finding without being shown: `ghp_… (hash 1a2b3c4d)`.
//!
//! The hash is keyed ([`HashKey`]): with a key only this run knows (the default) or one the user
//! keeps secret (`PLIMSOLL_SECRET_KEY`), a published hash tells two findings of the same secret
//! apart from others, and nothing more: a guess at the secret cannot be checked against it, as
//! it could against an unkeyed hash. The form never says the secret's length, which would cut
//! a guesser's search, and shows a prefix only where the prefix is a token kind's fixed marker
//! (`ghp_`, `AKIA`), which carries no secret.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::OnceLock;

/// The environment variable that sets the key of [`secret_hash`]: set it (to a value kept as
/// secret as the credentials themselves) for hashes that match across runs.
pub const KEY_VARIABLE: &str = "PLIMSOLL_SECRET_KEY";

/// A 128-bit key for SipHash-2-4, a pseudo-random function designed to authenticate short
/// inputs: without the key, its outputs say nothing about its inputs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HashKey {
    k0: u64,
    k1: u64,
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is as sensitive as what it protects.
        f.write_str("HashKey(..)")
    }
}

impl HashKey {
    /// The key derived from a passphrase (the value of [`KEY_VARIABLE`]).
    pub fn from_passphrase(passphrase: &str) -> HashKey {
        let fixed = HashKey {
            k0: 0x706c_696d_736f_6c6c,
            k1: 0x7365_6372_6574_6b79,
        };
        HashKey {
            k0: fixed.hash(&[b"key-0", passphrase.as_bytes()]),
            k1: fixed.hash(&[b"key-1", passphrase.as_bytes()]),
        }
    }

    /// A key drawn from the operating system's randomness (through the standard library's
    /// randomly seeded hasher), different in every process.
    pub fn random() -> HashKey {
        let seeded = std::collections::hash_map::RandomState::new();
        let other = std::collections::hash_map::RandomState::new();
        HashKey {
            k0: seeded.hash_one(0x9e37_79b9_7f4a_7c15_u64),
            k1: other.hash_one(std::process::id()) ^ seeded.hash_one(1_u64),
        }
    }

    /// The key of this process: from [`KEY_VARIABLE`] when it is set and not empty, random
    /// otherwise; chosen once.
    pub fn of_run() -> HashKey {
        static KEY: OnceLock<HashKey> = OnceLock::new();
        *KEY.get_or_init(|| match std::env::var(KEY_VARIABLE) {
            Ok(passphrase) if !passphrase.is_empty() => HashKey::from_passphrase(&passphrase),
            _ => HashKey::random(),
        })
    }

    /// SipHash-2-4 of `parts`, each followed by its length so that parts cannot run together.
    pub fn hash(&self, parts: &[&[u8]]) -> u64 {
        let mut state = SipState::new(*self);
        for part in parts {
            state.write(part);
            state.write(&(part.len() as u64).to_le_bytes());
        }
        state.finish()
    }
}

/// SipHash-2-4 (Aumasson and Bernstein), streaming.
struct SipState {
    v: [u64; 4],
    tail: u64,
    tail_len: usize,
    length: u64,
}

impl SipState {
    fn new(key: HashKey) -> SipState {
        SipState {
            v: [
                key.k0 ^ 0x736f_6d65_7073_6575,
                key.k1 ^ 0x646f_7261_6e64_6f6d,
                key.k0 ^ 0x6c79_6765_6e65_7261,
                key.k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            tail_len: 0,
            length: 0,
        }
    }

    fn round(&mut self) {
        let v = &mut self.v;
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }

    fn compress(&mut self, word: u64) {
        self.v[3] ^= word;
        self.round();
        self.round();
        self.v[0] ^= word;
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.tail |= u64::from(byte) << (8 * self.tail_len);
            self.tail_len += 1;
            self.length = self.length.wrapping_add(1);
            if self.tail_len == 8 {
                let word = self.tail;
                self.compress(word);
                self.tail = 0;
                self.tail_len = 0;
            }
        }
    }

    fn finish(mut self) -> u64 {
        let word = self.tail | ((self.length & 0xff) << 56);
        self.compress(word);
        self.v[2] ^= 0xff;
        for _ in 0..4 {
            self.round();
        }
        self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3]
    }
}

/// How many characters of `secret` its redacted form shows: the fixed marker of its token kind
/// (`ghp_`, `AKIA`, `xoxb`), four characters at most and never more than a quarter of the
/// secret; none for a secret without such a marker (a password, a generic key), whose first
/// characters would be part of the secret itself.
pub fn shown_prefix_len(secret: &str) -> usize {
    marker_len(secret).min(4).min(secret.chars().count() / 4)
}

/// The length in bytes of the fixed marker `secret` starts with (`ghp_`, `AGE-SECRET-KEY-1`):
/// the longest keyword of a detector, other than the generic one, that recognises `secret` from
/// its first byte. Keywords are ASCII, so this is a character boundary.
pub(crate) fn marker_len(secret: &str) -> usize {
    crate::scanner()
        .scan(secret)
        .into_iter()
        .filter(|m| m.span.start == 0 && m.detector.id != "generic-secret")
        .filter_map(|m| {
            m.detector
                .keywords
                .iter()
                .filter(|k| {
                    secret
                        .get(..k.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(k))
                })
                .map(String::len)
                .max()
        })
        .max()
        .unwrap_or(0)
}

/// The keyed hash of `secret` under this run's key ([`HashKey::of_run`]), as 8 hex digits: the
/// same secret gives the same hash everywhere in one report, and with `PLIMSOLL_SECRET_KEY` set,
/// across runs; without the key, it cannot be matched to a guess.
pub fn secret_hash(secret: &str) -> String {
    keyed_hash(&HashKey::of_run(), secret)
}

/// [`secret_hash`] under `key`.
pub fn keyed_hash(key: &HashKey, secret: &str) -> String {
    let full = key.hash(&[b"plimsoll-secret", secret.as_bytes()]);
    format!("{:08x}", full >> 32)
}

/// What marks the keyed hash in a redacted form; [`without_hashes`] looks for it.
const HASH_OPEN: &str = " (hash ";

/// A redacted form: the token kind's marker, if any, and the [`secret_hash`]:
/// `ghp_… (hash 5d41402a)`, `… (hash 0f3c9b21)`.
pub fn redact(secret: &str) -> String {
    format!("{}{HASH_OPEN}{})", redact_bare(secret), secret_hash(secret))
}

/// The redacted form without a hash (`ghp_…`, `…`): what output meant for others shows, and
/// what is stable across runs for baselines.
pub fn redact_bare(secret: &str) -> String {
    let prefix: String = secret.chars().take(shown_prefix_len(secret)).collect();
    format!("{prefix}…")
}

/// `text` without the hashes of the redacted forms it holds (` (hash 1a2b3c4d)`): the form of a
/// message that does not change from run to run, for fingerprints and baseline files.
pub fn without_hashes(text: &str) -> Cow<'_, str> {
    if !text.contains(HASH_OPEN) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(HASH_OPEN) {
        let after = &rest[at + HASH_OPEN.len()..];
        let hex = after
            .get(..8)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match hex {
            Some(_) if after.as_bytes().get(8) == Some(&b')') => {
                out.push_str(&rest[..at]);
                rest = &after[9..];
            }
            _ => {
                out.push_str(&rest[..at + HASH_OPEN.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Credentials are assembled at run time so that this file holds none.
    fn planted(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}")
    }

    /// The reference vector of the SipHash paper (appendix A): key 00..0f, message 00..0e.
    #[test]
    fn siphash_matches_the_reference_vector() {
        let key = HashKey {
            k0: u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]),
            k1: u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]),
        };
        let mut state = SipState::new(key);
        let message: Vec<u8> = (0..15).collect();
        state.write(&message);
        assert_eq!(state.finish(), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn hashes_are_keyed_and_stable_under_one_key() {
        let a = HashKey::from_passphrase("one");
        let b = HashKey::from_passphrase("two");
        assert_eq!(keyed_hash(&a, "Winter2024!"), keyed_hash(&a, "Winter2024!"));
        assert_ne!(keyed_hash(&a, "Winter2024!"), keyed_hash(&b, "Winter2024!"));
        assert_ne!(keyed_hash(&a, "Winter2024!"), keyed_hash(&a, "Winter2025!"));
        assert_ne!(HashKey::random(), HashKey::random());
        assert_eq!(format!("{a:?}"), "HashKey(..)");
    }

    #[test]
    fn redaction_shows_a_token_marker_and_a_hash_never_the_length() {
        let password = "s3cr3tP4ss";
        let hash = secret_hash(password);
        assert_eq!(hash.len(), 8);
        assert_eq!(redact(password), format!("… (hash {hash})"));
        let token = planted("ghp_", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5");
        assert_eq!(shown_prefix_len(&token), 4);
        // The whole redacted form is the marker and the hash: no length (40) can hide in it.
        assert_eq!(
            redact(&token),
            format!("ghp_… (hash {})", secret_hash(&token))
        );
        assert_eq!(shown_prefix_len(&planted("AKIA", "QZ4RT7WVBM2KXP6L")), 4);
        assert_eq!(shown_prefix_len("Winter2024!"), 0);
    }

    #[test]
    fn hashes_are_removed_for_the_stable_form() {
        let text = format!(
            "token: `{}` and `(hash zz)` (hash 1234)",
            redact("s3cr3tP4ss")
        );
        assert_eq!(
            without_hashes(&text),
            "token: `…` and `(hash zz)` (hash 1234)"
        );
        assert_eq!(without_hashes("plain"), "plain");
    }
}
