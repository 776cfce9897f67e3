//! GitHub's documented matrix examples ("Using a matrix for your jobs", docs.github.com) and the
//! combinations GitHub says they expand to.

use plimsoll_guard::matrix::{describe, expand, Matrix};
use plimsoll_syntax::LineIndex;

fn combinations(yaml: &str) -> Vec<String> {
    let stream = plimsoll_syntax::yaml::parse(yaml, &LineIndex::new(yaml));
    let document = stream.into_single().expect("the example parses");
    match expand(&document.root) {
        Matrix::Combinations(found) => found.iter().map(describe).collect(),
        Matrix::Opaque(text) => vec![format!("opaque {text}")],
    }
}

#[test]
fn single_dimension_matrix() {
    assert_eq!(
        combinations("version: [10, 12, 14]\n"),
        ["version: 10", "version: 12", "version: 14"]
    );
}

#[test]
fn multi_dimension_matrix() {
    assert_eq!(
        combinations("os: [ubuntu-22.04, ubuntu-20.04]\nversion: [10, 12, 14]\n"),
        [
            "os: ubuntu-22.04, version: 10",
            "os: ubuntu-22.04, version: 12",
            "os: ubuntu-22.04, version: 14",
            "os: ubuntu-20.04, version: 10",
            "os: ubuntu-20.04, version: 12",
            "os: ubuntu-20.04, version: 14",
        ]
    );
}

/// "Example: Expanding configurations": the six combinations GitHub lists.
#[test]
fn include_extends_and_adds_combinations() {
    let yaml = "\
fruit: [apple, pear]
animal: [cat, dog]
include:
  - color: green
  - color: pink
    animal: cat
  - fruit: apple
    shape: circle
  - fruit: banana
  - fruit: banana
    animal: cat
";
    assert_eq!(
        combinations(yaml),
        [
            "animal: cat, color: pink, fruit: apple, shape: circle",
            "animal: dog, color: green, fruit: apple, shape: circle",
            "animal: cat, color: pink, fruit: pear",
            "animal: dog, color: green, fruit: pear",
            "fruit: banana",
            "animal: cat, fruit: banana",
        ]
    );
}

/// "Example: Adding configurations": `include` extends one combination and adds another.
#[test]
fn include_adds_a_configuration() {
    let yaml = "\
os: [windows-latest, ubuntu-latest]
node: [14, 16]
include:
  - os: windows-latest
    node: 16
    npm: 6
";
    assert_eq!(
        combinations(yaml),
        [
            "node: 14, os: windows-latest",
            "node: 16, npm: 6, os: windows-latest",
            "node: 14, os: ubuntu-latest",
            "node: 16, os: ubuntu-latest",
        ]
    );
}

/// "Example: Adding configurations" (only `include`): each entry is one job.
#[test]
fn include_only() {
    let yaml = "\
include:
  - site: production
    datacenter: site-a
  - site: staging
    datacenter: site-b
";
    assert_eq!(
        combinations(yaml),
        [
            "datacenter: site-a, site: production",
            "datacenter: site-b, site: staging"
        ]
    );
}

/// "Excluding matrix configurations": 12 combinations, 3 excluded (a partial `exclude` entry
/// removes every combination it matches).
#[test]
fn exclude_removes_matching_combinations() {
    let yaml = "\
os: [macos-latest, windows-latest]
version: [12, 14, 16]
environment: [staging, production]
exclude:
  - os: macos-latest
    version: 12
    environment: production
  - os: windows-latest
    version: 16
";
    let found = combinations(yaml);
    assert_eq!(found.len(), 9, "{found:#?}");
    assert!(!found.contains(&"environment: production, os: macos-latest, version: 12".to_string()));
    assert!(!found
        .iter()
        .any(|c| c.contains("os: windows-latest, version: 16")));
    assert!(found.contains(&"environment: staging, os: macos-latest, version: 12".to_string()));
}

/// `include` is applied after `exclude`, so it can bring an excluded combination back.
#[test]
fn include_runs_after_exclude() {
    let yaml = "\
os: [linux, windows]
exclude:
  - os: windows
include:
  - os: windows
";
    assert_eq!(combinations(yaml), ["os: linux", "os: windows"]);
}

/// Original values are never overwritten: an entry that contradicts an axis adds a job.
#[test]
fn include_never_overwrites_an_axis_value() {
    let yaml = "\
os: [linux]
include:
  - os: windows
    experimental: true
";
    assert_eq!(
        combinations(yaml),
        ["os: linux", "experimental: true, os: windows"]
    );
}

/// Values that are mappings compare by content, whatever their style.
#[test]
fn object_values_compare_by_content() {
    let flow =
        combinations("node: [{version: 14, env: a}]\nexclude:\n  - node: {env: a, version: 14}\n");
    assert!(flow.is_empty(), "{flow:?}");
}

/// Expressions cannot be expanded: the matrix, or the axis, stays opaque.
#[test]
fn expressions_are_opaque() {
    let whole = combinations("${{ fromJSON(needs.setup.outputs.matrix) }}\n");
    assert_eq!(whole.len(), 1);
    assert!(whole[0].starts_with("opaque"));
    let include = combinations("os: [a]\ninclude: ${{ fromJSON(inputs.extra) }}\n");
    assert!(include[0].starts_with("opaque"));
    assert_eq!(
        combinations("os: ${{ fromJSON(inputs.os) }}\n"),
        ["os: ${{ fromJSON(inputs.os) }}"]
    );
}

#[test]
fn names_are_interpolated_per_combination_and_other_expressions_match_anything() {
    use plimsoll_guard::matrix::{interpolate, listed_values, matches, Combination, Piece};
    let combination: Combination = [
        ("java".to_string(), "\"8\"".to_string()),
        (
            "cfg".to_string(),
            "{\"name\":\"arm\",\"x\":\"1\"}".to_string(),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        interpolate("JDK ${{ matrix.java }}", &combination),
        vec![Piece::Text("JDK 8".into())]
    );
    assert_eq!(
        interpolate("${{matrix['java']}}/${{ matrix.cfg.name }}", &combination),
        vec![Piece::Text("8/arm".into())]
    );
    let pieces = interpolate(
        "deploy ${{ github.ref_name }} on ${{ matrix.missing }}",
        &combination,
    );
    assert_eq!(
        pieces,
        vec![
            Piece::Text("deploy ".into()),
            Piece::Unknown,
            Piece::Text(" on ".into()),
            Piece::Unknown
        ]
    );
    assert!(matches(&pieces, "deploy main on linux"));
    assert!(matches(&pieces, "deploy  on "));
    assert!(!matches(&pieces, "deploy main"));
    assert!(matches(
        &interpolate("JDK ${{ matrix.java }}", &combination),
        "JDK 8"
    ));
    assert!(!matches(
        &interpolate("JDK ${{ matrix.java }}", &combination),
        "JDK 11"
    ));
    assert_eq!(
        listed_values(&combination, &["java", "cfg"]),
        vec![
            "8".to_string(),
            "{\"name\":\"arm\",\"x\":\"1\"}".to_string()
        ]
    );
}
