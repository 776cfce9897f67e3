//! GitHub Actions expressions: `${{ … }}`.
//!
//! [`find`] locates every expression in a string (quotes inside respected), [`analyze`] checks an
//! expression's syntax against GitHub's grammar and lists the context paths (`github.event.issue.
//! title`) and functions it uses, and [`mask`] blanks expressions out with same-length
//! placeholders so a shell lexer sees them as plain words.

use crate::Span;

/// One `${{ … }}` occurrence in a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Bytes from `${{` to `}}` inclusive (to the end of the string when unterminated).
    pub span: Span,
    /// Bytes between the braces.
    pub inner: Span,
    /// Whether the closing `}}` was found.
    pub terminated: bool,
}

/// Where the first `${{` at or after `from` starts. A search for `$` then a look at the next two
/// bytes: most values hold no `$`, and building a substring searcher for each value cost more
/// than the search.
fn next_opening(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(rel) = memchr::memchr(b'$', bytes.get(at..)?) {
        let dollar = at + rel;
        if bytes[dollar + 1..].starts_with(b"{{") {
            return Some(dollar);
        }
        at = dollar + 1;
    }
    None
}

/// Whether `text` holds a `${{` opening an expression: `text.contains("${{")`, without building
/// a substring searcher for each of the many short values asked about.
pub fn contains_expression(text: &str) -> bool {
    next_opening(text.as_bytes(), 0).is_some()
}

/// Every expression in `text`, in order.
pub fn find(text: &str) -> Vec<Occurrence> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some(start) = next_opening(bytes, pos) {
        let inner_start = start + 3;
        let mut i = inner_start;
        let mut close = None;
        while i < bytes.len() {
            match bytes[i] {
                b'\'' => {
                    // A string literal: '' escapes a quote.
                    i += 1;
                    while i < bytes.len() {
                        if bytes[i] == b'\'' {
                            if bytes.get(i + 1) == Some(&b'\'') {
                                i += 2;
                                continue;
                            }
                            break;
                        }
                        i += 1;
                    }
                    i += 1;
                }
                b'}' if bytes.get(i + 1) == Some(&b'}') => {
                    close = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        match close {
            Some(close) => {
                found.push(Occurrence {
                    span: Span::new(start, close + 2),
                    inner: Span::new(inner_start, close),
                    terminated: true,
                });
                pos = close + 2;
            }
            None => {
                found.push(Occurrence {
                    span: Span::new(start, text.len()),
                    inner: Span::new(inner_start.min(text.len()), text.len()),
                    terminated: false,
                });
                break;
            }
        }
    }
    found
}

/// `text` with every expression replaced by `_` bytes of the same length.
pub fn mask(text: &str) -> String {
    let occurrences = find(text);
    if occurrences.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for occurrence in occurrences {
        out.push_str(&text[last..occurrence.span.start]);
        out.extend(std::iter::repeat_n('_', occurrence.span.len()));
        last = occurrence.span.end;
    }
    out.push_str(&text[last..]);
    out
}

/// A context path used by an expression, such as `github.event.issue.title` (indexes are `*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextPath {
    /// The dotted path; `x['y']` is written `x.y`, other indexes and filters `x.*`.
    pub path: String,
    /// Bytes of the path inside the analysed expression text.
    pub span: Span,
}

/// A syntax error inside an expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// Bytes of the offending token inside the expression text.
    pub span: Span,
}

/// What an expression uses, once its syntax is known to be valid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Context paths read.
    pub paths: Vec<ContextPath>,
    /// Functions called, with their name spans.
    pub functions: Vec<(String, Span)>,
    /// Falsy literals (`''`, `0`, `false`, `null`) that end an `&&` chain followed by `||`:
    /// the pseudo-ternary `cond && '' || other` is `other` whatever `cond` is.
    pub falsy_ternary_values: Vec<Span>,
}

/// What the parser knows of a parsed operand, for the pseudo-ternary `a && b || c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Anything else.
    Other,
    /// A literal that is always falsy, at this span.
    FalsyLiteral(Span),
    /// An `&&` chain ending in that falsy literal: always falsy.
    FalsyAnd(Span),
}

/// Functions GitHub Actions expressions provide.
pub const FUNCTIONS: &[&str] = &[
    "contains",
    "startswith",
    "endswith",
    "format",
    "join",
    "tojson",
    "fromjson",
    "hashfiles",
    "success",
    "always",
    "cancelled",
    "failure",
    "case",
];

/// Contexts GitHub Actions expressions provide.
pub const CONTEXTS: &[&str] = &[
    "github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix",
    "needs", "inputs",
];

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident,
    Number,
    Str,
    Op(&'static str),
    End,
}

/// Check the syntax of expression text (what stands between `${{` and `}}`) and list what it uses.
pub fn analyze(text: &str) -> Result<Analysis, ExprError> {
    let tokens = tokenize(text)?;
    let mut parser = ExprParser {
        text,
        tokens,
        pos: 0,
        depth: 0,
        analysis: Analysis::default(),
    };
    if parser.peek().0 == Tok::End {
        return Err(ExprError {
            message: "empty expression".into(),
            span: Span::new(0, text.len()),
        });
    }
    parser.expression()?;
    let (tok, span) = parser.peek();
    if tok != Tok::End {
        return Err(ExprError {
            message: format!(
                "unexpected `{}` after the expression",
                &text[span.start..span.end]
            ),
            span,
        });
    }
    Ok(parser.analysis)
}

fn tokenize(text: &str) -> Result<Vec<(Tok, Span)>, ExprError> {
    const OPS: &[&str] = &[
        "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", ".", "[", "]", "(", ")", ",", "*",
    ];
    let bytes = text.as_bytes();
    // Room for the tokens of most expressions (`github.event.issue.title` is 7 tokens in 24
    // bytes): growing the list token by token was a tenth of the parse.
    let mut tokens = Vec::with_capacity(text.len() / 3 + 2);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // GitHub's lexer also skips Unicode white space such as a no-break space.
        if let Some(c) = text[i..].chars().next().filter(|c| c.is_whitespace()) {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        if b == b'\'' {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => {
                        return Err(ExprError {
                            message: "unterminated string literal".into(),
                            span: Span::new(start, text.len()),
                        })
                    }
                    Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            tokens.push((Tok::Str, Span::new(start, i)));
        } else if b.is_ascii_digit()
            || (b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'.'
                    || ((bytes[i] == b'-' || bytes[i] == b'+')
                        && matches!(bytes[i - 1], b'e' | b'E')))
            {
                i += 1;
            }
            tokens.push((Tok::Number, Span::new(start, i)));
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-'))
            {
                i += 1;
            }
            tokens.push((Tok::Ident, Span::new(start, i)));
        } else if let Some(op) = OPS.iter().find(|op| text[i..].starts_with(**op)) {
            i += op.len();
            tokens.push((Tok::Op(op), Span::new(start, i)));
        } else {
            let c = text[i..].chars().next().unwrap_or('?');
            let hint = match c {
                '"' => " (strings use single quotes)",
                '=' => " (comparison is `==`)",
                '&' => " (logical and is `&&`)",
                '|' => " (logical or is `||`)",
                _ => "",
            };
            return Err(ExprError {
                message: format!("unexpected character `{c}`{hint}"),
                span: Span::new(i, i + c.len_utf8()),
            });
        }
    }
    tokens.push((Tok::End, Span::new(text.len(), text.len())));
    Ok(tokens)
}

struct ExprParser<'a> {
    text: &'a str,
    tokens: Vec<(Tok, Span)>,
    pos: usize,
    depth: usize,
    analysis: Analysis,
}

impl ExprParser<'_> {
    fn peek(&self) -> (Tok, Span) {
        self.tokens
            .get(self.pos)
            .cloned()
            .unwrap_or((Tok::End, Span::empty(self.text.len())))
    }

    fn bump(&mut self) -> (Tok, Span) {
        let tok = self.peek();
        self.pos += 1;
        tok
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek().0, Tok::Op(o) if o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error<T>(&self, expected: &str) -> Result<T, ExprError> {
        let (tok, span) = self.peek();
        let found = if tok == Tok::End {
            "the end of the expression".to_string()
        } else {
            format!("`{}`", &self.text[span.start..span.end])
        };
        Err(ExprError {
            message: format!("expected {expected}, found {found}"),
            span,
        })
    }

    fn expression(&mut self) -> Result<Shape, ExprError> {
        self.depth += 1;
        if self.depth > 64 {
            return self.error("a shallower expression (nesting over 64)");
        }
        let shape = self.binary(0)?;
        self.depth -= 1;
        Ok(shape)
    }

    fn binary(&mut self, level: usize) -> Result<Shape, ExprError> {
        const LEVELS: &[&[&str]] = &[&["||"], &["&&"], &["==", "!="], &["<", "<=", ">", ">="]];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut last = self.binary(level + 1)?;
        let mut operands = 1;
        while LEVELS[level].iter().any(|op| self.eat(op)) {
            if level == 0 {
                // An operand of `||` that is not the last one: `x && '' || y`.
                if let Shape::FalsyAnd(value) = last {
                    self.analysis.falsy_ternary_values.push(value);
                }
            }
            last = self.binary(level + 1)?;
            operands += 1;
        }
        Ok(match (level, operands, last) {
            (_, 1, shape) => shape,
            (1, _, Shape::FalsyLiteral(value) | Shape::FalsyAnd(value)) => Shape::FalsyAnd(value),
            _ => Shape::Other,
        })
    }

    fn unary(&mut self) -> Result<Shape, ExprError> {
        let mut bangs = 0;
        while self.eat("!") {
            bangs += 1;
            if bangs > 64 {
                return self.error("an operand");
            }
        }
        let shape = self.postfix()?;
        Ok(if bangs == 0 { shape } else { Shape::Other })
    }

    fn postfix(&mut self) -> Result<Shape, ExprError> {
        let (tok, span) = self.bump();
        let mut path: Option<(String, Span)> = None;
        let literal = &self.text[span.start..span.end];
        let mut shape = match tok {
            Tok::Str if literal == "''" => Shape::FalsyLiteral(span),
            Tok::Number if literal.parse::<f64>().is_ok_and(|n| n == 0.0) => {
                Shape::FalsyLiteral(span)
            }
            Tok::Ident if matches!(literal, "false" | "null") => Shape::FalsyLiteral(span),
            _ => Shape::Other,
        };
        match tok {
            Tok::Number | Tok::Str => {}
            Tok::Ident => {
                let name = &self.text[span.start..span.end];
                if self.eat("(") {
                    let lower = name.to_ascii_lowercase();
                    self.analysis.functions.push((lower, span));
                    if !self.eat(")") {
                        loop {
                            self.expression()?;
                            if self.eat(")") {
                                break;
                            }
                            if !self.eat(",") {
                                return self.error("`,` or `)`");
                            }
                        }
                    }
                } else if !matches!(name, "true" | "false" | "null" | "NaN" | "Infinity") {
                    // The path is never longer than the text from its start (`[0]` becomes
                    // `.*`, `['x']` `.x`): the members are added without growing it.
                    let mut written = String::with_capacity(self.text.len() - span.start);
                    push_lowercase(&mut written, name);
                    path = Some((written, span));
                }
            }
            Tok::Op("(") => {
                shape = self.expression()?;
                if !self.eat(")") {
                    return self.error("`)`");
                }
            }
            _ => {
                self.pos -= 1;
                return self.error("a value, a context or a function call");
            }
        }
        loop {
            if matches!(self.peek().0, Tok::Op("." | "[")) {
                shape = Shape::Other;
            }
            if self.eat(".") {
                let (tok, member) = self.bump();
                match tok {
                    Tok::Ident => {
                        if let Some((p, s)) = path.as_mut() {
                            p.push('.');
                            push_lowercase(p, &self.text[member.start..member.end]);
                            *s = s.cover(member);
                        }
                    }
                    Tok::Op("*") => {
                        if let Some((p, s)) = path.as_mut() {
                            p.push_str(".*");
                            *s = s.cover(member);
                        }
                    }
                    _ => {
                        self.pos -= 1;
                        return self.error("a property name after `.`");
                    }
                }
            } else if self.eat("[") {
                let (index_tok, index_span) = self.peek();
                if index_tok == Tok::Op("*") {
                    self.pos += 1;
                } else {
                    self.expression()?;
                }
                let close = self.peek().1;
                if !self.eat("]") {
                    return self.error("`]`");
                }
                if let Some((p, s)) = path.as_mut() {
                    let literal = &self.text[index_span.start..index_span.end];
                    if index_tok == Tok::Str && index_span.end == close.start {
                        p.push('.');
                        push_lowercase(p, &literal[1..literal.len() - 1]);
                    } else {
                        p.push_str(".*");
                    }
                    *s = s.cover(close);
                }
            } else {
                break;
            }
        }
        if let Some((path, span)) = path {
            self.analysis.paths.push(ContextPath { path, span });
        }
        Ok(shape)
    }
}

/// Append `text` to `out` in ASCII lowercase, without a lowercased copy of it.
fn push_lowercase(out: &mut String, text: &str) {
    let from = out.len();
    out.push_str(text);
    out[from..].make_ascii_lowercase();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expressions_with_braces_in_strings() {
        let text = "echo ${{ format('{0}}}', github.ref) }} and ${{ matrix.os }}";
        let found = find(text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            &text[found[1].inner.start..found[1].inner.end],
            " matrix.os "
        );
        let unterminated = find("a ${{ b");
        assert!(!unterminated[0].terminated);
        assert_eq!(mask("x ${{ a }} y"), "x ________ y");
    }

    #[test]
    fn finds_falsy_values_of_pseudo_ternaries() {
        fn values(text: &str) -> Vec<&str> {
            let analysis = analyze(text).unwrap();
            analysis
                .falsy_ternary_values
                .iter()
                .map(|span| &text[span.start..span.end])
                .collect()
        }
        assert_eq!(values("foo && '' || 'bar'"), vec!["''"]);
        assert_eq!(values("foo && ('') || 'bar'"), vec!["''"]);
        assert_eq!(values("foo && 0 || 'bar'"), vec!["0"]);
        assert_eq!(values("a == 'x' && false || null"), vec!["false"]);
        assert_eq!(values("foo || bar && '' || 'baz'"), vec!["''"]);
        assert_eq!(values("format('{0}', (a && null || 'b'))"), vec!["null"]);
        assert_eq!(values("(foo && '' || 'bar') || baz"), vec!["''"]);
        assert_eq!(values("foo && '' || bar && 0 || 'baz'"), vec!["''", "0"]);
        assert!(values("foo && 'bar' || ''").is_empty());
        assert!(values("!foo && 'bar' || ''").is_empty());
        assert!(values("foo || bar && ''").is_empty());
        assert!(values("foo && !'' || 'bar'").is_empty());
        assert!(values("foo && x.y || 'bar'").is_empty());
        assert!(values("foo && '0' || 'bar'").is_empty());
    }

    #[test]
    fn collects_context_paths() {
        let analysis =
            analyze(" github.event.issue.title == 'x' && contains(github.event['pull_request'].labels.*.name, 'y') ")
                .unwrap();
        let paths: Vec<_> = analysis.paths.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "github.event.issue.title",
                "github.event.pull_request.labels.*.name"
            ]
        );
        assert_eq!(analysis.functions[0].0, "contains");
    }

    #[test]
    fn reports_syntax_errors_with_spans() {
        let err = analyze(" github.ref = 'main' ").unwrap_err();
        assert!(err.message.contains("`==`"), "{err}");
        assert_eq!(err.span, Span::new(12, 13));
        assert!(analyze("a &&").is_err());
        assert!(analyze("'open").is_err());
        assert!(analyze("fromJSON(x)[0]").is_ok());
        assert!(analyze("matrix.os == \"x\"")
            .unwrap_err()
            .message
            .contains("single quotes"));
        assert!(analyze("(((((").is_err());
        // GitHub skips any Unicode white space, such as a no-break space.
        assert!(analyze("secrets.X\u{a0}").is_ok());
    }
}
