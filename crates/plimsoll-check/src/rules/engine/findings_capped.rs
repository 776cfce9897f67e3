use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Says how many findings of a file were left out of the report: at most 100 findings of
    /// one rule and 1000 in all are reported per file, and this note gives the count of the
    /// rest, rule by rule.
    ///
    /// ## Why is this bad?
    /// It is not: a file with thousands of findings (generated, minified or hostile) would
    /// otherwise bury every other file's findings and make the report huge. The findings
    /// shown are the first ones of the file; fix them and run again to see the rest.
    ///
    /// ## Example
    /// A file of 200,000 lines each holding a lone `\`.
    ///
    /// ## Use instead
    /// Fix or suppress the findings shown, or exclude a generated file (`exclude` in
    /// `plimsoll.toml`).
    pub struct FindingsCapped {
        id: "PLM003",
        name: "findings-capped",
        severity: Note,
        domain: Engine,
        summary: "A file has more findings than are reported",
        help: "fix the findings shown and run again, or exclude the file if it is generated",
    }
}

impl Rule for FindingsCapped {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
