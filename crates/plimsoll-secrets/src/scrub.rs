//! Removing known secrets from text that may quote them: finding messages and help, which rules
//! write from source text (an unknown Dockerfile instruction, an `ADD` URL, an invalid
//! expression) without knowing that the text holds a credential.
//!
//! A plain search for each secret is not enough: a message may quote a secret cut short, or
//! upper-cased. The [`Scrubber`] marks every 8-byte window of a text that is, ASCII
//! case-insensitively, an 8-byte window of a known secret, so that no run of 8 characters of a
//! secret survives, whatever part of it is quoted and in whatever case.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// How many bytes of a secret, in a row, identify it.
pub const GRAM: usize = 8;

/// Secrets shorter than [`GRAM`] bytes are searched for whole, from this length up; shorter ones
/// would match ordinary words.
const SHORTEST: usize = 6;

/// The secrets of a run, ready to be searched for in any text.
#[derive(Debug, Default, Clone)]
pub struct Scrubber {
    /// Each lowercased 8-byte window of a secret, as a number, with the secret it comes from.
    grams: HashMap<u64, usize, BuildHasherDefault<GramHasher>>,
    /// A bit per value of [`filter_bit`], set for each gram of `grams`: most windows of a text
    /// are ruled out by one bit instead of a lookup in `grams` (every window of every message,
    /// help text and reported line is looked up: a quarter of the time `find` took).
    filter: Vec<u64>,
    /// Lowercased secrets shorter than a window, with the secret they are.
    short: Vec<(String, usize)>,
    secrets: Vec<String>,
}

impl Scrubber {
    /// A scrubber of `secrets` (duplicates and empty strings are fine).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Scrubber {
        let mut scrubber = Scrubber::default();
        for secret in secrets {
            scrubber.add(secret);
        }
        scrubber
    }

    /// A scrubber of every credential in `texts`: what the detectors find, and the passwords
    /// of URLs ([`crate::scanner::url_passwords`]).
    pub fn of_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Scrubber {
        let mut scrubber = Scrubber::default();
        for text in texts {
            for found in crate::scanner().scan(text) {
                scrubber.add(&text[found.span.start..found.span.end]);
            }
            for span in crate::scanner::url_passwords(text) {
                scrubber.add(&text[span.start..span.end]);
            }
        }
        scrubber
    }

    /// Add `secret` to what is searched for.
    pub fn add(&mut self, secret: &str) {
        let lower = secret.to_ascii_lowercase();
        if lower.len() < SHORTEST {
            return;
        }
        let index = self.secrets.len();
        let mut new = false;
        if lower.len() < GRAM {
            if !self.short.iter().any(|(s, _)| *s == lower) {
                self.short.push((lower, index));
                new = true;
            }
        } else {
            let public = public_parts(secret);
            for (start, window) in lower.as_bytes().windows(GRAM).enumerate() {
                if public
                    .iter()
                    .any(|part| part.start <= start && start + GRAM <= part.end)
                {
                    continue;
                }
                let gram = gram_of(window);
                if let std::collections::hash_map::Entry::Vacant(slot) = self.grams.entry(gram) {
                    slot.insert(index);
                    new = true;
                    if self.filter.is_empty() {
                        self.filter = vec![0; FILTER_BITS / 64];
                    }
                    let bit = filter_bit(gram);
                    if let Some(word) = self.filter.get_mut(bit / 64) {
                        *word |= 1 << (bit % 64);
                    }
                }
            }
        }
        if new {
            self.secrets.push(secret.to_string());
        }
    }

    /// Add `secret` and the forms a file writes it again in where no detector sees it: its
    /// base64 (as `echo … | base64 -d` or a Kubernetes `data:` value holds it, at any of the
    /// three alignments inside a longer encoded text) and its percent-encoding (a password in
    /// a URL).
    pub fn add_with_encodings(&mut self, secret: &str) {
        self.add(secret);
        let bytes = secret.as_bytes();
        for (prefix, skip) in [(0usize, 0usize), (1, 2), (2, 3)] {
            let mut padded = vec![0u8; prefix];
            padded.extend_from_slice(bytes);
            let encoded = base64(&padded);
            // The first characters mix in the prefix, the last four the bytes after the
            // secret (or the padding): only the characters that the secret alone decides.
            let end = encoded.len().saturating_sub(4);
            if let Some(inner) = encoded.get(skip..end) {
                self.add(inner);
            }
        }
        let encoded = percent_encoded(secret);
        if encoded != secret {
            self.add(&encoded);
        }
    }

    /// Whether there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// The byte ranges of `text` that hold 8 or more bytes in a row of a known secret (or a
    /// whole short one), widened to whole characters and to the letters and digits around them,
    /// merged, in order, each with the secret it holds part of.
    pub fn find(&self, text: &str) -> Vec<(std::ops::Range<usize>, usize)> {
        if self.is_empty() || text.len() < SHORTEST {
            return Vec::new();
        }
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let mut marks: Vec<(usize, usize, usize)> = Vec::new();
        if !self.grams.is_empty() {
            for (start, window) in bytes.windows(GRAM).enumerate() {
                let gram = gram_of(window);
                let bit = filter_bit(gram);
                let maybe = self
                    .filter
                    .get(bit / 64)
                    .is_some_and(|word| word & (1 << (bit % 64)) != 0);
                if !maybe {
                    continue;
                }
                if let Some(&secret) = self.grams.get(&gram) {
                    marks.push((start, start + GRAM, secret));
                }
            }
        }
        // A short secret may be part of a longer word without being the secret: only a whole
        // word is taken for it.
        let alnum = |at: Option<&u8>| at.is_some_and(u8::is_ascii_alphanumeric);
        for (short, secret) in &self.short {
            for (start, _) in lower.match_indices(short.as_str()) {
                let end = start + short.len();
                let before = start.checked_sub(1).and_then(|b| bytes.get(b));
                if !alnum(before) && !alnum(bytes.get(end)) {
                    marks.push((start, end, *secret));
                }
            }
        }
        marks.sort_unstable();
        let mut ranges: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        for (start, end, secret) in marks {
            let start = widen_back(text, start);
            let end = widen_forward(text, end);
            match ranges.last_mut() {
                Some((last, _)) if start <= last.end => last.end = last.end.max(end),
                _ => ranges.push((start..end, secret)),
            }
        }
        ranges
    }

    /// `text` with every range of [`Scrubber::find`] replaced by what `replace` gives for the
    /// secret it holds part of.
    pub fn scrub_with<'t>(&self, text: &'t str, replace: impl Fn(&str) -> String) -> Cow<'t, str> {
        let ranges = self.find(text);
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (range, secret) in ranges {
            out.push_str(&text[at..range.start]);
            out.push_str(&replace(
                self.secrets.get(secret).map_or("", String::as_str),
            ));
            at = range.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// `text` with every trace of a known secret replaced by its redacted form
    /// ([`crate::redact()`]).
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.scrub_with(text, crate::redact)
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `text` with every byte but unreserved URL characters percent-encoded.
fn percent_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An 8-byte window as one number.
/// Bits in [`Scrubber::filter`]: 8 KB, a few percent of them set by the secrets of a run.
const FILTER_BITS: usize = 1 << 16;

/// The bit of [`Scrubber::filter`] that `gram` sets: the top bits of a multiplicative hash.
fn filter_bit(gram: u64) -> usize {
    let mixed = (gram ^ (gram >> 31)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    (mixed >> (64 - FILTER_BITS.trailing_zeros())) as usize
}

fn gram_of(window: &[u8]) -> u64 {
    let mut gram = [0u8; GRAM];
    gram.copy_from_slice(&window[..GRAM]);
    u64::from_le_bytes(gram)
}

/// A multiplicative hash of the one `u64` a gram is: every window of every message is looked
/// up, and the default hasher, built to resist chosen keys, cost more than the rest of the
/// scrubbing. Keys here come from the run's own secrets, not from an adversary choosing
/// collisions; a collision only costs time.
#[derive(Default)]
struct GramHasher(u64);

impl Hasher for GramHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (value ^ (value >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The parts of `secret` that are the same in every secret of its kind, so that text holding
/// them quotes no secret: its token marker (`AGE-SECRET-KEY-1`, `github_pat_`) and the armour
/// lines of a private key (`-----BEGIN RSA PRIVATE KEY-----`).
fn public_parts(secret: &str) -> Vec<std::ops::Range<usize>> {
    let marker = crate::redact::marker_len(secret);
    let mut parts = Vec::new();
    parts.push(0..marker);
    let mut at = 0;
    while let Some(open) = secret[at..].find("-----").map(|i| at + i) {
        let Some(close) = secret[open + 5..].find("-----").map(|i| open + 5 + i + 5) else {
            break;
        };
        parts.push(open..close);
        at = close;
    }
    parts
}

/// `start` moved back to a character boundary, then over the letters and digits before it, so
/// that what is left of a secret beside a replacement is not a readable fragment.
fn widen_back(text: &str, mut start: usize) -> usize {
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    while start > 0 && text.as_bytes()[start - 1].is_ascii_alphanumeric() {
        start -= 1;
    }
    start
}

/// `end` moved forward to a character boundary, then over the letters and digits after it.
fn widen_forward(text: &str, mut end: usize) -> usize {
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    while end < text.len() && text.as_bytes()[end].is_ascii_alphanumeric() {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_percent_encoded_copies_are_found() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(percent_encoded("a b!"), "a%20b%21");
        // Built from parts, so that the repository's own audit finds no literal credential.
        let secret = format!("{}{}", "Zq8vN3kR7t", "W2xY5pL0mJ");
        let mut scrubber = Scrubber::default();
        scrubber.add_with_encodings(&secret);
        for prefix in ["", "x", "xy"] {
            let encoded = base64(format!("{prefix}{secret}").as_bytes());
            let text = format!("echo {encoded} | base64 -d");
            assert!(!scrubber.find(&text).is_empty(), "{text}");
        }
        let mut scrubber = Scrubber::default();
        scrubber.add_with_encodings("Wintr2024Qz!#");
        assert!(!scrubber.find("admin:Wintr2024Qz%21%23@host").is_empty());
    }

    fn secret() -> String {
        format!("{}{}", "ghp_", "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5")
    }

    #[test]
    fn quotes_cut_short_or_upper_cased_are_scrubbed() {
        let token = secret();
        let scrubber = Scrubber::new([token.as_str()]);
        let upper = format!("unknown instruction `{}`", token.to_ascii_uppercase());
        let scrubbed = scrubber.scrub_with(&upper, |_| "<S>".into());
        assert_eq!(scrubbed, "unknown instruction `<S>`");
        let cut = format!("value `{}…` is not valid", &token[..20]);
        assert_eq!(
            scrubber.scrub_with(&cut, |_| "<S>".into()),
            "value `<S>…` is not valid"
        );
        let inner = format!("x {} y", &token[9..30]);
        assert_eq!(scrubber.scrub_with(&inner, |_| "<S>".into()), "x <S> y");
        // Seven characters in a row are not the secret.
        assert_eq!(scrubber.scrub(&token[3..10]), &token[3..10]);
        assert_eq!(scrubber.scrub("nothing here"), "nothing here");
    }

    #[test]
    fn token_markers_and_key_armour_are_not_secret() {
        let age = format!(
            "{}{}",
            "AGE-SECRET-KEY-1", "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQPZRY9X8GF2TVDW0S3JN54KHCE"
        );
        let key =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzq9Z\n-----END RSA PRIVATE KEY-----";
        let scrubber = Scrubber::new([age.as_str(), key]);
        let text = "[aws-secret-access-key] -----BEGIN RSA PRIVATE KEY----- [age-secret-key]";
        assert_eq!(scrubber.scrub(text), text);
        assert_ne!(scrubber.scrub(&age[10..]), &age[10..]);
        assert_ne!(scrubber.scrub("MIIEowIBAAKC"), "MIIEowIBAAKC");
    }

    #[test]
    fn short_secrets_match_whole_and_non_ascii_text_stays_valid() {
        let scrubber = Scrubber::new(["pässwörd-Zq8", "Qz81x!", "abc"]);
        let text = "é pässwörd-zq8 é and QZ81X! and abc, not xqz81x!";
        let scrubbed = scrubber.scrub_with(text, |_| "<S>".into());
        assert_eq!(scrubbed, "é <S> é and <S> and abc, not xqz81x!");
        assert!(Scrubber::new(["abc"]).is_empty());
    }
}
