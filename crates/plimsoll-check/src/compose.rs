//! A view of a Docker Compose file: its services and their settings, with spans.

use plimsoll_syntax::yaml::{Entry, Node};
use plimsoll_syntax::Span;

/// A Compose file.
#[derive(Clone, Copy, Debug)]
pub struct Compose<'a> {
    /// The document's root mapping.
    pub root: &'a Node,
}

/// One service.
#[derive(Clone, Copy, Debug)]
pub struct Service<'a> {
    /// The service's key (`web:`), where findings about what it lacks point.
    pub key: &'a Node,
    /// Its settings.
    pub node: &'a Node,
}

/// One `environment:` variable of a service.
#[derive(Clone, Debug)]
pub struct Variable<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its value as written, if any (`KEY` alone passes the host's value through).
    pub value: Option<&'a str>,
    /// Where the value is (or the name, when there is none).
    pub span: Span,
}

impl<'a> Compose<'a> {
    /// Whether `root` looks like a Compose file: a mapping with a `services` mapping.
    pub fn looks_like(root: &Node) -> bool {
        root.get("services")
            .is_some_and(|s| s.as_mapping().is_some())
    }

    /// A view of `root`, if it is a mapping.
    pub fn new(root: &'a Node) -> Option<Self> {
        root.as_mapping().map(|_| Compose { root })
    }

    /// The obsolete top-level `version:` entry, if present.
    pub fn version(&self) -> Option<&'a Entry> {
        self.root.entry("version")
    }

    /// The services, in file order.
    pub fn services(&self) -> impl Iterator<Item = Service<'a>> {
        self.root
            .get("services")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
            .iter()
            .filter(|entry| entry.value.as_mapping().is_some())
            .map(|entry| Service {
                key: &entry.key,
                node: &entry.value,
            })
    }
}

impl<'a> Service<'a> {
    /// The service's name.
    pub fn name(&self) -> &'a str {
        self.key.as_str().unwrap_or("")
    }

    /// The `image:` value node.
    pub fn image(&self) -> Option<&'a Node> {
        self.node.get("image")
    }

    /// The `build:` context (the short form `build: ./dir` or `build.context`), with the node
    /// that names it; `.` when `build:` is a mapping without `context`.
    pub fn build_context(&self) -> Option<(&'a str, &'a Node)> {
        let build = self.node.get("build")?;
        if let Some(context) = build.as_str() {
            return Some((context, build));
        }
        match build.get("context") {
            Some(context) => context.as_str().map(|c| (c, context)),
            None => Some((".", build)),
        }
    }

    /// The `build.dockerfile` value, if set.
    pub fn dockerfile(&self) -> Option<&'a str> {
        self.node.get("build")?.get_str("dockerfile")
    }

    /// The `environment:` variables, in either the mapping or the list (`KEY=value`) form.
    pub fn environment(&self) -> Vec<Variable<'a>> {
        let Some(environment) = self.node.get("environment") else {
            return Vec::new();
        };
        if let Some(entries) = environment.as_mapping() {
            return entries
                .iter()
                .filter_map(|entry| {
                    let name = entry.key.as_str()?;
                    let value = entry.value.as_str().filter(|_| !entry.value.is_null());
                    Some(Variable {
                        name,
                        value,
                        span: if value.is_some() {
                            entry.value.span
                        } else {
                            entry.key.span
                        },
                    })
                })
                .collect();
        }
        environment
            .as_sequence()
            .unwrap_or_default()
            .iter()
            .filter_map(|item| {
                let text = item.as_str()?;
                let (name, value) = match text.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (text, None),
                };
                Some(Variable {
                    name,
                    value,
                    span: item.span,
                })
            })
            .collect()
    }
}
