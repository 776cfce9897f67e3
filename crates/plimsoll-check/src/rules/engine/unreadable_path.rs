use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a file or a folder inside the paths to check that plimsoll cannot read: no
    /// permission, an I/O error. The finding names the path and the operating system's error.
    /// When nothing else could be checked the run fails with exit code 2 instead.
    ///
    /// ## Why is this bad?
    /// A file that was not read was not checked: a run that passes while skipping it would
    /// vouch for what it never saw. A whole folder left unread can hide every workflow.
    ///
    /// ## Example
    /// ```text
    /// $ ls -ld deploy
    /// d---------  2 ci ci 4096 deploy
    /// ```
    ///
    /// ## Use instead
    /// Give the user running plimsoll read access (`chmod -R u+rX deploy`), or exclude the path
    /// on purpose in `plimsoll.toml`:
    /// ```toml
    /// exclude = ["deploy/"]
    /// ```
    pub struct UnreadablePath {
        id: "PLM005",
        name: "unreadable-path",
        severity: Error,
        domain: Engine,
        summary: "A file or folder to check cannot be read",
        help: "give read access to the user running plimsoll, or exclude the path in plimsoll.toml",
    }
}

impl Rule for UnreadablePath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
