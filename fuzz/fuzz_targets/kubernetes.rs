//! The Kubernetes object model over arbitrary YAML: no panic in objects, pod specs, containers,
//! facts and selectors; spans in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_check::kubernetes::{Object, ObjectFacts};
use plimsoll_syntax::{yaml, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = SourceFile::from_bytes("fuzz.yaml", data.to_vec()) else {
        return;
    };
    let stream = yaml::parse(source.text(), source.lines());
    for document in &stream.documents {
        let mut objects: Vec<Object<'_>> = Object::new(&document.root).into_iter().collect();
        if let Some(items) = objects.first().and_then(|o| o.list_items()) {
            objects.extend(items.iter().filter_map(Object::new));
        }
        for object in objects {
            assert!(object.kind_span().end <= source.text().len());
            let facts = ObjectFacts::of(&object, "fuzz.yaml".into());
            if let Some(selector) = &facts.selector {
                let _ = selector.matches(&facts.pod_labels);
            }
            if let Some(pod) = object.pod_spec() {
                for container in pod.containers() {
                    assert!(container.anchor().end <= source.text().len());
                    assert!(container.security_anchor().end <= source.text().len());
                    let _ = container.effective_security("runAsNonRoot");
                    let _ = container.describe();
                }
            }
        }
    }
});
