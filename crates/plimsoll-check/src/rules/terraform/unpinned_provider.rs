use plimsoll_syntax::hcl::ExprKind;

use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::Rule;
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags `required_providers` entries without a `version` constraint, and modules that
    /// configure providers or create resources with no `required_providers` at all.
    ///
    /// ## Why is this bad?
    /// Without a constraint `terraform init` takes the newest provider, and a major release
    /// changes or removes arguments under an unchanged configuration.
    ///
    /// ## Example
    /// ```hcl
    /// terraform {
    ///   required_providers {
    ///     aws = { source = "hashicorp/aws" }
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// terraform {
    ///   required_providers {
    ///     aws = { source = "hashicorp/aws", version = "~> 5.40" }
    ///   }
    /// }
    /// ```
    pub struct UnpinnedProvider {
        id: "TF005",
        name: "unpinned-provider",
        severity: Warning,
        domain: Terraform,
        summary: "A provider has no version constraint",
        help: "declare the provider in `required_providers` with a `version` constraint",
    }
}

impl Rule for UnpinnedProvider {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_module(&self, module: &Module<'_>, out: &mut [Sink]) {
        let mut declared = false;
        for (index, terraform) in module.terraform_blocks() {
            for providers in terraform.body.blocks_of("required_providers") {
                declared = true;
                for entry in providers.body.attributes() {
                    let pinned = match &entry.value.kind {
                        ExprKind::Object(items) => {
                            items.iter().any(|i| i.name() == Some("version"))
                        }
                        // The legacy `aws = "~> 5.0"` form is a constraint.
                        ExprKind::String(_) => true,
                        _ => true,
                    };
                    if !pinned {
                        if let Some(sink) = out.get_mut(index) {
                            sink.report(
                                &Self::META,
                                entry.name_span,
                                format!("provider `{}` has no version constraint", entry.name),
                            );
                        }
                    }
                }
            }
        }
        if declared {
            return;
        }
        let first = module
            .blocks("provider")
            .next()
            .or_else(|| module.blocks("resource").next());
        if let Some((index, block)) = first {
            if let Some(sink) = out.get_mut(index) {
                sink.report(
                    &Self::META,
                    super::header(block),
                    format!(
                        "folder `{}` uses providers but declares no `required_providers` with version constraints",
                        super::local_state::folder_name(&module.dir)
                    ),
                );
            }
        }
    }
}
