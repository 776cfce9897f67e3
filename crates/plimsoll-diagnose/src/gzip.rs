//! gzip-compressed logs, as CI archives store them (`job.log.gz`, `gh run view --log | gzip`).
//!
//! Detected by the format's magic bytes, not the file name, so a piped or renamed log is read
//! the same way. The stream is inflated as it is read (memory stays at the decoder's window),
//! and it stops with an error past [`MAX_INFLATED_BYTES`]: a gzip bomb of a few kilobytes that
//! inflates to terabytes would otherwise tie the machine up for hours.

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

/// The first two bytes of every gzip member (RFC 1952, section 2.3.1).
const MAGIC: &[u8] = &[0x1f, 0x8b];

/// Largest log inflated, in bytes: the same bound as one entry of a run-log zip.
pub const MAX_INFLATED_BYTES: u64 = crate::zip::MAX_ENTRY_BYTES;

/// Whether `head` starts a gzip stream.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// The inflated bytes of the gzip stream `compressed` (every member, as `gzip -d` does for
/// concatenated files), at most `limit` of them: reading past it is an `InvalidData` error.
pub fn inflate<R: Read>(compressed: R, limit: u64) -> impl Read {
    Capped {
        inner: MultiGzDecoder::new(io::BufReader::new(compressed)),
        limit,
        read: 0,
    }
}

/// A reader that fails once more than `limit` bytes have come out of it.
struct Capped<R> {
    inner: R,
    limit: u64,
    read: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for at most one byte past the limit, so the bomb is caught without inflating more.
        let room = self.limit.saturating_sub(self.read).saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the log inflates to more than the {}-byte limit (a gzip bomb, or not a log)",
                    self.limit
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn inflates_concatenated_members_and_stops_past_the_limit() {
        let mut two = gzip(b"first\n");
        two.extend(gzip(b"second\n"));
        assert!(is_gzip(&two));
        let mut text = String::new();
        inflate(two.as_slice(), 100)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "first\nsecond\n");

        let bomb = gzip(&vec![b'a'; 1 << 20]);
        assert!(bomb.len() < 2048, "{}", bomb.len());
        let mut sink = Vec::new();
        let err = inflate(bomb.as_slice(), 4096)
            .read_to_end(&mut sink)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("4096-byte limit"), "{err}");
        assert!(sink.len() <= 4097, "{}", sink.len());
    }

    #[test]
    fn a_truncated_stream_is_an_error_not_a_short_log() {
        let whole = gzip(b"line one\nline two\n");
        let cut = &whole[..whole.len() - 6];
        let mut sink = Vec::new();
        assert!(inflate(cut, 1000).read_to_end(&mut sink).is_err());
    }
}
