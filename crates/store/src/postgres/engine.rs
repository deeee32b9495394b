//! The engine itself: the pool of connections and the funnels every read and write goes
//! through (counted for `Store::stats`). Each resource's file implements its trait on
//! `PostgresStore` with these.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use deadpool_postgres::{Client, Pool, Transaction};

use tessera_domain::lazy::RawDoc;

use super::tokens::Sweep;
use crate::cache::Cache;
use crate::{PoolStats, Result, Stats};

/// A write's work inside its transaction.
pub(super) type Work<'t, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>;

/// A Tessera store in one PostgreSQL database, shared by any number of nodes.
///
/// What authenticates a request (the user's secret, active flag and role, and whether the token
/// was logged out) is read from the database on every request. User, group and role documents
/// are cached, and the caches are only as old as the last authentication: its query also reads
/// the database's write generation (schema.rs, moved in the transaction of every write to those
/// tables, on any node), and a node that sees it move empties them. A write answered by any
/// node has committed its generation, so the next request anywhere reads past the caches.
pub struct PostgresStore {
    pub(super) pool: Pool,
    /// User documents by id, for reads by id.
    pub(super) users: Cache<RawDoc>,
    /// Group and role documents by id (ids are unique across collections), for `expand`.
    pub(super) docs: Cache<RawDoc>,
    /// The write generation the caches hold values of.
    generation: AtomicI64,
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
            users: Cache::new("users"),
            docs: Cache::new("groups_and_roles"),
            generation: AtomicI64::new(-1),
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
            caches: vec![self.users.stats(), self.docs.stats()],
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
        let result = work(&tx).await;
        let committed = match result {
            Ok(out) => tx.commit().await.map(|()| out).map_err(Into::into),
            Err(e) => Err(e),
        };
        // What this node wrote is not served from its caches again, whatever the outcome.
        self.forget_cached();
        committed
    }

    /// Empties the caches: a write, here or (as the generation says) on another node.
    pub(super) fn forget_cached(&self) {
        self.users.clear();
        self.docs.clear();
    }

    /// Keeps the caches while the database's write generation is the one they were filled
    /// under; empties them when it has moved on. It only grows: a request that read an older
    /// one (it started before another's newer read finished) changes nothing.
    pub(super) fn observe_generation(&self, current: i64) {
        if self.generation.fetch_max(current, Ordering::AcqRel) < current {
            self.forget_cached();
        }
    }
}

#[cfg(test)]
mod tests {
    use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod};
    use tessera_domain::ObjectId;

    use super::*;

    /// A store whose pool never connects: the caches and the generation alone.
    fn offline() -> PostgresStore {
        let config: tokio_postgres::Config = "postgres://nobody@127.0.0.1:1/none".parse().unwrap();
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        PostgresStore::new(Pool::builder(manager).build().unwrap())
    }

    fn cached(store: &PostgresStore, id: ObjectId) -> bool {
        let doc = serde_json::value::RawValue::from_string("{}".into()).unwrap();
        store.users.put(store.users.generation(), [(id, doc)]);
        store.users.get(&id).is_some()
    }

    /// The caches are emptied when the generation moves on, and only then: an older one, read
    /// by a request that started earlier, leaves them alone.
    #[test]
    fn caches_follow_the_write_generation_forward_only() {
        let store = offline();
        let id = ObjectId::generate();
        store.observe_generation(5);
        assert!(cached(&store, id));
        store.observe_generation(5);
        assert!(store.users.get(&id).is_some(), "the same generation keeps them");
        store.observe_generation(4);
        assert!(store.users.get(&id).is_some(), "an older generation keeps them");
        store.observe_generation(6);
        assert!(store.users.get(&id).is_none(), "a newer one empties them");
    }
}
