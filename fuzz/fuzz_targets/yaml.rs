//! The YAML reader and the workflow model on arbitrary bytes: no panic, spans in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_syntax::{yaml, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = SourceFile::from_bytes("fuzz.yml", data.to_vec()) else {
        return;
    };
    let stream = yaml::parse(source.text(), source.lines());
    for document in &stream.documents {
        assert!(document.root.span.end <= source.text().len());
        if let Some(workflow) = plimsoll_actions::Workflow::new(&document.root) {
            for job in workflow.jobs() {
                for step in job.steps() {
                    let _ = step.label();
                    let _ = step.uses();
                }
                let _ = job.needs();
            }
            let _ = workflow.triggers();
        }
    }
    if let Some(error) = stream.error {
        let _ = source.line_col(error.offset);
    }
});
