//! The secret scanner on arbitrary text: no panic, matches in bounds and on char boundaries,
//! redaction never showing more than a quarter of the secret; scrubbing and log redaction do not
//! panic (they cut text only on char boundaries).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_secrets::{redact, scanner, shown_prefix_len, token_kind, Scrubber};

fuzz_target!(|data: &str| {
    for found in scanner().scan(data) {
        let secret = data
            .get(found.span.start..found.span.end)
            .expect("a match is a slice of the text");
        assert!(shown_prefix_len(secret) * 4 <= secret.chars().count());
        let _ = redact(secret);
        let _ = Scrubber::new([secret]).scrub(data);
    }
    let mut line = data.to_string();
    plimsoll_secrets::log::LogRedactor::new().redact_line(&mut line, false);
    let _ = token_kind(data);
});

