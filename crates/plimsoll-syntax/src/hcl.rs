//! A located reader for HCL native syntax (Terraform `.tf` and `.tfvars` files).
//!
//! It keeps the structure rules need — bodies of attributes and blocks with their labels, and
//! the literal values inside expressions (strings, numbers, booleans, tuples, objects) — with
//! the byte [`Span`] of everything. Any other expression (references, function calls, operators,
//! `for` expressions, templates with interpolation) is kept as [`ExprKind::Other`] with its span:
//! its text is lexed (strings, heredocs, comments and brackets are balanced) but not modelled.
//! Nesting is capped so hostile input fails with a positioned error rather than a stack overflow.

use crate::Span;

/// Deepest nesting of blocks, collections and template interpolations accepted.
pub const MAX_DEPTH: usize = 128;

/// An HCL syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HclError {
    /// What went wrong.
    pub message: String,
    /// Byte offset where it went wrong.
    pub offset: usize,
}

/// A body: the attributes and blocks of a file or of a block, in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    /// Attributes and blocks, in source order.
    pub items: Vec<Item>,
}

/// One item of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `name = value`
    Attribute(Attribute),
    /// `type "label" { … }`
    Block(Block),
}

/// `name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The attribute's name.
    pub name: String,
    /// Span of the name.
    pub name_span: Span,
    /// The value.
    pub value: Expr,
}

/// A label of a block (`"aws_instance"` or a bare identifier).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// The decoded label.
    pub value: String,
    /// Its span, quotes included.
    pub span: Span,
}

/// `type "label" … { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The block type (`resource`, `provider`, `tags`…).
    pub ident: String,
    /// Span of the block type.
    pub ident_span: Span,
    /// The labels.
    pub labels: Vec<Label>,
    /// The body.
    pub body: Body,
    /// From the block type to the closing brace.
    pub span: Span,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// The expression's source text.
    pub span: Span,
    /// What it is, as far as it is modelled.
    pub kind: ExprKind,
}

/// What an expression is.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A string with no interpolation, decoded (quoted or heredoc).
    String(String),
    /// A string with `${…}` or `%{…}` interpolation.
    Template,
    /// A number, as written.
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `[a, b]`.
    Tuple(Vec<Expr>),
    /// `{ key = value }`.
    Object(Vec<ObjectItem>),
    /// A bare identifier (`string`, `number`: as in `type = string`).
    Identifier(String),
    /// Anything else: references, calls, operators, `for` expressions.
    Other,
}

/// `key = value` inside an object.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectItem {
    /// The key (an identifier key is an [`ExprKind::Identifier`]).
    pub key: Expr,
    /// The value.
    pub value: Expr,
}

impl Body {
    /// The attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|item| match item {
            Item::Attribute(attribute) => Some(attribute),
            Item::Block(_) => None,
        })
    }

    /// The blocks, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|item| match item {
            Item::Block(block) => Some(block),
            Item::Attribute(_) => None,
        })
    }

    /// The blocks of type `ident`.
    pub fn blocks_of<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> {
        self.blocks().filter(move |block| block.ident == ident)
    }

    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|attribute| attribute.name == name)
    }
}

impl Block {
    /// The first label, if any (`aws_instance` in `resource "aws_instance" "web"`).
    pub fn label(&self, index: usize) -> Option<&str> {
        self.labels.get(index).map(|label| label.value.as_str())
    }
}

impl Expr {
    /// The decoded text of a string literal without interpolation.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::String(value) => Some(value),
            _ => None,
        }
    }

    /// The items of an object expression.
    pub fn as_object(&self) -> Option<&[ObjectItem]> {
        match &self.kind {
            ExprKind::Object(items) => Some(items),
            _ => None,
        }
    }

    /// The key name of an object key: an identifier or a literal string.
    pub fn key_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::String(value) | ExprKind::Identifier(value) => Some(value),
            _ => None,
        }
    }
}

impl ObjectItem {
    /// The key's name, when it is an identifier or a literal string.
    pub fn name(&self) -> Option<&str> {
        self.key.key_name()
    }
}

/// Parse a file of HCL native syntax.
pub fn parse(text: &str) -> Result<Body, HclError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    parser.body(None)
}

/// Where an expression sits, which decides what ends it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// An attribute of a body: ends at a newline (or the `}` of a one-line block).
    Body,
    /// An object's key: ends at `=` or `:`.
    ObjectKey,
    /// An object's value: ends at a newline, `,` or `}`.
    ObjectValue,
    /// A tuple's element: ends at `,` or `]`; newlines are insignificant.
    Tuple,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80
}

impl<'a> Parser<'a> {
    fn error<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, HclError> {
        Err(HclError {
            message: message.into(),
            offset: offset.min(self.text.len()),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn enter(&mut self) -> Result<(), HclError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(self.pos, format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Skip blanks and comments; newlines too when `newlines`.
    fn skip_trivia(&mut self, newlines: bool) -> Result<(), HclError> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' if newlines => self.pos += 1,
                b'#' => self.skip_line_comment(),
                b'/' if self.peek_at(1) == Some(b'/') => self.skip_line_comment(),
                b'/' if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    match self.text[self.pos + 2..].find("*/") {
                        Some(end) => self.pos += 2 + end + 2,
                        None => return self.error(start, "unterminated `/*` comment"),
                    }
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn skip_line_comment(&mut self) {
        match self.text[self.pos..].find('\n') {
            Some(end) => self.pos += end,
            None => self.pos = self.text.len(),
        }
    }

    fn ident(&mut self) -> Option<(String, Span)> {
        let start = self.pos;
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        while self.peek().is_some_and(is_ident_continue) {
            self.pos += 1;
        }
        Some((
            self.text[start..self.pos].to_string(),
            Span::new(start, self.pos),
        ))
    }

    /// A body, up to the end of the file (`open` is `None`) or the `}` closing the brace at `open`.
    fn body(&mut self, open: Option<usize>) -> Result<Body, HclError> {
        let mut body = Body::default();
        loop {
            self.skip_trivia(true)?;
            let Some(b) = self.peek() else {
                return match open {
                    Some(open) => self.error(open, "this `{` is never closed"),
                    None => Ok(body),
                };
            };
            if b == b'}' {
                return match open {
                    Some(_) => {
                        self.pos += 1;
                        Ok(body)
                    }
                    None => self.error(self.pos, "unexpected `}`"),
                };
            }
            let start = self.pos;
            let Some((name, name_span)) = self.ident() else {
                return self.error(
                    start,
                    format!(
                        "expected an attribute name or a block type, found {}",
                        self.describe()
                    ),
                );
            };
            self.skip_trivia(false)?;
            match self.peek() {
                Some(b'=') if self.peek_at(1) != Some(b'=') => {
                    self.pos += 1;
                    let value = self.expr(Ctx::Body)?;
                    body.items.push(Item::Attribute(Attribute {
                        name,
                        name_span,
                        value,
                    }));
                }
                Some(b'"' | b'{') => {
                    let block = self.block(name, name_span)?;
                    body.items.push(Item::Block(block));
                }
                Some(b) if is_ident_start(b) => {
                    let block = self.block(name, name_span)?;
                    body.items.push(Item::Block(block));
                }
                _ => {
                    return self.error(
                        self.pos,
                        format!(
                            "expected `=` or a block after `{name}`, found {}",
                            self.describe()
                        ),
                    )
                }
            }
            self.skip_trivia(false)?;
            match self.peek() {
                None | Some(b'\n') => {}
                Some(b'}') if open.is_some() => {}
                _ => {
                    return self.error(
                        self.pos,
                        format!("expected a new line, found {}", self.describe()),
                    )
                }
            }
        }
    }

    fn describe(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".into(),
            Some('\n') => "the end of the line".into(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn block(&mut self, ident: String, ident_span: Span) -> Result<Block, HclError> {
        let mut labels = Vec::new();
        loop {
            self.skip_trivia(false)?;
            match self.peek() {
                Some(b'"') => {
                    let start = self.pos;
                    let value = self.quoted()?;
                    let span = Span::new(start, self.pos);
                    match value {
                        Some(value) => labels.push(Label { value, span }),
                        None => return self.error(start, "a block label cannot be a template"),
                    }
                }
                Some(b'{') => break,
                Some(b) if is_ident_start(b) => {
                    if let Some((value, span)) = self.ident() {
                        labels.push(Label { value, span });
                    }
                }
                _ => {
                    return self.error(
                        self.pos,
                        format!(
                            "expected a label or `{{` for block `{ident}`, found {}",
                            self.describe()
                        ),
                    )
                }
            }
        }
        let open = self.pos;
        self.pos += 1;
        self.enter()?;
        let body = self.body(Some(open))?;
        self.leave();
        Ok(Block {
            ident,
            ident_span,
            labels,
            body,
            span: Span::new(ident_span.start, self.pos),
        })
    }

    fn at_end(&self, ctx: Ctx) -> bool {
        match (self.peek(), ctx) {
            (None, _) => true,
            (Some(b'\n'), Ctx::Body | Ctx::ObjectValue) => true,
            (Some(b'}'), Ctx::Body | Ctx::ObjectValue) => true,
            (Some(b','), Ctx::ObjectValue | Ctx::Tuple) => true,
            (Some(b']'), Ctx::Tuple) => true,
            (Some(b'='), Ctx::ObjectKey) => !matches!(self.peek_at(1), Some(b'=' | b'>')),
            (Some(b':'), Ctx::ObjectKey) => true,
            (Some(b'\n'), Ctx::ObjectKey) => true,
            _ => false,
        }
    }

    fn expr(&mut self, ctx: Ctx) -> Result<Expr, HclError> {
        let newlines = ctx == Ctx::Tuple;
        self.skip_trivia(newlines)?;
        let start = self.pos;
        if self.at_end(ctx) {
            return self.error(
                start,
                format!("expected an expression, found {}", self.describe()),
            );
        }
        let first = self.primary()?;
        let first_end = self.pos;
        self.skip_trivia(newlines)?;
        if self.at_end(ctx) {
            return Ok(Expr {
                span: Span::new(start, first_end),
                kind: first,
            });
        }
        // More follows (an operator, an attribute access, a call): the whole is not modelled.
        let end = self.skip_rest(ctx)?;
        Ok(Expr {
            span: Span::new(start, end.max(first_end)),
            kind: ExprKind::Other,
        })
    }

    /// Skip to the end of an expression; returns the end of its last token.
    fn skip_rest(&mut self, ctx: Ctx) -> Result<usize, HclError> {
        let newlines = ctx == Ctx::Tuple;
        let mut end = self.pos;
        loop {
            self.skip_trivia(newlines)?;
            if self.at_end(ctx) {
                return Ok(end);
            }
            match self.peek() {
                Some(b'"') => {
                    self.quoted()?;
                }
                Some(b'<') if self.peek_at(1) == Some(b'<') && self.heredoc_ahead() => {
                    self.heredoc()?;
                }
                Some(b'(' | b'[' | b'{') => self.skip_balanced()?,
                Some(b @ (b')' | b']' | b'}')) => {
                    return self.error(self.pos, format!("unexpected `{}`", b as char));
                }
                Some(b'=')
                    if self.peek_at(1) != Some(b'=')
                        && !matches!(
                            self.bytes.get(self.pos.wrapping_sub(1)),
                            Some(b'!' | b'<' | b'>' | b'=')
                        ) =>
                {
                    return self.error(self.pos, "unexpected `=` (one attribute per line)");
                }
                Some(b) if is_ident_continue(b) || b == b'.' => {
                    while self
                        .peek()
                        .is_some_and(|b| is_ident_continue(b) || b == b'.')
                    {
                        self.pos += 1;
                    }
                }
                Some(_) => self.pos += 1,
                None => return Ok(end),
            }
            end = self.pos;
        }
    }

    /// Skip a bracketed group starting at the current `(`, `[` or `{`, whatever it holds.
    fn skip_balanced(&mut self) -> Result<(), HclError> {
        let mut stack: Vec<(u8, usize)> = Vec::new();
        loop {
            self.skip_trivia(true)?;
            let Some(b) = self.peek() else {
                let (open, at) = stack.last().copied().unwrap_or((b'(', self.pos));
                return self.error(at, format!("this `{}` is never closed", open as char));
            };
            match b {
                b'(' | b'[' | b'{' => {
                    if stack.len() >= MAX_DEPTH {
                        return self
                            .error(self.pos, format!("nesting deeper than {MAX_DEPTH} levels"));
                    }
                    stack.push((b, self.pos));
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    let expected = match stack.pop() {
                        Some((b'(', _)) => b')',
                        Some((b'[', _)) => b']',
                        Some(_) => b'}',
                        None => return self.error(self.pos, format!("unexpected `{}`", b as char)),
                    };
                    if b != expected {
                        return self.error(
                            self.pos,
                            format!("expected `{}`, found `{}`", expected as char, b as char),
                        );
                    }
                    self.pos += 1;
                    if stack.is_empty() {
                        return Ok(());
                    }
                }
                b'"' => {
                    self.quoted()?;
                }
                b'<' if self.peek_at(1) == Some(b'<') && self.heredoc_ahead() => {
                    self.heredoc()?;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn primary(&mut self) -> Result<ExprKind, HclError> {
        let Some(b) = self.peek() else {
            return self.error(self.pos, "expected an expression");
        };
        match b {
            b'"' => Ok(match self.quoted()? {
                Some(value) => ExprKind::String(value),
                None => ExprKind::Template,
            }),
            b'<' if self.peek_at(1) == Some(b'<') && self.heredoc_ahead() => {
                Ok(match self.heredoc()? {
                    Some(value) => ExprKind::String(value),
                    None => ExprKind::Template,
                })
            }
            b'[' => {
                if self.starts_for(1) {
                    self.skip_balanced()?;
                    return Ok(ExprKind::Other);
                }
                self.tuple()
            }
            b'{' => {
                if self.starts_for(1) {
                    self.skip_balanced()?;
                    return Ok(ExprKind::Other);
                }
                self.object()
            }
            b'(' => {
                self.skip_balanced()?;
                Ok(ExprKind::Other)
            }
            b'0'..=b'9' => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
                {
                    self.pos += 1;
                }
                Ok(ExprKind::Number(self.text[start..self.pos].to_string()))
            }
            b if is_ident_start(b) => {
                let Some((name, _)) = self.ident() else {
                    return Ok(ExprKind::Other);
                };
                Ok(match name.as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ => ExprKind::Identifier(name),
                })
            }
            _ => {
                // A prefix operator or a stray character: the rest is lexed by `skip_rest`.
                self.pos += self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
                Ok(ExprKind::Other)
            }
        }
    }

    /// Whether `for` follows the bracket `ahead` bytes away (after blanks and comments).
    fn starts_for(&mut self, ahead: usize) -> bool {
        let saved = self.pos;
        self.pos += ahead;
        let skipped = self.skip_trivia(true).is_ok();
        let rest = &self.bytes[self.pos..];
        self.pos = saved;
        skipped && rest.starts_with(b"for") && !rest.get(3).is_some_and(|b| is_ident_continue(*b))
    }

    fn tuple(&mut self) -> Result<ExprKind, HclError> {
        let open = self.pos;
        self.pos += 1;
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.skip_trivia(true)?;
            match self.peek() {
                None => return self.error(open, "this `[` is never closed"),
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            items.push(self.expr(Ctx::Tuple)?);
            self.skip_trivia(true)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                None => return self.error(open, "this `[` is never closed"),
                _ => {
                    return self.error(
                        self.pos,
                        format!("expected `,` or `]`, found {}", self.describe()),
                    )
                }
            }
        }
        self.leave();
        Ok(ExprKind::Tuple(items))
    }

    fn object(&mut self) -> Result<ExprKind, HclError> {
        let open = self.pos;
        self.pos += 1;
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.skip_trivia(true)?;
            match self.peek() {
                None => return self.error(open, "this `{` is never closed"),
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            let key = self.expr(Ctx::ObjectKey)?;
            self.skip_trivia(false)?;
            match self.peek() {
                Some(b'=' | b':') => self.pos += 1,
                _ => {
                    return self.error(
                        self.pos,
                        format!(
                            "expected `=` after an object key, found {}",
                            self.describe()
                        ),
                    )
                }
            }
            let value = self.expr(Ctx::ObjectValue)?;
            items.push(ObjectItem { key, value });
            self.skip_trivia(false)?;
            if self.peek() == Some(b',') {
                self.pos += 1;
            }
        }
        self.leave();
        Ok(ExprKind::Object(items))
    }

    /// A quoted string at `"`: its decoded text, or `None` when it interpolates.
    fn quoted(&mut self) -> Result<Option<String>, HclError> {
        let open = self.pos;
        self.pos += 1;
        let mut value = String::new();
        let mut literal = true;
        loop {
            let Some(b) = self.peek() else {
                return self.error(open, "unterminated string");
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(literal.then_some(value));
                }
                b'\n' => {
                    return self.error(open, "unterminated string (strings end on their line)")
                }
                b'\\' => {
                    let escaped = self.peek_at(1);
                    self.pos += 2;
                    match escaped {
                        Some(b'n') => value.push('\n'),
                        Some(b't') => value.push('\t'),
                        Some(b'r') => value.push('\r'),
                        Some(b'"') => value.push('"'),
                        Some(b'\\') => value.push('\\'),
                        Some(b'u' | b'U') => value.push('\u{fffd}'),
                        Some(_) | None => {
                            return self
                                .error(self.pos.saturating_sub(2), "invalid escape in a string")
                        }
                    }
                }
                b'$' | b'%' if self.peek_at(1) == Some(b) && self.peek_at(2) == Some(b'{') => {
                    value.push(b as char);
                    value.push('{');
                    self.pos += 3;
                }
                b'$' | b'%' if self.peek_at(1) == Some(b'{') => {
                    literal = false;
                    self.pos += 1;
                    self.enter()?;
                    self.skip_balanced()?;
                    self.leave();
                }
                _ => {
                    let c = self.text[self.pos..].chars().next().unwrap_or('\u{fffd}');
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Whether the `<<` here opens a heredoc (`<<EOF` or `<<-EOF` and a line end).
    fn heredoc_ahead(&self) -> bool {
        let rest = &self.bytes[self.pos + 2..];
        let rest = rest.strip_prefix(b"-").unwrap_or(rest);
        rest.first().is_some_and(|b| is_ident_start(*b))
    }

    /// A heredoc at `<<`: its text, or `None` when it interpolates.
    fn heredoc(&mut self) -> Result<Option<String>, HclError> {
        let open = self.pos;
        self.pos += 2;
        let indented = self.peek() == Some(b'-');
        if indented {
            self.pos += 1;
        }
        let Some((marker, _)) = self.ident() else {
            return self.error(open, "expected a heredoc marker after `<<`");
        };
        let rest_of_line = match self.text[self.pos..].find('\n') {
            Some(end) => end,
            None => return self.error(open, "unterminated heredoc"),
        };
        if !self.text[self.pos..self.pos + rest_of_line]
            .trim()
            .is_empty()
        {
            return self.error(self.pos, "expected a new line after the heredoc marker");
        }
        self.pos += rest_of_line + 1;
        let content_start = self.pos;
        loop {
            let line_end = self.text[self.pos..]
                .find('\n')
                .map_or(self.text.len(), |end| self.pos + end);
            let line = &self.text[self.pos..line_end];
            if line.trim() == marker {
                let content = &self.text[content_start..self.pos];
                self.pos += line.trim_end().len();
                let interpolates = content.contains("${") || content.contains("%{");
                if interpolates {
                    return Ok(None);
                }
                let content = content.strip_suffix('\n').unwrap_or(content);
                return Ok(Some(if indented {
                    dedent(content)
                } else {
                    content.to_string()
                }));
            }
            if line_end >= self.text.len() {
                return self.error(open, format!("heredoc `{marker}` is never closed"));
            }
            self.pos = line_end + 1;
        }
    }
}

fn dedent(content: &str) -> String {
    let indent = content
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    content
        .lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_attributes_and_literals_with_spans() {
        let text = r#"
# a comment
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
  backend "s3" {}
}

resource "aws_instance" "web" {
  ami           = "ami-0123456789abcdef0"
  count         = var.enabled ? 1 : 0
  tags = {
    Name = "web-${var.env}"
    "team" = "core"
  }
  list = [1, "two",
    { three = 3 }]
  policy = <<-EOT
    {"a": 1}
  EOT
  lifecycle { create_before_destroy = true }
}
"#;
        let body = parse(text).unwrap();
        let terraform = body.blocks_of("terraform").next().unwrap();
        let providers = terraform
            .body
            .blocks_of("required_providers")
            .next()
            .unwrap();
        let aws = providers.body.attribute("aws").unwrap();
        let items = aws.value.as_object().unwrap();
        assert_eq!(items[1].name(), Some("version"));
        assert_eq!(items[1].value.as_str(), Some("~> 5.0"));
        let resource = body.blocks_of("resource").next().unwrap();
        assert_eq!(resource.label(0), Some("aws_instance"));
        assert_eq!(resource.label(1), Some("web"));
        let ami = resource.body.attribute("ami").unwrap();
        assert_eq!(
            &text[ami.value.span.start..ami.value.span.end],
            "\"ami-0123456789abcdef0\""
        );
        let count = resource.body.attribute("count").unwrap();
        assert_eq!(count.value.kind, ExprKind::Other);
        assert_eq!(
            &text[count.value.span.start..count.value.span.end],
            "var.enabled ? 1 : 0"
        );
        let tags = resource
            .body
            .attribute("tags")
            .unwrap()
            .value
            .as_object()
            .unwrap();
        assert_eq!(tags[0].value.kind, ExprKind::Template);
        assert_eq!(tags[1].name(), Some("team"));
        let list = &resource.body.attribute("list").unwrap().value;
        assert!(matches!(&list.kind, ExprKind::Tuple(items) if items.len() == 3));
        assert_eq!(
            resource.body.attribute("policy").unwrap().value.as_str(),
            Some("{\"a\": 1}")
        );
        assert!(resource.body.blocks_of("lifecycle").next().is_some());
    }

    #[test]
    fn reports_positioned_errors() {
        let err = parse("resource \"a\" \"b\" {\n  x = \"open\n}\n").unwrap_err();
        assert_eq!(err.offset, 25);
        let err = parse("a = [1, 2\n").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
        let err = parse("block {\n").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
        assert!(parse("x = 1 y = 2\n").is_err());
        assert!(parse(&"[".repeat(10_000)).is_err());
        assert!(parse(&format!("a = {}", "[".repeat(10_000))).is_err());
    }

    #[test]
    fn reads_for_expressions_and_templates() {
        let text = "locals {\n  a = [for s in var.list : upper(s) if s != \"\"]\n  b = {for k, v in var.m : k => v}\n  c = \"${join(\",\", [\"}\"])}\"\n  d = \"$${literal}\"\n}\n";
        let body = parse(text).unwrap();
        let locals = body.blocks().next().unwrap();
        assert_eq!(
            locals.body.attribute("a").unwrap().value.kind,
            ExprKind::Other
        );
        assert_eq!(
            locals.body.attribute("b").unwrap().value.kind,
            ExprKind::Other
        );
        assert_eq!(
            locals.body.attribute("c").unwrap().value.kind,
            ExprKind::Template
        );
        assert_eq!(
            locals.body.attribute("d").unwrap().value.as_str(),
            Some("${literal}")
        );
    }
}
