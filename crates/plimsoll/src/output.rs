//! Writing output: to stdout, or atomically to a file (temp file in the same folder, then rename).

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

/// Write `text` to `path` atomically, or to stdout when there is no path.
pub fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    emit_with(path, |out| Ok(out.write_all(text.as_bytes())?))
}

/// Stream what `write` writes to `path` atomically, or to stdout when there is no path, through
/// a buffer: a large report never has to be held in memory whole.
///
/// A closed pipe on stdout (`plimsoll check | head`) is not an error worth a message.
pub fn emit_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match path {
        Some(path) => write_atomic_with(path, write),
        None => {
            let mut stdout = BufWriter::new(std::io::stdout().lock());
            let written = write(&mut stdout).and_then(|()| Ok(stdout.flush()?));
            match written {
                Err(err) if is_broken_pipe(&err) => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

/// Replace `path` with `bytes` so readers see the old or the new file, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |out| Ok(out.write_all(bytes)?))
}

/// Replace `path` with what `write` writes, so readers see the old or the new file, never half
/// of one: the text goes to a temporary file in the same folder, which is synced, then renamed.
fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let mut buffered = BufWriter::new(temp.as_file_mut());
    write(&mut buffered)
        .and_then(|()| Ok(buffered.flush()?))
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(buffered);
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Whether `err` comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
