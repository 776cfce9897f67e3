//! The renderers on real reports: workflows written to a temporary directory and checked by
//! `plimsoll_check::check`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use plimsoll_check::config::{Overrides, Settings};
use plimsoll_check::{registry, CheckReport, Finding, RuleMeta};
use plimsoll_report::human::{self, HumanOptions};
use plimsoll_report::{github, json, sarif};
use serde_json::Value;

/// The rules these tests exercise; every other rule is disabled so that rules added later do
/// not change the outputs.
const RULES: &[&str] = &["continue-on-error", "parse-error", "unused-suppression"];

/// Lines 6 and 8 have findings; line 8 has an emoji (two UTF-16 code units, two terminal
/// columns) and an accented letter before the finding.
const CI: &str = r#"name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps:
      - { name: "🚀 Déployer", run: echo hi, continue-on-error: true }
"#;

/// A note on line 12 (two-digit gutter) and an unused suppression (a warning) on line 7.
const NIGHTLY: &str = r#"name: Nightly
on:
  schedule:
    - cron: "0 3 * * *"
jobs:
  build:
    # plimsoll: ignore[continue-on-error] kept from an old job
    runs-on: ubuntu-latest
    strategy:
      matrix:
        experimental: [false, true]
    continue-on-error: ${{ matrix.experimental }}
    steps:
      - run: cargo build
"#;

/// A tab before the finding, in a flow mapping.
const TABS: &str =
    "on: push\njobs:\n  t: {runs-on: x,\tcontinue-on-error: true, steps: [{run: a}]}\n";

/// A YAML syntax error: a finding at a position.
const BROKEN: &str = "on: push\njobs:\n  x: [unclosed\n";

/// A file that cannot be a workflow: a finding without a span.
const BINARY: &[u8] = b"on: push\0\n";

/// Write `files` under a fresh directory, check it, and return the report with paths made
/// relative to that directory (so outputs do not depend on where it was created).
fn check(files: &[(&str, &[u8])]) -> CheckReport {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    let overrides = Overrides {
        isolated: true,
        disable: registry::all()
            .map(|rule| rule.name)
            .filter(|name| !RULES.contains(name))
            .map(String::from)
            .collect(),
        ..Overrides::default()
    };
    let settings = Settings::load(dir.path(), &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[dir.path().to_path_buf()], &settings).unwrap();
    relativize(report, dir.path())
}

fn relativize(report: CheckReport, root: &Path) -> CheckReport {
    let relative = |path: &Path| -> PathBuf { path.strip_prefix(root).unwrap().to_path_buf() };
    CheckReport {
        findings: report
            .findings
            .into_iter()
            .map(|mut finding| {
                finding.location.path = relative(&finding.location.path);
                finding
            })
            .collect(),
        files_checked: report.files_checked,
        sources: report
            .sources
            .into_iter()
            .map(|(path, source)| (relative(&path), source))
            .collect::<HashMap<_, _>>(),
        secrets: report
            .secrets
            .into_iter()
            .map(|(path, spans)| (relative(&path), spans))
            .collect::<HashMap<_, _>>(),
        ..CheckReport::default()
    }
}

fn mixed_report() -> CheckReport {
    check(&[
        (".github/workflows/ci.yml", CI.as_bytes()),
        (".github/workflows/nightly.yml", NIGHTLY.as_bytes()),
        (".github/workflows/tabs.yml", TABS.as_bytes()),
        (".github/workflows/broken.yml", BROKEN.as_bytes()),
        (".github/workflows/binary.yml", BINARY),
    ])
}

/// The finding on the line with the emoji.
fn emoji_finding(report: &CheckReport) -> &Finding {
    report
        .findings
        .iter()
        .find(|f| f.location.path.ends_with("ci.yml") && f.location.start.line == 8)
        .unwrap()
}

/// Every way `instance` breaks the schema at `schema_path`, formats included.
fn schema_errors(schema_path: &str, instance: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

fn validate(schema_path: &str, instance: &Value) {
    let errors = schema_errors(schema_path, instance);
    assert!(
        errors.is_empty(),
        "invalid against {schema_path}: {errors:#?}"
    );
}

/// Whether `value` is a string in the `uri-reference` format (RFC 3986).
fn is_uri_reference(value: &Value) -> bool {
    let schema = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "string",
        "format": "uri-reference"
    });
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    validator.is_valid(value)
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("\x1b[") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('m').unwrap();
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_fixture_exercises_every_case() {
    let report = mixed_report();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.name).collect();
    assert!(RULES.iter().all(|r| rules.contains(r)), "{rules:?}");
    assert!(report.findings.iter().any(|f| f.location.span.is_none()));
    assert!(report
        .findings
        .iter()
        .any(|f| f.location.span.is_some_and(|s| s.is_empty())));
    let emoji = emoji_finding(&report);
    assert_eq!(emoji.location.start_utf16, emoji.location.start.column + 1);
}

#[test]
fn human_output() {
    let report = mixed_report();
    insta::assert_snapshot!("human", human::render(&report, &HumanOptions::default()));
}

#[test]
fn human_output_in_colour_is_the_same_text_with_ansi_styles() {
    let report = mixed_report();
    let plain = human::render(&report, &HumanOptions { color: false });
    let colour = human::render(&report, &HumanOptions { color: true });
    assert!(!plain.contains('\x1b'));
    assert!(colour.contains("\x1b[1;31merror[GHA001/continue-on-error]\x1b[0m\x1b[1m: job `test`"));
    assert!(colour.contains("\x1b[1;33mwarning[PLM002/unused-suppression]\x1b[0m"));
    assert!(colour.contains("\x1b[1;36mnote[GHA001/continue-on-error]\x1b[0m"));
    assert!(colour.contains("\x1b[1;34m-->\x1b[0m"));
    assert_eq!(strip_ansi(&colour), plain);
}

#[test]
fn human_output_without_findings_is_empty() {
    let clean = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n";
    let report = check(&[(".github/workflows/ci.yml", clean.as_bytes())]);
    assert_eq!(report.files_checked, 1);
    assert_eq!(human::render(&report, &HumanOptions::default()), "");
    assert_eq!(github::render(&report), "");
}

#[test]
fn github_output() {
    let report = mixed_report();
    insta::assert_snapshot!("github", github::render(&report));
}

#[test]
fn json_output_follows_its_schema() {
    let report = mixed_report();
    let text = json::render(&report, "1.2.3").unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    validate("schema/plimsoll-check-v1.schema.json", &value);

    assert_eq!(value["version"], 1);
    assert_eq!(
        value["tool"],
        serde_json::json!({"name": "plimsoll", "version": "1.2.3"})
    );
    assert_eq!(
        value["summary"],
        serde_json::json!({"files_checked": 5, "findings": 7, "errors": 5, "warnings": 1, "notes": 1, "lowered_test_data": 0, "lowered_examples": 0, "lowered_fuzzing_images": 0})
    );
    let findings = value["findings"].as_array().unwrap();
    assert_eq!(findings.len(), report.findings.len());
    for (json, finding) in findings.iter().zip(&report.findings) {
        assert_eq!(json["rule"]["id"], finding.rule.id);
        assert_eq!(json["severity"], finding.severity.as_str());
        assert_eq!(json["fingerprint"], finding.fingerprint.as_str());
        assert!(json["path"]
            .as_str()
            .unwrap()
            .starts_with(".github/workflows/"));
    }
    // Character columns: the emoji counts as one.
    let emoji = emoji_finding(&report);
    let json = findings
        .iter()
        .find(|f| f["path"] == ".github/workflows/ci.yml" && f["start"]["line"] == 8)
        .unwrap();
    assert_eq!(json["start"]["column"], emoji.location.start.column);
    assert_eq!(json["end"]["column"], emoji.location.end.column);
    let line = CI.lines().nth(7).unwrap();
    let byte = line.find("continue-on-error").unwrap();
    assert_eq!(json["start"]["column"], line[..byte].chars().count() + 1);
}

#[test]
fn sarif_output_is_valid_sarif_for_github() {
    let report = mixed_report();
    let all: Vec<&RuleMeta> = registry::all().collect();
    let text = sarif::render(&report, "1.2.3", &all).unwrap();
    let log: Value = serde_json::from_str(&text).unwrap();
    validate("tests/data/sarif-schema-2.1.0.json", &log);

    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "plimsoll");
    assert_eq!(driver["version"], "1.2.3");
    assert_eq!(driver["semanticVersion"], "1.2.3");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), all.len());
    let coe = rules.iter().find(|r| r["id"] == "GHA001").unwrap();
    assert_eq!(coe["name"], "ContinueOnError");
    assert_eq!(coe["defaultConfiguration"]["level"], "error");
    assert!(coe["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Flags `continue-on-error: true`"));
    assert!(coe["help"]["markdown"]
        .as_str()
        .unwrap()
        .starts_with("## What it does\n"));
    assert_eq!(
        coe["properties"]["tags"],
        serde_json::json!(["github-actions"])
    );
    assert!(coe["properties"].get("security-severity").is_none());
    // Security audits carry what code scanning ranks alerts by.
    let injection = rules.iter().find(|r| r["id"] == "GHA012").unwrap();
    assert_eq!(
        injection["properties"]["tags"],
        serde_json::json!(["github-actions", "security"])
    );
    assert_eq!(injection["properties"]["security-severity"], "9.0");
    // Every rule links to its section of the rules reference, whose headings are the names.
    let reference = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"),
    )
    .unwrap();
    for rule in rules {
        let name = all
            .iter()
            .find(|meta| meta.id == rule["id"])
            .map(|meta| meta.name)
            .unwrap();
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/plimsoll-dev/plimsoll/blob/main/docs/rules.md#{name}")
        );
        assert!(
            reference.contains(&format!("\n## {name}\n")),
            "no section for {name}"
        );
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    for (result, finding) in results.iter().zip(&report.findings) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], finding.rule.id);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert!(artifact["uri"]
            .as_str()
            .unwrap()
            .starts_with(".github/workflows/"));
        assert_eq!(
            result["partialFingerprints"]["primaryLocationLineHash"],
            finding.fingerprint.as_str()
        );
        match finding.location.span {
            None => assert_eq!(region, &serde_json::json!({"startLine": 1})),
            Some(span) if span.is_empty() => {
                assert!(region.get("endColumn").is_none() && region.get("endLine").is_none());
            }
            Some(_) => {
                let same_line = region["startLine"] == region["endLine"];
                assert!(
                    !same_line || region["endColumn"].as_u64() > region["startColumn"].as_u64()
                );
            }
        }
    }
    let uris: Vec<Value> = results
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone())
        .collect();
    assert!(uris.iter().all(is_uri_reference), "{uris:?}");
    // UTF-16 columns: the emoji counts as two.
    let emoji = emoji_finding(&report);
    let result = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == ".github/workflows/ci.yml"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
        })
        .unwrap();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], emoji.location.start.column + 1);
    assert_eq!(region["endColumn"], emoji.location.end.column + 1);
}

#[test]
fn sarif_output_without_findings_describes_the_rules_given() {
    let report = check(&[(
        ".github/workflows/ci.yml",
        b"on: push\njobs: {}\n".as_slice(),
    )]);
    let text = sarif::render(&report, "0.1.0", &[]).unwrap();
    let log: Value = serde_json::from_str(&text).unwrap();
    validate("tests/data/sarif-schema-2.1.0.json", &log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"],
        serde_json::json!([])
    );
}

#[test]
fn sarif_keeps_findings_with_the_same_fingerprint_apart() {
    let twins = r#"on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: Test
        run: cargo test
        continue-on-error: true
  b:
    runs-on: ubuntu-latest
    steps:
      - name: Test
        run: cargo test
        continue-on-error: true
"#;
    let report = check(&[(".github/workflows/twins.yml", twins.as_bytes())]);
    assert_eq!(report.findings.len(), 2);
    assert_eq!(
        report.findings[0].fingerprint,
        report.findings[1].fingerprint
    );
    // Only the rules with results are described when none are given.
    let log: Value = serde_json::from_str(&sarif::render(&report, "0.1.0", &[]).unwrap()).unwrap();
    validate("tests/data/sarif-schema-2.1.0.json", &log);
    let fingerprint = &report.findings[0].fingerprint;
    let hashes: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["partialFingerprints"]["primaryLocationLineHash"])
        .collect();
    assert_eq!(
        hashes,
        [
            &Value::from(fingerprint.as_str()),
            &Value::from(format!("{fingerprint}:2"))
        ]
    );
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn sarif_uris_for_absolute_paths_are_file_uris() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my workflows/ci.yml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, CI).unwrap();
    let settings = Settings::load(
        &path,
        &|_| None,
        &Overrides {
            isolated: true,
            ..Overrides::default()
        },
    )
    .unwrap();
    let report = plimsoll_check::check(std::slice::from_ref(&path), &settings).unwrap();
    assert!(!report.findings.is_empty());
    let log: Value = serde_json::from_str(&sarif::render(&report, "0.1.0", &[]).unwrap()).unwrap();
    validate("tests/data/sarif-schema-2.1.0.json", &log);
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(is_uri_reference(&artifact["uri"]));
    let uri = artifact["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/my%20workflows/ci.yml"),
        "{uri}"
    );
    assert!(artifact.get("uriBaseId").is_none());
}

#[test]
fn the_documented_example_follows_the_schema() {
    let doc = std::fs::read_to_string("../../docs/json-output.md").unwrap();
    let start = doc.find("```json\n").unwrap() + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let example: Value = serde_json::from_str(&doc[start..end]).unwrap();
    validate("schema/plimsoll-check-v1.schema.json", &example);
}

#[test]
fn every_rule_fits_the_schema() {
    let schema: Value = serde_json::from_str(json::SCHEMA).unwrap();
    let rule = &schema["$defs"]["finding"]["properties"]["rule"];
    let validator = jsonschema::validator_for(rule).unwrap();
    for meta in registry::all() {
        let instance = serde_json::json!({"id": meta.id, "name": meta.name});
        assert!(validator.is_valid(&instance), "{instance}");
    }
}

#[test]
fn the_validators_reject_broken_documents() {
    let report = mixed_report();
    let sarif_schema = "tests/data/sarif-schema-2.1.0.json";
    let log: Value = serde_json::from_str(&sarif::render(&report, "1.2.3", &[]).unwrap()).unwrap();
    let mut broken = log.clone();
    broken["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["region"]["startColumn"] =
        0.into();
    assert_eq!(schema_errors(sarif_schema, &broken).len(), 1);
    // jsonschema checks `uri-reference` only from draft 6 on, and the SARIF schema is draft 4:
    // `is_uri_reference` checks the URIs.
    assert!(!is_uri_reference(&Value::from("a b\\c")));
    assert!(is_uri_reference(&Value::from("a%20b/c")));

    let json_schema = "schema/plimsoll-check-v1.schema.json";
    let output: Value = serde_json::from_str(&json::render(&report, "1.2.3").unwrap()).unwrap();
    let mut broken = output.clone();
    broken["findings"][0]["severity"] = "fatal".into();
    assert_eq!(schema_errors(json_schema, &broken).len(), 1);
    let mut broken = output;
    broken["findings"][0]["start"]["column"] = 0.into();
    broken["findings"][0]["extra"] = true.into();
    assert_eq!(schema_errors(json_schema, &broken).len(), 2);
}

#[test]
fn a_finding_with_a_fix_follows_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nRUN apk add curl\nUSER 1000\n",
    )
    .unwrap();
    let overrides = Overrides {
        isolated: true,
        ..Overrides::default()
    };
    let settings = Settings::load(dir.path(), &|_| None, &overrides).unwrap();
    let report = plimsoll_check::check(&[dir.path().to_path_buf()], &settings).unwrap();
    let value: Value = serde_json::from_str(&json::render(&report, "1.2.3").unwrap()).unwrap();
    validate("schema/plimsoll-check-v1.schema.json", &value);
    let fixes: Vec<&Value> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|finding| finding.get("fix"))
        .collect();
    assert_eq!(fixes.len(), 1, "{value:#}");
    assert_eq!(fixes[0]["edits"][0]["replacement"], " --no-cache");
}
