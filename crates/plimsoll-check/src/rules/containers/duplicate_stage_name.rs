use std::collections::HashMap;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a stage name (`FROM … AS name`) used by an earlier stage too.
    ///
    /// ## Why is this bad?
    /// `COPY --from=name` and `--target name` then refer to one of them only, and which one is
    /// easy to get wrong; BuildKit rejects the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// FROM golang:1.23 AS build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22 AS web-build
    /// FROM golang:1.23 AS api-build
    /// ```
    pub struct DuplicateStageName {
        id: "DKR018",
        name: "duplicate-stage-name",
        severity: Error,
        domain: Containers,
        summary: "Two stages have the same name",
        help: "give each stage a unique name",
    }
}

impl Rule for DuplicateStageName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for stage in cx.dockerfile.stages() {
            let Some(name) = stage.name() else {
                continue;
            };
            let key = name.text.to_ascii_lowercase();
            if let Some(first) = seen.get(&key) {
                out.report(
                    &Self::META,
                    name.span,
                    format!("stage name `{}` is already used on line {first}", name.text),
                );
            } else {
                seen.insert(key, cx.source.line_col(name.span.start).line);
            }
        }
    }
}
