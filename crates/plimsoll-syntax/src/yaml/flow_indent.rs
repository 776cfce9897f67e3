//! Multi-line flow collections and quoted scalars whose continuation lines sit at or left of
//! their key.
//!
//! ```yaml
//! on:
//!   push:
//!     branches: [
//!       main,
//!       dev
//!   ]
//! ```
//!
//! YAML 1.2 (rules 197 `s-l+flow-in-block` and 69 `s-flow-line-prefix`) asks every line of a flow
//! collection in block context to be indented further than the block around it, and
//! `saphyr-parser` enforces that ("invalid indentation"). libyaml, PyYAML, go-yaml and GitHub
//! Actions do not: inside `[ … ]` and `{ … }` a line break is only a separator, and files written
//! this way run on GitHub. Refusing them would report a parse error on a workflow that works, and
//! make `guard` unable to compare it.
//!
//! The same holds for a multi-line quoted scalar in block context:
//!
//! ```yaml
//! properties:
//!   description: "When set to `true` the TLS {} is optional, defaults
//!   to false."
//! ```
//!
//! So when saphyr refuses a text, [`reindent`] indents such lines just enough for saphyr
//! (indentation inside a flow collection never changes a value: plain and quoted scalars drop the
//! leading white space of their continuation lines), and the caller maps the spans back to the
//! original text with [`Shifts`]. The scan is deliberately simple; whatever it misreads, saphyr
//! still judges the result, and the original error stands when saphyr refuses that too.

/// Spaces inserted at line starts: `(original offset, spaces, total inserted up to and with it)`.
pub(super) struct Shifts(Vec<(usize, usize, usize)>);

impl Shifts {
    /// The original offset of a byte offset in the re-indented text (an inserted space maps to
    /// the start of its line).
    pub(super) fn original(&self, offset: usize) -> usize {
        // The insertion at or before `offset`, in re-indented coordinates.
        let index = self
            .0
            .partition_point(|&(at, spaces, total)| at + total - spaces <= offset);
        match index.checked_sub(1).and_then(|i| self.0.get(i)) {
            None => offset,
            Some(&(at, _, total)) => offset.saturating_sub(total).max(at),
        }
    }
}

/// What the scan is inside of at the start of a line.
enum Inside {
    Block,
    /// A block scalar whose parent node starts at this column: it holds every line indented
    /// further, and blank lines.
    BlockScalar(usize),
    /// A flow collection `depth` deep whose lines need this much indentation.
    Flow {
        depth: usize,
        min: usize,
    },
}

/// `text` with the lines of its flow collections indented enough for saphyr, or `None` when no
/// line needed it (or the text is beyond this scan, e.g. a document marker inside a collection).
pub(super) fn reindent(text: &str) -> Option<(String, Shifts)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut shifts = Vec::new();
    let mut total = 0;
    let mut inside = Inside::Block;
    // A quoted scalar left open at the end of the previous line, and, when it is in block
    // context, the indentation its continuation lines need.
    let mut quote: Option<u8> = None;
    let mut quote_min: Option<usize> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let blank = bytes[indent..].iter().all(|b| b.is_ascii_whitespace());
        if line.starts_with("---") || line.starts_with("...") {
            if matches!(inside, Inside::Flow { .. }) || quote.is_some() {
                return None;
            }
            inside = Inside::Block;
        }
        if let Inside::BlockScalar(parent) = inside {
            if blank || indent > parent {
                out.push_str(line);
                line_start += line.len();
                continue;
            }
            inside = Inside::Block;
        }
        let needed = match inside {
            Inside::Flow { min, .. } => Some(min),
            _ => quote.and(quote_min),
        };
        if let Some(min) = needed {
            if !blank && indent < min {
                let spaces = min - indent;
                total += spaces;
                shifts.push((line_start, spaces, total));
                out.extend(std::iter::repeat_n(' ', spaces));
            }
        }
        out.push_str(line);
        scan_line(bytes, indent, &mut inside, &mut quote, &mut quote_min);
        line_start += line.len();
    }
    if shifts.is_empty() {
        return None;
    }
    Some((out, Shifts(shifts)))
}

/// Follow one line's flow brackets, quotes, comments and block-scalar indicators.
fn scan_line(
    bytes: &[u8],
    indent: usize,
    inside: &mut Inside,
    quote: &mut Option<u8>,
    quote_min: &mut Option<usize>,
) {
    let mut pos = indent;
    // Column of the node that starts here, and of the node that holds it (a key, or `-`).
    let mut node = indent;
    let mut owner = indent;
    let mut at_node_start = quote.is_none();
    if let Some(q) = *quote {
        match close_quote(bytes, pos, q) {
            Some(end) => {
                *quote = None;
                *quote_min = None;
                pos = end;
            }
            None => return,
        }
    }
    while let Some(&b) = bytes.get(pos) {
        let before = pos.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let after = bytes.get(pos + 1).copied();
        let separated = |c: Option<u8>| c.is_none_or(|c| c.is_ascii_whitespace());
        match (&mut *inside, b) {
            (_, b' ') => {}
            (_, b'#') if separated(before) => return,
            (Inside::Flow { depth, .. }, b'[' | b'{') => *depth += 1,
            (Inside::Flow { depth, .. }, b']' | b'}') => {
                *depth -= 1;
                if *depth == 0 {
                    *inside = Inside::Block;
                    at_node_start = false;
                }
            }
            (Inside::Flow { .. }, b'\'' | b'"')
                if matches!(before, None | Some(b' ' | b'[' | b'{' | b',' | b':')) =>
            {
                match close_quote(bytes, pos + 1, b) {
                    Some(end) => pos = end - 1,
                    None => {
                        *quote = Some(b);
                        return;
                    }
                }
            }
            (Inside::Flow { .. }, _) => {}
            (_, b'[' | b'{') if at_node_start => {
                // The collection's lines must be indented past the node holding it; a bracket
                // that opens its line is itself indented past that node.
                let min = if pos == indent { pos } else { owner + 1 };
                *inside = Inside::Flow { depth: 1, min };
            }
            (_, b'|' | b'>') if at_node_start => {
                *inside = Inside::BlockScalar(owner);
                return;
            }
            (_, b'\'' | b'"') if at_node_start => match close_quote(bytes, pos + 1, b) {
                Some(end) => {
                    pos = end - 1;
                    at_node_start = false;
                }
                None => {
                    // A multi-line quoted scalar in block context: its lines must be indented
                    // past the node holding it (YAML 1.2 rule 69), which libyaml does not ask.
                    *quote = Some(b);
                    *quote_min = Some(owner + 1);
                    return;
                }
            },
            (_, b'-' | b'?' | b':') if separated(after) && (at_node_start || b == b':') => {
                owner = if b == b':' { node } else { pos };
                node = pos + 2;
                at_node_start = true;
            }
            (_, b'&' | b'!') if at_node_start => {
                // An anchor or tag before the node: skip it.
                while bytes.get(pos + 1).is_some_and(|c| !c.is_ascii_whitespace()) {
                    pos += 1;
                }
            }
            _ => {
                if at_node_start {
                    node = pos;
                }
                at_node_start = false;
            }
        }
        pos += 1;
    }
}

/// The offset just past the quote `q` closing a scalar whose text starts at `pos`, if it closes
/// on this line.
fn close_quote(bytes: &[u8], mut pos: usize, q: u8) -> Option<usize> {
    while let Some(&b) = bytes.get(pos) {
        if q == b'"' && b == b'\\' {
            pos += 2;
            continue;
        }
        if b == q {
            if q == b'\'' && bytes.get(pos + 1) == Some(&b'\'') {
                pos += 2;
                continue;
            }
            return Some(pos + 1);
        }
        pos += 1;
    }
    None
}
