//! Rules about plimsoll's own input: files that do not parse, suppressions that do nothing,
//! findings left out of the report.

mod findings_capped;
mod not_searched;
mod parse_error;
mod unreadable_path;
mod unused_suppression;

pub use findings_capped::FindingsCapped;
pub use not_searched::NotSearched;
pub use parse_error::ParseError;
pub use unreadable_path::UnreadablePath;
pub use unused_suppression::UnusedSuppression;
