//! The error signatures: data in `signatures.toml`, compiled once into one [`RegexSet`].

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use crate::Class;

/// The signature file, embedded so the binary needs nothing at run time.
pub const SIGNATURES_TOML: &str = include_str!("../signatures.toml");

/// A signature file that does not load.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The TOML does not parse or has the wrong shape.
    #[error("signatures.toml: {0}")]
    Toml(#[from] toml::de::Error),
    /// A pattern is not a valid regex.
    #[error("signature `{id}`: {source}")]
    Regex {
        /// The signature id.
        id: String,
        /// What is wrong with the pattern.
        source: regex::Error,
    },
    /// The same id twice.
    #[error("signature `{0}` is defined twice")]
    Duplicate(String),
}

/// One kind of log line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Unique name, `ecosystem.what`.
    pub id: String,
    /// The regex matched against a cleaned line.
    pub pattern: String,
    /// How strongly a match says the line explains the failure; negative for noise.
    pub weight: f32,
    /// The class a match votes for, if any.
    #[serde(default)]
    pub class: Option<Class>,
    /// A real log line the pattern matches.
    pub example: String,
    /// System packages that provide what is missing.
    #[serde(default)]
    pub packages: Vec<String>,
    /// The token permission scope that was lacking (`packages: write`).
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    signature: Vec<Signature>,
}

/// The compiled signatures.
#[derive(Debug)]
pub struct Signatures {
    /// In file order; indices are those of [`Signatures::matches`].
    pub list: Vec<Signature>,
    set: RegexSet,
    single: Vec<OnceLock<Option<Regex>>>,
}

impl Signatures {
    /// Parse and compile a signature file.
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let file: File = toml::from_str(text)?;
        let mut seen = std::collections::HashSet::new();
        for signature in &file.signature {
            if !seen.insert(signature.id.as_str()) {
                return Err(SignatureError::Duplicate(signature.id.clone()));
            }
        }
        // ASCII classes and word boundaries keep the whole set in the lazy DFA: Unicode `\b`
        // and `\w` would push long non-ASCII lines onto the slow NFA path.
        let set = RegexSetBuilder::new(file.signature.iter().map(|s| s.pattern.as_str()))
            .unicode(false)
            .dfa_size_limit(256 << 20)
            .build()
            .map_err(|source| {
                // Name the signature at fault.
                let id = file
                    .signature
                    .iter()
                    .find(|s| compile(&s.pattern).is_err())
                    .map(|s| s.id.clone())
                    .unwrap_or_else(|| "(set)".into());
                SignatureError::Regex { id, source }
            })?;
        let single = file.signature.iter().map(|_| OnceLock::new()).collect();
        Ok(Signatures {
            list: file.signature,
            set,
            single,
        })
    }

    /// The built-in signatures.
    pub fn builtin() -> &'static Signatures {
        static BUILTIN: OnceLock<Option<Signatures>> = OnceLock::new();
        static EMPTY: OnceLock<Signatures> = OnceLock::new();
        match BUILTIN.get_or_init(|| Signatures::parse(SIGNATURES_TOML).ok()) {
            Some(signatures) => signatures,
            // The test suite proves the embedded file loads; never panic on it anyway.
            None => EMPTY.get_or_init(|| Signatures {
                list: Vec::new(),
                set: RegexSet::empty(),
                single: Vec::new(),
            }),
        }
    }

    /// Indices of the signatures `line` matches.
    pub fn matches(&self, line: &str, out: &mut Vec<usize>) {
        out.clear();
        out.extend(self.set.matches(line.as_bytes()).iter());
    }

    /// The regex of signature `index` alone (compiled on first use), for its captures.
    pub fn regex(&self, index: usize) -> Option<&Regex> {
        let pattern = &self.list.get(index)?.pattern;
        self.single
            .get(index)?
            .get_or_init(|| compile(pattern).ok())
            .as_ref()
    }

    /// The score of a line from its matches: the strongest positive match fully, the others a
    /// quarter each (several generic words do not outweigh one specific signature), all noise.
    pub fn score(&self, matched: &[usize]) -> f32 {
        let mut best = 0.0f32;
        let mut rest = 0.0f32;
        let mut noise = 0.0f32;
        for &index in matched {
            let Some(signature) = self.list.get(index) else {
                continue;
            };
            let weight = signature.weight;
            if weight < 0.0 {
                noise += weight;
            } else if weight > best {
                rest += best;
                best = weight;
            } else {
                rest += weight;
            }
        }
        best + 0.25 * rest + noise
    }
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).unicode(false).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_loads_and_every_example_matches_its_own_pattern() {
        let signatures = Signatures::parse(SIGNATURES_TOML).unwrap();
        assert!(signatures.list.len() > 50);
        let mut matched = Vec::new();
        let mut wrong = Vec::new();
        for (index, signature) in signatures.list.iter().enumerate() {
            signatures.matches(&signature.example, &mut matched);
            if !matched.contains(&index) {
                wrong.push(format!("{}: {:?}", signature.id, signature.example));
            }
        }
        assert!(
            wrong.is_empty(),
            "examples not matched:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn a_bad_pattern_is_named() {
        let err = Signatures::parse(
            "[[signature]]\nid = \"x.bad\"\npattern = \"(\"\nweight = 1.0\nexample = \"(\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("x.bad"), "{err}");
    }
}
