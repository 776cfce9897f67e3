use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a text file that was not searched for secrets because it is larger than
    /// `max-file-size` (binary files are left out silently, as before).
    ///
    /// ## Why is this bad?
    /// A credential in that file would go unreported: a clean report must not read as "no
    /// secret anywhere" when a file was never looked at.
    ///
    /// ## Example
    /// A 6 MB `dump.sql` with the default 4 MiB limit.
    ///
    /// ## Use instead
    /// Raise `max-file-size`, or exclude the file (`exclude` in `plimsoll.toml`) once it is
    /// known to hold no secret.
    pub struct NotSearched {
        id: "PLM004",
        name: "not-searched",
        severity: Note,
        domain: Engine,
        summary: "A text file over the size limit was not searched for secrets",
        help: "raise `max-file-size` to search it, or exclude it",
    }
}

impl Rule for NotSearched {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
