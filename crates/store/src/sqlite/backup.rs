//! A consistent copy of a live database: `VACUUM INTO` reads one snapshot (WAL mode lets the
//! server keep writing meanwhile) and writes a compact, self-contained database file, with no
//! WAL of its own, that a server can open as its `tessera.sqlite3`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::DATABASE_FILE;
use crate::{Result, StoreError};

/// Copies the database of `data_dir` to `to`, which must not exist yet. Runs beside a serving
/// server: it opens the file read-only and takes no lock the server needs.
pub fn backup(data_dir: &Path, to: &Path) -> Result<()> {
    let file = data_dir.join(DATABASE_FILE);
    if !file.exists() {
        return Err(StoreError::Internal(format!("there is no database at {}", file.display())));
    }
    if to.exists() {
        let message = format!("{} exists already: name a new file", to.display());
        return Err(StoreError::Internal(message));
    }
    let conn = Connection::open_with_flags(&file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // A busy writer holds its lock for milliseconds; waiting is better than failing.
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // The copy holds what the database holds (the signing key, hashes, secrets): it is written
    // in a private directory beside the target, made readable by its owner only, then linked
    // into place, which fails rather than overwrite a file that appeared meanwhile.
    let parent = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let scratch = private_dir(parent)?;
    let staged = scratch.join("backup.sqlite3");
    let result = stage_and_link(&conn, &staged, to);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn stage_and_link(conn: &Connection, staged: &Path, to: &Path) -> Result<()> {
    let name = staged
        .to_str()
        .ok_or_else(|| StoreError::Internal("the backup path is not UTF-8".into()))?;
    conn.execute("VACUUM INTO ?1", [name])?;
    owner_only(staged)?;
    std::fs::hard_link(staged, to)
        .map_err(|e| StoreError::Internal(format!("cannot write {}: {e}", to.display())))
}

/// A new directory in `parent` that only its owner can enter.
fn private_dir(parent: &Path) -> Result<PathBuf> {
    let nonce: u64 = rand_nonce();
    let dir = parent.join(format!(".tessera-backup-{nonce:016x}"));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(&dir).map_err(|e| {
        StoreError::Internal(format!("cannot create a directory in {}: {e}", parent.display()))
    })?;
    Ok(dir)
}

/// Unique enough for a scratch directory name: the process id and the clock's nanoseconds.
fn rand_nonce() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    (u64::from(std::process::id()) << 32) ^ nanos
}

fn owner_only(file: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| StoreError::Internal(format!("cannot protect {}: {e}", file.display())))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}
