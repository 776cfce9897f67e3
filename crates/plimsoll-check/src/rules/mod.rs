//! The rules, one per file, grouped by domain.

pub mod containers;
pub mod engine;
pub mod github_actions;
pub mod kubernetes;
pub mod secrets;
pub mod terraform;
