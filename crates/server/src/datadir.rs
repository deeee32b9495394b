//! One process at a time per data directory: the server holds an exclusive lock on
//! `tessera.lock` inside it for as long as it runs, and the offline `tessera admin` commands take
//! the same lock, so they refuse clearly while a server runs instead of writing under it (and a
//! second server on the same directory refuses to start). The operating system releases the lock
//! when the process ends, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::StartupError;

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "tessera.lock";

/// Held while the data directory is in use; dropping it releases the lock.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

/// Takes the data directory's lock, creating the directory (0700) if needed.
pub fn lock(dir: &Path) -> Result<DataDirLock, StartupError> {
    let path = dir.join(LOCK_FILE);
    let failed = |source: std::io::Error| StartupError::DataDir { dir: dir.to_owned(), source };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        builder.mode(0o700);
        options.mode(0o600);
    }
    builder.create(dir).map_err(failed)?;
    let file = options.open(&path).map_err(failed)?;
    match file.try_lock() {
        Ok(()) => Ok(DataDirLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(StartupError::InUse { dir: PathBuf::from(dir) }),
        Err(TryLockError::Error(source)) => Err(failed(source)),
    }
}
