use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `WORKDIR` with a relative path.
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` is resolved against the previous one, which may come from the base
    /// image and change with it: the files land somewhere else without any change here.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// WORKDIR /app
    /// ```
    pub struct RelativeWorkdir {
        id: "DKR015",
        name: "relative-workdir",
        severity: Note,
        domain: Containers,
        summary: "`WORKDIR` is a relative path",
        help: "use an absolute path (`WORKDIR /app`)",
    }
}

impl Rule for RelativeWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for instruction in cx.dockerfile.all_instructions() {
            if instruction.keyword != "WORKDIR" {
                continue;
            }
            // The path as the builder sees it: `WORKDIR "/app"` is absolute.
            let Some(path) = instruction.words().into_iter().next().map(|w| w.text) else {
                continue;
            };
            let absolute = path.starts_with('/')
                || path.starts_with('$')
                // Windows images: `C:\app`, `c:/app`.
                || path.get(1..2) == Some(":");
            if !absolute {
                out.report(
                    &Self::META,
                    instruction.arguments_span(),
                    format!("`WORKDIR {path}` is relative to whatever the previous one was"),
                );
            }
        }
    }
}
