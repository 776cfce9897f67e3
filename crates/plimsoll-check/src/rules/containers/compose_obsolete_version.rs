use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::fix::{whole_lines, Edit, Fix};
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags the top-level `version:` key of a Compose file.
    ///
    /// ## Why is this bad?
    /// The Compose Specification ignores it and Docker Compose warns that it is obsolete; it
    /// suggests a file format and feature set that no longer applies.
    ///
    /// ## Example
    /// ```yaml
    /// version: "3.8"
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Safe: deletes the `version:` line (Compose ignores it). A comment on that line goes with
    /// it; a `version:` that is not on lines of its own is left to be removed by hand.
    ///
    /// ## Use instead
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    pub struct ComposeObsoleteVersion {
        id: "CMP005",
        name: "compose-obsolete-version",
        severity: Note,
        domain: Containers,
        summary: "A Compose file has the obsolete `version:` key",
        help: "remove the top-level `version:` key",
        fix: Safe,
    }
}

impl Rule for ComposeObsoleteVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_compose(&self, cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        if let Some(version) = compose.version() {
            let diagnostic = out.report(
                &Self::META,
                version.key.span,
                "the top-level `version:` is obsolete and ignored".to_string(),
            );
            let entry = version.key.span.cover(version.value.span);
            if let Some(lines) = whole_lines(cx.text(), entry) {
                diagnostic.fix(Fix::safe(
                    "remove the `version:` line",
                    vec![Edit::delete(lines)],
                ));
            }
        }
    }
}
