use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags the deprecated `MAINTAINER` instruction. Strict only: it still
    /// works, and what it costs is cosmetic.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` has been deprecated since Docker 1.13; tools read the standard OCI label
    /// instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    pub struct DeprecatedMaintainer {
        id: "DKR020",
        name: "deprecated-maintainer",
        severity: Note,
        domain: Containers,
        summary: "`MAINTAINER` is deprecated",
        help: "use `LABEL org.opencontainers.image.authors=\"…\"`",
        strict_only: true,
    }
}

impl Rule for DeprecatedMaintainer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for instruction in cx.dockerfile.all_instructions() {
            if instruction.keyword == "MAINTAINER" {
                out.report(
                    &Self::META,
                    instruction.keyword_span,
                    "`MAINTAINER` is deprecated".to_string(),
                );
            }
        }
    }
}
