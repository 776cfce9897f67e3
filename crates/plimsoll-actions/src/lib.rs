//! A model of GitHub Actions files over a located YAML tree.
//!
//! The model is a set of thin views ([`Workflow`], [`Job`], [`Step`], [`Action`]) over
//! [`plimsoll_syntax::yaml::Node`]s, so every value keeps its exact span and nothing is copied.
//! `check` audits through it; `diagnose`, `guard` and `init` read and write workflows with it.
//! [`schema`] holds what GitHub accepts (keys, events) as data; [`matrix`] expands a job's
//! `strategy.matrix` by GitHub's rules (for `guard`'s coverage model and `diagnose`'s job names).

pub mod advisories;
mod condition;
pub mod matrix;
pub mod schema;
mod uses;
mod workflow;

pub use condition::Condition;
pub use uses::{ref_kind, ref_span, RefKind, Uses};
pub use workflow::{Action, Job, NamedNode, Step, Trigger, Workflow};
