//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
//!
//! The log has one run. Its `tool.driver` describes plimsoll and lists rules as
//! `reportingDescriptor`s: `id` is the rule id (`GHA001`), `name` the rule name in PascalCase
//! (`ContinueOnError`, as the SARIF validator recommends), `shortDescription` the rule summary,
//! `fullDescription` the "What it does" section of its documentation, `help` the whole
//! documentation (Markdown, also given as text), `defaultConfiguration.level` its default
//! severity and `properties.tags` its domain (plus `strict` for strict-only rules). Security
//! audits also carry the `security` tag and `properties.security-severity`, a CVSS-like score
//! (a string, 0.0 to 10.0) that GitHub code scanning shows as Critical, High, Medium or Low
//! ([`plimsoll_check::security`]). `helpUri` is the rule's section of `docs/rules.md` in the
//! repository (`…/blob/main/docs/rules.md#continue-on-error`).
//!
//! Each result has `ruleId`, `ruleIndex` (into the driver's rules), `level` (the effective
//! severity: `error`, `warning` or `note`), `message.text`, one location and
//! `partialFingerprints.primaryLocationLineHash`, which GitHub uses to follow an alert across
//! runs. It is the finding's fingerprint; when several results of a run share one, the second
//! and later get `:2`, `:3`, … appended so that GitHub keeps them apart.
//!
//! Locations are `physicalLocation`s. A relative path becomes a relative URI reference with
//! `uriBaseId` `%SRCROOT%`; an absolute one becomes a `file://` URI. Characters outside the
//! URI path syntax (spaces, `%`, `#`, `?`, non-ASCII, and `:` in a relative path) are
//! percent-encoded, UTF-8 bytewise. Regions use UTF-16 code-unit columns: the run declares
//! `columnKind: "utf16CodeUnits"`, SARIF's default. `endLine`/`endColumn` are left out when the
//! finding is an empty span (a position rather than text), since SARIF would read an equal
//! `endColumn` as an insertion point; a finding without a span has only `startLine: 1`, which
//! GitHub requires. No source text (`snippet`) is included, so nothing sensitive in a flagged
//! line is copied into the log.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plimsoll_check::{CheckReport, Finding, RuleMeta, Severity};
use plimsoll_syntax::SourceFile;
use serde::Serialize;

use crate::paths::display_path;
use crate::{ReportError, TOOL_NAME};

/// The `$schema` written in the log: the OASIS SARIF 2.1.0 schema (errata 01).
pub const SARIF_SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF version written in the log.
pub const SARIF_VERSION: &str = "2.1.0";

/// `tool.driver.informationUri`: plimsoll's repository.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The rules reference, to which each rule's `helpUri` adds its name as the anchor.
pub const RULES_DOC_URI: &str = plimsoll_check::RULES_DOC_URI;

/// The `uriBaseId` of relative artifact locations: the root of the checked-out sources.
pub const SRCROOT: &str = "%SRCROOT%";

/// Render `report` as a pretty-printed SARIF 2.1.0 log ending with a newline.
///
/// `tool_version` is the plimsoll version (`tool.driver.version` and `semanticVersion`).
/// `rules` are the rules described in `tool.driver.rules`, in that order: pass every rule
/// (`plimsoll_check::registry::all().collect::<Vec<_>>()`) for a self-describing log, or an
/// empty slice to describe only the rules that have results. Rules that have results but are
/// missing from `rules` are appended, so every `ruleIndex` is valid; duplicates (by id) are
/// described once.
///
/// # Errors
///
/// [`ReportError::Serialize`] if serialisation fails, which the types used here do not do.
pub fn render(
    report: &CheckReport,
    tool_version: &str,
    rules: &[&RuleMeta],
) -> Result<String, ReportError> {
    crate::to_string(|out| write(report, tool_version, rules, out))
}

/// Write `report` to `out` as the SARIF log [`render`] returns, one result at a time (nothing
/// proportional to the number of findings is built first).
///
/// # Errors
///
/// [`ReportError::Io`] if `out` fails; [`ReportError::Serialize`] if serialisation fails, which
/// the types used here do not do.
pub fn write(
    report: &CheckReport,
    tool_version: &str,
    rules: &[&RuleMeta],
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    let mut described: Vec<&RuleMeta> = Vec::with_capacity(rules.len());
    let mut index: HashMap<&str, usize> = HashMap::new();
    let finding_rules = report.findings.iter().map(|f| f.rule);
    for rule in rules.iter().copied().chain(finding_rules) {
        if !index.contains_key(rule.id) {
            index.insert(rule.id, described.len());
            described.push(rule);
        }
    }

    let log = Log {
        schema: SARIF_SCHEMA_URI,
        version: SARIF_VERSION,
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    information_uri: INFORMATION_URI,
                    version: tool_version,
                    semantic_version: tool_version,
                    rules: described.into_iter().map(descriptor).collect(),
                },
            },
            results: Results {
                findings: &report.findings,
                sources: &report.sources,
                rule_index: index,
            },
            column_kind: "utf16CodeUnits",
            properties: RunProperties {
                configuration_files: crate::json::config_files(report),
            },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The results of a run, serialised as they are visited.
struct Results<'a> {
    findings: &'a [Finding],
    /// The text of each file with findings, for the regions of fixes.
    sources: &'a HashMap<PathBuf, Arc<SourceFile>>,
    /// Each rule's index in `tool.driver.rules`.
    rule_index: HashMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // How many results so far share a (path, rule, fingerprint): the second and later get
        // `:N` appended so that GitHub keeps them apart.
        let mut seen: HashMap<(&Path, &str, &str), usize> = HashMap::new();
        serializer.collect_seq(self.findings.iter().map(|finding| {
            let occurrence = seen
                .entry((
                    finding.location.path.as_path(),
                    finding.rule.id,
                    finding.fingerprint.as_str(),
                ))
                .or_insert(0);
            *occurrence += 1;
            let fingerprint = if *occurrence == 1 {
                finding.fingerprint.clone()
            } else {
                format!("{}:{occurrence}", finding.fingerprint)
            };
            let mut result = result(
                finding,
                self.rule_index
                    .get(finding.rule.id)
                    .copied()
                    .unwrap_or_default(),
                fingerprint,
            );
            result.fixes = fixes(finding, self.sources);
            result
        }))
    }
}

/// The SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn descriptor(rule: &RuleMeta) -> ReportingDescriptor {
    let doc = dedent(rule.doc);
    let full = section(&doc, "What it does").unwrap_or_else(|| rule.summary.to_string());
    let mut tags = vec![rule.domain.as_str()];
    if rule.strict_only {
        tags.push("strict");
    }
    let security_severity = plimsoll_check::security::security_severity(rule.name);
    if security_severity.is_some() {
        tags.push("security");
    }
    ReportingDescriptor {
        id: rule.id,
        name: pascal_case(rule.name),
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text { text: full },
        help_uri: rule.doc_uri(),
        help: Help {
            text: doc.clone(),
            markdown: doc,
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: Properties {
            tags,
            security_severity,
        },
    }
}

fn result(finding: &Finding, rule_index: usize, fingerprint: String) -> SarifResult<'_> {
    let location = &finding.location;
    let region = if location.span.is_none() {
        Region {
            start_line: location.start.line,
            start_column: None,
            end_line: None,
            end_column: None,
        }
    } else if location.end.line == location.start.line && location.end_utf16 <= location.start_utf16
    {
        Region {
            start_line: location.start.line,
            start_column: Some(location.start_utf16),
            end_line: None,
            end_column: None,
        }
    } else {
        Region {
            start_line: location.start.line,
            start_column: Some(location.start_utf16),
            end_line: Some(location.end.line),
            end_column: Some(location.end_utf16),
        }
    };
    SarifResult {
        fixes: Vec::new(),
        rule_id: finding.rule.id,
        rule_index,
        level: level(finding.severity),
        message: Message {
            text: &finding.message,
        },
        locations: [ResultLocation {
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(&location.path),
                region,
            },
        }],
        partial_fingerprints: PartialFingerprints {
            primary_location_line_hash: fingerprint,
        },
    }
}

/// Where the file at `path` is, as SARIF names an artifact: relative to the sources' root, or a
/// `file://` URI when absolute.
fn artifact_location(path: &Path) -> ArtifactLocation {
    let shown = display_path(path);
    if path.is_absolute() {
        ArtifactLocation {
            uri: file_uri(&shown),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode_uri_path(&shown, false),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// The `fixes` of a result: the finding's fix, each edit a replacement of a region (columns in
/// UTF-16 code units, as the run's `columnKind` says).
fn fixes<'a>(
    finding: &'a Finding,
    sources: &HashMap<PathBuf, Arc<SourceFile>>,
) -> Vec<SarifFix<'a>> {
    let (Some(fix), Some(source)) = (finding.fix.as_ref(), sources.get(&finding.location.path))
    else {
        return Vec::new();
    };
    let replacements = fix
        .edits
        .iter()
        .map(|edit| {
            let start = source.line_col_utf16(edit.span.start);
            let end = source.line_col_utf16(edit.span.end);
            Replacement {
                deleted_region: Region {
                    start_line: start.line,
                    start_column: Some(start.column),
                    end_line: Some(end.line),
                    end_column: Some(end.column),
                },
                inserted_content: (!edit.replacement.is_empty()).then(|| Message {
                    text: &edit.replacement,
                }),
            }
        })
        .collect();
    vec![SarifFix {
        description: Message { text: &fix.message },
        artifact_changes: [ArtifactChange {
            artifact_location: artifact_location(&finding.location.path),
            replacements,
        }],
    }]
}

/// A `file://` URI for an absolute path written with forward slashes (`/a/b`, `C:/a/b`).
fn file_uri(path: &str) -> String {
    let encoded = encode_uri_path(path, true);
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// Percent-encode the bytes of `path` that may not appear in a URI path. `:` is encoded unless
/// `allow_colon` (a relative reference whose first segment held a `:` would read as a scheme).
fn encode_uri_path(path: &str, allow_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            )
            || (allow_colon && byte == b':');
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `kebab-case` as `PascalCase`.
fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// A rule's documentation without the one leading space each doc-comment line carries.
fn dedent(doc: &str) -> String {
    let lines: Vec<&str> = doc.lines().collect();
    let indented = lines
        .iter()
        .all(|line| line.is_empty() || line.starts_with(' '));
    let text: Vec<&str> = if indented {
        lines
            .iter()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect()
    } else {
        lines
    };
    text.join("\n").trim().to_string()
}

/// The paragraphs of the Markdown section headed `## {title}`, each on one line.
fn section(doc: &str, title: &str) -> Option<String> {
    let heading = format!("## {title}");
    let start = doc.lines().position(|line| line.trim() == heading)?;
    let body: Vec<&str> = doc
        .lines()
        .skip(start + 1)
        .take_while(|line| !line.starts_with("## "))
        .collect();
    let text = body
        .join("\n")
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|paragraph| !paragraph.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then_some(text)
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Results<'a>,
    column_kind: &'static str,
    properties: RunProperties,
}

/// The run's property bag: the configuration files its settings came from.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    configuration_files: Vec<String>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    information_uri: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help_uri: String,
    help: Help,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: [ResultLocation; 1],
    partial_fingerprints: PartialFingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<Message<'a>>,
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartialFingerprints {
    primary_location_line_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            encode_uri_path(".github/workflows/ci.yml", false),
            ".github/workflows/ci.yml"
        );
        assert_eq!(
            encode_uri_path("a b/c#d?e%f:g", false),
            "a%20b/c%23d%3Fe%25f%3Ag"
        );
        assert_eq!(
            encode_uri_path("déjà/🚀.yml", false),
            "d%C3%A9j%C3%A0/%F0%9F%9A%80.yml"
        );
        assert_eq!(file_uri("/home/me/x y.yml"), "file:///home/me/x%20y.yml");
        assert_eq!(file_uri("C:/work/ci.yml"), "file:///C:/work/ci.yml");
    }

    #[test]
    fn rule_names_become_pascal_case() {
        assert_eq!(pascal_case("continue-on-error"), "ContinueOnError");
        assert_eq!(pascal_case("parse-error"), "ParseError");
        assert_eq!(pascal_case("x"), "X");
    }

    #[test]
    fn descriptions_come_from_the_documentation() {
        let doc = " ## What it does\n Flags a thing\n on two lines.\n\n Second paragraph.\n\n ## Why is this bad?\n Because.\n";
        let text = dedent(doc);
        assert!(text.starts_with("## What it does\nFlags a thing"));
        assert_eq!(
            section(&text, "What it does").as_deref(),
            Some("Flags a thing on two lines.\n\nSecond paragraph.")
        );
        assert_eq!(section(&text, "Example"), None);
    }
}
