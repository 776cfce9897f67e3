//! A located YAML tree built from `saphyr-parser` events.
//!
//! Every node keeps the byte [`Span`] of its text. The builder is iterative, caps nesting depth and
//! alias expansion (so alias bombs and deeply nested input fail with a positioned error instead of
//! exhausting memory or the stack), and records duplicate mapping keys.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle as RawStyle};

use crate::source::LineIndex;
use crate::Span;

mod fast;
mod flow_indent;

/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 256;
/// Most nodes that alias expansion may create in one stream.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

/// A key and its value in a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key node.
    pub key: Node,
    /// The value node.
    pub value: Node,
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar with its decoded value.
    Scalar {
        /// The decoded text of the scalar.
        value: String,
        /// How it was written.
        style: ScalarStyle,
    },
    /// A sequence of nodes.
    Sequence(Vec<Node>),
    /// A mapping, in source order.
    Mapping(Vec<Entry>),
}

/// A YAML node with the span of its source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Bytes of the node's source text (for aliases: of the anchored node).
    pub span: Span,
    /// The node's content.
    pub kind: NodeKind,
    /// The tag, if one was written (`!!str`, `!custom`).
    pub tag: Option<String>,
}

impl Node {
    /// The mapping's entries, if this is a mapping.
    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The sequence's items, if this is a sequence.
    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// The scalar's decoded text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The scalar's style, if this is a scalar.
    pub fn scalar_style(&self) -> Option<ScalarStyle> {
        match &self.kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// Whether this is a plain scalar spelling null (`~`, `null`, empty).
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style: ScalarStyle::Plain }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The boolean a plain scalar spells (`true`/`false` in YAML 1.2 core schema spellings).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
            } => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The mapping entry whose key is the scalar `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?
            .iter()
            .find(|entry| entry.key.as_str() == Some(key))
    }

    /// The value under the scalar `key`, if this is a mapping holding it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// The scalar text under `key`.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// A short name for the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => "null",
            NodeKind::Scalar { .. } => "scalar",
            NodeKind::Sequence(_) => "sequence",
            NodeKind::Mapping(_) => "mapping",
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            NodeKind::Scalar { .. } => 1,
            NodeKind::Sequence(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            NodeKind::Mapping(entries) => {
                1 + entries
                    .iter()
                    .map(|e| e.key.count() + e.value.count())
                    .sum::<usize>()
            }
        }
    }
}

/// One document of a YAML stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The document's root node.
    pub root: Node,
    /// Keys that repeat an earlier key of the same mapping: `(first, repeated)`.
    pub duplicate_keys: Vec<(Span, Span)>,
    /// Whether an alias copied a node into the tree: only then can the same node, with the
    /// same spans, turn up at several places, and a walk that must see each once has to track
    /// what it has seen.
    pub has_aliases: bool,
}

/// A YAML syntax error, or a limit exceeded, with its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong.
    pub message: String,
    /// Byte offset where it went wrong.
    pub offset: usize,
}

/// The documents of a stream, and the error that stopped the parse, if any.
///
/// Documents completed before an error are kept, so one bad document in a multi-document file
/// does not hide the others.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    /// Documents parsed completely.
    pub documents: Vec<Document>,
    /// The error that ended parsing early.
    pub error: Option<YamlError>,
}

impl Stream {
    /// The single document, or an error when the stream has none or several, or did not parse.
    pub fn into_single(self) -> Result<Document, YamlError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let mut documents = self.documents;
        match documents.len() {
            1 => Ok(documents.remove(0)),
            0 => Err(YamlError {
                message: "the file holds no YAML document".into(),
                offset: 0,
            }),
            n => Err(YamlError {
                message: format!("expected one YAML document, found {n}"),
                offset: documents[1].root.span.start,
            }),
        }
    }
}

/// Parse every document of `text`.
pub fn parse(text: &str, lines: &LineIndex) -> Stream {
    parse_fast(text, lines).unwrap_or_else(|| parse_with_saphyr(text, lines))
}

/// The stream through the fast path for common block-style YAML alone, or `None` when the text
/// is outside its subset. [`parse`] uses it first; it is public so differential tests and fuzz
/// targets can compare it with [`parse_with_saphyr`].
pub fn parse_fast(text: &str, lines: &LineIndex) -> Option<Stream> {
    let mut builder = Builder::new(text, lines);
    let mut stream = Stream::default();
    let parsed = fast::parse(text, &mut |event, span| {
        match builder.on_event(event, span) {
            Ok(Some(document)) => stream.documents.push(document),
            Ok(None) => {}
            // A limit: saphyr's path reports it with the same message and position.
            Err(_) => return Err(fast::Unsupported),
        }
        Ok(())
    });
    parsed.ok().map(|()| stream)
}

/// The stream through `saphyr-parser`: all of YAML, and its errors. [`parse`] falls back on it;
/// it is the reference the fast path is compared with (the fast path gives up on every
/// multi-line flow collection or quoted scalar with a line indented less than saphyr's strict
/// reading asks, so the leniency below never separates the two).
///
/// A text saphyr refuses is tried once more with the lines of its multi-line flow collections
/// indented past their key (`flow_indent`): such files are accepted by GitHub and by
/// libyaml-based parsers, and the spans of that second parse are mapped back to `text`.
pub fn parse_with_saphyr(text: &str, lines: &LineIndex) -> Stream {
    let stream = parse_with_saphyr_strict(text, lines);
    if stream.error.is_none() {
        return stream;
    }
    let Some((reindented, shifts)) = flow_indent::reindent(text) else {
        return stream;
    };
    let mut lenient = parse_with_saphyr_strict(&reindented, &LineIndex::new(&reindented));
    if lenient.error.is_some() {
        // Indentation was not (only) the problem: the original error is the one to show.
        return stream;
    }
    let map = |span: &mut Span| {
        span.start = shifts.original(span.start);
        span.end = shifts.original(span.end);
    };
    for document in &mut lenient.documents {
        let mut nodes = vec![&mut document.root];
        while let Some(node) = nodes.pop() {
            map(&mut node.span);
            match &mut node.kind {
                NodeKind::Scalar { .. } => {}
                NodeKind::Sequence(items) => nodes.extend(items.iter_mut()),
                NodeKind::Mapping(entries) => {
                    for entry in entries {
                        nodes.push(&mut entry.key);
                        nodes.push(&mut entry.value);
                    }
                }
            }
        }
        for (first, repeated) in &mut document.duplicate_keys {
            map(first);
            map(repeated);
        }
    }
    lenient
}

fn parse_with_saphyr_strict(text: &str, lines: &LineIndex) -> Stream {
    let mut builder = Builder::new(text, lines);
    let mut parser = Parser::new_from_str(text);
    let mut stream = Stream::default();
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                let start = builder.offset(span.start);
                let end = builder.offset(span.end);
                match builder.on_event(event, Span::new(start, end)) {
                    Ok(Some(document)) => stream.documents.push(document),
                    Ok(None) => {}
                    Err(error) => {
                        stream.error = Some(error);
                        break;
                    }
                }
            }
            Some(Err(error)) => {
                let offset = builder.offset(*error.marker());
                stream.error = Some(YamlError {
                    message: error.info().to_string(),
                    offset,
                });
                break;
            }
        }
    }
    stream
}

/// A collection being built. Its children wait on the builder's shared `items` or `entries`
/// stack from index `first` on, and move into a vector of exactly their number when it ends:
/// no vector per collection grows by doubling.
enum Frame {
    Sequence {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        first: usize,
    },
    Mapping {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        first: usize,
        pending_key: Option<Node>,
        /// First entry (index into the builder's `entries`) of each key, once the mapping is
        /// large enough that scanning its entries for a repeated key would be quadratic.
        keys: Option<HashMap<String, usize>>,
    },
}

/// Entries a mapping may have before its keys are indexed: below it a scan is cheaper than
/// hashing, above it the scan makes a mapping of n keys cost n² comparisons.
const KEY_INDEX_FROM: usize = 16;

struct Builder<'a> {
    text: &'a str,
    lines: &'a LineIndex,
    ascii: bool,
    stack: Vec<Frame>,
    /// Items of the open sequences, innermost last.
    items: Vec<Node>,
    /// Entries of the open mappings, innermost last.
    entries: Vec<Entry>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    /// Whether the current document has an alias.
    aliased: bool,
    root: Option<Node>,
    duplicate_keys: Vec<(Span, Span)>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, lines: &'a LineIndex) -> Self {
        Builder {
            text,
            lines,
            ascii: text.is_ascii(),
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            aliased: false,
            root: None,
            duplicate_keys: Vec::new(),
        }
    }

    /// Byte offset of a parser marker (markers count characters).
    fn offset(&self, marker: Marker) -> usize {
        if self.ascii {
            return marker.index().min(self.text.len());
        }
        self.lines
            .offset_of(self.text, marker.line().saturating_sub(1), marker.col())
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<Option<Document>, YamlError> {
        match event {
            Event::DocumentStart(_) => {
                self.root = None;
                self.duplicate_keys.clear();
                self.aliased = false;
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    return Ok(Some(Document {
                        root,
                        duplicate_keys: std::mem::take(&mut self.duplicate_keys),
                        has_aliases: self.aliased,
                    }));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let node = Node {
                    span: scalar_span(self.text, span, style),
                    kind: NodeKind::Scalar {
                        value: value.into_owned(),
                        style: convert_style(style),
                    },
                    tag: tag.map(|t| t.to_string()),
                };
                self.finish(node, anchor);
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias refers to an unknown anchor".into(),
                        offset: span.start,
                    });
                };
                self.alias_nodes += count;
                self.aliased = true;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(YamlError {
                        message: format!(
                            "alias expansion exceeds {MAX_ALIAS_NODES} nodes (an alias bomb?)"
                        ),
                        offset: span.start,
                    });
                }
                let node = node.clone();
                self.finish(node, 0);
            }
            Event::SequenceStart(anchor, tag) => {
                self.push(
                    Frame::Sequence {
                        start: span.start,
                        anchor,
                        tag: tag.map(|t| t.to_string()),
                        first: self.items.len(),
                    },
                    span.start,
                )?;
            }
            Event::MappingStart(anchor, tag) => {
                self.push(
                    Frame::Mapping {
                        start: span.start,
                        anchor,
                        tag: tag.map(|t| t.to_string()),
                        first: self.entries.len(),
                        pending_key: None,
                        keys: None,
                    },
                    span.start,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let (node, anchor) = match frame {
                        Frame::Sequence {
                            start,
                            anchor,
                            tag,
                            first,
                        } => {
                            let items: Vec<Node> = self.items.drain(first..).collect();
                            let end = collection_end(items.last().map(|n| n.span.end), span);
                            (
                                Node {
                                    span: Span::new(start, trim_end(self.text, start, end)),
                                    kind: NodeKind::Sequence(items),
                                    tag,
                                },
                                anchor,
                            )
                        }
                        Frame::Mapping {
                            start,
                            anchor,
                            tag,
                            first,
                            ..
                        } => {
                            let entries: Vec<Entry> = self.entries.drain(first..).collect();
                            let end =
                                collection_end(entries.last().map(|e| e.value.span.end), span);
                            (
                                Node {
                                    span: Span::new(start, trim_end(self.text, start, end)),
                                    kind: NodeKind::Mapping(entries),
                                    tag,
                                },
                                anchor,
                            )
                        }
                    };
                    self.finish(node, anchor);
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(None)
    }

    fn push(&mut self, frame: Frame, offset: usize) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                offset,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            let count = node.count();
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Sequence { .. }) => self.items.push(node),
            Some(Frame::Mapping {
                first,
                pending_key,
                keys,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Some(name) = key.as_str() {
                        let earlier = first_entry_of(&self.entries, *first, keys, name);
                        if let Some(earlier) = earlier {
                            self.duplicate_keys
                                .push((self.entries[earlier].key.span, key.span));
                        }
                    }
                    self.entries.push(Entry { key, value: node });
                }
            },
        }
    }
}

/// The index in `entries` of the first entry of the open mapping (its entries start at `first`)
/// whose key is `name`, if any; records `name` as the next entry's key in the mapping's index,
/// building that index once the mapping has [`KEY_INDEX_FROM`] entries.
fn first_entry_of(
    entries: &[Entry],
    first: usize,
    keys: &mut Option<HashMap<String, usize>>,
    name: &str,
) -> Option<usize> {
    let next = entries.len();
    if keys.is_none() && next - first >= KEY_INDEX_FROM {
        let mut index = HashMap::with_capacity(2 * (next - first));
        for (at, entry) in entries.iter().enumerate().skip(first) {
            if let Some(key) = entry.key.as_str() {
                index.entry(key.to_string()).or_insert(at);
            }
        }
        *keys = Some(index);
    }
    match keys {
        Some(index) => match index.get(name) {
            Some(&at) => Some(at),
            None => {
                index.insert(name.to_string(), next);
                None
            }
        },
        None => entries[first..]
            .iter()
            .position(|e| e.key.as_str() == Some(name))
            .map(|at| first + at),
    }
}

/// Where a collection ends: a flow collection's closing bracket has a span of its own; a block
/// collection's end event is empty and may sit at the next sibling, so its last child ends it.
fn collection_end(last_child_end: Option<usize>, end_event: Span) -> usize {
    match last_child_end {
        Some(child_end) if end_event.is_empty() => child_end,
        Some(child_end) => child_end.max(end_event.end),
        None => end_event.end,
    }
}

fn convert_style(style: RawStyle) -> ScalarStyle {
    match style {
        RawStyle::Plain => ScalarStyle::Plain,
        RawStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        RawStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        RawStyle::Literal => ScalarStyle::Literal,
        RawStyle::Folded => ScalarStyle::Folded,
    }
}

/// The parser's scalar spans can include trailing line breaks of block scalars; keep the span on
/// the scalar's own text so findings underline only it.
fn scalar_span(text: &str, span: Span, style: RawStyle) -> Span {
    match style {
        RawStyle::Literal | RawStyle::Folded => {
            Span::new(span.start, trim_end(text, span.start, span.end))
        }
        _ => span,
    }
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = end.min(bytes.len());
    while end > start && matches!(bytes[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    end
}

impl Node {
    /// Source span of the bytes `range` of this scalar's decoded value.
    ///
    /// Decoding (quotes, escapes, block indentation, folding) moves text around, so the value's
    /// bytes are found again in the source: the n-th occurrence of the same text in the value is
    /// taken to be the n-th occurrence in the node's source. Falls back to the whole node.
    pub fn locate(&self, source: &str, range: std::ops::Range<usize>) -> Span {
        let Some(value) = self.as_str() else {
            return self.span;
        };
        let Some(needle) = value.get(range.clone()) else {
            return self.span;
        };
        if needle.is_empty() {
            return self.span;
        }
        let nth = value[..range.start].matches(needle).count();
        let raw = source.get(self.span.start..self.span.end).unwrap_or("");
        match raw.match_indices(needle).nth(nth) {
            Some((at, _)) => Span::new(self.span.start + at, self.span.start + at + needle.len()),
            None => self.span,
        }
    }
}

/// How far past the previous line a value's line is looked for in the source: room for a line
/// break, indentation and a closing quote, not for a search through the whole scalar.
const LOCATOR_WINDOW: usize = 1024;

/// Values up to this size fall back to [`Node::locate`] for a range on a line that is not
/// verbatim in the source (escapes, folding); larger ones get the whole node, so that many
/// ranges of one huge scalar never cost a scan of it each.
const LOCATOR_FALLBACK_MAX: usize = 64 * 1024;

/// [`Node::locate`] for many ranges of one scalar: the value's lines are matched to the source
/// once, in order, so each range costs a binary search instead of a scan of the whole value
/// (a `run:` script of n commands located command by command was n² in its size).
#[derive(Clone, Debug)]
pub struct Locator {
    /// Per line of the value: where it starts in the value, and where it starts in the source
    /// when it is there verbatim.
    lines: Vec<(usize, Option<usize>)>,
    value_len: usize,
}

impl Locator {
    /// The line map of `node`'s value within `source`; empty for a collection.
    pub fn new(node: &Node, source: &str) -> Locator {
        let mut lines = Vec::new();
        let Some(value) = node.as_str() else {
            return Locator {
                lines,
                value_len: 0,
            };
        };
        let raw = source.get(node.span.start..node.span.end).unwrap_or("");
        let mut cursor = 0;
        let mut start = 0;
        for line in value.split('\n') {
            let mut end = (cursor + line.len() + LOCATOR_WINDOW).min(raw.len());
            while !raw.is_char_boundary(end) {
                end -= 1;
            }
            let found = raw
                .get(cursor..end)
                .and_then(|window| window.find(line))
                .map(|at| cursor + at);
            if let Some(at) = found {
                cursor = at + line.len();
            }
            lines.push((start, found.map(|at| node.span.start + at)));
            start += line.len() + 1;
        }
        Locator {
            lines,
            value_len: value.len(),
        }
    }

    /// Source span of the bytes `range` of `node`'s value (`node` and `source` as given to
    /// [`Locator::new`]).
    pub fn locate(&self, node: &Node, source: &str, range: std::ops::Range<usize>) -> Span {
        let in_source = |offset: usize| {
            let line = self.lines.partition_point(|(start, _)| *start <= offset);
            let (start, at) = *self.lines.get(line.checked_sub(1)?)?;
            Some(at? + offset - start)
        };
        if range.start < range.end && range.end <= self.value_len {
            // The end is located as the last byte's position, so that a range ending at a line
            // break stays on its line.
            if let (Some(start), Some(last)) = (in_source(range.start), in_source(range.end - 1)) {
                if start <= last {
                    return Span::new(start, last + 1);
                }
            }
        }
        if self.value_len <= LOCATOR_FALLBACK_MAX {
            node.locate(source, range)
        } else {
            node.span
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Stream {
        parse(text, &LineIndex::new(text))
    }

    /// The tree's scalars, each with its span's text, to compare trees parsed from different
    /// texts.
    fn values(node: &Node, text: &str, out: &mut Vec<String>) {
        match &node.kind {
            NodeKind::Scalar { value, .. } => {
                out.push(value.clone());
                out.push(
                    text[node.span.start..node.span.end]
                        .trim_matches('\'')
                        .into(),
                );
            }
            NodeKind::Sequence(items) => items.iter().for_each(|item| values(item, text, out)),
            NodeKind::Mapping(entries) => {
                for entry in entries {
                    values(&entry.key, text, out);
                    values(&entry.value, text, out);
                }
            }
        }
    }

    #[test]
    fn multi_line_flow_collections_may_close_at_or_left_of_their_key() {
        let tidy = "on:\n  push:\n    branches: [\n      main,\n      dev\n    ]\njobs: {}\n";
        let expected = {
            let mut out = Vec::new();
            values(&parse_str(tidy).into_single().unwrap().root, tidy, &mut out);
            out
        };
        // Closing bracket left of the key, items at the key's column, items at column 0, and a
        // top-level key: GitHub runs all of these.
        for text in [
            "on:\n  push:\n    branches: [\n      main,\n      dev\n  ]\njobs: {}\n",
            "on:\n  push:\n    branches: [\n    main,\n    dev\n    ]\njobs: {}\n",
            "on:\n  push:\n    branches: [\nmain,\n  dev\n]\njobs: {}\n",
            "on:\n  push:\n    branches: [ # the release branches\n  main, 'dev'\n]\njobs: {}\n",
        ] {
            // The fast path leaves these to saphyr, so the lenient reading never makes the two
            // differ where the fast path answers (the fuzz target's contract).
            assert_eq!(parse_fast(text, &LineIndex::new(text)), None, "{text}");
            let stream = parse_str(text);
            assert_eq!(stream.error, None, "{text}");
            let doc = stream.into_single().unwrap();
            let mut out = Vec::new();
            values(&doc.root, text, &mut out);
            assert_eq!(out, expected, "{text}");
            let branches = doc
                .root
                .get("on")
                .unwrap()
                .get("push")
                .unwrap()
                .get("branches");
            let items = branches.unwrap().as_sequence().unwrap();
            assert_eq!(items.len(), 2, "{text}");
            // Spans are the original text's.
            let dev = &items[1];
            assert!(text[dev.span.start..dev.span.end].contains("dev"), "{text}");
        }
        // A flow mapping in a sequence entry, and a block scalar holding brackets before it.
        let text = "jobs:\n  a:\n    steps:\n      - run: |\n          echo [\n      - with: {\n    x: 1,\n    y: 2\n  }\n";
        let doc = parse_str(text).into_single().unwrap();
        let steps = doc
            .root
            .get("jobs")
            .unwrap()
            .get("a")
            .unwrap()
            .get("steps")
            .unwrap();
        let with = steps.as_sequence().unwrap()[1].get("with").unwrap();
        assert_eq!(with.get_str("y"), Some("2"));
        assert_eq!(
            steps.as_sequence().unwrap()[0].get_str("run"),
            Some("echo [\n")
        );
    }

    /// A multi-line quoted scalar whose continuation lines sit at its key's indentation: YAML
    /// 1.2 asks for more, libyaml, PyYAML and ruamel.yaml do not (a Gatekeeper template of the
    /// corpus is written so).
    #[test]
    fn multi_line_quoted_scalars_may_continue_at_their_key() {
        for (text, expected) in [
            (
                "properties:\n  a:\n    description: \"When set the TLS {} is optional, defaults\n    to false.\"\n    type: string\n",
                "When set the TLS {} is optional, defaults to false.",
            ),
            (
                "properties:\n  a:\n    description: 'one,\n  two'\n    type: string\n",
                "one, two",
            ),
        ] {
            let stream = parse_str(text);
            assert_eq!(stream.error, None, "{text}");
            let doc = stream.into_single().unwrap();
            let a = doc.root.get("properties").unwrap().get("a").unwrap();
            let description = a.get("description").unwrap();
            assert_eq!(description.as_str(), Some(expected));
            assert_eq!(a.get_str("type"), Some("string"));
            // The span is the original text's: from the opening quote to the closing one.
            let written = &text[description.span.start..description.span.end];
            assert!(written.starts_with(['"', '\'']) && written.ends_with(['"', '\'']), "{written}");
        }
        // Left of the key too, as those parsers read it; unclosed is still an error.
        assert!(parse_str("a:\n  b: \"x\ny\"\n  c: 1\n").error.is_none());
        assert!(parse_str("a:\n  b: \"x\n").error.is_some());
    }

    #[test]
    fn other_indentation_errors_still_fail_where_they_are() {
        let text = "on:\n  push:\n    branches: [main,\n  dev]\n   bad: 1\n";
        let error = parse_str(text).error.unwrap();
        assert_eq!(
            error,
            parse_with_saphyr_strict(text, &LineIndex::new(text))
                .error
                .unwrap()
        );
        // Unclosed: still an error.
        assert!(parse_str("a: [\nb,\n").error.is_some());
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          cargo test\n        shell: bash\n";
        let doc = parse_str(text).into_single().unwrap();
        let job = doc.root.get("jobs").unwrap().get("build").unwrap();
        let runs_on = job.entry("runs-on").unwrap();
        assert_eq!(
            &text[runs_on.key.span.start..runs_on.key.span.end],
            "runs-on"
        );
        assert_eq!(
            &text[runs_on.value.span.start..runs_on.value.span.end],
            "ubuntu-latest"
        );
        let step = &job.get("steps").unwrap().as_sequence().unwrap()[0];
        let run = step.get("run").unwrap();
        assert_eq!(run.as_str(), Some("cargo test\n"));
        assert!(text[run.span.start..run.span.end].ends_with("cargo test"));
        assert_eq!(step.get_str("shell"), Some("bash"));
    }

    #[test]
    fn quoted_scalars_span_their_quotes_and_non_ascii_is_exact() {
        let text = "name: \"é ü\"\nkey: 'x'\n";
        let doc = parse_str(text).into_single().unwrap();
        let name = doc.root.get("name").unwrap();
        assert_eq!(&text[name.span.start..name.span.end], "\"é ü\"");
        let key = doc.root.entry("key").unwrap();
        assert_eq!(&text[key.key.span.start..key.key.span.end], "key");
    }

    #[test]
    fn multi_document_streams_keep_documents_before_an_error() {
        let stream = parse_str("a: 1\n---\nb: [2\n---\nc: 3\n");
        assert_eq!(stream.documents.len(), 1);
        let error = stream.error.unwrap();
        assert!(error.offset >= 9, "{error:?}");
    }

    #[test]
    fn alias_bombs_are_refused_with_a_position() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in "bcdefghij".chars() {
            text.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = name;
        }
        let stream = parse_str(&text);
        let error = stream.error.expect("alias bomb must fail");
        assert!(error.message.contains("alias"), "{error:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let error = parse_str(&text).error.unwrap();
        assert!(
            error.message.contains("nesting") || error.message.contains("recursion"),
            "{error:?}"
        );
    }

    #[test]
    fn duplicate_keys_are_recorded() {
        let text = "a: 1\nb: 2\na: 3\n";
        let doc = parse_str(text).into_single().unwrap();
        assert_eq!(
            doc.duplicate_keys,
            vec![(Span::new(0, 1), Span::new(10, 11))]
        );
    }

    #[test]
    fn duplicate_keys_of_large_mappings_name_the_first_occurrence() {
        // Past the size where keys are hashed, before and after the index is built.
        let mut text: String = (0..40).map(|i| format!("k{i}: 1\n")).collect();
        text.push_str("k3: 2\nk3: 3\nk39: 4\n");
        let doc = parse_str(&text).into_single().unwrap();
        let firsts: Vec<&str> = doc
            .duplicate_keys
            .iter()
            .map(|(f, _)| &text[f.start..f.end])
            .collect();
        assert_eq!(firsts, ["k3", "k3", "k39"]);
        let first_k3 = text.find("k3:").unwrap();
        assert!(doc.duplicate_keys[..2]
            .iter()
            .all(|(f, _)| f.start == first_k3));
    }

    #[test]
    fn the_locator_agrees_with_locate() {
        let text = "a: |\n  echo one\n  echo two\n  echo one\nb: \"x\\ty echo\\nz echo\"\nc: >\n  fold\n  ed echo\nd: plain echo\n";
        let doc = parse_str(text).into_single().unwrap();
        for key in ["a", "b", "c", "d"] {
            let node = doc.root.get(key).unwrap();
            let value = node.as_str().unwrap();
            let locator = Locator::new(node, text);
            for (at, word) in value.match_indices("echo") {
                let range = at..at + word.len();
                assert_eq!(
                    locator.locate(node, text, range.clone()),
                    node.locate(text, range),
                    "{key}: {value:?} at {at}"
                );
            }
        }
    }

    #[test]
    fn documents_say_whether_aliases_copied_nodes() {
        let stream = parse_str("a: &x {k: 1}\nb: *x\n---\na: &y 1\n---\nc: [1, 2]\n");
        let aliases: Vec<bool> = stream.documents.iter().map(|d| d.has_aliases).collect();
        assert_eq!(aliases, [true, false, false]);
    }
}
