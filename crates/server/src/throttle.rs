//! Login throttling: after too many failed logins for one user name, or from one client address,
//! within a window, further logins for it are refused (429) until the window ends. Only failures
//! count, and only logins are throttled: other users and other requests are never slowed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys kept at most per map; past it, windows that have ended are dropped.
const MAX_KEYS: usize = 100_000;

/// How many failures, in what window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub per_user: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for Limits {
    /// 5 failures per user name and 50 per address in 15 minutes.
    fn default() -> Self {
        Limits {
            per_user: 5,
            per_address: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

#[derive(Clone)]
pub struct LoginThrottle {
    limits: Limits,
    clock: Clock,
    users: Arc<Mutex<HashMap<String, Window>>>,
    addresses: Arc<Mutex<HashMap<IpAddr, Window>>>,
}

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        Self::with_clock(limits, Arc::new(Instant::now))
    }

    fn with_clock(limits: Limits, clock: Clock) -> Self {
        LoginThrottle {
            limits,
            clock,
            users: Default::default(),
            addresses: Default::default(),
        }
    }

    /// How long until a login for this user name from this address may be tried again; `None`
    /// when it may be tried now.
    pub fn retry_after(&self, user: &str, address: Option<IpAddr>) -> Option<Duration> {
        let now = (self.clock)();
        let by_user = blocked(
            &self.users,
            user,
            self.limits.per_user,
            self.limits.window,
            now,
        );
        let by_address = address.and_then(|a| {
            blocked(
                &self.addresses,
                &a,
                self.limits.per_address,
                self.limits.window,
                now,
            )
        });
        by_user.into_iter().chain(by_address).max()
    }

    pub fn record_failure(&self, user: &str, address: Option<IpAddr>) {
        let now = (self.clock)();
        count(&self.users, user.to_owned(), self.limits.window, now);
        if let Some(a) = address {
            count(&self.addresses, a, self.limits.window, now);
        }
    }

    /// A successful login clears the user name's failures (not the address's).
    pub fn record_success(&self, user: &str) {
        if let Ok(mut users) = self.users.lock() {
            users.remove(user);
        }
    }
}

fn blocked<K: std::hash::Hash + Eq + ?Sized, Q>(
    map: &Mutex<HashMap<Q, Window>>,
    key: &K,
    limit: u32,
    window: Duration,
    now: Instant,
) -> Option<Duration>
where
    Q: std::borrow::Borrow<K> + std::hash::Hash + Eq,
{
    let map = map.lock().ok()?;
    let w = map.get(key)?;
    let ends = w.started + window;
    (w.failures >= limit && now < ends).then(|| ends - now)
}

fn count<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Window>>,
    key: K,
    window: Duration,
    now: Instant,
) {
    let Ok(mut map) = map.lock() else { return };
    if map.len() >= MAX_KEYS {
        map.retain(|_, w| now < w.started + window);
    }
    let w = map.entry(key).or_insert(Window {
        started: now,
        failures: 0,
    });
    if now >= w.started + window {
        *w = Window {
            started: now,
            failures: 0,
        };
    }
    w.failures += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A throttle whose clock moves only when the test says so.
    fn throttle(limits: Limits) -> (LoginThrottle, Arc<AtomicU64>) {
        let start = Instant::now();
        let elapsed = Arc::new(AtomicU64::new(0));
        let e = elapsed.clone();
        let clock: Clock = Arc::new(move || start + Duration::from_secs(e.load(Ordering::SeqCst)));
        (LoginThrottle::with_clock(limits, clock), elapsed)
    }

    const LIMITS: Limits = Limits {
        per_user: 3,
        per_address: 5,
        window: Duration::from_secs(60),
    };

    #[test]
    fn engages_after_the_limit_and_releases_when_the_window_ends() {
        let (t, clock) = throttle(LIMITS);
        for _ in 0..3 {
            assert_eq!(t.retry_after("ann", None), None);
            t.record_failure("ann", None);
        }
        clock.store(10, Ordering::SeqCst);
        assert_eq!(t.retry_after("ann", None), Some(Duration::from_secs(50)));
        assert_eq!(
            t.retry_after("bob", None),
            None,
            "other users are not throttled"
        );
        clock.store(60, Ordering::SeqCst);
        assert_eq!(
            t.retry_after("ann", None),
            None,
            "released when the window ends"
        );
        t.record_failure("ann", None);
        assert_eq!(
            t.retry_after("ann", None),
            None,
            "a new window starts from zero"
        );
    }

    #[test]
    fn an_address_is_throttled_across_user_names() {
        let (t, _) = throttle(LIMITS);
        let addr: IpAddr = "10.1.2.3".parse().unwrap();
        for i in 0..5 {
            t.record_failure(&format!("user{i}"), Some(addr));
        }
        assert!(t.retry_after("fresh", Some(addr)).is_some());
        assert_eq!(
            t.retry_after("fresh", Some("10.9.9.9".parse().unwrap())),
            None
        );
    }

    #[test]
    fn success_clears_the_user_name() {
        let (t, _) = throttle(LIMITS);
        t.record_failure("ann", None);
        t.record_failure("ann", None);
        t.record_success("ann");
        t.record_failure("ann", None);
        t.record_failure("ann", None);
        assert_eq!(t.retry_after("ann", None), None);
    }
}
