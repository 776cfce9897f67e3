use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::Rule;
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags `variable` blocks without a `description` or without a `type`.
    ///
    /// ## Why is this bad?
    /// A variable is a module's interface: without a description its callers guess what it
    /// means, and without a type a wrong value fails deep inside a plan instead of at the call.
    ///
    /// ## Example
    /// ```hcl
    /// variable "subnets" {}
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// variable "subnets" {
    ///   description = "Private subnet ids the service runs in"
    ///   type        = list(string)
    /// }
    /// ```
    pub struct UndocumentedVariable {
        id: "TF004",
        name: "undocumented-variable",
        severity: Note,
        domain: Terraform,
        summary: "A variable has no description or no type",
        help: "give the variable a `description` and a `type`",
    }
}

impl Rule for UndocumentedVariable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_module(&self, module: &Module<'_>, out: &mut [Sink]) {
        for (index, variable) in module.blocks("variable") {
            let missing: Vec<&str> = ["description", "type"]
                .into_iter()
                .filter(|key| variable.body.attribute(key).is_none())
                .collect();
            if missing.is_empty() {
                continue;
            }
            if let Some(sink) = out.get_mut(index) {
                sink.report(
                    &Self::META,
                    super::header(variable),
                    format!(
                        "variable `{}` has no {}",
                        variable.label(0).unwrap_or("?"),
                        missing.join(" and no ")
                    ),
                );
            }
        }
    }
}
