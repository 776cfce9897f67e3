use plimsoll_syntax::image::ImageRef;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::kubernetes::Container;
use crate::rule::{Context, Rule};

declare_rule! {
    /// ## What it does
    /// Flags container images (init and ephemeral containers included) with no tag or the
    /// `latest` tag and no digest.
    ///
    /// ## Why is this bad?
    /// A floating tag means each node may pull a different image: rollouts are not
    /// reproducible, rollbacks do not roll back, and a compromised upstream push reaches
    /// production on the next reschedule.
    ///
    /// ## Example
    /// ```yaml
    /// image: nginx:latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: nginx:1.27.3@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a
    /// ```
    pub struct UnpinnedContainerImage {
        id: "K8S008",
        name: "unpinned-container-image",
        severity: Error,
        domain: Kubernetes,
        summary: "A container image has no tag or the `latest` tag",
        help: "pin a version tag, ideally with its `@sha256:` digest",
    }
}

impl Rule for UnpinnedContainerImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_k8s_container(&self, _cx: &Context<'_>, container: &Container<'_>, out: &mut Sink) {
        let Some(node) = container.node.get("image") else {
            return;
        };
        let Some(image) = node.as_str() else {
            return;
        };
        if image.contains("${") || image.contains("$(") {
            return; // substituted at deploy time: the real value is not in the file
        }
        let reference = ImageRef::parse(image);
        if reference.is_floating() {
            let why = match reference.tag {
                Some(_) => "uses the `latest` tag",
                None => "has no tag",
            };
            out.report(
                &Self::META,
                node.span,
                format!("image `{image}` of {} {why}", container.describe()),
            );
        }
    }
}
