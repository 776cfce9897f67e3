//! What the runner makes of an `if:` value.
//!
//! GitHub reads `if:` in two steps (`TemplateReader.ParseScalar`, then
//! `PipelineTemplateConverter.ConvertToIfCondition` in `actions/runner`):
//!
//! 1. A string without `${{` is the expression itself (GitHub wraps `if:` text in an expression
//!    implicitly). A string that is exactly one `${{ … }}`, with nothing around it, not even a
//!    space or a line break, is that expression. Any other string holding `${{` is split into
//!    literal text and expressions and becomes `format('text{0}text', expr)`: a string, which is
//!    truthy as soon as the literal text is not empty, whatever the expressions give. A
//!    single expression that is only a string literal (`${{ 'x' }}`) is read as the text `x`.
//! 2. An empty or blank condition is `success()`, the default.
//!
//! So `if: "${{ false }} "` (a trailing space) and `if: |` followed by `${{ cond }}` (the block
//! scalar keeps its final line break) always pass, and `if: ''` is no condition at all.

use plimsoll_syntax::expr;
use plimsoll_syntax::yaml::Node;

/// An `if:` value as the runner reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition<'a> {
    /// A YAML boolean (`if: false`).
    Boolean(bool),
    /// An expression, evaluated (its text, without `${{ }}`).
    Expression(&'a str),
    /// Empty or blank: GitHub uses the default `success()`.
    Default,
    /// Text around one or more `${{ }}`: a `format()` string with non-empty literal text, so
    /// always true. `literal` is the first piece of text outside the expressions.
    Interpolated {
        /// Byte range (in the value) of the first literal text outside the expressions.
        literal: std::ops::Range<usize>,
    },
    /// Something else (several adjacent expressions, an unterminated `${{`, a non-scalar):
    /// nothing is claimed about it.
    Unknown,
}

impl<'a> Condition<'a> {
    /// Read an `if:` node.
    pub fn of(node: &'a Node) -> Condition<'a> {
        if let Some(value) = node.as_bool() {
            return Condition::Boolean(value);
        }
        match node.as_str() {
            Some(text) => Condition::parse(text),
            None => Condition::Unknown,
        }
    }

    /// Read the text of an `if:` value.
    pub fn parse(text: &'a str) -> Condition<'a> {
        let occurrences = expr::find(text);
        if occurrences.is_empty() {
            return Self::expression(text);
        }
        if occurrences.iter().any(|o| !o.terminated) {
            return Condition::Unknown;
        }
        // The runner keeps every byte outside the expressions, white space included.
        let mut at = 0;
        for occurrence in &occurrences {
            if occurrence.span.start > at {
                return Condition::Interpolated {
                    literal: at..occurrence.span.start,
                };
            }
            at = occurrence.span.end;
        }
        if at < text.len() {
            return Condition::Interpolated {
                literal: at..text.len(),
            };
        }
        match occurrences.as_slice() {
            [one] => {
                let inner = &text[one.inner.start..one.inner.end];
                match string_literal(inner) {
                    // `${{ 'x' }}` is the literal `x`, then read as a condition. A literal
                    // holding `''` escapes cannot be borrowed unescaped: nothing is claimed.
                    Some(literal) if !literal.contains('\'') => Self::expression(literal),
                    Some(_) => Condition::Unknown,
                    None => Condition::Expression(inner),
                }
            }
            _ => Condition::Unknown,
        }
    }

    fn expression(text: &'a str) -> Condition<'a> {
        if text.trim().is_empty() {
            Condition::Default
        } else {
            Condition::Expression(text)
        }
    }

    /// Whether the condition is false on every run.
    pub fn is_always_false(&self) -> bool {
        match self {
            Condition::Boolean(value) => !value,
            Condition::Expression(text) => {
                let mut text = text.trim();
                while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
                    text = inner.trim();
                }
                matches!(text, "false" | "0" | "''" | "null" | "-0" | "0.0")
            }
            _ => false,
        }
    }
}

/// The content of `'…'` when `text` (trimmed) is one string literal.
fn string_literal(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    // A lone quote inside (not doubled) would end the literal early: not one literal.
    let mut rest = inner;
    while let Some(at) = rest.find('\'') {
        if rest[at + 1..].starts_with('\'') {
            rest = &rest[at + 2..];
        } else {
            return None;
        }
    }
    Some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_conditions_as_the_runner_does() {
        assert_eq!(
            Condition::parse("${{ false }}"),
            Condition::Expression(" false ")
        );
        assert!(Condition::parse("${{ false }}").is_always_false());
        assert!(Condition::parse("false").is_always_false());
        assert_eq!(
            Condition::parse("${{ false }} "),
            Condition::Interpolated { literal: 12..13 }
        );
        assert_eq!(
            Condition::parse("${{ github.ref == 'main' }}\n"),
            Condition::Interpolated { literal: 27..28 }
        );
        assert_eq!(
            Condition::parse("x ${{ a }}"),
            Condition::Interpolated { literal: 0..2 }
        );
        assert_eq!(Condition::parse(""), Condition::Default);
        assert_eq!(Condition::parse("${{ '' }}"), Condition::Default);
        assert!(Condition::parse("${{ 'false' }}").is_always_false());
        assert_eq!(Condition::parse("${{ a }}${{ b }}"), Condition::Unknown);
        assert_eq!(Condition::parse("${{ a "), Condition::Unknown);
        // `if: "''"` is the expression `''`, an empty string: false.
        assert!(Condition::parse("''").is_always_false());
        assert_eq!(
            Condition::parse("github.event_name == 'push'"),
            Condition::Expression("github.event_name == 'push'")
        );
    }
}
