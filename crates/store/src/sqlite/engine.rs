//! The engine itself: the pool of connections, the caches, and the funnels every read and
//! write goes through (counted for `Store::stats`). Each resource's file implements its trait on
//! `SqliteStore` with these.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, Transaction};
use tessera_domain::lazy::RawDoc;

use super::conn::{self, Pool};
use super::revocations::Revocations;
use crate::cache::Cache;
use crate::{AuthRecord, PoolStats, Result, Stats};

/// The name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "tessera.sqlite3";

/// Reads of at most this many rows run inline; larger ones on the blocking pool.
const INLINE_ROWS: u64 = 200;

/// A Tessera store in one SQLite file.
pub struct SqliteStore {
    pool: Pool,
    /// Auth records by user id.
    pub(super) auth: Cache<AuthRecord>,
    /// Group and role documents by id (ids are unique across collections).
    pub(super) docs: Cache<RawDoc>,
    /// User documents by id, for reads by id.
    pub(super) users: Cache<RawDoc>,
    /// The logged-out tokens that could still be presented (also in `revoked_tokens`): checked
    /// on every request, so kept in memory.
    pub(super) revoked: Revocations,
    /// Failed sign-ins and tokens issued, counted per window: this process is the only one.
    pub(super) windows: crate::MemoryWindows,
    reads: AtomicU64,
    writes: AtomicU64,
    /// Writers take turns here, in arrival order, before they ask SQLite for its write lock:
    /// SQLite's busy handler retries with sleeps of up to 100 ms and no queue, so with sixteen
    /// writers some waited a second (a POST's p99) while others went first.
    writer: tokio::sync::Mutex<()>,
    /// The database file, the WAL file beside it, and the size past which a write checkpoints
    /// the WAL.
    database: PathBuf,
    wal: PathBuf,
    wal_limit: AtomicU64,
}

/// The WAL's ceiling: past it, the write that notices checkpoints the WAL into the database and
/// truncates it. SQLite's own automatic checkpoints cannot shrink the file, and cannot even reuse
/// it while readers keep overlapping, so without this it grows for as long as the load lasts.
pub const WAL_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// How long a checkpoint waits for readers to leave the WAL before trying again later: it holds
/// the write lock meanwhile.
const CHECKPOINT_PATIENCE: Duration = Duration::from_millis(250);

impl SqliteStore {
    /// A store over `pool`, with empty caches and no revocations loaded yet.
    pub(super) fn new(pool: Pool, database: &Path) -> Self {
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        SqliteStore {
            pool,
            database: database.to_owned(),
            wal: PathBuf::from(wal),
            wal_limit: AtomicU64::new(WAL_LIMIT_BYTES),
            auth: Cache::new("auth"),
            docs: Cache::new("groups_and_roles"),
            users: Cache::new("users"),
            revoked: Revocations::new(),
            windows: crate::MemoryWindows::default(),
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            writer: tokio::sync::Mutex::new(()),
        }
    }

    /// What the engine has done since it opened.
    pub(super) fn counts(&self) -> Stats {
        let pool = self.pool.status();
        let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Stats {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            caches: vec![self.auth.stats(), self.docs.stats(), self.users.stats()],
            pool: PoolStats {
                max_size: wide(pool.max_size),
                open: wide(pool.size),
                idle: wide(pool.available),
                waiting: wide(pool.waiting),
            },
            revoked_tokens: wide(self.revoked.len()),
        }
    }

    /// Runs a short read (a lookup by key, a small page) on a pooled connection, inline.
    pub(super) async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T>,
    {
        self.reads.fetch_add(1, Ordering::Relaxed);
        conn::read_here(&self.pool, f).await
    }

    /// Runs a read of unbounded size on the blocking thread pool, so that no async worker is
    /// held up by it.
    pub(super) async fn read_large<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.reads.fetch_add(1, Ordering::Relaxed);
        conn::interact(&self.pool, move |c| f(c)).await
    }

    /// A read of `n` rows, inline when small.
    pub(super) async fn read_rows<T, F>(&self, n: Option<u64>, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        if n.is_some_and(|n| n <= INLINE_ROWS) {
            self.read(f).await
        } else {
            self.read_large(f).await
        }
    }

    /// Runs `f` in one immediate transaction, committed when `f` succeeds and rolled back
    /// otherwise, so a failed request stores nothing.
    pub(super) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.writes.fetch_add(1, Ordering::Relaxed);
        let (wal, limit) = (self.wal.clone(), self.wal_limit.load(Ordering::Relaxed));
        let _turn = self.writer.lock().await;
        conn::interact(&self.pool, move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > limit) {
                checkpoint(c);
            }
            Ok(out)
        })
        .await
    }

    /// Sets the WAL's ceiling (tests use a small one).
    pub fn set_wal_limit(&self, bytes: u64) {
        self.wal_limit.store(bytes, Ordering::Relaxed);
    }

    /// The WAL file's size now (0 when there is none).
    pub fn wal_bytes(&self) -> u64 {
        std::fs::metadata(&self.wal).map_or(0, |m| m.len())
    }

    /// A final checkpoint, then every connection closed: SQLite removes the WAL with the last
    /// one, and the database file alone holds everything.
    pub(super) async fn close_pool(&self) -> Result<()> {
        conn::interact(&self.pool, |c| {
            checkpoint(c);
            Ok(())
        })
        .await?;
        self.pool.close();
        // The pool closes its connections on blocking tasks, all at once; a connection removes
        // the WAL only when it sees itself the last, and several closing together each see the
        // others, so none may. A connection opened and closed once they are gone is the last.
        // The database is already complete: this only tidies up.
        for _ in 0..200 {
            if !self.wal.exists() {
                return Ok(());
            }
            let database = self.database.clone();
            let closed = tokio::task::spawn_blocking(move || conn::open_and_close(&database)).await;
            if let Ok(Err(e)) = closed {
                tracing::debug!(error = %e, "cannot open the database to remove its WAL");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tracing::debug!("the WAL file is still there (empty) after closing");
        Ok(())
    }
}

/// Copies the WAL into the database and truncates it, waiting a little for readers to leave it.
/// The write before it is committed whatever happens here, so a failure is logged, not returned.
fn checkpoint(conn: &Connection) {
    let result = conn.busy_timeout(CHECKPOINT_PATIENCE).and_then(|()| {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0))
    });
    match result {
        Ok(0) => tracing::debug!("WAL checkpointed and truncated"),
        Ok(_) => tracing::debug!("WAL checkpoint deferred: readers still in the WAL"),
        Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
    }
    if let Err(e) = conn.busy_timeout(conn::BUSY_TIMEOUT) {
        tracing::warn!(error = %e, "cannot restore the busy timeout");
    }
}
