//! The Dockerfile parser on arbitrary text: no panic, every span inside the text on char
//! boundaries, RUN scripts mapped back inside the file, `.dockerignore` matching total.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_syntax::dockerfile;
use plimsoll_syntax::dockerignore::DockerIgnore;
use plimsoll_syntax::{shell, Span};

fn check(text: &str, span: Span) {
    assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
}

fuzz_target!(|data: &str| {
    let file = dockerfile::parse(data);
    for instruction in file.all_instructions() {
        check(data, instruction.span);
        check(data, instruction.keyword_span);
        for word in instruction.words() {
            check(data, word.span);
        }
        for (key, value) in instruction.key_values() {
            check(data, key.span);
            if let Some(value) = value {
                check(data, value.span);
            }
        }
        if let Some(script) = instruction.script() {
            for command in shell::parse(&script.text) {
                for word in &command.words {
                    check(data, script.file_span(word.span));
                }
            }
        }
    }
    for stage in file.stages() {
        let _ = stage.image();
        let _ = stage.name();
    }
    let _ = dockerfile::substitute(data, &file.global_args());
    let ignore = DockerIgnore::parse(data);
    let _ = ignore.excludes(".git");
    let _ = ignore.excludes(data.lines().next().unwrap_or(""));
});
