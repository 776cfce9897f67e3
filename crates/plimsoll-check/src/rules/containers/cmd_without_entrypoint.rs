use super::common::final_stage;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a final stage that sets `CMD` but no `ENTRYPOINT`.
    ///
    /// ## Why is this bad?
    /// Any argument given to `docker run` or a Kubernetes `args:` replaces the whole command, so
    /// the image can be started as something other than the service it ships; with an
    /// `ENTRYPOINT` the image always runs its program and `CMD` only supplies default arguments.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["/app", "--port", "8080"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ENTRYPOINT ["/app"]
    /// CMD ["--port", "8080"]
    /// ```
    pub struct CmdWithoutEntrypoint {
        id: "DKR007",
        name: "cmd-without-entrypoint",
        severity: Note,
        domain: Containers,
        summary: "The final stage has `CMD` but no `ENTRYPOINT`",
        help: "set the program with `ENTRYPOINT [\"/app\"]` and keep only default arguments in `CMD`",
    }
}

impl Rule for CmdWithoutEntrypoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let Some(stage) = final_stage(cx.dockerfile) else {
            return;
        };
        let has_entrypoint = stage.body.iter().any(|i| i.keyword == "ENTRYPOINT");
        if let (Some(cmd), false) = (
            stage.body.iter().rev().find(|i| i.keyword == "CMD"),
            has_entrypoint,
        ) {
            out.report(
                &Self::META,
                cmd.keyword_span,
                "the final stage sets `CMD` without an `ENTRYPOINT`".to_string(),
            );
        }
    }
}
