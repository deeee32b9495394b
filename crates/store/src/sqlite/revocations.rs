//! The logged-out tokens that could still be presented, in memory: every request asks about its
//! token, so the answer must not touch the disk. Each is kept with its expiry and swept out once
//! it has passed (a token past its expiry is refused anyway), at most once a minute, so the set
//! holds no more than the tokens logged out within one token lifetime.

use std::collections::HashMap;
use std::sync::RwLock;

/// How often, at most, expired revocations are swept out (seconds).
pub(super) const SWEEP_INTERVAL_SECS: i64 = 60;

pub(super) struct Revocations {
    inner: RwLock<Inner>,
}

struct Inner {
    /// jti → when the token expires (`None`: never).
    live: HashMap<String, Option<i64>>,
    /// No sweep before this time (Unix seconds).
    next_sweep: i64,
}

impl Revocations {
    pub(super) fn new() -> Self {
        Revocations { inner: RwLock::new(Inner { live: HashMap::new(), next_sweep: 0 }) }
    }

    /// Replaces the set with `entries` (those read from the store at start).
    pub(super) fn load(&self, entries: impl IntoIterator<Item = (String, Option<i64>)>, now: i64) {
        let mut inner = self.write();
        inner.live = entries.into_iter().collect();
        inner.next_sweep = now + SWEEP_INTERVAL_SECS;
    }

    /// Whether the store should also forget its expired rows with this revocation.
    pub(super) fn sweep_due(&self, now: i64) -> bool {
        now >= self.read().next_sweep
    }

    /// Records a logged-out token; when a sweep is due, forgets the expired ones first.
    pub(super) fn insert(&self, jti: String, expires_at: Option<i64>, now: i64) {
        let mut inner = self.write();
        if now >= inner.next_sweep {
            inner.live.retain(|_, exp| exp.is_none_or(|at| at > now));
            inner.next_sweep = now + SWEEP_INTERVAL_SECS;
        }
        inner.live.insert(jti, expires_at);
    }

    /// Whether this token was logged out and has not expired since.
    pub(super) fn contains(&self, jti: &str, now: i64) -> bool {
        self.read().live.get(jti).is_some_and(|exp| exp.is_none_or(|at| at > now))
    }

    /// How many revocations are held.
    pub(super) fn len(&self) -> usize {
        self.read().live.len()
    }

    // A panic while holding the lock cannot leave the map half-changed (every change is one
    // HashMap call), so a poisoned lock is safe to keep using.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_revocations_are_swept_out_and_live_ones_kept() {
        let r = Revocations::new();
        let now = 1_000;
        r.insert("old-1".into(), Some(now + 5), now);
        r.insert("old-2".into(), Some(now + 10), now);
        r.insert("forever".into(), None, now);
        r.insert("long".into(), Some(now + 10_000), now);
        assert_eq!(r.len(), 4);
        assert!(r.contains("old-1", now + 1));
        // Expired tokens are no longer revoked (they are refused as expired), even unswept.
        assert!(!r.contains("old-1", now + 6));

        // Within the interval nothing is swept; past it the next insert sweeps.
        let later = now + 20;
        assert!(!r.sweep_due(later));
        r.insert("new".into(), Some(later + 100), later);
        assert_eq!(r.len(), 5);
        let after = now + SWEEP_INTERVAL_SECS;
        assert!(r.sweep_due(after));
        r.insert("newer".into(), Some(after + 100), after);
        assert_eq!(r.len(), 4, "old-1 and old-2 are gone");
        for kept in ["forever", "long", "new", "newer"] {
            assert!(r.contains(kept, after), "{kept}");
        }
    }
}
