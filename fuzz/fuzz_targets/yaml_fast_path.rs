//! The YAML fast path against saphyr: wherever the fast path takes a text, its stream (tree,
//! spans, duplicate keys) must equal saphyr's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_syntax::{yaml, LineIndex};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = LineIndex::new(text);
    if let Some(fast) = yaml::parse_fast(text, &lines) {
        assert_eq!(fast, yaml::parse_with_saphyr(text, &lines), "{text:?}");
    }
});
