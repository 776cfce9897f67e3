use crate::declare_rule;
use crate::finding::{RuleMeta, Severity, Sink};
use crate::rule::Rule;
use crate::rules::DEMO_PASSWORD;
use crate::secrets::{config_secret, is_secret_key, redact, token_kind, ConfigSecret};
use crate::terraform::Module;

declare_rule! {
    /// ## What it does
    /// Flags credentials written as literals in `.tf` and `.tfvars` files: values with the shape
    /// of a known credential anywhere, and literal values given to secret-named arguments,
    /// variables and variable defaults (`password`, `token`, `secret_key`, …). The finding shows
    /// only a redacted form.
    /// A literal that reads like a demo or default password (`MyStr0ngPassw0rd`, `postgres`)
    /// is reported too, at warning level, saying so: committed, it is a password all the same.
    /// Only what cannot be a password stays silent: placeholders (`changeme`, `<token>`,
    /// `xxxx`), empty values, `${VAR}` and `$(…)`, references to a secret store or another
    /// value, paths and file names.
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
                let (message, demo) = if let Some(kind) = token_kind(value) {
                    let message = format!("literal {kind} in `{name}`: `{}`", redact(value.trim()));
                    (message, false)
                } else if let (true, Some(secret)) = (is_secret_key(name), config_secret(value)) {
                    let demo = secret == ConfigSecret::Demo;
                    let message = format!(
                        "`{name}` is assigned a literal {}: `{}`",
                        if demo { DEMO_PASSWORD } else { "secret" },
                        redact(value.trim())
                    );
                    (message, demo)
                } else {
                    return;
                };
                let diagnostic = sink.report(&Self::META, expr.span, message);
                if demo {
                    diagnostic.severity(Severity::Warning);
                }
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
