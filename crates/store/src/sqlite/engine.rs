//! The engine itself: the pool of connections, the caches, and the funnels every read and
//! write goes through (counted for `Store::stats`). Each resource's file implements its trait on
//! `SqliteStore` with these.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, Transaction};
use tessera_domain::lazy::RawDoc;

use super::cache::Cache;
use super::conn::{self, Pool};
use super::revocations::Revocations;
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
    reads: AtomicU64,
    writes: AtomicU64,
}

impl SqliteStore {
    /// A store over `pool`, with empty caches and no revocations loaded yet.
    pub(super) fn new(pool: Pool) -> Self {
        SqliteStore {
            pool,
            auth: Cache::new("auth"),
            docs: Cache::new("groups_and_roles"),
            users: Cache::new("users"),
            revoked: Revocations::new(),
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        }
    }

    /// What the engine has done since it opened.
    pub(super) fn counts(&self) -> Stats {
        let pool = self.pool.status();
        let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Stats {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            caches: [self.auth.stats(), self.docs.stats(), self.users.stats()],
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
        conn::interact(&self.pool, move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }
}
