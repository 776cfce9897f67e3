use plimsoll_syntax::image::ImageRef;

use super::common::{bases, Base};
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Flags a `FROM` whose image has no tag or the `latest` tag (and no digest). Build
    /// arguments are substituted with their defaults (`ARG BASE=rust:1.82` then
    /// `FROM ${BASE}`); `scratch` and earlier stages (`FROM build`) are not images, nor is an
    /// image the repository builds itself (a Compose service's `image:` next to `build:`, a
    /// workflow's `docker build -t` or `docker/build-push-action` `tags`).
    ///
    /// ## Why is this bad?
    /// The base changes whenever upstream publishes: the same commit builds a different image
    /// tomorrow, and a breaking base update arrives without any change in the repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12.7-slim-bookworm
    /// ```
    pub struct UnpinnedBaseImage {
        id: "DKR001",
        name: "unpinned-base-image",
        severity: Error,
        domain: Containers,
        summary: "A base image has no tag or `:latest`",
        help: "pin the base image to a version tag, or better a digest (`image:1.2.3@sha256:…`)",
    }
}

impl Rule for UnpinnedBaseImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for (base, written) in bases(cx.dockerfile) {
            let (Base::Image(reference), Some(written)) = (base, written) else {
                continue;
            };
            let image = ImageRef::parse(&reference);
            if image.is_floating() {
                let why = if image.tag.is_some() {
                    "the `latest` tag"
                } else {
                    "no tag"
                };
                let shown = if reference == written.text {
                    format!("`{reference}`")
                } else {
                    format!("`{}` (`{reference}`)", written.text)
                };
                out.report(
                    &Self::META,
                    written.span,
                    format!("base image {shown} has {why}: it changes whenever upstream publishes"),
                );
            }
        }
    }
}
