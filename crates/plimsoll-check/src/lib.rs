//! plimsoll's audit engine.
//!
//! - [`discovery`] finds the files to check; [`config`] loads layered [`settings`];
//! - [`registry`] lists every rule; each rule lives in its own file under `rules/<domain>/`
//!   and its doc comment is its documentation;
//! - [`engine::check`] runs the rules in parallel and resolves what they report into
//!   [`Finding`]s, applying configuration and [`suppression`]s; [`baseline`] filters known ones.

pub mod baseline;
pub mod compose;
pub mod config;
pub mod discovery;
pub mod engine;
mod expressions;
mod finding;
pub mod fix;
pub mod fixer;
pub mod history;
pub mod kubernetes;
pub mod peers;
pub mod pins;
pub mod reference;
pub mod registry;
pub mod repository;
mod rule;
pub mod rules;
mod scope;
mod script;
pub mod security;
pub mod settings;
pub use plimsoll_secrets as secrets;
pub mod suppression;
pub mod terraform;

pub use engine::{check, check_buffer, CheckError, CheckReport};
#[doc(hidden)]
pub use finding::name_mentions_secret;
pub use finding::NonProduction;
pub use finding::{Diagnostic, Domain, Finding, Location, RuleMeta, Severity, Sink, RULES_DOC_URI};
pub use fix::{Applicability, Edit, Fix, FixAvailability};
pub use rule::{
    Context, DockerfileContext, RepositoryDiagnostic, Rule, RunScript, RunSink, StepScope,
};
