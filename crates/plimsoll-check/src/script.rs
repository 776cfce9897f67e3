//! A step's `run:` script split into shell commands, with a way back to source spans: lexed
//! once per step for every rule that reads it.

use std::cell::OnceCell;

use plimsoll_syntax::shell::{self, Command};
use plimsoll_syntax::yaml::{Locator, Node};
use plimsoll_syntax::{expr, Span};

/// A `run:` script split into shell commands, with a way back to source spans.
pub(crate) struct Script<'a> {
    node: &'a Node,
    /// The commands, lexed with `${{ }}` masked.
    pub commands: Vec<Command>,
    locator: OnceCell<Locator>,
}

impl<'a> Script<'a> {
    /// The script of a `run:` node, if it is a scalar.
    pub fn of(node: &'a Node) -> Option<Script<'a>> {
        let text = node.as_str()?;
        Some(Script {
            node,
            commands: shell::parse(&expr::mask(text)),
            locator: OnceCell::new(),
        })
    }

    /// Source span of a span within the script's value.
    pub fn source_span(&self, source: &str, span: Span) -> Span {
        self.locator
            .get_or_init(|| Locator::new(self.node, source))
            .locate(self.node, source, span.start..span.end)
    }

    /// Source span of a whole command.
    pub fn command_span(&self, source: &str, command: &Command) -> Span {
        self.source_span(source, command.span())
    }
}
