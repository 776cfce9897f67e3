//! GitHub Actions rules: section 1 of the standards.

mod common;

mod continue_on_error;

pub use continue_on_error::ContinueOnError;
