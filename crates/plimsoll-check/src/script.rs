//! A step's `run:` script split into shell commands, with a way back to source spans: lexed
//! once per file for every rule that reads it.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use plimsoll_syntax::shell::{self, Command};
use plimsoll_syntax::yaml::{Locator, Node};
use plimsoll_syntax::{expr, Span};

/// The `run:` scripts of one YAML document lexed so far, by the span of their node: the step
/// rules and the workflow rules (the permission fixes, the publishing and Rust jobs) read the
/// same scripts, and lexing each again was a fifth of the lexer's cost. A local action or
/// reusable workflow keeps its own, as every job that calls it reads its scripts.
///
/// Only nodes of that document may be looked up: a span says nothing of which document a node
/// is in. Shared between threads with the local callees of a run.
#[derive(Default)]
pub(crate) struct Scripts(Mutex<HashMap<(usize, usize), Lexed>>);

/// A script's commands, shared by every rule that reads them.
type Lexed = Arc<Vec<Command>>;

impl Scripts {
    /// The commands of the scalar `node`, lexed with `${{ }}` masked on the first ask.
    pub(crate) fn of(&self, node: &Node) -> Option<Lexed> {
        let text = node.as_str()?;
        let key = (node.span.start, node.span.end);
        if let Some(commands) = self
            .0
            .lock()
            .ok()
            .and_then(|lexed| lexed.get(&key).cloned())
        {
            return Some(commands);
        }
        let commands = Arc::new(shell::parse(&expr::mask(text)));
        // A poisoned lock only loses the cache: the commands are the same lexed again.
        if let Ok(mut lexed) = self.0.lock() {
            lexed.insert(key, Arc::clone(&commands));
        }
        Some(commands)
    }
}

/// A `run:` script split into shell commands, with a way back to source spans.
pub(crate) struct Script<'a> {
    node: &'a Node,
    /// The commands, lexed with `${{ }}` masked.
    pub commands: Lexed,
    locator: OnceCell<Locator>,
}

impl<'a> Script<'a> {
    /// The script of a `run:` node of the document `scripts` caches, if it is a scalar.
    pub fn of(node: &'a Node, scripts: &Scripts) -> Option<Script<'a>> {
        Some(Script {
            node,
            commands: scripts.of(node)?,
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
