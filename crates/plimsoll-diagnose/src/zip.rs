//! A small reader for run-log archives: the central directory of a zip, and each entry as a
//! stream (stored or deflated), bounded so that a hostile archive cannot make us inflate
//! without end.
//!
//! GitHub's logs zip is plain PKZIP: deflate or stored entries, UTF-8 names, no encryption.
//! This reads exactly that (ZIP64 size fields included) and says clearly what it does not
//! read, rather than pulling in a general zip library for one read-only layout.

use std::io::{self, Read, Seek, SeekFrom};

use flate2::read::DeflateDecoder;

/// Largest entry inflated, in bytes: well above real job logs (GitHub caps a step's log at
/// 64 MB of output), far below what would tie the machine up.
pub const MAX_ENTRY_BYTES: u64 = 1 << 30;
/// Largest total of all entries' declared sizes.
pub const MAX_ARCHIVE_BYTES: u64 = 2 << 30;
/// Most entries listed.
const MAX_ENTRIES: usize = 100_000;
/// Largest central directory read into memory.
const MAX_DIRECTORY_BYTES: u64 = 64 << 20;
/// End of central directory: fixed part, and the longest comment after it.
const EOCD_BYTES: usize = 22;
const MAX_COMMENT: usize = u16::MAX as usize;

const EOCD_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIGNATURE: u32 = 0x0606_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;

/// What is wrong with an archive, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    /// Reading the file failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The bytes are not a zip we can read.
    #[error("{0}")]
    Format(String),
}

/// One file of the archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its path inside the archive, `/`-separated.
    pub name: String,
    method: u16,
    crc: u32,
    compressed: u64,
    /// Its declared uncompressed size.
    pub size: u64,
    header_offset: u64,
}

impl Entry {
    /// Whether the entry is a folder.
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

fn format(message: impl Into<String>) -> ZipError {
    ZipError::Format(message.into())
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn truncated() -> ZipError {
    format("the central directory is truncated")
}

/// Where the central directory is and how many entries it lists.
struct Directory {
    offset: u64,
    size: u64,
    entries: u64,
}

fn find_directory<R: Read + Seek>(reader: &mut R) -> Result<Directory, ZipError> {
    let length = reader.seek(SeekFrom::End(0))?;
    let tail_length = length.min((EOCD_BYTES + MAX_COMMENT) as u64);
    let tail_start = length - tail_length;
    reader.seek(SeekFrom::Start(tail_start))?;
    let mut tail = vec![0u8; tail_length as usize];
    reader.read_exact(&mut tail)?;
    let at = (0..tail.len().saturating_sub(EOCD_BYTES - 1))
        .rev()
        .find(|&at| u32_at(&tail, at) == Some(EOCD_SIGNATURE))
        .ok_or_else(|| {
            format("no end-of-central-directory record (a truncated download or not a zip)")
        })?;
    let eocd = &tail[at..];
    let mut directory = Directory {
        entries: u64::from(u16_at(eocd, 10).ok_or_else(truncated)?),
        size: u64::from(u32_at(eocd, 12).ok_or_else(truncated)?),
        offset: u64::from(u32_at(eocd, 16).ok_or_else(truncated)?),
    };
    let eocd_offset = tail_start + at as u64;
    // ZIP64: a locator right before the record points at the 64-bit record.
    if eocd_offset >= 20 {
        reader.seek(SeekFrom::Start(eocd_offset - 20))?;
        let mut locator = [0u8; 20];
        reader.read_exact(&mut locator)?;
        if u32_at(&locator, 0) == Some(ZIP64_LOCATOR_SIGNATURE) {
            let record_offset = u64_at(&locator, 8).ok_or_else(truncated)?;
            reader.seek(SeekFrom::Start(record_offset))?;
            let mut record = [0u8; 56];
            reader.read_exact(&mut record)?;
            if u32_at(&record, 0) != Some(ZIP64_EOCD_SIGNATURE) {
                return Err(format(
                    "the ZIP64 end-of-central-directory record is missing",
                ));
            }
            directory = Directory {
                entries: u64_at(&record, 32).ok_or_else(truncated)?,
                size: u64_at(&record, 40).ok_or_else(truncated)?,
                offset: u64_at(&record, 48).ok_or_else(truncated)?,
            };
        }
    }
    if directory.size > MAX_DIRECTORY_BYTES || directory.entries > MAX_ENTRIES as u64 {
        return Err(format(format!(
            "the archive lists {} entries in a {}-byte directory: more than a run-log archive holds",
            directory.entries, directory.size
        )));
    }
    if directory.offset.saturating_add(directory.size) > length {
        return Err(format(
            "the central directory lies beyond the end of the file (a truncated download?)",
        ));
    }
    Ok(directory)
}

/// List the entries of a zip, refusing archives whose declared sizes exceed the bounds.
pub fn entries<R: Read + Seek>(reader: &mut R) -> Result<Vec<Entry>, ZipError> {
    let directory = find_directory(reader)?;
    reader.seek(SeekFrom::Start(directory.offset))?;
    let mut bytes = vec![0u8; directory.size as usize];
    reader.read_exact(&mut bytes)?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    let mut total = 0u64;
    while at < bytes.len() && entries.len() < directory.entries as usize {
        if u32_at(&bytes, at) != Some(CENTRAL_SIGNATURE) {
            return Err(format(
                "the central directory is corrupt (bad entry signature)",
            ));
        }
        let header = bytes.get(at..at + 46).ok_or_else(truncated)?;
        let flags = u16_at(header, 8).ok_or_else(truncated)?;
        let method = u16_at(header, 10).ok_or_else(truncated)?;
        let crc = u32_at(header, 16).ok_or_else(truncated)?;
        let mut compressed = u64::from(u32_at(header, 20).ok_or_else(truncated)?);
        let mut size = u64::from(u32_at(header, 24).ok_or_else(truncated)?);
        let name_length = usize::from(u16_at(header, 28).ok_or_else(truncated)?);
        let extra_length = usize::from(u16_at(header, 30).ok_or_else(truncated)?);
        let comment_length = usize::from(u16_at(header, 32).ok_or_else(truncated)?);
        let mut header_offset = u64::from(u32_at(header, 42).ok_or_else(truncated)?);
        let name_start = at + 46;
        let name = bytes
            .get(name_start..name_start + name_length)
            .ok_or_else(truncated)?;
        let name = String::from_utf8_lossy(name).replace('\\', "/");
        let extra_start = name_start + name_length;
        let extra = bytes
            .get(extra_start..extra_start + extra_length)
            .ok_or_else(truncated)?;
        read_zip64_extra(extra, &mut size, &mut compressed, &mut header_offset);
        at = extra_start + extra_length + comment_length;
        if flags & 1 != 0 {
            return Err(format(format!(
                "`{name}` is encrypted; run-log archives are not"
            )));
        }
        if size > MAX_ENTRY_BYTES {
            return Err(format(format!(
                "`{name}` would inflate to {size} bytes, more than the {MAX_ENTRY_BYTES}-byte \
                 limit for one log (a zip bomb, or not a run-log archive)"
            )));
        }
        total = total.saturating_add(size);
        if total > MAX_ARCHIVE_BYTES {
            return Err(format(format!(
                "the entries would inflate to more than {MAX_ARCHIVE_BYTES} bytes in all \
                 (a zip bomb, or not a run-log archive)"
            )));
        }
        entries.push(Entry {
            name,
            method,
            crc,
            compressed,
            size,
            header_offset,
        });
    }
    Ok(entries)
}

/// Replace the 32-bit fields that overflowed (`0xFFFFFFFF`) with the ZIP64 extra field's values,
/// which come in this order and only for the fields that overflowed.
fn read_zip64_extra(extra: &[u8], size: &mut u64, compressed: &mut u64, offset: &mut u64) {
    let mut at = 0;
    while let (Some(id), Some(length)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let data = extra
            .get(at + 4..at + 4 + usize::from(length))
            .unwrap_or(&[]);
        if id == 0x0001 {
            let mut field = 0;
            for value in [size, compressed, offset] {
                if *value == u64::from(u32::MAX) {
                    if let Some(wide) = u64_at(data, field) {
                        *value = wide;
                    }
                    field += 8;
                }
            }
            return;
        }
        at += 4 + usize::from(length);
    }
}

/// A stream over one entry's inflated bytes, which fails (rather than runs on) when the entry
/// inflates beyond its declared size, and checks the CRC at the end.
pub fn open<R: Read + Seek + 'static>(
    mut reader: R,
    entry: &Entry,
) -> Result<Box<dyn Read>, ZipError> {
    reader.seek(SeekFrom::Start(entry.header_offset))?;
    let mut local = [0u8; 30];
    reader.read_exact(&mut local)?;
    if u32_at(&local, 0) != Some(LOCAL_SIGNATURE) {
        return Err(format(format!(
            "`{}`: no local header where the directory says (a corrupt archive)",
            entry.name
        )));
    }
    let name_length = u64::from(u16_at(&local, 26).unwrap_or(0));
    let extra_length = u64::from(u16_at(&local, 28).unwrap_or(0));
    reader.seek(SeekFrom::Current((name_length + extra_length) as i64))?;
    let data = reader.take(entry.compressed);
    let inner: Box<dyn Read> = match entry.method {
        0 => Box::new(data),
        8 => Box::new(DeflateDecoder::new(data)),
        other => {
            return Err(format(format!(
                "`{}` uses compression method {other}; only stored and deflate are read",
                entry.name
            )))
        }
    };
    Ok(Box::new(Bounded {
        inner,
        name: entry.name.clone(),
        declared: entry.size,
        read: 0,
        crc: flate2::Crc::new(),
        expected_crc: entry.crc,
    }))
}

/// Enforces the declared size and the CRC of an entry while it is read.
struct Bounded {
    inner: Box<dyn Read>,
    name: String,
    declared: u64,
    read: u64,
    crc: flate2::Crc,
    expected_crc: u32,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.declared {
            return Err(invalid(format!(
                "`{}` inflates beyond its declared {} bytes (a zip bomb or a corrupt archive)",
                self.name, self.declared
            )));
        }
        self.crc.update(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            if self.read < self.declared {
                return Err(invalid(format!(
                    "`{}` ends after {} of its {} bytes (a truncated archive)",
                    self.name, self.read, self.declared
                )));
            }
            if self.crc.sum() != self.expected_crc {
                return Err(invalid(format!(
                    "`{}` fails its CRC check (a corrupt archive)",
                    self.name
                )));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn junk_and_truncated_archives_are_refused_with_a_reason() {
        let err = entries(&mut Cursor::new(b"PK\x03\x04 not really".to_vec())).unwrap_err();
        assert!(
            err.to_string().contains("end-of-central-directory"),
            "{err}"
        );
        let mut eocd = vec![0u8; 22];
        eocd[..4].copy_from_slice(&EOCD_SIGNATURE.to_le_bytes());
        eocd[10..12].copy_from_slice(&3u16.to_le_bytes());
        eocd[12..16].copy_from_slice(&100u32.to_le_bytes());
        let err = entries(&mut Cursor::new(eocd)).unwrap_err();
        assert!(err.to_string().contains("beyond the end"), "{err}");
    }
}
