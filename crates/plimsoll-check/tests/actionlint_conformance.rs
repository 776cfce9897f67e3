//! Conformance with actionlint's test data (`../shared/conformance/actionlint/testdata`, next to
//! the workspace; the test is skipped when it is absent).
//!
//! - `ok/`: files actionlint accepts must give none of the findings of plimsoll's
//!   well-formedness rules (parse errors, unknown keys, events, needs, step ids, matrices,
//!   expressions).
//! - `err/` and `examples/`: each `X.yaml` comes with `X.out`, actionlint's expected errors
//!   (`test.yaml:LINE:COL: MESSAGE [kind]`, or the same as a `/regex/`). Kinds are mapped to
//!   plimsoll rules, and a table says, per kind, how many expected lines plimsoll reports on
//!   the same line and how many lines plimsoll reports that actionlint does not. Floors on the
//!   agreement catch regressions.
//! - `../shared/corpus/real`: the real workflows and composite actions listed in its
//!   `MANIFEST.tsv` get no well-formedness finding beyond a few known, genuine mistakes.
//!
//! Run with `cargo test -p plimsoll-check --test actionlint_conformance -- --nocapture` to see
//! the table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use plimsoll_check::config::{Overrides, Settings};

/// The rules whose findings an actionlint-clean file must not have.
const WELL_FORMEDNESS: &[&str] = &[
    "parse-error",
    "unknown-key",
    "invalid-event",
    "invalid-needs",
    "duplicate-step-id",
    "empty-matrix",
    "invalid-expression",
];

/// `ok/` files that legitimately get one of those findings, with why.
const OK_ALLOWED: &[(&str, &str)] = &[
    // None so far: every `ok/` file is clean. Add `("file.yaml", "why")` only for a file
    // plimsoll legitimately cannot accept.
];

/// A plimsoll finding, reduced to what the comparison needs.
#[derive(Clone, Debug)]
struct Found {
    rule: &'static str,
    line: usize,
    message: String,
}

/// An expected actionlint error.
#[derive(Clone, Debug)]
struct Expected {
    line: usize,
    message: String,
    kind: String,
}

/// One row of the table: an actionlint kind (narrowed to the messages in scope) and the rule
/// that covers it.
struct Mapping {
    label: &'static str,
    kind: &'static str,
    rule: &'static str,
    in_scope: fn(&str) -> bool,
    /// Lowest acceptable share of in-scope lines plimsoll agrees with (0 to 1): what was
    /// measured when the rules were written, less a margin. Rows with nothing in scope
    /// (actionlint has no empty-matrix case) have no floor.
    floor: f64,
}

const MAPPINGS: &[Mapping] = &[
    Mapping {
        label: "syntax-check: unexpected/duplicate key",
        kind: "syntax-check",
        rule: "unknown-key",
        in_scope: |m| {
            m.contains("unexpected key")
                || m.contains("is duplicated")
                || (m.starts_with("expected \"") && m.contains("\" key for"))
        },
        floor: 0.90,
    },
    Mapping {
        label: "syntax-check: empty matrix",
        kind: "syntax-check",
        rule: "empty-matrix",
        in_scope: |m| m.contains("\"matrix\"") && m.contains("empty"),
        floor: 0.0,
    },
    Mapping {
        label: "events: unknown event, bad cron",
        kind: "events",
        rule: "invalid-event",
        in_scope: |m| m.contains("unknown Webhook event") || m.contains("invalid CRON format"),
        floor: 0.90,
    },
    Mapping {
        label: "job-needs",
        kind: "job-needs",
        rule: "invalid-needs",
        in_scope: |m| m.contains("cyclic dependencies") || m.contains("does not exist"),
        floor: 0.90,
    },
    Mapping {
        label: "id: duplicate step id",
        kind: "id",
        rule: "duplicate-step-id",
        in_scope: |m| m.contains("duplicates"),
        floor: 0.90,
    },
    Mapping {
        label: "expression: syntax, functions, contexts",
        kind: "expression",
        rule: "invalid-expression",
        in_scope: |m| {
            m.contains("while lexing")
                || m.contains("while parsing")
                || m.contains("unexpected end of input")
                || m.contains("undefined function")
                || m.contains("undefined variable")
                || m.contains("unexpected token")
        },
        floor: 0.90,
    },
    Mapping {
        label: "matrix: empty",
        kind: "matrix",
        rule: "empty-matrix",
        in_scope: |m| m.contains("empty"),
        floor: 0.0,
    },
    Mapping {
        label: "deprecated-commands",
        kind: "deprecated-commands",
        rule: "deprecated-workflow-command",
        in_scope: |_| true,
        floor: 0.90,
    },
    Mapping {
        label: "action: outdated action",
        kind: "action",
        rule: "deprecated-action",
        in_scope: |m| m.contains("too old"),
        floor: 0.90,
    },
    Mapping {
        label: "permissions: invalid value",
        kind: "permissions",
        rule: "invalid-permission",
        in_scope: |m| m.contains("is invalid as permission"),
        floor: 0.90,
    },
    Mapping {
        label: "permissions: unknown scope",
        kind: "permissions",
        rule: "unknown-key",
        in_scope: |m| m.contains("unknown permission scope"),
        floor: 0.90,
    },
    Mapping {
        label: "action: malformed uses",
        kind: "action",
        rule: "invalid-uses",
        // A missing ref is `unpinned-action`'s.
        in_scope: |m| m.contains("invalid format") && !m.contains("ref is missing"),
        floor: 0.90,
    },
    Mapping {
        label: "credentials: hardcoded password",
        kind: "credentials",
        rule: "hardcoded-container-credentials",
        in_scope: |m| m.contains("should be specified via secrets"),
        floor: 0.90,
    },
    Mapping {
        label: "glob: invalid filter pattern",
        kind: "glob",
        rule: "invalid-filter-pattern",
        // `[x]` works (it is only longer than `x`): a style remark, not a fault.
        in_scope: |m| !m.contains("character match with single character is useless"),
        floor: 0.90,
    },
    Mapping {
        label: "runner-label: hosted image, conflict",
        kind: "runner-label",
        rule: "unknown-runner-label",
        // Unknown labels of other shapes may be self-hosted runners' (plimsoll reads no
        // actionlint.yaml): only labels shaped as GitHub-hosted images are in scope.
        in_scope: |m| m.contains("conflicts with label") || names_hosted_image(m),
        floor: 0.90,
    },
    Mapping {
        label: "env-var: invalid name",
        kind: "env-var",
        rule: "invalid-env-name",
        in_scope: |_| true,
        floor: 0.90,
    },
];

/// Whether an actionlint `label "X" is unknown` message names a label of the form of a
/// GitHub-hosted image (`ubuntu-…`, `windows-…`, `macos-…` and a version).
fn names_hosted_image(message: &str) -> bool {
    let Some(label) = message.split('"').nth(1) else {
        return false;
    };
    message.contains("is unknown")
        && ["ubuntu-", "windows-", "macos-"].iter().any(|os| {
            label.strip_prefix(os).is_some_and(|version| {
                version.starts_with(|c: char| c.is_ascii_digit()) || version == "latest"
            })
        })
}

fn testdata() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/actionlint/testdata");
    dir.is_dir().then_some(dir)
}

/// YAML files of `dir`, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn check(path: &Path) -> Vec<Found> {
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Default::default()
    };
    let settings = Settings::load(path, &|_| None, &overrides).expect("settings");
    let report = plimsoll_check::check(&[path.to_path_buf()], &settings).expect("check");
    report
        .findings
        .iter()
        .map(|f| Found {
            rule: f.rule.name,
            line: f.location.start.line,
            message: f.message.clone(),
        })
        .collect()
}

/// Parse one line of a `.out` file.
fn parse_expected(line: &str) -> Option<Expected> {
    let line = line.trim();
    let (text, regex) = match line.strip_prefix('/').and_then(|l| l.strip_suffix('/')) {
        Some(inner) => (inner.to_string(), true),
        None => (line.to_string(), false),
    };
    let text = if regex {
        text.replace("\\.", ".")
            .replace("\\[", "[")
            .replace("\\]", "]")
    } else {
        text
    };
    let rest = text.strip_prefix("test.yaml:")?;
    let (line_no, rest) = rest.split_once(':')?;
    let (_column, rest) = rest.split_once(':')?;
    let rest = rest.trim();
    // A few regex lines leave the kind out (`label "macos-12" is unknown\. .+`): the error is
    // still expected on that line, of no kind the table counts.
    let (message, kind) = match rest.rfind('[').filter(|_| rest.ends_with(']')) {
        Some(open) => (&rest[..open], rest[open + 1..].trim_end_matches(']')),
        None => (rest, ""),
    };
    Some(Expected {
        line: line_no.parse().ok()?,
        message: message.trim().to_string(),
        kind: kind.to_string(),
    })
}

/// Double-quoted names in an actionlint message (`job "bar" needs job "unknown"`).
/// For a cycle, only the jobs of the cycle.
fn quoted_names(message: &str) -> Vec<&str> {
    let message = match message.split_once("detected cycle is") {
        Some((_, cycle)) => cycle,
        None => message,
    };
    message.split('"').skip(1).step_by(2).collect()
}

/// Whether `found` reports what `expected` reports: on the same line; for `job-needs`, which
/// actionlint puts on the job's key while plimsoll points at the `needs` entry, a finding that
/// names the same jobs also counts.
fn agrees(expected: &Expected, found: &Found) -> bool {
    if found.line == expected.line {
        return true;
    }
    if expected.kind == "job-needs" {
        let names = quoted_names(&expected.message);
        return !names.is_empty()
            && names.iter().all(|name| {
                found.message.contains(&format!("`{name}`")) || found.message.contains(name)
            });
    }
    false
}

#[derive(Default)]
struct Row {
    expected: usize,
    in_scope: usize,
    agreed: usize,
    extra: usize,
}

#[test]
fn actionlint_ok_files_are_clean() {
    let Some(testdata) = testdata() else {
        println!("skipped: ../shared/conformance/actionlint not found");
        return;
    };
    let mut offenders = Vec::new();
    let mut checked = 0;
    for path in yaml_files(&testdata.join("ok")) {
        checked += 1;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let allowed = OK_ALLOWED.iter().any(|(file, _)| *file == name);
        for found in check(&path) {
            if WELL_FORMEDNESS.contains(&found.rule) && !allowed {
                offenders.push(format!(
                    "ok/{name}:{}: {} {}",
                    found.line, found.rule, found.message
                ));
            }
        }
    }
    println!("checked {checked} ok files");
    assert!(checked > 0, "no files in {}", testdata.join("ok").display());
    assert!(
        offenders.is_empty(),
        "findings on files actionlint accepts:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn actionlint_error_files_agree() {
    let Some(testdata) = testdata() else {
        println!("skipped: ../shared/conformance/actionlint not found");
        return;
    };
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut missed = Vec::new();
    let mut extras = Vec::new();
    let mut files = 0;
    for dir in ["err", "examples"] {
        for path in yaml_files(&testdata.join(dir)) {
            let Ok(out) = std::fs::read_to_string(path.with_extension("out")) else {
                continue;
            };
            files += 1;
            let expected: Vec<Expected> = out.lines().filter_map(parse_expected).collect();
            let found = check(&path);
            let name = format!(
                "{dir}/{}",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("")
            );
            for mapping in MAPPINGS {
                let row = rows.entry(mapping.label).or_default();
                let of_kind: Vec<&Expected> =
                    expected.iter().filter(|e| e.kind == mapping.kind).collect();
                row.expected += of_kind.len();
                let ours: Vec<&Found> = found.iter().filter(|f| f.rule == mapping.rule).collect();
                for e in of_kind.iter().filter(|e| (mapping.in_scope)(&e.message)) {
                    row.in_scope += 1;
                    if ours.iter().any(|f| agrees(e, f)) {
                        row.agreed += 1;
                    } else {
                        missed.push(format!("{name}:{}: [{}] {}", e.line, e.kind, e.message));
                    }
                }
                if !of_kind.is_empty() {
                    for f in ours
                        .iter()
                        .filter(|f| !of_kind.iter().any(|e| agrees(e, f)))
                    {
                        row.extra += 1;
                        extras.push(format!("{name}:{}: {} {}", f.line, f.rule, f.message));
                    }
                }
            }
            // Findings of the mapped rules on lines where actionlint reports nothing at all.
            let mapped: BTreeSet<&str> = MAPPINGS.iter().map(|m| m.rule).collect();
            for f in &found {
                if mapped.contains(f.rule) && !expected.iter().any(|e| agrees(e, f)) {
                    unexplained.push(format!("{name}:{}: {} {}", f.line, f.rule, f.message));
                }
            }
        }
    }
    println!("\nactionlint conformance over {files} err/ and examples/ files");
    println!(
        "{:<42} {:<28} {:>8} {:>8} {:>7} {:>6} {:>6}",
        "actionlint kind", "plimsoll rule", "expected", "in scope", "agreed", "ratio", "extra"
    );
    let mut failures = Vec::new();
    for mapping in MAPPINGS {
        let row = &rows[mapping.label];
        let ratio = if row.in_scope == 0 {
            1.0
        } else {
            row.agreed as f64 / row.in_scope as f64
        };
        println!(
            "{:<42} {:<28} {:>8} {:>8} {:>7} {:>6.2} {:>6}",
            mapping.label, mapping.rule, row.expected, row.in_scope, row.agreed, ratio, row.extra
        );
        if ratio < mapping.floor {
            failures.push(format!(
                "{}: agreement {ratio:.2} is below the floor {:.2}",
                mapping.label, mapping.floor
            ));
        }
    }
    println!("\nin scope but not reported ({}):", missed.len());
    for line in &missed {
        println!("  {line}");
    }
    println!(
        "\nextra: reported in a file of that kind, not on an expected line ({}):",
        extras.len()
    );
    for line in &extras {
        println!("  {line}");
    }
    println!(
        "\nreported where actionlint reports nothing ({}):",
        unexplained.len()
    );
    for line in &unexplained {
        println!("  {line}");
    }
    assert!(
        unexplained.len() <= MAX_UNEXPLAINED,
        "{} findings where actionlint reports nothing (at most {MAX_UNEXPLAINED} expected)",
        unexplained.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Findings of the mapped rules on lines where actionlint reports nothing, when measured: keys
/// repeated in another case (GitHub rejects them, actionlint reports only the first spelling)
/// and a second unknown key in a step actionlint reports once.
const MAX_UNEXPLAINED: usize = 11;

/// Findings of the well-formedness rules on the real workflows and actions of
/// `../shared/corpus/real` that are genuine mistakes in those files.
const CORPUS_KNOWN: &[&str] = &[
    // `pull_request:` and `paths:` indented under `workflow_dispatch:`, so they never apply.
    "microsoft__DeepSpeed/.github/workflows/nv-torch-nightly-v100.yml:5: unknown-key",
    "microsoft__DeepSpeed/.github/workflows/nv-torch-nightly-v100.yml:6: unknown-key",
    // A top-level `on:` in action metadata, which the runner ignores.
    "slsa-framework__slsa-github-generator/internal/builders/gradle/action.yml:54: unknown-key",
    "slsa-framework__slsa-github-generator/internal/builders/maven/action.yml:54: unknown-key",
    // `name:` written twice at the top of the workflow.
    "Azure__actions-workflow-samples/AppService/python-webapp-on-azure.yml:20: unknown-key",
];

/// Real workflows and composite actions (`../shared/corpus/real`, listed in `MANIFEST.tsv`) get
/// no well-formedness finding beyond the genuine mistakes of [`CORPUS_KNOWN`].
#[test]
fn real_workflows_have_no_false_positives() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        println!("skipped: ../shared/corpus/real not found");
        return;
    };
    let mut paths = Vec::new();
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(kind), Some(repo), Some(path)) = (fields.first(), fields.get(1), fields.get(3))
        else {
            continue;
        };
        if matches!(*kind, "gha_workflow" | "gha_composite_action") {
            paths.push(corpus.join(repo.replace('/', "__")).join(path));
        }
    }
    let overrides = Overrides {
        test_data: Some(Vec::new()),
        examples: Some(Vec::new()),
        isolated: true,
        ..Default::default()
    };
    let settings = Settings::load(&corpus, &|_| None, &overrides).expect("settings");
    let report = plimsoll_check::check(&paths, &settings).expect("check");
    let mut unexpected = Vec::new();
    for finding in &report.findings {
        if !WELL_FORMEDNESS.contains(&finding.rule.name) {
            continue;
        }
        let path = finding
            .location
            .path
            .strip_prefix(&corpus)
            .unwrap_or(&finding.location.path);
        let key = format!(
            "{}:{}: {}",
            path.display(),
            finding.location.start.line,
            finding.rule.name
        );
        if !CORPUS_KNOWN.contains(&key.as_str()) {
            unexpected.push(format!("{key} {}", finding.message));
        }
    }
    println!(
        "checked {} real workflow and action files",
        report.files_checked
    );
    assert!(!paths.is_empty());
    assert!(
        unexpected.is_empty(),
        "findings on real files:\n{}",
        unexpected.join("\n")
    );
}
