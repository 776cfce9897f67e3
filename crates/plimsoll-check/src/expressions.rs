//! The scalars of a YAML document that hold expressions, found by one walk of the tree for
//! every rule that reads them: `invalid-expression`, `unsound-ternary` and
//! `overprovisioned-secrets` each walked every scalar of the tree looking for `${{`.

use std::collections::HashSet;
use std::sync::OnceLock;

use plimsoll_syntax::expr::{self, Analysis, ExprError, Occurrence};
use plimsoll_syntax::yaml::{Document, Node, NodeKind};
use plimsoll_syntax::Span;

/// Keys whose value is an expression even without `${{ }}`.
const CONDITION_KEYS: &[&str] = &["if", "pre-if", "post-if"];

/// A scalar holding `${{`, or the value of a condition key (see [`CONDITION_KEYS`]).
pub(crate) struct ExpressionScalar<'a> {
    pub node: &'a Node,
    /// The decoded value.
    pub value: &'a str,
    /// Whether `value` holds `${{`: a condition without one is listed too.
    pub has_expression: bool,
    /// Whether it is a mapping key or inside one: only `invalid-expression` reads keys.
    pub in_key: bool,
    /// Whether it is inside a collection met before through an alias (same span): walking
    /// copies again would report their expressions twice where a rule deduplicates them.
    pub alias_copy: bool,
    /// Its expressions parsed, on the first ask of any rule.
    parsed: OnceLock<Vec<Parsed>>,
}

/// One expression of a scalar, parsed.
pub(crate) struct Parsed {
    /// Where it is in the value: each `${{ … }}`, or the whole value of a condition written
    /// without one (terminated).
    pub occurrence: Occurrence,
    /// The text between the braces parsed, even when no `}}` closes it.
    pub analysis: Result<Analysis, ExprError>,
}

impl ExpressionScalar<'_> {
    /// Its expressions in order, each parsed once for all the rules that read them.
    pub(crate) fn parsed(&self) -> &[Parsed] {
        self.parsed.get_or_init(|| {
            let value = self.value;
            let parse = |occurrence: Occurrence| Parsed {
                analysis: expr::analyze(
                    value
                        .get(occurrence.inner.start..occurrence.inner.end)
                        .unwrap_or(""),
                ),
                occurrence,
            };
            if self.has_expression {
                expr::find(value).into_iter().map(parse).collect()
            } else {
                let whole = Span::new(0, value.len());
                vec![parse(Occurrence {
                    span: whole,
                    inner: whole,
                    terminated: true,
                })]
            }
        })
    }
}

/// The [`ExpressionScalar`]s of one document in document order (keys before their values),
/// listed on the first ask.
#[derive(Default)]
pub(crate) struct ExpressionScalars<'a>(OnceLock<Vec<ExpressionScalar<'a>>>);

impl<'a> ExpressionScalars<'a> {
    /// The scalars of `document`, which must be the document of every call.
    pub(crate) fn of(&self, document: &'a Document) -> &[ExpressionScalar<'a>] {
        self.0.get_or_init(|| {
            let mut lister = Lister {
                found: Vec::new(),
                visited: document.has_aliases.then(HashSet::new),
            };
            lister.walk(&document.root, Place::default());
            lister.found
        })
    }
}

/// Where the walk stands: what a scalar found there inherits.
#[derive(Clone, Copy, Default)]
struct Place {
    condition: bool,
    in_key: bool,
    alias_copy: bool,
}

struct Lister<'a> {
    found: Vec<ExpressionScalar<'a>>,
    /// Collections walked so far, when aliases may have copied some.
    visited: Option<HashSet<Span>>,
}

impl<'a> Lister<'a> {
    /// Whether `node` (a collection) copies one walked before; a copy's own collections are
    /// not recorded, as the original recorded them.
    fn copied(&mut self, node: &Node, place: Place) -> bool {
        if place.alias_copy {
            return true;
        }
        match &mut self.visited {
            Some(visited) => !visited.insert(node.span),
            None => false,
        }
    }

    fn walk(&mut self, node: &'a Node, place: Place) {
        match &node.kind {
            NodeKind::Scalar { value, .. } => {
                let has_expression = expr::contains_expression(value);
                if has_expression || place.condition {
                    self.found.push(ExpressionScalar {
                        node,
                        value,
                        has_expression,
                        in_key: place.in_key,
                        alias_copy: place.alias_copy,
                        parsed: OnceLock::new(),
                    });
                }
            }
            NodeKind::Sequence(items) => {
                let inner = Place {
                    condition: false,
                    alias_copy: self.copied(node, place),
                    ..place
                };
                for item in items {
                    self.walk(item, inner);
                }
            }
            NodeKind::Mapping(entries) => {
                let alias_copy = self.copied(node, place);
                for entry in entries {
                    let key = Place {
                        condition: false,
                        in_key: true,
                        alias_copy,
                    };
                    self.walk(&entry.key, key);
                    let condition = !place.in_key
                        && entry
                            .key
                            .as_str()
                            .is_some_and(|key| CONDITION_KEYS.contains(&key));
                    let value = Place {
                        condition,
                        in_key: place.in_key,
                        alias_copy,
                    };
                    self.walk(&entry.value, value);
                }
            }
        }
    }
}
