//! Terraform rules: section 4 of the standards.

mod hardcoded_infra_value;
mod local_state;
mod missing_required_tags;
mod shared_state;
mod terraform_secret_literal;
mod undocumented_variable;
mod unpinned_module;
mod unpinned_provider;

pub use hardcoded_infra_value::HardcodedInfraValue;
pub use local_state::LocalState;
pub use missing_required_tags::MissingRequiredTags;
pub use shared_state::SharedState;
pub use terraform_secret_literal::TerraformSecretLiteral;
pub use undocumented_variable::UndocumentedVariable;
pub use unpinned_module::UnpinnedModule;
pub use unpinned_provider::UnpinnedProvider;

use plimsoll_syntax::hcl::{Block, Body, Expr, ExprKind};
use plimsoll_syntax::Span;

/// Span of a block's type and labels (`resource "aws_s3_bucket" "logs"`).
pub(crate) fn header(block: &Block) -> Span {
    block
        .labels
        .last()
        .map_or(block.ident_span, |l| block.ident_span.cover(l.span))
}

/// `type.name` of a resource block for messages.
pub(crate) fn address(block: &Block) -> String {
    block
        .labels
        .iter()
        .map(|l| l.value.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// Every `name = value` in `body`, nested blocks and object literals included, with the name
/// the value is assigned to.
pub(crate) fn walk_values<'a>(body: &'a Body, visit: &mut dyn FnMut(&'a str, Span, &'a Expr)) {
    for attribute in body.attributes() {
        walk_expr(
            &attribute.name,
            attribute.name_span,
            &attribute.value,
            visit,
        );
    }
    for block in body.blocks() {
        walk_values(&block.body, visit);
    }
}

fn walk_expr<'a>(
    name: &'a str,
    name_span: Span,
    expr: &'a Expr,
    visit: &mut dyn FnMut(&'a str, Span, &'a Expr),
) {
    visit(name, name_span, expr);
    match &expr.kind {
        ExprKind::Object(items) => {
            for item in items {
                if let Some(key) = item.name() {
                    walk_expr(key, item.key.span, &item.value, visit);
                }
            }
        }
        ExprKind::Tuple(items) => {
            for item in items {
                walk_expr(name, name_span, item, visit);
            }
        }
        _ => {}
    }
}
