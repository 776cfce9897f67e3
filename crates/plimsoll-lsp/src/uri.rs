//! `file:` URIs as editors send them, to paths and back.

use std::path::{Path, PathBuf};

/// The local path a `file:` URI names, or `None` for another scheme (`untitled:`, `git:`) or a
/// URI with a remote host.
pub fn to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri
        .strip_prefix("file://")
        .or_else(|| uri.strip_prefix("FILE://"))?;
    // `file:///path` or `file://localhost/path`: no other host is this machine.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(slash) if rest[..slash].eq_ignore_ascii_case("localhost") => &rest[slash..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `/C:/x` on Windows is `C:/x`.
    #[cfg(windows)]
    let decoded = match decoded.get(1..3) {
        Some(drive) if drive.ends_with(':') => decoded[1..].to_string(),
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute `path`, with the characters a URI path cannot hold
/// percent-encoded.
pub fn from_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~:@!$&'()*+,;=".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// `text` with its `%XX` escapes decoded; `None` when they do not decode to UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_decode_to_paths_and_back() {
        let path = Path::new("/work/my repo/.github/workflows/déploiement.yml");
        let uri = from_path(path);
        assert_eq!(
            uri,
            "file:///work/my%20repo/.github/workflows/d%C3%A9ploiement.yml"
        );
        assert_eq!(to_path(&uri).as_deref(), Some(path));
        assert_eq!(
            to_path("file://localhost/a/b.yml").as_deref(),
            Some(Path::new("/a/b.yml"))
        );
    }

    #[test]
    fn other_schemes_hosts_and_bad_escapes_are_no_path() {
        assert_eq!(to_path("untitled:Untitled-1"), None);
        assert_eq!(to_path("file://server/share/a.yml"), None);
        assert_eq!(to_path("file:///a%zz"), None);
        assert_eq!(to_path("file:///a%ff"), None);
        assert_eq!(to_path("file:///a%"), None);
    }
}
