use crate::declare_rule;
use crate::finding::{RuleMeta, Sink};
use crate::rule::Rule;
use crate::secrets::{is_secret_key, looks_like_secret_literal, redact, token_kind};
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags credentials written as literals in `.tf` and `.tfvars` files: values with the shape
    /// of a known credential anywhere, and literal values given to secret-named arguments,
    /// variables and variable defaults (`password`, `token`, `secret_key`, …). The finding shows
    /// only a redacted form.
    ///
    /// ## Why is this bad?
    /// The repository keeps the secret forever (history survives deletion), and Terraform also
    /// copies it into state and plan output.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   password = "Sup3rS3cretPassw0rd"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   manage_master_user_password = true
    /// }
    /// ```
    pub struct TerraformSecretLiteral {
        id: "TF007",
        name: "terraform-secret-literal",
        severity: Error,
        domain: Terraform,
        summary: "A credential is written as a literal in a `.tf` or `.tfvars` file",
        help: "read it from a secret store (a data source, a sensitive variable set by CI) and rotate the exposed one",
    }
}

impl Rule for TerraformSecretLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_terraform_module(&self, module: &Module<'_>, out: &mut [Sink]) {
        for (file, sink) in module.files.iter().zip(out.iter_mut()) {
            let mut report = |name: &str, expr: &plimsoll_syntax::hcl::Expr| {
                let Some(value) = expr.as_str() else {
                    return;
                };
                let message = if let Some(kind) = token_kind(value) {
                    format!("literal {kind} in `{name}`: `{}`", redact(value.trim()))
                } else if is_secret_key(name) && looks_like_secret_literal(value) {
                    format!(
                        "`{name}` is assigned a literal secret: `{}`",
                        redact(value.trim())
                    )
                } else {
                    return;
                };
                sink.report(&Self::META, expr.span, message);
            };
            super::walk_values(&file.body, &mut |name, _, expr| report(name, expr));
            // A secret-named variable's default is the secret itself.
            for variable in file.body.blocks_of("variable") {
                let (Some(name), Some(default)) =
                    (variable.label(0), variable.body.attribute("default"))
                else {
                    continue;
                };
                if default
                    .value
                    .as_str()
                    .is_some_and(|v| token_kind(v).is_none())
                {
                    report(name, &default.value);
                }
            }
        }
    }
}
