//! A fast path for the block-style YAML that CI files are almost always written in.
//!
//! `saphyr-parser` is a complete YAML 1.2 parser, and a general one pays for its generality: a
//! token queue, a `String` per token, simple-key bookkeeping. Most workflow files use a small
//! subset (block mappings and sequences, plain and quoted scalars of one line or folded over
//! several, literal and folded block scalars, flow sequences of scalars and flow collections,
//! flow mappings of scalars, anchors on values and aliases to them, several documents), and
//! parsing that subset directly is several times faster.
//!
//! The fast path produces exactly the events, with exactly the spans, that `saphyr-parser`
//! would, so the same tree builder turns either into the same tree. Anything outside the subset
//! (anchors on keys or empty values, tags, directives, empty documents, complex keys,
//! multi-line keys, collections in flow mappings, multi-line flow collections at the root or
//! indented less than saphyr's strict reading asks, tabs, carriage returns,
//! unusual characters) and anything that might be an error makes it give up, and `saphyr-parser`
//! parses the text instead: the fast path never decides what a file means on its own, it only
//! reproduces saphyr's answer faster where that answer is simple. A differential test compares
//! both on every YAML file of the real-world corpus and the conformance suite, and a fuzz
//! target compares them on arbitrary input.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

use crate::Span;

/// Deepest nesting the fast path handles; deeper input goes to saphyr (which enforces the
/// real limit with a positioned error).
const MAX_DEPTH: usize = 64;
/// Longest implicit key YAML allows.
const MAX_KEY_LEN: usize = 1024;

/// The text is outside the fast path's subset: let saphyr parse it.
pub(super) struct Unsupported;

type Fast<T> = Result<T, Unsupported>;

/// Feed `emit` saphyr's events for `text`, or stop with [`Unsupported`] (after which whatever was
/// emitted must be discarded).
pub(super) fn parse<'a>(
    text: &'a str,
    emit: &mut dyn FnMut(Event<'a>, Span) -> Fast<()>,
) -> Fast<()> {
    if !plain_characters(text) {
        return Err(Unsupported);
    }
    let mut parser = FastParser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        anchors: Vec::new(),
        document_anchors: 0,
        anchor: None,
        emit,
    };
    parser.stream()
}

/// Whether `text` holds only characters the fast path treats like saphyr does: no tabs, no
/// carriage returns, no control characters, no byte-order marks or Unicode line separators.
fn plain_characters(text: &str) -> bool {
    // Chunks folded without an early exit, so the compiler can test many bytes at once.
    let control = |chunk: &[u8]| {
        chunk.iter().fold(false, |bad, &b| {
            bad | ((b < 0x20 && b != b'\n') | (b == 0x7f))
        })
    };
    if text.as_bytes().chunks(256).any(control) {
        return false;
    }
    text.is_ascii()
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
            )
        })
}

struct FastParser<'a, 'e> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    /// The anchors defined so far, each with the id saphyr gives it (ids count from 1 in order
    /// of definition, and a name defined again takes a new id): the last of a name wins.
    anchors: Vec<&'a str>,
    /// The first of `anchors` defined in the current document: aliases see only those.
    document_anchors: usize,
    /// An anchor read but not yet attached: its id and where its `&` is. The next node's start
    /// event carries it, and that node's span starts at the `&`, as saphyr reports it.
    anchor: Option<(usize, usize)>,
    emit: &'e mut dyn FnMut(Event<'a>, Span) -> Fast<()>,
}

/// How a plain scalar ended.
#[derive(PartialEq, Eq)]
enum PlainEnd {
    /// At a `: ` (or `:` before the end of the line): the scalar is a key.
    Colon,
    /// At the end of the line, a comment, or (in a flow collection) a flow indicator.
    Other,
}

/// A scalar scanned but not yet emitted.
struct Scalar<'a> {
    value: Cow<'a, str>,
    style: ScalarStyle,
    span: Span,
}

impl<'a> FastParser<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at(&self, pos: usize) -> Option<u8> {
        self.bytes.get(pos).copied()
    }

    fn emit(&mut self, event: Event<'a>, span: Span) -> Fast<()> {
        (self.emit)(event, span)
    }

    fn emit_scalar(&mut self, scalar: Scalar<'a>) -> Fast<()> {
        let (anchor, span) = self.take_anchor(scalar.span);
        self.emit(
            Event::Scalar(scalar.value, scalar.style, anchor, None),
            span,
        )
    }

    /// The pending anchor's id (0 for none) for the node whose own span is `span`, and that
    /// span widened back to the anchor.
    fn take_anchor(&mut self, span: Span) -> (usize, Span) {
        match self.anchor.take() {
            Some((id, start)) => (id, Span::new(start, span.end)),
            None => (0, span),
        }
    }

    /// The name of the anchor (`&name`) or alias (`*name`) at `pos`, moving `pos` past it.
    /// Names are kept to letters, digits, `-` and `_` followed by a space or the end of the
    /// line: saphyr reads other characters into names and stops at flow indicators, which is
    /// left to it.
    fn anchor_name(&mut self) -> Fast<&'a str> {
        let start = self.pos + 1;
        let mut end = start;
        while matches!(
            self.at(end),
            Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_')
        ) {
            end += 1;
        }
        if end == start || !matches!(self.at(end), None | Some(b' ' | b'\n')) {
            return Err(Unsupported);
        }
        self.pos = end;
        Ok(&self.text[start..end])
    }

    /// Read the anchor at `pos` and hold it for the next node.
    fn define_anchor(&mut self) -> Fast<()> {
        if self.anchor.is_some() {
            return Err(Unsupported);
        }
        let start = self.pos;
        let name = self.anchor_name()?;
        self.anchors.push(name);
        self.anchor = Some((self.anchors.len(), start));
        Ok(())
    }

    /// The alias at `pos`, which must name an anchor defined before it.
    fn alias(&mut self) -> Fast<()> {
        if self.anchor.is_some() {
            return Err(Unsupported);
        }
        let start = self.pos;
        let name = self.anchor_name()?;
        let Some(at) = self.anchors[self.document_anchors..]
            .iter()
            .rposition(|&defined| defined == name)
        else {
            return Err(Unsupported);
        };
        self.emit(
            Event::Alias(self.document_anchors + at + 1),
            Span::new(start, self.pos),
        )
    }

    /// After an anchor: whether the node is on the following lines (nothing but spaces and a
    /// comment is left on this one). A node on this line may not be a key: saphyr would give
    /// the anchor to the key of a mapping starting there.
    fn anchored_node_follows(&mut self) -> Fast<bool> {
        let spaces = self.skip_spaces();
        match self.peek() {
            None | Some(b'\n') => Ok(true),
            Some(b'#') if spaces > 0 => Ok(true),
            Some(_) if spaces > 0 && !self.dash_entry(self.pos) && !self.key_ahead()? => Ok(false),
            Some(_) => Err(Unsupported),
        }
    }

    fn enter(&mut self) -> Fast<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Unsupported);
        }
        Ok(())
    }

    /// Column of `pos` (bytes since the line's start; indentation is spaces only).
    fn column(&self, pos: usize) -> usize {
        let line_start =
            memchr::memrchr(b'\n', &self.bytes[..pos]).map_or(0, |newline| newline + 1);
        pos - line_start
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.pos;
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        self.pos - start
    }

    /// From the start of a line, skip blank and comment-only lines. Leaves `pos` at the start
    /// of the next content line and returns its indentation, or `None` at the end of the text
    /// or at a `---` that starts the next document (which ends every open collection). A `...`
    /// marker is left to saphyr.
    fn next_content_line(&mut self) -> Fast<Option<usize>> {
        self.content_line(false)
    }

    /// [`FastParser::next_content_line`], where `document_may_start` says whether a `---` may
    /// open the document on that line (the first line); `...`, and `---x` there (a plain
    /// scalar), are left to saphyr.
    fn content_line(&mut self, document_may_start: bool) -> Fast<Option<usize>> {
        loop {
            let line_start = self.pos;
            let indent = self.skip_spaces();
            match self.peek() {
                None => return Ok(None),
                Some(b'\n') => self.pos += 1,
                Some(b'#') => self.skip_line(),
                Some(_) => {
                    self.pos = line_start;
                    if indent == 0 {
                        let rest = &self.bytes[line_start..];
                        let marker = self.document_marker(line_start);
                        if marker && rest.starts_with(b"...") {
                            return Err(Unsupported);
                        }
                        if document_may_start {
                            if !marker && rest.starts_with(b"---") {
                                return Err(Unsupported);
                            }
                        } else if marker {
                            return Ok(None);
                        }
                    }
                    return Ok(Some(indent));
                }
            }
        }
    }

    /// Whether a `---` or `...` marker starts at `pos`.
    fn document_marker(&self, pos: usize) -> bool {
        let rest = &self.bytes[pos..];
        (rest.starts_with(b"---") || rest.starts_with(b"..."))
            && matches!(rest.get(3), None | Some(b' ' | b'\n'))
    }

    /// Move past the end of the current line.
    fn skip_line(&mut self) {
        match memchr::memchr(b'\n', &self.bytes[self.pos..]) {
            Some(newline) => self.pos += newline + 1,
            None => self.pos = self.bytes.len(),
        }
    }

    /// After a node: only spaces and a comment may follow on its line.
    fn finish_line(&mut self) -> Fast<()> {
        let spaces = self.skip_spaces();
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'#') if spaces > 0 || self.bytes[self.pos - 1] == b' ' => {
                self.skip_line();
                Ok(())
            }
            Some(_) => Err(Unsupported),
        }
    }

    /// Whether a block sequence entry (`- ` or `-` at the end of the line) starts at `pos`.
    fn dash_entry(&self, pos: usize) -> bool {
        self.at(pos) == Some(b'-') && matches!(self.at(pos + 1), None | Some(b' ' | b'\n'))
    }

    fn stream(&mut self) -> Fast<()> {
        self.emit(Event::StreamStart, Span::empty(0))?;
        let Some(mut indent) = self.content_line(true)? else {
            return Err(Unsupported);
        };
        let mut explicit = indent == 0 && self.bytes[self.pos..].starts_with(b"---");
        loop {
            if explicit {
                let start = self.pos;
                self.emit(Event::DocumentStart(true), Span::new(start, start + 3))?;
                self.pos += 3;
                // Content on the marker's line, and an empty document, are left to saphyr.
                self.finish_line()?;
                indent = match self.next_content_line()? {
                    Some(indent) => indent,
                    None => return Err(Unsupported),
                };
            } else {
                self.emit(Event::DocumentStart(false), Span::empty(self.pos))?;
            }
            // saphyr forgets anchor names between documents but keeps counting their ids.
            self.document_anchors = self.anchors.len();
            self.pos += indent;
            self.block_node(indent, None)?;
            if self.next_content_line()?.is_some() {
                return Err(Unsupported);
            }
            self.emit(Event::DocumentEnd, Span::empty(self.pos))?;
            // Past the end of the text, or at the `---` of the next document.
            if self.pos == self.bytes.len() {
                break;
            }
            explicit = true;
        }
        self.emit(Event::StreamEnd, Span::empty(self.pos))
    }

    /// A node that starts a line, at column `indent`, inside a collection indented `parent`.
    fn block_node(&mut self, indent: usize, parent: Option<usize>) -> Fast<()> {
        if self.dash_entry(self.pos) {
            return self.block_sequence(indent, false);
        }
        if self.key_ahead()? {
            return self.block_mapping(indent);
        }
        if matches!(self.peek(), Some(b'|' | b'>')) {
            return Err(Unsupported);
        }
        self.inline_value(parent)
    }

    /// Whether a mapping key (`key:` followed by a space or the end of the line) starts at
    /// `pos`.
    fn key_ahead(&mut self) -> Fast<bool> {
        let start = self.pos;
        let found = self.scalar_key().is_ok_and(|key| key.is_some());
        self.pos = start;
        Ok(found)
    }

    /// Scan a key at `pos`: returns it and leaves `pos` after its `:`, or `None` (with `pos`
    /// moved) when what is there is not a key.
    fn scalar_key(&mut self) -> Fast<Option<Scalar<'a>>> {
        let key = match self.peek() {
            Some(b'"' | b'\'') => {
                let key = self.quoted(false, None)?;
                self.skip_spaces();
                if self.peek() != Some(b':') {
                    return Ok(None);
                }
                key
            }
            _ => {
                let (key, end) = self.plain(false)?;
                if end != PlainEnd::Colon {
                    return Ok(None);
                }
                key
            }
        };
        if key.span.end - key.span.start > MAX_KEY_LEN {
            return Err(Unsupported);
        }
        // Past the `:`, which is followed by a space or the end of the line.
        self.pos += 1;
        if !matches!(self.peek(), None | Some(b' ' | b'\n')) {
            return Err(Unsupported);
        }
        Ok(Some(key))
    }

    fn block_mapping(&mut self, indent: usize) -> Fast<()> {
        self.enter()?;
        let (anchor, span) = self.take_anchor(Span::empty(self.pos));
        self.emit(Event::MappingStart(anchor, None), span)?;
        loop {
            let Some(key) = self.scalar_key()? else {
                return Err(Unsupported);
            };
            let colon = self.pos - 1;
            self.emit_scalar(key)?;
            self.mapping_value(indent, colon)?;
            match self.next_content_line()? {
                None => break,
                Some(next) if next == indent => {
                    self.pos += next;
                    if self.dash_entry(self.pos) {
                        return Err(Unsupported);
                    }
                }
                Some(next) if next < indent => break,
                Some(_) => return Err(Unsupported),
            }
        }
        self.emit(Event::MappingEnd, Span::empty(self.pos))?;
        self.depth -= 1;
        Ok(())
    }

    /// The value after a key's `:` at `colon`, in a mapping indented `indent`.
    fn mapping_value(&mut self, indent: usize, colon: usize) -> Fast<()> {
        let spaces = self.skip_spaces();
        match self.peek() {
            None | Some(b'\n') => {}
            Some(b'#') if spaces > 0 => {}
            Some(b'&') if spaces > 0 => {
                self.define_anchor()?;
                if !self.anchored_node_follows()? {
                    return self.inline_value(Some(indent));
                }
            }
            Some(_) if spaces > 0 => return self.inline_value(Some(indent)),
            Some(_) => return Err(Unsupported),
        }
        self.skip_line();
        match self.next_content_line()? {
            Some(next) if next > indent => {
                self.pos += next;
                self.block_node(next, Some(indent))
            }
            Some(next) if next == indent && self.dash_entry(self.pos + next) => {
                self.pos += next;
                self.block_sequence(indent, true)
            }
            // saphyr spans an anchored empty value over its anchor alone.
            _ if self.anchor.is_some() => Err(Unsupported),
            _ => self.emit(
                Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None),
                Span::empty(colon),
            ),
        }
    }

    /// A block sequence whose dashes sit at column `indent`; `indentless` when it is the value
    /// of a key at that same column.
    fn block_sequence(&mut self, indent: usize, indentless: bool) -> Fast<()> {
        self.enter()?;
        // saphyr places an indentless sequence where its first dash's token ends: past the
        // spaces after it, and past a comment there.
        let start = if indentless {
            self.token_end(self.pos + 1)
        } else {
            self.pos
        };
        let (anchor, span) = self.take_anchor(Span::empty(start));
        self.emit(Event::SequenceStart(anchor, None), span)?;
        loop {
            // Past the dash.
            self.pos += 1;
            let spaces = self.skip_spaces();
            match self.peek() {
                None | Some(b'\n') => self.item_on_next_line(indent)?,
                Some(b'#') if spaces > 0 => self.item_on_next_line(indent)?,
                Some(b'&') => {
                    self.define_anchor()?;
                    if self.anchored_node_follows()? {
                        return Err(Unsupported);
                    }
                    self.inline_value(Some(indent))?;
                }
                Some(_) => {
                    let column = self.column(self.pos);
                    if self.dash_entry(self.pos) {
                        self.block_sequence(column, false)?;
                    } else if self.key_ahead()? {
                        self.block_mapping(column)?;
                    } else {
                        self.inline_value(Some(indent))?;
                    }
                }
            }
            match self.next_content_line()? {
                None => break,
                Some(next) if next == indent && self.dash_entry(self.pos + next) => {
                    self.pos += next;
                }
                Some(next) if next < indent || (next == indent && indentless) => break,
                Some(_) => return Err(Unsupported),
            }
        }
        self.emit(Event::SequenceEnd, Span::empty(self.pos))?;
        self.depth -= 1;
        Ok(())
    }

    /// A sequence item written on the lines after its dash.
    fn item_on_next_line(&mut self, indent: usize) -> Fast<()> {
        self.skip_line();
        match self.next_content_line()? {
            Some(next) if next > indent => {
                self.pos += next;
                self.block_node(next, Some(indent))
            }
            _ => Err(Unsupported),
        }
    }

    /// A value that starts mid-line (after `key: ` or `- `) or alone on its line, in a
    /// collection indented `parent`. Leaves `pos` at the start of the next line.
    fn inline_value(&mut self, parent: Option<usize>) -> Fast<()> {
        match self.peek() {
            Some(b'|' | b'>') => match parent {
                Some(parent) => self.block_scalar(parent),
                None => Err(Unsupported),
            },
            Some(b'[') => {
                self.flow_sequence(parent)?;
                self.finish_line()
            }
            Some(b'{') => {
                self.flow_mapping(parent)?;
                self.finish_line()
            }
            Some(b'"' | b'\'') => {
                let scalar = self.quoted(false, parent)?;
                self.emit_scalar(scalar)?;
                self.finish_line()
            }
            Some(b'*') => {
                self.alias()?;
                self.finish_line()
            }
            _ => {
                let (mut scalar, end) = self.plain(false)?;
                if end == PlainEnd::Colon {
                    return Err(Unsupported);
                }
                if let Some(parent) = parent {
                    self.plain_continuation(&mut scalar, parent)?;
                }
                self.emit_scalar(scalar)?;
                self.finish_line()
            }
        }
    }

    /// A one-line plain scalar at `pos`; `flow` inside a flow collection.
    fn plain(&mut self, flow: bool) -> Fast<(Scalar<'a>, PlainEnd)> {
        let start = self.pos;
        match self.peek() {
            None | Some(b'\n' | b' ') => return Err(Unsupported),
            Some(
                b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b'|' | b'>' | b'\'' | b'"' | b'[' | b']'
                | b'{' | b'}' | b',' | b'#',
            ) => return Err(Unsupported),
            Some(b'-') if matches!(self.at(start + 1), None | Some(b' ' | b'\n')) => {
                return Err(Unsupported)
            }
            // saphyr refuses `-` before a flow indicator in a flow collection.
            Some(b'-')
                if flow && matches!(self.at(start + 1), Some(b',' | b'[' | b']' | b'{' | b'}')) =>
            {
                return Err(Unsupported)
            }
            // Out of flow collections, `?` and `:` followed by a non-space start a plain scalar
            // (YAML 1.2's `ns-plain-first`, as saphyr scans it): `- ?.*.x`, a release-branch
            // pattern, kept a whole workflow on saphyr's path. Followed by a space they are a
            // key or a value indicator, and in a flow collection saphyr reads `:` otherwise.
            Some(b'?' | b':')
                if flow || matches!(self.at(start + 1), None | Some(b' ' | b'\n')) =>
            {
                return Err(Unsupported)
            }
            Some(_) => {}
        }
        let mut end_kind = PlainEnd::Other;
        let mut pos = start;
        while let Some(byte) = self.at(pos) {
            match byte {
                b'\n' => break,
                b':' if matches!(self.at(pos + 1), None | Some(b' ' | b'\n')) => {
                    end_kind = PlainEnd::Colon;
                    break;
                }
                b':' if flow => return Err(Unsupported),
                b'#' if self.bytes[pos - 1] == b' ' => {
                    if flow {
                        return Err(Unsupported);
                    }
                    break;
                }
                b',' | b'[' | b']' | b'{' | b'}' if flow => break,
                _ => pos += 1,
            }
        }
        let mut end = pos;
        while end > start && self.bytes[end - 1] == b' ' {
            end -= 1;
        }
        if end == start {
            return Err(Unsupported);
        }
        self.pos = pos;
        Ok((
            Scalar {
                value: Cow::Borrowed(&self.text[start..end]),
                style: ScalarStyle::Plain,
                span: Span::new(start, end),
            },
            end_kind,
        ))
    }

    /// The lines that continue the plain scalar `scalar` of a collection indented `parent`,
    /// when its first line ended at `pos` without a comment: each following line indented past
    /// `parent` (blank lines between) is folded into it as saphyr folds them, a single line
    /// break to a space and each blank line to a line break. Leaves `pos` at the end of its last
    /// line, or at the comment that ends it. A continuation line with a `: ` is left to saphyr
    /// (an error).
    fn plain_continuation(&mut self, scalar: &mut Scalar<'a>, parent: usize) -> Fast<()> {
        let mut folded: Option<String> = None;
        while self.peek() == Some(b'\n') {
            let mut line = self.pos + 1;
            let mut blank_lines = 0;
            let (indent, content) = loop {
                let spaces = self.bytes[line..]
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
                match self.at(line + spaces) {
                    Some(b'\n') => {
                        blank_lines += 1;
                        line += spaces + 1;
                    }
                    _ => break (spaces, line + spaces),
                }
            };
            if indent <= parent || matches!(self.at(content), None | Some(b'#')) {
                break;
            }
            let line_end = memchr::memchr(b'\n', &self.bytes[content..])
                .map_or(self.bytes.len(), |newline| content + newline);
            let line_text = &self.text[content..line_end];
            // A comment ends the scalar; more text after it would be an error, which the
            // caller leaves to saphyr as it does after a one-line scalar.
            let comment = line_text.find(" #");
            let text = comment.map_or(line_text, |at| &line_text[..at]);
            if text.ends_with(':') || text.contains(": ") {
                return Err(Unsupported);
            }
            let text = text.trim_end_matches(' ');
            let value = folded.get_or_insert_with(|| scalar.value.to_string());
            if blank_lines == 0 {
                value.push(' ');
            }
            for _ in 0..blank_lines {
                value.push('\n');
            }
            value.push_str(text);
            scalar.span.end = content + text.len();
            if let Some(at) = comment {
                self.pos = content + at;
                break;
            }
            self.pos = line_end;
        }
        if let Some(value) = folded {
            scalar.value = Cow::Owned(value);
        }
        Ok(())
    }

    /// A quoted scalar at `pos`. saphyr's span runs on over the spaces after the closing quote,
    /// and in block context over a comment to the end of the line too. It may continue on the
    /// following lines only when `continued_past` is given (a value, not a key or a flow item)
    /// and they are indented past that column (saphyr asks for less, and is lenient with less
    /// still on a second try: those are left to it).
    fn quoted(&mut self, flow: bool, continued_past: Option<usize>) -> Fast<Scalar<'a>> {
        let start = self.pos;
        let double = self.peek() == Some(b'"');
        let mut pos = start + 1;
        let mut owned: Option<String> = None;
        let mut run_start = pos;
        loop {
            match self.at(pos) {
                None => return Err(Unsupported),
                Some(b'\n') => {
                    let Some(parent) = continued_past else {
                        return Err(Unsupported);
                    };
                    // Spaces before a line break are dropped, the break folds to a space, and
                    // each blank line after it to a line break.
                    let mut end = pos;
                    while end > run_start && self.bytes[end - 1] == b' ' {
                        end -= 1;
                    }
                    let buffer = owned.get_or_insert_with(String::new);
                    buffer.push_str(&self.text[run_start..end]);
                    let (next, blank_lines) = self.quoted_line_start(pos + 1, parent)?;
                    if blank_lines == 0 {
                        buffer.push(' ');
                    }
                    for _ in 0..blank_lines {
                        buffer.push('\n');
                    }
                    pos = next;
                    run_start = pos;
                }
                Some(b'\'') if !double => {
                    if self.at(pos + 1) == Some(b'\'') {
                        let buffer = owned.get_or_insert_with(String::new);
                        buffer.push_str(&self.text[run_start..=pos]);
                        pos += 2;
                        run_start = pos;
                    } else {
                        break;
                    }
                }
                Some(b'"') if double => break,
                // An escaped line break joins the lines without a space, keeping the spaces
                // before it; blank lines after it are line breaks.
                Some(b'\\') if double && self.at(pos + 1) == Some(b'\n') => {
                    let Some(parent) = continued_past else {
                        return Err(Unsupported);
                    };
                    let buffer = owned.get_or_insert_with(String::new);
                    buffer.push_str(&self.text[run_start..pos]);
                    let (next, blank_lines) = self.quoted_line_start(pos + 2, parent)?;
                    for _ in 0..blank_lines {
                        buffer.push('\n');
                    }
                    pos = next;
                    run_start = pos;
                }
                Some(b'\\') if double => {
                    let decoded = match self.at(pos + 1) {
                        Some(b'\\') => '\\',
                        Some(b'"') => '"',
                        Some(b'/') => '/',
                        Some(b'n') => '\n',
                        Some(b't') => '\t',
                        Some(b'r') => '\r',
                        Some(b'0') => '\0',
                        Some(b' ') => ' ',
                        _ => return Err(Unsupported),
                    };
                    let buffer = owned.get_or_insert_with(String::new);
                    buffer.push_str(&self.text[run_start..pos]);
                    buffer.push(decoded);
                    pos += 2;
                    run_start = pos;
                }
                Some(_) => pos += 1,
            }
        }
        let value = match owned {
            Some(mut buffer) => {
                buffer.push_str(&self.text[run_start..pos]);
                Cow::Owned(buffer)
            }
            None => Cow::Borrowed(&self.text[run_start..pos]),
        };
        // Past the closing quote.
        self.pos = pos + 1;
        let close = self.pos;
        let end = self.token_end(close);
        if flow && end > close && self.at(end - 1) != Some(b' ') {
            return Err(Unsupported);
        }
        Ok(Scalar {
            value,
            style: if double {
                ScalarStyle::DoubleQuoted
            } else {
                ScalarStyle::SingleQuoted
            },
            span: Span::new(start, end),
        })
    }

    /// Where a quoted scalar's text goes on from the line starting at `line`: past the
    /// indentation and any blank lines, whose number comes with it. The text must be indented
    /// past `parent` and the scalar must not end there.
    fn quoted_line_start(&self, mut line: usize, parent: usize) -> Fast<(usize, usize)> {
        let mut blank_lines = 0;
        loop {
            let spaces = self.bytes[line..]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            match self.at(line + spaces) {
                None => return Err(Unsupported),
                Some(b'\n') => {
                    blank_lines += 1;
                    line += spaces + 1;
                }
                Some(_) if spaces > parent => return Ok((line + spaces, blank_lines)),
                Some(_) => return Err(Unsupported),
            }
        }
    }

    /// Where saphyr ends a token that closes at `close` (a quote, a closing bracket): past the
    /// spaces after it, and past a comment after those to the end of the line.
    fn token_end(&self, close: usize) -> usize {
        let mut end = close;
        while self.at(end) == Some(b' ') {
            end += 1;
        }
        if self.at(end) == Some(b'#') && end > close {
            end = memchr::memchr(b'\n', &self.bytes[end..])
                .map_or(self.bytes.len(), |newline| end + newline);
        }
        end
    }

    /// A flow sequence at `pos` of scalars and flow collections (`[a, "b", {c: d}]`), on one line
    /// or, where `continued_past` allows, several (see [`FastParser::flow_space`]).
    fn flow_sequence(&mut self, continued_past: Option<usize>) -> Fast<()> {
        self.flow_collection(
            |anchor| Event::SequenceStart(anchor, None),
            b']',
            Event::SequenceEnd,
            continued_past,
            |parser| match parser.peek() {
                Some(b'[') => parser.flow_sequence(continued_past),
                Some(b'{') => parser.flow_mapping(continued_past),
                _ => {
                    let scalar = parser.flow_scalar()?;
                    parser.emit_scalar(scalar)
                }
            },
        )
    }

    /// A flow mapping of scalars at `pos` (`{a: 1, b: "x"}`), each entry on one line, the
    /// entries on one line or, where `continued_past` allows, several.
    fn flow_mapping(&mut self, continued_past: Option<usize>) -> Fast<()> {
        self.flow_collection(
            |anchor| Event::MappingStart(anchor, None),
            b'}',
            Event::MappingEnd,
            continued_past,
            |parser| {
                let key = parser.flow_scalar()?;
                parser.skip_spaces();
                if parser.peek() != Some(b':') || parser.at(parser.pos + 1) != Some(b' ') {
                    return Err(Unsupported);
                }
                parser.emit_scalar(key)?;
                parser.pos += 1;
                parser.skip_spaces();
                let value = parser.flow_scalar()?;
                parser.emit_scalar(value)
            },
        )
    }

    /// A flow collection at `pos`: `start` (given the anchor id), the items `item` reads
    /// separated by commas (one may trail) up to `close`, then `end`.
    fn flow_collection(
        &mut self,
        start: impl FnOnce(usize) -> Event<'a>,
        close: u8,
        end: Event<'a>,
        continued_past: Option<usize>,
        mut item: impl FnMut(&mut Self) -> Fast<()>,
    ) -> Fast<()> {
        self.enter()?;
        let (anchor, span) = self.take_anchor(Span::new(self.pos, self.pos + 1));
        self.emit(start(anchor), span)?;
        self.pos += 1;
        self.flow_space(continued_past, close)?;
        let mut trailing_comma = None;
        if self.peek() != Some(close) {
            loop {
                item(self)?;
                self.flow_space(continued_past, close)?;
                match self.peek() {
                    Some(b',') => {
                        let comma = self.pos;
                        self.pos += 1;
                        self.flow_space(continued_past, close)?;
                        if self.peek() == Some(close) {
                            trailing_comma = Some(comma);
                            break;
                        }
                    }
                    Some(byte) if byte == close => break,
                    _ => return Err(Unsupported),
                }
            }
        }
        // saphyr ends a flow mapping whose last entry has a trailing comma at that comma's
        // token, and so does the mapping's span.
        let end_span = match trailing_comma {
            Some(comma) if close == b'}' => Span::new(comma, self.token_end(comma + 1)),
            _ => Span::new(self.pos, self.token_end(self.pos + 1)),
        };
        self.emit(end, end_span)?;
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// Skip the spaces before a flow collection's next token. Where `continued_past` is given
    /// (the collection is a value of a block collection indented that much) they may run over
    /// line breaks, blank lines and comments, and the token must then be indented past that
    /// column, or sit at it if it is the collection's `close`: saphyr reads less indented ones
    /// only on its lenient second try.
    fn flow_space(&mut self, continued_past: Option<usize>, close: u8) -> Fast<()> {
        let mut line_start = None;
        loop {
            let spaces = self.skip_spaces();
            match self.peek() {
                None => return Err(Unsupported),
                Some(b'\n') => {}
                Some(b'#') if spaces > 0 || line_start == Some(self.pos) => {
                    match memchr::memchr(b'\n', &self.bytes[self.pos..]) {
                        Some(newline) => self.pos += newline,
                        None => return Err(Unsupported),
                    }
                }
                Some(_) => {
                    if let (Some(start), Some(parent)) = (line_start, continued_past) {
                        let column = self.pos - start;
                        if column < parent || (column == parent && self.peek() != Some(close)) {
                            return Err(Unsupported);
                        }
                    }
                    return Ok(());
                }
            }
            if continued_past.is_none() {
                return Err(Unsupported);
            }
            // Past the line break.
            self.pos += 1;
            line_start = Some(self.pos);
        }
    }

    fn flow_scalar(&mut self) -> Fast<Scalar<'a>> {
        match self.peek() {
            Some(b'"' | b'\'') => self.quoted(true, None),
            _ => {
                let (scalar, end) = self.plain(true)?;
                if end == PlainEnd::Colon && self.at(self.pos + 1) == Some(b'\n') {
                    return Err(Unsupported);
                }
                Ok(scalar)
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `pos`, in a collection
    /// indented `parent`.
    fn block_scalar(&mut self, parent: usize) -> Fast<()> {
        let literal = self.peek() == Some(b'|');
        self.pos += 1;
        let chomp = match self.peek() {
            Some(b'-') => Some(false),
            Some(b'+') => Some(true),
            _ => None,
        };
        if chomp.is_some() {
            self.pos += 1;
        }
        // Explicit indentation indicators and anything else on the header line but a comment.
        self.finish_line()?;
        // The first line fixes the indentation; leading blank lines are left to saphyr.
        let first = self.pos;
        let indent = self.bytes[first..]
            .iter()
            .take_while(|&&b| b == b' ')
            .count();
        if indent <= parent || matches!(self.at(first + indent), None | Some(b'\n')) {
            return Err(Unsupported);
        }
        let start = first + indent;
        let mut value = String::new();
        // Blank lines seen since the last text line.
        let mut blank_run = 0usize;
        let mut last_text_end = start;
        let mut seen_text = false;
        let mut line = first;
        // Whether the last text line was more indented than the block (folding keeps the line
        // breaks around such lines).
        let mut last_spaced = false;
        while line < self.bytes.len() {
            let spaces = self.bytes[line..]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            // saphyr reads the end of the text as a line break.
            let (line_end, next_line) = match memchr::memchr(b'\n', &self.bytes[line..]) {
                Some(newline) => (line + newline, line + newline + 1),
                None => (self.bytes.len(), self.bytes.len()),
            };
            if line + spaces == line_end {
                // A blank last line without a line break is read differently, and in a folded
                // scalar a blank line with spaces past the indentation is spaced text: leave
                // both to saphyr. In a literal scalar such a line is text like any other.
                if next_line == line_end || (spaces > indent && !literal) {
                    return Err(Unsupported);
                }
                if spaces <= indent {
                    blank_run += 1;
                    line = next_line;
                    continue;
                }
            }
            if spaces < indent {
                break;
            }
            let content = &self.text[line + indent..line_end];
            let spaced = spaces > indent;
            if seen_text {
                if literal || spaced || last_spaced {
                    for _ in 0..=blank_run {
                        value.push('\n');
                    }
                } else if blank_run == 0 {
                    value.push(' ');
                } else {
                    for _ in 0..blank_run {
                        value.push('\n');
                    }
                }
            }
            value.push_str(content);
            seen_text = true;
            last_spaced = spaced;
            blank_run = 0;
            last_text_end = line_end;
            line = next_line;
        }
        match chomp {
            Some(false) => {}
            None => value.push('\n'),
            Some(true) => {
                for _ in 0..=blank_run {
                    value.push('\n');
                }
            }
        }
        // The lines after the scalar start at the first line that is not its own: blank lines
        // in between belong to the scalar (they count for keep-chomping).
        self.pos = line;
        self.emit_scalar(Scalar {
            value: Cow::Owned(value),
            style: if literal {
                ScalarStyle::Literal
            } else {
                ScalarStyle::Folded
            },
            span: Span::new(start, last_text_end),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::super::{parse_fast, parse_with_saphyr};
    use crate::source::{LineIndex, SourceFile};

    /// The fast path's stream for `text`, if it took it, after checking it equals saphyr's.
    fn compare(text: &str) -> Result<bool, String> {
        let lines = LineIndex::new(text);
        let Some(fast) = parse_fast(text, &lines) else {
            return Ok(false);
        };
        let slow = parse_with_saphyr(text, &lines);
        if fast == slow {
            Ok(true)
        } else {
            let (fast, slow) = (format!("{fast:#?}"), format!("{slow:#?}"));
            let (fast, slow): (Vec<_>, Vec<_>) = (fast.lines().collect(), slow.lines().collect());
            let first = fast
                .iter()
                .zip(&slow)
                .position(|(a, b)| a != b)
                .unwrap_or(fast.len().min(slow.len()));
            let from = first.saturating_sub(12);
            Err(format!(
                "fast path:\n{}\nsaphyr:\n{}",
                fast[from..(first + 3).min(fast.len())].join("\n"),
                slow[from..(first + 3).min(slow.len())].join("\n")
            ))
        }
    }

    /// Texts the fast path takes, each with a construct whose spans or value saphyr computes in
    /// its own way; the fast path must agree with it on every one.
    #[test]
    fn the_fast_path_agrees_with_saphyr_on_tricky_constructs() {
        let texts = [
            "on: push\njobs:\n  a:\n    steps:\n    - run: x\n    -   uses: y\n",
            "a:\n# c\n-   w\nb:\n-\n  q: 1\n",
            "a: [ \"x\" , 'y'  ,z ]\nb: {}  # c\nc: { k: \"v\" , k2: w }\n",
            "f: \"q\"   # c\ng: 'it''s'\nh: \"a\\tb\\\"\"\n",
            "h: |-\n  keep\n\n    more\n  last   \ni: |+\n  a\n\nj: >-\n  a\n  b\n\n  c\nk: x\n",
            "a: >\n  x\n    spaced\n  y\n\n  z\n",
            "a: |\n  x\n  y",
            "a: >+\n  x",
            "---\nname: CI # c\non:\n  push:\n    branches: [main]\n  pull_request:\nempty:\n",
            "a: 1\na: 2\nA: 3\n",
            "- a\n- - b\n  - c\n- k: v\n  l: w\n",
            "key: \"é ü\"\nnext: ü\n",
            "branches:\n  - main\n  - ?.*.x\n",
            "a: ?b\n?c: d\n:e: :f\n",
            "- ?x\n- :y\n",
            // Anchors and aliases: on a block sequence or mapping below the key, on an
            // indentless sequence, on scalars and flow collections, redefined, in sequences.
            "a: &x 1\nb: *x\n",
            "on:\n  push:\n    paths: &paths\n      - \"a/**\"\n      - b\n  pull_request:\n    paths: *paths\n",
            "env:\n  OLD: &oldest \"v5.3\"   # c\n  NEW: &new_est-2 v5 # c\nm:\n  - *oldest\n  - *new_est-2 # c\n",
            "a: &l # c\n- x\n- y\nb: *l\n",
            "a: &m\n  k: v\nb:\n  <<: *m\n  c: &f [1, 2]\n  d: &g {k: v}\n  e: &b |\n    text\n  f: &c >-\n    folded\n",
            "a: &x 1\nb: &x 2\nc: *x\nd: &y\n  - *x\n",
            "- &a v\n- *a\n- &b 'q'\n",
            // Multi-line plain scalars: folded lines, blank lines kept as line breaks, trailing
            // spaces dropped, under a key, alone below a key, in a sequence.
            "a: b\n  c\n",
            "run: npx eslint .\n  --config .eslintrc.js   \n\n   --ext .js\nnext: 1\n",
            "if: a &&\n    b == 'x'\n\n\n    || c # d\nk:\n  - one\n    two\n  - three\n",
            "run:\n  cargo clippy\n  --all-features\n  # a comment ends it\nb: x\n",
            "a:\n  - k: v\n     w - x\n    l: 'q'\n",
            "a: x\n  y",
            "a: x\n  - y\n  ? z\n",
            // Multi-line quoted scalars: folded breaks, blank lines, spaces dropped before a break
            // and kept before an escaped one, escaped breaks followed by blank lines, `''`
            // and escapes next to breaks, a comment after the closing quote.
            "a: \"x\n  y\"\n",
            "a:\n  b: 'one  \n     two\n\n     three'\n  c: \"k-\\\n    v \\\n   \n    w\"   # c\nd: 1\n",
            "- \"x\\t\n  \\ y\"\n- 'it''s\n  ''q'''\n- \"\n  \"\n",
            "s: \"/assign\n  /unassign\"\nt: 'x\n   '\n",
            // Several documents: a `---` ends every open collection and scalar; anchor names
            // are the document's own, their ids count on.
            "a: 1\n---\nb: 2\n",
            "---\n# c\nkind: A\nx: &a 1\ny: *a\n---\nkind: B\nz: &a 2\nw: *a\n",
            "a:\n  b:\n    - x\n\n---   # c\n- q\n",
            "a: |+\n  x\n\n---\nb:\n---\nc: d\n  e\n---\n'x'\n",
            // Flow collections nested in sequences, over several lines with comments and blank
            // lines between their tokens, and with trailing commas (a mapping's ends at it).
            "a: [b, [c], {d: e}, [ ], {}]\n",
            "needs: [\n    x,\n\n      y,  # c\n   # d\n  ]\nb:\n  - {\n      os: \"linux\",\n      arch: x,  # c\n    }\n  - {k: v,}\n  - [\n   {a: b}, {c: d} ,\n   ]   # e\n",
            "a:\n  b: [ # c\n      x, 'y'\n    ]\n",
            "a:\n  b: [\n    x\n  ]\n  c: {\n    k: v,\n  }\n",
            "- [\n  x,\n]\n",
            // An indentless sequence whose first dash has a comment after it.
            "  c:\n  - # c\n      x\n",
            // Literal block scalars with lines of spaces past their indentation.
            "run: |\n  echo a\n     \n  echo b\n    \nnext: |-\n  x\n   \ny: |+\n  x\n   \n\nz: 1\n",
        ];
        for text in texts {
            assert_eq!(compare(text), Ok(true), "{text:?}");
        }
    }

    /// What the fast path leaves to saphyr, including errors it must not judge itself.
    #[test]
    fn the_fast_path_leaves_other_yaml_and_errors_to_saphyr() {
        let texts = [
            "a: !!str 1\n",
            "a: b: c\n",
            "a:\tb\n",
            "a: 1\r\n",
            "? a\n: b\n",
            "a: [?b]\n",
            "a: {:b}\n",
            "a: ?\n",
            "- ?\n",
            "a: |2\n   x\n",
            "",
            "# only a comment\n",
            "a: \"\\x41\"\n",
            // Anchors and aliases outside the subset: an anchored empty value, anchors on keys,
            // an unknown alias, names with other characters, two properties on one node, an
            // anchor alone on a sequence entry's line.
            "a: &x\nb: 1\n",
            "&x a: 1\n",
            "- &a k: v\n",
            "a: &x b: c\n",
            "a: *y\n",
            "a: &x:y 1\n",
            "a: &x,y 1\n",
            "a: &x &y 1\n",
            "a: &x *x\n",
            "a: &x\n  *x\n",
            "- &a\n  k: v\n",
            "a:\n  &x\n  k: v\n",
            "a: [&x 1]\n",
            // Multi-line plain scalars that saphyr reads otherwise or refuses: a `: ` or a
            // comment on a continuation line, a comment after the first line, at the root.
            "a: b\n  c: d\n",
            "a: b\n  c:\n",
            "a: b\n  c #d\n  e\n",
            "a: b # c\n  d\n",
            "a: b\n  # c\n  d\n",
            "x\ny\n",
            // Multi-line quoted scalars as keys, in flow collections, at the root, continued at
            // or left of their key's column, unterminated, or followed by a `:`.
            "\"a\n b\": 1\n",
            "a: [\"x\n  y\"]\n",
            "\"x\n y\"\n",
            "a:\n  b: \"x\n  y\"\n",
            "a:\n  b: 'x\ny'\n",
            "a: \"x\\\ny\"\n",
            "a: \"x\n  y\n",
            "a: 'x\n  y': z\n",
            "a: \"x\n---\"\n",
            // Multi-line flow collections that saphyr reads only on its lenient try (a token at or
            // left of the key's column), at the root, with an entry split over lines, a comment
            // glued to a token, or unclosed; empty entries.
            "a:\n  b: [\n    x,\n  y]\n",
            "a:\n  b: [\n    x\n ]\n",
            "a:\n  b: [\n  x\n  ]\n",
            "[\n  a\n]\n",
            "a: {k:\n     v}\n",
            "a: [\n  x,#c\n  y]\n",
            "a: [\n  x,\n",
            "a: [x, , y]\n",
            "a: [,]\n",
            "a: [-]\n",
            "a: {k: -,}\n",
            "a: {,}\n",
            // Documents that saphyr reads otherwise: empty ones, content on the marker's line,
            // an end marker, an alias to an earlier document's anchor.
            "a: 1\n---\n",
            "---\n---\na: 1\n",
            "a: 1\n--- b: 2\n",
            "a: 1\n...\n",
            "a: 1\n...\n---\nb: 2\n",
            "a: &x 1\n---\nb: *x\n",
            // A folded scalar's line of spaces past its indentation, and a literal one's last
            // line of spaces without a line break.
            "a: >\n  x\n    \n  y\n",
            "a: |\n  x\n    ",
        ];
        for text in texts {
            assert_eq!(compare(text), Ok(false), "{text:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Texts assembled from the pieces the fast path's constructs are made of (indentation,
        /// keys, dashes, flow brackets, anchors, aliases, quotes, comments, document markers,
        /// line breaks): wherever the fast path takes one, it agrees with saphyr.
        #[test]
        fn the_fast_path_agrees_with_saphyr_on_assembled_texts(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "\n", "\n", "\n", "  ", "  ", "    ", " ", "a: ", "b: ", "a:", "- ", "-", "x", "y z",
                "[", "]", "{", "}", ", ", ",", "k: v", "&a ", "&b", "*a", "*b", "'q", "'", "\"d",
                "\"", "\\", "# c", " #c", "---\n", "...\n", "|\n", ">-\n", "|+\n", ": ", "?", "''",
            ]), 1..24)
        ) {
            let text: String = pieces.concat();
            proptest::prop_assert!(compare(&text).is_ok(), "{:?}: {}", text, compare(&text).unwrap_err());
        }

        /// The same, line by line: an indentation, what starts the line (a key, a dash, a
        /// marker, a flow bracket) and what follows it.
        #[test]
        fn the_fast_path_agrees_with_saphyr_on_assembled_lines(
            lines in proptest::collection::vec((
                proptest::sample::select(vec!["", "", "  ", "  ", "    ", "      ", " ", "   "]),
                proptest::sample::select(vec![
                    "a: ", "b: ", "- ", "", "", "c:", "- k: ", "d: &a ", "e: &b", "--- ", "---",
                    "- - ", "f: [", "g: {",
                ]),
                proptest::sample::select(vec![
                    "x", "y z", "'q", "q'", "\"d", "d\"", "[", "x,", "x, y", "]", "{k: v", "k: v,",
                    "}", "*a", "*b", "# c", "|", ">-", "\"e\\", "  ", "", "[a, b]", "{}", "w #c",
                    "'it''s'", "\"\\t\"", "-", "- x", "a: b", "],", "},", "[{a: b},", "\"x\" #c",
                    "'y' ", "\"\\", ">", "|-",
                ]),
            ), 1..9)
        ) {
            let text: String = lines
                .iter()
                .map(|(indent, start, rest)| format!("{indent}{start}{rest}\n"))
                .collect();
            proptest::prop_assert!(compare(&text).is_ok(), "{:?}: {}", text, compare(&text).unwrap_err());
        }
    }

    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                yaml_files(&path, out);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "yml" || e == "yaml")
            {
                out.push(path);
            }
        }
    }

    /// Every YAML file of the real-world corpus and of actionlint's conformance suite parses to
    /// the same stream (tree, spans, duplicate keys, error) through the fast path as through
    /// saphyr.
    #[test]
    fn the_fast_path_agrees_with_saphyr_on_every_real_yaml_file() {
        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
        let mut files = Vec::new();
        yaml_files(&shared.join("corpus/real"), &mut files);
        yaml_files(&shared.join("conformance"), &mut files);
        if files.is_empty() {
            println!("skipped: ../shared absent");
            return;
        }
        files.sort();
        let (mut taken, mut mismatches) = (0usize, Vec::new());
        for path in &files {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let Ok(source) = SourceFile::from_bytes(path.clone(), bytes) else {
                continue;
            };
            match compare(source.text()) {
                Ok(fast) => taken += usize::from(fast),
                Err(diff) => mismatches.push((path.clone(), diff)),
            }
        }
        println!(
            "fast path took {taken} of {} YAML files; {} disagreed",
            files.len(),
            mismatches.len()
        );
        if let Some((path, diff)) = mismatches.first() {
            let names: Vec<_> = mismatches.iter().map(|(p, _)| p.display()).collect();
            panic!(
                "{} files disagree: {:#?}\nfirst, {}:\n{diff}",
                mismatches.len(),
                &names[..names.len().min(20)],
                path.display()
            );
        }
        assert!(taken > files.len() / 2, "the fast path took only {taken}");
    }
}
