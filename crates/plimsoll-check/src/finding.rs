use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use plimsoll_syntax::{LineCol, SourceFile, Span};

use crate::fix::{Fix, FixAvailability};
use crate::secrets::SecretMatch;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Pedantic or advisory.
    Note,
    /// A standard is not met.
    Warning,
    /// Breaks production safety or hides failures.
    Error,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "`{other}` is not a severity (expected error, warning or note)"
            )),
        }
    }
}

/// The family of files a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    /// plimsoll itself: files that do not parse, suppressions that do nothing.
    Engine,
    /// GitHub Actions workflows, actions and repository CI settings.
    GithubActions,
    /// Dockerfiles, `.dockerignore` and Compose files.
    Containers,
    /// Kubernetes manifests.
    Kubernetes,
    /// Terraform modules and variable files.
    Terraform,
    /// Credentials in any text file, and in git history.
    Secrets,
}

impl Domain {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Engine => "engine",
            Domain::GithubActions => "github-actions",
            Domain::Containers => "containers",
            Domain::Kubernetes => "kubernetes",
            Domain::Terraform => "terraform",
            Domain::Secrets => "secrets",
        }
    }
}

/// What a rule is, for the registry, `plimsoll rules`, `explain` and reports.
#[derive(Debug, serde::Serialize)]
pub struct RuleMeta {
    /// Stable id (`GHA001`).
    pub id: &'static str,
    /// Stable kebab-case name (`continue-on-error`).
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Which files it looks at.
    pub domain: Domain,
    /// One line saying what it flags.
    pub summary: &'static str,
    /// How to fix a finding, in one line.
    pub help: &'static str,
    /// Only enabled in strict mode (or when enabled by name).
    pub strict_only: bool,
    /// Its findings point at a credential: renderers must not show the text they span, and
    /// fingerprints are not computed from it.
    pub sensitive: bool,
    /// The full documentation (Markdown: what it does, why, example, use instead).
    pub doc: &'static str,
    /// Which fixes its findings can carry.
    pub fix: FixAvailability,
}

/// The rules reference in the repository, to which each rule's section adds its name as the
/// anchor.
pub const RULES_DOC_URI: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules.md");

impl RuleMeta {
    /// The rule's documentation as Markdown, without the one-space indent of doc comments.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The address of the rule's section of `docs/rules.md`.
    pub fn doc_uri(&self) -> String {
        format!("{RULES_DOC_URI}#{}", self.name)
    }
}

/// Why a finding was lowered to a note: its file is not production content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NonProduction {
    /// In a folder of test data (`test-data`).
    TestData,
    /// In a folder of examples, samples or documentation (`examples`).
    Example,
    /// A fuzzing build image: a Dockerfile built on OSS-Fuzz's builders
    /// (`gcr.io/oss-fuzz-base/…`), which builds fuzz targets and is never shipped.
    FuzzingImage,
}

/// Where a finding is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The file, as discovered (relative to the working directory when it was given so).
    pub path: PathBuf,
    /// Byte range in the file's text, when the finding points at text.
    pub span: Option<Span>,
    /// Start, 1-based, columns in characters.
    pub start: LineCol,
    /// End (exclusive), 1-based, columns in characters.
    pub end: LineCol,
    /// Start column in UTF-16 code units (SARIF).
    pub start_utf16: usize,
    /// End column in UTF-16 code units (SARIF).
    pub end_utf16: usize,
}

/// A finding, resolved to a location and an effective severity.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Finding {
    /// The rule that fired.
    #[serde(skip)]
    pub rule: &'static RuleMeta,
    /// Effective severity after configuration.
    pub severity: Severity,
    /// Where.
    pub location: Location,
    /// What is wrong, specifically.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// A hash identifying the finding across line moves (for baselines and SARIF).
    pub fingerprint: String,
    /// Its severity was lowered to a note because its file is not production content, and
    /// why: in a folder of test data (`test-data` in `plimsoll.toml`) or of examples
    /// (`examples`), or a fuzzing build image.
    #[serde(skip)]
    pub lowered: Option<NonProduction>,
    /// What would make the finding go away, when the rule knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A finding as a rule reports it: a span in the file being checked, before configuration.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The rule.
    pub rule: &'static RuleMeta,
    /// Bytes it points at.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when more specific than the rule's help.
    pub help: Option<String>,
    /// A severity other than the rule's default, for this finding.
    pub severity: Option<Severity>,
    /// What would make the finding go away, when the rule knows.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// Replace the rule's generic help with a specific one.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Attach `fix`, which makes the finding go away.
    pub fn fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    /// Report at `severity` instead of the rule's default.
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = Some(severity);
        self
    }
}

/// Where rules put what they find for one file.
#[derive(Debug, Default)]
pub struct Sink {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// What the secret scanner found in the file, once asked: the secrets rule reports it, and
    /// the engine masks it in every output whether or not that rule runs.
    secrets: Option<Vec<SecretMatch<'static>>>,
}

impl Sink {
    /// Report `message` for `rule` at `span`; chain [`Diagnostic::help`] to refine it.
    pub fn report(
        &mut self,
        rule: &'static RuleMeta,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic {
            rule,
            span,
            message: message.into(),
            help: None,
            severity: None,
            fix: None,
        });
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    /// The diagnostics reported so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every credential the secret scanner finds in `source`, the file this sink collects for:
    /// scanned on the first call only, so the file is searched once however many ask.
    pub fn secrets(&mut self, source: &SourceFile) -> &[SecretMatch<'static>] {
        self.secrets
            .get_or_insert_with(|| crate::secrets::scanner().scan(source.text()))
    }
}

/// Whether a rule name mentions a secret (`hardcoded-secret`, `env-credential`): the default of
/// [`RuleMeta::sensitive`], so that a rule about credentials is masked even if its author forgot
/// to say so.
#[doc(hidden)]
pub const fn name_mentions_secret(name: &str) -> bool {
    const WORDS: [&str; 4] = ["secret", "credential", "password", "token"];
    let name = name.as_bytes();
    let mut w = 0;
    while w < WORDS.len() {
        let word = WORDS[w].as_bytes();
        let mut start = 0;
        while start + word.len() <= name.len() {
            let mut i = 0;
            while i < word.len() && name[start + i] == word[i] {
                i += 1;
            }
            if i == word.len() {
                return true;
            }
            start += 1;
        }
        w += 1;
    }
    false
}
