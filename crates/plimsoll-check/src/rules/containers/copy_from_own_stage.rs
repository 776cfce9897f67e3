use super::common::named_stage;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags `COPY --from=<name>` where `<name>` is the stage the instruction is in, or a stage
    /// defined later in the file.
    ///
    /// ## Why is this bad?
    /// A stage cannot copy from itself, and a later stage is not built yet: Docker either fails
    /// or pulls an image of that name from a registry instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// COPY --from=build /src/app /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app ./cmd/app
    /// FROM gcr.io/distroless/static:nonroot
    /// COPY --from=build /out/app /app
    /// ```
    pub struct CopyFromOwnStage {
        id: "DKR019",
        name: "copy-from-own-stage",
        severity: Error,
        domain: Containers,
        summary: "`COPY --from` names the current or a later stage",
        help: "copy from an earlier stage (or a pinned image)",
    }
}

impl Rule for CopyFromOwnStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let stages = cx.dockerfile.stages();
        for stage in &stages {
            for instruction in stage.body.iter().filter(|i| i.keyword == "COPY") {
                let Some(flag) = instruction.flag("from") else {
                    continue;
                };
                let Some(from) = flag.value.as_deref().map(str::to_ascii_lowercase) else {
                    continue;
                };
                let target = named_stage(&stages, &from);
                let message = match target {
                    Some(index) if index == stage.index => {
                        format!("`COPY --from={from}` copies from the stage it is in")
                    }
                    Some(index) if index > stage.index => {
                        format!("`COPY --from={from}` copies from a stage defined later")
                    }
                    _ => continue,
                };
                out.report(&Self::META, flag.span, message);
            }
        }
    }
}
