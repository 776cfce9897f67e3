use plimsoll_syntax::image::ImageRef;

use super::common::{bases, Base};
use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, DockerfileContext, Rule};

declare_rule! {
    /// ## What it does
    /// In strict mode, flags a `FROM` base image or a Compose `image:` that is not pinned by
    /// digest (`@sha256:…`). Images the repository builds itself (a Compose service with
    /// `build:`, a workflow's `docker build -t`) have no digest to pin and are not flagged.
    ///
    /// ## Why is this bad?
    /// A tag can be moved to another image at any time; only a digest names exactly the bytes
    /// that were reviewed and tested.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12-slim@sha256:ad86386827b083b3d71139050b47ffb32bbd9559ea9b1345a739b14fec2d9ecf
    /// ```
    pub struct ImageNotPinnedToDigest {
        id: "DKR002",
        name: "image-not-pinned-to-digest",
        severity: Note,
        domain: Containers,
        summary: "An image is pinned by tag, not by digest",
        help: "append the digest (`image:tag@sha256:…`) and let Dependabot or Renovate update it",
        strict_only: true,
    }
}

fn report(reference: &str, span: plimsoll_syntax::Span, out: &mut Sink) {
    let image = ImageRef::parse(reference);
    // Floating references are `unpinned-*` errors already.
    if image.digest.is_none() && !image.is_floating() {
        out.report(
            &ImageNotPinnedToDigest::META,
            span,
            format!("image `{reference}` is pinned by tag only, not by digest"),
        );
    }
}

impl Rule for ImageNotPinnedToDigest {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_dockerfile(&self, cx: &DockerfileContext<'_>, out: &mut Sink) {
        for (base, written) in bases(cx.dockerfile) {
            if let (Base::Image(reference), Some(written)) = (base, written) {
                report(&reference, written.span, out);
            }
        }
    }

    fn check_compose(&self, _cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        // A service with `build:` builds its `image:` here: that name tags the result.
        for service in compose.services().filter(|s| s.build_context().is_none()) {
            if let Some(image) = service.image() {
                if let Some(reference) = image.as_str().filter(|r| !r.contains('$')) {
                    report(reference, image.span, out);
                }
            }
        }
    }
}
