use super::common::copies_before_workdir;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `COPY` or `ADD` to a relative destination (`COPY . .`, `COPY app/ src/`) in a
    /// stage where no `WORKDIR` was set before it, in the stage or in a stage it is built from
    /// (hadolint DL3045).
    /// A note: the standard (STANDARDS.md §2) does not list it, and most findings on real
    /// repositories rely on a base image's documented `WORKDIR` (oss-fuzz's `$SRC`).
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
        severity: Note,
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
        for (_, keyword, destination) in copies_before_workdir(cx.dockerfile, true) {
            out.report(
                &Self::META,
                destination.span,
                format!(
                    "`{keyword} … {}` copies relative to the base image's working directory: no `WORKDIR` is set before it",
                    destination.text
                ),
            );
        }
    }
}
