//! Writing output: to stdout, or to a file (atomically when it is a regular one: a temporary file
//! in the same folder, then a rename).

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

/// Write `text` to `path` (see [`write_file_with`]), or to stdout when there is no path.
pub fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    emit_with(path, |out| Ok(out.write_all(text.as_bytes())?))
}

/// Stream what `write` writes to `path` (see [`write_file_with`]), or to stdout when there is no
/// path, through a buffer: a large report never has to be held in memory whole.
///
/// A closed pipe on stdout (`plimsoll check | head`) is not an error worth a message.
pub fn emit_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match path {
        Some(path) => write_file_with(path, write),
        None => write_stream(Stream::Out, write),
    }
}

/// One of the process's own output streams.
#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// The stream `path` names (`/dev/stdout`, `/dev/fd/2`, `/proc/self/fd/1`…). It is written
/// through the open stream: opening the path again would start a redirected regular file at
/// offset 0 (overwriting what `>> log` appends to), and renaming over it would replace the
/// `/dev/stdout` link itself.
fn standard_stream(path: &Path) -> Option<Stream> {
    let name = path.to_str()?;
    let fd = name
        .strip_prefix("/dev/fd/")
        .or_else(|| name.strip_prefix("/proc/self/fd/"));
    match (name, fd) {
        ("/dev/stdout", _) | (_, Some("1")) => Some(Stream::Out),
        ("/dev/stderr", _) | (_, Some("2")) => Some(Stream::Err),
        _ => None,
    }
}

/// Write to standard output or error through a buffer.
fn write_stream(
    stream: Stream,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (out, name): (Box<dyn Write>, &str) = match stream {
        Stream::Out => (Box::new(std::io::stdout().lock()), "standard output"),
        Stream::Err => (Box::new(std::io::stderr().lock()), "standard error"),
    };
    let mut out = BufWriter::new(out);
    let written = write(&mut out).and_then(|()| Ok(out.flush()?));
    match written {
        Err(err) if is_broken_pipe(&err) => Ok(()),
        other => other.with_context(|| format!("cannot write to {name}")),
    }
}

/// Write `bytes` to `path` as [`write_file_with`] does.
pub fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_file_with(path, |out| Ok(out.write_all(bytes)?))
}

/// Write what `write` writes to `path`.
///
/// A regular file (or a new one) is replaced atomically: the text goes to a temporary file in
/// the same folder, which is synced, then renamed over it, so readers see the old or the new
/// file, never half of one. A symbolic link is replaced by the file, never followed: the path
/// often lies in a checkout a stranger controls, whose committed link could point at
/// `/root/.ssh/authorized_keys` or a disk's device node. The process's own streams
/// (`/dev/stdout`) are written through; anything else that exists and is not a regular file
/// (`/dev/null`, a FIFO) is written directly, since renaming over it would replace a device
/// node or a pipe with a regular file.
fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if let Some(stream) = standard_stream(path) {
        return write_stream(stream, write);
    }
    if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) {
        return replace(path, None, write).with_context(|| {
            format!(
                "cannot write {} (replacing the symbolic link)",
                path.display()
            )
        });
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            anyhow::bail!("cannot write {}: it is a folder", path.display())
        }
        Ok(meta) if meta.is_file() => replace(path, Some(meta.permissions()), write)
            .with_context(|| format!("cannot write {}", path.display())),
        Ok(_) => write_through(path, write),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            replace(path, None, write).with_context(|| format!("cannot write {}", path.display()))
        }
        Err(err) => Err(err).with_context(|| format!("cannot write {}", path.display())),
    }
}

/// Write a temporary file beside `path` and rename it over `path`. It takes `permissions` (the
/// replaced file's), or those a new file gets from the umask.
fn replace(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    // tempfile's default is 0600; a report is created like any other file, under the umask.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    if let Some(permissions) = permissions {
        temp.as_file()
            .set_permissions(permissions)
            .context("cannot set the permissions of the temporary file")?;
    }
    let mut buffered = BufWriter::new(temp.as_file_mut());
    write(&mut buffered).and_then(|()| Ok(buffered.flush()?))?;
    drop(buffered);
    temp.as_file().sync_all()?;
    temp.persist(path)
        .map_err(|e| e.error)
        .context("cannot rename the temporary file over it")?;
    Ok(())
}

/// Write to an existing file that is not a regular one (a device, a FIFO, a terminal) in place;
/// every write error, `/dev/full`'s among them, is reported.
fn write_through(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut buffered = BufWriter::new(file);
    write(&mut buffered)
        .and_then(|()| Ok(buffered.flush()?))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Whether `err` comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
