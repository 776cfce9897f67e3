use super::common::{bases, Base};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `COPY` or `ADD` to a relative destination (`COPY . .`, `COPY app/ src/`) in a
    /// stage where no `WORKDIR` was set before it, in the stage or in a stage it is built from
    /// (hadolint DL3045).
    ///
    /// ## Why is this bad?
    /// The destination is relative to the base image's working directory, which this file does
    /// not show and which a new base image version may change: the files land somewhere else
    /// and the `CMD` no longer finds them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY . .
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    pub struct CopyBeforeWorkdir {
        id: "DKR024",
        name: "copy-before-workdir",
        severity: Warning,
        domain: Containers,
        summary: "`COPY` to a relative destination before any `WORKDIR`",
        help: "set `WORKDIR /app` first, or copy to an absolute path",
    }
}

impl Rule for CopyBeforeWorkdir {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let mut workdir_at_end: Vec<bool> = Vec::new();
        for ((base, _), stage) in bases(cx.dockerfile).into_iter().zip(cx.dockerfile.stages()) {
            let mut workdir = match base {
                Base::Stage(parent) => workdir_at_end.get(parent).copied().unwrap_or(false),
                // `scratch` has `/` as its working directory, and nothing else to move it.
                Base::Scratch => true,
                _ => false,
            };
            for instruction in stage.body {
                match instruction.keyword.as_str() {
                    "WORKDIR" => workdir = true,
                    "COPY" | "ADD" if !workdir => {
                        let words = instruction.words();
                        let Some(destination) = words.last().filter(|_| words.len() >= 2) else {
                            continue;
                        };
                        let text = destination.text.as_str();
                        let absolute = text.starts_with('/')
                            || text.starts_with('$')
                            || text.get(1..2) == Some(":");
                        if !absolute && instruction.heredocs.is_empty() {
                            out.report(
                                &Self::META,
                                destination.span,
                                format!(
                                    "`{} … {text}` copies relative to the base image's working directory: no `WORKDIR` is set before it",
                                    instruction.keyword
                                ),
                            );
                        }
                    }
                    _ => {}
                }
            }
            workdir_at_end.push(workdir);
        }
    }
}
