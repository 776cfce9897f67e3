use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::Rule;
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags `module` blocks whose source can move: a registry module without `version`, or a
    /// git source without a `?ref=`. Local paths (`./`, `../`) are part of the same repository
    /// and are not flagged.
    ///
    /// ## Why is this bad?
    /// An unpinned module changes under an unchanged configuration: the next plan picks up
    /// whatever was published or pushed last, in every environment at once.
    ///
    /// ## Example
    /// ```hcl
    /// module "vpc" {
    ///   source = "terraform-aws-modules/vpc/aws"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// module "vpc" {
    ///   source  = "terraform-aws-modules/vpc/aws"
    ///   version = "5.8.1"
    /// }
    /// ```
    pub struct UnpinnedModule {
        id: "TF006",
        name: "unpinned-module",
        severity: Warning,
        domain: Terraform,
        summary: "A module source is not pinned to a version or ref",
        help: "pin registry modules with `version` and git sources with `?ref=<tag or commit>`",
    }
}

fn is_git(source: &str) -> bool {
    source.starts_with("git::")
        || source.starts_with("git@")
        || source.starts_with("github.com/")
        || source.starts_with("bitbucket.org/")
}

fn is_registry(source: &str) -> bool {
    // `namespace/name/provider` or `host/namespace/name/provider`, optionally `//subdir`.
    let path = source.split("//").next().unwrap_or(source);
    let parts = path.split('/').count();
    !source.contains("://") && !source.contains("::") && (parts == 3 || parts == 4)
}

impl Rule for UnpinnedModule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_module(&self, module: &Module<'_>, out: &mut [Sink]) {
        for (index, call) in module.blocks("module") {
            let Some(source_attribute) = call.body.attribute("source") else {
                continue;
            };
            let Some(source) = source_attribute.value.as_str() else {
                continue;
            };
            let name = call.label(0).unwrap_or("?");
            let message = if source.starts_with("./") || source.starts_with("../") {
                continue;
            } else if is_git(source) {
                if source.contains("ref=") {
                    continue;
                }
                format!("module `{name}` takes `{source}` at whatever its default branch holds: no `?ref=`")
            } else if is_registry(source) {
                if call.body.attribute("version").is_some() {
                    continue;
                }
                format!("module `{name}` takes registry module `{source}` without a `version`")
            } else {
                continue;
            };
            if let Some(sink) = out.get_mut(index) {
                sink.report(&Self::META, source_attribute.value.span, message);
            }
        }
    }
}
