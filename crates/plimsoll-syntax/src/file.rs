//! Reading a file plimsoll was pointed at, which may be hostile: only a regular file is read,
//! and never more than a size limit.
//!
//! A FIFO would block the reader until a writer comes (forever, in CI), a device can be endless
//! (`/dev/zero`, `/dev/urandom`) or act when opened, and a file can grow while it is read. So
//! the path's type is checked before it is opened; it is opened without blocking (a FIFO
//! swapped in after the check cannot hold the open) and not as a controlling terminal, the
//! opened file's type is checked again, its size is compared with the limit before reading, and
//! the read stops one byte past the limit whatever the size said.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The default limit on the size of a file read: `plimsoll check`'s `max-file-size`, and the
/// fixed limit of `guard` and `diagnose --workflow`. A CI file is far smaller; a hostile one
/// must not make a run slow or large.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// plimsoll's folder in the user's cache folder: `$XDG_CACHE_HOME/plimsoll` (when absolute, as
/// the XDG specification requires), else `~/.cache/plimsoll`; `None` when neither variable is
/// set. `env` reads an environment variable.
pub fn cache_folder(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let cache = env("XDG_CACHE_HOME")
        .filter(|dir| Path::new(dir).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            env("HOME")
                .filter(|home| !home.is_empty())
                .map(|home| Path::new(&home).join(".cache"))
        })?;
    Some(cache.join("plimsoll"))
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening, inspecting or reading it failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// It is a folder, a FIFO, a device or a socket.
    #[error("not a regular file (a {0})")]
    NotRegular(&'static str),
    /// It is over the size limit.
    #[error("file is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Its size, or the limit plus one when it grew while read.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// Open `path` (following symbolic links) for reading only when it is a regular file; returns
/// the file and its size.
pub fn open_regular(path: &Path) -> Result<(File, u64), ReadError> {
    regular(&std::fs::metadata(path)?)?;
    open_found_regular(path)
}

/// Open `path`, which a `stat` of the same run has just found to be a regular file (a file
/// named on the command line), without looking its path up a second time; the opened file's
/// type is still checked, as [`open_regular`] does. A path walk per file was ~2% of a run over
/// thousands of named files.
pub fn open_found_regular(path: &Path) -> Result<(File, u64), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let size = regular(&file.metadata()?)?;
    Ok((file, size))
}

/// The whole of the regular file at `path`, when it holds at most `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_opened(open_regular(path)?, limit)
}

/// [`read_regular`] of a path a `stat` of the same run has just found to be a regular file
/// (see [`open_found_regular`]).
pub fn read_found_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_opened(open_found_regular(path)?, limit)
}

/// The bytes of an opened regular file of `size` bytes, when it holds at most `limit`.
fn read_opened((file, size): (File, u64), limit: u64) -> Result<Vec<u8>, ReadError> {
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let mut bytes = Vec::new();
    // One byte past the size, so the read that finds the end has room: with exactly the size
    // reserved, that read grows the buffer and copies the whole file once more.
    bytes
        .try_reserve_exact(usize::try_from(size.saturating_add(1)).unwrap_or(0))
        .map_err(|err| ReadError::Io(std::io::Error::other(err)))?;
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: limit.saturating_add(1),
            limit,
        });
    }
    Ok(bytes)
}

/// The bytes of the regular file at `path`, at most `limit` plus one: a result longer than
/// `limit` means the file is larger, and nothing past that was read (a hostile file of gigabytes
/// costs a few megabytes at most). For callers that report an over-size file themselves.
pub fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let (file, _) = open_regular(path).map_err(|err| match err {
        ReadError::Io(err) => err,
        other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other),
    })?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The size of a regular file, or what else it is.
pub fn regular(meta: &Metadata) -> Result<u64, ReadError> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(meta.len());
    }
    if kind.is_dir() {
        return Err(ReadError::NotRegular("folder"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Err(ReadError::NotRegular("FIFO"));
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Err(ReadError::NotRegular("device"));
        }
        if kind.is_socket() {
            return Err(ReadError::NotRegular("socket"));
        }
    }
    Err(ReadError::NotRegular("special file"))
}

/// The text of UTF-16 bytes that start with a byte-order mark (little- or big-endian, as
/// Windows tools write `.ps1`, `.reg` and `.config` files), without the mark; `None` for any
/// other bytes. Unpaired surrogates become U+FFFD and an odd last byte is dropped.
pub fn decode_utf16_with_bom(bytes: &[u8]) -> Option<String> {
    let (little, rest) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => return None,
    };
    let units = rest.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = std::env::temp_dir().join(format!("plimsoll-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.txt");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_regular(&file, 5).unwrap(), b"12345");
        assert!(matches!(
            read_regular(&file, 4),
            Err(ReadError::TooLarge { size: 5, limit: 4 })
        ));
        assert!(matches!(
            read_regular(&dir, 10),
            Err(ReadError::NotRegular("folder"))
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular("device"))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn utf16_with_a_bom_is_text() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("key=é\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("key=é\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_utf16_with_bom(&le).as_deref(), Some("key=é\n"));
        assert_eq!(decode_utf16_with_bom(&be).as_deref(), Some("key=é\n"));
        assert_eq!(decode_utf16_with_bom(b"key=1"), None);
    }
}
