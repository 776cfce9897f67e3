//! The shell lexer on arbitrary text: no panic, word spans on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_syntax::{expr, shell};

fuzz_target!(|data: &str| {
    let masked = expr::mask(data);
    assert_eq!(masked.len(), data.len());
    for command in shell::parse(&masked) {
        for word in &command.words {
            assert!(masked.is_char_boundary(word.span.start) && masked.is_char_boundary(word.span.end));
        }
        let _ = command.program();
    }
});
