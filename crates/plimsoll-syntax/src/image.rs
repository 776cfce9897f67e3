//! Container image references (`registry/name:tag@sha256:…`).

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Everything before the tag and digest (`ghcr.io/org/app`).
    pub name: &'a str,
    /// The tag, if written.
    pub tag: Option<&'a str>,
    /// The digest, if written (`sha256:…`).
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Split `reference` into name, tag and digest. A registry port (`host:5000/app`) is not a tag.
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let reference = reference.trim();
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (reference, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        match rest[last_slash..].rfind(':') {
            Some(colon) => ImageRef {
                name: &rest[..last_slash + colon],
                tag: Some(&rest[last_slash + colon + 1..]),
                digest,
            },
            None => ImageRef {
                name: rest,
                tag: None,
                digest,
            },
        }
    }

    /// Whether the reference moves: no digest and either no tag or the `latest` tag.
    pub fn is_floating(&self) -> bool {
        self.digest.is_none() && matches!(self.tag, None | Some("latest"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_digests_and_ports() {
        let r = ImageRef::parse("localhost:5000/app:1.2@sha256:abc");
        assert_eq!(
            (r.name, r.tag, r.digest),
            ("localhost:5000/app", Some("1.2"), Some("sha256:abc"))
        );
        assert!(ImageRef::parse("postgres").is_floating());
        assert!(ImageRef::parse("postgres:latest").is_floating());
        assert!(!ImageRef::parse("postgres:16").is_floating());
        assert!(!ImageRef::parse("postgres@sha256:abc").is_floating());
    }
}
