//! `docs/rules.md` is generated from the rules' doc comments and must not go stale.

use std::path::PathBuf;

#[test]
fn rules_reference_is_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let expected = plimsoll_check::reference::rules_markdown();
    if std::env::var_os("PLIMSOLL_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run `PLIMSOLL_UPDATE_DOCS=1 cargo test -p plimsoll-check --test docs`"
    );
}
