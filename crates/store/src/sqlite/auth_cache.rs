//! A cache of what token checks read, so that a request pays one query (its own), not two.
//!
//! Sound because this process makes every write to its SQLite file: each write that can change
//! a user's secret, `active` flag or role removes the entry after it commits, and a generation
//! counter stops a read that started before that commit from putting the old value back.

use std::collections::HashMap;
use std::sync::RwLock;

use tessera_domain::ObjectId;

use crate::AuthRecord;

/// Entries kept at most; past it the cache starts over (tokens in use refill it at once).
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub(super) struct AuthCache {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<ObjectId, AuthRecord>,
}

impl AuthCache {
    pub(super) fn get(&self, id: ObjectId) -> Option<AuthRecord> {
        self.inner.read().ok()?.entries.get(&id).cloned()
    }

    /// The generation to pass to [`AuthCache::put`] for a read that starts now.
    pub(super) fn generation(&self) -> u64 {
        self.inner.read().map_or(u64::MAX, |i| i.generation)
    }

    /// Keeps a value read from the database, unless a write committed since `generation`.
    pub(super) fn put(&self, generation: u64, id: ObjectId, record: AuthRecord) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner.entries.insert(id, record);
    }

    /// After a committed write to users: forget them, and refuse values read before it.
    pub(super) fn invalidate(&self, ids: &[ObjectId]) {
        if let Ok(mut inner) = self.inner.write() {
            inner.generation += 1;
            for id in ids {
                inner.entries.remove(id);
            }
        }
    }
}
