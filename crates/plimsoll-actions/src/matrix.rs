//! Matrix expansion by GitHub's rules.
//!
//! From GitHub's documentation ("Using a matrix for your jobs"): the axes (every key but
//! `include` and `exclude`) form the Cartesian product; `exclude` entries then remove every
//! combination they match on all of their keys; then each `include` entry is added to every
//! remaining *original* combination it does not contradict on an original axis (values it adds
//! may overwrite values added by an earlier `include`, never the axes' own), and an entry that
//! fits no original combination becomes a combination of its own.
//!
//! Values are compared by their canonical text (mappings with sorted keys), so a value written
//! as a flow mapping and the same value as a block mapping are equal. Expressions that cannot be
//! expanded statically (`matrix: ${{ fromJSON(...) }}`, `include: ${{ ... }}`) make the matrix
//! [`Matrix::Opaque`]: it is then compared by its text; an axis whose value is an expression is
//! one opaque value.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plimsoll_syntax::yaml::{Node, NodeKind};

/// One combination: axis name → canonical value text.
pub type Combination = BTreeMap<String, String>;

/// A job's matrix after expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matrix {
    /// The combinations the job runs, in GitHub's order. A job without a matrix runs one
    /// empty combination.
    Combinations(Vec<Combination>),
    /// A matrix that depends on expressions evaluated at run time, as canonical text.
    Opaque(String),
}

impl Matrix {
    /// The matrix of a job without `strategy.matrix`.
    pub fn single() -> Matrix {
        Matrix::Combinations(vec![Combination::new()])
    }
}

/// Canonical text of a YAML value: scalars as JSON strings, mappings with sorted keys.
pub fn canonical(node: &Node) -> String {
    let mut out = String::new();
    write_canonical(node, &mut out);
    out
}

fn write_canonical(node: &Node, out: &mut String) {
    match &node.kind {
        NodeKind::Scalar { value, .. } => {
            out.push_str(&serde_json::Value::String(value.clone()).to_string())
        }
        NodeKind::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        NodeKind::Mapping(entries) => {
            let mut sorted: Vec<(String, String)> = entries
                .iter()
                .map(|e| (canonical(&e.key), canonical(&e.value)))
                .collect();
            sorted.sort();
            out.push('{');
            for (i, (key, value)) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{key}:{value}");
            }
            out.push('}');
        }
    }
}

fn is_expression(node: &Node) -> bool {
    node.as_str().is_some_and(|text| text.contains("${{"))
}

/// Expand `strategy.matrix`.
pub fn expand(matrix: &Node) -> Matrix {
    let Some(entries) = matrix.as_mapping() else {
        return Matrix::Opaque(canonical(matrix));
    };
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    let mut include: Vec<Combination> = Vec::new();
    let mut exclude: Vec<Combination> = Vec::new();
    for entry in entries {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        match key {
            "include" | "exclude" => {
                if is_expression(&entry.value) {
                    return Matrix::Opaque(canonical(matrix));
                }
                let target = if key == "include" {
                    &mut include
                } else {
                    &mut exclude
                };
                for item in entry.value.as_sequence().unwrap_or_default() {
                    match item.as_mapping() {
                        Some(fields) => target.push(
                            fields
                                .iter()
                                .filter_map(|f| {
                                    Some((f.key.as_str()?.to_string(), canonical(&f.value)))
                                })
                                .collect(),
                        ),
                        // An item that is itself an expression: nothing static to expand.
                        None => return Matrix::Opaque(canonical(matrix)),
                    }
                }
            }
            _ => {
                let values = match entry.value.as_sequence() {
                    Some(items) => items.iter().map(canonical).collect(),
                    None => vec![canonical(&entry.value)],
                };
                axes.push((key.to_string(), values));
            }
        }
    }
    let product = axes
        .iter()
        .fold(1usize, |n, (_, values)| n.saturating_mul(values.len()));
    if product.saturating_add(include.len()) > MAX_COMBINATIONS {
        return Matrix::Opaque(canonical(matrix));
    }
    Matrix::Combinations(combine(&axes, &include, &exclude))
}

/// GitHub runs at most 256 jobs of one matrix. A larger one does not run as written, and
/// expanding it could take any memory (twenty axes of ten values are 10²⁰ combinations): it
/// is compared as written, like a matrix computed by an expression.
pub const MAX_COMBINATIONS: usize = 256;

/// GitHub's expansion of axes, `include` and `exclude` (see the module documentation).
pub fn combine(
    axes: &[(String, Vec<String>)],
    include: &[Combination],
    exclude: &[Combination],
) -> Vec<Combination> {
    let mut product: Vec<Combination> = Vec::new();
    if !axes.is_empty() {
        product.push(Combination::new());
        for (name, values) in axes {
            let mut next = Vec::with_capacity(product.len() * values.len());
            for combination in &product {
                for value in values {
                    let mut extended = combination.clone();
                    extended.insert(name.clone(), value.clone());
                    next.push(extended);
                }
            }
            product = next;
        }
    }
    product.retain(|combination| {
        !exclude.iter().any(|rule| {
            !rule.is_empty()
                && rule
                    .iter()
                    .all(|(key, value)| combination.get(key) == Some(value))
        })
    });
    let is_axis = |key: &str| axes.iter().any(|(name, _)| name == key);
    let mut added = Vec::new();
    for entry in include {
        let mut fitted = false;
        for combination in product.iter_mut() {
            let fits = entry
                .iter()
                .filter(|(key, _)| is_axis(key))
                .all(|(key, value)| combination.get(key) == Some(value));
            if fits {
                fitted = true;
                for (key, value) in entry {
                    combination.insert(key.clone(), value.clone());
                }
            }
        }
        if !fitted {
            added.push(entry.clone());
        }
    }
    product.extend(added);
    product
}

/// `key: value, …` with string values unquoted, for messages.
pub fn describe(combination: &Combination) -> String {
    if combination.is_empty() {
        return "(no matrix)".to_string();
    }
    combination
        .iter()
        .map(|(key, value)| {
            let shown = serde_json::from_str::<String>(value).unwrap_or_else(|_| value.clone());
            format!("{key}: {shown}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A part of a string after its `${{ matrix.… }}` references are filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text known before the run.
    Text(String),
    /// An expression only the run knows (`${{ github.ref }}`, a matrix value the combination
    /// lacks, anything but a plain matrix reference).
    Unknown,
}

/// `template` (a job or step `name:`, a `run:` line) as GitHub shows it for `combination`:
/// each `${{ matrix.<axis> }}`, `${{ matrix['<axis>'] }}` or `${{ matrix.<axis>.<field> }}` is
/// replaced by the value (a string or number as written, unquoted); every other expression is
/// [`Piece::Unknown`]. Adjacent text is merged.
pub fn interpolate(template: &str, combination: &Combination) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    let push_text = |pieces: &mut Vec<Piece>, text: &str| {
        if text.is_empty() {
            return;
        }
        match pieces.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => pieces.push(Piece::Text(text.to_string())),
        }
    };
    let mut rest = template;
    while let Some(open) = rest.find("${{") {
        push_text(&mut pieces, &rest[..open]);
        let after = &rest[open + 3..];
        let Some(close) = after.find("}}") else {
            // An expression that never closes is text, as GitHub leaves it.
            push_text(&mut pieces, &rest[open..]);
            rest = "";
            break;
        };
        match matrix_value(after[..close].trim(), combination) {
            Some(value) => push_text(&mut pieces, &value),
            None => pieces.push(Piece::Unknown),
        }
        rest = &after[close + 2..];
    }
    push_text(&mut pieces, rest);
    pieces
}

/// The value of a plain matrix reference (`matrix.os`, `matrix['os']`, `matrix.cfg.name`) in
/// `combination`, as text.
fn matrix_value(expression: &str, combination: &Combination) -> Option<String> {
    let path = expression.strip_prefix("matrix")?;
    let mut keys = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix('.') {
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(tail.len());
            keys.push(&tail[..end]);
            rest = &tail[end..];
        } else if let Some(tail) = rest.strip_prefix("['") {
            let end = tail.find("']")?;
            keys.push(&tail[..end]);
            rest = &tail[end + 2..];
        } else {
            return None;
        }
    }
    let (first, fields) = keys.split_first()?;
    let mut value: serde_json::Value = serde_json::from_str(combination.get(*first)?).ok()?;
    for field in fields {
        value = value.get(*field)?.clone();
    }
    match value {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Object(_) | serde_json::Value::Array(_) | serde_json::Value::Null => {
            None
        }
        other => Some(other.to_string()),
    }
}

/// Whether `text` is what `pieces` show: the text pieces in order, each unknown piece standing
/// for any text (an empty one included). Linear in the text: after an unknown piece, the next
/// text is taken at its first occurrence (which never loses a match when text pieces are
/// separated by unknown ones, as [`interpolate`] leaves them), and the last one at the end.
pub fn matches(pieces: &[Piece], text: &str) -> bool {
    let mut rest = text;
    let mut anchored = true;
    for (index, piece) in pieces.iter().enumerate() {
        let Piece::Text(known) = piece else {
            anchored = false;
            continue;
        };
        let last = index + 1 == pieces.len();
        if anchored {
            let Some(tail) = rest.strip_prefix(known.as_str()) else {
                return false;
            };
            rest = tail;
        } else if last {
            return rest.ends_with(known.as_str());
        } else {
            let Some(at) = rest.find(known.as_str()) else {
                return false;
            };
            rest = &rest[at + known.len()..];
            anchored = true;
        }
    }
    !anchored || rest.is_empty()
}

/// The values of `combination` as GitHub lists them after a job name (`test (ubuntu, 3.12)`):
/// strings and numbers unquoted, in the order of the matrix's own keys, then the keys only
/// `include` adds.
pub fn listed_values(combination: &Combination, axis_order: &[&str]) -> Vec<String> {
    let shown = |value: &String| match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => value.clone(),
    };
    let mut values: Vec<String> = axis_order
        .iter()
        .filter_map(|axis| combination.get(*axis))
        .map(shown)
        .collect();
    values.extend(
        combination
            .iter()
            .filter(|(key, _)| !axis_order.contains(&key.as_str()))
            .map(|(_, value)| shown(value)),
    );
    values
}
