//! The rules, one per file, grouped by domain.

pub mod engine;
pub mod github_actions;
pub mod secrets;
