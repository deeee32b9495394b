//! Login throttling: after too many failed logins for one user name, or from one client address,
//! within a window, further logins for it are refused (429) until the window ends. Only failures
//! count, and only logins are throttled: other users and other requests are never slowed.
//!
//! Also the bound on how many tokens one user is issued per minute ([`MintLimit`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tessera_domain::ObjectId;

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
        Limits { per_user: 5, per_address: 50, window: Duration::from_secs(15 * 60) }
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
        LoginThrottle { limits, clock, users: Default::default(), addresses: Default::default() }
    }

    /// Takes one attempt for this account (a user id, or the name typed when no user has it)
    /// and this address, checked and counted under one lock: `Err(wait)` when either is at its
    /// limit, so that parallel guesses cannot all pass the check before any is counted. Every
    /// attempt counts as a failure until [`LoginThrottle::succeeded`] says otherwise.
    pub fn reserve(&self, account: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = (self.clock)();
        let window = self.limits.window;
        let (Ok(mut users), Ok(mut addresses)) = (self.users.lock(), self.addresses.lock()) else {
            return Ok(());
        };
        let by_user = blocked(&users, account, self.limits.per_user, window, now);
        let by_address =
            address.and_then(|a| blocked(&addresses, &a, self.limits.per_address, window, now));
        if let Some(wait) = by_user.into_iter().chain(by_address).max() {
            return Err(wait);
        }
        count(&mut users, account.to_owned(), window, now);
        if let Some(a) = address {
            count(&mut addresses, a, window, now);
        }
        Ok(())
    }

    /// The attempt was right: the account's failures are forgotten, and the address gets its
    /// attempt back (only failures count against an address).
    pub fn succeeded(&self, account: &str, address: Option<IpAddr>) {
        if let Ok(mut users) = self.users.lock() {
            users.remove(account);
        }
        if let (Some(a), Ok(mut addresses)) = (address, self.addresses.lock())
            && let Some(w) = addresses.get_mut(&a)
        {
            w.failures = w.failures.saturating_sub(1);
        }
    }
}

/// Tokens issued to one user per minute (sign-ins, API tokens, renewals), at most. A token costs
/// nothing until it is logged out, but a logout is kept until the token would have expired:
/// without a bound, any user could grow the server's revocation list in a loop.
#[derive(Clone)]
pub struct MintLimit {
    per_minute: u32,
    clock: Clock,
    users: Arc<Mutex<HashMap<ObjectId, Window>>>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl MintLimit {
    /// `per_minute` 0: no limit.
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, Arc::new(Instant::now))
    }

    fn with_clock(per_minute: u32, clock: Clock) -> Self {
        MintLimit { per_minute, clock, users: Default::default() }
    }

    /// Whether `user` may be issued a token now; `Err(wait)` when not.
    pub fn check(&self, user: ObjectId) -> Result<(), Duration> {
        let Ok(users) = self.users.lock() else { return Ok(()) };
        match blocked(&users, &user, self.per_minute, MINUTE, (self.clock)()) {
            Some(wait) if self.per_minute > 0 => Err(wait),
            _ => Ok(()),
        }
    }

    /// Counts one token for `user`, checked and counted under one lock.
    pub fn take(&self, user: ObjectId) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = (self.clock)();
        let Ok(mut users) = self.users.lock() else { return Ok(()) };
        if let Some(wait) = blocked(&users, &user, self.per_minute, MINUTE, now) {
            return Err(wait);
        }
        count(&mut users, user, MINUTE, now);
        Ok(())
    }
}

fn blocked<K: std::hash::Hash + Eq + ?Sized, Q>(
    map: &HashMap<Q, Window>, key: &K, limit: u32, window: Duration, now: Instant,
) -> Option<Duration>
where
    Q: std::borrow::Borrow<K> + std::hash::Hash + Eq,
{
    let w = map.get(key)?;
    let ends = w.started + window;
    (w.failures >= limit && now < ends).then(|| ends - now)
}

fn count<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, Window>, key: K, window: Duration, now: Instant,
) {
    if map.len() >= MAX_KEYS {
        map.retain(|_, w| now < w.started + window);
    }
    let w = map.entry(key).or_insert(Window { started: now, failures: 0 });
    if now >= w.started + window {
        *w = Window { started: now, failures: 0 };
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

    const LIMITS: Limits = Limits { per_user: 3, per_address: 5, window: Duration::from_secs(60) };

    #[test]
    fn engages_after_the_limit_and_releases_when_the_window_ends() {
        let (t, clock) = throttle(LIMITS);
        for _ in 0..3 {
            assert_eq!(t.reserve("ann", None), Ok(()));
        }
        clock.store(10, Ordering::SeqCst);
        assert_eq!(t.reserve("ann", None), Err(Duration::from_secs(50)));
        assert_eq!(t.reserve("bob", None), Ok(()), "other users are not throttled");
        clock.store(60, Ordering::SeqCst);
        assert_eq!(t.reserve("ann", None), Ok(()), "released when the window ends");
        assert_eq!(t.reserve("ann", None), Ok(()), "a new window starts from zero");
    }

    #[test]
    fn a_refused_attempt_is_not_counted() {
        let (t, clock) = throttle(LIMITS);
        for _ in 0..3 {
            t.reserve("ann", None).unwrap();
        }
        for _ in 0..10 {
            assert!(t.reserve("ann", None).is_err());
        }
        clock.store(60, Ordering::SeqCst);
        for _ in 0..3 {
            assert_eq!(t.reserve("ann", None), Ok(()));
        }
    }

    #[test]
    fn an_address_is_throttled_across_accounts() {
        let (t, _) = throttle(LIMITS);
        let addr: IpAddr = "10.1.2.3".parse().unwrap();
        for i in 0..5 {
            t.reserve(&format!("user{i}"), Some(addr)).unwrap();
        }
        assert!(t.reserve("fresh", Some(addr)).is_err());
        assert_eq!(t.reserve("fresh", Some("10.9.9.9".parse().unwrap())), Ok(()));
    }

    #[test]
    fn tokens_are_limited_per_user_and_minute() {
        let start = Instant::now();
        let elapsed = Arc::new(AtomicU64::new(0));
        let e = elapsed.clone();
        let clock: Clock = Arc::new(move || start + Duration::from_secs(e.load(Ordering::SeqCst)));
        let limit = MintLimit::with_clock(3, clock);
        let (ann, bob) = (ObjectId::generate(), ObjectId::generate());
        for _ in 0..3 {
            assert_eq!(limit.check(ann), Ok(()));
            assert_eq!(limit.take(ann), Ok(()));
        }
        elapsed.store(20, Ordering::SeqCst);
        assert_eq!(limit.check(ann), Err(Duration::from_secs(40)));
        assert_eq!(limit.take(ann), Err(Duration::from_secs(40)));
        assert_eq!(limit.take(bob), Ok(()), "another user has a limit of their own");
        elapsed.store(60, Ordering::SeqCst);
        assert_eq!(limit.take(ann), Ok(()), "a new minute");
        let unlimited = MintLimit::new(0);
        for _ in 0..1000 {
            assert_eq!(unlimited.take(ann), Ok(()));
        }
    }

    #[test]
    fn success_clears_the_account_and_gives_the_address_its_attempt_back() {
        let (t, _) = throttle(LIMITS);
        let addr: IpAddr = "10.1.2.3".parse().unwrap();
        t.reserve("ann", Some(addr)).unwrap();
        t.reserve("ann", Some(addr)).unwrap();
        t.reserve("ann", Some(addr)).unwrap();
        t.succeeded("ann", Some(addr));
        // The account starts afresh; the address holds two failures, not three.
        t.reserve("ann", Some(addr)).unwrap();
        t.reserve("ann", Some(addr)).unwrap();
        t.reserve("bob", Some(addr)).unwrap();
        assert!(t.reserve("carl", Some(addr)).is_err(), "5 failures on the address");
    }
}
