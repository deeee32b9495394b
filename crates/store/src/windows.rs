//! Attempts counted in time windows, per key: failed sign-ins per account and per client
//! address, tokens issued per user and minute. Every node of a deployment must count the same
//! attempts, so the counts live with the engine: in memory for SQLite (one process holds the
//! database), in a table for PostgreSQL (any number of nodes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::Result;

/// One key to count an attempt against, with its limit and window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub key: String,
    pub limit: u32,
    pub window: Duration,
}

#[async_trait]
pub trait WindowStore: Send + Sync {
    /// Counts one attempt against every key, checked and counted together (all or none, so
    /// that parallel attempts cannot all pass the check before any is counted): when a key has
    /// its `limit` of attempts in its window already, nothing is counted and the answer is
    /// `Err(wait)`, the longest time until such a window ends. A key whose window has ended
    /// starts a new one with this attempt.
    async fn take_attempts(&self, keys: Vec<Counted>) -> Result<std::result::Result<(), Duration>>;
    /// `Some(wait)` when the key is at its limit now; counts nothing.
    async fn attempts_blocked(&self, key: Counted) -> Result<Option<Duration>>;
    /// Forgets the key's attempts.
    async fn forget_attempts(&self, key: String) -> Result<()>;
    /// Takes one attempt back from the key's window.
    async fn give_back_attempt(&self, key: String) -> Result<()>;
}

/// Keys kept at most; past it, windows that have ended are dropped.
const MAX_KEYS: usize = 100_000;

/// What the clock says now (tests move it by hand).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// The counts of one process, in memory.
pub struct MemoryWindows {
    clock: Clock,
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Clone, Copy)]
struct Window {
    ends: Instant,
    attempts: u32,
}

impl Default for MemoryWindows {
    fn default() -> Self {
        Self::with_clock(Arc::new(Instant::now))
    }
}

impl MemoryWindows {
    pub fn with_clock(clock: Clock) -> Self {
        MemoryWindows { clock, windows: Mutex::new(HashMap::new()) }
    }

    // A panic while holding the lock cannot leave the map half-changed (every change is one
    // HashMap call), so a poisoned lock is safe to keep using.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn blocked(windows: &HashMap<String, Window>, key: &Counted, now: Instant) -> Option<Duration> {
    let w = windows.get(&key.key)?;
    (w.attempts >= key.limit && now < w.ends).then(|| w.ends - now)
}

#[async_trait]
impl WindowStore for MemoryWindows {
    async fn take_attempts(&self, keys: Vec<Counted>) -> Result<std::result::Result<(), Duration>> {
        let now = (self.clock)();
        let mut windows = self.lock();
        if let Some(wait) = keys.iter().filter_map(|k| blocked(&windows, k, now)).max() {
            return Ok(Err(wait));
        }
        if windows.len() >= MAX_KEYS {
            windows.retain(|_, w| now < w.ends);
        }
        for key in keys {
            let w =
                windows.entry(key.key).or_insert(Window { ends: now + key.window, attempts: 0 });
            if now >= w.ends {
                *w = Window { ends: now + key.window, attempts: 0 };
            }
            w.attempts += 1;
        }
        Ok(Ok(()))
    }

    async fn attempts_blocked(&self, key: Counted) -> Result<Option<Duration>> {
        Ok(blocked(&self.lock(), &key, (self.clock)()))
    }

    async fn forget_attempts(&self, key: String) -> Result<()> {
        self.lock().remove(&key);
        Ok(())
    }

    async fn give_back_attempt(&self, key: String) -> Result<()> {
        if let Some(w) = self.lock().get_mut(&key) {
            w.attempts = w.attempts.saturating_sub(1);
        }
        Ok(())
    }
}
