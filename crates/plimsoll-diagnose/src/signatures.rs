//! The error signatures: data in `signatures.toml`, matched behind a literal gate
//! ([`crate::prefilter`]): an Aho-Corasick pass picks the signatures a line can match, their
//! own regexes confirm, and the few signatures without a literal share one [`RegexSet`].

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_syntax::hir::{HirKind, Look};
use serde::Deserialize;

use crate::class::Class;

/// The signature file, embedded so the binary needs nothing at run time.
pub const SIGNATURES_TOML: &str = include_str!("../signatures.toml");

/// A signature file that does not load.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The TOML does not parse or has the wrong shape.
    #[error("signatures.toml: {0}")]
    Toml(#[from] toml::de::Error),
    /// A pattern is not a valid regex.
    #[error("signature `{id}`: {message}")]
    Regex {
        /// The signature id.
        id: String,
        /// What is wrong with the pattern.
        message: String,
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
    /// What a match weighs in the classification vote, when it differs from `weight`: a cause
    /// that says why a failure happened without being the line to show (`weight = 0`), such
    /// as the network exception a failed test raised under its own verdict.
    #[serde(default)]
    pub vote: Option<f32>,
    /// Whether a matching line is a tool's summary that counts or points back to diagnostics
    /// it printed above (`error: aborting due to 2 previous errors`, `3 errors generated.`):
    /// the first error-level diagnostic above it in the same command's output explains it.
    #[serde(default)]
    pub refers_back: bool,
    /// The part a matching line plays in a test runner's report of a failed test (see
    /// [`TestRole`]); the pattern's `test` group, when it has one, captures the test's name.
    #[serde(default)]
    pub test_role: Option<TestRole>,
    /// A real log line the pattern matches.
    pub example: String,
    /// System packages that provide what is missing.
    #[serde(default)]
    pub packages: Vec<String>,
    /// The token permission scope that was lacking (`packages: write`).
    #[serde(default)]
    pub scope: Option<String>,
}

/// The part a line plays in a test runner's report: runners print a verdict per test and,
/// elsewhere, the failure block that explains it (the test's captured output, its assertion or
/// panic, expected against actual). The verdict and the run's summary yield to the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestRole {
    /// A failed test's verdict (`test x ... FAILED`, `FAILED tests/x.py::test_y`, `✕ name`).
    Verdict,
    /// The header of a failed test's block, whose lines follow it (`---- x stdout ----`,
    /// `____ test_y ____`, `● suite › name`).
    Block,
    /// A verdict whose block follows it directly (`--- FAIL: TestX`, `[-] name`,
    /// `Class > method FAILED`, `not ok 3 - name`).
    VerdictAndBlock,
    /// A run's summary or rerun hint that counts failures without naming a test
    /// (`test result: FAILED.`, `error: test failed, to rerun pass …`, `N failed, M passed`).
    Summary,
    /// A passed or skipped test's verdict (`test x ... ok`, `--- PASS: TestX`, `[+] name`): it
    /// ends the block of the failed test reported before it and refers to none.
    Passed,
}

impl Signature {
    /// What a match weighs in the classification vote.
    pub fn vote_weight(&self) -> f32 {
        self.vote.unwrap_or(self.weight)
    }
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
    gate: Gate,
    single: Vec<OnceLock<Option<Regex>>>,
}

/// Which signatures a line can match, decided cheaply.
///
/// A signature is split into its top-level branches (`a|^b|c`): a branch with required literals
/// is gated by them; a branch without is matched directly, in one set of `^`-anchored branches
/// (its search stops a few bytes into most lines) or one set of floating ones.
#[derive(Debug)]
struct Gate {
    /// The required literals of every gated branch, ASCII-case-insensitive.
    literals: Option<AhoCorasick>,
    /// Signature index of each literal of `literals`.
    owner: Vec<usize>,
    /// Branches without literals that only match at the start of a line.
    anchored: Residual,
    /// Branches without literals that match anywhere.
    floating: Residual,
}

/// Branches matched directly.
#[derive(Debug)]
struct Residual {
    set: RegexSet,
    /// Signature index of each pattern of `set`.
    owner: Vec<usize>,
}

impl Residual {
    fn empty() -> Self {
        Residual {
            set: RegexSet::empty(),
            owner: Vec::new(),
        }
    }

    /// Compile `branches` (signature index, branch regex) into one set.
    fn build(branches: Vec<(usize, String)>, list: &[Signature]) -> Result<Self, SignatureError> {
        // ASCII classes and word boundaries keep the set in the lazy DFA: Unicode `\b` and `\w`
        // would push long non-ASCII lines onto the slow NFA path.
        let set = RegexSetBuilder::new(branches.iter().map(|(_, pattern)| pattern))
            .unicode(false)
            .build()
            .map_err(|source| SignatureError::Regex {
                id: branches
                    .iter()
                    .find(|(_, pattern)| compile(pattern).is_err())
                    .and_then(|(index, _)| list.get(*index))
                    .map_or_else(|| "(set)".into(), |s| s.id.clone()),
                message: source.to_string(),
            })?;
        Ok(Residual {
            set,
            owner: branches.into_iter().map(|(index, _)| index).collect(),
        })
    }

    fn matches(&self, bytes: &[u8], out: &mut Vec<usize>) {
        if self.owner.is_empty() {
            return;
        }
        out.extend(
            self.set
                .matches(bytes)
                .iter()
                .filter_map(|i| self.owner.get(i)),
        );
    }
}

impl Gate {
    fn empty() -> Self {
        Gate {
            literals: None,
            owner: Vec::new(),
            anchored: Residual::empty(),
            floating: Residual::empty(),
        }
    }

    fn build(list: &[Signature]) -> Result<Self, SignatureError> {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut owner = Vec::new();
        let mut anchored = Vec::new();
        let mut floating = Vec::new();
        for (index, signature) in list.iter().enumerate() {
            let hir = regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(&signature.pattern)
                .map_err(|e| SignatureError::Regex {
                    id: signature.id.clone(),
                    message: e.to_string(),
                })?;
            let branches = match hir.kind() {
                HirKind::Alternation(branches) => branches.as_slice(),
                _ => std::slice::from_ref(&hir),
            };
            for branch in branches {
                match crate::prefilter::required_literals(branch) {
                    Some(required) => {
                        owner.extend(std::iter::repeat_n(index, required.len()));
                        literals.extend(required);
                    }
                    None if branch.properties().look_set_prefix().contains(Look::Start) => {
                        anchored.push((index, branch.to_string()));
                    }
                    None => floating.push((index, branch.to_string())),
                }
            }
        }
        let literals = if literals.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&literals)
                    .map_err(|e| SignatureError::Regex {
                        id: "(literal gate)".into(),
                        message: e.to_string(),
                    })?,
            )
        };
        Ok(Gate {
            literals,
            owner,
            anchored: Residual::build(anchored, list)?,
            floating: Residual::build(floating, list)?,
        })
    }
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
        let gate = Gate::build(&file.signature)?;
        let single = file.signature.iter().map(|_| OnceLock::new()).collect();
        Ok(Signatures {
            list: file.signature,
            gate,
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
                gate: Gate::empty(),
                single: Vec::new(),
            }),
        }
    }

    /// Indices of the signatures `line` matches, ascending.
    pub fn matches(&self, line: &str, out: &mut Vec<usize>) {
        let bytes = line.as_bytes();
        out.clear();
        if let Some(literals) = &self.gate.literals {
            for found in literals.find_overlapping_iter(bytes) {
                if let Some(&index) = self.gate.owner.get(found.pattern().as_usize()) {
                    out.push(index);
                }
            }
            out.sort_unstable();
            out.dedup();
            // The literal says the signature may match; its own regex decides.
            out.retain(|&index| self.regex(index).is_some_and(|r| r.is_match(bytes)));
        }
        let gated = out.len();
        self.gate.anchored.matches(bytes, out);
        self.gate.floating.matches(bytes, out);
        if out.len() > gated {
            out.sort_unstable();
            out.dedup();
        }
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
        self.score_in(matched, None)
    }

    /// Whether a signature id prefix names one language's tools (`rust`, `jvm`, `python`…).
    pub fn is_language(&self, prefix: &str) -> bool {
        LANGUAGE_ECOSYSTEMS.contains(&prefix)
    }

    /// [`Signatures::score`] for a line printed by a tool of `ecosystem` (`rust`, `jvm`, …): a
    /// code-bug signature of another language's tools (its id's prefix) counts
    /// [`FOREIGN_ECOSYSTEM`] of its weight, since what the command runs decides how its output
    /// reads (`ERROR: …` from Jenkins' git step is no unittest error, `… at x line 3.` from git
    /// no Perl failure). Causes (network, setup, versions) count fully wherever they appear.
    pub fn score_in(&self, matched: &[usize], ecosystem: Option<&str>) -> f32 {
        let mut best = 0.0f32;
        let mut rest = 0.0f32;
        let mut noise = 0.0f32;
        for &index in matched {
            let Some(signature) = self.list.get(index) else {
                continue;
            };
            let mut weight = signature.weight;
            if let Some(ecosystem) = ecosystem {
                let prefix = signature.id.split('.').next().unwrap_or("");
                if weight > 0.0
                    && signature.class == Some(Class::CodeBug)
                    && LANGUAGE_ECOSYSTEMS.contains(&prefix)
                    && prefix != ecosystem
                {
                    weight *= FOREIGN_ECOSYSTEM;
                }
            }
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

impl Signatures {
    /// The test-report role of the first of the `matched` signatures that has one, with the
    /// test's name when its pattern captures one from `line`.
    pub fn test_role(&self, matched: &[usize], line: &str) -> Option<(TestRole, Option<String>)> {
        let (index, role) = matched.iter().find_map(|&index| {
            let role = self.list.get(index)?.test_role?;
            Some((index, role))
        })?;
        let name = self
            .regex(index)
            .and_then(|regex| regex.captures(line.as_bytes()))
            .and_then(|captures| captures.name("test"))
            .map(|name| String::from_utf8_lossy(name.as_bytes()).trim().to_string())
            .filter(|name| !name.is_empty());
        Some((role, name))
    }

    /// Whether any of the `matched` signatures marks a summary that refers back to the
    /// diagnostics above it.
    pub fn refers_back(&self, matched: &[usize]) -> bool {
        matched
            .iter()
            .any(|&index| self.list.get(index).is_some_and(|s| s.refers_back))
    }
}

/// What a code-bug signature of another language's tools counts in a step whose tool is known.
pub const FOREIGN_ECOSYSTEM: f32 = 0.6;

/// Signature id prefixes that name one language's tools.
const LANGUAGE_ECOSYSTEMS: &[&str] = &[
    "rust", "go", "jvm", "js", "python", "ruby", "php", "dotnet", "swift", "perl", "elixir",
    "erlang", "haskell", "emacs", "r", "latex",
];

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

    /// Every signature as one plain `RegexSet`: what the gate must agree with.
    fn reference(signatures: &Signatures) -> RegexSet {
        RegexSetBuilder::new(signatures.list.iter().map(|s| s.pattern.as_str()))
            .unicode(false)
            .dfa_size_limit(256 << 20)
            .build()
            .unwrap()
    }

    fn assert_gate_agrees(signatures: &Signatures, set: &RegexSet, line: &str) {
        let mut gated = Vec::new();
        signatures.matches(line, &mut gated);
        let plain: Vec<usize> = set.matches(line.as_bytes()).iter().collect();
        assert_eq!(gated, plain, "line {line:?}");
    }

    #[test]
    fn the_gate_agrees_with_the_plain_set_on_examples_and_edge_lines() {
        let signatures = Signatures::parse(SIGNATURES_TOML).unwrap();
        let set = reference(&signatures);
        let mut lines: Vec<String> = signatures.list.iter().map(|s| s.example.clone()).collect();
        // Case changes and cut examples: the gate folds ASCII case, and a cut literal must not
        // let a regex match through.
        for signature in &signatures.list {
            lines.push(signature.example.to_uppercase());
            lines.push(signature.example.to_lowercase());
            let half: String = signature
                .example
                .chars()
                .take(signature.example.chars().count() / 2)
                .collect();
            lines.push(half);
        }
        lines.extend(
            [
                "",
                " ",
                "ERROR",
                "error:",
                "Ⅰ ✕ ● ×",
                "\t\tat x.y(Z.java:1)",
            ]
            .map(String::from),
        );
        for line in &lines {
            assert_gate_agrees(&signatures, &set, line);
        }
    }

    #[test]
    fn the_gate_agrees_with_the_plain_set_on_every_line_of_the_real_logs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ci-logs");
        if !root.is_dir() {
            println!("skipped: ../shared absent");
            return;
        }
        let signatures = Signatures::parse(SIGNATURES_TOML).unwrap();
        let set = reference(&signatures);
        let mut stack = vec![root];
        let mut checked = 0usize;
        let mut text = String::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                // Every fifth file keeps the test quick in debug builds; the files vary enough.
                if !checked.is_multiple_of(5) || bytes.len() > 4 << 20 {
                    checked += 1;
                    continue;
                }
                checked += 1;
                for (number, raw) in bytes.split(|&b| b == b'\n').enumerate() {
                    crate::reader::clean(raw, number == 0, &mut text);
                    assert_gate_agrees(&signatures, &set, &text);
                }
            }
        }
        assert!(
            checked > 100,
            "only {checked} files under ../shared/ci-logs"
        );
    }

    #[test]
    fn another_languages_code_signature_counts_less_in_a_step_whose_tool_is_known() {
        let signatures = Signatures::parse(SIGNATURES_TOML).unwrap();
        let mut matched = Vec::new();
        // unittest's verdict line, printed in a Maven step, and a network error in the same.
        signatures.matches("ERROR: test_fetch (tests.test_api.ApiTest)", &mut matched);
        let anywhere = signatures.score(&matched);
        assert!(signatures.score_in(&matched, Some("jvm")) < anywhere);
        assert_eq!(signatures.score_in(&matched, Some("python")), anywhere);
        signatures.matches(
            "fatal: unable to access 'x': The requested URL returned error: 503",
            &mut matched,
        );
        assert_eq!(
            signatures.score_in(&matched, Some("jvm")),
            signatures.score(&matched)
        );
    }

    #[test]
    fn a_verdict_that_only_says_failed_scores_below_an_error_that_says_what() {
        let signatures = Signatures::parse(SIGNATURES_TOML).unwrap();
        let mut matched = Vec::new();
        let mut score = |line: &str| {
            signatures.matches(line, &mut matched);
            signatures.score(&matched)
        };
        let cause = score("error: failed to open `config.toml`: No such file or directory");
        for verdict in [
            "error: build failed",
            "Tests failed.",
            "2 errors generated.",
            "\u{2716} 2 problems (2 errors, 0 warnings)",
        ] {
            assert!(score(verdict) < cause - 2.0, "{verdict}");
        }
        // Ant's and Gradle's banner, whose cause comes below it, is not such a verdict.
        signatures.matches("BUILD FAILED", &mut matched);
        let verdict = signatures
            .list
            .iter()
            .position(|s| s.id == "noise.failure-verdict");
        assert!(verdict.is_some_and(|v| !matched.contains(&v)));
    }

    #[test]
    fn a_gnu_format_diagnostic_is_an_error_whatever_the_file_s_language() {
        let signatures = Signatures::parse(SIGNATURES_TOML).unwrap();
        let id = |line: &str| {
            let mut matched = Vec::new();
            signatures.matches(line, &mut matched);
            matched
                .iter()
                .any(|&i| signatures.list[i].id == "generic.compiler-diagnostic")
        };
        assert!(id("src/ShellCheck/Fixer.hs:38:10: error:"));
        assert!(id(
            "Sources/App/main.swift:3:7: error: cannot find 'x' in scope"
        ));
        assert!(id("lib/a.ml:12:4: error: unbound value y"));
        assert!(id(
            "src/audio.c:3:10: fatal error: alsa/asoundlib.h: No such file or directory"
        ));
        assert!(!id("src/a.c:3:10: warning: unused variable 'x'"));
        assert!(!id("error: src/a.c:3: something"));
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
