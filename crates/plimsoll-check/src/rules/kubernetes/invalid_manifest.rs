use crate::declare_rule;
use crate::finding::RuleMeta;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Flags documents of a manifest file that are not Kubernetes objects: a scalar or a
    /// sequence where an object belongs, a mapping without string `apiVersion` and `kind`, or a
    /// `List` item that is not an object. Nothing in such a document is checked.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` rejects the file, or silently skips part of it; either way what is in
    /// the repository is not what runs, and no rule looked at it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: settings}
    /// ---
    /// - name: stray
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: settings}
    /// ```
    pub struct InvalidManifest {
        id: "K8S013",
        name: "invalid-manifest",
        severity: Warning,
        domain: Kubernetes,
        summary: "A document of a manifest file is not a Kubernetes object",
        help: "give the document `apiVersion` and `kind`, or move it out of the manifest file",
    }
}

impl Rule for InvalidManifest {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
}
