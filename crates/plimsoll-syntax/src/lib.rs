//! Sources, spans and parsers with exact locations.
//!
//! Everything plimsoll reads goes through this crate: a [`SourceFile`] owns the text and its
//! [`LineIndex`]; parsers produce trees whose nodes carry byte [`Span`]s into that text, so any
//! finding can be rendered as line and column (in characters, or in UTF-16 units for SARIF).
//!
//! - [`yaml`]: a located YAML tree (multi-document, alias expansion capped, depth capped).
//! - [`shell`]: a small POSIX shell lexer for `run:` scripts, enough to see commands and flags.
//! - [`dockerfile`]: Dockerfiles: directives, continuations, here-documents, stages.
//! - [`expr`]: GitHub Actions `${{ }}` expressions: finding them and validating their syntax.
//! - [`hcl`]: HCL native syntax (Terraform) with located blocks, attributes and literals.
//! - [`file`](mod@file): reading a file only when it is a regular one, within a size limit.

pub mod dockerfile;
pub mod dockerignore;
pub mod expr;
pub mod file;
pub mod hcl;
pub mod image;
pub mod shell;
mod source;
pub mod text;
pub mod yaml;

pub use file::read_at_most;
pub use source::{LineCol, LineIndex, SourceError, SourceFile, Span};
