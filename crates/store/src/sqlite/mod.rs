//! The embedded engine: one SQLite file in WAL mode.
//!
//! Each entity is a row holding its JSON document plus the columns it is looked up by. Reads and
//! writes run on a small pool of connections, each on the blocking thread pool so that no async
//! worker ever waits on the disk. Every write is one `BEGIN IMMEDIATE` transaction with
//! `synchronous=FULL`: once a client has its answer, the change is on disk.
//!
//! This file holds the engine itself (the pool, the caches, the read and write funnels); each
//! resource's SQL and its trait's implementation live in the file named after it, and what they
//! all use in `rows.rs`.

mod cache;
mod conn;
mod dashboards;
mod folders;
mod groups;
mod query;
mod relations;
mod roles;
mod rows;
mod schema;
mod settings;
mod tokens;
mod users;
mod widgets;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, Transaction};

use crate::{AuthRecord, Result, Stats, Store, StoreError};
use cache::Cache;
use conn::Pool;
use tessera_domain::lazy::RawDoc;

/// Reads of at most this many rows run inline; larger ones on the blocking pool.
const INLINE_ROWS: u64 = 200;

/// The name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "tessera.sqlite3";

/// A Tessera store in one SQLite file.
pub struct SqliteStore {
    pool: Pool,
    /// Auth records by user id.
    auth: Cache<AuthRecord>,
    /// Group and role documents by id (ids are unique across collections).
    docs: Cache<RawDoc>,
    /// User documents by id, for reads by id.
    users: Cache<RawDoc>,
    /// The ids of logged-out tokens, all of them (also in `revoked_tokens`): checked on every
    /// request, so kept in memory.
    revoked: std::sync::RwLock<std::collections::HashSet<String>>,
    reads: AtomicU64,
    writes: AtomicU64,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let pool = conn::pool(data_dir.join(DATABASE_FILE))?;
        let store = SqliteStore {
            pool,
            auth: Cache::new(),
            docs: Cache::new(),
            users: Cache::new(),
            revoked: Default::default(),
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        };
        store.write(schema::migrate).await?;
        let revoked = store.read(tokens::live_revocations).await?;
        *store
            .revoked
            .write()
            .map_err(|_| StoreError::Internal("revocation set poisoned".into()))? = revoked;
        Ok(store)
    }

    /// Runs a short read (a lookup by key, a small page) on a pooled connection, inline.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T>,
    {
        self.reads.fetch_add(1, Ordering::Relaxed);
        conn::read_here(&self.pool, f).await
    }

    /// Runs a read of unbounded size on the blocking thread pool, so that no async worker is
    /// held up by it.
    async fn read_large<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.reads.fetch_add(1, Ordering::Relaxed);
        conn::interact(&self.pool, move |c| f(c)).await
    }

    /// A read of `n` rows, inline when small.
    async fn read_rows<T, F>(&self, n: Option<u64>, f: F) -> Result<T>
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
    async fn write<T, F>(&self, f: F) -> Result<T>
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

impl Store for SqliteStore {
    fn stats(&self) -> Stats {
        Stats {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        }
    }
}
