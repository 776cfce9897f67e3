//! Paths as reports write them.

use std::path::{Component, Path};

/// `path` with `/` between components, without a leading `./`, on every platform.
///
/// Components are joined from [`Path::components`], so a backslash inside a Unix file name is
/// kept while Windows separators become `/`. Non-UTF-8 bytes are replaced (lossy). An empty
/// result (the path `.`) is written `.`.
pub(crate) fn display_path(path: &Path) -> String {
    if let Some(text) = already_displayed(path) {
        return text.to_string();
    }
    let mut out = String::new();
    let mut needs_separator = false;
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => {
                out.push_str(&prefix.as_os_str().to_string_lossy().replace('\\', "/"));
                needs_separator = false;
            }
            Component::RootDir => {
                if !out.ends_with('/') {
                    out.push('/');
                }
                needs_separator = false;
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if needs_separator {
                    out.push('/');
                }
                out.push_str("..");
                needs_separator = true;
            }
            Component::Normal(name) => {
                if needs_separator {
                    out.push('/');
                }
                out.push_str(&name.to_string_lossy());
                needs_separator = true;
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// `path`'s text when joining its components would give it back unchanged: a Unix path in
/// UTF-8 with no empty or `.` component and no trailing `/`, as discovery writes most of them.
/// Walking the components of each finding's path was a third of the JSON report's formatting.
fn already_displayed(path: &Path) -> Option<&str> {
    if !cfg!(unix) {
        return None;
    }
    let text = path.to_str()?;
    let bytes = text.as_bytes();
    let unchanged = !bytes.is_empty()
        && !text.starts_with("./")
        && text != "."
        && (text == "/" || !text.ends_with('/'))
        && !text.ends_with("/.")
        && !text.contains("//")
        && !text.contains("/./");
    unchanged.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_use_forward_slashes_without_leading_dot() {
        assert_eq!(
            display_path(Path::new("./.github/workflows/ci.yml")),
            ".github/workflows/ci.yml"
        );
        assert_eq!(display_path(Path::new("a/./b/../c.yml")), "a/b/../c.yml");
        assert_eq!(display_path(Path::new("/abs/x.yml")), "/abs/x.yml");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("../up.yml")), "../up.yml");
    }

    /// The shortcut for paths that need no change gives what joining the components gives.
    #[test]
    fn paths_written_as_displayed_are_kept_and_others_are_joined() {
        let cases = [
            ("a/b.yml", "a/b.yml"),
            ("/", "/"),
            ("//", "/"),
            ("/a//b/", "/a/b"),
            ("a/.", "a"),
            ("a/./.", "a"),
            (".", "."),
            ("./", "."),
            ("./a", "a"),
            (".a/..b/c.", ".a/..b/c."),
            ("a\\b", "a\\b"),
            ("", "."),
        ];
        for (path, displayed) in cases {
            assert_eq!(display_path(Path::new(path)), displayed, "{path:?}");
            if let Some(kept) = already_displayed(Path::new(path)) {
                assert_eq!(kept, displayed, "{path:?}");
            }
        }
    }
}
