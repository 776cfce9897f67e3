use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a `# plimsoll: ignore[rule]` comment that suppresses no finding, or that names a
    /// rule plimsoll does not have.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real finding of that rule on that line, and a
    /// misspelt one suppresses nothing while looking as if it does.
    ///
    /// ## Example
    /// ```yaml
    /// - run: cargo test  # plimsoll: ignore[continue-on-error] flaky
    /// ```
    ///
    /// ## Use instead
    /// Delete the comment, or name the rule that actually fires on that line.
    pub struct UnusedSuppression {
        id: "PLM002",
        name: "unused-suppression",
        severity: Warning,
        domain: Engine,
        summary: "A suppression comment suppresses nothing",
        help: "remove the comment or correct the rule name",
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
