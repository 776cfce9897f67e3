//! The rules, one per file, grouped by domain.

pub mod containers;
pub mod engine;
pub mod github_actions;
pub mod kubernetes;
pub mod secrets;
pub mod terraform;

/// How the secret-literal rules name a literal that reads like a demo or default password
/// (reported at warning level): the finding says why it is reported all the same.
pub(crate) const DEMO_PASSWORD: &str =
    "password that looks like a demo or default one (committed, it is a credential all the same)";
