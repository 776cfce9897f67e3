//! The `${{ }}` finder and expression parser on arbitrary text: no panic, spans in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_syntax::expr;

fuzz_target!(|data: &str| {
    for occurrence in expr::find(data) {
        assert!(occurrence.span.end <= data.len());
    }
    match expr::analyze(data) {
        Ok(analysis) => {
            for path in analysis.paths {
                assert!(path.span.end <= data.len());
            }
        }
        Err(error) => assert!(error.span.end <= data.len()),
    }
});
