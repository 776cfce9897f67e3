use plimsoll_syntax::yaml::{Entry, Node};
use plimsoll_syntax::Span;

use crate::Uses;

/// A mapping value together with the key it was found under.
#[derive(Clone, Copy, Debug)]
pub struct NamedNode<'a> {
    /// The key node (its span is where findings about a missing or bad value point).
    pub key: &'a Node,
    /// The value.
    pub value: &'a Node,
}

impl<'a> NamedNode<'a> {
    fn from_entry(entry: &'a Entry) -> Self {
        NamedNode {
            key: &entry.key,
            value: &entry.value,
        }
    }

    /// The key's text.
    pub fn name(&self) -> &'a str {
        self.key.as_str().unwrap_or("")
    }
}

fn named<'a>(node: &'a Node, key: &str) -> Option<NamedNode<'a>> {
    node.entry(key).map(NamedNode::from_entry)
}

/// A workflow file (`.github/workflows/*.yml`).
#[derive(Clone, Copy, Debug)]
pub struct Workflow<'a> {
    /// The document's root mapping.
    pub root: &'a Node,
}

/// One event a workflow runs on.
#[derive(Clone, Copy, Debug)]
pub struct Trigger<'a> {
    /// The event name (`push`, `pull_request_target`, …).
    pub event: &'a str,
    /// Where the event is named.
    pub span: Span,
    /// The event's configuration (`branches:`, `types:` …), when written as a mapping.
    pub config: Option<&'a Node>,
}

impl<'a> Workflow<'a> {
    /// A view of `root` as a workflow, when it is a mapping with `jobs`.
    pub fn new(root: &'a Node) -> Option<Self> {
        root.as_mapping()?;
        Some(Workflow { root })
    }

    /// Whether `root` looks like a workflow: a mapping with `on` and `jobs`.
    pub fn looks_like(root: &Node) -> bool {
        root.get("jobs").is_some() && (root.get("on").is_some() || root.get("true").is_some())
    }

    /// The `on:` entry.
    pub fn on(&self) -> Option<NamedNode<'a>> {
        named(self.root, "on")
    }

    /// The events the workflow runs on, in any of the three spellings (string, list, mapping).
    pub fn triggers(&self) -> Vec<Trigger<'a>> {
        let Some(on) = self.on() else {
            return Vec::new();
        };
        let value = on.value;
        if let Some(event) = value.as_str() {
            return vec![Trigger {
                event,
                span: value.span,
                config: None,
            }];
        }
        if let Some(items) = value.as_sequence() {
            return items
                .iter()
                .filter_map(|item| {
                    Some(Trigger {
                        event: item.as_str()?,
                        span: item.span,
                        config: None,
                    })
                })
                .collect();
        }
        value
            .as_mapping()
            .unwrap_or_default()
            .iter()
            .filter_map(|entry| {
                Some(Trigger {
                    event: entry.key.as_str()?,
                    span: entry.key.span,
                    config: entry.value.as_mapping().map(|_| &entry.value),
                })
            })
            .collect()
    }

    /// Whether the workflow runs on `event`.
    pub fn runs_on_event(&self, event: &str) -> bool {
        self.triggers().iter().any(|t| t.event == event)
    }

    /// The workflow-level `permissions:` entry.
    pub fn permissions(&self) -> Option<NamedNode<'a>> {
        named(self.root, "permissions")
    }

    /// The workflow-level `concurrency:` entry.
    pub fn concurrency(&self) -> Option<NamedNode<'a>> {
        named(self.root, "concurrency")
    }

    /// The jobs, in source order.
    pub fn jobs(&self) -> Vec<Job<'a>> {
        self.root
            .get("jobs")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
            .iter()
            .filter_map(|entry| {
                Some(Job {
                    id: entry.key.as_str()?,
                    key: &entry.key,
                    node: &entry.value,
                })
            })
            .collect()
    }
}

/// A job of a workflow.
#[derive(Clone, Copy, Debug)]
pub struct Job<'a> {
    /// The job id (its key under `jobs:`).
    pub id: &'a str,
    /// The key node.
    pub key: &'a Node,
    /// The job's mapping.
    pub node: &'a Node,
}

impl<'a> Job<'a> {
    /// The entry under `key` in the job.
    pub fn entry(&self, key: &str) -> Option<NamedNode<'a>> {
        named(self.node, key)
    }

    /// The job's steps, in order.
    pub fn steps(&self) -> Vec<Step<'a>> {
        steps_of(self.node.get("steps"))
    }

    /// The reusable workflow this job calls, if it is a caller job.
    pub fn uses(&self) -> Option<NamedNode<'a>> {
        self.entry("uses")
    }

    /// `runs-on:` as written.
    pub fn runs_on(&self) -> Option<NamedNode<'a>> {
        self.entry("runs-on")
    }

    /// Job ids named by `needs:`, with their spans.
    pub fn needs(&self) -> Vec<(&'a str, Span)> {
        let Some(needs) = self.node.get("needs") else {
            return Vec::new();
        };
        if let Some(one) = needs.as_str() {
            return vec![(one, needs.span)];
        }
        needs
            .as_sequence()
            .unwrap_or_default()
            .iter()
            .filter_map(|n| Some((n.as_str()?, n.span)))
            .collect()
    }

    /// `strategy.matrix`, if present.
    pub fn matrix(&self) -> Option<NamedNode<'a>> {
        self.node.get("strategy").and_then(|s| named(s, "matrix"))
    }

    /// Container images the job runs in: `container:` (string or `image:`) and each service's.
    pub fn images(&self) -> Vec<&'a Node> {
        let mut images = Vec::new();
        if let Some(container) = self.node.get("container") {
            if container.as_str().is_some() {
                images.push(container);
            } else if let Some(image) = container.get("image") {
                images.push(image);
            }
        }
        for service in self
            .node
            .get("services")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
        {
            if let Some(image) = service.value.get("image") {
                images.push(image);
            }
        }
        images
    }
}

fn steps_of(node: Option<&Node>) -> Vec<Step<'_>> {
    node.and_then(Node::as_sequence)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, node)| Step { index, node })
        .collect()
}

/// A step of a job or composite action.
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    /// 0-based position in the steps list.
    pub index: usize,
    /// The step's mapping.
    pub node: &'a Node,
}

impl<'a> Step<'a> {
    /// The entry under `key` in the step.
    pub fn entry(&self, key: &str) -> Option<NamedNode<'a>> {
        named(self.node, key)
    }

    /// `id:`.
    pub fn id(&self) -> Option<&'a str> {
        self.node.get_str("id")
    }

    /// `name:`.
    pub fn name(&self) -> Option<&'a str> {
        self.node.get_str("name")
    }

    /// The `uses:` node.
    pub fn uses_node(&self) -> Option<&'a Node> {
        self.node.get("uses")
    }

    /// The parsed `uses:` value.
    pub fn uses(&self) -> Option<Uses<'a>> {
        self.uses_node()?.as_str().map(Uses::parse)
    }

    /// The `run:` node.
    pub fn run(&self) -> Option<&'a Node> {
        self.node.get("run")
    }

    /// The value of input `name` under `with:`.
    pub fn with(&self, name: &str) -> Option<&'a Node> {
        self.node.get("with")?.get(name)
    }

    /// Every input under `with:` (none when it is absent or not a mapping).
    pub fn inputs(&self) -> &'a [Entry] {
        self.node
            .get("with")
            .and_then(Node::as_mapping)
            .unwrap_or_default()
    }

    /// A label for messages: the name, the id, the action or the first script line.
    pub fn label(&self) -> String {
        if let Some(name) = self.name() {
            return name.to_string();
        }
        if let Some(id) = self.id() {
            return id.to_string();
        }
        if let Some(uses) = self.uses_node().and_then(Node::as_str) {
            return uses.to_string();
        }
        if let Some(run) = self.run().and_then(Node::as_str) {
            return run.lines().next().unwrap_or("").trim().to_string();
        }
        format!("step {}", self.index + 1)
    }
}

/// Action metadata (`action.yml`).
#[derive(Clone, Copy, Debug)]
pub struct Action<'a> {
    /// The document's root mapping.
    pub root: &'a Node,
}

impl<'a> Action<'a> {
    /// A view of `root` as action metadata, when it is a mapping.
    pub fn new(root: &'a Node) -> Option<Self> {
        root.as_mapping()?;
        Some(Action { root })
    }

    /// `runs.using`.
    pub fn using(&self) -> Option<&'a str> {
        self.root.get("runs")?.get_str("using")
    }

    /// Whether this is a composite action.
    pub fn is_composite(&self) -> bool {
        self.using() == Some("composite")
    }

    /// Steps of a composite action.
    pub fn steps(&self) -> Vec<Step<'a>> {
        steps_of(self.root.get("runs").and_then(|r| r.get("steps")))
    }
}
