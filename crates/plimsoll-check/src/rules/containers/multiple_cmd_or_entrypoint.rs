use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a stage with more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK`.
    ///
    /// ## Why is this bad?
    /// Only the last one takes effect; the earlier ones mislead the reader about what the image
    /// runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["serve"]
    /// CMD ["migrate"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// CMD ["serve"]
    /// ```
    pub struct MultipleCmdOrEntrypoint {
        id: "DKR017",
        name: "multiple-cmd-or-entrypoint",
        severity: Warning,
        domain: Containers,
        summary: "A stage has more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK`",
        help: "keep only the last one; the others have no effect",
    }
}

impl Rule for MultipleCmdOrEntrypoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for stage in cx.dockerfile.stages() {
            for keyword in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
                let all: Vec<_> = stage.body.iter().filter(|i| i.keyword == keyword).collect();
                if let Some((last, earlier)) = all.split_last() {
                    for instruction in earlier {
                        out.report(
                            &Self::META,
                            instruction.keyword_span,
                            format!(
                                "this `{keyword}` has no effect: the one on line {} replaces it",
                                cx.source.line_col(last.keyword_span.start).line
                            ),
                        );
                    }
                }
            }
        }
    }
}
