use plimsoll_actions::{Uses, Workflow};
use plimsoll_syntax::image::ImageRef;
use plimsoll_syntax::Span;

use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a job `container:`, a service, a `docker://` step, or a Compose service `image:`
    /// whose image has no tag or the `latest` tag (and no digest).
    ///
    /// ## Why is this bad?
    /// The image changes whenever upstream publishes, so yesterday's green build says nothing
    /// about today's, and failures appear without any change in the repository.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    /// ```
    pub struct UnpinnedImage {
        id: "GHA006",
        name: "unpinned-image",
        severity: Error,
        domain: GithubActions,
        summary: "A container or service image has no tag or `:latest`",
        help: "pin the image to a version tag, or better a digest (`image:1.2.3@sha256:…`)",
    }
}

fn check_image(reference: &str, span: Span, out: &mut Sink) {
    if reference.contains("${{") || reference.trim().is_empty() {
        return;
    }
    let image = ImageRef::parse(reference);
    if image.is_floating() {
        let why = if image.tag.is_some() {
            "the `latest` tag"
        } else {
            "no tag"
        };
        out.report(
            &UnpinnedImage::META,
            span,
            format!("image `{reference}` has {why}: it changes whenever upstream publishes"),
        );
    }
}

impl Rule for UnpinnedImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            for image in job.images() {
                if let Some(reference) = image.as_str() {
                    check_image(reference, image.span, out);
                }
            }
        }
    }

    fn check_compose(&self, _cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        for service in compose.services() {
            if let Some(image) = service.image() {
                // `${TAG}` interpolation is resolved by Compose from the environment.
                if let Some(reference) = image.as_str().filter(|r| !r.contains('$')) {
                    check_image(reference, image.span, out);
                }
            }
        }
    }

    fn check_step(&self, cx: &Context<'_>, scope: &StepScope<'_>, out: &mut Sink) {
        let Some(node) = scope.step.uses_node() else {
            return;
        };
        if let Some(Uses::Docker { image }) = node.as_str().map(Uses::parse) {
            let value = node.as_str().unwrap_or("");
            let start = value.len() - image.len();
            check_image(image, node.locate(cx.text(), start..value.len()), out);
        }
    }
}
