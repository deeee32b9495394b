//! Read-through caches of what requests read most and writes change least: the auth record of
//! each token's user (read by every request), user documents read by id, and group and role
//! documents (read by every `expand`).
//!
//! On SQLite sound because this process makes every write to its file: each write that can
//! change a cached value removes the entry after it commits, and a generation counter stops a
//! read that started before that commit from putting the old value back. On PostgreSQL, where
//! other nodes write too, every request's authentication also reads the database's write
//! generation, and a node that sees it move empties its caches (postgres/engine.rs).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use tessera_domain::ObjectId;

use crate::CacheStats;

/// Entries kept at most; past it the cache starts over (what is in use refills it at once).
const MAX_ENTRIES: usize = 100_000;

pub(crate) struct Cache<V> {
    name: &'static str,
    inner: RwLock<Inner<V>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Inner<V> {
    generation: u64,
    entries: HashMap<ObjectId, V>,
}

impl<V: Clone> Cache<V> {
    pub(crate) fn new(name: &'static str) -> Self {
        Cache {
            name,
            inner: RwLock::new(Inner { generation: 0, entries: HashMap::new() }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub(crate) fn get(&self, id: &ObjectId) -> Option<V> {
        let found = self.inner.read().ok()?.entries.get(id).cloned();
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// The entries held for `ids`, and the ids it holds nothing for (to read from the database).
    pub(crate) fn split(&self, ids: Vec<ObjectId>) -> (Vec<(ObjectId, V)>, Vec<ObjectId>) {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for id in ids {
            match self.get(&id) {
                Some(value) => found.push((id, value)),
                None => missing.push(id),
            }
        }
        (found, missing)
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            name: self.name,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.inner.read().map_or(0, |i| u64::try_from(i.entries.len()).unwrap_or(0)),
        }
    }

    /// The generation to pass to [`Cache::put`] for a read that starts now.
    pub(crate) fn generation(&self) -> u64 {
        self.inner.read().map_or(u64::MAX, |i| i.generation)
    }

    /// Keeps values read from the database, unless a write committed since `generation`.
    pub(crate) fn put(&self, generation: u64, values: impl IntoIterator<Item = (ObjectId, V)>) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        for (id, value) in values {
            if inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
            }
            inner.entries.insert(id, value);
        }
    }

    /// After a committed write: forget these entries, and refuse values read before it.
    pub(crate) fn invalidate(&self, ids: &[ObjectId]) {
        if let Ok(mut inner) = self.inner.write() {
            inner.generation += 1;
            for id in ids {
                inner.entries.remove(id);
            }
        }
    }
}

impl<V> Cache<V> {
    /// After a committed write that touched entries it cannot name: forget them all.
    pub(crate) fn clear(&self) {
        if let Ok(mut inner) = self.inner.write() {
            inner.generation += 1;
            inner.entries.clear();
        }
    }
}
