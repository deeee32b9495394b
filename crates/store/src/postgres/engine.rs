//! The engine itself: the pool of connections and the funnels every read and write goes
//! through (counted for `Store::stats`). Each resource's file implements its trait on
//! `PostgresStore` with these.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

use deadpool_postgres::{Client, Pool, Transaction};

use super::tokens::Sweep;
use crate::{PoolStats, Result, Stats};

/// A write's work inside its transaction.
pub(super) type Work<'t, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>;

/// A Tessera store in one PostgreSQL database, shared by any number of nodes. It keeps no
/// state between requests: everything it answers is read from the database.
pub struct PostgresStore {
    pub(super) pool: Pool,
    /// When this node next deletes expired revocations.
    pub(super) sweep: Sweep,
    /// When this node next deletes attempt windows that have ended.
    pub(super) window_sweep: Sweep,
    reads: AtomicU64,
    writes: AtomicU64,
}

impl PostgresStore {
    pub(super) fn new(pool: Pool) -> Self {
        PostgresStore {
            pool,
            sweep: Sweep::new(),
            window_sweep: Sweep::new(),
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
            caches: Vec::new(),
            pool: PoolStats {
                max_size: wide(pool.max_size),
                open: wide(pool.size),
                idle: wide(pool.available),
                waiting: wide(pool.waiting),
            },
            revoked_tokens: 0,
        }
    }

    /// A pooled connection for a read.
    pub(super) async fn reader(&self) -> Result<Client> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        Ok(self.pool.get().await?)
    }

    /// Runs `work` in one transaction, committed when it succeeds and rolled back otherwise,
    /// so a failed request stores nothing.
    pub(super) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: for<'t> FnOnce(&'t Transaction<'t>) -> Work<'t, T> + Send,
        T: Send,
    {
        self.writes.fetch_add(1, Ordering::Relaxed);
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let out = work(&tx).await?;
        tx.commit().await?;
        Ok(out)
    }
}
