//! Rules about plimsoll's own input: files that do not parse, suppressions that do nothing.

mod parse_error;
mod unused_suppression;

pub use parse_error::ParseError;
pub use unused_suppression::UnusedSuppression;
