//! Private files and dirs: opened without following links, required to be regular files (or
//! dirs) of the current user that nobody else can write, and read with a size cap.
//!
//! Every check refuses and changes nothing: xblocks never chmods, appends to or replaces
//! something it did not create, and never follows a planted link to a file of someone else.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest `token.json` xblocks reads: a real one is well under 4 KB.
pub const TOKEN_CAP: u64 = 64 * 1024;
/// Largest `config.toml` xblocks reads.
pub const CONFIG_CAP: u64 = 1024 * 1024;

/// Why a private file or dir was refused. Each message is one line naming the path and the fix;
/// none quotes the file's content.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The path is a symbolic link.
    #[error("{} is a symbolic link and xblocks does not follow links for its private files; remove the link (`rm {}`) and run the command again", .0.display(), .0.display())]
    Link(PathBuf),
    /// The path is a device, FIFO, socket or dir where a regular file belongs.
    #[error("{} is a {kind}, not a regular file; remove it and run the command again", path.display())]
    NotRegular {
        /// The refused path.
        path: PathBuf,
        /// What it is instead (`directory`, `FIFO`, …).
        kind: &'static str,
    },
    /// A file where xblocks needs a dir.
    #[error("{} is a {kind}, not a directory; move it away or use another --config-dir", path.display())]
    NotDir {
        /// The refused path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// The path belongs to another user.
    #[error("{} belongs to another user (uid {owner}); remove it or use a config dir of your own (--config-dir)", path.display())]
    Foreign {
        /// The refused path.
        path: PathBuf,
        /// Its owner's uid.
        owner: u32,
    },
    /// A dir that group or others can write (anyone could plant files in it).
    #[error("{} is writable by group or others; run `chmod go-w {}` (or use another --config-dir)", .0.display(), .0.display())]
    Loose(PathBuf),
    /// The file is larger than any valid file of its kind.
    #[error("{} is larger than {} KB, so it is damaged; move it away and run the command again", path.display(), cap / 1024)]
    TooLarge {
        /// The refused path.
        path: PathBuf,
        /// The cap in bytes.
        cap: u64,
    },
    /// Any other I/O error.
    #[error("cannot open {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

impl FileError {
    fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The name of a file type, for messages.
fn kind_name(ft: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO";
        }
        if ft.is_char_device() {
            return "character device";
        }
        if ft.is_block_device() {
            return "block device";
        }
        if ft.is_socket() {
            return "socket";
        }
    }
    if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

#[cfg(unix)]
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Refuses a dir that is not the current user's or that group or others can write. A missing
/// dir is fine (xblocks creates it 0700); a link to a dir is judged by the dir it names.
pub fn check_dir(dir: &Path) -> Result<(), FileError> {
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(FileError::io(dir, e)),
    };
    if !meta.is_dir() {
        return Err(FileError::NotDir {
            path: dir.to_path_buf(),
            kind: kind_name(meta.file_type()),
        });
    }
    check_owner_and_mode(dir, &meta, true)
}

#[cfg(unix)]
fn check_owner_and_mode(path: &Path, meta: &fs::Metadata, dir: bool) -> Result<(), FileError> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != euid() {
        return Err(FileError::Foreign {
            path: path.to_path_buf(),
            owner: meta.uid(),
        });
    }
    if dir && meta.mode() & 0o022 != 0 {
        return Err(FileError::Loose(path.to_path_buf()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_and_mode(_: &Path, _: &fs::Metadata, _: bool) -> Result<(), FileError> {
    Ok(())
}

/// Refuses a private file that is a link, not a regular file, or another user's. A missing file
/// is fine. For files another library opens by path (the SQLite database).
pub fn check_file(path: &Path) -> Result<(), FileError> {
    match fs::symlink_metadata(path) {
        Ok(meta) => check_regular(path, &meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(FileError::io(path, e)),
    }
}

fn check_regular(path: &Path, meta: &fs::Metadata) -> Result<(), FileError> {
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(FileError::Link(path.to_path_buf()));
    }
    if !ft.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_name(ft),
        });
    }
    check_owner_and_mode(path, meta, false)
}

/// Opens `path` with extra `flags`, never following a final symlink and never blocking on a
/// FIFO, then checks that it is the user's regular file.
fn open_checked(path: &Path, opts: &mut fs::OpenOptions, follow: bool) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC;
        if !follow {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags);
    }
    #[cfg(not(unix))]
    let _ = follow;
    opts.open(path)
}

fn open_error(path: &Path, e: io::Error) -> FileError {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return FileError::Link(path.to_path_buf());
    }
    FileError::io(path, e)
}

/// Reads a private file (`token.json`): no link, a regular file of the user, at most `cap`
/// bytes. A file others can read is put back to 0600 (through the open file, never a path).
/// `None` when there is no file.
pub fn read_private(path: &Path, cap: u64) -> Result<Option<Vec<u8>>, FileError> {
    let file = match open_checked(path, fs::OpenOptions::new().read(true), false) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(open_error(path, e)),
    };
    let meta = file.metadata().map_err(|e| FileError::io(path, e))?;
    check_regular(path, &meta)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!("{} was readable by others; set to 0600", path.display());
            let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
        }
    }
    read_capped_from(file, path, cap).map(Some)
}

/// Reads a file the user may keep anywhere (`config.toml`, possibly a link into a dotfiles
/// repo): it must be a regular file of at most `cap` bytes. `None` when there is no file.
pub fn read_capped(path: &Path, cap: u64) -> Result<Option<Vec<u8>>, FileError> {
    let file = match open_checked(path, fs::OpenOptions::new().read(true), true) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(open_error(path, e)),
    };
    let meta = file.metadata().map_err(|e| FileError::io(path, e))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_name(meta.file_type()),
        });
    }
    read_capped_from(file, path, cap).map(Some)
}

fn read_capped_from(file: File, path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let too_large = || FileError::TooLarge {
        path: path.to_path_buf(),
        cap,
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > cap {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::io(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Opens a private file for appending (the log file), creating it 0600: never through a link,
/// only a regular file of the user.
pub fn open_append(path: &Path) -> Result<File, FileError> {
    let mut opts = fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let file = open_checked(path, &mut opts, false).map_err(|e| open_error(path, e))?;
    let meta = file.metadata().map_err(|e| FileError::io(path, e))?;
    check_regular(path, &meta)?;
    Ok(file)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn links_fifos_and_big_files_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, b"decoy").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("token.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(
            read_private(&link, TOKEN_CAP),
            Err(FileError::Link(_))
        ));
        assert!(matches!(open_append(&link), Err(FileError::Link(_))));
        assert!(matches!(check_file(&link), Err(FileError::Link(_))));
        assert_eq!(fs::read(&target).unwrap(), b"decoy");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o644
        );

        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_private(&fifo, TOKEN_CAP),
            Err(FileError::NotRegular { kind: "FIFO", .. })
        ));
        assert!(matches!(
            read_capped(&fifo, CONFIG_CAP),
            Err(FileError::NotRegular { .. })
        ));

        let big = dir.path().join("big");
        fs::write(&big, vec![b' '; TOKEN_CAP as usize + 1]).unwrap();
        assert!(matches!(
            read_private(&big, TOKEN_CAP),
            Err(FileError::TooLarge { .. })
        ));
        assert_eq!(read_private(&dir.path().join("none"), 10).unwrap(), None);
    }

    #[test]
    fn loose_dirs_are_refused_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("loose");
        fs::create_dir(&d).unwrap();
        fs::set_permissions(&d, fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_dir(&d).unwrap_err().to_string();
        assert!(err.contains("chmod go-w"), "{err}");
        assert_eq!(
            fs::metadata(&d).unwrap().permissions().mode() & 0o777,
            0o777
        );
        assert!(check_dir(&dir.path().join("missing")).is_ok());
    }
}
