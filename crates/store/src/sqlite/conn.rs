//! The connection pool: deadpool managing rusqlite connections, each used on the blocking pool.

use std::path::PathBuf;

use deadpool::Runtime;
use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use deadpool_sync::SyncWrapper;
use rusqlite::Connection;

use crate::{Result, StoreError};

/// Most connections open at once. SQLite serialises writers anyway; readers run in parallel
/// under WAL, and this machine class has few cores.
pub(super) const MAX_CONNECTIONS: usize = 8;

/// How long a writer waits for the write lock before giving up.
pub(super) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub(super) type Pool = managed::Pool<Manager>;

/// Opens connections with Tessera's settings. Unlike deadpool-sqlite's manager it does not run a
/// query on every checkout to test the connection: a local file does not go stale, and that
/// query would double the cost of the cheapest reads.
pub(super) struct Manager {
    path: PathBuf,
}

impl managed::Manager for Manager {
    type Type = SyncWrapper<Connection>;
    type Error = rusqlite::Error;

    async fn create(&self) -> std::result::Result<Self::Type, Self::Error> {
        let path = self.path.clone();
        SyncWrapper::new(Runtime::Tokio1, move || open(path)).await
    }

    async fn recycle(&self, conn: &mut Self::Type, _: &Metrics) -> RecycleResult<Self::Error> {
        if conn.is_mutex_poisoned() {
            return Err(RecycleError::message("a query panicked on this connection"));
        }
        Ok(())
    }
}

fn open(path: PathBuf) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL: readers never block the writer; when SQLite restarts the WAL it cuts the file back
    // to 64 MiB (engine.rs truncates it past that). FULL: a commit is on disk before it returns,
    // so an acknowledged write survives a crash of the process and of the machine.
    // temp_store and cache_size: every insert that fires a trigger opens a statement journal,
    // which went to a temporary file, and a bulk insert's dirty pages overflowed the default
    // 2 MiB cache into the WAL before the commit; both in memory made a bulk insert of 20,000
    // users 1.7x as fast (4,800 -> 8,000 users/s). 16 MiB a connection bounds the pool at 128.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA journal_size_limit = 67108864;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16384;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Opens the database, reads its schema (which joins the WAL) and closes it again: when no other
/// connection is open, closing checkpoints and removes the WAL.
pub(super) fn open_and_close(path: &std::path::Path) -> Result<()> {
    let conn = Connection::open(path)?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    conn.close().map_err(|(_, e)| StoreError::from(e))
}

pub(super) fn pool(path: PathBuf) -> Result<Pool> {
    managed::Pool::builder(Manager { path })
        .max_size(MAX_CONNECTIONS)
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| StoreError::Internal(format!("cannot build the connection pool: {e}")))
}

/// Runs `f` on a pooled connection on the blocking thread pool.
pub(super) async fn interact<T, F>(pool: &Pool, f: F) -> Result<T>
where
    F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    let conn = pool
        .get()
        .await
        .map_err(|e| StoreError::Internal(format!("no database connection: {e}")))?;
    conn.interact(f)
        .await
        .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
}

/// Runs `f` on a pooled connection right here, on the calling task's thread. For reads known to
/// be short (a lookup by key, a small page): it saves the hand-off to the blocking pool, which
/// costs more than the query itself. SQLite reads the file through the OS page cache.
pub(super) async fn read_here<T, F>(pool: &Pool, f: F) -> Result<T>
where
    F: FnOnce(&Connection) -> Result<T>,
{
    let conn = pool
        .get()
        .await
        .map_err(|e| StoreError::Internal(format!("no database connection: {e}")))?;
    let guard = conn
        .lock()
        .map_err(|_| StoreError::Internal("a query panicked on this connection".into()))?;
    f(&guard)
}
