//! Dockerfiles (and Containerfiles) with exact spans.
//!
//! The parser follows BuildKit's frontend: parser directives at the top (`# syntax=`,
//! `# escape=`, including the backtick escape), line continuations (with comment and blank lines
//! inside a continued instruction dropped), here-documents on `RUN`, `COPY` and `ADD` (`<<EOF`,
//! `<<-EOF`, quoted delimiters, several per instruction), the JSON exec form versus the shell
//! form, flags (`--platform`, `--from`, `--mount`), `ONBUILD` triggers, and stages with their
//! names. Instruction text joined from several lines keeps a map back to the source, so every
//! word, flag and shell command carries the span it has in the file.
//!
//! It never fails: what Docker would reject (an instruction outside any stage, an unterminated
//! here-document, a file with no `FROM`) is recorded as a [`Problem`] and parsing goes on.

use std::collections::HashMap;

use crate::shell;
use crate::Span;

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Dockerfile {
    /// The escape character: `\` unless `# escape=` says otherwise.
    pub escape: char,
    /// Parser directives (`# syntax=…`, `# escape=…`, `# check=…`).
    pub directives: Vec<Directive>,
    /// Top-level instructions in file order (`ONBUILD` triggers are inside their instruction).
    pub instructions: Vec<Instruction>,
    /// What Docker would reject.
    pub problems: Vec<Problem>,
}

/// A parser directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lower-case name (`syntax`).
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// The whole comment line.
    pub span: Span,
}

/// Something Docker would reject, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// A piece of text with its place in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// The text, with quotes and escapes removed where the form has them.
    pub text: String,
    /// Where it is in the file (quotes included).
    pub span: Span,
}

/// A `--name[=value]` flag of an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The name without dashes (`platform`).
    pub name: String,
    /// The value after `=`, if any.
    pub value: Option<String>,
    /// The whole flag.
    pub span: Span,
}

/// A here-document attached to an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word (`EOF`).
    pub delimiter: String,
    /// Whether the delimiter was quoted (no expansion in the body).
    pub quoted: bool,
    /// `<<-`: leading tabs are stripped.
    pub strip_tabs: bool,
    /// The body, without the terminating line.
    pub body: String,
    /// The body's bytes in the file.
    pub body_span: Span,
    /// The `<<EOF` marker in the instruction line.
    pub marker_span: Span,
}

/// Instruction text joined from one or more lines, with a map back to the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// The text, continuations removed.
    pub text: String,
    /// `(offset in text, offset in file)` at the start of each piece.
    pieces: Vec<(usize, usize)>,
}

impl Joined {
    fn push(&mut self, piece: &str, file_offset: usize) {
        if piece.is_empty() {
            return;
        }
        self.pieces.push((self.text.len(), file_offset));
        self.text.push_str(piece);
    }

    /// The file offset of text offset `at`.
    pub fn file_offset(&self, at: usize) -> usize {
        let index = self.pieces.partition_point(|(start, _)| *start <= at);
        match index.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some((start, file)) => file + (at - start),
            None => self.pieces.first().map_or(0, |(_, file)| *file),
        }
    }

    /// The file span of a span of the text.
    pub fn file_span(&self, span: Span) -> Span {
        let start = self.file_offset(span.start);
        let end = if span.end > span.start {
            self.file_offset(span.end - 1) + 1
        } else {
            start
        };
        Span::new(start, end.max(start))
    }
}

/// An instruction's arguments after its flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arguments {
    /// The JSON array form (`["cargo", "run"]`).
    Exec(Vec<Located>),
    /// The shell (or plain) form.
    Shell(Joined),
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case keyword (`RUN`).
    pub keyword: String,
    /// The keyword as written.
    pub keyword_span: Span,
    /// From the keyword to the end of the instruction, here-document bodies included.
    pub span: Span,
    /// Flags before the arguments.
    pub flags: Vec<Flag>,
    /// The arguments.
    pub arguments: Arguments,
    /// Here-documents, in order.
    pub heredocs: Vec<Heredoc>,
    /// For `ONBUILD`: the instruction it registers.
    pub trigger: Option<Box<Instruction>>,
}

/// A stage: a `FROM` and the instructions up to the next one.
#[derive(Clone, Copy, Debug)]
pub struct Stage<'a> {
    /// Position among the stages (0-based).
    pub index: usize,
    /// The `FROM` instruction.
    pub from: &'a Instruction,
    /// The instructions after `FROM`.
    pub body: &'a [Instruction],
}

impl Instruction {
    /// The flag named `name` (`from`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The arguments' text in the shell form, or the exec form's items joined by spaces.
    pub fn text(&self) -> String {
        match &self.arguments {
            Arguments::Shell(joined) => joined.text.trim().to_string(),
            Arguments::Exec(items) => items
                .iter()
                .map(|i| i.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The arguments split into words (quotes removed, spans in the file).
    pub fn words(&self) -> Vec<Located> {
        match &self.arguments {
            Arguments::Exec(items) => items.clone(),
            Arguments::Shell(joined) => split_words(joined),
        }
    }

    /// The span of the arguments (after the flags), or the keyword when there are none.
    pub fn arguments_span(&self) -> Span {
        let words = self.words();
        match (words.first(), words.last()) {
            (Some(first), Some(last)) => first.span.cover(last.span),
            _ => self.keyword_span,
        }
    }

    /// `KEY=value` pairs of `ENV`, `ARG` and `LABEL` (also the legacy `ENV KEY value`).
    pub fn key_values(&self) -> Vec<(Located, Option<Located>)> {
        let words = self.words();
        if self.keyword == "ENV" && words.first().is_some_and(|w| !w.text.contains('=')) {
            // Legacy form: the first word is the key, the rest of the line the value.
            let Some((key, rest)) = words.split_first() else {
                return Vec::new();
            };
            let value = match (rest.first(), rest.last()) {
                (Some(first), Some(last)) => Some(Located {
                    text: rest
                        .iter()
                        .map(|w| w.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    span: first.span.cover(last.span),
                }),
                _ => None,
            };
            return vec![(key.clone(), value)];
        }
        words
            .into_iter()
            .map(|word| match word.text.split_once('=') {
                Some((key, value)) => {
                    let key_end = word.span.start + word_key_len(&word, key);
                    (
                        Located {
                            text: key.to_string(),
                            span: Span::new(word.span.start, key_end.min(word.span.end)),
                        },
                        Some(Located {
                            text: value.to_string(),
                            span: Span::new((key_end + 1).min(word.span.end), word.span.end),
                        }),
                    )
                }
                None => (word, None),
            })
            .collect()
    }

    /// The shell script this `RUN` executes, with a map to the file: the command line, or the
    /// here-document body when the command line only feeds it to a shell (`RUN <<EOF`,
    /// `RUN bash <<EOF`). `None` for the exec form and for other instructions.
    pub fn script(&self) -> Option<Joined> {
        if self.keyword != "RUN" {
            return None;
        }
        let Arguments::Shell(line) = &self.arguments else {
            return None;
        };
        if let Some(first) = self.heredocs.first() {
            let mut rest = line.text.clone();
            for heredoc in &self.heredocs {
                let marker = line_marker(line, heredoc);
                if let Some(marker) = marker {
                    rest.replace_range(marker.start..marker.end, &" ".repeat(marker.len()));
                }
            }
            let program = rest.split_whitespace().next().map(shell::program_name);
            if matches!(
                program,
                None | Some("sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
            ) {
                let mut script = Joined::default();
                script.push(&first.body, first.body_span.start);
                return Some(script);
            }
        }
        Some(line.clone())
    }
}

fn line_marker(line: &Joined, heredoc: &Heredoc) -> Option<Span> {
    let start = line
        .pieces
        .iter()
        .find_map(|(text_start, file_start)| {
            let offset = heredoc.marker_span.start.checked_sub(*file_start)?;
            Some(text_start + offset)
        })
        .filter(|start| *start < line.text.len())?;
    let end = (start + heredoc.marker_span.len()).min(line.text.len());
    line.text.is_char_boundary(start).then_some(())?;
    line.text.is_char_boundary(end).then_some(())?;
    Some(Span::new(start, end))
}

fn word_key_len(word: &Located, key: &str) -> usize {
    // The key precedes `=` unquoted in nearly every file; when quoting makes the lengths
    // differ, the span falls back to the whole word.
    if word.span.len() == word.text.len() {
        key.len()
    } else {
        word.span.len()
    }
}

impl Dockerfile {
    /// Every instruction, `ONBUILD` triggers included (after their `ONBUILD`).
    pub fn all_instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.instructions.iter().flat_map(|instruction| {
            std::iter::once(instruction).chain(instruction.trigger.as_deref())
        })
    }

    /// The stages, in order.
    pub fn stages(&self) -> Vec<Stage<'_>> {
        let starts: Vec<usize> = self
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == "FROM")
            .map(|(index, _)| index)
            .collect();
        starts
            .iter()
            .enumerate()
            .map(|(index, &start)| {
                let end = starts
                    .get(index + 1)
                    .copied()
                    .unwrap_or(self.instructions.len());
                Stage {
                    index,
                    from: &self.instructions[start],
                    body: &self.instructions[start + 1..end],
                }
            })
            .collect()
    }

    /// `ARG`s declared before the first `FROM`: name to default value.
    pub fn global_args(&self) -> HashMap<String, Option<String>> {
        self.instructions
            .iter()
            .take_while(|i| i.keyword != "FROM")
            .filter(|i| i.keyword == "ARG")
            .flat_map(|i| i.key_values())
            .map(|(key, value)| (key.text, value.map(|v| v.text)))
            .collect()
    }
}

impl Stage<'_> {
    /// The base image as written (`rust:1.82`, `${BASE}`, `builder`).
    pub fn image(&self) -> Option<Located> {
        self.from.words().into_iter().next()
    }

    /// The stage name after `AS`.
    pub fn name(&self) -> Option<Located> {
        let words = self.from.words();
        match words.as_slice() {
            [_, as_word, name, ..] if as_word.text.eq_ignore_ascii_case("as") => Some(name.clone()),
            _ => None,
        }
    }
}

/// Substitute `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` and
/// `${VAR+alt}` in `text` from `vars` (a name with no value is unset). Returns the result and
/// the names that had no value and no default.
pub fn substitute(text: &str, vars: &HashMap<String, Option<String>>) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push_str(&rest[dollar..]);
                return (out, missing);
            };
            let expression = &inner[..close];
            let name_len = expression
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expression.len());
            let (name, modifier) = expression.split_at(name_len);
            let value = vars.get(name).cloned().flatten().filter(|v| !v.is_empty());
            let set = vars.get(name).cloned().flatten();
            let resolved = if let Some(default) = modifier.strip_prefix(":-") {
                Some(value.unwrap_or_else(|| default.to_string()))
            } else if let Some(default) = modifier.strip_prefix('-') {
                Some(set.unwrap_or_else(|| default.to_string()))
            } else if let Some(alt) = modifier.strip_prefix(":+") {
                Some(value.map(|_| alt.to_string()).unwrap_or_default())
            } else if let Some(alt) = modifier.strip_prefix('+') {
                Some(set.map(|_| alt.to_string()).unwrap_or_default())
            } else {
                set
            };
            match resolved {
                Some(value) => out.push_str(&value),
                None => missing.push(name.to_string()),
            }
            rest = &inner[close + 1..];
        } else {
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if name_len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            let name = &after[..name_len];
            match vars.get(name).cloned().flatten() {
                Some(value) => out.push_str(&value),
                None => missing.push(name.to_string()),
            }
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    (out, missing)
}

/// Instructions whose arguments may carry here-documents.
const HEREDOC_KEYWORDS: &[&str] = &["RUN", "COPY", "ADD"];
/// Instructions whose leading `--flags` are flags.
const FLAG_KEYWORDS: &[&str] = &["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"];
/// Instructions a Dockerfile may hold.
const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Parse `text`.
pub fn parse(text: &str) -> Dockerfile {
    Parser::new(text).run()
}

struct Line {
    start: usize,
    /// End of the content, before `\r\n` or `\n`.
    end: usize,
}

struct Parser<'a> {
    text: &'a str,
    lines: Vec<Line>,
    line: usize,
    escape: char,
    file: Dockerfile,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                lines.push(Line { start, end });
                start = i + 1;
            }
        }
        if start < text.len() {
            lines.push(Line {
                start,
                end: text.len(),
            });
        }
        Parser {
            text,
            lines,
            line: 0,
            escape: '\\',
            file: Dockerfile {
                escape: '\\',
                ..Dockerfile::default()
            },
        }
    }

    fn content(&self, line: usize) -> &'a str {
        self.lines
            .get(line)
            .map_or("", |l| &self.text[l.start..l.end])
    }

    fn run(mut self) -> Dockerfile {
        self.directives();
        let mut in_stage = false;
        while self.line < self.lines.len() {
            let content = self.content(self.line);
            let trimmed = content.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                self.line += 1;
                continue;
            }
            let instruction = self.instruction();
            if instruction.keyword == "FROM" {
                in_stage = true;
            } else if !in_stage && instruction.keyword != "ARG" {
                self.file.problems.push(Problem {
                    message: format!(
                        "`{}` before the first `FROM`: only `ARG` may come before it",
                        instruction.keyword
                    ),
                    span: instruction.keyword_span,
                });
            }
            self.file.instructions.push(instruction);
        }
        if !in_stage {
            let span = self
                .file
                .instructions
                .first()
                .map_or(Span::empty(0), |i| i.keyword_span);
            self.file.problems.push(Problem {
                message: "no `FROM` instruction: the file defines no build stage".to_string(),
                span,
            });
        }
        self.file.escape = self.escape;
        self.file
    }

    fn directives(&mut self) {
        while self.line < self.lines.len() {
            let content = self.content(self.line);
            let Some(comment) = content.trim_start().strip_prefix('#') else {
                return;
            };
            let Some((name, value)) = comment.split_once('=') else {
                return;
            };
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return;
            }
            if self.file.directives.iter().any(|d| d.name == name) {
                // A repeated directive ends the directive block and is a comment.
                return;
            }
            let value = value.trim().to_string();
            let line = &self.lines[self.line];
            if name == "escape" {
                match value.as_str() {
                    "\\" => self.escape = '\\',
                    "`" => self.escape = '`',
                    _ => self.file.problems.push(Problem {
                        message: format!("invalid escape character `{value}`: use `\\` or `` ` ``"),
                        span: Span::new(line.start, line.end),
                    }),
                }
            }
            self.file.directives.push(Directive {
                name,
                value,
                span: Span::new(line.start, line.end),
            });
            self.line += 1;
        }
    }

    /// Whether `content` ends with the escape character (trailing whitespace allowed), and the
    /// content without it.
    fn continued(&self, content: &'a str) -> Option<&'a str> {
        let trimmed = content.trim_end_matches([' ', '\t']);
        trimmed.strip_suffix(self.escape)
    }

    fn instruction(&mut self) -> Instruction {
        let first = self.line;
        let line = &self.lines[first];
        let content = self.content(first);
        let indent = content.len() - content.trim_start().len();
        let keyword_start = line.start + indent;
        let after_indent = &content[indent..];
        let keyword_len = after_indent
            .find(|c: char| c.is_whitespace())
            .unwrap_or(after_indent.len());
        let keyword_text = &after_indent[..keyword_len];
        let keyword = keyword_text.to_ascii_uppercase();
        let keyword_span = Span::new(keyword_start, keyword_start + keyword_len);

        // Join the logical line.
        let mut joined = Joined::default();
        let mut current = first;
        let mut piece_start = keyword_start + keyword_len;
        let mut end;
        loop {
            let l = &self.lines[current];
            let piece = &self.text[piece_start..l.end];
            end = l.end;
            match self.continued(piece) {
                Some(body) => {
                    joined.push(body, piece_start);
                    current += 1;
                    // Comment lines and blank lines inside a continued instruction are dropped.
                    while current < self.lines.len() {
                        let next = self.content(current).trim_start();
                        if next.starts_with('#') || next.is_empty() {
                            current += 1;
                        } else {
                            break;
                        }
                    }
                    match self.lines.get(current) {
                        Some(next) => piece_start = next.start,
                        None => break,
                    }
                }
                None => {
                    joined.push(piece, piece_start);
                    current += 1;
                    break;
                }
            }
        }
        self.line = current;

        if !KEYWORDS.contains(&keyword.as_str()) {
            self.file.problems.push(Problem {
                message: format!("unknown instruction `{keyword_text}`"),
                span: keyword_span,
            });
        }

        let mut instruction = self.arguments(keyword, keyword_span, joined);
        if HEREDOC_KEYWORDS.contains(&instruction.keyword.as_str()) {
            if let Arguments::Shell(line) = &instruction.arguments {
                let markers = heredoc_markers(line);
                for (delimiter, quoted, strip_tabs, marker_span) in markers {
                    let heredoc = self.heredoc_body(delimiter, quoted, strip_tabs, marker_span);
                    end = end.max(heredoc.body_span.end);
                    instruction.heredocs.push(heredoc);
                }
                if let Some(last) = self.line.checked_sub(1).and_then(|l| self.lines.get(l)) {
                    if !instruction.heredocs.is_empty() {
                        end = end.max(last.end);
                    }
                }
            }
        }
        instruction.span = Span::new(keyword_start, end.max(keyword_span.end));
        instruction
    }

    fn heredoc_body(
        &mut self,
        delimiter: String,
        quoted: bool,
        strip_tabs: bool,
        marker_span: Span,
    ) -> Heredoc {
        let body_start = self
            .lines
            .get(self.line)
            .map_or(self.text.len(), |l| l.start);
        let mut body = String::new();
        while self.line < self.lines.len() {
            let content = self.content(self.line);
            let compared = if strip_tabs {
                content.trim_start_matches('\t')
            } else {
                content
            };
            // Trailing blanks after the delimiter are tolerated, as editors leave them.
            if compared.trim_end_matches([' ', '\t']) == delimiter {
                let body_end = self.lines[self.line].start;
                self.line += 1;
                return Heredoc {
                    delimiter,
                    quoted,
                    strip_tabs,
                    body,
                    body_span: Span::new(body_start, body_end.max(body_start)),
                    marker_span,
                };
            }
            body.push_str(compared);
            body.push('\n');
            self.line += 1;
        }
        self.file.problems.push(Problem {
            message: format!("here-document `{delimiter}` is not terminated"),
            span: marker_span,
        });
        Heredoc {
            delimiter,
            quoted,
            strip_tabs,
            body,
            body_span: Span::new(body_start, self.text.len().max(body_start)),
            marker_span,
        }
    }

    fn arguments(&mut self, keyword: String, keyword_span: Span, joined: Joined) -> Instruction {
        let mut instruction = Instruction {
            keyword,
            keyword_span,
            span: keyword_span,
            flags: Vec::new(),
            arguments: Arguments::Shell(Joined::default()),
            heredocs: Vec::new(),
            trigger: None,
        };
        if instruction.keyword == "ONBUILD" {
            instruction.trigger = self.trigger(&joined).map(Box::new);
            instruction.arguments = Arguments::Shell(joined);
            return instruction;
        }
        // Flags: leading `--name[=value]` words.
        let mut rest_start = 0;
        if FLAG_KEYWORDS.contains(&instruction.keyword.as_str()) {
            for word in split_words_in(&joined.text) {
                if !word.text.starts_with("--") {
                    break;
                }
                let body = &word.text[2..];
                let (name, value) = match body.split_once('=') {
                    Some((name, value)) => (name.to_string(), Some(value.to_string())),
                    None => (body.to_string(), None),
                };
                instruction.flags.push(Flag {
                    name,
                    value,
                    span: joined.file_span(word.span),
                });
                rest_start = word.span.end;
            }
        }
        let rest = trim_joined(&joined, rest_start);
        let trimmed = rest.text.trim_start();
        if trimmed.starts_with('[') {
            if let Some(items) = parse_json_array(&rest) {
                instruction.arguments = Arguments::Exec(items);
                return instruction;
            }
        }
        instruction.arguments = Arguments::Shell(rest);
        instruction
    }

    fn trigger(&mut self, joined: &Joined) -> Option<Instruction> {
        let text = joined.text.trim_start();
        let skipped = joined.text.len() - text.len();
        let keyword_len = text.find(|c: char| c.is_whitespace()).unwrap_or(text.len());
        if keyword_len == 0 {
            self.file.problems.push(Problem {
                message: "`ONBUILD` needs an instruction".to_string(),
                span: joined.file_span(Span::new(0, joined.text.len())),
            });
            return None;
        }
        let keyword = text[..keyword_len].to_ascii_uppercase();
        let keyword_span = joined.file_span(Span::new(skipped, skipped + keyword_len));
        if matches!(keyword.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
            self.file.problems.push(Problem {
                message: format!("`ONBUILD {keyword}` is not allowed"),
                span: keyword_span,
            });
        }
        let rest = trim_joined(joined, skipped + keyword_len);
        let mut trigger = self.arguments(keyword, keyword_span, rest);
        trigger.span = joined.file_span(Span::new(skipped, joined.text.len()));
        Some(trigger)
    }
}

/// The part of `joined` from text offset `from`, keeping the map.
fn trim_joined(joined: &Joined, from: usize) -> Joined {
    let mut out = Joined::default();
    let from = from.min(joined.text.len());
    for (index, (start, file)) in joined.pieces.iter().enumerate() {
        let end = joined
            .pieces
            .get(index + 1)
            .map_or(joined.text.len(), |(next, _)| *next);
        if end <= from {
            continue;
        }
        let begin = (*start).max(from);
        out.push(&joined.text[begin..end], file + (begin - start));
    }
    out
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` markers in an instruction line.
fn heredoc_markers(line: &Joined) -> Vec<(String, bool, bool, Span)> {
    let text = &line.text;
    let bytes = text.as_bytes();
    let mut markers = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'<'
                && bytes.get(i + 1) == Some(&b'<')
                && bytes.get(i + 2) != Some(&b'<') =>
            {
                let start = i;
                let mut j = i + 2;
                let strip_tabs = bytes.get(j) == Some(&b'-');
                if strip_tabs {
                    j += 1;
                }
                let quoted_with = match bytes.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        j += 1;
                        Some(q)
                    }
                    _ => None,
                };
                let word_start = j;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let word_end = j;
                if let Some(q) = quoted_with {
                    if bytes.get(j) == Some(&q) {
                        j += 1;
                    } else {
                        i += 2;
                        continue;
                    }
                }
                if word_end > word_start {
                    markers.push((
                        text[word_start..word_end].to_string(),
                        quoted_with.is_some(),
                        strip_tabs,
                        line.file_span(Span::new(start, j)),
                    ));
                }
                i = j;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    markers
}

/// Split joined text into words, with quotes removed and file spans.
fn split_words(joined: &Joined) -> Vec<Located> {
    split_words_in(&joined.text)
        .into_iter()
        .map(|word| Located {
            text: word.text,
            span: joined.file_span(word.span),
        })
        .collect()
}

/// Split text into whitespace-separated words honouring quotes; spans are in `text`.
fn split_words_in(text: &str) -> Vec<Located> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push(Located {
                        text: std::mem::take(&mut current),
                        span: Span::new(s, i),
                    });
                }
            }
            None => {
                if start.is_none() {
                    start = Some(i);
                }
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == '\\' {
                    if let Some((_, next)) = chars.next() {
                        current.push(next);
                    }
                } else {
                    current.push(c);
                }
            }
        }
    }
    if let Some(s) = start {
        words.push(Located {
            text: current,
            span: Span::new(s, text.len()),
        });
    }
    words
}

/// Parse a JSON array of strings, with each item's file span; `None` if it is not one (Docker
/// then takes the text as the shell form).
fn parse_json_array(joined: &Joined) -> Option<Vec<Located>> {
    let text = &joined.text;
    let bytes = text.as_bytes();
    let mut i = text.len() - text.trim_start().len();
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let mut items = Vec::new();
    skip_ws(&mut i);
    if bytes.get(i) == Some(&b']') {
        i += 1;
        skip_ws(&mut i);
        return (i == bytes.len()).then_some(items);
    }
    loop {
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        i += 1;
        let mut value = String::new();
        loop {
            let c = text[i..].chars().next()?;
            match c {
                '"' => {
                    i += 1;
                    break;
                }
                '\\' => {
                    let escaped = text[i + 1..].chars().next()?;
                    i += 1 + escaped.len_utf8();
                    match escaped {
                        'n' => value.push('\n'),
                        't' => value.push('\t'),
                        'r' => value.push('\r'),
                        'b' => value.push('\u{8}'),
                        'f' => value.push('\u{c}'),
                        'u' => {
                            let hex = text.get(i..i + 4)?;
                            let code = u32::from_str_radix(hex, 16).ok()?;
                            value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            i += 4;
                        }
                        other => value.push(other),
                    }
                }
                c => {
                    value.push(c);
                    i += c.len_utf8();
                }
            }
        }
        items.push(Located {
            text: value,
            span: joined.file_span(Span::new(start, i)),
        });
        skip_ws(&mut i);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                i += 1;
                skip_ws(&mut i);
                return (i == bytes.len()).then_some(items);
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn joins_continuations_and_maps_spans_back() {
        let text = "FROM alpine:3.20\nRUN apk add \\\n    # a comment\n    curl \\\n\n    jq\n";
        let file = parse(text);
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let run = &file.instructions[1];
        assert_eq!(run.keyword, "RUN");
        let words = run.words();
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["apk", "add", "curl", "jq"]);
        assert_eq!(at(text, words[2].span), "curl");
        assert_eq!(at(text, words[3].span), "jq");
        assert_eq!(at(text, run.span), &text[17..text.len() - 1]);
    }

    #[test]
    fn backtick_escape_directive() {
        let text =
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\\n";
        let file = parse(text);
        assert_eq!(file.escape, '`');
        assert_eq!(file.directives[0].name, "escape");
        let run = &file.instructions[1];
        assert_eq!(run.words().len(), 2);
        assert_eq!(run.words()[1].text, "C:");
    }

    #[test]
    fn heredocs_several_and_stripped() {
        let text = "FROM debian:12\nRUN <<EOF\napt-get update\nEOF\nCOPY <<-'A' /a <<B /b\n\tone\n\tA\ntwo\nB\nUSER app\n";
        let file = parse(text);
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let run = &file.instructions[1];
        assert_eq!(run.heredocs[0].body, "apt-get update\n");
        let script = run.script().expect("script");
        assert_eq!(script.text, "apt-get update\n");
        assert_eq!(at(text, script.file_span(Span::new(0, 7))), "apt-get");
        let copy = &file.instructions[2];
        assert_eq!(copy.heredocs.len(), 2);
        assert!(copy.heredocs[0].quoted && copy.heredocs[0].strip_tabs);
        assert_eq!(copy.heredocs[0].body, "one\n");
        assert_eq!(copy.heredocs[1].body, "two\n");
        assert_eq!(file.instructions[3].keyword, "USER");
    }

    #[test]
    fn unterminated_heredoc_is_a_problem() {
        let file = parse("FROM debian:12\nRUN <<EOF\necho hi\n");
        assert_eq!(file.problems.len(), 1);
        assert!(file.problems[0].message.contains("not terminated"));
    }

    #[test]
    fn exec_form_flags_and_stages() {
        let text = "ARG BASE=rust:1.82\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\nCOPY --from=build --chown=1:1 /a /b\nCMD [\"/app\", \"--port\", \"8\\u0030\"]\nFROM scratch\n";
        let file = parse(text);
        let stages = file.stages();
        assert_eq!(stages.len(), 2);
        assert_eq!(
            stages[0]
                .from
                .flag("platform")
                .and_then(|f| f.value.as_deref()),
            Some("$BUILDPLATFORM")
        );
        assert_eq!(
            stages[0].image().map(|i| i.text),
            Some("${BASE}".to_string())
        );
        assert_eq!(stages[0].name().map(|n| n.text), Some("build".to_string()));
        let (image, missing) = substitute("${BASE}", &file.global_args());
        assert_eq!((image.as_str(), missing.len()), ("rust:1.82", 0));
        let copy = &stages[0].body[0];
        assert_eq!(
            copy.flag("from").and_then(|f| f.value.as_deref()),
            Some("build")
        );
        let Arguments::Exec(items) = &stages[0].body[1].arguments else {
            panic!("exec form expected");
        };
        assert_eq!(items[2].text, "80");
        assert_eq!(at(text, items[0].span), "\"/app\"");
    }

    #[test]
    fn substitution_forms() {
        let vars: HashMap<String, Option<String>> = [
            ("A".to_string(), Some("1".to_string())),
            ("E".to_string(), Some(String::new())),
            ("U".to_string(), None),
        ]
        .into_iter()
        .collect();
        assert_eq!(substitute("x$A-${A}", &vars).0, "x1-1");
        assert_eq!(substitute("${E:-d}|${E-d}|${U:-d}", &vars).0, "d||d");
        assert_eq!(substitute("${A:+y}${U:+y}", &vars).0, "y");
        assert_eq!(substitute("${U}", &vars).1, vec!["U".to_string()]);
    }

    #[test]
    fn onbuild_and_problems() {
        let file = parse("RUN x\nFROM alpine:3\nONBUILD RUN apk add --no-cache git\nFOO bar\n");
        assert_eq!(file.problems.len(), 2, "{:?}", file.problems);
        let trigger = file.instructions[2].trigger.as_deref().expect("trigger");
        assert_eq!(trigger.keyword, "RUN");
        assert_eq!(
            trigger.script().map(|s| s.text.trim().to_string()),
            Some("apk add --no-cache git".to_string())
        );
        assert_eq!(file.all_instructions().count(), 5);
        assert!(parse("# only a comment\n").problems[0]
            .message
            .contains("no `FROM`"));
    }

    #[test]
    fn env_pairs_and_crlf() {
        let text = "FROM a:1\r\nENV A=1 B=\"two words\"\r\nENV LEGACY value with spaces\r\n";
        let file = parse(text);
        let pairs = file.instructions[1].key_values();
        assert_eq!(pairs[0].0.text, "A");
        assert_eq!(
            pairs[1].1.as_ref().map(|v| v.text.as_str()),
            Some("two words")
        );
        let legacy = file.instructions[2].key_values();
        assert_eq!(
            legacy[0].1.as_ref().map(|v| v.text.as_str()),
            Some("value with spaces")
        );
        assert_eq!(at(text, pairs[0].0.span), "A");
    }
}
