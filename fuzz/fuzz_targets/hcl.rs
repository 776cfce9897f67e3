//! The HCL reader on arbitrary text: no panic, every span in bounds and on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_syntax::hcl::{self, Body, Expr, ExprKind};
use plimsoll_syntax::Span;

fn check_span(text: &str, span: Span) {
    assert!(span.start <= span.end && span.end <= text.len());
    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
}

fn check_expr(text: &str, expr: &Expr) {
    check_span(text, expr.span);
    match &expr.kind {
        ExprKind::Tuple(items) => items.iter().for_each(|e| check_expr(text, e)),
        ExprKind::Object(items) => {
            for item in items {
                check_expr(text, &item.key);
                check_expr(text, &item.value);
            }
        }
        _ => {}
    }
}

fn check_body(text: &str, body: &Body) {
    for attribute in body.attributes() {
        check_span(text, attribute.name_span);
        check_expr(text, &attribute.value);
    }
    for block in body.blocks() {
        check_span(text, block.span);
        check_span(text, block.ident_span);
        block.labels.iter().for_each(|l| check_span(text, l.span));
        check_body(text, &block.body);
    }
}

fuzz_target!(|text: &str| {
    match hcl::parse(text) {
        Ok(body) => check_body(text, &body),
        Err(error) => assert!(error.offset <= text.len()),
    }
});
