use plimsoll_actions::{Job, Uses, Workflow};
use plimsoll_syntax::image::ImageRef;
use plimsoll_syntax::yaml::Node;
use plimsoll_syntax::Span;

use crate::compose::Compose;
use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::{Context, Rule, StepScope};

declare_rule! {
    /// ## What it does
    /// Flags a job `container:`, a service, a `docker://` step, or a Compose service `image:`
    /// (a job image written `${{ matrix.image }}` is checked in each value the matrix gives it)
    /// whose image has no tag or the `latest` tag (and no digest). A Compose `image:` next to
    /// `build:` names the image being built, and an image the repository builds elsewhere is
    /// its own: neither is flagged.
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
    check_image_via(reference, span, None, out);
}

/// Report `reference` when it floats; `via` names the matrix path it came through.
fn check_image_via(reference: &str, span: Span, via: Option<&str>, out: &mut Sink) {
    if plimsoll_syntax::expr::contains_expression(reference) || reference.trim().is_empty() {
        return;
    }
    let image = ImageRef::parse(reference);
    if image.is_floating() {
        let why = if image.tag.is_some() {
            "the `latest` tag"
        } else {
            "no tag"
        };
        let through = via
            .map(|path| format!(" (the job's image through `{path}`)"))
            .unwrap_or_default();
        out.report(
            &UnpinnedImage::META,
            span,
            format!(
                "image `{reference}`{through} has {why}: it changes whenever upstream publishes"
            ),
        );
    }
}

/// The matrix values an image written as exactly `${{ matrix.x }}` (or `matrix.x.y`) takes:
/// the axis's items and the `include:` entries' values, each with its own node.
fn matrix_values<'a>(job: &Job<'a>, reference: &str) -> Vec<(&'a Node, String)> {
    let Some(inner) = reference
        .trim()
        .strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"))
    else {
        return Vec::new();
    };
    let path = inner.trim();
    let Some(rest) = path.strip_prefix("matrix.") else {
        return Vec::new();
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Vec::new();
    }
    let Some(matrix) = job.matrix() else {
        return Vec::new();
    };
    let mut keys = rest.split('.');
    let Some(axis) = keys.next() else {
        return Vec::new();
    };
    let keys: Vec<&str> = keys.collect();
    // Follow `keys` into a value that is a mapping (`matrix.cfg.image`).
    let follow = |mut node: &'a Node| -> Option<&'a Node> {
        for key in &keys {
            node = node.get(key)?;
        }
        Some(node)
    };
    let mut values = Vec::new();
    for item in matrix
        .value
        .get(axis)
        .and_then(Node::as_sequence)
        .unwrap_or_default()
    {
        values.extend(follow(item));
    }
    for entry in matrix
        .value
        .get("include")
        .and_then(Node::as_sequence)
        .unwrap_or_default()
    {
        values.extend(entry.get(axis).and_then(follow));
    }
    values
        .into_iter()
        .map(|node| (node, path.to_string()))
        .collect()
}

impl Rule for UnpinnedImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_workflow(&self, _cx: &Context<'_>, workflow: Workflow<'_>, out: &mut Sink) {
        for job in workflow.jobs() {
            for image in job.images() {
                let Some(reference) = image.as_str() else {
                    continue;
                };
                // Each value the matrix gives the image is checked where it is written.
                for (value, path) in matrix_values(&job, reference) {
                    if let Some(text) = value.as_str() {
                        check_image_via(text, value.span, Some(&path), out);
                    }
                }
                check_image(reference, image.span, out);
            }
        }
    }

    fn check_compose(&self, _cx: &Context<'_>, compose: Compose<'_>, out: &mut Sink) {
        // A service with `build:` builds its `image:` here: that name tags the result.
        for service in compose.services().filter(|s| s.build_context().is_none()) {
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
