use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that plimsoll was asked to check but cannot read: YAML syntax errors, files
    /// that are not UTF-8, binary files, files over the size limit, alias bombs and nesting
    /// deeper than 256 levels. The finding carries the parser's position and message.
    ///
    /// ## Why is this bad?
    /// GitHub refuses a workflow that does not parse, and the run that should have guarded the
    /// change never starts. A file plimsoll cannot read is also a file it cannot vouch for.
    ///
    /// ## Example
    /// ```yaml
    /// on: push
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    ///     steps: [ { run: cargo test }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// on: push
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-24.04
    ///     steps: [ { run: cargo test } ]
    /// ```
    pub struct ParseError {
        id: "PLM001",
        name: "parse-error",
        severity: Error,
        domain: Engine,
        summary: "The file cannot be read or parsed",
        help: "fix the syntax at the reported position; the rest of the file was not checked",
    }
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
