//! The secret scanner on arbitrary text: no panic, matches in bounds and on char boundaries,
//! redaction never longer than a quarter of the secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_check::secrets::{redact, scanner, shown_prefix_len, token_kind};

fuzz_target!(|data: &str| {
    for found in scanner().scan(data) {
        let secret = data
            .get(found.span.start..found.span.end)
            .expect("a match is a slice of the text");
        assert!(shown_prefix_len(secret) * 4 <= secret.chars().count());
        let _ = redact(secret);
    }
    let _ = token_kind(data);
});
