//! The classes a CI failure falls in (section 6 of the standards), in a module of their own so
//! that the analyzer and the signatures, which the crate root uses, need not import the root.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The classes of CI failures (section 6 of the standards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A system package, command or module the job needs is not installed.
    MissingDependency,
    /// The tool or toolchain version does not fit what the project needs.
    ToolVersion,
    /// A restored cache holds stale or broken artefacts.
    CacheCorruption,
    /// The token or account lacks a permission.
    Permission,
    /// A matrix target's toolchain (rustup target, cross linker) is not installed.
    MatrixToolchain,
    /// Timing or network: time-outs, resets, rate limits, runner loss.
    Flaky,
    /// The code itself: compiler errors, failing tests, lints.
    CodeBug,
    /// Nothing in the log decides.
    Unknown,
}

impl Class {
    /// The label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Class::MissingDependency => "missing dependency/setup",
            Class::ToolVersion => "tool version incompatibility",
            Class::CacheCorruption => "cache corruption",
            Class::Permission => "permission issue",
            Class::MatrixToolchain => "matrix target missing toolchain",
            Class::Flaky => "flaky (timing/network)",
            Class::CodeBug => "genuine code bug",
            Class::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
