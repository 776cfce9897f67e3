//! Paths as reports write them.

use std::path::{Component, Path};

/// `path` with `/` between components, without a leading `./`, on every platform.
///
/// Components are joined from [`Path::components`], so a backslash inside a Unix file name is
/// kept while Windows separators become `/`. Non-UTF-8 bytes are replaced (lossy). An empty
/// result (the path `.`) is written `.`.
pub(crate) fn display_path(path: &Path) -> String {
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
}
