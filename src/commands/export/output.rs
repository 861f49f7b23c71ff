//! Where `export -o FILE` writes. A missing or regular FILE is replaced atomically (temp file +
//! rename) under a lock, so one export per path runs at a time; a character device, a FIFO or
//! `/dev/fd/N` (`-o >(gzip > f)`) is written straight through; anything else is refused. A
//! device node is never replaced by a regular file, and a missing folder is never created.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::partial::sibling;
use crate::exit::{Exit, ExitError};

/// The opened destination of `-o FILE`.
pub enum Target {
    /// A missing or regular file, written atomically at the end; the lock is held until then.
    File {
        /// The file to replace (a link to a regular file is followed to it).
        path: PathBuf,
        /// This process's claim on `path`.
        lock: ExportLock,
    },
    /// A character device, FIFO or `/dev/fd/N`, written as the pages arrive.
    Stream(File),
}

fn refuse(path: &Path, why: impl std::fmt::Display) -> ExitError {
    ExitError::new(
        Exit::Other,
        format!("cannot write {}: {why}", path.display()),
    )
}

/// Whether `path` names an open file descriptor of this process (`/dev/fd/N`, as a shell's
/// process substitution `>(…)` passes it).
fn is_fd_path(path: &Path) -> bool {
    ["/dev/fd/", "/proc/self/fd/"]
        .iter()
        .any(|p| path.to_str().is_some_and(|s| s.starts_with(p)))
}

impl Target {
    /// Checks and opens the destination, before any request is sent.
    pub fn open(path: &Path) -> Result<Self, ExitError> {
        if is_fd_path(path) {
            return stream(path);
        }
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if fs::symlink_metadata(path).is_ok() {
                    return Err(refuse(
                        path,
                        "it is a link to nothing; remove it or name another file",
                    ));
                }
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                if !parent.is_dir() {
                    return Err(refuse(
                        path,
                        format!(
                            "the folder {} does not exist; create it first (`mkdir -p {}`)",
                            parent.display(),
                            parent.display()
                        ),
                    ));
                }
                return file(path.to_path_buf());
            }
            Err(e) => return Err(refuse(path, e)),
        };
        let ft = meta.file_type();
        if ft.is_file() {
            // A link to a regular file: replace the file it names, not the link.
            let real = fs::canonicalize(path).map_err(|e| refuse(path, e))?;
            return file(real);
        }
        if ft.is_dir() {
            return Err(refuse(path, "it is a directory; name a file inside it"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_char_device() || ft.is_fifo() {
                return stream(path);
            }
        }
        Err(refuse(
            path,
            "it is neither a regular file nor a character device or FIFO; name another file",
        ))
    }
}

fn stream(path: &Path) -> Result<Target, ExitError> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .map(Target::Stream)
        .map_err(|e| refuse(path, e))
}

fn file(path: PathBuf) -> Result<Target, ExitError> {
    let lock = ExportLock::acquire(&path)?;
    Ok(Target::File { path, lock })
}

/// An exclusive claim on one export target: `.<name>.xblocks-partial.lock` beside it, locked
/// (`flock`) for as long as the export runs and removed when it ends. A second export to the
/// same path is refused at once instead of sharing the first one's progress files.
pub struct ExportLock {
    path: PathBuf,
    _file: File,
}

impl ExportLock {
    /// Takes the lock of `target`, or fails at once naming the process that holds it.
    pub fn acquire(target: &Path) -> Result<Self, ExitError> {
        let path = sibling(target, ".lock");
        loop {
            let mut opts = OpenOptions::new();
            opts.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
            }
            let mut file = opts.open(&path).map_err(|e| refuse(target, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut pid = String::new();
                    let _ = file.read_to_string(&mut pid);
                    let by = match pid.trim().parse::<u32>() {
                        Ok(pid) => format!(" (pid {pid})"),
                        Err(_) => String::new(),
                    };
                    return Err(ExitError::new(
                        Exit::Other,
                        format!(
                            "another xblocks export is writing {}{by}; wait for it to finish, or choose another -o FILE",
                            target.display()
                        ),
                    ));
                }
                Err(fs::TryLockError::Error(e)) => return Err(refuse(target, e)),
            }
            // The holder before us may have removed the file between our open and our lock:
            // only a lock on the file that is still there counts.
            if !same_file(&file, &path) {
                continue;
            }
            let _ = file.set_len(0);
            let _ = write!(file, "{}", std::process::id());
            return Ok(Self { path, _file: file });
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

impl Drop for ExportLock {
    fn drop(&mut self) {
        // Removed while still locked: a waiting export then retries on a fresh file.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lock_per_target_and_it_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        let first = ExportLock::acquire(&target).unwrap();
        let err = ExportLock::acquire(&target).err().unwrap();
        assert!(
            err.message.contains("another xblocks export")
                && err.message.contains(&format!("pid {}", std::process::id())),
            "{}",
            err.message
        );
        drop(first);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        drop(ExportLock::acquire(&target).unwrap());
    }

    #[test]
    fn dirs_and_missing_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = Target::open(dir.path()).err().unwrap();
        assert!(err.message.contains("is a directory"), "{}", err.message);
        let missing = dir.path().join("missing/x");
        let err = Target::open(&missing).err().unwrap();
        assert!(err.message.contains("mkdir -p"), "{}", err.message);
        assert!(!dir.path().join("missing").exists());
    }
}
