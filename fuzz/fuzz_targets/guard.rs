//! The guard comparison on two arbitrary versions of a workflow (split at the first NUL byte
//! after a selector byte whose low bits make the old, the new or both versions too large to
//! read, as a file over the size limit is): no panic, every location inside the file it names,
//! every format renders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_guard::{
    compare, content_of, render, CodeChange, FileContent, Snapshot, SnapshotFile,
};

fn snapshot(text: &str, too_large: bool) -> Snapshot {
    let mut snapshot = Snapshot {
        label: "fuzz".into(),
        has_github_dir: true,
        ..Snapshot::default()
    };
    snapshot.files.insert(
        ".github/workflows/ci.yml".into(),
        SnapshotFile {
            display: ".github/workflows/ci.yml".into(),
            content: if too_large {
                FileContent::TooLarge
            } else {
                content_of(text.as_bytes().to_vec())
            },
        },
    );
    snapshot
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    let (old, new) = text.split_once('\0').unwrap_or((&text, ""));
    let code = [CodeChange {
        path: "src/lib.rs".into(),
        before: Some(old.to_string()),
        after: Some(new.to_string()),
    }];
    let report = compare(
        &snapshot(old, selector & 1 == 1),
        &snapshot(new, selector & 2 == 2),
        &code,
    );
    for change in &report.changes {
        for location in change.before.iter().chain(change.after.iter()) {
            assert!(location.line >= 1 && location.end_line >= location.line);
        }
    }
    let _ = render::human(&report);
    let _ = render::github(&report);
    let _ = render::json(&report, "0");
    let _ = render::sarif(&report, "0");
});
